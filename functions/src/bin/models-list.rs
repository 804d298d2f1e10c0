//! `GET /api/models/`: the catalog entries the caller's role may use.
use lambda_http::http::StatusCode;
use pai_core::api;
use pai_core::bootstrap::{self, Needs};
use pai_core::service::catalog;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let list = catalog::list_models(app, &user).await?;
        Ok(api::json(StatusCode::OK, &list))
    })
    .await
}
