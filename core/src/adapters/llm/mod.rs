//! LLM providers.
use crate::domain::catalog::Provider;

/// Temporary until the provider settings land.
pub fn enabled_providers_from_env() -> Vec<Provider> {
    let named = crate::config::optional("ENABLED_LLM_PROVIDERS");
    if let Some(list) = named {
        return list.split(',').filter_map(Provider::from_setting).collect();
    }
    let mut found = Vec::new();
    if crate::config::optional("OPENAI_API_KEY").is_some() {
        found.push(Provider::Openai);
    }
    if crate::config::optional("AZURE_OPENAI_API_KEY").is_some()
        && crate::config::optional("AZURE_OPENAI_ENDPOINT").is_some()
    {
        found.push(Provider::Azure);
    }
    if crate::config::optional("ANTHROPIC_API_KEY").is_some() {
        found.push(Provider::Anthropic);
    }
    if crate::config::optional("BEDROCK_MODEL_ID").is_some() {
        found.push(Provider::Bedrock);
    }
    if found.is_empty() {
        found.push(Provider::Echo);
    }
    found
}
