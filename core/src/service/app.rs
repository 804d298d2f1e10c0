//! The dependencies every function builds once per cold start.
use crate::adapters::dynamo::DynamoStore;
use crate::adapters::keys::key_provider_from_env;
use crate::adapters::llm::LlmSettings;
use crate::adapters::sfn::SfnWorkflow;
use crate::config::{self, ConfigError};
use crate::domain::catalog::Provider;
use crate::ports::{Classifier, Guardrail, KeyProvider, Store, Workflow};
use crate::protection::{ProtectionConfig, ProtectionEngine};
use crate::service::auth::JwtKeys;
use std::sync::Arc;

pub struct App {
    pub store: Arc<dyn Store>,
    /// Read on first use: workflow tasks never need it (nor the permission to read it).
    jwt: tokio::sync::OnceCell<JwtKeys>,
    aws: aws_config::SdkConfig,
    pub llm: LlmSettings,
    /// Providers whose models are offered (from `ENABLED_LLM_PROVIDERS` or auto-detection).
    pub providers: Vec<Provider>,
    pub workflow: Arc<dyn Workflow>,
    pub protection: Arc<ProtectionEngine>,
    pub keys: Arc<dyn KeyProvider>,
    pub classifier: Option<Arc<dyn Classifier>>,
    pub guardrail: Option<Arc<dyn Guardrail>>,
    /// `ALLOW_UNPROTECTED_MODE`: whether `protegrity_mode: "none"` is accepted.
    pub allow_unprotected: bool,
    /// Seconds after which a still-pending turn is failed by poll (state machine timeout +
    /// margin).
    pub turn_deadline_seconds: i64,
    /// `CHAT_INLINE_WAIT_SECONDS`: how long chat-send waits for the reply before answering
    /// `pending` (0 = never wait).
    pub inline_wait: std::time::Duration,
}

impl App {
    /// The JWT signing keys (`JWT_SECRET`, or the Secrets Manager secret `JWT_SECRET_ARN`).
    pub async fn jwt(&self) -> Result<&JwtKeys, crate::api::ApiError> {
        self.jwt
            .get_or_try_init(|| JwtKeys::from_env(&self.aws))
            .await
            .map_err(|e| crate::api::ApiError::Unavailable(e.to_string()))
    }

    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::aws().await;
        let dynamo = Arc::new(DynamoStore::from_config(&aws)?);
        let llm = LlmSettings::from_env();
        let protection_config = ProtectionConfig::from_env().map_err(|e| ConfigError::Invalid {
            name: "PROTEGRITY_*",
            reason: e.to_string(),
        })?;
        let protection = Arc::new(ProtectionEngine::new(protection_config).map_err(|e| {
            ConfigError::Invalid {
                name: "PROTEGRITY_CUSTOM_PATTERNS",
                reason: e.to_string(),
            }
        })?);
        let keys =
            key_provider_from_env(dynamo.clone())
                .await
                .map_err(|e| ConfigError::Invalid {
                    name: "TOKENIZATION_KEY",
                    reason: e.to_string(),
                })?;
        let (classifier, guardrail) = crate::adapters::protegrity::remote_from_env()?;
        Ok(App {
            providers: llm.enabled_providers(),
            llm,
            workflow: Arc::new(SfnWorkflow::from_config(&aws)),
            store: dynamo,
            jwt: tokio::sync::OnceCell::new(),
            aws,
            protection,
            keys,
            classifier,
            guardrail,
            allow_unprotected: config::flag("ALLOW_UNPROTECTED_MODE", false)?,
            turn_deadline_seconds: config::number("TURN_DEADLINE_SECONDS", 360)?,
            inline_wait: inline_wait()?,
        })
    }
}

/// Longest inline wait: chat-send's Lambda timeout (29 s) minus the work before the wait, and
/// under API Gateway's 30 s integration limit.
pub const MAX_INLINE_WAIT_SECONDS: f64 = 25.0;

fn inline_wait() -> Result<std::time::Duration, ConfigError> {
    let seconds: f64 = config::number("CHAT_INLINE_WAIT_SECONDS", MAX_INLINE_WAIT_SECONDS)?;
    if !(0.0..=MAX_INLINE_WAIT_SECONDS).contains(&seconds) {
        return Err(ConfigError::Invalid {
            name: "CHAT_INLINE_WAIT_SECONDS",
            reason: format!("must be between 0 and {MAX_INLINE_WAIT_SECONDS}"),
        });
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}
