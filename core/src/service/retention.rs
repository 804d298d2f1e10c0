//! Retention purge of a soft-deleted conversation.
//!
//! `DELETE /api/conversations/{id}/` answers at once (soft delete) and starts the
//! conversation-purge state machine. The state machine loops over *batches*: a plan task
//! ([`plan_pages`]) walks the partition's sort keys and returns up to [`MAX_PAGES_PER_BATCH`] page
//! cursors plus the cursor of the next batch; a Map state runs one mark task ([`mark_page`]) per
//! page, which sets `expires_at` on up to [`PAGE_SIZE`] items so DynamoDB's TTL removes them once
//! the retention period has passed. Both tasks are idempotent: the expiry instant is fixed once per
//! execution (from its start time), and an item keeps an earlier expiry it already has.
use crate::ports::{ConversationState, MarkOutcome, RetentionStore, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Items marked by one mark task.
pub const PAGE_SIZE: u32 = 100;
/// Pages handed to one Map state iteration; keeps the state payload far below the 256 KiB limit.
pub const MAX_PAGES_PER_BATCH: usize = 40;
/// Default retention when `RETENTION_DAYS` is unset.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Longest query page the listing asks DynamoDB for.
const LIST_QUERY_LIMIT: u32 = 1000;

/// Task errors. `error_type()` is the stable name the ASL `Retry`/`Catch` clauses match.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("invalid purge input: {0}")]
    InvalidInput(String),
    #[error("conversation {0} is not deleted; refusing to expire it")]
    ConversationNotDeleted(String),
    #[error("store unavailable: {0}")]
    StoreUnavailable(String),
}

impl RetentionError {
    pub fn error_type(&self) -> &'static str {
        match self {
            RetentionError::InvalidInput(_) => "InvalidPurgeInput",
            RetentionError::ConversationNotDeleted(_) => "ConversationNotDeleted",
            RetentionError::StoreUnavailable(_) => "StoreUnavailable",
        }
    }
}

impl From<StoreError> for RetentionError {
    fn from(error: StoreError) -> Self {
        RetentionError::StoreUnavailable(error.to_string())
    }
}

impl From<RetentionError> for lambda_runtime::Diagnostic {
    fn from(error: RetentionError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.error_type().to_string(),
            error_message: error.to_string(),
        }
    }
}

/// Input of the plan task. The first call carries `requested_at` (the execution's start time);
/// later batches carry the `expires_at` the first call computed and the `after` cursor.
#[derive(Debug, Clone, Deserialize)]
pub struct PlanRequest {
    pub conversation_id: String,
    #[serde(default)]
    pub requested_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub after: Option<String>,
}

/// Where one mark task starts: after this sort key, or at the partition's start when `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    pub start_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanResponse {
    pub conversation_id: String,
    pub expires_at: i64,
    pub pages: Vec<PageCursor>,
    /// Cursor of the next batch; `None` when the partition has been fully planned.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MarkRequest {
    pub conversation_id: String,
    pub expires_at: i64,
    #[serde(default)]
    pub start_after: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MarkReport {
    pub marked: u32,
    pub unchanged: u32,
}

/// Retention settings, read once at init.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionSettings {
    pub retention_days: u32,
}

impl RetentionSettings {
    /// `RETENTION_DAYS` (whole days, default 30).
    pub fn from_env() -> Result<Self, RetentionError> {
        Self::parse(std::env::var("RETENTION_DAYS").ok().as_deref())
    }

    fn parse(value: Option<&str>) -> Result<Self, RetentionError> {
        let retention_days = match value.map(str::trim) {
            None | Some("") => DEFAULT_RETENTION_DAYS,
            Some(text) => text.parse().map_err(|_| {
                RetentionError::InvalidInput(format!(
                    "RETENTION_DAYS must be whole days, got {text:?}"
                ))
            })?,
        };
        Ok(Self { retention_days })
    }
}

/// Parse a task's JSON input; a malformed one is a typed, non-retryable error.
pub fn parse_request<T: serde::de::DeserializeOwned>(
    payload: serde_json::Value,
) -> Result<T, RetentionError> {
    serde_json::from_value(payload).map_err(|e| RetentionError::InvalidInput(e.to_string()))
}

fn validate_conversation_id(conversation_id: &str) -> Result<(), RetentionError> {
    uuid::Uuid::parse_str(conversation_id)
        .map(|_| ())
        .map_err(|_| RetentionError::InvalidInput("conversation_id must be a UUID".into()))
}

fn validate_cursor(cursor: Option<&str>) -> Result<(), RetentionError> {
    match cursor {
        Some("") => Err(RetentionError::InvalidInput("empty cursor".into())),
        _ => Ok(()),
    }
}

fn expiry_for(
    request: &PlanRequest,
    settings: RetentionSettings,
    now: DateTime<Utc>,
) -> Result<i64, RetentionError> {
    if let Some(expires_at) = request.expires_at {
        if expires_at <= 0 {
            return Err(RetentionError::InvalidInput(
                "expires_at must be positive".into(),
            ));
        }
        return Ok(expires_at);
    }
    let start = match request.requested_at.as_deref() {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map_err(|_| RetentionError::InvalidInput("requested_at must be RFC 3339".into()))?
            .with_timezone(&Utc),
        None => now,
    };
    Ok(start.timestamp() + i64::from(settings.retention_days) * 86_400)
}

/// Collect up to `wanted` sort keys after `after`, following DynamoDB pages (a page can stop short
/// of its `Limit` at 1 MB read). Returns the keys and whether more may follow.
async fn collect_keys(
    store: &dyn RetentionStore,
    conversation_id: &str,
    after: Option<&str>,
    wanted: usize,
) -> Result<(Vec<String>, bool), RetentionError> {
    let mut keys: Vec<String> = Vec::new();
    let mut cursor = after.map(str::to_string);
    loop {
        let remaining = wanted - keys.len();
        let limit = u32::try_from(remaining)
            .unwrap_or(u32::MAX)
            .min(LIST_QUERY_LIMIT);
        let page = store
            .sort_keys_after(conversation_id, cursor.as_deref(), limit)
            .await?;
        keys.extend(page.sort_keys);
        if !page.more {
            return Ok((keys, false));
        }
        if keys.len() >= wanted {
            return Ok((keys, true));
        }
        match keys.last() {
            Some(last) => cursor = Some(last.clone()),
            // More reported but nothing returned: DynamoDB can do that when a page filtered out
            // everything; our queries have no filter, so treat it as the end.
            None => return Ok((keys, false)),
        }
    }
}

/// Plan one batch: up to [`MAX_PAGES_PER_BATCH`] page cursors of [`PAGE_SIZE`] items after
/// `request.after`, plus the cursor for the next batch.
pub async fn plan_pages(
    store: &dyn RetentionStore,
    settings: RetentionSettings,
    request: PlanRequest,
) -> Result<PlanResponse, RetentionError> {
    plan_pages_at(store, settings, request, Utc::now()).await
}

/// [`plan_pages`] with the clock given (used when the input has no `requested_at`).
pub async fn plan_pages_at(
    store: &dyn RetentionStore,
    settings: RetentionSettings,
    request: PlanRequest,
    now: DateTime<Utc>,
) -> Result<PlanResponse, RetentionError> {
    validate_conversation_id(&request.conversation_id)?;
    validate_cursor(request.after.as_deref())?;
    let expires_at = expiry_for(&request, settings, now)?;

    // A purge must never expire a conversation its owner still has: a started-by-mistake
    // execution stops here before writing anything.
    if store.conversation_state(&request.conversation_id).await? == ConversationState::Live {
        return Err(RetentionError::ConversationNotDeleted(
            request.conversation_id.clone(),
        ));
    }

    let page_size = PAGE_SIZE as usize;
    let (keys, more) = collect_keys(
        store,
        &request.conversation_id,
        request.after.as_deref(),
        page_size * MAX_PAGES_PER_BATCH,
    )
    .await?;

    // Page 0 starts where this batch starts; page i after the last key of page i - 1.
    let pages = (0..keys.len().div_ceil(page_size))
        .map(|i| PageCursor {
            start_after: match i {
                0 => request.after.clone(),
                _ => Some(keys[i * page_size - 1].clone()),
            },
        })
        .collect();
    let next = if more { keys.last().cloned() } else { None };

    Ok(PlanResponse {
        conversation_id: request.conversation_id,
        expires_at,
        pages,
        next,
    })
}

/// Mark one page: the items after `start_after`, at most `limit` (default [`PAGE_SIZE`]).
pub async fn mark_page(
    store: &dyn RetentionStore,
    request: MarkRequest,
) -> Result<MarkReport, RetentionError> {
    validate_conversation_id(&request.conversation_id)?;
    validate_cursor(request.start_after.as_deref())?;
    if request.expires_at <= 0 {
        return Err(RetentionError::InvalidInput(
            "expires_at must be positive".into(),
        ));
    }
    let limit = request.limit.unwrap_or(PAGE_SIZE);
    if limit == 0 || limit > LIST_QUERY_LIMIT {
        return Err(RetentionError::InvalidInput(format!(
            "limit must be within 1..={LIST_QUERY_LIMIT}"
        )));
    }
    let (keys, _) = collect_keys(
        store,
        &request.conversation_id,
        request.start_after.as_deref(),
        limit as usize,
    )
    .await?;

    let mut report = MarkReport::default();
    for sort_key in &keys {
        match store
            .mark_expiry(&request.conversation_id, sort_key, request.expires_at)
            .await?
        {
            MarkOutcome::Marked => report.marked += 1,
            MarkOutcome::Unchanged => report.unchanged += 1,
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::KeyPage;
    use async_trait::async_trait;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// In-memory partition standing in for DynamoDB (a third-party system): sort key → expiry.
    /// `page_cap` mimics DynamoDB's 1 MB cut that returns fewer items than `Limit`.
    struct MemoryPartition {
        state: ConversationState,
        items: Mutex<BTreeMap<String, Option<i64>>>,
        page_cap: u32,
        queries: Mutex<u32>,
    }

    impl MemoryPartition {
        fn with_messages(state: ConversationState, messages: usize) -> Self {
            let mut items = BTreeMap::new();
            items.insert("META".to_string(), None);
            for i in 0..messages {
                items.insert(format!("MSG#{i:06}"), None);
            }
            Self {
                state,
                items: Mutex::new(items),
                page_cap: u32::MAX,
                queries: Mutex::new(0),
            }
        }
    }

    #[async_trait]
    impl RetentionStore for MemoryPartition {
        async fn conversation_state(&self, _: &str) -> Result<ConversationState, StoreError> {
            Ok(self.state)
        }

        async fn sort_keys_after(
            &self,
            _: &str,
            after: Option<&str>,
            limit: u32,
        ) -> Result<KeyPage, StoreError> {
            *self.queries.lock().unwrap() += 1;
            let items = self.items.lock().unwrap();
            let take = limit.min(self.page_cap) as usize;
            let sort_keys: Vec<String> = items
                .keys()
                .filter(|k| after.is_none_or(|a| k.as_str() > a))
                .take(take)
                .cloned()
                .collect();
            // Like DynamoDB: a full page reports more even when nothing follows.
            let more = sort_keys.len() == take;
            Ok(KeyPage { sort_keys, more })
        }

        async fn mark_expiry(
            &self,
            _: &str,
            sort_key: &str,
            expires_at: i64,
        ) -> Result<MarkOutcome, StoreError> {
            let mut items = self.items.lock().unwrap();
            match items.get_mut(sort_key) {
                Some(current) if current.is_none_or(|c| c > expires_at) => {
                    *current = Some(expires_at);
                    Ok(MarkOutcome::Marked)
                }
                _ => Ok(MarkOutcome::Unchanged),
            }
        }
    }

    const CONV: &str = "0190a5b2-7c1d-7e3f-8a4b-5c6d7e8f9a0b";
    const SETTINGS: RetentionSettings = RetentionSettings { retention_days: 30 };

    fn first_plan() -> PlanRequest {
        PlanRequest {
            conversation_id: CONV.into(),
            requested_at: Some("2026-03-01T12:00:00.000Z".into()),
            expires_at: None,
            after: None,
        }
    }

    /// Runs the state machine's loop the way the ASL does: plan, mark every page, follow `next`.
    async fn run_purge(store: &MemoryPartition) -> (i64, u32, MarkReport) {
        let mut request = first_plan();
        let mut batches = 0;
        let mut total = MarkReport::default();
        loop {
            let plan = plan_pages_at(store, SETTINGS, request.clone(), Utc::now())
                .await
                .unwrap();
            batches += 1;
            for page in &plan.pages {
                let report = mark_page(
                    store,
                    MarkRequest {
                        conversation_id: CONV.into(),
                        expires_at: plan.expires_at,
                        start_after: page.start_after.clone(),
                        limit: None,
                    },
                )
                .await
                .unwrap();
                total.marked += report.marked;
                total.unchanged += report.unchanged;
            }
            match plan.next {
                Some(next) => {
                    request = PlanRequest {
                        conversation_id: CONV.into(),
                        requested_at: None,
                        expires_at: Some(plan.expires_at),
                        after: Some(next),
                    }
                }
                None => return (plan.expires_at, batches, total),
            }
        }
    }

    fn expiries(store: &MemoryPartition) -> Vec<Option<i64>> {
        store.items.lock().unwrap().values().copied().collect()
    }

    #[tokio::test]
    async fn expiry_is_start_time_plus_retention() {
        let store = MemoryPartition::with_messages(ConversationState::Deleted, 3);
        let plan = plan_pages_at(&store, SETTINGS, first_plan(), Utc::now())
            .await
            .unwrap();
        let start = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(plan.expires_at, start.timestamp() + 30 * 86_400);
        assert_eq!(plan.pages, vec![PageCursor { start_after: None }]);
        assert_eq!(plan.next, None);
    }

    #[tokio::test]
    async fn large_conversation_is_fully_marked_across_batches() {
        // 4,321 messages + META: more than one batch of 40 pages × 100 items.
        let mut store = MemoryPartition::with_messages(ConversationState::Deleted, 4_321);
        store.page_cap = 333;
        let (expires_at, batches, report) = run_purge(&store).await;
        assert_eq!(batches, 2);
        assert_eq!(report.marked, 4_322);
        assert_eq!(report.unchanged, 0);
        assert!(expiries(&store).iter().all(|e| *e == Some(expires_at)));
    }

    #[tokio::test]
    async fn pages_tile_the_partition_without_gaps_or_overlap() {
        let store = MemoryPartition::with_messages(ConversationState::Deleted, 250);
        let plan = plan_pages_at(&store, SETTINGS, first_plan(), Utc::now())
            .await
            .unwrap();
        let starts: Vec<Option<String>> =
            plan.pages.iter().map(|p| p.start_after.clone()).collect();
        // 251 keys in sort order ("META" sorts before "MSG#..."): pages start after the 100th and
        // the 200th key.
        let keys: Vec<String> = store.items.lock().unwrap().keys().cloned().collect();
        assert_eq!(
            starts,
            vec![None, Some(keys[99].clone()), Some(keys[199].clone())]
        );
        assert_eq!(plan.next, None);
    }

    #[tokio::test]
    async fn rerunning_the_purge_changes_nothing() {
        let store = MemoryPartition::with_messages(ConversationState::Deleted, 150);
        let (first_expiry, _, first) = run_purge(&store).await;
        let (second_expiry, _, second) = run_purge(&store).await;
        assert_eq!(first_expiry, second_expiry);
        assert_eq!(first.marked, 151);
        assert_eq!(
            second,
            MarkReport {
                marked: 0,
                unchanged: 151
            }
        );
    }

    #[tokio::test]
    async fn an_earlier_expiry_is_kept() {
        let store = MemoryPartition::with_messages(ConversationState::Deleted, 2);
        store
            .items
            .lock()
            .unwrap()
            .insert("MSG#000000".into(), Some(1_000));
        let (expires_at, _, report) = run_purge(&store).await;
        assert_eq!(
            report,
            MarkReport {
                marked: 2,
                unchanged: 1
            }
        );
        assert_eq!(
            expiries(&store),
            vec![Some(expires_at), Some(1_000), Some(expires_at)]
        );
    }

    #[tokio::test]
    async fn a_live_conversation_is_refused_before_any_write() {
        let store = MemoryPartition::with_messages(ConversationState::Live, 5);
        let error = plan_pages_at(&store, SETTINGS, first_plan(), Utc::now())
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "ConversationNotDeleted");
        assert!(expiries(&store).iter().all(Option::is_none));
    }

    #[tokio::test]
    async fn a_missing_conversation_plans_an_empty_batch() {
        let store = MemoryPartition {
            items: Mutex::new(BTreeMap::new()),
            ..MemoryPartition::with_messages(ConversationState::Missing, 0)
        };
        let plan = plan_pages_at(&store, SETTINGS, first_plan(), Utc::now())
            .await
            .unwrap();
        assert!(plan.pages.is_empty());
        assert_eq!(plan.next, None);
    }

    #[tokio::test]
    async fn malformed_inputs_are_typed_errors() {
        let store = MemoryPartition::with_messages(ConversationState::Deleted, 1);
        let bad_id = PlanRequest {
            conversation_id: "CONV#x".into(),
            ..first_plan()
        };
        let bad_time = PlanRequest {
            requested_at: Some("yesterday".into()),
            ..first_plan()
        };
        for request in [bad_id, bad_time] {
            let error = plan_pages_at(&store, SETTINGS, request, Utc::now())
                .await
                .unwrap_err();
            assert_eq!(error.error_type(), "InvalidPurgeInput");
        }
        let no_expiry = parse_request::<MarkRequest>(serde_json::json!({"conversation_id": CONV}));
        assert_eq!(no_expiry.unwrap_err().error_type(), "InvalidPurgeInput");
        let zero_limit = MarkRequest {
            conversation_id: CONV.into(),
            expires_at: 5,
            start_after: None,
            limit: Some(0),
        };
        assert_eq!(
            mark_page(&store, zero_limit)
                .await
                .unwrap_err()
                .error_type(),
            "InvalidPurgeInput"
        );
    }

    #[test]
    fn retention_days_default_and_parse() {
        assert_eq!(RetentionSettings::parse(None).unwrap().retention_days, 30);
        assert_eq!(
            RetentionSettings::parse(Some(" 7 "))
                .unwrap()
                .retention_days,
            7
        );
        assert!(RetentionSettings::parse(Some("7d")).is_err());
    }

    #[test]
    fn diagnostic_carries_the_stable_name() {
        let diagnostic: lambda_runtime::Diagnostic =
            RetentionError::StoreUnavailable("timeout".into()).into();
        assert_eq!(diagnostic.error_type, "StoreUnavailable");
    }
}
