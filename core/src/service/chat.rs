//! `POST /api/chat/` and `GET /api/chat/poll/{id}/`: the inline half of a chat turn. The
//! prompt is checked and rewritten here (a blocked prompt answers at once); the model call and
//! everything after it run in the chat-turn state machine.
use crate::domain::catalog::{check_model, Catalog, ModelChoiceError};
use crate::domain::conversation::{auto_title, Conversation, Message, MessageRole};
use crate::domain::protection_report::{
    OutputProcessing, ProtectionRecord, ProtegrityData, ToolResult,
};
use crate::domain::role::Role;
use crate::domain::sensitive::Sensitive;
use crate::domain::time;
use crate::domain::user::User;
use crate::ports::{Direction, StoreError, WorkflowError};
use crate::protection::history_guard::HISTORY_WINDOW_PROMPTS;
use crate::protection::Mode;
use crate::service::protect::{remote_scan, save_new_tokens, token_context};
use crate::service::turn::{self, TurnRef};
use crate::service::{App, ServiceError};
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;

pub const MAX_MESSAGE_CHARS: usize = 100_000;
pub const BLOCKED_REPLY: &str =
    "Your message was blocked due to policy violations. Please rephrase and try again.";
/// The agent a new conversation gets when the request names none.
pub const DEFAULT_AGENT: &str = "general-assistant";

/// The fields of a chat request (already type-checked by the handler).
#[derive(Debug, Default)]
pub struct ChatRequest {
    pub message: Option<Sensitive<String>>,
    pub conversation_id: Option<String>,
    pub model_id: Option<String>,
    pub agent_id: Option<String>,
    pub protegrity_mode: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ChatResponse {
    pub conversation_id: Uuid,
    pub status: &'static str,
    /// The prompt, then the reply (or the reply's place while pending, or the blocked notice).
    pub messages: [ChatEntry; 2],
    pub tool_results: Vec<ToolResult>,
    pub protegrity_data: ProtegrityData,
}

/// One entry of `ChatResponse.messages`, shaped as API.md shows each kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ChatEntry {
    /// `{"role":"user","content"}`.
    Prompt { role: MessageRole, content: String },
    /// `{"role":"assistant","content":"","pending":true}`.
    Pending {
        role: MessageRole,
        content: &'static str,
        pending: bool,
    },
    /// `{"role":"assistant","content","agent","llm","blocked"?}`: agent and llm are always
    /// present (null when unknown), `blocked:true` only on a filtered reply.
    Reply {
        role: MessageRole,
        content: String,
        agent: Option<String>,
        llm: Option<String>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        blocked: bool,
    },
    /// `{"role":"system","content","blocked":true}`: the notice of a blocked prompt.
    Notice {
        role: MessageRole,
        content: &'static str,
        blocked: bool,
    },
}

impl ChatEntry {
    fn prompt(text: &str) -> Self {
        ChatEntry::Prompt {
            role: MessageRole::User,
            content: text.to_owned(),
        }
    }

    fn pending() -> Self {
        ChatEntry::Pending {
            role: MessageRole::Assistant,
            content: "",
            pending: true,
        }
    }

    fn blocked_notice() -> Self {
        ChatEntry::Notice {
            role: MessageRole::System,
            content: BLOCKED_REPLY,
            blocked: true,
        }
    }
}

fn bad(code: &'static str, message: &str) -> ServiceError {
    ServiceError::invalid(code, message)
}

fn forbidden(code: &'static str, message: &str) -> ServiceError {
    ServiceError::forbidden(code, message)
}

fn turn_in_progress() -> ServiceError {
    ServiceError::Conflict {
        code: "turn_in_progress",
        message: "A reply is still being generated in this conversation. Please wait for it."
            .into(),
    }
}

fn choose_model(
    catalog: &Catalog,
    app: &App,
    role: Role,
    id: &str,
) -> Result<String, ServiceError> {
    match check_model(catalog, id, role, &app.providers) {
        Ok(m) => Ok(m.id.clone()),
        Err(ModelChoiceError::Forbidden) => Err(crate::service::conversations::forbidden_model()),
        Err(ModelChoiceError::Invalid { .. }) => {
            Err(bad("invalid_model", &format!("Invalid model_id: {id}")))
        }
    }
}

fn choose_agent(catalog: &Catalog, role: Role, id: &str) -> Result<String, ServiceError> {
    match catalog.agent(id) {
        Some(a) if a.is_active && role.allows(a.min_role) => Ok(a.id.clone()),
        Some(a) if a.is_active => Err(forbidden(
            "forbidden_agent",
            "You are not allowed to use this agent.",
        )),
        _ => Err(bad("invalid_agent", &format!("Invalid agent_id: {id}"))),
    }
}

/// Model and agent of a new conversation: as requested, else the agent's default model, else
/// the first model the user may use.
fn new_conversation_choice(
    app: &App,
    catalog: &Catalog,
    user: &User,
    req: &ChatRequest,
) -> Result<(String, Option<String>), ServiceError> {
    let agent = match &req.agent_id {
        Some(id) => Some(choose_agent(catalog, user.role, id)?),
        None => choose_agent(catalog, user.role, DEFAULT_AGENT).ok(),
    };
    let model = match &req.model_id {
        Some(id) => choose_model(catalog, app, user.role, id)?,
        None => {
            let agent_default = agent
                .as_deref()
                .and_then(|a| catalog.agent(a))
                .and_then(|a| a.default_llm.clone())
                .filter(|m| check_model(catalog, m, user.role, &app.providers).is_ok());
            match agent_default.or_else(|| {
                catalog
                    .models_for(user.role, &app.providers)
                    .first()
                    .map(|m| m.id.clone())
            }) {
                Some(m) => m,
                None => {
                    return Err(bad(
                        "no_available_llm",
                        "No LLM providers are available for your account. Please contact an administrator.",
                    ))
                }
            }
        }
    };
    Ok((model, agent))
}

/// An existing conversation of the caller that `conversation_id` names, if any.
async fn existing_conversation(
    app: &App,
    user: &User,
    id: Option<&str>,
) -> Result<Option<Conversation>, ServiceError> {
    let Some(id) = id.and_then(|s| Uuid::parse_str(s.trim()).ok()) else {
        return Ok(None);
    };
    Ok(app
        .store
        .get_conversation(id)
        .await?
        .filter(|c| c.visible_to(user.id)))
}

/// `POST /api/chat/`.
pub async fn send(app: &App, user: &User, req: ChatRequest) -> Result<ChatResponse, ServiceError> {
    let message = req
        .message
        .clone()
        .filter(|m| !m.expose().trim().is_empty())
        .ok_or_else(|| bad("message_required", "Message is required"))?;
    if message.expose().chars().count() > MAX_MESSAGE_CHARS {
        return Err(bad(
            "message_too_long",
            "Message is longer than 100000 characters.",
        ));
    }
    let mode = match req.protegrity_mode.as_deref() {
        None => Mode::Redact,
        Some(m) => m.parse::<Mode>().map_err(|_| {
            bad(
                "invalid_mode",
                "protegrity_mode must be one of redact, protect, none.",
            )
        })?,
    };
    if mode == Mode::None && !app.allow_unprotected {
        return Err(forbidden(
            "mode_not_allowed",
            "Unprotected mode is disabled on this deployment.",
        ));
    }

    let catalog = app.store.load_catalog().await?;
    let existing = existing_conversation(app, user, req.conversation_id.as_deref()).await?;
    let is_new = existing.is_none();
    let before = existing
        .as_ref()
        .map(|c| (c.model_id.clone(), c.primary_agent.clone()));
    let mut conversation = match existing {
        Some(mut c) => {
            if c.pending_turn.is_some() {
                return Err(turn_in_progress());
            }
            let requested = req.model_id.clone().unwrap_or_else(|| c.model_id.clone());
            c.model_id = choose_model(&catalog, app, user.role, &requested)?;
            c.primary_llm = Some(c.model_id.clone());
            if let Some(agent) = &req.agent_id {
                c.primary_agent = Some(choose_agent(&catalog, user.role, agent)?);
            } else if let Some(agent) = c.primary_agent.clone() {
                choose_agent(&catalog, user.role, &agent)?;
            }
            c
        }
        None => {
            let (model, agent) = new_conversation_choice(app, &catalog, user, &req)?;
            Conversation::new(user.id, String::new(), model, agent)
        }
    };

    let changed_choice = before.is_some_and(|(model, agent)| {
        model != conversation.model_id || agent != conversation.primary_agent
    });
    let mut tokens = token_context(app, user.id, conversation.id, is_new).await?;
    let engine = app.protection()?;
    let remote = remote_scan(app, engine, message.expose(), Direction::Input).await;
    let mut input = engine.process_input(message.expose(), mode, &mut tokens, &remote);
    if !is_new && !input.should_block {
        let earlier = recent_prompts(app, conversation.id).await?;
        let earlier: Vec<&str> = earlier.iter().map(|p| p.expose().as_str()).collect();
        engine.judge_with_history(&mut input, &earlier);
    }
    let sanitized = input.processed_text().map(str::to_owned);

    let mut user_message = Message::new(conversation.id, MessageRole::User, message.clone());
    user_message.sanitized = sanitized.clone().map(Sensitive::new);
    user_message.blocked = input.should_block;

    if is_new {
        conversation.title = auto_title(sanitized.as_deref().unwrap_or(""));
        app.store.create_conversation(&conversation).await?;
    } else if changed_choice {
        // Appending the messages below bumps `updated_at`; only a new model or agent needs
        // its own write.
        conversation.updated_at = time::now();
        match app.store.update_conversation(&conversation).await {
            Err(StoreError::Conflict(_)) => return Err(ServiceError::ConversationNotFound),
            other => other?,
        }
    }
    let should_block = input.should_block;
    let protegrity_data = ProtegrityData {
        input_processing: Some(input.clone()),
        output_processing: None,
    };
    user_message.protegrity_data = Some(ProtectionRecord::input(input));

    if should_block {
        let mut notice = Message::new(
            conversation.id,
            MessageRole::System,
            Sensitive::from(BLOCKED_REPLY),
        );
        notice.blocked = true;
        app.store
            .append_messages(&conversation, &[user_message, notice], None)
            .await?;
        return Ok(ChatResponse {
            conversation_id: conversation.id,
            status: "blocked",
            messages: [
                ChatEntry::prompt(message.expose()),
                ChatEntry::blocked_notice(),
            ],
            tool_results: Vec::new(),
            protegrity_data,
        });
    }

    save_new_tokens(app, conversation.id, &tokens).await?;
    let mut pending = Message::new(
        conversation.id,
        MessageRole::Assistant,
        Sensitive::default(),
    );
    pending.pending = true;
    pending.agent = conversation.primary_agent.clone();
    pending.llm_provider = Some(conversation.model_id.clone());
    let turn = TurnRef {
        conversation_id: conversation.id,
        message_id: pending.id,
        user_id: user.id,
        model_id: conversation.model_id.clone(),
        agent_id: conversation.primary_agent.clone(),
        mode,
    };
    match app
        .store
        .append_messages(
            &conversation,
            &[user_message, pending],
            Some(turn.message_id),
        )
        .await
    {
        Err(StoreError::Conflict(_)) => return Err(turn_in_progress()),
        other => other?,
    }

    let mut response = ChatResponse {
        conversation_id: conversation.id,
        status: "pending",
        messages: [ChatEntry::prompt(message.expose()), ChatEntry::pending()],
        tool_results: Vec::new(),
        protegrity_data,
    };
    match app
        .workflow
        .start_chat_turn(&turn.message_id.to_string(), &turn::execution_input(&turn))
        .await
    {
        Ok(()) | Err(WorkflowError::AlreadyStarted) => {
            if let Some(reply) = wait_for_reply(app, &turn).await {
                response.complete(FinishedReply::of(&catalog, &reply));
            }
        }
        Err(e) => {
            // No execution will ever finish this turn: fail it now, visibly.
            tracing::error!(error = %e, "cannot start the chat turn");
            let text = turn::fail_turn(app, &turn, turn::FailureKind::NotStarted).await?;
            response.complete(FinishedReply {
                response: text.to_owned(),
                tool_results: Vec::new(),
                output_processing: None,
                agent: turn::agent_name(&catalog, turn.agent_id.as_deref()),
                llm: turn::model_name(&catalog, Some(&turn.model_id)),
                blocked: false,
            });
        }
    }
    Ok(response)
}

/// The pause before the next read of a reply that is still being generated, by how long the
/// wait has lasted: short at first, where a quick model's reply lands (a turn with an instant
/// model takes ~100 ms), longer later so a slow model costs few reads.
fn wait_step(waited: Duration) -> Duration {
    let ms = match waited.as_millis() {
        0..=1_000 => 10,
        1_001..=5_000 => 50,
        _ => 250,
    };
    Duration::from_millis(ms)
}

/// Waits up to `CHAT_INLINE_WAIT_SECONDS` for the state machine to record the turn's reply
/// (the console renders only inline answers, see API.md): the state machine does the work,
/// this only reads its result. `None`: still pending, the client polls. A store failure while
/// waiting also answers `pending`, since the turn itself is already under way.
async fn wait_for_reply(app: &App, turn: &TurnRef) -> Option<Message> {
    if app.inline_wait.is_zero() {
        return None;
    }
    let started = Instant::now();
    let deadline = started + app.inline_wait;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        tokio::time::sleep(wait_step(now - started).min(deadline - now)).await;
        match app
            .store
            .get_message(turn.conversation_id, turn.message_id)
            .await
        {
            Ok(Some(reply)) if !reply.pending => return Some(reply),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the reply while waiting; answering pending");
                return None;
            }
        }
    }
}

/// A recorded reply as chat-send and poll report it.
struct FinishedReply {
    response: String,
    tool_results: Vec<ToolResult>,
    output_processing: Option<OutputProcessing>,
    agent: Option<String>,
    llm: Option<String>,
    blocked: bool,
}

impl FinishedReply {
    fn of(catalog: &Catalog, reply: &Message) -> Self {
        FinishedReply {
            response: reply.content.expose().clone(),
            tool_results: reply.tool_results.clone().unwrap_or_default(),
            output_processing: reply
                .protegrity_data
                .as_ref()
                .and_then(|d| d.output_processing.clone()),
            agent: turn::agent_name(catalog, reply.agent.as_deref()),
            llm: turn::model_name(catalog, reply.llm_provider.as_deref()),
            blocked: reply.blocked,
        }
    }
}

impl ChatResponse {
    /// The synchronous answer: the reply in `messages[1]`, both protection halves.
    fn complete(&mut self, reply: FinishedReply) {
        self.status = "completed";
        self.messages[1] = ChatEntry::Reply {
            role: MessageRole::Assistant,
            content: reply.response,
            agent: reply.agent,
            llm: reply.llm,
            blocked: reply.blocked,
        };
        self.tool_results = reply.tool_results;
        self.protegrity_data.output_processing = reply.output_processing;
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PollResponse {
    Pending {
        status: &'static str,
    },
    Completed {
        status: &'static str,
        response: String,
        tool_results: Vec<ToolResult>,
        protegrity_output: Option<Box<OutputProcessing>>,
        agent: Option<String>,
        llm: Option<String>,
    },
}

/// The user's last prompts that reached the model (sanitized), oldest first, for judging a new
/// prompt together with them (`protection::history_guard`).
async fn recent_prompts(
    app: &App,
    conversation_id: Uuid,
) -> Result<Vec<Sensitive<String>>, ServiceError> {
    // Each prompt is followed by a reply, a notice or a tool round: twice the window (plus a
    // little) holds the window's prompts.
    let limit = (2 * HISTORY_WINDOW_PROMPTS + 2) as i32;
    let latest = app.store.latest_messages(conversation_id, limit).await?;
    let mut prompts: Vec<Sensitive<String>> = latest
        .into_iter()
        .filter(|m| m.role == MessageRole::User && !m.blocked)
        .filter_map(|m| m.sanitized)
        .take(HISTORY_WINDOW_PROMPTS)
        .collect();
    prompts.reverse();
    Ok(prompts)
}

/// `GET /api/chat/poll/{conversation_id}/`: the state of the latest reply.
pub async fn poll(app: &App, user: &User, id: &str) -> Result<PollResponse, ServiceError> {
    let conversation = crate::service::conversations::load_owned(app, user, id).await?;
    let latest = app.store.latest_messages(conversation.id, 10).await?;
    let mut reply = latest
        .into_iter()
        .find(|m| m.role == MessageRole::Assistant || (m.role == MessageRole::System && m.blocked))
        .ok_or(ServiceError::ConversationNotFound)?;
    if reply.pending {
        let age = time::now() - reply.created_at;
        if age.num_seconds() < app.turn_deadline_seconds {
            return Ok(PollResponse::Pending { status: "pending" });
        }
        let turn = TurnRef {
            conversation_id: conversation.id,
            message_id: reply.id,
            user_id: user.id,
            model_id: reply.llm_provider.clone().unwrap_or_default(),
            agent_id: reply.agent.clone(),
            mode: Mode::Redact,
        };
        turn::fail_turn(app, &turn, turn::FailureKind::Deadline).await?;
        reply = app
            .store
            .get_message(conversation.id, reply.id)
            .await?
            .ok_or(ServiceError::ConversationNotFound)?;
        if reply.pending {
            return Ok(PollResponse::Pending { status: "pending" });
        }
    }
    let catalog = app.store.load_catalog().await?;
    let finished = FinishedReply::of(&catalog, &reply);
    Ok(PollResponse::Completed {
        status: "completed",
        response: finished.response,
        tool_results: finished.tool_results,
        protegrity_output: finished.output_processing.map(Box::new),
        agent: finished.agent,
        llm: finished.llm,
    })
}

#[cfg(test)]
mod tests;
