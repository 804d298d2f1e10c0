//! `DELETE /api/conversations/{id}/` → 204 (soft delete).
use pai_core::api;
use pai_core::bootstrap::{self, Needs};
use pai_core::service::conversations;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs {
        protection: false,
        workflow: true,
    })
    .await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let id = api::path_param(&req, "id");
        conversations::delete(app, &user, &id).await?;
        Ok(api::no_content())
    })
    .await
}
