//! Conversation-purge task: mark one page of a deleted conversation's items for TTL expiry.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use pai_core::adapters::dynamo::retention::DynamoRetentionStore;
use pai_core::service::retention::{mark_page, parse_request, MarkReport, RetentionError};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    pai_core::api::init_tracing();
    let store = DynamoRetentionStore::from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let store = &store;
        async move {
            let request = parse_request(event.payload)?;
            let report: Result<MarkReport, RetentionError> = mark_page(store, request).await;
            report
        }
    }))
    .await
}
