//! `GET /api/conversations/{id}/`: detail with messages, oldest first.
use lambda_http::http::StatusCode;
use pai_core::api;
use pai_core::bootstrap::{self, Needs};
use pai_core::service::conversations;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let id = api::path_param(&req, "id");
        let detail = conversations::get(app, &user, &id).await?;
        Ok(api::json(StatusCode::OK, &detail))
    })
    .await
}
