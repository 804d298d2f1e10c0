//! `OPTIONS` on every path of the local router: the CORS preflight answer of the allow-list
//! (in AWS the HTTP API's CORS configuration answers preflights with the same list).
use pai_core::api::{self, cors::Cors};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let cors = &Cors::from_env();
    api::serve(|req| async move { Ok(cors.preflight(req.headers())) }).await
}
