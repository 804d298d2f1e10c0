//! The API's JSON shapes, built from domain types.
use crate::domain::catalog::{Agent, Model, Provider, Tool};
use crate::domain::conversation::{Conversation, Message, MessageRole};
use crate::domain::protection_report::ProtectionRecord;
use crate::domain::role::Role;
use crate::domain::time::{self, Timestamp};
use crate::domain::user::User;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

fn ts<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time::format(t))
}

#[derive(Debug, Serialize)]
pub struct MeView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_protegrity: bool,
}

impl From<&User> for MeView {
    fn from(u: &User) -> Self {
        MeView {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role: u.role,
            is_protegrity: u.is_protegrity(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub provider: Provider,
    pub requires_polling: bool,
    pub supports_streaming: bool,
    pub max_tokens: u32,
}

impl From<&Model> for ModelView {
    fn from(m: &Model) -> Self {
        ModelView {
            id: m.id.clone(),
            name: m.name.clone(),
            description: m.description.clone(),
            provider: m.provider,
            // Every chat turn is started, then polled.
            requires_polling: true,
            supports_streaming: false,
            max_tokens: m.max_tokens,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub default_llm: Option<String>,
    pub icon: String,
    pub color: String,
    pub system_prompt: String,
}

impl AgentView {
    pub fn new(a: &Agent, first_usable_model: Option<String>) -> Self {
        AgentView {
            id: a.id.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            default_llm: a.default_llm.clone().or(first_usable_model),
            icon: a.icon.clone(),
            color: a.color.clone(),
            system_prompt: a.system_prompt.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ToolView {
    pub id: String,
    pub name: String,
    pub tool_type: String,
    pub description: String,
    pub requires_auth: bool,
    pub function_schema: Value,
}

impl From<&Tool> for ToolView {
    fn from(t: &Tool) -> Self {
        ToolView {
            id: t.id.clone(),
            name: t.name.clone(),
            tool_type: t.tool_type.clone(),
            description: t.description.clone(),
            requires_auth: t.requires_auth,
            function_schema: t.function_schema.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub title: String,
    pub model_id: String,
    pub primary_agent: Option<String>,
    pub primary_llm: Option<String>,
    pub message_count: i64,
    #[serde(serialize_with = "ts")]
    pub created_at: Timestamp,
    #[serde(serialize_with = "ts")]
    pub updated_at: Timestamp,
}

impl From<&Conversation> for ConversationSummary {
    fn from(c: &Conversation) -> Self {
        ConversationSummary {
            id: c.id,
            title: c.title.clone(),
            model_id: c.model_id.clone(),
            primary_agent: c.primary_agent.clone(),
            primary_llm: c.primary_llm.clone(),
            message_count: c.message_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub id: Uuid,
    pub role: MessageRole,
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protegrity_data: Option<ProtectionRecord>,
    pub pending: bool,
    pub blocked: bool,
    pub agent: Option<String>,
    pub llm_provider: Option<String>,
    #[serde(serialize_with = "ts")]
    pub created_at: Timestamp,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            id: m.id,
            role: m.role,
            content: m.content.expose().clone(),
            protegrity_data: m.protegrity_data.clone().filter(|r| !r.is_empty()),
            pending: m.pending,
            blocked: m.blocked,
            agent: m.agent.clone(),
            llm_provider: m.llm_provider.clone(),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationDetail {
    pub id: Uuid,
    pub title: String,
    pub model_id: String,
    pub primary_agent: Option<String>,
    pub primary_llm: Option<String>,
    pub messages: Vec<MessageView>,
    #[serde(serialize_with = "ts")]
    pub created_at: Timestamp,
    #[serde(serialize_with = "ts")]
    pub updated_at: Timestamp,
}

impl ConversationDetail {
    pub fn new(c: &Conversation, messages: &[Message]) -> Self {
        ConversationDetail {
            id: c.id,
            title: c.title.clone(),
            model_id: c.model_id.clone(),
            primary_agent: c.primary_agent.clone(),
            primary_llm: c.primary_llm.clone(),
            messages: messages.iter().map(MessageView::from).collect(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConversationListPage {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<ConversationSummary>,
}
