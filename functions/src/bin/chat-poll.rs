//! `GET /api/chat/poll/{conversation_id}/`: the state of the conversation's latest reply.
use lambda_http::http::StatusCode;
use pai_core::api;
use pai_core::bootstrap::{self, Needs};
use pai_core::service::chat;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let id = api::path_param(&req, "id");
        let state = chat::poll(app, &user, &id).await?;
        Ok(api::json(StatusCode::OK, &state))
    })
    .await
}
