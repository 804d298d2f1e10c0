//! What the chat and turn use cases share around the protection engine: a conversation's
//! token context (tenant key + issued tokens) and the optional remote scans.
use crate::api::ApiError;
use crate::domain::sensitive::Sensitive;
use crate::ports::{Direction, RemoteScan};
use crate::protection::{IssuedTokens, TokenContext};
use crate::service::App;
use uuid::Uuid;

/// Tokens are derived per tenant; each user is a tenant, so one user's tokens mean nothing
/// under another user's key.
pub fn tenant_of(user_id: i64) -> String {
    format!("user-{user_id}")
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("key provider: {0}")]
    Keys(#[from] crate::ports::KeyError),
    #[error("store: {0}")]
    Store(#[from] crate::ports::StoreError),
}

impl From<ContextError> for ApiError {
    fn from(e: ContextError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

/// The token context of a conversation; `fresh` skips loading (a new conversation).
pub async fn token_context(
    app: &App,
    owner_id: i64,
    conversation_id: Uuid,
    fresh: bool,
) -> Result<TokenContext, ContextError> {
    let key = app.keys.tenant_key(&tenant_of(owner_id)).await?;
    let issued = if fresh {
        IssuedTokens::new()
    } else {
        app.store.load_tokens(conversation_id).await?
    };
    Ok(TokenContext::new(
        &conversation_id.to_string(),
        &key,
        issued,
    ))
}

/// Persist the tokens issued since the context was created.
pub async fn save_new_tokens(
    app: &App,
    conversation_id: Uuid,
    ctx: &TokenContext,
) -> Result<(), ContextError> {
    if !ctx.new_tokens().is_empty() {
        app.store
            .add_tokens(conversation_id, ctx.new_tokens())
            .await?;
    }
    Ok(())
}

/// Ask the configured remote Protegrity services (none by default) about `text`.
pub async fn remote_scan(app: &App, text: &str, direction: Direction) -> RemoteScan {
    if app.classifier.is_none() && app.guardrail.is_none() {
        return RemoteScan::default();
    }
    let threshold = match direction {
        Direction::Input => app.protection.config().input_classification_threshold,
        Direction::Output => app.protection.config().output_classification_threshold,
    };
    crate::adapters::protegrity::gather_remote_scan(
        app.classifier.as_deref(),
        app.guardrail.as_deref(),
        &Sensitive::new(text.to_owned()),
        direction,
        threshold,
    )
    .await
}
