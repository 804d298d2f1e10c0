//! What every HTTP function shares: the error envelope, JSON body parsing, credentials
//! extraction, pagination links, response headers and the serve loop.
pub mod body;
pub mod cors;
pub mod credentials;
pub mod error;
pub mod pagination;
pub mod response;

pub use error::ApiError;
pub use response::{json, no_content};

use lambda_http::{service_fn, Body, Request, RequestExt, Response};
use std::future::Future;

/// Set up JSON logs once per cold start. Never log message text, prompts or PII.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Run an HTTP function: every result, success or [`ApiError`], becomes a response with the
/// security headers, so no handler can forget them and no error escapes as a runtime 500.
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    let cors = &cors::Cors::from_env();
    lambda_http::run(service_fn(|req: Request| {
        let request_id = req.lambda_context_ref().map(|c| c.request_id.clone());
        let method = req.method().clone();
        let origin = cors.allowed_origin(req.headers());
        let fut = handler(req);
        async move {
            let result = fut.await;
            let mut response = match result {
                Ok(r) => r,
                Err(e) => {
                    e.log(request_id.as_deref(), &method);
                    e.into_response()
                }
            };
            // A preflight answer carries its own CORS headers (`Cors::preflight`).
            if method != lambda_http::http::Method::OPTIONS {
                cors.decorate(origin, &mut response);
            }
            Ok::<_, std::convert::Infallible>(response::with_headers(response))
        }
    }))
    .await
}

/// The caller of a protected route, from the request's `Authorization` / `X-API-Key` headers.
pub async fn authenticate(
    app: &crate::service::App,
    headers: &lambda_http::http::HeaderMap,
) -> Result<crate::domain::user::User, ApiError> {
    let credentials = credentials::from_headers(headers)?;
    Ok(crate::service::auth::authenticate(app, credentials).await?)
}

/// The `{id}` path parameter (empty when absent, which every caller treats as not found).
pub fn path_param(req: &Request, name: &str) -> String {
    req.path_parameters()
        .first(name)
        .map(str::to_owned)
        .unwrap_or_default()
}

/// A query-string parameter.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name).map(str::to_owned))
}
