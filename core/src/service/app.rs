//! What the use cases work with: the ports and settings of one function, put together by
//! [`App::builder`] from any set of adapters (the real ones in `bootstrap`, the memory ones in
//! tests). A port a function never uses is left out; reaching it anyway answers 503, never a
//! panic.
use crate::domain::catalog::Provider;
use crate::domain::sensitive::Sensitive;
use crate::ports::{
    Classifier, Guardrail, KeyError, KeyProvider, LlmError, LlmProvider, LlmProviders,
    SecretSource, Store, TenantKey, Workflow, WorkflowError,
};
use crate::protection::ProtectionEngine;
use crate::service::auth::JwtKeys;
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Longest inline wait: chat-send's Lambda timeout (29 s) minus the work before the wait, and
/// under API Gateway's 30 s integration limit.
pub const MAX_INLINE_WAIT_SECONDS: f64 = 25.0;
/// How long a turn may stay pending before poll fails it, when not set.
pub const DEFAULT_TURN_DEADLINE_SECONDS: i64 = 360;

pub struct App {
    pub store: Arc<dyn Store>,
    pub workflow: Arc<dyn Workflow>,
    pub keys: Arc<dyn KeyProvider>,
    pub llm: Arc<dyn LlmProviders>,
    /// Providers whose models are offered (from `ENABLED_LLM_PROVIDERS` or auto-detection).
    pub providers: Vec<Provider>,
    pub classifier: Option<Arc<dyn Classifier>>,
    pub guardrail: Option<Arc<dyn Guardrail>>,
    protection: Option<Arc<ProtectionEngine>>,
    secrets: Arc<dyn SecretSource>,
    /// Built on first use from `secrets`: workflow tasks never need it.
    jwt: tokio::sync::OnceCell<JwtKeys>,
    /// `ALLOW_UNPROTECTED_MODE`: whether `protegrity_mode: "none"` is accepted.
    pub allow_unprotected: bool,
    /// Seconds after which a still-pending turn is failed by poll (state machine timeout +
    /// margin).
    pub turn_deadline_seconds: i64,
    /// `CHAT_INLINE_WAIT_SECONDS`: how long chat-send waits for the reply before answering
    /// `pending` (0 = never wait).
    pub inline_wait: Duration,
}

/// A part this function was built without.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0} is not configured in this function")]
pub struct NotConfigured(pub &'static str);

impl App {
    /// An app over `store`; every other port starts absent and every setting at its default.
    pub fn builder(store: Arc<dyn Store>) -> AppBuilder {
        AppBuilder {
            app: App {
                store,
                workflow: Arc::new(Absent("the workflow")),
                keys: Arc::new(Absent("the key provider")),
                llm: Arc::new(Absent("the LLM providers")),
                providers: Vec::new(),
                classifier: None,
                guardrail: None,
                protection: None,
                secrets: Arc::new(Absent("the JWT secret")),
                jwt: tokio::sync::OnceCell::new(),
                allow_unprotected: false,
                turn_deadline_seconds: DEFAULT_TURN_DEADLINE_SECONDS,
                inline_wait: Duration::ZERO,
            },
        }
    }

    /// The protection engine, for the functions that scan text.
    pub fn protection(&self) -> Result<&ProtectionEngine, NotConfigured> {
        self.protection
            .as_deref()
            .ok_or(NotConfigured("the protection engine"))
    }

    /// The JWT signing keys, read from the secret source on first use.
    pub async fn jwt(&self) -> Result<&JwtKeys, KeyError> {
        self.jwt
            .get_or_try_init(|| async {
                let secret = self.secrets.jwt_secret().await?;
                JwtKeys::checked(secret.expose())
            })
            .await
    }
}

/// Sets the ports and settings of an [`App`].
pub struct AppBuilder {
    app: App,
}

impl AppBuilder {
    pub fn workflow(mut self, workflow: Arc<dyn Workflow>) -> Self {
        self.app.workflow = workflow;
        self
    }
    pub fn keys(mut self, keys: Arc<dyn KeyProvider>) -> Self {
        self.app.keys = keys;
        self
    }
    /// The provider clients and the providers whose models are offered.
    pub fn llm(mut self, llm: Arc<dyn LlmProviders>, providers: Vec<Provider>) -> Self {
        self.app.llm = llm;
        self.app.providers = providers;
        self
    }
    pub fn remote(
        mut self,
        classifier: Option<Arc<dyn Classifier>>,
        guardrail: Option<Arc<dyn Guardrail>>,
    ) -> Self {
        self.app.classifier = classifier;
        self.app.guardrail = guardrail;
        self
    }
    pub fn protection(mut self, engine: Arc<ProtectionEngine>) -> Self {
        self.app.protection = Some(engine);
        self
    }
    pub fn secrets(mut self, secrets: Arc<dyn SecretSource>) -> Self {
        self.app.secrets = secrets;
        self
    }
    pub fn allow_unprotected(mut self, allow: bool) -> Self {
        self.app.allow_unprotected = allow;
        self
    }
    pub fn turn_deadline_seconds(mut self, seconds: i64) -> Self {
        self.app.turn_deadline_seconds = seconds;
        self
    }
    pub fn inline_wait(mut self, wait: Duration) -> Self {
        self.app.inline_wait = wait;
        self
    }
    pub fn build(self) -> App {
        self.app
    }
}

/// Stands in for a port the function was built without.
struct Absent(&'static str);

#[async_trait]
impl Workflow for Absent {
    async fn start_chat_turn(&self, _: &str, _: &Value) -> Result<(), WorkflowError> {
        Err(WorkflowError::Unavailable(
            NotConfigured(self.0).to_string(),
        ))
    }
    async fn start_conversation_purge(&self, _: &str, _: &Value) -> Result<(), WorkflowError> {
        Err(WorkflowError::Unavailable(
            NotConfigured(self.0).to_string(),
        ))
    }
}

#[async_trait]
impl KeyProvider for Absent {
    async fn tenant_key(&self, _: &str) -> Result<TenantKey, KeyError> {
        Err(KeyError::Unavailable(NotConfigured(self.0).to_string()))
    }
}

#[async_trait]
impl SecretSource for Absent {
    async fn jwt_secret(&self) -> Result<Sensitive<String>, KeyError> {
        Err(KeyError::Unavailable(NotConfigured(self.0).to_string()))
    }
}

impl LlmProviders for Absent {
    fn provider_for(&self, _: Provider) -> Result<Arc<dyn LlmProvider>, LlmError> {
        Err(LlmError::NotConfigured(NotConfigured(self.0).to_string()))
    }
}
