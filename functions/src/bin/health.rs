//! `GET /api/health/` → `{"status":"ok"}` (no auth).
use lambda_http::{http::StatusCode, run, service_fn, Body, Error, Request, Response};

async fn health(_request: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "same-origin")
        .body(Body::from(r#"{"status":"ok"}"#))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(health)).await
}
