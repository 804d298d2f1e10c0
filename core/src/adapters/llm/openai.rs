//! OpenAI chat completions (`POST {base}/chat/completions`), spoken by OpenAI itself, vLLM, Ollama
//! and other compatible servers, and by Azure OpenAI at
//! `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`.
use super::{decode, send_json};
use crate::domain::sensitive::Sensitive;
use crate::ports::{
    ChatMessage, ChatRole, Completion, CompletionRequest, LlmError, LlmProvider, ToolCall, Usage,
};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

/// Where and how requests are sent.
#[derive(Debug, Clone)]
enum Target {
    /// `Authorization: Bearer` (omitted without a key: local servers often need none).
    OpenAi {
        base_url: String,
        api_key: Option<Sensitive<String>>,
    },
    /// `api-key` header, deployment in the path, `api-version` query parameter.
    Azure {
        endpoint: url::Url,
        api_key: Sensitive<String>,
        api_version: String,
    },
}

/// A provider speaking the OpenAI chat-completions wire format.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    http: reqwest::Client,
    target: Target,
    model_override: Option<String>,
}

impl OpenAiCompatible {
    /// OpenAI or any compatible server. `base_url` includes the version prefix
    /// (`https://api.openai.com/v1`, `http://localhost:11434/v1`). `model_override` (from
    /// `OPENAI_MODEL`) replaces every request's model, for servers that serve one model.
    pub fn openai(
        http: reqwest::Client,
        base_url: impl Into<String>,
        api_key: Option<Sensitive<String>>,
        model_override: Option<String>,
    ) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Self {
            http,
            target: Target::OpenAi { base_url, api_key },
            model_override,
        }
    }

    /// Azure OpenAI. The request's model is the deployment name.
    pub fn azure(
        http: reqwest::Client,
        endpoint: &str,
        api_key: Sensitive<String>,
        api_version: impl Into<String>,
    ) -> Result<Self, LlmError> {
        let endpoint = url::Url::parse(endpoint)
            .map_err(|e| LlmError::NotConfigured(format!("AZURE_OPENAI_ENDPOINT: {e}")))?;
        if endpoint.cannot_be_a_base() {
            return Err(LlmError::NotConfigured(
                "AZURE_OPENAI_ENDPOINT is not a base URL".into(),
            ));
        }
        Ok(Self {
            http,
            target: Target::Azure {
                endpoint,
                api_key,
                api_version: api_version.into(),
            },
            model_override: None,
        })
    }

    fn model<'a>(&'a self, request: &'a CompletionRequest) -> &'a str {
        self.model_override.as_deref().unwrap_or(&request.model)
    }

    fn http_request(&self, model: &str) -> reqwest::RequestBuilder {
        match &self.target {
            Target::OpenAi { base_url, api_key } => {
                let builder = self.http.post(format!("{base_url}/chat/completions"));
                match api_key {
                    Some(key) => builder.bearer_auth(key.expose()),
                    None => builder,
                }
            }
            Target::Azure {
                endpoint,
                api_key,
                api_version,
            } => {
                let mut url = endpoint.clone();
                if let Ok(mut segments) = url.path_segments_mut() {
                    segments.pop_if_empty().extend([
                        "openai",
                        "deployments",
                        model,
                        "chat",
                        "completions",
                    ]);
                }
                url.query_pairs_mut()
                    .append_pair("api-version", api_version);
                self.http.post(url).header("api-key", api_key.expose())
            }
        }
    }
}

#[async_trait]
impl LlmProvider for OpenAiCompatible {
    fn supports_tools(&self) -> bool {
        true
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        let model = self.model(request);
        let body = request_body(model, request);
        let raw = send_json(self.http_request(model).json(&body)).await?;
        parse_response(&raw, model)
    }
}

/// The chat-completions request body.
pub(crate) fn request_body(model: &str, request: &CompletionRequest) -> Value {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if let Some(system) = &request.system_prompt {
        messages.push(json!({"role": "system", "content": system.expose()}));
    }
    messages.extend(request.messages.iter().map(wire_message));

    let mut body = json!({"model": model, "messages": messages});
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.parameters,
                    }
                })
            })
            .collect();
    }
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    if let Some(max_tokens) = request.max_tokens {
        body["max_tokens"] = json!(max_tokens);
    }
    body
}

fn wire_message(message: &ChatMessage) -> Value {
    let text = message.content.expose();
    match message.role {
        ChatRole::System => json!({"role": "system", "content": text}),
        ChatRole::User => json!({"role": "user", "content": text}),
        ChatRole::Assistant if message.tool_calls.is_empty() => {
            json!({"role": "assistant", "content": text})
        }
        ChatRole::Assistant => {
            let calls: Vec<Value> = message
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.call_id,
                        "type": "function",
                        "function": {
                            "name": call.tool_name,
                            // The API carries arguments as a JSON-encoded string.
                            "arguments": call.arguments.to_string(),
                        }
                    })
                })
                .collect();
            let content = if text.is_empty() {
                Value::Null
            } else {
                json!(text)
            };
            json!({"role": "assistant", "content": content, "tool_calls": calls})
        }
        ChatRole::Tool => json!({
            "role": "tool",
            "tool_call_id": message.tool_call_id.as_deref().unwrap_or_default(),
            "content": text,
        }),
    }
}

#[derive(Deserialize)]
struct WireResponse {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<WireChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireChoice {
    message: WireMessage,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<WireToolCall>,
}

#[derive(Deserialize)]
struct WireToolCall {
    id: String,
    function: WireFunction,
}

#[derive(Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default)]
    arguments: String,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

pub(crate) fn parse_response(raw: &[u8], requested_model: &str) -> Result<Completion, LlmError> {
    let response: WireResponse = decode(raw)?;
    let choice = response
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| LlmError::Malformed("response has no choices".into()))?;
    let tool_calls = choice
        .message
        .tool_calls
        .into_iter()
        .map(|call| ToolCall {
            call_id: call.id,
            tool_name: call.function.name,
            arguments: parse_arguments(call.function.arguments),
        })
        .collect();
    let usage = response
        .usage
        .map(|u| Usage {
            input_tokens: u.prompt_tokens,
            output_tokens: u.completion_tokens,
        })
        .unwrap_or_default();
    Ok(Completion {
        text: Sensitive::new(choice.message.content.unwrap_or_default()),
        tool_calls,
        usage,
        model: response.model.unwrap_or_else(|| requested_model.to_owned()),
    })
}

/// Models occasionally emit invalid JSON arguments; the raw string is kept so the tool router can
/// answer the model with an error result instead of failing the whole turn.
fn parse_arguments(raw: String) -> Value {
    if raw.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str(&raw).unwrap_or(Value::String(raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::ToolSpec;
    use std::time::Duration;
    use wiremock::matchers::{body_partial_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }

    fn request() -> CompletionRequest {
        CompletionRequest {
            model: "gpt-4o-mini".into(),
            system_prompt: Some(Sensitive::from("You are terse.")),
            messages: vec![
                ChatMessage::text(ChatRole::User, "My email is [EMAIL]"),
                ChatMessage::text(ChatRole::Assistant, "Noted."),
                ChatMessage::text(ChatRole::User, "What did I say?"),
            ],
            tools: vec![],
            temperature: Some(0.25),
            max_tokens: Some(300),
        }
    }

    fn text_reply(text: &str) -> Value {
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 31, "completion_tokens": 7, "total_tokens": 38}
        })
    }

    #[tokio::test]
    async fn openai_request_shape_and_reply() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(header("authorization", "Bearer sk-test"))
            .and(header("content-type", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("You said [EMAIL].")))
            .expect(1)
            .mount(&server)
            .await;
        let provider = OpenAiCompatible::openai(
            http(),
            format!("{}/v1/", server.uri()),
            Some(Sensitive::from("sk-test")),
            None,
        );

        let completion = provider.complete(&request()).await.unwrap();

        assert_eq!(completion.text.expose(), "You said [EMAIL].");
        assert_eq!(
            completion.usage,
            Usage {
                input_tokens: 31,
                output_tokens: 7
            }
        );
        assert_eq!(completion.model, "gpt-4o-mini-2024-07-18");
        assert!(completion.tool_calls.is_empty());

        let received = &server.received_requests().await.unwrap()[0];
        let body: Value = received.body_json().unwrap();
        assert_eq!(
            body,
            json!({
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "You are terse."},
                    {"role": "user", "content": "My email is [EMAIL]"},
                    {"role": "assistant", "content": "Noted."},
                    {"role": "user", "content": "What did I say?"},
                ],
                "temperature": 0.25,
                "max_tokens": 300,
            })
        );
    }

    #[tokio::test]
    async fn model_override_and_keyless_local_server() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(body_partial_json(json!({"model": "llama3.2"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("hi")))
            .expect(1)
            .mount(&server)
            .await;
        let provider = OpenAiCompatible::openai(
            http(),
            format!("{}/v1", server.uri()),
            None,
            Some("llama3.2".into()),
        );
        provider.complete(&request()).await.unwrap();
        let received = &server.received_requests().await.unwrap()[0];
        assert!(received.headers.get("authorization").is_none());
    }

    #[tokio::test]
    async fn azure_uses_deployment_url_api_version_and_api_key_header() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(
                "/azure/openai/deployments/gpt-4o-mini/chat/completions",
            ))
            .and(query_param("api-version", "2024-10-21"))
            .and(header("api-key", "az-key"))
            .respond_with(ResponseTemplate::new(200).set_body_json(text_reply("from azure")))
            .expect(1)
            .mount(&server)
            .await;
        let provider = OpenAiCompatible::azure(
            http(),
            &format!("{}/azure/", server.uri()),
            Sensitive::from("az-key"),
            "2024-10-21",
        )
        .unwrap();
        let completion = provider.complete(&request()).await.unwrap();
        assert_eq!(completion.text.expose(), "from azure");
        let received = &server.received_requests().await.unwrap()[0];
        assert!(received.headers.get("authorization").is_none());
    }

    #[tokio::test]
    async fn tools_are_offered_and_tool_calls_go_both_ways() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "model": "gpt-4o",
                "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": null,
                    "tool_calls": [{"id": "call_9", "type": "function", "function": {
                        "name": "protegrity-redact", "arguments": "{\"text\":\"[PERSON] lives here\"}"}}]
                }}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 12}
            })))
            .mount(&server)
            .await;
        let provider = OpenAiCompatible::openai(http(), format!("{}/v1", server.uri()), None, None);
        let schema = json!({"type": "object", "properties": {"text": {"type": "string"}},
                            "required": ["text"]});
        let mut req = request();
        req.tools = vec![ToolSpec {
            name: "protegrity-redact".into(),
            description: "Redact PII".into(),
            parameters: schema.clone(),
        }];
        // A follow-up carrying an earlier tool exchange.
        req.messages.push(ChatMessage {
            role: ChatRole::Assistant,
            content: Sensitive::default(),
            tool_calls: vec![ToolCall {
                call_id: "call_1".into(),
                tool_name: "protegrity-classify".into(),
                arguments: json!({"text": "x"}),
            }],
            tool_call_id: None,
        });
        req.messages.push(ChatMessage {
            role: ChatRole::Tool,
            content: Sensitive::from("{\"EMAIL\":1}"),
            tool_calls: vec![],
            tool_call_id: Some("call_1".into()),
        });

        let completion = provider.complete(&req).await.unwrap();

        assert_eq!(completion.text.expose(), "");
        assert_eq!(
            completion.tool_calls,
            vec![ToolCall {
                call_id: "call_9".into(),
                tool_name: "protegrity-redact".into(),
                arguments: json!({"text": "[PERSON] lives here"}),
            }]
        );
        let body: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(
            body["tools"],
            json!([{"type": "function", "function": {
                "name": "protegrity-redact", "description": "Redact PII", "parameters": schema}}])
        );
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(
            messages[messages.len() - 2],
            json!({"role": "assistant", "content": null, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": "protegrity-classify", "arguments": "{\"text\":\"x\"}"}}]})
        );
        assert_eq!(
            messages[messages.len() - 1],
            json!({"role": "tool", "tool_call_id": "call_1", "content": "{\"EMAIL\":1}"})
        );
    }

    async fn error_for(template: ResponseTemplate) -> LlmError {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(template)
            .mount(&server)
            .await;
        let provider = OpenAiCompatible::openai(http(), server.uri(), None, None);
        provider.complete(&request()).await.unwrap_err()
    }

    #[tokio::test]
    async fn errors_are_classified() {
        let throttled = error_for(ResponseTemplate::new(429).set_body_json(
            json!({"error": {"message": "Rate limit reached", "type": "requests"}}),
        ))
        .await;
        assert_eq!(throttled.error_type(), "ProviderThrottled");

        let unavailable = error_for(ResponseTemplate::new(500)).await;
        assert_eq!(unavailable.error_type(), "ProviderUnavailable");

        let rejected = error_for(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"message": "Invalid value for 'model'", "type": "invalid_request_error"}
        })))
        .await;
        assert_eq!(rejected.error_type(), "ProviderRejected");
        assert!(rejected.to_string().contains("Invalid value for 'model'"));

        let garbage =
            error_for(ResponseTemplate::new(200).set_body_string("<html>oops</html>")).await;
        assert_eq!(garbage.error_type(), "ProviderMalformed");

        let no_choices =
            error_for(ResponseTemplate::new(200).set_body_json(json!({"choices": []}))).await;
        assert_eq!(no_choices.error_type(), "ProviderMalformed");
    }

    #[tokio::test]
    async fn timeouts_and_refused_connections_are_unavailable() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(text_reply("late"))
                    .set_delay(Duration::from_secs(3)),
            )
            .mount(&server)
            .await;
        let short = reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let provider = OpenAiCompatible::openai(short, server.uri(), None, None);
        let error = provider.complete(&request()).await.unwrap_err();
        assert_eq!(error.error_type(), "ProviderUnavailable");

        // Nothing listens on the port of a dropped listener.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let provider =
            OpenAiCompatible::openai(http(), format!("http://127.0.0.1:{port}/v1"), None, None);
        let error = provider.complete(&request()).await.unwrap_err();
        assert_eq!(error.error_type(), "ProviderUnavailable");
    }

    #[test]
    fn invalid_tool_arguments_are_kept_as_text() {
        assert_eq!(parse_arguments("{oops".into()), json!("{oops"));
        assert_eq!(parse_arguments(String::new()), json!({}));
    }
}
