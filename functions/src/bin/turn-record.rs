//! Chat-turn task `turn-record` (see infra/statemachines/chat-turn.asl.json).
use lambda_runtime::{service_fn, LambdaEvent};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::turn;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pai_core::api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::STORE).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async move {
        turn::record(app, event.payload).await
    }))
    .await
}
