//! The error envelope. App errors: `{"error":{"code","message"}}`; auth/framework errors:
//! `{"detail"[,"code"]}`; field validation: `{"<field>":["<message>"]}`.
use crate::service::ServiceError;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// `{"detail": ..., "code"?: ...}`; 401 adds `WWW-Authenticate`.
    Detail {
        status: StatusCode,
        detail: String,
        code: Option<&'static str>,
    },
    /// `{"error":{"code","message"}}`.
    App {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// 400 `{"<field>":["<message>", ...]}`.
    Fields(BTreeMap<String, Vec<String>>),
    /// 503 `service_unavailable`; the reason is logged, not shown.
    Unavailable(String),
}

impl ApiError {
    pub fn detail(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError::Detail {
            status,
            detail: detail.into(),
            code: None,
        }
    }

    pub fn app(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::App {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert(field.to_owned(), vec![message.into()]);
        ApiError::Fields(map)
    }

    pub fn not_authenticated() -> Self {
        Self::detail(
            StatusCode::UNAUTHORIZED,
            "Authentication credentials were not provided.",
        )
    }

    pub fn invalid_token() -> Self {
        ApiError::Detail {
            status: StatusCode::UNAUTHORIZED,
            detail: "Given token not valid for any token type".into(),
            code: Some("token_not_valid"),
        }
    }

    pub fn not_found() -> Self {
        Self::detail(StatusCode::NOT_FOUND, "Not found.")
    }

    pub fn conversation_not_found() -> Self {
        Self::app(
            StatusCode::NOT_FOUND,
            "conversation_not_found",
            "Conversation not found",
        )
    }

    pub fn method_not_allowed(method: &Method) -> Self {
        Self::detail(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Method \"{method}\" not allowed."),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Detail { status, .. } | ApiError::App { status, .. } => *status,
            ApiError::Fields(_) => StatusCode::BAD_REQUEST,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::Detail { detail, code, .. } => match code {
                Some(code) => json!({ "detail": detail, "code": code }),
                None => json!({ "detail": detail }),
            },
            ApiError::App { code, message, .. } => {
                json!({ "error": { "code": code, "message": message } })
            }
            ApiError::Fields(fields) => json!(fields),
            ApiError::Unavailable(_) => json!({ "error": {
                "code": "service_unavailable",
                "message": "The service is temporarily unavailable. Please try again.",
            }}),
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        let mut response = super::response::json(status, &self.body());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                lambda_http::http::HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }

    /// Log what happened without any request content.
    pub fn log(&self, request_id: Option<&str>, method: &Method) {
        let status = self.status().as_u16();
        match self {
            ApiError::Unavailable(reason) => {
                tracing::error!(request_id, %method, status, reason = %reason, "dependency failure")
            }
            _ => tracing::info!(request_id, %method, status, "request rejected"),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotAuthenticated => ApiError::not_authenticated(),
            ServiceError::Unauthenticated { detail, code } => ApiError::Detail {
                status: StatusCode::UNAUTHORIZED,
                detail: detail.into(),
                code,
            },
            ServiceError::NotFound(detail) => ApiError::detail(StatusCode::NOT_FOUND, detail),
            ServiceError::ConversationNotFound => ApiError::conversation_not_found(),
            ServiceError::Invalid { code, message } => {
                ApiError::app(StatusCode::BAD_REQUEST, code, message)
            }
            ServiceError::Fields(fields) => ApiError::Fields(fields),
            ServiceError::Forbidden { code, message } => {
                ApiError::app(StatusCode::FORBIDDEN, code, message)
            }
            ServiceError::Conflict { code, message } => {
                ApiError::app(StatusCode::CONFLICT, code, message)
            }
            ServiceError::Unavailable(reason) => ApiError::Unavailable(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            ApiError::invalid_token().body(),
            json!({"detail": "Given token not valid for any token type", "code": "token_not_valid"})
        );
        assert_eq!(
            ApiError::conversation_not_found().body()["error"]["code"],
            "conversation_not_found"
        );
        assert_eq!(
            ApiError::field("title", "This field may not be blank.").body(),
            json!({"title": ["This field may not be blank."]})
        );
        assert_eq!(
            ApiError::method_not_allowed(&Method::PUT).body(),
            json!({"detail": "Method \"PUT\" not allowed."})
        );
        let r = ApiError::not_authenticated().into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"api\"");
        let unavailable = ApiError::from(ServiceError::from(
            crate::ports::StoreError::Unavailable("down".into()),
        ));
        assert_eq!(unavailable.status(), 503);
        assert!(!unavailable.body().to_string().contains("down"));
    }

    #[test]
    fn service_errors_get_their_statuses_and_texts() {
        let cases = [
            (ServiceError::NotAuthenticated, 401),
            (ServiceError::invalid_token(), 401),
            (ServiceError::NotFound("Invalid page."), 404),
            (ServiceError::ConversationNotFound, 404),
            (ServiceError::invalid("invalid_mode", "m"), 400),
            (ServiceError::field("title", "m"), 400),
            (ServiceError::forbidden("forbidden_model", "m"), 403),
            (
                ServiceError::Conflict {
                    code: "turn_in_progress",
                    message: "m".into(),
                },
                409,
            ),
            (ServiceError::Unavailable("secret reason".into()), 503),
        ];
        for (error, status) in cases {
            let api = ApiError::from(error);
            assert_eq!(api.status(), status, "{api:?}");
            assert!(!api.body().to_string().contains("secret reason"));
        }
        assert_eq!(
            ApiError::from(ServiceError::invalid_token()).body(),
            ApiError::invalid_token().body()
        );
        assert_eq!(
            ApiError::from(ServiceError::NotFound("Invalid page.")).body(),
            json!({"detail": "Invalid page."})
        );
    }
}
