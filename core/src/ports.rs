//! Ports: the async traits the services depend on. Adapters implement them; tests pass fakes of
//! third-party systems only.
use crate::domain::sensitive::Sensitive;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    async fn score(&self, text: &Sensitive<String>, direction: Direction) -> Result<f64, RemoteError>;
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
