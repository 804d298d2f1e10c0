//! A workflow starter that records the executions it was asked to start.
use super::Outage;
use crate::ports::{Workflow, WorkflowError};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Mutex;

/// Which state machine an execution belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateMachine {
    ChatTurn,
    ConversationPurge,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartedExecution {
    pub machine: StateMachine,
    pub name: String,
    pub input: Value,
}

/// Starts nothing: it keeps each execution (a name starts once, like Step Functions' idempotent
/// start) for the caller to inspect or to run the tasks itself.
#[derive(Debug, Default)]
pub struct MemoryWorkflow {
    started: Mutex<Vec<StartedExecution>>,
    outage: Outage,
}

impl MemoryWorkflow {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every execution started so far, oldest first.
    pub fn started(&self) -> Vec<StartedExecution> {
        self.lock().clone()
    }

    /// While down, every start answers `Unavailable`.
    pub fn set_unavailable(&self, down: bool) {
        self.outage.set(down);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<StartedExecution>> {
        // A poisoned lock only means a test thread panicked; the list is intact.
        self.started.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start(&self, machine: StateMachine, name: &str, input: &Value) -> Result<(), WorkflowError> {
        if self.outage.is_down() {
            return Err(WorkflowError::Unavailable("memory workflow is down".into()));
        }
        let mut started = self.lock();
        if started
            .iter()
            .any(|e| e.machine == machine && e.name == name)
        {
            return Err(WorkflowError::AlreadyStarted);
        }
        started.push(StartedExecution {
            machine,
            name: name.to_owned(),
            input: input.clone(),
        });
        Ok(())
    }
}

#[async_trait]
impl Workflow for MemoryWorkflow {
    async fn start_chat_turn(&self, name: &str, input: &Value) -> Result<(), WorkflowError> {
        self.start(StateMachine::ChatTurn, name, input)
    }

    async fn start_conversation_purge(
        &self,
        name: &str,
        input: &Value,
    ) -> Result<(), WorkflowError> {
        self.start(StateMachine::ConversationPurge, name, input)
    }
}
