//! State-machine executions.
use async_trait::async_trait;
use serde_json::Value;

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
