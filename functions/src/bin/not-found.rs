//! Catch-all route: any path that matches no route answers our JSON 404 (the local router's own
//! 404 page would list the function names).
use pai_core::api::{self, ApiError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    api::serve(|_req| async { Err(ApiError::not_found()) }).await
}
