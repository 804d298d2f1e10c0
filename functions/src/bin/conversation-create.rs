//! `POST /api/conversations/` `{"title"?, "model_id"}` → 201 detail.
use lambda_http::http::StatusCode;
use pai_core::api::{self, body::JsonObject};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::conversations;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let mut body = JsonObject::parse(&req)?;
        let title = body.optional_str("title");
        let model_id = body.required_text("model_id").unwrap_or_default();
        body.finish()?;
        let detail = conversations::create(app, &user, title, &model_id).await?;
        Ok(api::json(StatusCode::CREATED, &detail))
    })
    .await
}
