//! Test support: a stand-in for `cargo lambda watch`'s Invoke API, and instant sleeps.
// Test support: a failed set-up step should fail the test at once, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use pai_local_aws::stepfunctions::interpreter::{BoxFuture, SleepKind, Sleeper};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `script(function, payload, nth call of that function)` → (HTTP status, body).
pub type Script = dyn Fn(&str, &Value, usize) -> (u16, String) + Send + Sync;

#[derive(Clone)]
struct Shared {
    script: Arc<Script>,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

pub struct FakeLambda {
    pub url: String,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeLambda {
    pub async fn start(
        script: impl Fn(&str, &Value, usize) -> (u16, String) + Send + Sync + 'static,
    ) -> FakeLambda {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            script: Arc::new(script),
            calls: calls.clone(),
        };
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeLambda { url, calls }
    }

    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn functions(&self) -> Vec<String> {
        self.calls().into_iter().map(|(f, _)| f).collect()
    }
}

async fn invoke(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    body: String,
) -> (StatusCode, String) {
    let payload: Value = serde_json::from_str(&body).unwrap();
    let nth = {
        let mut calls = shared.calls.lock().unwrap();
        let nth = calls.iter().filter(|(f, _)| *f == name).count();
        calls.push((name.clone(), payload.clone()));
        nth
    };
    let (status, body) = (shared.script)(&name, &payload, nth);
    (StatusCode::from_u16(status).unwrap(), body)
}

/// A function error as `cargo lambda watch` reports it.
pub fn lambda_error(error_type: &str) -> (u16, String) {
    (
        500,
        serde_json::json!({"errorType": error_type, "errorMessage": "test"}).to_string(),
    )
}

pub fn ok(value: Value) -> (u16, String) {
    (200, value.to_string())
}

/// Retry delays and Wait states return at once (recorded); timeouts never fire.
#[derive(Default)]
pub struct InstantSleeper {
    pub delays: Mutex<Vec<(Duration, SleepKind)>>,
}

impl InstantSleeper {
    pub fn retry_delays(&self) -> Vec<f64> {
        self.delays
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, kind)| *kind == SleepKind::Retry)
            .map(|(d, _)| d.as_secs_f64())
            .collect()
    }
}

impl Sleeper for InstantSleeper {
    fn sleep(&self, duration: Duration, kind: SleepKind) -> BoxFuture<'static, ()> {
        if kind == SleepKind::Timeout {
            return Box::pin(std::future::pending());
        }
        self.delays.lock().unwrap().push((duration, kind));
        Box::pin(async {})
    }
}

pub fn statemachines_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../statemachines")
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pai-local-aws-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
