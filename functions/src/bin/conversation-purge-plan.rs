//! Conversation-purge task: plan one batch of page cursors over a deleted conversation.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use pai_core::adapters::dynamo::retention::DynamoRetentionStore;
use pai_core::service::retention::{
    parse_request, plan_pages, PlanResponse, RetentionError, RetentionSettings,
};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    pai_core::api::init_tracing();
    let settings = RetentionSettings::from_env()?;
    let store = DynamoRetentionStore::from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let store = &store;
        async move {
            let request = parse_request(event.payload)?;
            let plan: Result<PlanResponse, RetentionError> =
                plan_pages(store, settings, request).await;
            plan
        }
    }))
    .await
}
