//! Users, username claims, the user-id counter and API keys.
use super::items::{from_item, get_n, map_err, n, s, to_item, Item};
use super::transact;
use super::{DynamoStore, GSI1};
use crate::domain::role::Role;
use crate::domain::time;
use crate::domain::user::{ApiKeyRecord, NewUser, StoredUser, User};
use crate::ports::{StoreError, UserStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem};

const USERS_INDEX_PK: &str = "USERS";

pub(super) fn user_pk(id: i64) -> String {
    format!("USER#{id}")
}

const PROFILE: &str = "PROFILE";

impl DynamoStore {
    async fn next_user_id(&self) -> Result<i64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s("COUNTER"))
            .key("sk", s("USER_ID"))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(map_err)?;
        out.attributes()
            .and_then(|a| get_n(a, "value"))
            .ok_or_else(|| StoreError::Corrupt("user id counter".into()))
    }

    async fn get_profile(&self, pk: String) -> Result<Option<StoredUser>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(PROFILE))
            .send()
            .await
            .map_err(map_err)?;
        out.item.map(from_item).transpose()
    }

    async fn update_profile(
        &self,
        user_id: i64,
        expression: &str,
        name: &str,
        value: String,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(user_pk(user_id)))
            .key("sk", s(PROFILE))
            .update_expression(expression)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#f", name)
            .expression_attribute_values(":v", s(value))
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait]
impl UserStore for DynamoStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let id = self.next_user_id().await?;
        let user = User {
            id,
            username: new.username.clone(),
            email: new.email,
            first_name: new.first_name,
            last_name: new.last_name,
            role: new.role,
            is_active: true,
            created_at: time::now(),
        };
        let stored = StoredUser {
            user: user.clone(),
            password_hash: new.password_hash,
        };
        let mut profile = to_item(
            &stored,
            &[
                ("pk", user_pk(id)),
                ("sk", PROFILE.into()),
                ("gsi1pk", USERS_INDEX_PK.into()),
                ("gsi1sk", new.username.clone()),
            ],
        )?;
        profile.insert("conversation_count".into(), n(0));
        let mut claim = Item::new();
        claim.insert("pk".into(), s(format!("USERNAME#{}", new.username)));
        claim.insert("sk".into(), s("CLAIM"));
        claim.insert("user_id".into(), n(id));
        let put = |item: Item| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        transact::send(
            self.client
                .transact_write_items()
                .transact_items(put(claim)?)
                .transact_items(put(profile)?),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("username {:?} is taken", new.username))
            }
            other => other,
        })?;
        Ok(user)
    }

    async fn get_user(&self, id: i64) -> Result<Option<StoredUser>, StoreError> {
        self.get_profile(user_pk(id)).await
    }

    async fn find_user(&self, username: &str) -> Result<Option<StoredUser>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(format!("USERNAME#{username}")))
            .key("sk", s("CLAIM"))
            .send()
            .await
            .map_err(map_err)?;
        match out.item.as_ref().and_then(|i| get_n(i, "user_id")) {
            Some(id) => self.get_user(id).await,
            None => Ok(None),
        }
    }

    async fn set_role(&self, user_id: i64, role: Role) -> Result<(), StoreError> {
        self.update_profile(user_id, "SET #f = :v", "role", role.as_str().into())
            .await
    }

    async fn set_password_hash(&self, user_id: i64, hash: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(user_pk(user_id)))
            .key("sk", s(PROFILE))
            .update_expression("SET password_hash = :v")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":v", s(hash))
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::new();
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(":p", s(USERS_INDEX_PK))
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            let stored: StoredUser = from_item(item.map_err(map_err)?)?;
            users.push(stored.user);
        }
        Ok(users)
    }

    async fn put_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let item = to_item(
            key,
            &[
                ("pk", format!("APIKEY#{}", key.prefix)),
                ("sk", "KEY".into()),
                ("gsi1pk", user_pk(key.user_id)),
                (
                    "gsi1sk",
                    format!("APIKEY#{}", time::format(&key.created_at)),
                ),
            ],
        )?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_api_key(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(format!("APIKEY#{prefix}")))
            .key("sk", s("KEY"))
            .send()
            .await
            .map_err(map_err)?;
        out.item.map(from_item).transpose()
    }
}
