//! Every method a listed path does not have answers our JSON 405 (in AWS: the `ANY` route beside
//! the specific ones).
use lambda_http::{http::StatusCode, run, service_fn, Body, Error, Request, Response};

async fn method_not_allowed(request: Request) -> Result<Response<Body>, Error> {
    let detail = format!("Method \"{}\" not allowed.", request.method());
    let body = serde_json::json!({ "detail": detail });
    Ok(Response::builder()
        .status(StatusCode::METHOD_NOT_ALLOWED)
        .header("Content-Type", "application/json")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "same-origin")
        .body(Body::from(body.to_string()))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(method_not_allowed)).await
}
