//! The catalog partition: `pk = CATALOG`, `sk = MODEL#<id>` / `AGENT#<id>` / `TOOL#<id>`.
use super::items::{from_item, map_err, s, to_item, Item};
use super::DynamoStore;
use crate::domain::catalog::Catalog;
use crate::ports::{CatalogStore, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};

const CATALOG_PK: &str = "CATALOG";

#[async_trait]
impl CatalogStore for DynamoStore {
    async fn load_catalog(&self) -> Result<Catalog, StoreError> {
        let mut catalog = Catalog::default();
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s(CATALOG_PK))
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            let item = item.map_err(map_err)?;
            let sk = match item.get("sk") {
                Some(v) => v.as_s().cloned().unwrap_or_default(),
                None => String::new(),
            };
            if sk.starts_with("MODEL#") {
                catalog.models.push(from_item(item)?);
            } else if sk.starts_with("AGENT#") {
                catalog.agents.push(from_item(item)?);
            } else if sk.starts_with("TOOL#") {
                catalog.tools.push(from_item(item)?);
            }
        }
        Ok(catalog)
    }

    async fn save_catalog(&self, catalog: &Catalog) -> Result<(), StoreError> {
        let existing = self.load_catalog().await?;
        let mut writes: Vec<WriteRequest> = Vec::new();
        let mut keep: Vec<String> = Vec::new();
        let mut put = |sk: String, item: Item| -> Result<(), StoreError> {
            keep.push(sk);
            let req = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            writes.push(WriteRequest::builder().put_request(req).build());
            Ok(())
        };
        for m in &catalog.models {
            let sk = format!("MODEL#{}", m.id);
            put(
                sk.clone(),
                to_item(m, &[("pk", CATALOG_PK.into()), ("sk", sk)])?,
            )?;
        }
        for a in &catalog.agents {
            let sk = format!("AGENT#{}", a.id);
            put(
                sk.clone(),
                to_item(a, &[("pk", CATALOG_PK.into()), ("sk", sk)])?,
            )?;
        }
        for t in &catalog.tools {
            let sk = format!("TOOL#{}", t.id);
            put(
                sk.clone(),
                to_item(t, &[("pk", CATALOG_PK.into()), ("sk", sk)])?,
            )?;
        }
        let stale = existing
            .models
            .iter()
            .map(|m| format!("MODEL#{}", m.id))
            .chain(existing.agents.iter().map(|a| format!("AGENT#{}", a.id)))
            .chain(existing.tools.iter().map(|t| format!("TOOL#{}", t.id)))
            .filter(|sk| !keep.contains(sk));
        for sk in stale {
            let req = DeleteRequest::builder()
                .key("pk", s(CATALOG_PK))
                .key("sk", s(sk))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            writes.push(WriteRequest::builder().delete_request(req).build());
        }
        for chunk in writes.chunks(25) {
            let mut pending = Some(chunk.to_vec());
            // Retry unprocessed items a few times; the admin CLI is the only writer.
            for _ in 0..5 {
                let Some(batch) = pending.take().filter(|b| !b.is_empty()) else {
                    break;
                };
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(self.table.clone(), batch)
                    .send()
                    .await
                    .map_err(map_err)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table));
            }
            if pending.is_some_and(|b| !b.is_empty()) {
                return Err(StoreError::Unavailable("catalog write throttled".into()));
            }
        }
        Ok(())
    }
}
