//! Wrapped (KMS-encrypted) tenant data keys: `TENANT#<tenant>` / `DATAKEY`.
use super::items::{map_err, s};
use super::DynamoStore;
use crate::ports::{KeyError, StoreError, WrappedKeyStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

fn unavailable(e: StoreError) -> KeyError {
    KeyError::Unavailable(e.to_string())
}

#[async_trait]
impl WrappedKeyStore for DynamoStore {
    async fn get(&self, tenant: &str) -> Result<Option<Vec<u8>>, KeyError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(format!("TENANT#{tenant}")))
            .key("sk", s("DATAKEY"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(map_err(e)))?;
        Ok(out
            .item
            .and_then(|i| i.get("wrapped").cloned())
            .and_then(|v| v.as_b().ok().map(|b| b.as_ref().to_vec())))
    }

    async fn put_if_absent(&self, tenant: &str, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("TENANT#{tenant}")))
            .item("sk", s("DATAKEY"))
            .item("wrapped", AttributeValue::B(Blob::new(wrapped.clone())))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(map_err);
        match result {
            Ok(_) => Ok(wrapped),
            // Another cold start stored one first: everyone uses that one.
            Err(StoreError::Conflict(_)) => self
                .get(tenant)
                .await?
                .ok_or_else(|| KeyError::Unavailable("data key vanished".into())),
            Err(e) => Err(unavailable(e)),
        }
    }
}
