//! Conversation use cases. Every read and write checks ownership: a conversation that is not
//! the caller's, is deleted, or whose id is not a UUID reads as `conversation_not_found`.
use crate::domain::catalog::{check_model, Catalog, ModelChoiceError};
use crate::domain::conversation::{self, Conversation, Message, MessageRole};
use crate::domain::page::{last_page, PageRequest};
use crate::domain::protection_report::ProtectionRecord;
use crate::domain::sensitive::Sensitive;
use crate::domain::time;
use crate::domain::user::User;
use crate::ports::RemoteScan;
use crate::ports::{StoreError, WorkflowError};
use crate::protection::Mode;
use crate::service::protect::token_context;
use crate::service::views::MessageView;
use crate::service::views::{ConversationDetail, ConversationListPage, ConversationSummary};
use crate::service::{App, ServiceError};
use serde_json::json;
use uuid::Uuid;

/// Load a conversation the user may see, or 404 `conversation_not_found`.
pub async fn load_owned(app: &App, user: &User, id: &str) -> Result<Conversation, ServiceError> {
    let id = Uuid::parse_str(id).map_err(|_| ServiceError::ConversationNotFound)?;
    match app.store.get_conversation(id).await? {
        Some(c) if c.visible_to(user.id) => Ok(c),
        _ => Err(ServiceError::ConversationNotFound),
    }
}

/// The model the user may use for a conversation, or the documented 400/403.
pub fn usable_model(
    app: &App,
    catalog: &Catalog,
    user: &User,
    model_id: &str,
) -> Result<String, ServiceError> {
    match check_model(catalog, model_id, user.role, &app.providers) {
        Ok(model) => Ok(model.id.clone()),
        Err(ModelChoiceError::Forbidden) => Err(forbidden_model()),
        Err(ModelChoiceError::Invalid { available }) => Err(ServiceError::field(
            "model_id",
            format!(
                "Invalid model_id. Available models: {}",
                available.join(", ")
            ),
        )),
    }
}

pub fn forbidden_model() -> ServiceError {
    ServiceError::forbidden("forbidden_model", "You are not allowed to use this model.")
}

/// `GET /api/conversations/`: `page_url(n)` builds the absolute link of page `n`.
pub async fn list(
    app: &App,
    user: &User,
    page: PageRequest,
    page_url: impl Fn(u32) -> String,
) -> Result<ConversationListPage, ServiceError> {
    let result = app
        .store
        .list_conversations(user.id, page.page, page.page_size)
        .await?;
    if !page.is_in_range(result.total) {
        return Err(ServiceError::NotFound("Invalid page."));
    }
    let last = last_page(result.total, page.page_size);
    Ok(ConversationListPage {
        count: result.total,
        next: (page.page < last).then(|| page_url(page.page + 1)),
        previous: (page.page > 1).then(|| page_url(page.page - 1)),
        results: result.items.iter().map(ConversationSummary::from).collect(),
    })
}

/// `POST /api/conversations/`.
pub async fn create(
    app: &App,
    user: &User,
    title: Option<String>,
    model_id: &str,
) -> Result<ConversationDetail, ServiceError> {
    let title = match title {
        Some(t) => conversation::validate_title(&t)
            .map_err(|e| ServiceError::field("title", e.to_string()))?,
        None => conversation::DEFAULT_TITLE.to_owned(),
    };
    let catalog = app.store.load_catalog().await?;
    let model_id = usable_model(app, &catalog, user, model_id)?;
    let c = Conversation::new(user.id, title, model_id, None);
    app.store.create_conversation(&c).await?;
    Ok(ConversationDetail::new(&c, &[]))
}

/// `GET /api/conversations/{id}/`.
pub async fn get(app: &App, user: &User, id: &str) -> Result<ConversationDetail, ServiceError> {
    let c = load_owned(app, user, id).await?;
    let messages = app.store.list_messages(c.id).await?;
    Ok(ConversationDetail::new(&c, &messages))
}

/// `PATCH /api/conversations/{id}/`.
pub async fn update(
    app: &App,
    user: &User,
    id: &str,
    title: Option<String>,
    model_id: Option<String>,
) -> Result<ConversationDetail, ServiceError> {
    let mut c = load_owned(app, user, id).await?;
    if let Some(t) = title {
        c.title = conversation::validate_title(&t)
            .map_err(|e| ServiceError::field("title", e.to_string()))?;
    }
    if let Some(m) = model_id {
        let catalog = app.store.load_catalog().await?;
        c.model_id = usable_model(app, &catalog, user, &m)?;
        c.primary_llm = Some(c.model_id.clone());
    }
    c.updated_at = time::now();
    match app.store.update_conversation(&c).await {
        Err(StoreError::Conflict(_)) => return Err(ServiceError::ConversationNotFound),
        other => other?,
    }
    let messages = app.store.list_messages(c.id).await?;
    Ok(ConversationDetail::new(&c, &messages))
}

/// `DELETE /api/conversations/{id}/`: soft delete; messages go with it from every read.
pub async fn delete(app: &App, user: &User, id: &str) -> Result<(), ServiceError> {
    let c = load_owned(app, user, id).await?;
    match app.store.delete_conversation(&c, time::now()).await {
        Err(StoreError::Conflict(_)) => return Err(ServiceError::ConversationNotFound),
        other => other?,
    }
    // Hard deletion happens in the background: the purge workflow marks every item of the
    // conversation for TTL expiry after the retention period. The delete itself is complete
    // (nothing is readable any more), so a failed start is logged, not reported to the user.
    let name = format!("purge-{}", c.id);
    match app
        .workflow
        .start_conversation_purge(&name, &json!({ "conversation_id": c.id }))
        .await
    {
        Ok(()) | Err(WorkflowError::AlreadyStarted) => {}
        Err(e) => tracing::warn!(error = %e, conversation = %c.id, "purge not started"),
    }
    Ok(())
}

/// `POST /api/conversations/{id}/messages/`. The content passes the input pipeline (redact
/// mode) before it is stored: client-supplied `protegrity_data` is ignored, and the message
/// reaches a model only as its sanitized text. `pending` is never taken from a client: only
/// a running turn may own a pending message.
pub async fn create_message(
    app: &App,
    user: &User,
    id: &str,
    role: MessageRole,
    content: Sensitive<String>,
    blocked: bool,
) -> Result<MessageView, ServiceError> {
    if content.expose().chars().count() > crate::service::chat::MAX_MESSAGE_CHARS {
        return Err(ServiceError::field(
            "content",
            format!(
                "Ensure this field has no more than {} characters.",
                crate::service::chat::MAX_MESSAGE_CHARS
            ),
        ));
    }
    let c = load_owned(app, user, id).await?;
    let mut tokens = token_context(app, user.id, c.id, false).await?;
    let input = app.protection()?.process_input(
        content.expose(),
        Mode::Redact,
        &mut tokens,
        &RemoteScan::default(),
    );
    let mut message = Message::new(c.id, role, content);
    message.sanitized = input.processed_text().map(|t| Sensitive::new(t.to_owned()));
    message.blocked = blocked || input.should_block;
    if message.blocked {
        message.sanitized = None;
    }
    message.protegrity_data = Some(ProtectionRecord::input(input));
    match app
        .store
        .append_messages(&c, &[message.clone()], None)
        .await
    {
        Err(StoreError::Conflict(_)) => return Err(ServiceError::ConversationNotFound),
        other => other?,
    }
    Ok(MessageView::from(&message))
}

#[cfg(test)]
mod tests;
