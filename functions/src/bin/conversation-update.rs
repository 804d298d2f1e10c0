//! `PATCH /api/conversations/{id}/` `{"title"?, "model_id"?}` → 200 detail.
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
        let id = api::path_param(&req, "id");
        let mut body = JsonObject::parse(&req)?;
        let title = body.optional_text("title");
        let model_id = body.optional_text("model_id");
        body.finish()?;
        let detail = conversations::update(app, &user, &id, title, model_id).await?;
        Ok(api::json(StatusCode::OK, &detail))
    })
    .await
}
