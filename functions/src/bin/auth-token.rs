//! `POST /api/auth/token/` → `{"refresh","access"}`.
use lambda_http::http::StatusCode;
use pai_core::api::{self, body::JsonObject};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::auth;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let mut body = JsonObject::parse(&req)?;
        let username = body.required_text("username").unwrap_or_default();
        let password = body.required_text("password").unwrap_or_default();
        body.finish()?;
        let tokens = auth::login(app, &username, &password).await?;
        Ok(api::json(StatusCode::OK, &tokens))
    })
    .await
}
