//! Key material: tenant keys for tokenization and encryption, and where wrapped keys are kept.
use crate::domain::sensitive::Sensitive;
use crate::domain::tenant::TenantKey;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key provider unavailable: {0}")]
    Unavailable(String),
    #[error("key configuration invalid: {0}")]
    Config(String),
}

/// Supplies the tokenization / encryption key of a tenant: an env key locally, a KMS data key
/// (cached) in AWS.
#[async_trait]
pub trait KeyProvider: Send + Sync {
    async fn tenant_key(&self, tenant: &str) -> Result<TenantKey, KeyError>;
}

/// Where wrapped (KMS-encrypted) tenant data keys are kept, e.g. a DynamoDB item per tenant.
#[async_trait]
pub trait WrappedKeyStore: Send + Sync {
    async fn get(&self, tenant: &str) -> Result<Option<Vec<u8>>, KeyError>;
    /// Stores `wrapped` unless a key is already stored; returns the stored one (so concurrent
    /// first uses agree on one key). Must be a conditional write.
    async fn put_if_absent(&self, tenant: &str, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyError>;
}

/// The JWT signing secret: `JWT_SECRET` locally, a Secrets Manager secret in AWS. Read on first
/// use, so functions that never sign or check a token never read it (nor need the permission).
#[async_trait]
pub trait SecretSource: Send + Sync {
    async fn jwt_secret(&self) -> Result<Sensitive<String>, KeyError>;
}
