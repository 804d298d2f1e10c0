//! The remote Protegrity services in process: fixed answers, or an outage.
use crate::domain::sensitive::Sensitive;
use crate::ports::{Classifier, Direction, Guardrail, RemoteError, RemoteFinding};
use async_trait::async_trait;

/// A classifier that finds `findings` in every text, or is unreachable.
#[derive(Debug, Clone, Default)]
pub struct FixedClassifier {
    pub findings: Vec<RemoteFinding>,
    pub unreachable: bool,
}

#[async_trait]
impl Classifier for FixedClassifier {
    async fn classify(
        &self,
        _text: &Sensitive<String>,
        _score_threshold: f64,
    ) -> Result<Vec<RemoteFinding>, RemoteError> {
        if self.unreachable {
            return Err(RemoteError::Unreachable("memory classifier is down".into()));
        }
        Ok(self.findings.clone())
    }
}

/// A guardrail that gives every text the risk `score`, or is unreachable.
#[derive(Debug, Clone, Default)]
pub struct FixedGuardrail {
    pub score: f64,
    pub unreachable: bool,
}

#[async_trait]
impl Guardrail for FixedGuardrail {
    async fn score(
        &self,
        _text: &Sensitive<String>,
        _direction: Direction,
    ) -> Result<f64, RemoteError> {
        if self.unreachable {
            return Err(RemoteError::Unreachable("memory guardrail is down".into()));
        }
        Ok(self.score)
    }
}
