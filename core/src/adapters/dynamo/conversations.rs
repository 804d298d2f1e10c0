//! Conversations (`CONV#<id>` / `META`, listed through gsi1 `USER#<owner>#CONVS` /
//! `<updated_at>#<id>`) and their messages (`CONV#<id>` / `MSG#<uuidv7>`).
use super::items::{from_item, get_n, map_err, n, s, to_item, Item};
use super::transact;
use super::users::user_pk;
use super::{DynamoStore, GSI1};
use crate::domain::conversation::{Conversation, Message};
use crate::domain::time::{self, Timestamp};
use crate::ports::{ConversationPage, ConversationStore, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use std::collections::HashMap;
use uuid::Uuid;

pub(super) fn conv_pk(id: Uuid) -> String {
    format!("CONV#{id}")
}

fn owner_index_pk(owner_id: i64) -> String {
    format!("USER#{owner_id}#CONVS")
}

fn recency_key(c: &Conversation) -> String {
    format!("{}#{}", time::format(&c.updated_at), c.id)
}

fn msg_sk(id: Uuid) -> String {
    format!("MSG#{id}")
}

const META: &str = "META";

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn put_message(
    table: &str,
    message: &Message,
    condition: &str,
) -> Result<TransactWriteItem, StoreError> {
    let item = to_item(
        message,
        &[
            ("pk", conv_pk(message.conversation_id)),
            ("sk", msg_sk(message.id)),
        ],
    )?;
    let put = build(
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl DynamoStore {
    async fn count_conversations(&self, owner_id: i64) -> Result<i64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(user_pk(owner_id)))
            .key("sk", s("PROFILE"))
            .projection_expression("conversation_count")
            .send()
            .await
            .map_err(map_err)?;
        Ok(out
            .item
            .as_ref()
            .and_then(|i| get_n(i, "conversation_count"))
            .unwrap_or(0)
            .max(0))
    }

    /// A consistent Query for the messages of one conversation.
    fn messages_query(
        &self,
        conversation_id: Uuid,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND begins_with(sk, :m)")
            .expression_attribute_values(":p", s(conv_pk(conversation_id)))
            .expression_attribute_values(":m", s("MSG#"))
            .consistent_read(true)
    }

    /// The owner's `conversation_count` change that goes in the same transaction.
    fn count_on_owner(&self, owner_id: i64, delta: i64) -> Result<Update, StoreError> {
        build(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(user_pk(owner_id)))
                .key("sk", s("PROFILE"))
                .update_expression("ADD conversation_count :delta")
                .expression_attribute_values(":delta", n(delta))
                .build(),
        )
    }

    fn owner_query(
        &self,
        owner_id: i64,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(":p", s(owner_index_pk(owner_id)))
            .scan_index_forward(false)
    }
}

#[async_trait]
impl ConversationStore for DynamoStore {
    async fn create_conversation(&self, c: &Conversation) -> Result<(), StoreError> {
        let item = to_item(
            c,
            &[
                ("pk", conv_pk(c.id)),
                ("sk", META.into()),
                ("gsi1pk", owner_index_pk(c.owner_id)),
                ("gsi1sk", recency_key(c)),
            ],
        )?;
        let put = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        let count = self.count_on_owner(c.owner_id, 1)?;
        transact::send(
            self.client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put).build())
                .transact_items(TransactWriteItem::builder().update(count).build()),
        )
        .await
    }

    async fn get_conversation(&self, id: Uuid) -> Result<Option<Conversation>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(conv_pk(id)))
            .key("sk", s(META))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        out.item.map(from_item).transpose()
    }

    async fn list_conversations(
        &self,
        owner_id: i64,
        page: u32,
        page_size: u32,
    ) -> Result<ConversationPage, StoreError> {
        let total = self.count_conversations(owner_id).await?;
        // Walk the index past the earlier pages reading keys only, then read one page.
        let mut to_skip = u64::from(page.saturating_sub(1)) * u64::from(page_size);
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        while to_skip > 0 {
            let limit = to_skip.min(1000) as i32;
            let out = self
                .owner_query(owner_id)
                .limit(limit)
                .projection_expression("pk, sk, gsi1pk, gsi1sk")
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(map_err)?;
            to_skip -= out.items().len() as u64;
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(ConversationPage {
                    total,
                    items: Vec::new(),
                });
            }
        }
        let mut items = Vec::new();
        while items.len() < page_size as usize {
            let out = self
                .owner_query(owner_id)
                .limit((page_size as usize - items.len()) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(map_err)?;
            for item in out.items.unwrap_or_default() {
                items.push(from_item::<Conversation>(item)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(ConversationPage { total, items })
    }

    async fn update_conversation(&self, c: &Conversation) -> Result<(), StoreError> {
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        values.insert(":title".into(), s(&c.title));
        values.insert(":model".into(), s(&c.model_id));
        values.insert(":updated".into(), s(time::format(&c.updated_at)));
        values.insert(":recency".into(), s(recency_key(c)));
        let mut set = vec![
            "title = :title",
            "model_id = :model",
            "updated_at = :updated",
            "gsi1sk = :recency",
        ];
        let mut remove = Vec::new();
        match &c.primary_agent {
            Some(a) => {
                values.insert(":agent".into(), s(a));
                set.push("primary_agent = :agent");
            }
            None => remove.push("primary_agent"),
        }
        match &c.primary_llm {
            Some(l) => {
                values.insert(":llm".into(), s(l));
                set.push("primary_llm = :llm");
            }
            None => remove.push("primary_llm"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(conv_pk(c.id)))
            .key("sk", s(META))
            .update_expression(expression)
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(deleted_at)")
            .set_expression_attribute_values(Some(values))
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_conversation(&self, c: &Conversation, at: Timestamp) -> Result<(), StoreError> {
        let hide = build(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(conv_pk(c.id)))
                .key("sk", s(META))
                .update_expression("SET deleted_at = :at REMOVE gsi1pk, gsi1sk")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(deleted_at)")
                .expression_attribute_values(":at", s(time::format(&at)))
                .build(),
        )?;
        let uncount = self.count_on_owner(c.owner_id, -1)?;
        transact::send(
            self.client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(hide).build())
                .transact_items(TransactWriteItem::builder().update(uncount).build()),
        )
        .await
    }

    async fn append_messages(
        &self,
        c: &Conversation,
        messages: &[Message],
        start_turn: Option<Uuid>,
    ) -> Result<(), StoreError> {
        let now = time::now();
        let mut bumped = c.clone();
        bumped.updated_at = now;
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        values.insert(":n".into(), n(messages.len()));
        values.insert(":updated".into(), s(time::format(&now)));
        values.insert(":recency".into(), s(recency_key(&bumped)));
        let mut expression =
            String::from("ADD message_count :n SET updated_at = :updated, gsi1sk = :recency");
        let mut condition =
            String::from("attribute_exists(pk) AND attribute_not_exists(deleted_at)");
        if let Some(turn) = start_turn {
            values.insert(":turn".into(), s(turn.to_string()));
            expression.push_str(", pending_turn = :turn");
            condition.push_str(" AND attribute_not_exists(pending_turn)");
        }
        let meta = build(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(conv_pk(c.id)))
                .key("sk", s(META))
                .update_expression(expression)
                .condition_expression(condition)
                .set_expression_attribute_values(Some(values))
                .build(),
        )?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(meta).build());
        for m in messages {
            tx = tx.transact_items(put_message(&self.table, m, "attribute_not_exists(pk)")?);
        }
        transact::send(tx).await
    }

    async fn latest_messages(
        &self,
        conversation_id: Uuid,
        limit: i32,
    ) -> Result<Vec<Message>, StoreError> {
        let out = self
            .messages_query(conversation_id)
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(map_err)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(from_item::<Message>)
            .collect()
    }

    async fn list_messages(&self, conversation_id: Uuid) -> Result<Vec<Message>, StoreError> {
        let mut messages = Vec::new();
        let mut pages = self
            .messages_query(conversation_id)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            messages.push(from_item::<Message>(item.map_err(map_err)?)?);
        }
        Ok(messages)
    }

    async fn get_message(
        &self,
        conversation_id: Uuid,
        message_id: Uuid,
    ) -> Result<Option<Message>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(conv_pk(conversation_id)))
            .key("sk", s(msg_sk(message_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        out.item.map(from_item).transpose()
    }

    async fn complete_turn(&self, message: &Message) -> Result<bool, StoreError> {
        let now = time::now();
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        values.insert(":turn".into(), s(message.id.to_string()));
        values.insert(":updated".into(), s(time::format(&now)));
        values.insert(
            ":recency".into(),
            s(format!(
                "{}#{}",
                time::format(&now),
                message.conversation_id
            )),
        );
        let meta = build(
            Update::builder()
                .table_name(&self.table)
                .key("pk", s(conv_pk(message.conversation_id)))
                .key("sk", s(META))
                .update_expression(
                    "REMOVE pending_turn SET updated_at = :updated, gsi1sk = :recency",
                )
                // A conversation deleted during its turn keeps its purge marks: the late reply
                // is not recorded (rewriting the message would drop its `expires_at`).
                .condition_expression("pending_turn = :turn AND attribute_not_exists(deleted_at)")
                .set_expression_attribute_values(Some(values))
                .build(),
        )?;
        let mut item: Item = to_item(
            message,
            &[
                ("pk", conv_pk(message.conversation_id)),
                ("sk", msg_sk(message.id)),
            ],
        )?;
        item.insert("pending".into(), AttributeValue::Bool(false));
        let put = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("pending = :yes")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .build(),
        )?;
        let result = transact::send(
            self.client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(meta).build())
                .transact_items(TransactWriteItem::builder().put(put).build()),
        )
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
