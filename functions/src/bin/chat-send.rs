//! `POST /api/chat/`: check and protect the prompt inline, then start the chat-turn workflow.
use lambda_http::http::StatusCode;
use pai_core::api::{self, body::JsonObject};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::chat::{self, ChatRequest};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs {
        protection: true,
        workflow: true,
    })
    .await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let mut body = JsonObject::parse(&req)?;
        let request = ChatRequest {
            message: body.optional_str("message").map(Into::into),
            conversation_id: body.optional_str("conversation_id"),
            model_id: body.optional_str("model_id"),
            agent_id: body.optional_str("agent_id"),
            protegrity_mode: body.optional_str("protegrity_mode"),
        };
        body.finish()?;
        let response = chat::send(app, &user, request).await?;
        Ok(api::json(StatusCode::OK, &response))
    })
    .await
}
