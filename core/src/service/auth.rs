//! Authentication: argon2id passwords, HS256 JWT access/refresh tokens, hashed API keys.
use crate::domain::time;
use crate::domain::user::{ApiKeyRecord, User};
use crate::ports::KeyError;
use crate::service::{App, ServiceError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const ACCESS_TTL_SECONDS: i64 = 60 * 60;
pub const REFRESH_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

// ---------------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------------

/// The password could not be hashed (argon2 refused its input or parameters).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct PasswordHashError(argon2::password_hash::Error);

pub fn hash_password(password: &str) -> Result<String, PasswordHashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PasswordHashError)
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verified against when the username is unknown, so both failures take the same time.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not-a-real-password").unwrap_or_default());

// ---------------------------------------------------------------------------------------------
// JWT
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: TokenType,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// A string, as the original's tokens carried it.
    pub user_id: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Keys from a secret of at least 32 characters.
    pub fn checked(secret: &str) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::Config(
                "JWT_SECRET must be at least 32 characters".into(),
            ));
        }
        Ok(Self::new(secret.as_bytes()))
    }

    pub fn issue(&self, user_id: i64, token_type: TokenType) -> Result<String, ServiceError> {
        let now = time::now().timestamp();
        let ttl = match token_type {
            TokenType::Access => ACCESS_TTL_SECONDS,
            TokenType::Refresh => REFRESH_TTL_SECONDS,
        };
        let claims = Claims {
            token_type,
            exp: now + ttl,
            iat: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            user_id: user_id.to_string(),
        };
        jsonwebtoken::encode(&Header::default(), &claims, &self.encoding)
            .map_err(|e| ServiceError::Unavailable(format!("cannot sign token: {e}")))
    }

    /// Decode and verify signature and expiry.
    pub fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
}

fn token_not_valid(detail: &'static str) -> ServiceError {
    ServiceError::token_not_valid(detail)
}

/// What a caller presented: a JWT access token or an API key. Debug never shows the secret.
#[derive(PartialEq, Eq)]
pub enum Credentials {
    Bearer(String),
    ApiKey(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            Credentials::ApiKey(_) => f.write_str("ApiKey([REDACTED])"),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub refresh: String,
    pub access: String,
}

#[derive(Debug, Serialize)]
pub struct AccessToken {
    pub access: String,
}

/// `POST /api/auth/token/`.
pub async fn login(app: &App, username: &str, password: &str) -> Result<TokenPair, ServiceError> {
    let wrong =
        || ServiceError::unauthenticated("No active account found with the given credentials");
    let stored = app.store.find_user(username).await?;
    let Some(stored) = stored else {
        verify_password(&DUMMY_HASH, password);
        return Err(wrong());
    };
    if !verify_password(&stored.password_hash, password) || !stored.user.is_active {
        return Err(wrong());
    }
    Ok(TokenPair {
        refresh: app.jwt().await?.issue(stored.user.id, TokenType::Refresh)?,
        access: app.jwt().await?.issue(stored.user.id, TokenType::Access)?,
    })
}

/// `POST /api/auth/token/refresh/`.
pub async fn refresh(app: &App, refresh_token: &str) -> Result<AccessToken, ServiceError> {
    let claims = app
        .jwt()
        .await?
        .decode(refresh_token)
        .map_err(|e| match e {
            TokenError::Expired => token_not_valid("Token is expired"),
            TokenError::Invalid => token_not_valid("Token is invalid"),
        })?;
    if claims.token_type != TokenType::Refresh {
        return Err(token_not_valid("Token has wrong type"));
    }
    let user = active_user(app, &claims.user_id).await?;
    Ok(AccessToken {
        access: app.jwt().await?.issue(user.id, TokenType::Access)?,
    })
}

async fn active_user(app: &App, user_id: &str) -> Result<User, ServiceError> {
    let id: i64 = user_id.parse().map_err(|_| ServiceError::invalid_token())?;
    match app.store.get_user(id).await? {
        Some(stored) if stored.user.is_active => Ok(stored.user),
        _ => Err(ServiceError::invalid_token()),
    }
}

/// The caller of a protected route, from a Bearer access token or an API key.
pub async fn authenticate(
    app: &App,
    credentials: Option<Credentials>,
) -> Result<User, ServiceError> {
    match credentials {
        None => Err(ServiceError::NotAuthenticated),
        Some(Credentials::Bearer(token)) => {
            let claims = app
                .jwt()
                .await?
                .decode(&token)
                .map_err(|_| ServiceError::invalid_token())?;
            if claims.token_type != TokenType::Access {
                return Err(ServiceError::invalid_token());
            }
            active_user(app, &claims.user_id).await
        }
        Some(Credentials::ApiKey(key)) => authenticate_api_key(app, &key).await,
    }
}

// ---------------------------------------------------------------------------------------------
// API keys: `pai_<prefix>_<secret>`; the prefix finds the record, the SHA-256 of the whole key
// is compared. Keys carry 256 random bits, so a fast hash is enough (no dictionary to guess).
// ---------------------------------------------------------------------------------------------

const API_KEY_SCHEME: &str = "pai";

fn invalid_api_key() -> ServiceError {
    ServiceError::unauthenticated("Invalid API key.")
}

pub fn api_key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn api_key_prefix(key: &str) -> Option<&str> {
    let mut parts = key.splitn(3, '_');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(API_KEY_SCHEME), Some(prefix), Some(secret))
            if !prefix.is_empty() && !secret.is_empty() =>
        {
            Some(prefix)
        }
        _ => None,
    }
}

/// A new key for `user_id`: returns the key (shown once) and the record to store.
pub fn new_api_key(user_id: i64, name: &str, expires_days: Option<i64>) -> (String, ApiKeyRecord) {
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut prefix);
    rand::thread_rng().fill_bytes(&mut secret);
    let prefix = hex(&prefix);
    let key = format!(
        "{API_KEY_SCHEME}_{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    let created_at = time::now();
    let record = ApiKeyRecord {
        prefix,
        key_hash: api_key_hash(&key),
        user_id,
        name: name.to_owned(),
        created_at,
        expires_at: expires_days.map(|d| created_at + chrono::Duration::days(d)),
    };
    (key, record)
}

async fn authenticate_api_key(app: &App, key: &str) -> Result<User, ServiceError> {
    let prefix = api_key_prefix(key).ok_or_else(invalid_api_key)?;
    let record = app
        .store
        .get_api_key(prefix)
        .await?
        .ok_or_else(invalid_api_key)?;
    let presented = api_key_hash(key);
    if !constant_time_eq(presented.as_bytes(), record.key_hash.as_bytes()) {
        return Err(invalid_api_key());
    }
    if record.expires_at.is_some_and(|at| at <= time::now()) {
        return Err(ServiceError::unauthenticated("API key has expired."));
    }
    match app.store.get_user(record.user_id).await? {
        Some(stored) if stored.user.is_active => Ok(stored.user),
        _ => Err(invalid_api_key()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("s3cret!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "s3cret!"));
        assert!(!verify_password(&h, "wrong"));
        assert!(!verify_password("garbage", "s3cret!"));
    }

    #[test]
    fn jwt_types_and_expiry() {
        let keys = JwtKeys::new(&[7u8; 32]);
        let access = keys.issue(42, TokenType::Access).unwrap();
        let claims = keys.decode(&access).unwrap();
        assert_eq!(claims.user_id, "42");
        assert_eq!(claims.token_type, TokenType::Access);
        assert_eq!(claims.exp - claims.iat, ACCESS_TTL_SECONDS);
        let other = JwtKeys::new(&[8u8; 32]);
        assert_eq!(other.decode(&access).unwrap_err(), TokenError::Invalid);
        let expired = jsonwebtoken::encode(
            &Header::default(),
            &Claims {
                token_type: TokenType::Refresh,
                exp: time::now().timestamp() - 10,
                iat: 0,
                jti: "x".into(),
                user_id: "1".into(),
            },
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .unwrap();
        assert_eq!(keys.decode(&expired).unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn api_keys() {
        let (key, record) = new_api_key(5, "ci", Some(30));
        assert_eq!(api_key_prefix(&key), Some(record.prefix.as_str()));
        assert_eq!(record.key_hash, api_key_hash(&key));
        assert_ne!(record.key_hash, key);
        assert!(record.expires_at.is_some());
        assert_eq!(api_key_prefix("nope"), None);
        assert_eq!(api_key_prefix("pai__x"), None);
    }
}
