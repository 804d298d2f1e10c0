//! DynamoDB side of the retention purge: list a conversation partition's sort keys and set
//! `expires_at` (the table's TTL attribute) on each item with a conditional update.
use crate::config::{self, ConfigError};
use crate::ports::{ConversationState, KeyPage, MarkOutcome, RetentionStore, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

/// The table's TTL attribute (epoch seconds).
pub const EXPIRES_AT: &str = "expires_at";
/// Set on a conversation's `META` item by the soft delete.
pub const DELETED_AT: &str = "deleted_at";

fn conversation_pk(conversation_id: &str) -> String {
    format!("CONV#{conversation_id}")
}

fn unavailable<E: std::error::Error + 'static>(operation: &str, error: E) -> StoreError {
    StoreError::Unavailable(format!("{operation}: {}", DisplayErrorContext(error)))
}

pub struct DynamoRetentionStore {
    client: Client,
    table: String,
}

impl DynamoRetentionStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The client from the standard AWS environment (`AWS_ENDPOINT_URL` locally) and the table
    /// from `TABLE_NAME`.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("TABLE_NAME")?;
        Ok(Self::new(Client::new(&config::aws().await), table))
    }
}

#[async_trait]
impl RetentionStore for DynamoRetentionStore {
    async fn conversation_state(
        &self,
        conversation_id: &str,
    ) -> Result<ConversationState, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(conversation_pk(conversation_id)))
            .key("sk", AttributeValue::S("META".into()))
            .projection_expression("#deleted")
            .expression_attribute_names("#deleted", DELETED_AT)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        Ok(match output.item {
            None => ConversationState::Missing,
            Some(item) => match item.get(DELETED_AT) {
                Some(AttributeValue::Null(true)) | None => ConversationState::Live,
                Some(_) => ConversationState::Deleted,
            },
        })
    }

    async fn sort_keys_after(
        &self,
        conversation_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        let pk = conversation_pk(conversation_id);
        let start_key = after.map(|sk| {
            HashMap::from([
                ("pk".to_string(), AttributeValue::S(pk.clone())),
                ("sk".to_string(), AttributeValue::S(sk.to_string())),
            ])
        });
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .projection_expression("sk")
            .set_exclusive_start_key(start_key)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| unavailable("Query", e))?;
        let sort_keys = output
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|mut item| match item.remove("sk") {
                Some(AttributeValue::S(sk)) => Some(sk),
                _ => None,
            })
            .collect();
        Ok(KeyPage {
            sort_keys,
            more: output.last_evaluated_key.is_some_and(|k| !k.is_empty()),
        })
    }

    async fn mark_expiry(
        &self,
        conversation_id: &str,
        sort_key: &str,
        expires_at: i64,
    ) -> Result<MarkOutcome, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(conversation_pk(conversation_id)))
            .key("sk", AttributeValue::S(sort_key.to_string()))
            .update_expression("SET #exp = :exp")
            // attribute_exists: never resurrect an item TTL already removed; the comparison keeps
            // an earlier expiry and makes a repeated mark a no-op.
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(#exp) OR #exp > :exp)",
            )
            .expression_attribute_names("#exp", EXPIRES_AT)
            .expression_attribute_values(":exp", AttributeValue::N(expires_at.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(MarkOutcome::Marked),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(MarkOutcome::Unchanged)
            }
            Err(e) => Err(unavailable("UpdateItem", e)),
        }
    }
}
