//! `POST /api/auth/token/refresh/` → `{"access"}`.
use lambda_http::http::StatusCode;
use pai_core::api::{self, body::JsonObject};
use pai_core::service::{auth, App};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &App::from_env().await?;
    api::serve(|req| async move {
        let mut body = JsonObject::parse(&req)?;
        let refresh = body.required_text("refresh").unwrap_or_default();
        body.finish()?;
        let access = auth::refresh(app, &refresh).await?;
        Ok(api::json(StatusCode::OK, &access))
    })
    .await
}
