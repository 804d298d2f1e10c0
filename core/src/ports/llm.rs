//! LLM providers.
use crate::domain::catalog::Provider;
use crate::domain::sensitive::Sensitive;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

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

pub use crate::domain::conversation::Usage;

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

/// The provider clients of a deployment: one per enabled provider, built on first use.
pub trait LlmProviders: Send + Sync {
    /// `NotConfigured` when the provider is not enabled or its settings are incomplete.
    fn provider_for(&self, provider: Provider) -> Result<Arc<dyn LlmProvider>, LlmError>;
}
