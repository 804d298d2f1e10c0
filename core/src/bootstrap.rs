//! The composition root: builds a function's [`App`] from the environment with the real
//! adapters, and only the parts the function says it uses ([`Needs`]): a conversation read
//! does not pay for building the protection engine.
use crate::adapters::dynamo::DynamoStore;
use crate::adapters::keys::key_provider_from_env;
use crate::adapters::llm::LlmSettings;
use crate::adapters::protegrity::remote_from_env;
use crate::adapters::secrets::EnvSecretSource;
use crate::adapters::sfn::SfnWorkflow;
use crate::config::{self, ConfigError};
use crate::protection::{ProtectionConfig, ProtectionEngine};
use crate::service::app::MAX_INLINE_WAIT_SECONDS;
use crate::service::App;
use std::sync::Arc;
use std::time::Duration;

/// What a function uses beyond the store, the JWT secret and the LLM settings (all cheap to
/// set up: clients are built on first use).
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// Scans text: the protection engine, the tenant keys and the remote Protegrity services.
    pub protection: bool,
    /// Starts state-machine executions.
    pub workflow: bool,
}

impl Needs {
    /// Reads and writes the store only.
    pub const STORE: Needs = Needs {
        protection: false,
        workflow: false,
    };
    /// Scans text.
    pub const PROTECTION: Needs = Needs {
        protection: true,
        workflow: false,
    };
}

/// The app of one function, from the environment (`TABLE_NAME`, `AWS_*`, `PROTEGRITY_*`, ...).
pub async fn app_from_env(needs: Needs) -> Result<App, ConfigError> {
    let aws = config::aws().await;
    let dynamo = Arc::new(DynamoStore::from_config(&aws)?);
    let llm = Arc::new(LlmSettings::from_env());
    let mut builder = App::builder(dynamo.clone())
        .llm(llm.clone(), llm.enabled_providers())
        .secrets(Arc::new(EnvSecretSource::new(aws.clone())))
        .allow_unprotected(config::flag("ALLOW_UNPROTECTED_MODE", false)?)
        .turn_deadline_seconds(config::number(
            "TURN_DEADLINE_SECONDS",
            crate::service::app::DEFAULT_TURN_DEADLINE_SECONDS,
        )?)
        .inline_wait(inline_wait()?);
    if needs.workflow {
        builder = builder.workflow(Arc::new(SfnWorkflow::from_config(&aws)));
    }
    if needs.protection {
        let protection_config = ProtectionConfig::from_env().map_err(|e| ConfigError::Invalid {
            name: "PROTEGRITY_*",
            reason: e.to_string(),
        })?;
        let engine =
            ProtectionEngine::new(protection_config).map_err(|e| ConfigError::Invalid {
                name: "PROTEGRITY_CUSTOM_PATTERNS",
                reason: e.to_string(),
            })?;
        let keys = key_provider_from_env(dynamo)
            .await
            .map_err(|e| ConfigError::Invalid {
                name: "TOKENIZATION_KEY",
                reason: e.to_string(),
            })?;
        let (classifier, guardrail) = remote_from_env()?;
        builder = builder
            .protection(Arc::new(engine))
            .keys(keys)
            .remote(classifier, guardrail);
    }
    Ok(builder.build())
}

fn inline_wait() -> Result<Duration, ConfigError> {
    let seconds: f64 = config::number("CHAT_INLINE_WAIT_SECONDS", MAX_INLINE_WAIT_SECONDS)?;
    if !(0.0..=MAX_INLINE_WAIT_SECONDS).contains(&seconds) {
        return Err(ConfigError::Invalid {
            name: "CHAT_INLINE_WAIT_SECONDS",
            reason: format!("must be between 0 and {MAX_INLINE_WAIT_SECONDS}"),
        });
    }
    Ok(Duration::from_secs_f64(seconds))
}
