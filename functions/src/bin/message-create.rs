//! `POST /api/conversations/{id}/messages/` `{"role","content","protegrity_data"?,"pending"?,"blocked"?}`.
use lambda_http::http::StatusCode;
use pai_core::api::{self, body::JsonObject};
use pai_core::bootstrap::{self, Needs};
use pai_core::domain::conversation::MessageRole;
use pai_core::service::conversations;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::PROTECTION).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let id = api::path_param(&req, "id");
        let mut body = JsonObject::parse(&req)?;
        let role = body.required_text("role");
        let role = role.as_deref().map(|r| (r, MessageRole::parse(r)));
        if let Some((raw, None)) = role {
            body.reject("role", format!("\"{raw}\" is not a valid choice."));
        }
        let content = body.required_text("content").unwrap_or_default();
        let blocked = body.optional_bool("blocked").unwrap_or(false);
        body.optional_bool("pending");
        body.optional_object("protegrity_data");
        body.finish()?;
        let role = role.and_then(|(_, r)| r).unwrap_or(MessageRole::User);
        let view =
            conversations::create_message(app, &user, &id, role, content.into(), blocked).await?;
        Ok(api::json(StatusCode::CREATED, &view))
    })
    .await
}
