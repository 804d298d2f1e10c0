//! Sending transactions. DynamoDB cancels a transaction with `TransactionConflict` when another
//! request touches one of its items at the same moment: two conversation creates of one user
//! both add to the owner's counter, and neither really conflicts with the other. Such a
//! cancellation is retried (full-jitter backoff); a failed condition is a real conflict and is
//! reported at once.
use super::items::map_err;
use crate::ports::StoreError;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use rand::Rng;
use std::time::Duration;

/// Attempts in all; with the backoff below a burst of ~50 writers to one item settles well
/// within an HTTP function's time limit.
const ATTEMPTS: u32 = 12;
const FIRST_PAUSE_MS: u64 = 5;
const MAX_PAUSE_MS: u64 = 250;

/// Whether DynamoDB cancelled the transaction only because of concurrent access (no failed
/// condition among the reasons), so the same request can simply be sent again.
fn is_contention<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
            let codes: Vec<&str> = e
                .cancellation_reasons()
                .iter()
                .filter_map(|r| r.code())
                .collect();
            codes.contains(&"TransactionConflict") && !codes.contains(&"ConditionalCheckFailed")
        }
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
        _ => false,
    }
}

/// Sends `tx`, retrying cancellations caused only by concurrent writers.
pub async fn send(tx: TransactWriteItemsFluentBuilder) -> Result<(), StoreError> {
    let mut ceiling = FIRST_PAUSE_MS;
    for attempt in 1..=ATTEMPTS {
        match tx.clone().send().await {
            Ok(_) => return Ok(()),
            Err(e) if attempt < ATTEMPTS && is_contention(&e) => {
                let pause = rand::thread_rng().gen_range(1..=ceiling);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                ceiling = (ceiling * 2).min(MAX_PAUSE_MS);
            }
            Err(e) => return Err(map_err(e)),
        }
    }
    Err(StoreError::Unavailable(
        "transaction kept conflicting with concurrent writers".into(),
    ))
}
