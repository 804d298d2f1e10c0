//! Conversations and messages.
use crate::domain::protection_report::{ProtectionRecord, ToolResult};
use crate::domain::sensitive::Sensitive;
use crate::domain::time::{self, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_TITLE_CHARS: usize = 255;
/// New chat conversations are titled with the first message cut to this many characters.
pub const AUTO_TITLE_CHARS: usize = 50;
pub const DEFAULT_TITLE: &str = "New chat";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: Uuid,
    pub owner_id: i64,
    pub title: String,
    pub model_id: String,
    pub primary_agent: Option<String>,
    pub primary_llm: Option<String>,
    pub message_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    /// The assistant message id of a turn still running, if any (one pending turn at a time).
    pub pending_turn: Option<Uuid>,
}

impl Conversation {
    pub fn new(owner_id: i64, title: String, model_id: String, agent: Option<String>) -> Self {
        let now = time::now();
        Conversation {
            id: Uuid::now_v7(),
            owner_id,
            title,
            primary_llm: Some(model_id.clone()),
            model_id,
            primary_agent: agent,
            message_count: 0,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            pending_turn: None,
        }
    }

    /// Visible to `user_id`: owned by them and not deleted. Everything else reads as "not found".
    pub fn visible_to(&self, user_id: i64) -> bool {
        self.owner_id == user_id && self.deleted_at.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    User,
    Assistant,
    System,
}

impl MessageRole {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(MessageRole::User),
            "assistant" => Some(MessageRole::Assistant),
            "system" => Some(MessageRole::System),
            _ => None,
        }
    }
}

/// Model tokens one call used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// UUIDv7: time-ordered, so the sort key orders messages by time.
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub role: MessageRole,
    /// What the owner sees.
    pub content: Sensitive<String>,
    /// What a model may be sent as history (redacted/tokenized); `None` = never send.
    pub sanitized: Option<Sensitive<String>>,
    pub protegrity_data: Option<ProtectionRecord>,
    pub pending: bool,
    pub blocked: bool,
    pub agent: Option<String>,
    pub llm_provider: Option<String>,
    /// Tool results of an assistant turn, as the API returns them.
    pub tool_results: Option<Vec<ToolResult>>,
    /// Token usage of an assistant turn.
    pub usage: Option<Usage>,
    pub created_at: Timestamp,
}

impl Message {
    /// An answer a model turn produced (its pending message carried the model from the start).
    /// An `assistant` message a client wrote through `POST …/messages/` is not one: it must never
    /// reach a model as the model's own words (forged turns, many-shot jailbreaks).
    pub fn is_model_reply(&self) -> bool {
        self.role == MessageRole::Assistant && self.llm_provider.is_some()
    }

    pub fn new(conversation_id: Uuid, role: MessageRole, content: Sensitive<String>) -> Self {
        Message {
            id: Uuid::now_v7(),
            conversation_id,
            role,
            content,
            sanitized: None,
            protegrity_data: None,
            pending: false,
            blocked: false,
            agent: None,
            llm_provider: None,
            tool_results: None,
            usage: None,
            created_at: time::now(),
        }
    }
}

/// Why a client's title was refused; the message is the field error API.md shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("This field may not be blank.")]
    Blank,
    #[error("Ensure this field has no more than {MAX_TITLE_CHARS} characters.")]
    TooLong,
}

/// Validate a title given by a client: not blank, at most 255 characters.
pub fn validate_title(title: &str) -> Result<String, TitleError> {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        return Err(TitleError::Blank);
    }
    if trimmed.chars().count() > MAX_TITLE_CHARS {
        return Err(TitleError::TooLong);
    }
    Ok(trimmed.to_owned())
}

/// The automatic title of a new chat conversation: the (sanitized) first message, cut to 50
/// characters plus `...` when longer.
pub fn auto_title(sanitized_first_message: &str) -> String {
    let text = sanitized_first_message.trim();
    if text.chars().count() > AUTO_TITLE_CHARS {
        let cut: String = text.chars().take(AUTO_TITLE_CHARS).collect();
        format!("{cut}...")
    } else if text.is_empty() {
        DEFAULT_TITLE.to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert_eq!(validate_title("  hi "), Ok("hi".into()));
        assert_eq!(validate_title("   "), Err(TitleError::Blank));
        assert_eq!(validate_title(&"é".repeat(256)), Err(TitleError::TooLong));
        assert_eq!(
            TitleError::TooLong.to_string(),
            "Ensure this field has no more than 255 characters."
        );
        assert!(validate_title(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn auto_title_cuts_by_characters() {
        assert_eq!(auto_title("short"), "short");
        let long = "ü".repeat(60);
        let t = auto_title(&long);
        assert_eq!(t.chars().count(), 53);
        assert!(t.ends_with("..."));
        assert_eq!(auto_title(&"a".repeat(50)), "a".repeat(50));
    }

    #[test]
    fn visibility_is_owner_only_and_not_deleted() {
        let mut c = Conversation::new(1, "t".into(), "echo".into(), None);
        assert!(c.visible_to(1));
        assert!(!c.visible_to(2));
        c.deleted_at = Some(time::now());
        assert!(!c.visible_to(1));
    }
}
