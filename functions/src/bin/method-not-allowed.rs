//! Every method a listed path does not have: 405 `{"detail":"Method \"<M>\" not allowed."}`.
use pai_core::api::{self, ApiError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    api::serve(|req| {
        let method = req.method().clone();
        async move { Err(ApiError::method_not_allowed(&method)) }
    })
    .await
}
