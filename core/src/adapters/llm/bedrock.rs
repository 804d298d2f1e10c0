//! Amazon Bedrock Converse through `aws-sdk-bedrockruntime`. The SDK's own configuration chain
//! supplies credentials and region; `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` points it elsewhere (tests).
use crate::domain::sensitive::Sensitive;
use crate::ports::{
    ChatMessage, ChatRole, Completion, CompletionRequest, LlmError, LlmProvider, ToolCall, Usage,
};
use async_trait::async_trait;
use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseOutput, InferenceConfiguration, Message,
    SystemContentBlock, Tool, ToolConfiguration, ToolInputSchema, ToolResultBlock,
    ToolResultContentBlock, ToolSpecification, ToolUseBlock,
};
use aws_sdk_bedrockruntime::Client;
use aws_smithy_types::{Document, Number};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Region used when neither the settings nor the SDK's chain name one (local runs).
const FALLBACK_REGION: &str = "us-east-1";

/// How to build the SDK client on first use (loading AWS configuration is async).
#[derive(Debug, Clone)]
struct ClientSettings {
    endpoint_url: Option<String>,
    region: Option<String>,
    timeout: Duration,
}

#[derive(Debug)]
pub struct Bedrock {
    client: OnceCell<Client>,
    settings: ClientSettings,
    model_override: Option<String>,
}

impl Bedrock {
    /// Builds the SDK client from the AWS configuration chain on the first call. `endpoint_url`
    /// overrides the service endpoint (it also comes from `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
    /// through the chain); `model_override` (`BEDROCK_MODEL_ID`) replaces every request's model.
    pub fn new(
        endpoint_url: Option<String>,
        region: Option<String>,
        timeout: Duration,
        model_override: Option<String>,
    ) -> Self {
        Self {
            client: OnceCell::new(),
            settings: ClientSettings {
                endpoint_url,
                region,
                timeout,
            },
            model_override,
        }
    }

    /// Uses a ready client (tests, or callers that share one).
    pub fn with_client(client: Client, model_override: Option<String>) -> Self {
        Self {
            client: OnceCell::new_with(Some(client)),
            settings: ClientSettings {
                endpoint_url: None,
                region: None,
                timeout: Duration::ZERO,
            },
            model_override,
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| build_client(self.settings.clone()))
            .await
    }
}

async fn build_client(settings: ClientSettings) -> Client {
    use aws_config::meta::region::RegionProviderChain;
    use aws_sdk_bedrockruntime::config::Region;

    let region = RegionProviderChain::first_try(settings.region.map(Region::new))
        .or_default_provider()
        .or_else(Region::from_static(FALLBACK_REGION));
    let shared = crate::config::aws_loader().region(region).load().await;
    let mut config = aws_sdk_bedrockruntime::config::Builder::from(&shared)
        // The state machine retries with backoff and then falls back; SDK retries would only
        // multiply the wait.
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(settings.timeout)
                .build(),
        );
    if let Some(url) = settings.endpoint_url {
        config = config.endpoint_url(url);
    }
    Client::from_conf(config.build())
}

#[async_trait]
impl LlmProvider for Bedrock {
    fn supports_tools(&self) -> bool {
        true
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        let model = self
            .model_override
            .as_deref()
            .unwrap_or(&request.model)
            .to_owned();
        let (system, messages) = conversation(request)?;
        let mut inference = InferenceConfiguration::builder();
        if let Some(max_tokens) = request.max_tokens {
            inference = inference.max_tokens(i32::try_from(max_tokens).unwrap_or(i32::MAX));
        }
        if let Some(temperature) = request.temperature {
            inference = inference.temperature(temperature);
        }
        let call = self
            .client()
            .await
            .converse()
            .model_id(&model)
            .set_system((!system.is_empty()).then_some(system))
            .set_messages(Some(messages))
            .inference_config(inference.build())
            .set_tool_config(tool_config(request)?);
        let output = call.send().await.map_err(map_error)?;

        let usage = output
            .usage()
            .map(|u| Usage {
                input_tokens: u64::try_from(u.input_tokens()).unwrap_or(0),
                output_tokens: u64::try_from(u.output_tokens()).unwrap_or(0),
            })
            .unwrap_or_default();
        let Some(ConverseOutput::Message(message)) = output.output() else {
            return Err(LlmError::Malformed("converse answer has no message".into()));
        };
        let mut texts = Vec::new();
        let mut tool_calls = Vec::new();
        for block in message.content() {
            match block {
                ContentBlock::Text(text) => texts.push(text.as_str()),
                ContentBlock::ToolUse(tool_use) => tool_calls.push(ToolCall {
                    call_id: tool_use.tool_use_id().to_owned(),
                    tool_name: tool_use.name().to_owned(),
                    arguments: from_document(tool_use.input()),
                }),
                _ => {}
            }
        }
        Ok(Completion {
            text: Sensitive::new(texts.concat()),
            tool_calls,
            usage,
            // Converse does not report a model name.
            model,
        })
    }
}

fn invalid(error: impl std::fmt::Display) -> LlmError {
    LlmError::Rejected(format!("invalid converse request: {error}"))
}

/// System blocks and alternating messages; consecutive messages of one role are merged (tool
/// results answering one assistant turn share a single user message).
fn conversation(
    request: &CompletionRequest,
) -> Result<(Vec<SystemContentBlock>, Vec<Message>), LlmError> {
    let mut system: Vec<SystemContentBlock> = request
        .system_prompt
        .iter()
        .filter(|s| !s.expose().is_empty())
        .map(|s| SystemContentBlock::Text(s.expose().clone()))
        .collect();
    let mut turns: Vec<(ConversationRole, Vec<ContentBlock>)> = Vec::new();
    for message in &request.messages {
        if message.role == ChatRole::System {
            if !message.content.expose().is_empty() {
                system.push(SystemContentBlock::Text(message.content.expose().clone()));
            }
            continue;
        }
        let (role, blocks) = content_blocks(message)?;
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    // Converse requires the conversation to open with a user turn; an opening assistant turn
    // (e.g. a greeting stored through the messages API) would make the whole request fail.
    let messages = turns
        .into_iter()
        .skip_while(|(role, _)| *role == ConversationRole::Assistant)
        .map(|(role, content)| {
            Message::builder()
                .role(role)
                .set_content(Some(content))
                .build()
                .map_err(invalid)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((system, messages))
}

fn content_blocks(
    message: &ChatMessage,
) -> Result<(ConversationRole, Vec<ContentBlock>), LlmError> {
    let text = message.content.expose();
    // Converse rejects blank text blocks.
    let text_block = (!text.is_empty()).then(|| ContentBlock::Text(text.clone()));
    Ok(match message.role {
        ChatRole::Tool => {
            let result = ToolResultBlock::builder()
                .tool_use_id(message.tool_call_id.as_deref().unwrap_or_default())
                .content(ToolResultContentBlock::Text(text.clone()))
                .build()
                .map_err(invalid)?;
            (
                ConversationRole::User,
                vec![ContentBlock::ToolResult(result)],
            )
        }
        ChatRole::Assistant => {
            let mut blocks: Vec<ContentBlock> = text_block.into_iter().collect();
            for call in &message.tool_calls {
                let tool_use = ToolUseBlock::builder()
                    .tool_use_id(&call.call_id)
                    .name(&call.tool_name)
                    .input(to_document(&call.arguments))
                    .build()
                    .map_err(invalid)?;
                blocks.push(ContentBlock::ToolUse(tool_use));
            }
            (ConversationRole::Assistant, blocks)
        }
        ChatRole::User | ChatRole::System => {
            (ConversationRole::User, text_block.into_iter().collect())
        }
    })
}

fn tool_config(request: &CompletionRequest) -> Result<Option<ToolConfiguration>, LlmError> {
    if request.tools.is_empty() {
        return Ok(None);
    }
    let mut config = ToolConfiguration::builder();
    for tool in &request.tools {
        let spec = ToolSpecification::builder()
            .name(&tool.name)
            .description(&tool.description)
            .input_schema(ToolInputSchema::Json(to_document(&tool.parameters)))
            .build()
            .map_err(invalid)?;
        config = config.tools(Tool::ToolSpec(spec));
    }
    config.build().map(Some).map_err(invalid)
}

fn map_error(error: SdkError<ConverseError>) -> LlmError {
    match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.into_err();
            let detail = format!(
                "HTTP {status} {}: {}",
                err.code().unwrap_or("unknown"),
                super::shorten(err.message().unwrap_or_default(), super::MAX_ERROR_DETAIL)
            );
            match err {
                ConverseError::ThrottlingException(_) => LlmError::Throttled,
                ConverseError::ServiceUnavailableException(_)
                | ConverseError::InternalServerException(_)
                | ConverseError::ModelNotReadyException(_)
                | ConverseError::ModelTimeoutException(_) => LlmError::Unavailable(detail),
                ConverseError::ValidationException(_)
                | ConverseError::AccessDeniedException(_)
                | ConverseError::ResourceNotFoundException(_)
                | ConverseError::ModelErrorException(_) => LlmError::Rejected(detail),
                // A 2xx the SDK could not decode arrives as an unhandled service error.
                _ if (200..300).contains(&status) => {
                    LlmError::Malformed("undecodable converse answer".into())
                }
                _ if status == 429 => LlmError::Throttled,
                _ if status >= 500 => LlmError::Unavailable(detail),
                _ => LlmError::Rejected(detail),
            }
        }
        SdkError::TimeoutError(_) => LlmError::Unavailable("timed out".into()),
        SdkError::DispatchFailure(failure) => {
            LlmError::Unavailable(format!("connection failed: {failure:?}"))
        }
        SdkError::ResponseError(_) => LlmError::Malformed("undecodable converse answer".into()),
        SdkError::ConstructionFailure(_) => {
            LlmError::Rejected("request construction failed".into())
        }
        other => LlmError::Unavailable(format!("{other}")),
    }
}

fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect(),
        ),
    }
}

fn from_document(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(from_document).collect()),
        Document::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), from_document(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::ToolSpec;
    use aws_sdk_bedrockruntime::config::{BehaviorVersion, Credentials, Region};
    use serde_json::json;
    use wiremock::matchers::{header_exists, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const MODEL: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
    const MODEL_PATH: &str = "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";

    fn provider(server: &MockServer) -> Bedrock {
        let config = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .endpoint_url(server.uri())
            .http_client(crate::config::https_client())
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(Duration::from_secs(5))
                    .build(),
            )
            .build();
        Bedrock::with_client(Client::from_conf(config), None)
    }

    fn request() -> CompletionRequest {
        CompletionRequest {
            model: MODEL.into(),
            system_prompt: Some(Sensitive::from("Answer briefly.")),
            messages: vec![ChatMessage::text(
                ChatRole::User,
                "Where does [PERSON] live?",
            )],
            tools: vec![],
            temperature: Some(0.5),
            max_tokens: Some(256),
        }
    }

    fn converse_reply(content: Value) -> Value {
        json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 12, "outputTokens": 9, "totalTokens": 21},
            "metrics": {"latencyMs": 100}
        })
    }

    #[tokio::test]
    async fn converse_request_shape_and_reply() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(MODEL_PATH))
            .and(header_exists("authorization"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(converse_reply(json!([{"text": "I cannot know that."}]))),
            )
            .expect(1)
            .mount(&server)
            .await;

        let completion = provider(&server).complete(&request()).await.unwrap();

        assert_eq!(completion.text.expose(), "I cannot know that.");
        assert_eq!(
            completion.usage,
            Usage {
                input_tokens: 12,
                output_tokens: 9
            }
        );
        assert_eq!(completion.model, MODEL);
        let body: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(body["system"], json!([{"text": "Answer briefly."}]));
        assert_eq!(
            body["messages"],
            json!([{"role": "user", "content": [{"text": "Where does [PERSON] live?"}]}])
        );
        assert_eq!(body["inferenceConfig"]["maxTokens"], 256);
        assert_eq!(body["inferenceConfig"]["temperature"], 0.5);
        assert!(body.get("toolConfig").is_none());
    }

    #[tokio::test]
    async fn tool_config_tool_use_and_tool_results() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(MODEL_PATH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(converse_reply(json!([
                    {"text": "Checking."},
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "protegrity-guardrails",
                                 "input": {"text": "[EMAIL]", "depth": 2}}}
                ]))),
            )
            .mount(&server)
            .await;
        let schema = json!({"type": "object", "properties": {"text": {"type": "string"}}});
        let mut req = request();
        req.tools = vec![ToolSpec {
            name: "protegrity-guardrails".into(),
            description: "Score risk".into(),
            parameters: schema.clone(),
        }];
        req.messages.push(ChatMessage {
            role: ChatRole::Assistant,
            content: Sensitive::from("Let me look."),
            tool_calls: vec![ToolCall {
                call_id: "tooluse_0".into(),
                tool_name: "protegrity-redact".into(),
                arguments: json!({"text": "t", "n": -1, "f": 1.5, "ok": true}),
            }],
            tool_call_id: None,
        });
        req.messages.push(ChatMessage {
            role: ChatRole::Tool,
            content: Sensitive::from("redacted: [PERSON]"),
            tool_calls: vec![],
            tool_call_id: Some("tooluse_0".into()),
        });

        let completion = provider(&server).complete(&req).await.unwrap();

        assert_eq!(completion.text.expose(), "Checking.");
        assert_eq!(
            completion.tool_calls,
            vec![ToolCall {
                call_id: "tooluse_1".into(),
                tool_name: "protegrity-guardrails".into(),
                arguments: json!({"text": "[EMAIL]", "depth": 2}),
            }]
        );
        let body: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(
            body["toolConfig"],
            json!({"tools": [{"toolSpec": {"name": "protegrity-guardrails",
                "description": "Score risk", "inputSchema": {"json": schema}}}]})
        );
        assert_eq!(
            body["messages"][1],
            json!({"role": "assistant", "content": [
                {"text": "Let me look."},
                {"toolUse": {"toolUseId": "tooluse_0", "name": "protegrity-redact",
                             "input": {"text": "t", "n": -1, "f": 1.5, "ok": true}}}
            ]})
        );
        assert_eq!(
            body["messages"][2],
            json!({"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_0",
                "content": [{"text": "redacted: [PERSON]"}]}}]})
        );
    }

    async fn error_for(template: ResponseTemplate) -> LlmError {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(template)
            .mount(&server)
            .await;
        provider(&server).complete(&request()).await.unwrap_err()
    }

    fn aws_error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
        ResponseTemplate::new(status)
            .insert_header("x-amzn-ErrorType", kind)
            .set_body_json(json!({"message": message}))
    }

    #[tokio::test]
    async fn errors_are_classified() {
        let throttled = error_for(aws_error(429, "ThrottlingException", "Too many requests")).await;
        assert_eq!(throttled.error_type(), "ProviderThrottled");
        let unavailable =
            error_for(aws_error(503, "ServiceUnavailableException", "try later")).await;
        assert_eq!(unavailable.error_type(), "ProviderUnavailable");
        let internal = error_for(ResponseTemplate::new(500)).await;
        assert_eq!(internal.error_type(), "ProviderUnavailable");
        let rejected = error_for(aws_error(400, "ValidationException", "bad model id")).await;
        assert_eq!(rejected.error_type(), "ProviderRejected");
        assert!(rejected.to_string().contains("bad model id"));
        let denied = error_for(aws_error(403, "AccessDeniedException", "no access")).await;
        assert_eq!(denied.error_type(), "ProviderRejected");
        let garbage = error_for(ResponseTemplate::new(200).set_body_string("not json")).await;
        assert_eq!(garbage.error_type(), "ProviderMalformed");
    }

    #[test]
    fn opening_assistant_turns_are_left_out() {
        let mut req = request();
        req.messages
            .insert(0, ChatMessage::text(ChatRole::Assistant, "Welcome!"));
        let (_, messages) = conversation(&req).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].role(), &ConversationRole::User);
    }

    #[test]
    fn documents_round_trip() {
        let value = json!({"a": [1, -2, 2.5, "s", null, true], "b": {"c": {}}});
        assert_eq!(from_document(&to_document(&value)), value);
    }
}
