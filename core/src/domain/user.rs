//! Users and API keys.
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: Timestamp,
}

impl User {
    pub fn is_protegrity(&self) -> bool {
        self.role == Role::Protegrity
    }
}

/// A user as the store keeps it: the profile plus the password hash (argon2id PHC string).
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredUser {
    #[serde(flatten)]
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUser")
            .field("user", &self.user)
            .field("password_hash", &"[REDACTED]")
            .finish()
    }
}

/// What creating a user needs; the store assigns the id.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// An API key as stored: only a hash of the secret part is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// Public, unique lookup part of the key.
    pub prefix: String,
    /// Hex SHA-256 of the whole key.
    pub key_hash: String,
    pub user_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// Why a username was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Username must be 1 to 150 characters.")]
    Length,
    #[error("Username may contain only letters, digits and @/./+/-/_ characters.")]
    Characters,
}

/// Usernames: 1–150 characters of letters, digits and `@.+-_` (the original's rule).
pub fn validate_username(username: &str) -> Result<(), UsernameError> {
    let len = username.chars().count();
    if len == 0 || len > 150 {
        return Err(UsernameError::Length);
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
    {
        return Err(UsernameError::Characters);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert!(validate_username("jane.doe+test@x").is_ok());
        assert_eq!(validate_username(""), Err(UsernameError::Length));
        assert_eq!(
            validate_username("has space"),
            Err(UsernameError::Characters)
        );
        assert_eq!(
            validate_username(&"a".repeat(151)),
            Err(UsernameError::Length)
        );
    }
}
