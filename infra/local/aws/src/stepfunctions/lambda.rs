//! Task invocations through the Lambda Invoke API that `cargo lambda watch` serves:
//! `POST {base}/2015-03-31/functions/<name>/invocations`.

use super::interpreter::{BoxFuture, Invoker, StatesError};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Real Lambda's longest run; a Task's own TimeoutSeconds is enforced by the interpreter.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(900);
/// Task invocations in flight at once, over every execution: like an account's Lambda
/// concurrency. Without a cap, a burst of executions (a bulk delete starts one purge each) sends
/// hundreds of invokes to `cargo lambda watch` at once, which then spends its time starting
/// instances and times every task out; with it, the burst queues here and drains.
pub const MAX_INVOKES_IN_FLIGHT: usize = 16;
/// How much of a non-Lambda error body goes into the Cause.
const CAUSE_PREFIX_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

/// One shared keep-alive HTTP client for every Task of every execution.
#[derive(Clone)]
pub struct LambdaClient {
    base_url: String,
    http: reqwest::Client,
    in_flight: std::sync::Arc<tokio::sync::Semaphore>,
}

impl LambdaClient {
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(INVOKE_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()?;
        Ok(LambdaClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
            in_flight: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_INVOKES_IN_FLIGHT)),
        })
    }

    pub async fn call(&self, function: &str, payload: &Value) -> Result<Value, StatesError> {
        let name = bare_function_name(function);
        let url = format!("{}/2015-03-31/functions/{name}/invocations", self.base_url);
        let body = payload.to_string();
        // The semaphore is never closed, so acquiring only waits for a free slot.
        let _slot = self.in_flight.acquire().await.ok();
        let started = Instant::now();
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(
                    function = name,
                    status = "connection-error",
                    ms = started.elapsed().as_millis() as u64,
                    "invoke"
                );
                return Err(StatesError::new(
                    "Lambda.SdkClientException",
                    format!(
                        "Unable to reach the Lambda endpoint {}: {error}",
                        self.base_url
                    ),
                ));
            }
        };
        let status = response.status().as_u16();
        let bytes = response.bytes().await;
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(function = name, status, ms, "invoke");
        let bytes = bytes.map_err(|error| {
            StatesError::new(
                "Lambda.SdkClientException",
                format!("Reading the Lambda response failed: {error}"),
            )
        })?;
        interpret(status, &bytes)
    }
}

impl Invoker for LambdaClient {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: &'a Value,
    ) -> BoxFuture<'a, Result<Value, StatesError>> {
        Box::pin(self.call(function, payload))
    }
}

/// `arn:...:function:<name>[:<qualifier>]` or `<name>[:<qualifier>]` → `<name>`.
pub fn bare_function_name(function: &str) -> &str {
    let name = match function.split_once(":function:") {
        Some((_, rest)) => rest,
        None => function,
    };
    name.split(':').next().unwrap_or(name)
}

/// Maps an Invoke response to the task result or the error Step Functions would report.
pub fn interpret(status: u16, body: &[u8]) -> Result<Value, StatesError> {
    if status == 200 {
        if body.is_empty() {
            return Ok(Value::Null);
        }
        return serde_json::from_slice(body).map_err(|error| {
            StatesError::new(
                "States.Runtime",
                format!("The Lambda function returned a payload that is not JSON: {error}"),
            )
        });
    }
    let text = String::from_utf8_lossy(body);
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        if let Some(Value::String(error_type)) = object.get("errorType") {
            // As AWS does: Cause is the function's error object as a JSON string.
            return Err(StatesError::new(error_type.clone(), text.into_owned()));
        }
    }
    let prefix: String = text.chars().take(CAUSE_PREFIX_CHARS).collect();
    let error = if status == 404 {
        "Lambda.ResourceNotFoundException"
    } else {
        "Lambda.ServiceException"
    };
    Err(StatesError::new(error, format!("HTTP {status}: {prefix}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_names() {
        assert_eq!(
            bare_function_name("arn:aws:lambda:us-east-1:1:function:turn-record"),
            "turn-record"
        );
        assert_eq!(
            bare_function_name("arn:aws:lambda:us-east-1:1:function:turn-record:live"),
            "turn-record"
        );
        assert_eq!(bare_function_name("turn-record"), "turn-record");
    }

    #[test]
    fn success_is_the_body() {
        assert_eq!(interpret(200, br#"{"a":1}"#).unwrap(), json!({"a": 1}));
        assert_eq!(interpret(200, b"").unwrap(), Value::Null);
        assert_eq!(
            interpret(200, b"not json").unwrap_err().error,
            "States.Runtime"
        );
    }

    #[test]
    fn function_errors_are_named_after_error_type() {
        let body = br#"{"errorType":"ProviderThrottled","errorMessage":"slow down"}"#;
        let error = interpret(500, body).unwrap_err();
        assert_eq!(error.error, "ProviderThrottled");
        assert_eq!(
            error.cause.as_deref(),
            Some(std::str::from_utf8(body).unwrap())
        );
    }

    #[test]
    fn other_failures_are_service_exceptions() {
        let error = interpret(502, b"Bad gateway").unwrap_err();
        assert_eq!(error.error, "Lambda.ServiceException");
        assert_eq!(error.cause.as_deref(), Some("HTTP 502: Bad gateway"));
        let error = interpret(500, br#"{"message":"x"}"#).unwrap_err();
        assert_eq!(error.error, "Lambda.ServiceException");
        assert_eq!(
            interpret(404, b"").unwrap_err().error,
            "Lambda.ResourceNotFoundException"
        );
    }
}
