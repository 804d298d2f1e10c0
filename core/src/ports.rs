//! Ports: the async traits the services depend on. Adapters implement them; tests pass fakes of
//! third-party systems only.
use crate::domain::catalog::Catalog;
use crate::domain::conversation::{Conversation, Message};
use crate::domain::role::Role;
use crate::domain::sensitive::Sensitive;
use crate::domain::time::Timestamp;
use crate::domain::user::{ApiKeyRecord, NewUser, StoredUser, User};
use crate::protection::tokenize::IssuedTokens;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------------------------

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
    /// turn, once: returns `false` (writing nothing) if the message is no longer pending.
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

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("workflow unavailable: {0}")]
    Unavailable(String),
    /// An execution with this name exists already (the start is a repeat).
    #[error("execution already started")]
    AlreadyStarted,
}

/// Starts state-machine executions; the name makes a start idempotent.
#[async_trait]
pub trait Workflow: Send + Sync {
    async fn start_chat_turn(&self, name: &str, input: &Value) -> Result<(), WorkflowError>;
    async fn start_conversation_purge(
        &self,
        name: &str,
        input: &Value,
    ) -> Result<(), WorkflowError>;
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

/// 32 bytes of key material for one tenant. Debug is redacted.
#[derive(Clone)]
pub struct TenantKey(pub [u8; 32]);

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantKey([REDACTED])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key provider unavailable: {0}")]
    Unavailable(String),
    #[error("key configuration invalid: {0}")]
    Config(String),
}

/// Supplies the tokenization / encryption key of a tenant: an env key locally, a KMS data key
/// (cached) in AWS.
#[async_trait]
pub trait KeyProvider: Send + Sync {
    async fn tenant_key(&self, tenant: &str) -> Result<TenantKey, KeyError>;
}

// ---------------------------------------------------------------------------------------------
// Remote Protegrity services (optional; native engine is the default)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("remote service unreachable: {0}")]
    Unreachable(String),
    #[error("remote service answered {status}")]
    Status { status: u16 },
    #[error("remote service answered malformed data: {0}")]
    Malformed(String),
}

/// One finding of a remote classifier, character offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteFinding {
    pub entity_type: String,
    pub score: f64,
    pub start: usize,
    pub end: usize,
}

/// Protegrity Data Discovery classify.
#[async_trait]
pub trait Classifier: Send + Sync {
    async fn classify(
        &self,
        text: &Sensitive<String>,
        score_threshold: f64,
    ) -> Result<Vec<RemoteFinding>, RemoteError>;
}

/// Protegrity semantic guardrail: returns a risk score in 0..=1 for one message.
#[async_trait]
pub trait Guardrail: Send + Sync {
    async fn score(
        &self,
        text: &Sensitive<String>,
        direction: Direction,
    ) -> Result<f64, RemoteError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// user → model
    Input,
    /// model → user
    Output,
}

// ---------------------------------------------------------------------------------------------
// LLM providers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
    /// A tool result being returned to the model.
    Tool,
}

/// A tool call requested by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub call_id: String,
    pub tool_name: String,
    /// JSON arguments as the model produced them.
    pub arguments: Value,
}

/// One message of the (already sanitized) conversation sent to a model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: Sensitive<String>,
    /// Assistant turns that requested tools carry them so the follow-up is well-formed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For `ChatRole::Tool`: which call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    /// A plain text message (no tool calls).
    pub fn text(role: ChatRole, content: impl Into<Sensitive<String>>) -> Self {
        ChatMessage {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
}

/// A tool offered to the model (OpenAI-style function schema).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompletionRequest {
    /// Provider-side model / deployment name.
    pub model: String,
    pub system_prompt: Option<Sensitive<String>>,
    pub messages: Vec<ChatMessage>,
    pub tools: Vec<ToolSpec>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Completion {
    pub text: Sensitive<String>,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    /// Provider's own model name as reported.
    pub model: String,
}

/// Errors are classified so the state machine can Retry throttling/5xx and Catch the rest.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// 429 or provider-specific throttling: retry with backoff.
    #[error("provider throttled the request")]
    Throttled,
    /// 5xx / connection failure / timeout: retry, then fall back.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// 4xx other than 429 (bad key, bad request): do not retry, fall back.
    #[error("provider rejected the request: {0}")]
    Rejected(String),
    /// Response could not be understood.
    #[error("provider answered malformed data: {0}")]
    Malformed(String),
    /// Provider not configured.
    #[error("provider not configured: {0}")]
    NotConfigured(String),
}

impl LlmError {
    /// Stable name used as the Lambda `errorType`, matched by the state machine's Retry/Catch.
    pub fn error_type(&self) -> &'static str {
        match self {
            LlmError::Throttled => "ProviderThrottled",
            LlmError::Unavailable(_) => "ProviderUnavailable",
            LlmError::Rejected(_) => "ProviderRejected",
            LlmError::Malformed(_) => "ProviderMalformed",
            LlmError::NotConfigured(_) => "ProviderNotConfigured",
        }
    }
}

#[async_trait]
pub trait LlmProvider: Send + Sync {
    /// Whether this provider can take `tools` (function calling).
    fn supports_tools(&self) -> bool;
    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError>;
}

/// Results of the optional remote Protegrity services for one text, gathered (async) before the
/// pure pipeline runs. `failure` set means a configured service could not answer: the pipeline
/// fails closed (blocks, `outcome:"error"`) unless fail-open is configured.
#[derive(Debug, Clone, Default)]
pub struct RemoteScan {
    pub findings: Option<Vec<RemoteFinding>>,
    pub guardrail_score: Option<f64>,
    pub failure: Option<String>,
}
