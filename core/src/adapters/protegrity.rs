//! Protegrity Developer Edition REST adapters (placeholder until the adapters land).
use crate::config::ConfigError;
use crate::ports::{Classifier, Guardrail};
use std::sync::Arc;

pub type RemoteServices = (Option<Arc<dyn Classifier>>, Option<Arc<dyn Guardrail>>);

pub fn remote_from_env() -> Result<RemoteServices, ConfigError> {
    Ok((None, None))
}

pub async fn gather_remote_scan(
    _classifier: Option<&dyn Classifier>,
    _guardrail: Option<&dyn Guardrail>,
    _text: &crate::domain::sensitive::Sensitive<String>,
    _direction: crate::ports::Direction,
    _threshold: f64,
) -> crate::ports::RemoteScan {
    crate::ports::RemoteScan::default()
}
