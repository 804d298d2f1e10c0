//! fake-llm: a stand-in for the OpenAI, Azure OpenAI and Anthropic HTTP APIs that records every
//! request it receives, so integration tests can check what the stack sent to a model.
//!
//! Start: `fake-llm [--port N] [--host H]` (port also from `FAKE_LLM_PORT`; default 9300, host
//! 127.0.0.1; port 0 picks a free one). It prints `fake-llm listening on http://HOST:PORT` once
//! ready and runs until killed.
//!
//! Provider endpoints (the prefix before the API path is free, so one fake serves all three):
//! - OpenAI chat completions: `POST /openai/v1/chat/completions`
//!   (`OPENAI_BASE_URL=http://127.0.0.1:9300/openai/v1`)
//! - Azure OpenAI: `POST /azure/openai/deployments/{deployment}/chat/completions?api-version=…`
//!   (`AZURE_OPENAI_ENDPOINT=http://127.0.0.1:9300/azure`)
//! - Anthropic Messages: `POST /anthropic/v1/messages`
//!   (`ANTHROPIC_BASE_URL=http://127.0.0.1:9300/anthropic`)
//!
//! A path containing `/deployments/` and ending in `/chat/completions` is Azure, any other path
//! ending in `/chat/completions` is OpenAI, a path ending in `/messages` is Anthropic.
//!
//! Control endpoints:
//! - `GET /__health` → `{"status":"ok"}`
//! - `GET /__requests` → every recorded provider request, oldest first:
//!   `[{"seq","api","method","path","query","headers":{lower-case name: value},"body"}]`
//!   (`body` is the JSON body, or a string when it was not JSON)
//! - `DELETE /__requests` → forget the recordings
//! - `GET /__scenario` → the current scenario
//! - `POST /__scenario` `{"openai"?,"azure"?,"anthropic"?,"all"?: BEHAVIOUR, "slow_seconds"?: N}`
//!   → replace the scenario (per API, `all` for the rest); `DELETE /__scenario` → back to normal
//!   (also forgets which `-once` failures were already given)
//!
//! BEHAVIOUR: `ok`, `429-once`, `500-once` (first matching request fails, later ones succeed),
//! `429-always`, `500-always`, `400-always`, `garbage` (200 with a body that is not JSON),
//! `slow` (answers after `slow_seconds`, default 30).
//!
//! Markers in the last user message pick behaviour per turn (a marker wins over the scenario):
//! - `[[fail:BEHAVIOUR]]`, or `[[fail:API:BEHAVIOUR]]` to fail only at `openai`, `azure` or
//!   `anthropic` (e.g. `[[fail:openai:500-always]]`: the OpenAI call fails, a fallback to
//!   Anthropic answers). A `-once` marker fails the first request per API with that exact last
//!   user message, so retries of the same turn succeed; vary the text to fail again.
//! - `[[tool:NAME]]`: answer with a call of tool NAME if the request offers it (every required
//!   string argument, or `text` when none is required, gets the message without its markers);
//!   when NAME is not offered the reply is `Tool NAME was not offered.`. When the request ends
//!   with tool results, the reply is one line `Tool NAME returned: RESULT` per result.
//! - `[[reply:TEXT]]`: reply with exactly TEXT (TEXT may not contain `]]`).
//! - `[[echo:system]]`: reply with the request's system prompt (a model leaking its
//!   instructions, without the prompt having to quote them).
//!
//! Default reply: `You said: "<last user message>"`, quoting exactly the text the model received.
//! Usage tokens are whitespace-separated word counts.
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const DEFAULT_PORT: u16 = 9300;
const DEFAULT_SLOW_SECONDS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Api {
    Openai,
    Azure,
    Anthropic,
}

impl Api {
    fn from_path(path: &str) -> Option<Api> {
        if path.ends_with("/chat/completions") {
            Some(if path.contains("/deployments/") {
                Api::Azure
            } else {
                Api::Openai
            })
        } else if path.ends_with("/messages") {
            Some(Api::Anthropic)
        } else {
            None
        }
    }

    fn from_name(name: &str) -> Option<Api> {
        match name {
            "openai" => Some(Api::Openai),
            "azure" => Some(Api::Azure),
            "anthropic" => Some(Api::Anthropic),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Behaviour {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "429-once")]
    ThrottleOnce,
    #[serde(rename = "500-once")]
    ErrorOnce,
    #[serde(rename = "429-always")]
    ThrottleAlways,
    #[serde(rename = "500-always")]
    ErrorAlways,
    #[serde(rename = "400-always")]
    RejectAlways,
    #[serde(rename = "garbage")]
    Garbage,
    #[serde(rename = "slow")]
    Slow,
}

impl Behaviour {
    fn parse(name: &str) -> Option<Behaviour> {
        serde_json::from_value(Value::String(name.to_owned())).ok()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scenario {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    openai: Option<Behaviour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    azure: Option<Behaviour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anthropic: Option<Behaviour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Behaviour>,
    #[serde(default = "default_slow_seconds")]
    slow_seconds: u64,
}

fn default_slow_seconds() -> u64 {
    DEFAULT_SLOW_SECONDS
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            openai: None,
            azure: None,
            anthropic: None,
            all: None,
            slow_seconds: DEFAULT_SLOW_SECONDS,
        }
    }
}

impl Scenario {
    fn behaviour(&self, api: Api) -> Option<Behaviour> {
        let specific = match api {
            Api::Openai => self.openai,
            Api::Azure => self.azure,
            Api::Anthropic => self.anthropic,
        };
        specific.or(self.all)
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Value>,
    scenario: Scenario,
    /// `-once` failures already given: scenario ones by API, marker ones by API + message.
    failed_once: HashSet<String>,
    seq: u64,
}

/// The whole fake: one catch-all responder over shared state.
#[derive(Clone, Default)]
struct FakeLlm {
    state: Arc<Mutex<State>>,
}

impl Respond for FakeLlm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        // A panic elsewhere must not take the fake down with a poisoned lock.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        respond(&mut state, request)
    }
}

fn respond(state: &mut State, request: &Request) -> ResponseTemplate {
    let path = request.url.path();
    let method = request.method.as_str();
    match (method, path) {
        ("GET", "/__health") => {
            return ResponseTemplate::new(200).set_body_json(json!({"status": "ok"}))
        }
        ("GET", "/__requests") => return ResponseTemplate::new(200).set_body_json(&state.requests),
        ("DELETE", "/__requests") => {
            state.requests.clear();
            return ResponseTemplate::new(204);
        }
        ("GET", "/__scenario") => return ResponseTemplate::new(200).set_body_json(&state.scenario),
        ("POST", "/__scenario") => {
            return match serde_json::from_slice::<Scenario>(&request.body) {
                Ok(scenario) => {
                    state.scenario = scenario;
                    state.failed_once.clear();
                    ResponseTemplate::new(200).set_body_json(&state.scenario)
                }
                Err(e) => ResponseTemplate::new(400).set_body_json(json!({"error": e.to_string()})),
            };
        }
        ("DELETE", "/__scenario") => {
            state.scenario = Scenario::default();
            state.failed_once.clear();
            return ResponseTemplate::new(204);
        }
        _ => {}
    }

    state.seq += 1;
    let seq = state.seq;
    let api = Api::from_path(path);
    state.requests.push(record(seq, api, request));
    let Some(api) = api else {
        return ResponseTemplate::new(404)
            .set_body_json(json!({"error": {"message": "fake-llm: unknown path"}}));
    };
    if method != "POST" {
        return error_response(api, 405, "method not allowed");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return error_response(api, 400, "body is not JSON");
    };
    let view = View::of(api, &body);

    let marker = fail_marker(&view.last_user, api);
    let (behaviour, once_key) = match marker {
        Some(b) => (b, format!("{api:?}|{b:?}|{}", view.last_user)),
        None => match state.scenario.behaviour(api) {
            Some(b) => (b, format!("{api:?}|{b:?}|scenario")),
            None => (Behaviour::Ok, String::new()),
        },
    };
    let mut delay = None;
    match behaviour {
        Behaviour::Ok => {}
        Behaviour::ThrottleOnce | Behaviour::ErrorOnce => {
            if state.failed_once.insert(once_key) {
                let status = if behaviour == Behaviour::ThrottleOnce {
                    429
                } else {
                    500
                };
                return error_response(api, status, "injected failure (once)");
            }
        }
        Behaviour::ThrottleAlways => return error_response(api, 429, "injected throttling"),
        Behaviour::ErrorAlways => return error_response(api, 500, "injected server error"),
        Behaviour::RejectAlways => return error_response(api, 400, "injected rejection"),
        Behaviour::Garbage => {
            return ResponseTemplate::new(200)
                .set_body_raw("this is not JSON {", "application/json")
        }
        Behaviour::Slow => delay = Some(Duration::from_secs(state.scenario.slow_seconds)),
    }

    let answer = answer(&view);
    let response = ResponseTemplate::new(200).set_body_json(wire_answer(api, seq, &view, &answer));
    match delay {
        Some(delay) => response.set_delay(delay),
        None => response,
    }
}

fn record(seq: u64, api: Option<Api>, request: &Request) -> Value {
    let mut headers = Map::new();
    for (name, value) in &request.headers {
        headers.insert(
            name.as_str().to_owned(),
            Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let body = serde_json::from_slice::<Value>(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    json!({
        "seq": seq,
        "api": api,
        "method": request.method.as_str(),
        "path": request.url.path(),
        "query": request.url.query(),
        "headers": headers,
        "body": body,
    })
}

fn error_response(api: Api, status: u16, message: &str) -> ResponseTemplate {
    let message = format!("fake-llm: {message}");
    let body = match api {
        Api::Openai | Api::Azure => {
            let kind = match status {
                429 => "rate_limit_exceeded",
                400 => "invalid_request_error",
                _ => "server_error",
            };
            json!({"error": {"message": message, "type": kind}})
        }
        Api::Anthropic => {
            let kind = match status {
                429 => "rate_limit_error",
                400 => "invalid_request_error",
                _ => "api_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
    };
    ResponseTemplate::new(status).set_body_json(body)
}

/// What the fake needs to know about a request, from either wire format.
#[derive(Debug, Default)]
struct View {
    model: String,
    /// Text of the last user message that carries text (not only tool results).
    last_user: String,
    /// The system prompt (OpenAI: the `system` messages; Anthropic: `system`).
    system: String,
    /// Tool results at the end of the conversation, as (tool name, content).
    tool_results: Vec<(String, String)>,
    /// Offered tools: (name, JSON schema).
    tools: Vec<(String, Value)>,
    input_words: u64,
}

impl View {
    fn of(api: Api, body: &Value) -> View {
        let messages = body["messages"].as_array().cloned().unwrap_or_default();
        let mut view = View {
            model: body["model"].as_str().unwrap_or("fake-model").to_owned(),
            ..View::default()
        };
        view.system = text_of(&body["system"]);
        let mut all_text = vec![text_of(&body["system"])];
        let mut call_names: Vec<(String, String)> = Vec::new();
        match api {
            Api::Openai | Api::Azure => {
                for message in &messages {
                    all_text.push(text_of(&message["content"]));
                    if message["role"] == "user" {
                        view.last_user = text_of(&message["content"]);
                    }
                    if message["role"] == "system" {
                        view.system = text_of(&message["content"]);
                    }
                    for call in message["tool_calls"].as_array().into_iter().flatten() {
                        call_names.push((str_of(&call["id"]), str_of(&call["function"]["name"])));
                    }
                }
                let trailing = messages.iter().rev().take_while(|m| m["role"] == "tool");
                let mut results: Vec<(String, String)> = trailing
                    .map(|m| (str_of(&m["tool_call_id"]), text_of(&m["content"])))
                    .collect();
                results.reverse();
                view.tool_results = name_results(results, &call_names);
                for tool in body["tools"].as_array().into_iter().flatten() {
                    view.tools.push((
                        str_of(&tool["function"]["name"]),
                        tool["function"]["parameters"].clone(),
                    ));
                }
            }
            Api::Anthropic => {
                for message in &messages {
                    all_text.push(text_of(&message["content"]));
                    let blocks = message["content"].as_array().cloned().unwrap_or_default();
                    for block in &blocks {
                        if block["type"] == "tool_use" {
                            call_names.push((str_of(&block["id"]), str_of(&block["name"])));
                        }
                    }
                    let has_text = message["content"].is_string()
                        || blocks.iter().any(|b| b["type"] == "text");
                    if message["role"] == "user" && has_text {
                        // Consecutive user turns arrive merged as several text blocks; the
                        // last block is the latest message.
                        view.last_user = match blocks.iter().rev().find(|b| b["type"] == "text") {
                            Some(block) => str_of(&block["text"]),
                            None => text_of(&message["content"]),
                        };
                    }
                }
                if let Some(last) = messages.last().filter(|m| m["role"] == "user") {
                    let results = last["content"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|b| b["type"] == "tool_result")
                        .map(|b| (str_of(&b["tool_use_id"]), text_of(&b["content"])))
                        .collect();
                    view.tool_results = name_results(results, &call_names);
                }
                for tool in body["tools"].as_array().into_iter().flatten() {
                    view.tools
                        .push((str_of(&tool["name"]), tool["input_schema"].clone()));
                }
            }
        }
        view.input_words = all_text.iter().map(|t| words(t)).sum();
        view
    }
}

fn name_results(
    results: Vec<(String, String)>,
    call_names: &[(String, String)],
) -> Vec<(String, String)> {
    results
        .into_iter()
        .map(|(id, content)| {
            let name = call_names
                .iter()
                .rev()
                .find(|(call_id, _)| *call_id == id)
                .map(|(_, name)| name.clone())
                .unwrap_or(id);
            (name, content)
        })
        .collect()
}

fn str_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Text of a content value: a string, or the text parts of a list of blocks/parts.
fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match (&p["text"], &p["content"]) {
                (Value::String(t), _) => t.clone(),
                (_, inner) if !inner.is_null() => text_of(inner),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

/// Values of `[[name:...]]` markers in `text`, in order.
fn markers<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("[[{name}:");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find("]]") else { break };
        found.push(&after[..end]);
        rest = &after[end + 2..];
    }
    found
}

/// The failure marker that applies to `api`, if any.
fn fail_marker(text: &str, api: Api) -> Option<Behaviour> {
    markers(text, "fail")
        .into_iter()
        .find_map(|spec| match spec.split_once(':') {
            Some((target, behaviour)) => (Api::from_name(target) == Some(api))
                .then(|| Behaviour::parse(behaviour))
                .flatten(),
            None => Behaviour::parse(spec),
        })
}

/// The message text without any `[[...]]` marker.
fn without_markers(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        match rest[start..].find("]]") {
            Some(end) => {
                out.push_str(&rest[..start]);
                rest = &rest[start + end + 2..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, PartialEq)]
enum Answer {
    Text(String),
    ToolCall { name: String, arguments: Value },
}

fn answer(view: &View) -> Answer {
    if !view.tool_results.is_empty() {
        let lines: Vec<String> = view
            .tool_results
            .iter()
            .map(|(name, content)| format!("Tool {name} returned: {content}"))
            .collect();
        return Answer::Text(lines.join("\n"));
    }
    if let Some(name) = markers(&view.last_user, "tool").first() {
        return match view.tools.iter().find(|(offered, _)| offered == name) {
            Some((_, schema)) => Answer::ToolCall {
                name: (*name).to_owned(),
                arguments: tool_arguments(schema, &without_markers(&view.last_user)),
            },
            None => Answer::Text(format!("Tool {name} was not offered.")),
        };
    }
    if let Some(reply) = markers(&view.last_user, "reply").first() {
        return Answer::Text((*reply).to_owned());
    }
    if markers(&view.last_user, "echo").contains(&"system") {
        return Answer::Text(view.system.clone());
    }
    Answer::Text(format!("You said: \"{}\"", view.last_user))
}

fn tool_arguments(schema: &Value, text: &str) -> Value {
    let mut arguments = Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let Some(name) = name.as_str() else { continue };
        let kind = &schema["properties"][name]["type"];
        if kind == "string" || kind.is_null() {
            arguments.insert(name.to_owned(), Value::String(text.to_owned()));
        }
    }
    if arguments.is_empty() {
        arguments.insert("text".into(), Value::String(text.to_owned()));
    }
    Value::Object(arguments)
}

fn wire_answer(api: Api, seq: u64, view: &View, answer: &Answer) -> Value {
    let output_words = match answer {
        Answer::Text(text) => words(text),
        Answer::ToolCall { arguments, .. } => words(&arguments.to_string()) + 1,
    };
    match api {
        Api::Openai | Api::Azure => {
            let (message, finish) = match answer {
                Answer::Text(text) => (json!({"role": "assistant", "content": text}), "stop"),
                Answer::ToolCall { name, arguments } => (
                    json!({"role": "assistant", "content": null, "tool_calls": [{
                        "id": format!("call_fake_{seq}"),
                        "type": "function",
                        "function": {"name": name, "arguments": arguments.to_string()},
                    }]}),
                    "tool_calls",
                ),
            };
            json!({
                "id": format!("chatcmpl-fake-{seq}"),
                "object": "chat.completion",
                "created": 0,
                "model": view.model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {
                    "prompt_tokens": view.input_words,
                    "completion_tokens": output_words,
                    "total_tokens": view.input_words + output_words,
                },
            })
        }
        Api::Anthropic => {
            let (content, stop) = match answer {
                Answer::Text(text) => (json!([{"type": "text", "text": text}]), "end_turn"),
                Answer::ToolCall { name, arguments } => (
                    json!([{"type": "tool_use", "id": format!("toolu_fake_{seq}"),
                            "name": name, "input": arguments}]),
                    "tool_use",
                ),
            };
            json!({
                "id": format!("msg_fake_{seq}"),
                "type": "message",
                "role": "assistant",
                "model": view.model,
                "content": content,
                "stop_reason": stop,
                "usage": {"input_tokens": view.input_words, "output_tokens": output_words},
            })
        }
    }
}

/// Starts the fake on a bound listener.
async fn start(listener: TcpListener) -> MockServer {
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(FakeLlm::default())
        .mount(&server)
        .await;
    server
}

#[derive(Debug)]
struct Options {
    host: String,
    port: u16,
}

fn parse_options(args: &[String], env_port: Option<String>) -> Result<Options, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: match env_port {
            Some(p) => p
                .parse()
                .map_err(|_| format!("FAKE_LLM_PORT is not a port: {p}"))?,
            None => DEFAULT_PORT,
        },
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--port" => {
                let v = value()?;
                options.port = v
                    .parse()
                    .map_err(|_| format!("--port is not a port: {v}"))?;
            }
            "--host" => options.host = value()?,
            "-h" | "--help" => return Err("usage: fake-llm [--port N] [--host H]".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_options(&args, std::env::var("FAKE_LLM_PORT").ok()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind((options.host.as_str(), options.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "fake-llm: cannot listen on {}:{}: {e}",
                options.host, options.port
            );
            std::process::exit(1);
        }
    };
    let server = start(listener).await;
    println!("fake-llm listening on {}", server.uri());
    std::future::pending::<()>().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use pai_core::adapters::llm::{Anthropic, OpenAiCompatible};
    use pai_core::domain::sensitive::Sensitive;
    use pai_core::ports::{
        ChatMessage, ChatRole, CompletionRequest, LlmProvider, ToolCall, ToolSpec,
    };

    async fn fake() -> (MockServer, String, reqwest::Client) {
        let server = start(TcpListener::bind("127.0.0.1:0").unwrap()).await;
        let uri = server.uri();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        (server, uri, http)
    }

    fn providers(uri: &str, http: &reqwest::Client) -> Vec<(Api, Box<dyn LlmProvider>)> {
        vec![
            (
                Api::Openai,
                Box::new(OpenAiCompatible::openai(
                    http.clone(),
                    format!("{uri}/openai/v1"),
                    Some(Sensitive::from("sk-fake")),
                    None,
                )),
            ),
            (
                Api::Azure,
                Box::new(
                    OpenAiCompatible::azure(
                        http.clone(),
                        &format!("{uri}/azure"),
                        Sensitive::from("az-fake"),
                        "2024-10-21",
                    )
                    .unwrap(),
                ),
            ),
            (
                Api::Anthropic,
                Box::new(Anthropic::new(
                    http.clone(),
                    format!("{uri}/anthropic"),
                    Sensitive::from("ak-fake"),
                    None,
                )),
            ),
        ]
    }

    fn user(text: &str) -> ChatMessage {
        ChatMessage {
            role: ChatRole::User,
            content: Sensitive::from(text),
            tool_calls: vec![],
            tool_call_id: None,
        }
    }

    fn request(text: &str) -> CompletionRequest {
        CompletionRequest {
            model: "gpt-4o-mini".into(),
            system_prompt: Some(Sensitive::from("Be kind.")),
            messages: vec![user("earlier turn"), user(text)],
            tools: vec![],
            temperature: None,
            max_tokens: None,
        }
    }

    async fn recorded(http: &reqwest::Client, uri: &str) -> Vec<Value> {
        http.get(format!("{uri}/__requests"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn default_reply_quotes_the_last_user_message_in_every_format() {
        let (_server, uri, http) = fake().await;
        for (api, provider) in providers(&uri, &http) {
            let completion = provider.complete(&request("Hello [EMAIL]")).await.unwrap();
            assert_eq!(
                completion.text.expose(),
                "You said: \"Hello [EMAIL]\"",
                "{api:?}"
            );
            assert!(completion.usage.input_tokens >= 4, "{api:?}");
        }
        let requests = recorded(&http, &uri).await;
        assert_eq!(requests.len(), 3);
        assert_eq!(requests[0]["api"], "openai");
        assert_eq!(requests[0]["headers"]["authorization"], "Bearer sk-fake");
        assert_eq!(requests[1]["api"], "azure");
        assert_eq!(
            requests[1]["path"],
            "/azure/openai/deployments/gpt-4o-mini/chat/completions"
        );
        assert_eq!(requests[1]["query"], "api-version=2024-10-21");
        assert_eq!(requests[1]["headers"]["api-key"], "az-fake");
        assert_eq!(requests[2]["api"], "anthropic");
        assert_eq!(requests[2]["headers"]["x-api-key"], "ak-fake");
        assert_eq!(requests[2]["body"]["system"], "Be kind.");

        let cleared = http
            .delete(format!("{uri}/__requests"))
            .send()
            .await
            .unwrap();
        assert_eq!(cleared.status(), 204);
        assert!(recorded(&http, &uri).await.is_empty());
    }

    #[tokio::test]
    async fn failure_markers() {
        let (_server, uri, http) = fake().await;
        for (api, provider) in providers(&uri, &http) {
            let once = request("retry me [[fail:429-once]]");
            let first = provider.complete(&once).await.unwrap_err();
            assert_eq!(first.error_type(), "ProviderThrottled", "{api:?}");
            assert!(provider.complete(&once).await.is_ok(), "{api:?}");

            let always = request("[[fail:500-always]]");
            for _ in 0..2 {
                let error = provider.complete(&always).await.unwrap_err();
                assert_eq!(error.error_type(), "ProviderUnavailable", "{api:?}");
            }
            let rejected = provider
                .complete(&request("[[fail:400-always]]"))
                .await
                .unwrap_err();
            assert_eq!(rejected.error_type(), "ProviderRejected", "{api:?}");
            let garbage = provider
                .complete(&request("[[fail:garbage]]"))
                .await
                .unwrap_err();
            assert_eq!(garbage.error_type(), "ProviderMalformed", "{api:?}");
        }

        // Per-API markers: only OpenAI fails, Anthropic answers.
        let both = providers(&uri, &http);
        let req = request("fallback please [[fail:openai:500-always]]");
        assert!(both[0].1.complete(&req).await.is_err());
        assert!(both[1].1.complete(&req).await.is_ok());
        assert!(both[2].1.complete(&req).await.is_ok());
    }

    #[tokio::test]
    async fn slow_marker_outlasts_a_client_timeout() {
        let (_server, uri, http) = fake().await;
        let scenario = http
            .post(format!("{uri}/__scenario"))
            .json(&json!({"slow_seconds": 3}))
            .send()
            .await
            .unwrap();
        assert_eq!(scenario.status(), 200);
        let provider = &providers(&uri, &http)[0].1;
        let error = provider
            .complete(&request("[[fail:slow]]"))
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "ProviderUnavailable");
    }

    #[tokio::test]
    async fn scenario_fails_one_api_until_reset() {
        let (_server, uri, http) = fake().await;
        http.post(format!("{uri}/__scenario"))
            .json(&json!({"openai": "500-always", "anthropic": "429-once"}))
            .send()
            .await
            .unwrap();
        let all = providers(&uri, &http);
        let req = request("hi");
        assert_eq!(
            all[0].1.complete(&req).await.unwrap_err().error_type(),
            "ProviderUnavailable"
        );
        assert!(all[1].1.complete(&req).await.is_ok(), "azure is unaffected");
        assert_eq!(
            all[2].1.complete(&req).await.unwrap_err().error_type(),
            "ProviderThrottled"
        );
        assert!(all[2].1.complete(&req).await.is_ok());

        let current: Value = http
            .get(format!("{uri}/__scenario"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(current["openai"], "500-always");
        http.delete(format!("{uri}/__scenario"))
            .send()
            .await
            .unwrap();
        assert!(all[0].1.complete(&req).await.is_ok());

        let bad = http
            .post(format!("{uri}/__scenario"))
            .json(&json!({"openai": "explode"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
    }

    #[tokio::test]
    async fn reply_marker() {
        let (_server, uri, http) = fake().await;
        for (api, provider) in providers(&uri, &http) {
            let completion = provider
                .complete(&request("say it [[reply:Call Jane at jane@example.com]]"))
                .await
                .unwrap();
            assert_eq!(
                completion.text.expose(),
                "Call Jane at jane@example.com",
                "{api:?}"
            );
        }
    }

    #[tokio::test]
    async fn tool_marker_calls_the_tool_then_answers_with_its_result() {
        let (_server, uri, http) = fake().await;
        let schema = json!({"type": "object", "properties": {"text": {"type": "string"}},
                            "required": ["text"]});
        for (api, provider) in providers(&uri, &http) {
            let mut req = request("Redact [[tool:protegrity-redact]] my note");
            req.tools = vec![ToolSpec {
                name: "protegrity-redact".into(),
                description: "Redact".into(),
                parameters: schema.clone(),
            }];
            let first = provider.complete(&req).await.unwrap();
            assert_eq!(first.tool_calls.len(), 1, "{api:?}");
            let call = first.tool_calls[0].clone();
            assert_eq!(call.tool_name, "protegrity-redact");
            assert_eq!(call.arguments, json!({"text": "Redact my note"}));

            req.messages.push(ChatMessage {
                role: ChatRole::Assistant,
                content: first.text.clone(),
                tool_calls: vec![ToolCall { ..call.clone() }],
                tool_call_id: None,
            });
            req.messages.push(ChatMessage {
                role: ChatRole::Tool,
                content: Sensitive::from("{\"redacted\":\"[NOTE]\"}"),
                tool_calls: vec![],
                tool_call_id: Some(call.call_id.clone()),
            });
            let last = provider.complete(&req).await.unwrap();
            assert!(last.tool_calls.is_empty(), "{api:?}");
            assert_eq!(
                last.text.expose(),
                "Tool protegrity-redact returned: {\"redacted\":\"[NOTE]\"}",
                "{api:?}"
            );

            // Without the tool on offer, a real model could not call it.
            let unoffered = provider
                .complete(&request("[[tool:protegrity-protect]]"))
                .await
                .unwrap();
            assert_eq!(
                unoffered.text.expose(),
                "Tool protegrity-protect was not offered.",
                "{api:?}"
            );
        }
    }

    #[test]
    fn options() {
        let parsed = parse_options(&["--port".into(), "9411".into()], Some("9555".into())).unwrap();
        assert_eq!(parsed.port, 9411);
        let parsed = parse_options(&["--host=0.0.0.0".into()], Some("9555".into())).unwrap();
        assert_eq!((parsed.host.as_str(), parsed.port), ("0.0.0.0", 9555));
        assert_eq!(parse_options(&[], None).unwrap().port, DEFAULT_PORT);
        assert!(parse_options(&["--port".into()], None).is_err());
        assert!(parse_options(&["--bogus".into()], None).is_err());
    }

    #[test]
    fn marker_parsing() {
        assert_eq!(
            markers("a [[reply:x y]] b [[reply:z]]", "reply"),
            vec!["x y", "z"]
        );
        assert_eq!(
            fail_marker("[[fail:anthropic:429-once]]", Api::Anthropic),
            Some(Behaviour::ThrottleOnce)
        );
        assert_eq!(
            fail_marker("[[fail:anthropic:429-once]]", Api::Openai),
            None
        );
        assert_eq!(fail_marker("[[fail:nonsense]]", Api::Openai), None);
        assert_eq!(without_markers("a [[tool:x]] b [[reply:c]]"), "a b");
    }
}
