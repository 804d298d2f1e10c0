//! The optional remote Protegrity services (the native engine is the default).
use crate::domain::sensitive::Sensitive;
use crate::protection::remote::RemoteFinding;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("remote service unreachable: {0}")]
    Unreachable(String),
    #[error("remote service answered {status}")]
    Status { status: u16 },
    #[error("remote service answered malformed data: {0}")]
    Malformed(String),
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
