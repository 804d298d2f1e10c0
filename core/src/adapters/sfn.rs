//! Step Functions: starts chat-turn and conversation-purge executions.
use crate::config;
use crate::ports::{Workflow, WorkflowError};
use async_trait::async_trait;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::Client;
use serde_json::Value;

pub struct SfnWorkflow {
    client: Client,
    chat_turn_arn: Option<String>,
    purge_arn: Option<String>,
}

impl SfnWorkflow {
    /// ARNs from `CHAT_TURN_STATE_MACHINE_ARN` and `CONVERSATION_PURGE_STATE_MACHINE_ARN`;
    /// a function that does not start one of them may leave it unset.
    pub fn from_config(aws: &aws_config::SdkConfig) -> Self {
        SfnWorkflow {
            client: Client::new(aws),
            chat_turn_arn: config::optional("CHAT_TURN_STATE_MACHINE_ARN"),
            purge_arn: config::optional("CONVERSATION_PURGE_STATE_MACHINE_ARN"),
        }
    }

    async fn start(
        &self,
        arn: Option<&str>,
        name: &str,
        input: &Value,
    ) -> Result<(), WorkflowError> {
        let arn =
            arn.ok_or_else(|| WorkflowError::Unavailable("state machine ARN not set".into()))?;
        let result = self
            .client
            .start_execution()
            .state_machine_arn(arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error().and_then(|s| s.code()) {
                Some("ExecutionAlreadyExists") => Err(WorkflowError::AlreadyStarted),
                _ => Err(WorkflowError::Unavailable(format!("{e:?}"))),
            },
        }
    }
}

#[async_trait]
impl Workflow for SfnWorkflow {
    async fn start_chat_turn(&self, name: &str, input: &Value) -> Result<(), WorkflowError> {
        self.start(self.chat_turn_arn.as_deref(), name, input).await
    }

    async fn start_conversation_purge(
        &self,
        name: &str,
        input: &Value,
    ) -> Result<(), WorkflowError> {
        self.start(self.purge_arn.as_deref(), name, input).await
    }
}
