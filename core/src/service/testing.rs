//! Test fixture of the use cases: an [`App`] over the memory adapters with the seed catalog,
//! the real protection engine and tenant keys, two scripted models and the offline echo model,
//! and a `run_turn` that executes a chat turn's tasks in the order of the chat-turn state
//! machine (infra/statemachines/chat-turn.asl.json).
use crate::adapters::keys::EnvKeyProvider;
use crate::adapters::llm::Echo;
use crate::adapters::memory::{
    FixedProviders, FixedSecret, MemoryStore, MemoryWorkflow, ScriptedModel, StateMachine,
};
use crate::domain::catalog::{seed_catalog, Provider};
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::ports::CatalogStore;
use crate::protection::{ProtectionConfig, ProtectionEngine};
use crate::service::admin::{self, UserSpec};
use crate::service::tools::ToolRound;
use crate::service::turn::{self, CallModelInput, FailInput, RecordInput, RunToolsInput};
use crate::service::turn::{ScanOutputInput, TaskError, TurnRef};
use crate::service::{App, ServiceError};
use serde_json::json;
use std::sync::Arc;

pub struct Fixture {
    pub app: App,
    pub store: Arc<MemoryStore>,
    pub workflow: Arc<MemoryWorkflow>,
    /// Answers for the OpenAI models.
    pub primary: Arc<ScriptedModel>,
    /// Answers for the Anthropic models (the fallback).
    pub fallback: Arc<ScriptedModel>,
}

pub const PRIMARY_TEXT: &str = "Primary model answer.";
pub const FALLBACK_TEXT: &str = "Fallback model answer.";
pub const PASSWORD: &str = "correct horse battery";

pub async fn fixture() -> Fixture {
    fixture_with(|b| b).await
}

/// The fixture with extra builder settings.
pub async fn fixture_with(
    configure: impl FnOnce(crate::service::app::AppBuilder) -> crate::service::app::AppBuilder,
) -> Fixture {
    let store = Arc::new(MemoryStore::new());
    store.save_catalog(&seed_catalog()).await.unwrap();
    let workflow = Arc::new(MemoryWorkflow::new());
    let primary = Arc::new(ScriptedModel::new(PRIMARY_TEXT));
    let fallback = Arc::new(ScriptedModel::new(FALLBACK_TEXT));
    let providers = FixedProviders::new()
        .with(Provider::Openai, primary.clone())
        .with(Provider::Anthropic, fallback.clone())
        .with(Provider::Echo, Arc::new(Echo));
    let engine = ProtectionEngine::new(ProtectionConfig::default()).unwrap();
    let builder = App::builder(store.clone())
        .workflow(workflow.clone())
        .keys(Arc::new(EnvKeyProvider::new([7; 32])))
        .llm(
            Arc::new(providers),
            vec![Provider::Openai, Provider::Anthropic, Provider::Echo],
        )
        .protection(Arc::new(engine))
        .secrets(Arc::new(FixedSecret::new(
            "a test secret of at least 32 characters",
        )));
    Fixture {
        app: configure(builder).build(),
        store,
        workflow,
        primary,
        fallback,
    }
}

impl Fixture {
    pub async fn user(&self, username: &str, role: Role) -> User {
        admin::add_user(
            self.store.as_ref(),
            UserSpec {
                username,
                password: PASSWORD,
                role,
                email: None,
                first_name: None,
                last_name: None,
            },
        )
        .await
        .unwrap()
    }

    /// The turn of the latest chat-turn execution started.
    pub fn last_turn(&self) -> TurnRef {
        let started = self.workflow.started();
        let execution = started
            .iter()
            .rev()
            .find(|e| e.machine == StateMachine::ChatTurn)
            .unwrap();
        serde_json::from_value(execution.input["turn"].clone()).unwrap()
    }

    /// Runs the tasks of the latest started turn as the state machine does: call the model
    /// (falling back along the chain on errors), run tools once and ask again, scan the output,
    /// record; any task error ends in `turn-fail`.
    pub async fn run_turn(&self) {
        run_turn(&self.app, self.last_turn()).await
    }
}

/// The chat-turn state machine's path through the tasks, on `app`.
pub async fn run_turn(app: &App, turn: TurnRef) {
    match turn_path(app, &turn).await {
        Ok(()) => {}
        Err(e) => {
            let error = json!({ "Error": e.error_type(), "Cause": e.to_string() });
            turn::fail(
                app,
                FailInput {
                    turn,
                    error: Some(serde_json::from_value(error).unwrap()),
                },
            )
            .await
            .unwrap();
        }
    }
}

async fn turn_path(app: &App, turn: &TurnRef) -> Result<(), TaskError> {
    // CallModel0..2: a provider error moves to the next position; NoMoreProviders or
    // TurnNotFound end the turn.
    let mut reply = None;
    let mut last_error = None;
    for provider_index in 0..3 {
        let input = CallModelInput {
            turn: turn.clone(),
            provider_index,
            tools: None,
        };
        match turn::call_model(app, input).await {
            Ok(r) => {
                reply = Some(r);
                break;
            }
            Err(e @ (TaskError::NoMoreProviders | TaskError::TurnNotFound(_))) => return Err(e),
            Err(e) => last_error = Some(e),
        }
    }
    let mut reply = match (reply, last_error) {
        (Some(r), _) => r,
        (None, Some(e)) => return Err(e),
        (None, None) => return Err(TaskError::NoMoreProviders),
    };
    let mut tools = ToolRound::default();
    if !reply.tool_calls.is_empty() {
        let round = turn::run_tools(
            app,
            RunToolsInput {
                turn: turn.clone(),
                reply: reply.clone(),
            },
        )
        .await?;
        reply = turn::call_model(
            app,
            CallModelInput {
                turn: turn.clone(),
                provider_index: reply.provider_index,
                tools: Some(round.clone()),
            },
        )
        .await?;
        tools = round;
    }
    let output = turn::scan_output(
        app,
        ScanOutputInput {
            turn: turn.clone(),
            reply: reply.clone(),
        },
    )
    .await?;
    let record = RecordInput {
        turn: turn.clone(),
        reply,
        output,
        tools,
    };
    turn::record(app, record).await?;
    Ok(())
}

/// The code an error answers with: its code, else its text, else the first field.
pub fn code(e: &ServiceError) -> String {
    match e {
        ServiceError::Invalid { code, .. }
        | ServiceError::Forbidden { code, .. }
        | ServiceError::Conflict { code, .. } => (*code).to_owned(),
        ServiceError::Unauthenticated { detail, .. } | ServiceError::NotFound(detail) => {
            (*detail).to_owned()
        }
        ServiceError::ConversationNotFound => "conversation_not_found".into(),
        ServiceError::NotAuthenticated => "not_authenticated".into(),
        ServiceError::Fields(fields) => fields.keys().next().cloned().unwrap_or_default(),
        ServiceError::Unavailable(_) => "service_unavailable".into(),
    }
}

/// The class of an error (what the API turns into a status).
pub fn kind(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::NotAuthenticated | ServiceError::Unauthenticated { .. } => "unauthenticated",
        ServiceError::NotFound(_) | ServiceError::ConversationNotFound => "not_found",
        ServiceError::Invalid { .. } | ServiceError::Fields(_) => "invalid",
        ServiceError::Forbidden { .. } => "forbidden",
        ServiceError::Conflict { .. } => "conflict",
        ServiceError::Unavailable(_) => "unavailable",
    }
}
