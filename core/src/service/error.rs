//! What a use case can refuse or fail with, in the domain's terms. The `api` layer maps each
//! variant to its HTTP status and the exact texts of API.md; workflow tasks have their own
//! typed errors (`turn::TaskError`, `retention::RetentionError`).
use crate::ports::{KeyError, StoreError};
use crate::service::app::NotConfigured;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// No credentials were presented.
    #[error("not authenticated")]
    NotAuthenticated,
    /// Credentials were presented and rejected; `detail` is the text shown, `code` the
    /// optional machine code (`token_not_valid`).
    #[error("credentials rejected: {detail}")]
    Unauthenticated {
        detail: &'static str,
        code: Option<&'static str>,
    },
    /// Nothing there (`detail` is the text shown, e.g. "Invalid page.").
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The conversation does not exist, is deleted or is not the caller's: all read the same.
    #[error("conversation not found")]
    ConversationNotFound,
    /// A request the use case refuses, with a stable code.
    #[error("invalid request: {code}")]
    Invalid { code: &'static str, message: String },
    /// Field-level validation errors: field → messages.
    #[error("invalid fields: {0:?}")]
    Fields(BTreeMap<String, Vec<String>>),
    /// The caller's role does not allow it.
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str, message: String },
    /// The state changed under the request, or a turn is still running.
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: String },
    /// A dependency failed; the reason is logged, never shown.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl ServiceError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        ServiceError::Fields(fields)
    }

    /// An access or refresh token that is not valid.
    pub fn invalid_token() -> Self {
        Self::token_not_valid("Given token not valid for any token type")
    }

    pub fn token_not_valid(detail: &'static str) -> Self {
        ServiceError::Unauthenticated {
            detail,
            code: Some("token_not_valid"),
        }
    }

    pub fn unauthenticated(detail: &'static str) -> Self {
        ServiceError::Unauthenticated { detail, code: None }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => ServiceError::Conflict {
                code: "conflict",
                message: "The resource was changed by another request. Please retry.".into(),
            },
            other => ServiceError::Unavailable(other.to_string()),
        }
    }
}

impl From<KeyError> for ServiceError {
    fn from(e: KeyError) -> Self {
        ServiceError::Unavailable(e.to_string())
    }
}

impl From<NotConfigured> for ServiceError {
    fn from(e: NotConfigured) -> Self {
        ServiceError::Unavailable(e.to_string())
    }
}
