//! Keys and secrets held in memory.
use crate::domain::sensitive::Sensitive;
use crate::ports::{KeyError, SecretSource, WrappedKeyStore};
use async_trait::async_trait;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// Wrapped tenant keys in process memory (tests, single-process tools).
#[derive(Debug, Default)]
pub struct MemoryWrappedKeyStore {
    keys: Mutex<HashMap<String, Vec<u8>>>,
}

#[async_trait]
impl WrappedKeyStore for MemoryWrappedKeyStore {
    async fn get(&self, tenant: &str) -> Result<Option<Vec<u8>>, KeyError> {
        Ok(self.keys.lock().await.get(tenant).cloned())
    }
    async fn put_if_absent(&self, tenant: &str, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyError> {
        Ok(self
            .keys
            .lock()
            .await
            .entry(tenant.to_owned())
            .or_insert(wrapped)
            .clone())
    }
}

/// A JWT secret given up front.
pub struct FixedSecret(Sensitive<String>);

impl FixedSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        FixedSecret(Sensitive::new(secret.into()))
    }
}

#[async_trait]
impl SecretSource for FixedSecret {
    async fn jwt_secret(&self) -> Result<Sensitive<String>, KeyError> {
        Ok(self.0.clone())
    }
}
