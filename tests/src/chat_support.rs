//! Helpers for the chat integration tests (tests/tests/chat_*.rs): they drive a running local
//! stack over HTTP and read what the fake LLM server (src/bin/fake-llm.rs) recorded.
//!
//! Settings (exported by scripts/test.sh, or by hand for a stack you started yourself):
//! `PAI_BASE_URL` (the API, e.g. http://127.0.0.1:8400), `FAKE_LLM_URL` (the fake the stack's
//! providers point at), `PAI_ADMIN` (the pai-admin binary, with the stack's AWS settings in the
//! environment).
//!
//! The stack and the fake are shared by every test, running in parallel: each test creates its
//! own users, puts a unique marker in its prompts and only looks at recorded requests that
//! carry that marker.
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Polls per turn, one second apart, like the console.
pub const POLL_ATTEMPTS: u32 = 60;

/// Reply text of a filtered model answer (API.md `protegrity_data`).
pub const FILTERED_REPLY: &str = "This response was blocked due to policy violations.";
/// The system notice of a blocked prompt (API.md "Chat").
pub const BLOCKED_REPLY: &str =
    "Your message was blocked due to policy violations. Please rephrase and try again.";

fn setting(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "{name} is not set: these tests need a running stack and the fake LLM \
             (make test sets PAI_BASE_URL, FAKE_LLM_URL and PAI_ADMIN)"
        ),
    }
}

/// A unique, recognizer-proof marker (lowercase letters and hex, no digit run at a word
/// boundary) to find this test's requests at the fake.
pub fn marker() -> String {
    format!("tq{}", Uuid::new_v4().simple())
}

/// An HTTP answer: status and JSON body (`Value::Null` when the body was empty, the raw text
/// as a string when it was not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    fn from(response: Response) -> Answer {
        let status = response.status();
        let text = response.text().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer { status, body }
    }

    /// `error.code` of an app error.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Fails with the whole answer when the status is not `expected`.
    pub fn expect(self, expected: u16, what: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "{what}: expected HTTP {expected}, got {} {}",
            self.status,
            self.body
        );
        self.body
    }

    /// Fails unless this is the app error `status` + `code`.
    pub fn expect_error(&self, status: u16, code: &str, what: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "{what}: expected {status} {code}, got {} {}",
            self.status,
            self.body
        );
    }
}

/// The stack under test.
pub struct Stack {
    pub base: String,
    pub fake: String,
    admin: String,
    http: Client,
}

/// A user created for one test, logged in.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub password: String,
    pub id: i64,
    pub access: String,
}

impl Stack {
    pub fn from_env() -> Stack {
        Stack {
            base: setting("PAI_BASE_URL"),
            fake: setting("FAKE_LLM_URL"),
            admin: setting("PAI_ADMIN"),
            http: Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("HTTP client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(&self, request: RequestBuilder, what: &str) -> Answer {
        match request.send() {
            Ok(r) => Answer::from(r),
            Err(e) => panic!("{what}: request failed: {e}"),
        }
    }

    pub fn get(&self, user: &User, path: &str) -> Answer {
        self.send(
            self.http.get(self.url(path)).bearer_auth(&user.access),
            &format!("GET {path}"),
        )
    }

    pub fn get_anonymous(&self, path: &str) -> Answer {
        self.send(self.http.get(self.url(path)), &format!("GET {path}"))
    }

    pub fn post(&self, user: &User, path: &str, body: &Value) -> Answer {
        self.send(
            self.http
                .post(self.url(path))
                .bearer_auth(&user.access)
                .json(body),
            &format!("POST {path}"),
        )
    }

    pub fn send_delete(&self, user: &User, path: &str) -> Answer {
        self.send(
            self.http.delete(self.url(path)).bearer_auth(&user.access),
            &format!("DELETE {path}"),
        )
    }

    /// POST of a raw body (for malformed JSON), with `Content-Type: application/json`.
    pub fn post_raw(&self, user: &User, path: &str, body: &str) -> Answer {
        self.send(
            self.http
                .post(self.url(path))
                .bearer_auth(&user.access)
                .header("content-type", "application/json")
                .body(body.to_owned()),
            &format!("POST {path}"),
        )
    }

    pub fn post_anonymous(&self, path: &str, body: &Value) -> Answer {
        self.send(
            self.http.post(self.url(path)).json(body),
            &format!("POST {path}"),
        )
    }

    /// `pai-admin` with the given arguments; fails with its output unless it succeeds.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(&self.admin)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} {args:?}: {e}", self.admin));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "pai-admin {args:?} failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// A fresh user with `role` (`STANDARD` or `PROTEGRITY`), logged in.
    pub fn new_user(&self, role: &str) -> User {
        // One pai-admin at a time: the local emulator mishandles concurrent writes.
        static ADMIN: Mutex<()> = Mutex::new(());
        let guard = ADMIN.lock().unwrap_or_else(|p| p.into_inner());
        let username = format!("chat_{}_{}", role.to_lowercase(), Uuid::new_v4().simple());
        let password = format!("Pw-{}!x", Uuid::new_v4().simple());
        self.admin(&[
            "user",
            "add",
            &username,
            "--password",
            &password,
            "--role",
            role,
        ]);
        drop(guard);
        self.login(&username, &password)
    }

    /// `POST /api/auth/token/` then `GET /api/me/`, as the console does.
    pub fn login(&self, username: &str, password: &str) -> User {
        let tokens = self
            .post_anonymous(
                "/api/auth/token/",
                &json!({"username": username, "password": password}),
            )
            .expect(200, "log in");
        let access = tokens["access"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token in {tokens}"))
            .to_owned();
        let mut user = User {
            username: username.to_owned(),
            password: password.to_owned(),
            id: 0,
            access,
        };
        let me = self.get(&user, "/api/me/").expect(200, "GET /api/me/");
        user.id = me["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no integer id in {me}"));
        user
    }

    /// `POST /api/chat/`.
    pub fn chat(&self, user: &User, body: &Value) -> Answer {
        self.post(user, "/api/chat/", body)
    }

    /// `POST /api/chat/` that must be accepted as a turn: answered inline (`completed`, a quick
    /// model) or `pending` (a slow one); returns the answer body.
    pub fn chat_accepted(&self, user: &User, body: &Value) -> Value {
        let answer = self.chat(user, body).expect(200, "POST /api/chat/");
        assert!(
            answer["status"] == "pending" || answer["status"] == "completed",
            "expected an accepted turn, got {answer}"
        );
        answer
    }

    pub fn poll(&self, user: &User, conversation_id: &str) -> Answer {
        self.get(user, &format!("/api/chat/poll/{conversation_id}/"))
    }

    /// Polls every second, at most [`POLL_ATTEMPTS`] times, until the turn is completed;
    /// returns the completed poll body.
    pub fn wait_completed(&self, user: &User, conversation_id: &str) -> Value {
        let started = Instant::now();
        let mut last = Value::Null;
        for attempt in 0..POLL_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            let body = self
                .poll(user, conversation_id)
                .expect(200, "GET /api/chat/poll/");
            match body["status"].as_str() {
                Some("completed") => return body,
                Some("pending") => last = body,
                _ => panic!("poll answered neither pending nor completed: {body}"),
            }
        }
        panic!(
            "turn of conversation {conversation_id} still not completed after {POLL_ATTEMPTS} \
             polls ({:?}); last poll: {last}",
            started.elapsed()
        );
    }

    /// `GET /api/conversations/{id}/` (must exist).
    pub fn conversation(&self, user: &User, conversation_id: &str) -> Value {
        self.get(user, &format!("/api/conversations/{conversation_id}/"))
            .expect(200, "GET /api/conversations/{id}/")
    }

    /// Display name of a catalog model, from `GET /api/models/`.
    pub fn model_name(&self, user: &User, model_id: &str) -> String {
        let models = self
            .get(user, "/api/models/")
            .expect(200, "GET /api/models/");
        models["models"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["id"] == model_id)
            .and_then(|m| m["name"].as_str())
            .unwrap_or_else(|| panic!("model {model_id} not listed for this user: {models}"))
            .to_owned()
    }

    /// The agent entry of `GET /api/agents/`.
    pub fn agent(&self, user: &User, agent_id: &str) -> Value {
        let agents = self
            .get(user, "/api/agents/")
            .expect(200, "GET /api/agents/");
        agents["agents"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["id"] == agent_id)
            .cloned()
            .unwrap_or_else(|| panic!("agent {agent_id} not listed for this user: {agents}"))
    }

    /// Every request the fake recorded whose body contains `needle`, oldest first.
    pub fn fake_requests(&self, needle: &str) -> Vec<Value> {
        let url = format!("{}/__requests", self.fake);
        let all: Value = self
            .http
            .get(&url)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        all.as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["body"].to_string().contains(needle) || body_text(r).contains(needle))
            .cloned()
            .collect()
    }

    /// Calls a function directly through the Lambda Invoke API of `cargo lambda watch`.
    pub fn invoke(&self, function: &str, payload: &Value) -> Answer {
        self.send(
            self.http
                .post(self.url(&format!("/2015-03-31/functions/{function}/invocations")))
                .json(payload),
            &format!("invoke {function}"),
        )
    }
}

/// Every text a recorded request carried (system prompt and message contents), joined: what
/// the model could read, independent of JSON escaping.
pub fn body_text(request: &Value) -> String {
    let body = &request["body"];
    let mut out = vec![text_of(&body["system"])];
    for (_, text) in message_texts(request) {
        out.push(text);
    }
    for message in body["messages"].as_array().into_iter().flatten() {
        for call in message["tool_calls"].as_array().into_iter().flatten() {
            out.push(
                call["function"]["arguments"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
        }
    }
    out.join("\n")
}

/// `(role, text)` of every message of a recorded OpenAI or Anthropic request.
pub fn message_texts(request: &Value) -> Vec<(String, String)> {
    request["body"]["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or("").to_owned(),
                text_of(&m["content"]),
            )
        })
        .collect()
}

fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match (&p["text"], &p["content"], &p["input"]) {
                (Value::String(t), _, _) => t.clone(),
                (_, inner, _) if !inner.is_null() => text_of(inner),
                (_, _, input) if !input.is_null() => input.to_string(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The API the fake saw a request on: `openai`, `azure` or `anthropic`.
pub fn api_of(request: &Value) -> &str {
    request["api"].as_str().unwrap_or("")
}

/// Messages of a conversation detail.
pub fn messages(detail: &Value) -> Vec<Value> {
    detail["messages"].as_array().cloned().unwrap_or_default()
}

pub fn assistant_messages(detail: &Value) -> Vec<Value> {
    messages(detail)
        .into_iter()
        .filter(|m| m["role"] == "assistant")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_unique_and_plain() {
        let (a, b) = (marker(), marker());
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(a.starts_with("tq"));
    }
}
