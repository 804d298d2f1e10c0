//! Storage: users, the catalog, conversations and their messages, issued tokens.
use crate::domain::catalog::Catalog;
use crate::domain::conversation::{Conversation, Message};
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::tokens::IssuedTokens;
use crate::domain::user::{ApiKeyRecord, NewUser, StoredUser, User};
use async_trait::async_trait;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or failed: the only cause of a 5xx (503).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness or state condition failed (username taken, turn already pending, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored data could not be decoded.
    #[error("corrupt item: {0}")]
    Corrupt(String),
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Assigns the next integer id; `Conflict` when the username is taken.
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError>;
    async fn get_user(&self, id: i64) -> Result<Option<StoredUser>, StoreError>;
    async fn find_user(&self, username: &str) -> Result<Option<StoredUser>, StoreError>;
    async fn set_role(&self, user_id: i64, role: Role) -> Result<(), StoreError>;
    async fn set_password_hash(&self, user_id: i64, hash: &str) -> Result<(), StoreError>;
    /// All users by username (admin only; a Query on the users index, never a Scan).
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    async fn put_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    async fn get_api_key(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn load_catalog(&self) -> Result<Catalog, StoreError>;
    /// Replace the catalog with `catalog` (entries not in it are removed).
    async fn save_catalog(&self, catalog: &Catalog) -> Result<(), StoreError>;
}

/// One page of a user's conversations, newest first.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    pub total: i64,
    pub items: Vec<Conversation>,
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Creates the conversation and counts it on its owner in one transaction.
    async fn create_conversation(&self, conversation: &Conversation) -> Result<(), StoreError>;
    /// Also returns deleted conversations; callers check [`Conversation::visible_to`].
    async fn get_conversation(&self, id: Uuid) -> Result<Option<Conversation>, StoreError>;
    /// `page` is 1-based. Only non-deleted conversations of `owner_id`.
    async fn list_conversations(
        &self,
        owner_id: i64,
        page: u32,
        page_size: u32,
    ) -> Result<ConversationPage, StoreError>;
    /// Writes title, model, agent and `updated_at`; `Conflict` if it was deleted meanwhile.
    async fn update_conversation(&self, conversation: &Conversation) -> Result<(), StoreError>;
    /// Soft delete: hides it from every read and uncounts it; `Conflict` if already deleted.
    async fn delete_conversation(
        &self,
        conversation: &Conversation,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Appends messages, bumps `message_count` and `updated_at`, in one transaction.
    /// With `start_turn`, also marks that assistant message as the pending turn, failing with
    /// `Conflict` if a turn is already pending.
    async fn append_messages(
        &self,
        conversation: &Conversation,
        messages: &[Message],
        start_turn: Option<Uuid>,
    ) -> Result<(), StoreError>;
    /// The newest `limit` messages, newest first.
    async fn latest_messages(
        &self,
        conversation_id: Uuid,
        limit: i32,
    ) -> Result<Vec<Message>, StoreError>;
    /// Messages oldest first.
    async fn list_messages(&self, conversation_id: Uuid) -> Result<Vec<Message>, StoreError>;
    async fn get_message(
        &self,
        conversation_id: Uuid,
        message_id: Uuid,
    ) -> Result<Option<Message>, StoreError>;
    /// Replaces a pending message with its final form and clears the conversation's pending
    /// turn, once: returns `false` (writing nothing) if the message is no longer pending or the
    /// conversation was deleted meanwhile (its items keep their purge marks).
    async fn complete_turn(&self, message: &Message) -> Result<bool, StoreError>;
}

/// The tokens a conversation has issued in `protect` mode: only these are detokenized, and the
/// output scanner does not count them as leaked PII.
#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn load_tokens(&self, conversation_id: Uuid) -> Result<IssuedTokens, StoreError>;
    /// Adds `new` to the conversation's record (a union, so repeating it is harmless).
    async fn add_tokens(&self, conversation_id: Uuid, new: &IssuedTokens)
        -> Result<(), StoreError>;
}

/// Everything the services need from storage.
pub trait Store: UserStore + CatalogStore + ConversationStore + TokenStore {}
impl<T: UserStore + CatalogStore + ConversationStore + TokenStore> Store for T {}
