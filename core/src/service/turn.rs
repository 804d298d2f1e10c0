//! The chat-turn state machine's tasks (infra/statemachines/chat-turn.asl.json): call the
//! model, run tools, scan the output, record the reply, record a failure. Tasks pass ids and
//! the sanitized model reply between them; each is idempotent (the final write is conditional
//! on the message still being pending), because Express workflows run at least once.
use crate::domain::catalog::{check_model, Catalog, Model, Provider};
use crate::domain::conversation::Message;
use crate::domain::protection_report::{OutputProcessing, ProtectionRecord, TurnFailure};
use crate::domain::role::Role;
use crate::domain::sensitive::Sensitive;
use crate::ports::{
    ChatMessage, ChatRole, CompletionRequest, Direction, LlmError, StoreError, ToolCall, ToolSpec,
    Usage,
};
use crate::protection::Mode;
use crate::service::app::NotConfigured;
use crate::service::protect::{remote_scan, token_context, ContextError};
use crate::service::tools::{self, ToolRound};
use crate::service::App;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

/// At most this many earlier messages are sent to the model as history.
pub const HISTORY_LIMIT: usize = 40;

/// What identifies a turn; the state machine carries it from task to task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnRef {
    pub conversation_id: Uuid,
    /// The pending assistant message this turn completes (also the execution name).
    pub message_id: Uuid,
    pub user_id: i64,
    pub model_id: String,
    pub agent_id: Option<String>,
    pub mode: Mode,
}

/// The execution input: the turn plus an empty tool round, so later states can always refer
/// to `$.tools`.
pub fn execution_input(turn: &TurnRef) -> Value {
    json!({ "turn": turn, "tools": ToolRound::default() })
}

/// Task errors; `error_type()` names are matched by the state machine's Retry/Catch.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Provider(#[from] LlmError),
    #[error("no more providers in the fallback chain")]
    NoMoreProviders,
    #[error("turn not found: {0}")]
    TurnNotFound(String),
    #[error("store unavailable: {0}")]
    Store(#[from] StoreError),
    #[error("protection context unavailable: {0}")]
    Context(#[from] ContextError),
    #[error(transparent)]
    NotConfigured(#[from] NotConfigured),
}

impl TaskError {
    pub fn error_type(&self) -> &'static str {
        match self {
            TaskError::Provider(e) => e.error_type(),
            TaskError::NoMoreProviders => "NoMoreProviders",
            TaskError::TurnNotFound(_) => "TurnNotFound",
            TaskError::Store(_) => "StoreUnavailable",
            TaskError::Context(_) | TaskError::NotConfigured(_) => "ProtectionUnavailable",
        }
    }
}

impl From<TaskError> for lambda_runtime::Diagnostic {
    fn from(e: TaskError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: e.error_type().to_owned(),
            error_message: e.to_string(),
        }
    }
}

pub fn agent_name(catalog: &Catalog, id: Option<&str>) -> Option<String> {
    id.and_then(|id| catalog.agent(id)).map(|a| a.name.clone())
}

pub fn model_name(catalog: &Catalog, id: Option<&str>) -> Option<String> {
    id.and_then(|id| catalog.model(id)).map(|m| m.name.clone())
}

/// The models to try, in order: the conversation's model, then the first usable model of
/// every other enabled provider (the offline echo model only when it was chosen).
pub fn fallback_chain(
    catalog: &Catalog,
    role: Role,
    enabled: &[Provider],
    model_id: &str,
) -> Vec<Model> {
    let usable = catalog.models_for(role, enabled);
    let mut chain: Vec<Model> = Vec::new();
    if let Ok(first) = check_model(catalog, model_id, role, enabled) {
        chain.push(first.clone());
    }
    for provider in enabled {
        if *provider == Provider::Echo || chain.iter().any(|m| m.provider == *provider) {
            continue;
        }
        if let Some(m) = usable.iter().find(|m| m.provider == *provider) {
            chain.push((*m).clone());
        }
    }
    chain
}

// ---------------------------------------------------------------------------------------------
// turn-call-model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct CallModelInput {
    pub turn: TurnRef,
    pub provider_index: usize,
    /// Present on the follow-up call after tools ran.
    #[serde(default)]
    pub tools: Option<ToolRound>,
}

/// The model's answer, still as the model wrote it (tokens and labels intact).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    pub text: Sensitive<String>,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    /// The catalog model that answered (may be a fallback).
    pub model_id: String,
    pub provider_index: usize,
}

struct TurnContext {
    catalog: Catalog,
    role: Role,
    messages: Vec<Message>,
}

async fn load_turn(app: &App, turn: &TurnRef) -> Result<TurnContext, TaskError> {
    let user = app
        .store
        .get_user(turn.user_id)
        .await?
        .ok_or_else(|| TaskError::TurnNotFound(format!("user {}", turn.user_id)))?;
    let catalog = app.store.load_catalog().await?;
    let messages = app.store.list_messages(turn.conversation_id).await?;
    Ok(TurnContext {
        catalog,
        role: user.user.role,
        messages,
    })
}

/// Earlier turns as the model may see them: their sanitized text only, never stored content.
/// Client-written `system` and `assistant` messages go as user turns: they never become a
/// system prompt or the model's own words.
pub fn history(messages: &[Message], before: Uuid) -> Vec<ChatMessage> {
    let mut out: Vec<ChatMessage> = messages
        .iter()
        .filter(|m| m.id < before && !m.pending)
        .filter_map(|m| {
            let text = m.sanitized.as_ref()?;
            let role = if m.is_model_reply() {
                ChatRole::Assistant
            } else {
                ChatRole::User
            };
            Some(ChatMessage::text(role, text.clone()))
        })
        .collect();
    if out.len() > HISTORY_LIMIT {
        out.drain(..out.len() - HISTORY_LIMIT);
    }
    out
}

pub async fn call_model(app: &App, input: CallModelInput) -> Result<Reply, TaskError> {
    let turn = &input.turn;
    let ctx = load_turn(app, turn).await?;
    let chain = fallback_chain(&ctx.catalog, ctx.role, &app.providers, &turn.model_id);
    let model = chain
        .get(input.provider_index)
        .ok_or(TaskError::NoMoreProviders)?;
    let provider = app.llm.provider_for(model.provider)?;
    let agent = turn.agent_id.as_deref().and_then(|a| ctx.catalog.agent(a));

    let mut messages = history(&ctx.messages, turn.message_id);
    let offered: Vec<ToolSpec> = if model.supports_tools && provider.supports_tools() {
        tools::offered(&ctx.catalog, agent, ctx.role)
    } else {
        Vec::new()
    };
    if let Some(round) = input.tools.as_ref().filter(|r| !r.calls.is_empty()) {
        messages.push(ChatMessage {
            role: ChatRole::Assistant,
            content: Sensitive::default(),
            tool_calls: round.calls.clone(),
            tool_call_id: None,
        });
        for m in &round.for_model {
            messages.push(ChatMessage {
                role: ChatRole::Tool,
                content: m.content.clone(),
                tool_calls: Vec::new(),
                tool_call_id: Some(m.call_id.clone()),
            });
        }
    }
    let request = CompletionRequest {
        model: model.provider_model.clone(),
        system_prompt: agent.map(|a| Sensitive::new(a.system_prompt.clone())),
        messages,
        tools: offered,
        temperature: agent.and_then(|a| a.temperature),
        max_tokens: Some(
            agent
                .and_then(|a| a.max_tokens)
                .unwrap_or(model.max_tokens)
                .min(model.max_tokens),
        ),
    };
    let completion = provider.complete(&request).await?;
    // One tool round only: a second request for tools is answered with the text so far.
    let tool_calls = if input.tools.as_ref().is_some_and(|r| !r.calls.is_empty()) {
        Vec::new()
    } else {
        completion.tool_calls
    };
    tracing::info!(
        model = %model.id,
        input_tokens = completion.usage.input_tokens,
        output_tokens = completion.usage.output_tokens,
        tool_calls = tool_calls.len(),
        "model answered"
    );
    Ok(Reply {
        text: completion.text,
        tool_calls,
        usage: completion.usage,
        model_id: model.id.clone(),
        provider_index: input.provider_index,
    })
}

// ---------------------------------------------------------------------------------------------
// turn-run-tools
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct RunToolsInput {
    pub turn: TurnRef,
    pub reply: Reply,
}

pub async fn run_tools(app: &App, input: RunToolsInput) -> Result<ToolRound, TaskError> {
    let ctx = load_turn(app, &input.turn).await?;
    let agent = input
        .turn
        .agent_id
        .as_deref()
        .and_then(|a| ctx.catalog.agent(a));
    let mut tokens =
        token_context(app, input.turn.user_id, input.turn.conversation_id, false).await?;
    let round = tools::run(
        app.protection()?,
        &ctx.catalog,
        agent,
        ctx.role,
        &input.reply.tool_calls,
        &mut tokens,
    );
    crate::service::protect::save_new_tokens(app, input.turn.conversation_id, &tokens).await?;
    Ok(round)
}

// ---------------------------------------------------------------------------------------------
// turn-scan-output
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ScanOutputInput {
    pub turn: TurnRef,
    pub reply: Reply,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScannedOutput {
    pub output_processing: OutputProcessing,
    pub should_filter: bool,
    /// Sent as history in later turns.
    pub sanitized: Sensitive<String>,
    /// What the owner sees (issued tokens restored).
    pub display: Sensitive<String>,
}

pub async fn scan_output(app: &App, input: ScanOutputInput) -> Result<ScannedOutput, TaskError> {
    let turn = &input.turn;
    let catalog = app.store.load_catalog().await?;
    let system_prompt = turn
        .agent_id
        .as_deref()
        .and_then(|a| catalog.agent(a))
        .map(|a| a.system_prompt.clone());
    let tokens = token_context(app, turn.user_id, turn.conversation_id, false).await?;
    let text = input.reply.text.expose();
    let engine = app.protection()?;
    let remote = remote_scan(app, engine, text, Direction::Output).await;
    let result = engine.process_output(text, &tokens, system_prompt.as_deref(), &remote);
    Ok(ScannedOutput {
        should_filter: result.processing.should_filter,
        output_processing: result.processing,
        sanitized: result.sanitized_text,
        display: result.display_text,
    })
}

// ---------------------------------------------------------------------------------------------
// turn-record / turn-fail
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct RecordInput {
    pub turn: TurnRef,
    pub reply: Reply,
    pub output: ScannedOutput,
    #[serde(default)]
    pub tools: ToolRound,
}

#[derive(Debug, Serialize)]
pub struct Recorded {
    /// False when the turn had already been completed (a repeated task).
    pub recorded: bool,
}

async fn pending_message(app: &App, turn: &TurnRef) -> Result<Message, TaskError> {
    app.store
        .get_message(turn.conversation_id, turn.message_id)
        .await?
        .ok_or_else(|| TaskError::TurnNotFound(turn.message_id.to_string()))
}

pub async fn record(app: &App, input: RecordInput) -> Result<Recorded, TaskError> {
    let mut message = pending_message(app, &input.turn).await?;
    if !message.pending {
        return Ok(Recorded { recorded: false });
    }
    let tool_results = input.tools.results;
    message.protegrity_data = Some(ProtectionRecord {
        output_processing: Some(input.output.output_processing),
        tool_results: (!tool_results.is_empty()).then(|| tool_results.clone()),
        ..ProtectionRecord::default()
    });
    message.content = input.output.display;
    message.sanitized = Some(input.output.sanitized);
    message.pending = false;
    message.blocked = input.output.should_filter;
    message.llm_provider = Some(input.reply.model_id);
    message.tool_results = Some(tool_results);
    message.usage = Some(input.reply.usage);
    let recorded = app.store.complete_turn(&message).await?;
    Ok(Recorded { recorded })
}

/// Why a turn failed, for the visible reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Every provider in the fallback chain failed.
    Providers,
    /// The workflow could not be started.
    NotStarted,
    /// Nothing finished the turn before the deadline.
    Deadline,
    /// Another task failed.
    Internal,
}

impl FailureKind {
    pub fn text(self) -> &'static str {
        match self {
            FailureKind::Providers => {
                "Sorry, the model could not answer right now. Please try again in a moment."
            }
            FailureKind::NotStarted => {
                "Sorry, your message could not be processed right now. Please try again."
            }
            FailureKind::Deadline => "Sorry, the model did not answer in time. Please try again.",
            FailureKind::Internal => {
                "Sorry, something went wrong while preparing the answer. Please try again."
            }
        }
    }

    /// From the `Error` name a Catch put in the state.
    pub fn from_error_name(name: &str) -> Self {
        if name.starts_with("Provider") || name == "NoMoreProviders" {
            FailureKind::Providers
        } else if name == "States.Timeout" {
            FailureKind::Deadline
        } else {
            FailureKind::Internal
        }
    }
}

/// Complete a pending turn with a visible error reply (never sent to a model as history).
/// Returns the text; writes nothing if the turn was already completed.
pub async fn fail_turn(
    app: &App,
    turn: &TurnRef,
    kind: FailureKind,
) -> Result<&'static str, StoreError> {
    let Some(mut message) = app
        .store
        .get_message(turn.conversation_id, turn.message_id)
        .await?
    else {
        return Ok(kind.text());
    };
    if !message.pending {
        return Ok(kind.text());
    }
    message.content = Sensitive::from(kind.text());
    message.sanitized = None;
    message.pending = false;
    message.tool_results = Some(Vec::new());
    message.protegrity_data = Some(ProtectionRecord {
        error: Some(TurnFailure {
            kind: format!("{kind:?}"),
        }),
        ..ProtectionRecord::default()
    });
    app.store.complete_turn(&message).await?;
    Ok(kind.text())
}

#[derive(Debug, Deserialize)]
pub struct FailInput {
    pub turn: TurnRef,
    /// What a Catch stored.
    #[serde(default)]
    pub error: Option<CaughtError>,
}

/// `{"Error","Cause"}` as a Step Functions Catch stores it.
#[derive(Debug, Deserialize)]
pub struct CaughtError {
    #[serde(rename = "Error", default)]
    pub name: String,
}

pub async fn fail(app: &App, input: FailInput) -> Result<Recorded, TaskError> {
    let name = input.error.as_ref().map_or("", |e| e.name.as_str());
    let kind = FailureKind::from_error_name(name);
    tracing::warn!(error = name, kind = ?kind, "turn failed");
    let before = pending_message(app, &input.turn).await.ok();
    fail_turn(app, &input.turn, kind).await?;
    Ok(Recorded {
        recorded: before.is_some_and(|m| m.pending),
    })
}

#[cfg(test)]
mod tests;
