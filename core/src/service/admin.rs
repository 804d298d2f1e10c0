//! Admin use cases behind `pai-admin`: users, roles, API keys, the catalog seed.
use crate::domain::catalog::seed_catalog;
use crate::domain::role::Role;
use crate::domain::user::{validate_username, NewUser, User, UsernameError};
use crate::ports::{Store, StoreError};
use crate::service::auth::{hash_password, new_api_key, PasswordHashError};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Username(#[from] UsernameError),
    #[error(transparent)]
    PasswordHash(#[from] PasswordHashError),
    #[error("user {0:?} not found")]
    NoSuchUser(String),
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The demo users `make dev` creates.
pub const DEMO_USERS: [(&str, &str, Role); 2] = [
    ("protegrity_demo", "ProtegrityDemo!2026", Role::Protegrity),
    ("standard_demo", "StandardDemo!2026", Role::Standard),
];

pub struct UserSpec<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub email: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

pub async fn add_user(store: &dyn Store, spec: UserSpec<'_>) -> Result<User, AdminError> {
    validate_username(spec.username)?;
    if spec.password.chars().count() < 8 {
        return Err(AdminError::Invalid(
            "password must be at least 8 characters".into(),
        ));
    }
    let password_hash = hash_password(spec.password)?;
    let new = NewUser {
        username: spec.username.to_owned(),
        email: spec.email.unwrap_or_default().to_owned(),
        first_name: spec.first_name.unwrap_or_default().to_owned(),
        last_name: spec.last_name.unwrap_or_default().to_owned(),
        role: spec.role,
        password_hash,
    };
    store.create_user(new).await.map_err(|e| match e {
        StoreError::Conflict(_) => AdminError::UserExists(spec.username.to_owned()),
        other => AdminError::Store(other),
    })
}

async fn find(store: &dyn Store, username: &str) -> Result<User, AdminError> {
    store
        .find_user(username)
        .await?
        .map(|s| s.user)
        .ok_or_else(|| AdminError::NoSuchUser(username.to_owned()))
}

pub async fn set_role(store: &dyn Store, username: &str, role: Role) -> Result<User, AdminError> {
    let mut user = find(store, username).await?;
    store.set_role(user.id, role).await?;
    user.role = role;
    Ok(user)
}

pub async fn list_users(store: &dyn Store) -> Result<Vec<User>, AdminError> {
    Ok(store.list_users().await?)
}

/// Returns the new key; only its hash is stored, so this is the one time it can be shown.
pub async fn create_api_key(
    store: &dyn Store,
    username: &str,
    name: &str,
    expires_days: Option<i64>,
) -> Result<String, AdminError> {
    if expires_days.is_some_and(|d| d < 0) {
        return Err(AdminError::Invalid(
            "--expires-days must be 0 or more".into(),
        ));
    }
    let user = find(store, username).await?;
    let (key, record) = new_api_key(user.id, name, expires_days);
    store.put_api_key(&record).await?;
    Ok(key)
}

/// Write the catalog; with `demo_users`, also create the demo users (skipping, and resetting
/// the password and role of, those that exist), so running it twice is harmless.
pub async fn seed(store: &dyn Store, demo_users: bool) -> Result<Vec<String>, AdminError> {
    let mut done = Vec::new();
    let catalog = seed_catalog();
    store.save_catalog(&catalog).await?;
    done.push(format!(
        "catalog: {} models, {} agents, {} tools",
        catalog.models.len(),
        catalog.agents.len(),
        catalog.tools.len()
    ));
    if demo_users {
        for (username, password, role) in DEMO_USERS {
            let spec = UserSpec {
                username,
                password,
                role,
                email: None,
                first_name: None,
                last_name: None,
            };
            match add_user(store, spec).await {
                Ok(u) => done.push(format!(
                    "user {} (id {}, {})",
                    u.username,
                    u.id,
                    role.as_str()
                )),
                Err(AdminError::UserExists(_)) => {
                    let user = find(store, username).await?;
                    let hash = hash_password(password)?;
                    store.set_password_hash(user.id, &hash).await?;
                    store.set_role(user.id, role).await?;
                    done.push(format!(
                        "user {username} already existed (password and role reset)"
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(done)
}
