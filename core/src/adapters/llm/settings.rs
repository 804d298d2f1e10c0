//! Provider settings from the environment (names as API.md lists them) and the one place that
//! builds provider clients.
//!
//! | variable | meaning |
//! |---|---|
//! | `ENABLED_LLM_PROVIDERS` | comma list of `openai,azure_openai,anthropic,bedrock,echo`; unset or blank = auto-detect |
//! | `OPENAI_API_KEY` | OpenAI key (sent as `Authorization: Bearer`); enables `openai` in auto-detect |
//! | `OPENAI_BASE_URL` | default `https://api.openai.com/v1`; any OpenAI-compatible server (vLLM, Ollama) |
//! | `OPENAI_MODEL` | when set, replaces the model name of every OpenAI request (one-model servers) |
//! | `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT` | both enable `azure` in auto-detect |
//! | `AZURE_OPENAI_API_VERSION` | default `2024-10-21` |
//! | `ANTHROPIC_API_KEY` | enables `anthropic` in auto-detect |
//! | `ANTHROPIC_BASE_URL` | default `https://api.anthropic.com` |
//! | `ANTHROPIC_MODEL` | when set, replaces the model name of every Anthropic request |
//! | `BEDROCK_MODEL_ID` | the only auto-detect signal for `bedrock`; when set, replaces the model id of every Bedrock request |
//! | `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_REGION` | Bedrock endpoint override and region (AWS SDK chain otherwise) |
//! | `LLM_TIMEOUT_SECONDS` | whole-request timeout of a model call, default 100 |
//!
//! Auto-detect enables, in this order, openai, azure, anthropic and bedrock by the variables
//! above, and `echo` only when none of them is found.
use super::{Anthropic, Bedrock, Echo, OpenAiCompatible};
use crate::domain::catalog::Provider;
use crate::domain::sensitive::Sensitive;
use crate::ports::{LlmError, LlmProvider};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_AZURE_API_VERSION: &str = "2024-10-21";
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 100;
/// Connecting is quick or not at all; a dead endpoint should fail well before the whole timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// LLM provider settings and the providers built from them (each once, sharing one HTTP client).
pub struct LlmSettings {
    enabled: Vec<Provider>,
    openai_api_key: Option<Sensitive<String>>,
    openai_base_url: String,
    openai_model: Option<String>,
    azure_api_key: Option<Sensitive<String>>,
    azure_endpoint: Option<String>,
    azure_api_version: String,
    anthropic_api_key: Option<Sensitive<String>>,
    anthropic_base_url: String,
    anthropic_model: Option<String>,
    bedrock_model_id: Option<String>,
    bedrock_endpoint_url: Option<String>,
    aws_region: Option<String>,
    timeout: Duration,
    built: Mutex<Built>,
}

#[derive(Default)]
struct Built {
    http: Option<reqwest::Client>,
    providers: HashMap<Provider, Arc<dyn LlmProvider>>,
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys are `Sensitive` and print redacted.
        f.debug_struct("LlmSettings")
            .field("enabled", &self.enabled)
            .field("openai_api_key", &self.openai_api_key)
            .field("openai_base_url", &self.openai_base_url)
            .field("openai_model", &self.openai_model)
            .field("azure_api_key", &self.azure_api_key)
            .field("azure_endpoint", &self.azure_endpoint)
            .field("azure_api_version", &self.azure_api_version)
            .field("anthropic_api_key", &self.anthropic_api_key)
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("anthropic_model", &self.anthropic_model)
            .field("bedrock_model_id", &self.bedrock_model_id)
            .field("bedrock_endpoint_url", &self.bedrock_endpoint_url)
            .field("aws_region", &self.aws_region)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl LlmSettings {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// Reads the given variables only (tests). Blank values count as unset.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let vars: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into().trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let get = |name: &str| vars.get(name).cloned();
        let secret = |name: &str| get(name).map(Sensitive::new);

        let mut settings = Self {
            enabled: Vec::new(),
            openai_api_key: secret("OPENAI_API_KEY"),
            openai_base_url: get("OPENAI_BASE_URL")
                .unwrap_or_else(|| DEFAULT_OPENAI_BASE_URL.to_owned()),
            openai_model: get("OPENAI_MODEL"),
            azure_api_key: secret("AZURE_OPENAI_API_KEY"),
            azure_endpoint: get("AZURE_OPENAI_ENDPOINT"),
            azure_api_version: get("AZURE_OPENAI_API_VERSION")
                .unwrap_or_else(|| DEFAULT_AZURE_API_VERSION.to_owned()),
            anthropic_api_key: secret("ANTHROPIC_API_KEY"),
            anthropic_base_url: get("ANTHROPIC_BASE_URL")
                .unwrap_or_else(|| DEFAULT_ANTHROPIC_BASE_URL.to_owned()),
            anthropic_model: get("ANTHROPIC_MODEL"),
            bedrock_model_id: get("BEDROCK_MODEL_ID"),
            bedrock_endpoint_url: get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
            aws_region: get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")),
            timeout: Duration::from_secs(
                get("LLM_TIMEOUT_SECONDS")
                    .and_then(|s| s.parse::<u64>().ok())
                    .filter(|s| *s > 0)
                    .unwrap_or(DEFAULT_TIMEOUT_SECONDS),
            ),
            built: Mutex::new(Built::default()),
        };
        settings.enabled = match get("ENABLED_LLM_PROVIDERS") {
            Some(list) => parse_enabled(&list),
            None => settings.detect(),
        };
        settings
    }

    fn detect(&self) -> Vec<Provider> {
        let mut found = Vec::new();
        if self.openai_api_key.is_some() {
            found.push(Provider::Openai);
        }
        if self.azure_api_key.is_some() && self.azure_endpoint.is_some() {
            found.push(Provider::Azure);
        }
        if self.anthropic_api_key.is_some() {
            found.push(Provider::Anthropic);
        }
        // AWS credentials are always present in Lambda and the emulator, so they prove nothing.
        if self.bedrock_model_id.is_some() {
            found.push(Provider::Bedrock);
        }
        if found.is_empty() {
            found.push(Provider::Echo);
        }
        found
    }

    /// The enabled providers, in setting (or detection) order, without duplicates. The catalog
    /// lists only models of these.
    pub fn enabled_providers(&self) -> Vec<Provider> {
        self.enabled.clone()
    }

    pub fn is_enabled(&self, provider: Provider) -> bool {
        self.enabled.contains(&provider)
    }

    /// Whole-request timeout of one model call (`LLM_TIMEOUT_SECONDS`).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The provider client, built on first use and shared afterwards. `NotConfigured` when the
    /// provider is not enabled or its settings are incomplete.
    pub fn provider_for(&self, provider: Provider) -> Result<Arc<dyn LlmProvider>, LlmError> {
        if !self.is_enabled(provider) {
            return Err(LlmError::NotConfigured(format!(
                "{} is not an enabled provider",
                provider.as_str()
            )));
        }
        // A poisoned lock only means another thread panicked while building; the map is intact.
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(existing) = built.providers.get(&provider) {
            return Ok(existing.clone());
        }
        let created = self.build(provider, &mut built)?;
        built.providers.insert(provider, created.clone());
        Ok(created)
    }

    fn http(&self, built: &mut Built) -> Result<reqwest::Client, LlmError> {
        if let Some(client) = &built.http {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .build()
            .map_err(|e| LlmError::NotConfigured(format!("HTTP client: {e}")))?;
        built.http = Some(client.clone());
        Ok(client)
    }

    fn build(
        &self,
        provider: Provider,
        built: &mut Built,
    ) -> Result<Arc<dyn LlmProvider>, LlmError> {
        let missing = |name: &str| LlmError::NotConfigured(format!("{name} is not set"));
        Ok(match provider {
            Provider::Openai => {
                // Without a key only a self-hosted server makes sense.
                if self.openai_api_key.is_none() && self.openai_base_url == DEFAULT_OPENAI_BASE_URL
                {
                    return Err(missing("OPENAI_API_KEY"));
                }
                Arc::new(OpenAiCompatible::openai(
                    self.http(built)?,
                    self.openai_base_url.clone(),
                    self.openai_api_key.clone(),
                    self.openai_model.clone(),
                ))
            }
            Provider::Azure => {
                let key = self
                    .azure_api_key
                    .clone()
                    .ok_or_else(|| missing("AZURE_OPENAI_API_KEY"))?;
                let endpoint = self
                    .azure_endpoint
                    .as_deref()
                    .ok_or_else(|| missing("AZURE_OPENAI_ENDPOINT"))?;
                Arc::new(OpenAiCompatible::azure(
                    self.http(built)?,
                    endpoint,
                    key,
                    self.azure_api_version.clone(),
                )?)
            }
            Provider::Anthropic => {
                let key = self
                    .anthropic_api_key
                    .clone()
                    .ok_or_else(|| missing("ANTHROPIC_API_KEY"))?;
                Arc::new(Anthropic::new(
                    self.http(built)?,
                    self.anthropic_base_url.clone(),
                    key,
                    self.anthropic_model.clone(),
                ))
            }
            Provider::Bedrock => Arc::new(Bedrock::new(
                self.bedrock_endpoint_url.clone(),
                self.aws_region.clone(),
                self.timeout,
                self.bedrock_model_id.clone(),
            )),
            Provider::Echo => Arc::new(Echo),
        })
    }
}

fn parse_enabled(list: &str) -> Vec<Provider> {
    let mut enabled = Vec::new();
    for entry in list.split(',').filter(|e| !e.trim().is_empty()) {
        match Provider::from_setting(entry) {
            Some(provider) if !enabled.contains(&provider) => enabled.push(provider),
            Some(_) => {}
            None => tracing::warn!(
                entry = entry.trim(),
                "ignoring unknown ENABLED_LLM_PROVIDERS entry"
            ),
        }
    }
    enabled
}

impl crate::ports::LlmProviders for LlmSettings {
    fn provider_for(&self, provider: Provider) -> Result<Arc<dyn LlmProvider>, LlmError> {
        LlmSettings::provider_for(self, provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ChatMessage, ChatRole, CompletionRequest};
    use serde_json::json;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn settings(vars: &[(&str, &str)]) -> LlmSettings {
        LlmSettings::from_vars(vars.iter().copied())
    }

    #[test]
    fn nothing_configured_means_echo_only() {
        assert_eq!(settings(&[]).enabled_providers(), vec![Provider::Echo]);
        // Blank values are unset.
        assert_eq!(
            settings(&[("OPENAI_API_KEY", " "), ("ENABLED_LLM_PROVIDERS", "")]).enabled_providers(),
            vec![Provider::Echo]
        );
    }

    #[test]
    fn auto_detect_by_keys() {
        let all = settings(&[
            ("OPENAI_API_KEY", "sk"),
            ("AZURE_OPENAI_API_KEY", "az"),
            ("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"),
            ("ANTHROPIC_API_KEY", "ak"),
            ("BEDROCK_MODEL_ID", "anthropic.claude-3-haiku-20240307-v1:0"),
        ]);
        assert_eq!(
            all.enabled_providers(),
            vec![
                Provider::Openai,
                Provider::Azure,
                Provider::Anthropic,
                Provider::Bedrock
            ]
        );
        // Azure needs both key and endpoint; AWS credentials alone do not enable Bedrock.
        let partial = settings(&[
            ("AZURE_OPENAI_API_KEY", "az"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("ANTHROPIC_API_KEY", "ak"),
        ]);
        assert_eq!(partial.enabled_providers(), vec![Provider::Anthropic]);
    }

    #[test]
    fn explicit_list_wins_and_is_deduplicated() {
        let s = settings(&[
            (
                "ENABLED_LLM_PROVIDERS",
                " azure_openai, echo,bogus,ECHO ,anthropic",
            ),
            ("OPENAI_API_KEY", "sk"),
        ]);
        assert_eq!(
            s.enabled_providers(),
            vec![Provider::Azure, Provider::Echo, Provider::Anthropic]
        );
        assert!(!s.is_enabled(Provider::Openai));
    }

    #[test]
    fn timeout_setting() {
        assert_eq!(settings(&[]).timeout(), Duration::from_secs(100));
        assert_eq!(
            settings(&[("LLM_TIMEOUT_SECONDS", "7")]).timeout(),
            Duration::from_secs(7)
        );
        assert_eq!(
            settings(&[("LLM_TIMEOUT_SECONDS", "soon")]).timeout(),
            Duration::from_secs(100)
        );
    }

    #[test]
    fn provider_for_refuses_disabled_or_incomplete_providers() {
        let s = settings(&[("ENABLED_LLM_PROVIDERS", "openai,azure_openai,anthropic")]);
        for provider in [
            Provider::Openai,
            Provider::Azure,
            Provider::Anthropic,
            Provider::Echo,
        ] {
            let error = s.provider_for(provider).err().unwrap();
            assert_eq!(error.error_type(), "ProviderNotConfigured", "{provider:?}");
        }
        let bad_endpoint = settings(&[
            ("ENABLED_LLM_PROVIDERS", "azure_openai"),
            ("AZURE_OPENAI_API_KEY", "k"),
            ("AZURE_OPENAI_ENDPOINT", "not a url"),
        ]);
        assert!(bad_endpoint.provider_for(Provider::Azure).is_err());
    }

    #[test]
    fn providers_are_built_once() {
        let s = settings(&[("ENABLED_LLM_PROVIDERS", "echo,bedrock")]);
        let first = s.provider_for(Provider::Echo).unwrap();
        let second = s.provider_for(Provider::Echo).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!first.supports_tools());
        let bedrock = s.provider_for(Provider::Bedrock).unwrap();
        assert!(bedrock.supports_tools());
    }

    #[test]
    fn debug_does_not_show_keys() {
        let s = settings(&[("OPENAI_API_KEY", "sk-very-secret")]);
        assert!(!format!("{s:?}").contains("sk-very-secret"));
    }

    fn one_message() -> CompletionRequest {
        CompletionRequest {
            model: "gpt-4o-mini".into(),
            system_prompt: None,
            messages: vec![ChatMessage {
                role: ChatRole::User,
                content: Sensitive::from("hi"),
                tool_calls: vec![],
                tool_call_id: None,
            }],
            tools: vec![],
            temperature: None,
            max_tokens: None,
        }
    }

    #[tokio::test]
    async fn providers_built_from_settings_reach_the_configured_urls() {
        let server = MockServer::start().await;
        let reply = json!({"model": "m", "choices": [{"message": {"content": "ok"}}]});
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(header("authorization", "Bearer sk"))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply.clone()))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/az/openai/deployments/gpt-4o-mini/chat/completions"))
            .and(header("api-key", "az"))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/anthropic/v1/messages"))
            .and(header("x-api-key", "ak"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"model": "c", "content": [{"type": "text", "text": "ok"}]}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
        let base = server.uri();
        let s = LlmSettings::from_vars([
            ("OPENAI_API_KEY", "sk".to_owned()),
            ("OPENAI_BASE_URL", format!("{base}/v1")),
            ("AZURE_OPENAI_API_KEY", "az".to_owned()),
            ("AZURE_OPENAI_ENDPOINT", format!("{base}/az")),
            ("ANTHROPIC_API_KEY", "ak".to_owned()),
            ("ANTHROPIC_BASE_URL", format!("{base}/anthropic")),
            ("ANTHROPIC_MODEL", "claude-3-5-haiku-latest".to_owned()),
        ]);
        for provider in [Provider::Openai, Provider::Azure, Provider::Anthropic] {
            let completion = s
                .provider_for(provider)
                .unwrap()
                .complete(&one_message())
                .await
                .unwrap();
            assert_eq!(completion.text.expose(), "ok", "{provider:?}");
        }
        let requests = server.received_requests().await.unwrap();
        let anthropic_body: serde_json::Value = requests[2].body_json().unwrap();
        assert_eq!(anthropic_body["model"], "claude-3-5-haiku-latest");
    }

    #[tokio::test]
    async fn bedrock_from_settings_honours_the_endpoint_override() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/model/amazon.nova-micro-v1%3A0/converse"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1}
            })))
            .expect(1)
            .mount(&server)
            .await;
        // The SDK's credential chain reads the process environment; no other test uses these.
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDTEST");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
        let s = LlmSettings::from_vars([
            ("BEDROCK_MODEL_ID", "amazon.nova-micro-v1:0".to_owned()),
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.uri()),
            ("AWS_REGION", "eu-west-1".to_owned()),
        ]);
        assert_eq!(s.enabled_providers(), vec![Provider::Bedrock]);
        let completion = s
            .provider_for(Provider::Bedrock)
            .unwrap()
            .complete(&one_message())
            .await
            .unwrap();
        assert_eq!(completion.text.expose(), "ok");
        assert_eq!(completion.model, "amazon.nova-micro-v1:0");
        let signed = server.received_requests().await.unwrap()[0]
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap();
        assert!(signed.contains("/eu-west-1/bedrock/"), "{signed}");
    }
}
