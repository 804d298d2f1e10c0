//! The whole table in process memory, with the conditions of the DynamoDB adapter: unique
//! usernames, one pending turn per conversation, writes to deleted conversations refused, a
//! pending reply completed once. Each operation holds one lock, so a multi-item write is all or
//! nothing, like a DynamoDB transaction.
use super::Outage;
use crate::domain::catalog::Catalog;
use crate::domain::conversation::{Conversation, Message};
use crate::domain::role::Role;
use crate::domain::time::{self, Timestamp};
use crate::domain::tokens::IssuedTokens;
use crate::domain::user::{ApiKeyRecord, NewUser, StoredUser, User};
use crate::ports::{
    CatalogStore, ConversationPage, ConversationStore, StoreError, TokenStore, UserStore,
};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

#[derive(Default)]
struct Tables {
    users: BTreeMap<i64, StoredUser>,
    api_keys: HashMap<String, ApiKeyRecord>,
    catalog: Catalog,
    conversations: HashMap<Uuid, Conversation>,
    /// Per conversation, by message id (UUIDv7: time order).
    messages: HashMap<Uuid, BTreeMap<Uuid, Message>>,
    tokens: HashMap<Uuid, IssuedTokens>,
}

#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
    outage: Outage,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// While down, every operation answers `Unavailable` and changes nothing.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    fn tables(&self) -> Result<MutexGuard<'_, Tables>, StoreError> {
        if self.outage.is_down() {
            return Err(StoreError::Unavailable("memory store is down".into()));
        }
        // A poisoned lock only means a test thread panicked mid-call; every write below
        // checks its conditions before changing anything, so the tables are consistent.
        Ok(self.tables.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict(what.to_owned())
}

/// The conversation, if it exists and is not deleted.
fn live(t: &mut Tables, id: Uuid) -> Result<&mut Conversation, StoreError> {
    t.conversations
        .get_mut(&id)
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| conflict("conversation missing or deleted"))
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut t = self.tables()?;
        if t.users.values().any(|u| u.user.username == new.username) {
            return Err(conflict("username taken"));
        }
        let id = t.users.keys().next_back().map_or(1, |last| last + 1);
        let user = User {
            id,
            username: new.username,
            email: new.email,
            first_name: new.first_name,
            last_name: new.last_name,
            role: new.role,
            is_active: true,
            created_at: time::now(),
        };
        t.users.insert(
            id,
            StoredUser {
                user: user.clone(),
                password_hash: new.password_hash,
            },
        );
        Ok(user)
    }

    async fn get_user(&self, id: i64) -> Result<Option<StoredUser>, StoreError> {
        Ok(self.tables()?.users.get(&id).cloned())
    }

    async fn find_user(&self, username: &str) -> Result<Option<StoredUser>, StoreError> {
        let t = self.tables()?;
        Ok(t.users
            .values()
            .find(|u| u.user.username == username)
            .cloned())
    }

    async fn set_role(&self, user_id: i64, role: Role) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        let user = t
            .users
            .get_mut(&user_id)
            .ok_or_else(|| conflict("no such user"))?;
        user.user.role = role;
        Ok(())
    }

    async fn set_password_hash(&self, user_id: i64, hash: &str) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        let user = t
            .users
            .get_mut(&user_id)
            .ok_or_else(|| conflict("no such user"))?;
        user.password_hash = hash.to_owned();
        Ok(())
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut users: Vec<User> = self
            .tables()?
            .users
            .values()
            .map(|u| u.user.clone())
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }

    async fn put_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        if t.api_keys.contains_key(&key.prefix) {
            return Err(conflict("api key prefix taken"));
        }
        t.api_keys.insert(key.prefix.clone(), key.clone());
        Ok(())
    }

    async fn get_api_key(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self.tables()?.api_keys.get(prefix).cloned())
    }
}

#[async_trait]
impl CatalogStore for MemoryStore {
    async fn load_catalog(&self) -> Result<Catalog, StoreError> {
        Ok(self.tables()?.catalog.clone())
    }

    async fn save_catalog(&self, catalog: &Catalog) -> Result<(), StoreError> {
        self.tables()?.catalog = catalog.clone();
        Ok(())
    }
}

#[async_trait]
impl ConversationStore for MemoryStore {
    async fn create_conversation(&self, conversation: &Conversation) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        if t.conversations.contains_key(&conversation.id) {
            return Err(conflict("conversation exists"));
        }
        t.conversations
            .insert(conversation.id, conversation.clone());
        Ok(())
    }

    async fn get_conversation(&self, id: Uuid) -> Result<Option<Conversation>, StoreError> {
        Ok(self.tables()?.conversations.get(&id).cloned())
    }

    async fn list_conversations(
        &self,
        owner_id: i64,
        page: u32,
        page_size: u32,
    ) -> Result<ConversationPage, StoreError> {
        let t = self.tables()?;
        let mut owned: Vec<&Conversation> = t
            .conversations
            .values()
            .filter(|c| c.visible_to(owner_id))
            .collect();
        // Newest activity first, as the owner index's `updated_at#id` sort key orders them.
        owned.sort_by_key(|c| std::cmp::Reverse((c.updated_at, c.id)));
        let skip = page.saturating_sub(1) as usize * page_size as usize;
        Ok(ConversationPage {
            total: owned.len() as i64,
            items: owned
                .into_iter()
                .skip(skip)
                .take(page_size as usize)
                .cloned()
                .collect(),
        })
    }

    async fn update_conversation(&self, conversation: &Conversation) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        let stored = live(&mut t, conversation.id)?;
        stored.title = conversation.title.clone();
        stored.model_id = conversation.model_id.clone();
        stored.primary_agent = conversation.primary_agent.clone();
        stored.primary_llm = conversation.primary_llm.clone();
        stored.updated_at = conversation.updated_at;
        Ok(())
    }

    async fn delete_conversation(
        &self,
        conversation: &Conversation,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        live(&mut t, conversation.id)?.deleted_at = Some(at);
        Ok(())
    }

    async fn append_messages(
        &self,
        conversation: &Conversation,
        messages: &[Message],
        start_turn: Option<Uuid>,
    ) -> Result<(), StoreError> {
        let mut t = self.tables()?;
        let stored = live(&mut t, conversation.id)?;
        if start_turn.is_some() && stored.pending_turn.is_some() {
            return Err(conflict("a turn is pending"));
        }
        let existing = t.messages.get(&conversation.id);
        if messages
            .iter()
            .any(|m| existing.is_some_and(|e| e.contains_key(&m.id)))
        {
            return Err(conflict("message exists"));
        }
        let stored = live(&mut t, conversation.id)?;
        stored.message_count += messages.len() as i64;
        stored.updated_at = time::now();
        if start_turn.is_some() {
            stored.pending_turn = start_turn;
        }
        let partition = t.messages.entry(conversation.id).or_default();
        for m in messages {
            partition.insert(m.id, m.clone());
        }
        Ok(())
    }

    async fn latest_messages(
        &self,
        conversation_id: Uuid,
        limit: i32,
    ) -> Result<Vec<Message>, StoreError> {
        let t = self.tables()?;
        Ok(t.messages
            .get(&conversation_id)
            .map(|p| {
                p.values()
                    .rev()
                    .take(limit.max(0) as usize)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn list_messages(&self, conversation_id: Uuid) -> Result<Vec<Message>, StoreError> {
        let t = self.tables()?;
        Ok(t.messages
            .get(&conversation_id)
            .map(|p| p.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn get_message(
        &self,
        conversation_id: Uuid,
        message_id: Uuid,
    ) -> Result<Option<Message>, StoreError> {
        let t = self.tables()?;
        Ok(t.messages
            .get(&conversation_id)
            .and_then(|p| p.get(&message_id))
            .cloned())
    }

    async fn complete_turn(&self, message: &Message) -> Result<bool, StoreError> {
        let mut t = self.tables()?;
        let still_pending = t
            .messages
            .get(&message.conversation_id)
            .and_then(|p| p.get(&message.id))
            .is_some_and(|m| m.pending);
        let Some(conversation) = t
            .conversations
            .get_mut(&message.conversation_id)
            .filter(|c| c.pending_turn == Some(message.id) && c.deleted_at.is_none())
        else {
            return Ok(false);
        };
        if !still_pending {
            return Ok(false);
        }
        conversation.pending_turn = None;
        conversation.updated_at = time::now();
        let mut done = message.clone();
        done.pending = false;
        t.messages
            .entry(message.conversation_id)
            .or_default()
            .insert(done.id, done);
        Ok(true)
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn load_tokens(&self, conversation_id: Uuid) -> Result<IssuedTokens, StoreError> {
        Ok(self
            .tables()?
            .tokens
            .get(&conversation_id)
            .cloned()
            .unwrap_or_default())
    }

    async fn add_tokens(
        &self,
        conversation_id: Uuid,
        new: &IssuedTokens,
    ) -> Result<(), StoreError> {
        self.tables()?
            .tokens
            .entry(conversation_id)
            .or_default()
            .extend(new.clone());
        Ok(())
    }
}
