//! `DELETE /api/conversations/{id}/` → 204 (soft delete).
use pai_core::api;
use pai_core::service::{auth, conversations, App};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &App::from_env().await?;
    api::serve(|req| async move {
        let user = auth::authenticate(app, req.headers()).await?;
        let id = api::path_param(&req, "id");
        conversations::delete(app, &user, &id).await?;
        Ok(api::no_content())
    })
    .await
}
