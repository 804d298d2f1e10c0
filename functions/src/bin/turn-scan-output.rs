//! Chat-turn task `turn-scan-output` (see infra/statemachines/chat-turn.asl.json).
use lambda_runtime::{service_fn, LambdaEvent};
use pai_core::bootstrap::{self, Needs};
use pai_core::service::turn;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pai_core::api::init_tracing();
    let app = &bootstrap::app_from_env(Needs::PROTECTION).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async move {
        turn::scan_output(app, event.payload).await
    }))
    .await
}
