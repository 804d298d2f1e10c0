//! Tenants: every user is a tenant with key material of its own, so one user's tokens and
//! ciphertexts mean nothing under another user's key.

/// The tenant name of a user.
pub fn tenant_of(user_id: i64) -> String {
    format!("user-{user_id}")
}

/// 32 bytes of key material for one tenant. Debug is redacted.
#[derive(Clone)]
pub struct TenantKey(pub [u8; 32]);

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantKey([REDACTED])")
    }
}
