//! Issued tokens of a conversation: `CONV#<id>` / `TOKENS`, a JSON map plus a version for
//! optimistic concurrency. Tokens are ciphertexts, not PII, so they are stored as they are.
use super::conversations::conv_pk;
use super::items::{get_n, map_err, n, s};
use super::DynamoStore;
use crate::ports::{StoreError, TokenStore};
use crate::protection::IssuedTokens;
use async_trait::async_trait;
use uuid::Uuid;

const TOKENS: &str = "TOKENS";

impl DynamoStore {
    async fn read_tokens(&self, id: Uuid) -> Result<(IssuedTokens, i64), StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(conv_pk(id)))
            .key("sk", s(TOKENS))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        let Some(item) = out.item else {
            return Ok((IssuedTokens::new(), 0));
        };
        let version = get_n(&item, "version").unwrap_or(0);
        let raw = item
            .get("issued")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
            .unwrap_or("{}");
        let tokens = serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((tokens, version))
    }
}

#[async_trait]
impl TokenStore for DynamoStore {
    async fn load_tokens(&self, conversation_id: Uuid) -> Result<IssuedTokens, StoreError> {
        Ok(self.read_tokens(conversation_id).await?.0)
    }

    async fn add_tokens(
        &self,
        conversation_id: Uuid,
        new: &IssuedTokens,
    ) -> Result<(), StoreError> {
        if new.is_empty() {
            return Ok(());
        }
        // Read-merge-write with a version check; a concurrent writer makes us merge again.
        for _ in 0..5 {
            let (mut tokens, version) = self.read_tokens(conversation_id).await?;
            tokens.extend(new.clone());
            let json =
                serde_json::to_string(&tokens).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let condition = if version == 0 {
                "attribute_not_exists(pk)"
            } else {
                "version = :old"
            };
            let mut put = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("pk", s(conv_pk(conversation_id)))
                .item("sk", s(TOKENS))
                .item("issued", s(json))
                .item("version", n(version + 1))
                .condition_expression(condition);
            if version != 0 {
                put = put.expression_attribute_values(":old", n(version));
            }
            match put.send().await.map_err(map_err) {
                Ok(_) => return Ok(()),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("issued tokens kept changing".into()))
    }
}
