//! Conversions between domain types and DynamoDB items, and error mapping.
use crate::ports::StoreError;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Serialize a domain value into an item and add its keys. `None` fields are left out rather
/// than stored as NULL, so `attribute_not_exists` conditions mean what they say.
pub fn to_item<T: Serialize>(value: &T, keys: &[(&str, String)]) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    for (name, value) in keys {
        item.insert((*name).to_owned(), s(value.clone()));
    }
    Ok(item)
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn get_n(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().ok(),
        _ => None,
    }
}

/// Map an SDK error: failed conditions (also inside a cancelled transaction) are conflicts,
/// everything else means the store is unavailable.
pub fn map_err<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    if let Some(service) = err.as_service_error() {
        let code = service.code().unwrap_or_default();
        if code == "ConditionalCheckFailedException" {
            return StoreError::Conflict("condition failed".into());
        }
        if code == "TransactionCanceledException" {
            let msg = service.message().unwrap_or_default();
            if msg.contains("ConditionalCheckFailed") {
                return StoreError::Conflict("condition failed".into());
            }
        }
        if !code.is_empty() {
            return StoreError::Unavailable(format!("{code}: {}", service.message().unwrap_or("")));
        }
    }
    StoreError::Unavailable(format!("{err:?}"))
}
