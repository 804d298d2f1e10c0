//! `GET /api/conversations/?page=&page_size=`: the caller's conversations, newest first.
use lambda_http::http::StatusCode;
use pai_core::api::{self, pagination};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::conversations;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    api::serve(|req| async move {
        let user = api::authenticate(app, req.headers()).await?;
        let page = pagination::parse(
            api::query_param(&req, "page").as_deref(),
            api::query_param(&req, "page_size").as_deref(),
        )?;
        let link = |n| pagination::page_url(&req, n);
        let result = conversations::list(app, &user, page, link).await?;
        Ok(api::json(StatusCode::OK, &result))
    })
    .await
}
