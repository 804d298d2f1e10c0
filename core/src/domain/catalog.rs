//! Catalog entries: models, agents, tools.
use serde::{Deserialize, Serialize};

/// Which LLM provider serves a model. Serialized as the API shows it (`"azure"` for Azure
/// OpenAI); `ENABLED_LLM_PROVIDERS` names Azure `azure_openai`, see [`Provider::from_setting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Openai,
    Azure,
    Anthropic,
    Bedrock,
    Echo,
}

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::Openai,
        Provider::Azure,
        Provider::Anthropic,
        Provider::Bedrock,
        Provider::Echo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Openai => "openai",
            Provider::Azure => "azure",
            Provider::Anthropic => "anthropic",
            Provider::Bedrock => "bedrock",
            Provider::Echo => "echo",
        }
    }

    /// Parse one entry of `ENABLED_LLM_PROVIDERS`.
    pub fn from_setting(name: &str) -> Option<Provider> {
        match name.trim().to_ascii_lowercase().as_str() {
            "openai" => Some(Provider::Openai),
            "azure_openai" | "azure" => Some(Provider::Azure),
            "anthropic" => Some(Provider::Anthropic),
            "bedrock" => Some(Provider::Bedrock),
            "echo" => Some(Provider::Echo),
            _ => None,
        }
    }
}
