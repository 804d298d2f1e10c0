//! LLM providers behind the [`LlmProvider`](crate::ports::LlmProvider) port.
//!
//! - [`openai::OpenAiCompatible`]: OpenAI chat completions at any base URL (OpenAI, vLLM, Ollama, …)
//!   and Azure OpenAI deployments.
//! - [`anthropic::Anthropic`]: Anthropic Messages API.
//! - [`bedrock::Bedrock`]: Amazon Bedrock Converse through the AWS SDK.
//! - [`echo::Echo`]: the offline default; quotes the sanitized prompt it received.
//!
//! [`settings::LlmSettings`] reads the environment, decides which providers are enabled and builds
//! each provider once.
//!
//! Errors are classified the same way everywhere: 429 → `Throttled`, 5xx / connection failure /
//! timeout → `Unavailable`, other 4xx → `Rejected`, undecodable answers → `Malformed`. Error texts
//! carry the status and the provider's own error type and message, never request content.
pub mod anthropic;
pub mod bedrock;
pub mod echo;
pub mod openai;
pub mod settings;

pub use anthropic::Anthropic;
pub use bedrock::Bedrock;
pub use echo::Echo;
pub use openai::OpenAiCompatible;
pub use settings::LlmSettings;

use crate::ports::LlmError;
use reqwest::StatusCode;
use serde_json::Value;

/// Longest provider error message kept in an [`LlmError`].
const MAX_ERROR_DETAIL: usize = 200;

/// Maps a non-success HTTP status to the error class the state machine acts on.
fn status_error(status: StatusCode, body: &[u8]) -> LlmError {
    let summary = provider_error_summary(body);
    let detail = format!("HTTP {}{summary}", status.as_u16());
    // OpenAI answers 429 `insufficient_quota` when billing is exhausted: retrying cannot help.
    if status == StatusCode::TOO_MANY_REQUESTS && summary.contains("insufficient_quota") {
        LlmError::Rejected(detail)
    } else if status == StatusCode::TOO_MANY_REQUESTS {
        LlmError::Throttled
    } else if status.is_server_error() {
        LlmError::Unavailable(detail)
    } else {
        LlmError::Rejected(detail)
    }
}

/// The provider's error type and message from an error body (`{"error":{"type","code","message"}}`
/// for OpenAI and Anthropic, `{"message"}` elsewhere), shortened. The raw body is never used: it
/// could quote the request.
fn provider_error_summary(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return String::new();
    };
    let error = value.get("error").unwrap_or(&value);
    let kind = ["type", "code"]
        .iter()
        .find_map(|key| error.get(key).and_then(scalar_text))
        .unwrap_or_default();
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .map(|m| shorten(m, MAX_ERROR_DETAIL))
        .unwrap_or_default();
    match (kind.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" {kind}"),
        (true, false) => format!(": {message}"),
        (false, false) => format!(" {kind}: {message}"),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(shorten(s, 60)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max_chars).collect();
        cut.push('…');
        cut
    }
}

/// Maps a transport failure (no HTTP status) to an error class.
fn transport_error(error: reqwest::Error) -> LlmError {
    // reqwest's Display includes the URL but never the body.
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    LlmError::Unavailable(format!("{what}: {}", error.without_url()))
}

/// Sends a prepared request and returns the body of a 2xx answer, or the classified error.
async fn send_json(request: reqwest::RequestBuilder) -> Result<Vec<u8>, LlmError> {
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    let body = response.bytes().await.map_err(transport_error)?;
    if status.is_success() {
        Ok(body.to_vec())
    } else {
        Err(status_error(status, &body))
    }
}

/// Decodes a success body; a body that does not match the provider's schema is `Malformed`.
fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, LlmError> {
    // serde_json's error names the position and expectation, not the input text.
    serde_json::from_slice(body).map_err(|e| LlmError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_classes_the_state_machine_matches() {
        let body = br#"{"error":{"type":"invalid_request_error","message":"bad model"}}"#;
        assert!(matches!(
            status_error(StatusCode::TOO_MANY_REQUESTS, body),
            LlmError::Throttled
        ));
        assert!(matches!(
            status_error(StatusCode::BAD_GATEWAY, b""),
            LlmError::Unavailable(_)
        ));
        match status_error(StatusCode::BAD_REQUEST, body) {
            LlmError::Rejected(detail) => {
                assert_eq!(detail, "HTTP 400 invalid_request_error: bad model")
            }
            other => panic!("unexpected {other:?}"),
        }
        let quota = br#"{"error":{"type":"insufficient_quota","message":"check your plan"}}"#;
        assert!(matches!(
            status_error(StatusCode::TOO_MANY_REQUESTS, quota),
            LlmError::Rejected(_)
        ));
        // Anthropic's overloaded status is a 5xx: retried like any outage.
        assert!(matches!(
            status_error(StatusCode::from_u16(529).unwrap(), b""),
            LlmError::Unavailable(_)
        ));
    }

    #[test]
    fn non_json_error_bodies_are_not_quoted() {
        match status_error(StatusCode::UNAUTHORIZED, b"secret prompt text") {
            LlmError::Rejected(detail) => assert_eq!(detail, "HTTP 401"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn long_provider_messages_are_shortened() {
        let long = "x".repeat(1000);
        let body = serde_json::json!({"message": long}).to_string();
        let summary = provider_error_summary(body.as_bytes());
        assert!(summary.chars().count() < MAX_ERROR_DETAIL + 10, "{summary}");
    }
}
