//! `GET /api/me/`.
use lambda_http::http::StatusCode;
use pai_core::api;
use pai_core::bootstrap::{self, Needs};
use pai_core::service::views::MeView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        Ok(api::json(StatusCode::OK, &MeView::from(&user)))
    })
    .await
}
