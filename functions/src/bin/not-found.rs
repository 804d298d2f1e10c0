//! Catch-all route: any path that matches no route answers our JSON 404 (the local router's own
//! 404 page would list the function names).
use lambda_http::{http::StatusCode, run, service_fn, Body, Error, Request, Response};

async fn not_found(_request: Request) -> Result<Response<Body>, Error> {
    let body = serde_json::json!({ "detail": "Not found." });
    Ok(Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header("Content-Type", "application/json")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "same-origin")
        .body(Body::from(body.to_string()))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(not_found)).await
}
