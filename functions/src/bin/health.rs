//! `GET /api/health/` (no auth).
use lambda_http::http::StatusCode;
use pai_core::api;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    api::serve(|_req| async { Ok(api::json(StatusCode::OK, &json!({ "status": "ok" }))) }).await
}
