//! What the retention purge needs from storage: walk a conversation partition's sort keys and
//! mark items for TTL expiry.
use crate::ports::StoreError;
use async_trait::async_trait;

/// What the conversation's `META` item says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationState {
    /// No `META` item (never existed, or already expired).
    Missing,
    Live,
    Deleted,
}

/// One query page of sort keys of a conversation partition, in sort-key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPage {
    pub sort_keys: Vec<String>,
    /// True when DynamoDB returned a `LastEvaluatedKey` (more items may follow).
    pub more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOutcome {
    Marked,
    /// The item already expires at or before the requested instant, or is gone.
    Unchanged,
}

/// The storage operations the purge needs; implemented by the DynamoDB adapter.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    async fn conversation_state(
        &self,
        conversation_id: &str,
    ) -> Result<ConversationState, StoreError>;

    /// Sort keys strictly after `after` (all keys when `None`), at most `limit`.
    async fn sort_keys_after(
        &self,
        conversation_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError>;

    /// Set `expires_at` unless the item is gone or already expires no later than `expires_at`.
    async fn mark_expiry(
        &self,
        conversation_id: &str,
        sort_key: &str,
        expires_at: i64,
    ) -> Result<MarkOutcome, StoreError>;
}
