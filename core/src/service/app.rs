//! The dependencies every function builds once per cold start.
use crate::adapters::dynamo::DynamoStore;
use crate::config::{self, ConfigError};
use crate::domain::catalog::Provider;
use crate::ports::Store;
use crate::service::auth::JwtKeys;
use std::sync::Arc;

pub struct App {
    pub store: Arc<dyn Store>,
    pub jwt: JwtKeys,
    /// Providers whose models are offered (from `ENABLED_LLM_PROVIDERS` or auto-detection).
    pub providers: Vec<Provider>,
    pub aws: aws_config::SdkConfig,
}

impl App {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::aws().await;
        let store = Arc::new(DynamoStore::from_config(&aws)?);
        let jwt = JwtKeys::from_env(&aws).await?;
        let providers = crate::service::catalog::enabled_providers_from_env();
        Ok(App {
            store,
            jwt,
            providers,
            aws,
        })
    }
}
