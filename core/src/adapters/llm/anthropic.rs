//! Anthropic Messages API (`POST {base}/v1/messages`, `x-api-key`, `anthropic-version`).
use super::{decode, send_json};
use crate::domain::sensitive::Sensitive;
use crate::ports::{
    ChatMessage, ChatRole, Completion, CompletionRequest, LlmError, LlmProvider, ToolCall, Usage,
};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

/// The API version this adapter speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The Messages API requires `max_tokens`; used when the agent sets none.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

#[derive(Debug, Clone)]
pub struct Anthropic {
    http: reqwest::Client,
    base_url: String,
    api_key: Sensitive<String>,
    model_override: Option<String>,
}

impl Anthropic {
    /// `base_url` without the version (`https://api.anthropic.com`). `model_override` comes from
    /// `ANTHROPIC_MODEL` and replaces every request's model.
    pub fn new(
        http: reqwest::Client,
        base_url: impl Into<String>,
        api_key: Sensitive<String>,
        model_override: Option<String>,
    ) -> Self {
        Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key,
            model_override,
        }
    }
}

#[async_trait]
impl LlmProvider for Anthropic {
    fn supports_tools(&self) -> bool {
        true
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        let model = self.model_override.as_deref().unwrap_or(&request.model);
        let body = request_body(model, request);
        let http_request = self
            .http
            .post(format!("{}/v1/messages", self.base_url))
            .header("x-api-key", self.api_key.expose())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(&body);
        let raw = send_json(http_request).await?;
        parse_response(&raw, model)
    }
}

/// The Messages request body. System text goes top-level; consecutive messages of one role are
/// merged (tool results answering one assistant turn must share a single user message).
pub(crate) fn request_body(model: &str, request: &CompletionRequest) -> Value {
    let mut system: Vec<&str> = request
        .system_prompt
        .iter()
        .map(|s| s.expose().as_str())
        .collect();
    let mut messages: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in &request.messages {
        if message.role == ChatRole::System {
            system.push(message.content.expose());
            continue;
        }
        let (role, blocks) = content_blocks(message);
        if blocks.is_empty() {
            continue;
        }
        match messages.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => messages.push((role, blocks)),
        }
    }
    // The conversation must open with a user turn; an opening assistant turn (e.g. a greeting
    // stored through the messages API) would make the whole request fail.
    let messages: Vec<Value> = messages
        .into_iter()
        .skip_while(|(role, _)| *role == "assistant")
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();

    let mut body = json!({
        "model": model,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
    });
    let system: Vec<&str> = system.into_iter().filter(|s| !s.is_empty()).collect();
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "name": tool.name,
                    "description": tool.description,
                    "input_schema": tool.parameters,
                })
            })
            .collect();
    }
    if let Some(temperature) = request.temperature {
        body["temperature"] = json!(temperature);
    }
    body
}

fn content_blocks(message: &ChatMessage) -> (&'static str, Vec<Value>) {
    let text = message.content.expose();
    // The API rejects empty text blocks.
    let text_block = (!text.is_empty()).then(|| json!({"type": "text", "text": text}));
    match message.role {
        ChatRole::Tool => (
            "user",
            vec![json!({
                "type": "tool_result",
                "tool_use_id": message.tool_call_id.as_deref().unwrap_or_default(),
                "content": text,
            })],
        ),
        ChatRole::Assistant => {
            let mut blocks: Vec<Value> = text_block.into_iter().collect();
            blocks.extend(message.tool_calls.iter().map(|call| {
                json!({
                    "type": "tool_use",
                    "id": call.call_id,
                    "name": call.tool_name,
                    "input": tool_input(&call.arguments),
                })
            }));
            ("assistant", blocks)
        }
        ChatRole::User | ChatRole::System => ("user", text_block.into_iter().collect()),
    }
}

/// `input` must be an object; arguments a model produced as anything else are wrapped.
fn tool_input(arguments: &Value) -> Value {
    if arguments.is_object() {
        arguments.clone()
    } else {
        json!({"value": arguments})
    }
}

#[derive(Deserialize)]
struct WireResponse {
    #[serde(default)]
    model: Option<String>,
    content: Vec<WireBlock>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    /// Thinking and future block types carry nothing the turn uses.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

pub(crate) fn parse_response(raw: &[u8], requested_model: &str) -> Result<Completion, LlmError> {
    let response: WireResponse = decode(raw)?;
    let mut texts = Vec::new();
    let mut tool_calls = Vec::new();
    for block in response.content {
        match block {
            WireBlock::Text { text } => texts.push(text),
            WireBlock::ToolUse { id, name, input } => tool_calls.push(ToolCall {
                call_id: id,
                tool_name: name,
                arguments: input,
            }),
            WireBlock::Other => {}
        }
    }
    let usage = response
        .usage
        .map(|u| Usage {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
        })
        .unwrap_or_default();
    Ok(Completion {
        text: Sensitive::new(texts.concat()),
        tool_calls,
        usage,
        model: response.model.unwrap_or_else(|| requested_model.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::ToolSpec;
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn provider(server: &MockServer) -> Anthropic {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Anthropic::new(http, server.uri(), Sensitive::from("ak-test"), None)
    }

    fn request() -> CompletionRequest {
        CompletionRequest {
            model: "claude-3-5-haiku-latest".into(),
            system_prompt: Some(Sensitive::from("Be brief.")),
            messages: vec![
                ChatMessage::text(ChatRole::User, "Hello, I am [PERSON]"),
                ChatMessage::text(ChatRole::Assistant, "Hi!"),
                ChatMessage::text(ChatRole::User, "Repeat my name"),
            ],
            tools: vec![],
            temperature: None,
            max_tokens: None,
        }
    }

    #[tokio::test]
    async fn request_shape_and_reply() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .and(header("x-api-key", "ak-test"))
            .and(header("anthropic-version", ANTHROPIC_VERSION))
            .and(header("content-type", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "msg_1", "type": "message", "role": "assistant",
                "model": "claude-3-5-haiku-20241022",
                "content": [{"type": "text", "text": "Your name is "}, {"type": "text", "text": "[PERSON]."}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 20, "output_tokens": 6}
            })))
            .expect(1)
            .mount(&server)
            .await;

        let completion = provider(&server).complete(&request()).await.unwrap();

        assert_eq!(completion.text.expose(), "Your name is [PERSON].");
        assert_eq!(completion.model, "claude-3-5-haiku-20241022");
        assert_eq!(
            completion.usage,
            Usage {
                input_tokens: 20,
                output_tokens: 6
            }
        );
        let body: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(
            body,
            json!({
                "model": "claude-3-5-haiku-latest",
                "max_tokens": DEFAULT_MAX_TOKENS,
                "system": "Be brief.",
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "Hello, I am [PERSON]"}]},
                    {"role": "assistant", "content": [{"type": "text", "text": "Hi!"}]},
                    {"role": "user", "content": [{"type": "text", "text": "Repeat my name"}]},
                ]
            })
        );
    }

    #[tokio::test]
    async fn tools_tool_use_and_tool_results() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "model": "claude-3-5-sonnet-latest",
                "content": [
                    {"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "toolu_2", "name": "protegrity-classify",
                     "input": {"text": "[EMAIL]"}}
                ],
                "stop_reason": "tool_use",
                "usage": {"input_tokens": 80, "output_tokens": 30}
            })))
            .mount(&server)
            .await;
        let schema = json!({"type": "object", "properties": {"text": {"type": "string"}}});
        let mut req = request();
        req.temperature = Some(0.5);
        req.max_tokens = Some(512);
        req.tools = vec![ToolSpec {
            name: "protegrity-classify".into(),
            description: "Find PII".into(),
            parameters: schema.clone(),
        }];
        req.messages.push(ChatMessage {
            role: ChatRole::Assistant,
            content: Sensitive::default(),
            tool_calls: vec![
                ToolCall {
                    call_id: "toolu_a".into(),
                    tool_name: "protegrity-redact".into(),
                    arguments: json!({"text": "a"}),
                },
                ToolCall {
                    call_id: "toolu_b".into(),
                    tool_name: "protegrity-redact".into(),
                    arguments: json!({"text": "b"}),
                },
            ],
            tool_call_id: None,
        });
        for (id, out) in [("toolu_a", "ra"), ("toolu_b", "rb")] {
            req.messages.push(ChatMessage {
                role: ChatRole::Tool,
                content: Sensitive::from(out),
                tool_calls: vec![],
                tool_call_id: Some(id.into()),
            });
        }

        let completion = provider(&server).complete(&req).await.unwrap();

        assert_eq!(completion.text.expose(), "Let me check.");
        assert_eq!(
            completion.tool_calls,
            vec![ToolCall {
                call_id: "toolu_2".into(),
                tool_name: "protegrity-classify".into(),
                arguments: json!({"text": "[EMAIL]"}),
            }]
        );
        let body: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(body["max_tokens"], 512);
        assert_eq!(body["temperature"], 0.5);
        assert_eq!(
            body["tools"],
            json!([{"name": "protegrity-classify", "description": "Find PII", "input_schema": schema}])
        );
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(
            messages[3],
            json!({"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_a", "name": "protegrity-redact", "input": {"text": "a"}},
                {"type": "tool_use", "id": "toolu_b", "name": "protegrity-redact", "input": {"text": "b"}},
            ]})
        );
        // Both results in one user message, as the API requires.
        assert_eq!(
            messages[4],
            json!({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_a", "content": "ra"},
                {"type": "tool_result", "tool_use_id": "toolu_b", "content": "rb"},
            ]})
        );
        assert_eq!(messages.len(), 5);
    }

    async fn error_for(template: ResponseTemplate) -> LlmError {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(template)
            .mount(&server)
            .await;
        provider(&server).complete(&request()).await.unwrap_err()
    }

    #[tokio::test]
    async fn errors_are_classified() {
        let err = |kind: &str, message: &str| json!({"type": "error", "error": {"type": kind, "message": message}});
        let throttled = error_for(
            ResponseTemplate::new(429).set_body_json(err("rate_limit_error", "slow down")),
        )
        .await;
        assert_eq!(throttled.error_type(), "ProviderThrottled");
        let overloaded = error_for(
            ResponseTemplate::new(529).set_body_json(err("overloaded_error", "Overloaded")),
        )
        .await;
        assert_eq!(overloaded.error_type(), "ProviderUnavailable");
        let server_error = error_for(ResponseTemplate::new(500)).await;
        assert_eq!(server_error.error_type(), "ProviderUnavailable");
        let rejected = error_for(
            ResponseTemplate::new(401)
                .set_body_json(err("authentication_error", "invalid x-api-key")),
        )
        .await;
        assert_eq!(rejected.error_type(), "ProviderRejected");
        assert!(rejected.to_string().contains("authentication_error"));
        let garbage =
            error_for(ResponseTemplate::new(200).set_body_string("{\"content\": 5")).await;
        assert_eq!(garbage.error_type(), "ProviderMalformed");
    }

    #[test]
    fn opening_assistant_turns_are_left_out() {
        let mut req = request();
        req.messages
            .insert(0, ChatMessage::text(ChatRole::Assistant, "Welcome!"));
        let body = request_body("m", &req);
        assert_eq!(body["messages"][0]["role"], "user");
        assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn system_messages_join_the_top_level_system_prompt() {
        let mut req = request();
        req.messages
            .insert(0, ChatMessage::text(ChatRole::System, "Context: tests."));
        let body = request_body("m", &req);
        assert_eq!(body["system"], "Be brief.\n\nContext: tests.");
        assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    }
}
