//! The conversation-purge state machine, run for real on the local stack (the local Step Functions
//! executor of infra/local/aws runs it and calls the purge tasks served by `cargo lambda watch`).
//!
//! Environment (set by `make test`): the standard AWS settings with `AWS_ENDPOINT_URL_*` pointing
//! at the emulator, `TABLE_NAME`, `CONVERSATION_PURGE_STATE_MACHINE_ARN`, and `RETENTION_DAYS` as
//! the stack's functions see it (default 30).
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sfn::types::ExecutionStatus;
use std::collections::HashMap;
use std::time::{Duration, Instant};

struct Stack {
    dynamo: aws_sdk_dynamodb::Client,
    sfn: aws_sdk_sfn::Client,
    table: String,
    purge_arn: String,
    retention_days: i64,
}

fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set (make test sets it)"))
}

async fn stack() -> Stack {
    let config = pai_core::config::aws().await;
    Stack {
        dynamo: aws_sdk_dynamodb::Client::new(&config),
        sfn: aws_sdk_sfn::Client::new(&config),
        table: required("TABLE_NAME"),
        purge_arn: required("CONVERSATION_PURGE_STATE_MACHINE_ARN"),
        retention_days: std::env::var("RETENTION_DAYS")
            .ok()
            .map(|d| d.parse().expect("RETENTION_DAYS is whole days"))
            .unwrap_or(30),
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

impl Stack {
    /// A conversation partition: `META` (soft-deleted or not) and `messages` message items.
    async fn seed(&self, deleted: bool, messages: usize) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        let pk = format!("CONV#{id}");
        let mut meta = HashMap::from([("pk".to_string(), s(&pk)), ("sk".to_string(), s("META"))]);
        if deleted {
            meta.insert("deleted_at".into(), s("2026-01-01T00:00:00Z"));
        }
        self.put(meta).await;
        for _ in 0..messages {
            let sk = format!("MSG#{}", uuid::Uuid::now_v7());
            self.put(HashMap::from([
                ("pk".to_string(), s(&pk)),
                ("sk".to_string(), s(&sk)),
                ("role".to_string(), s("user")),
            ]))
            .await;
        }
        id
    }

    async fn put(&self, item: HashMap<String, AttributeValue>) {
        self.dynamo
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .expect("PutItem");
    }

    /// `sk → expires_at` of every item of the conversation.
    async fn expiries(&self, id: &str) -> HashMap<String, Option<i64>> {
        let mut out = HashMap::new();
        let mut start = None;
        loop {
            let page = self
                .dynamo
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(&format!("CONV#{id}")))
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("Query");
            for item in page.items.unwrap_or_default() {
                let sk = item["sk"].as_s().expect("sk").clone();
                let exp = item.get("expires_at").map(|v| {
                    v.as_n()
                        .expect("expires_at is a number")
                        .parse()
                        .expect("int")
                });
                out.insert(sk, exp);
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return out,
            }
        }
    }

    /// Start a purge and wait for its end; returns (status, error, start time in epoch seconds).
    async fn purge(&self, id: &str) -> (ExecutionStatus, Option<String>, i64) {
        let started = self
            .sfn
            .start_execution()
            .state_machine_arn(&self.purge_arn)
            .name(format!("purge-{id}-{}", uuid::Uuid::new_v4().simple()))
            .input(serde_json::json!({ "conversation_id": id }).to_string())
            .send()
            .await
            .expect("StartExecution");
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let execution = self
                .sfn
                .describe_execution()
                .execution_arn(started.execution_arn())
                .send()
                .await
                .expect("DescribeExecution");
            if *execution.status() != ExecutionStatus::Running {
                return (
                    execution.status().clone(),
                    execution.error().map(str::to_string),
                    execution.start_date().secs(),
                );
            }
            assert!(Instant::now() < deadline, "purge still running after 180 s");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

#[tokio::test]
async fn purge_marks_every_item_of_a_deleted_conversation_once() {
    let stack = stack().await;
    // 250 messages + META: three Map pages of at most 100 items.
    let id = stack.seed(true, 250).await;
    let bystander = stack.seed(true, 3).await;

    let (status, error, started) = stack.purge(&id).await;
    assert_eq!(status, ExecutionStatus::Succeeded, "error: {error:?}");

    let expected = started + stack.retention_days * 86_400;
    let expiries = stack.expiries(&id).await;
    assert_eq!(expiries.len(), 251);
    let wrong: Vec<_> = expiries
        .iter()
        .filter(|(_, exp)| **exp != Some(expected))
        .collect();
    assert!(
        wrong.is_empty(),
        "items not marked with {expected}: {wrong:?}"
    );
    assert!(
        stack
            .expiries(&bystander)
            .await
            .values()
            .all(Option::is_none),
        "another conversation was touched"
    );

    // A second purge (a retried delete) keeps the first, earlier expiry.
    let (status, error, _) = stack.purge(&id).await;
    assert_eq!(status, ExecutionStatus::Succeeded, "error: {error:?}");
    assert_eq!(stack.expiries(&id).await, expiries);
}

#[tokio::test]
async fn purge_refuses_a_live_conversation() {
    let stack = stack().await;
    let id = stack.seed(false, 5).await;

    let (status, error, _) = stack.purge(&id).await;
    assert_eq!(status, ExecutionStatus::Failed);
    assert_eq!(error.as_deref(), Some("ConversationNotDeleted"));
    assert!(stack.expiries(&id).await.values().all(Option::is_none));
}

#[tokio::test]
async fn purge_rejects_malformed_input_by_name() {
    let stack = stack().await;
    let (status, error, _) = stack.purge("not-a-uuid").await;
    assert_eq!(status, ExecutionStatus::Failed);
    assert_eq!(error.as_deref(), Some("InvalidPurgeInput"));
}
