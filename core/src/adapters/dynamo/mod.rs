//! The DynamoDB store: one table, `pk`/`sk` strings, one GSI (`gsi1pk`/`gsi1sk`), TTL on
//! `expires_at`. Every request-path access is a GetItem, Query or conditional write on a key.
//! Key layout: see docs/data-model.md.
mod catalog;
mod conversations;
mod datakeys;
mod items;
pub mod retention;
mod tokens;
mod transact;
mod users;

use aws_sdk_dynamodb::Client;

/// The name of the one global secondary index.
pub const GSI1: &str = "gsi1";

#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// Client from the shared AWS config (honours `AWS_ENDPOINT_URL*`) and `TABLE_NAME`.
    pub fn from_config(config: &aws_config::SdkConfig) -> Result<Self, crate::config::ConfigError> {
        let table = crate::config::required("TABLE_NAME")?;
        Ok(DynamoStore::new(Client::new(config), table))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}
