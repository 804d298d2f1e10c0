//! Chat turns as the console makes them: `POST /api/chat/`, then `GET /api/chat/poll/{id}/`
//! every second while the turn is pending; and reading the messages of a conversation.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::Resp;
use crate::users::User;

/// Polls per turn, one second apart, like the console.
pub const POLL_ATTEMPTS: u32 = 60;

/// Reply text of a filtered model answer (API.md `protegrity_data`).
pub const FILTERED_REPLY: &str = "This response was blocked due to policy violations.";
/// The system notice of a blocked prompt (API.md "Chat").
pub const BLOCKED_REPLY: &str =
    "Your message was blocked due to policy violations. Please rephrase and try again.";

/// A finished chat turn.
#[derive(Debug, Clone)]
pub struct Turn {
    /// The answer of `POST /api/chat/` (`completed` or `pending`).
    pub sent: Value,
    /// The poll of the completed turn (`status`, `response`, `agent`, `llm`,
    /// `protegrity_output`, `tool_results`).
    pub reply: Value,
}

impl Turn {
    pub fn conversation_id(&self) -> String {
        conversation_id(&self.sent)
    }

    /// The prompt as it went to the model (`input_processing.processed_text`).
    #[track_caller]
    pub fn processed_text(&self) -> String {
        processed_text(&self.sent)
    }
}

/// `conversation_id` of a `POST /api/chat/` answer.
#[track_caller]
pub fn conversation_id(sent: &Value) -> String {
    sent["conversation_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no conversation_id in {sent}"))
        .to_owned()
}

/// `protegrity_data.input_processing.processed_text` of a `POST /api/chat/` answer.
#[track_caller]
pub fn processed_text(sent: &Value) -> String {
    sent["protegrity_data"]["input_processing"]["processed_text"]
        .as_str()
        .unwrap_or_else(|| panic!("no processed_text in {sent}"))
        .to_owned()
}

impl User {
    /// `POST /api/chat/`.
    pub fn chat(&self, body: Value) -> Resp {
        self.post("/api/chat/", body)
    }

    /// `POST /api/chat/` that must be accepted as a turn: answered inline (`completed`, a quick
    /// model) or `pending` (a slow one); returns the answer body.
    #[track_caller]
    pub fn send_turn(&self, body: Value) -> Value {
        let sent = self.chat(body).expect_json(200);
        assert!(
            sent["status"] == "pending" || sent["status"] == "completed",
            "expected an accepted turn, got {sent}"
        );
        sent
    }

    /// `GET /api/chat/poll/{conversation_id}/`.
    pub fn poll(&self, conversation_id: &str) -> Resp {
        self.get(&format!("/api/chat/poll/{conversation_id}/"))
    }

    /// Polls at once, then every second, at most [`POLL_ATTEMPTS`] times, until the turn is
    /// completed; each earlier poll must be exactly `{"status": "pending"}`. Returns the
    /// completed poll body.
    #[track_caller]
    pub fn wait_completed(&self, conversation_id: &str) -> Value {
        let started = Instant::now();
        for attempt in 0..POLL_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            let polled = self.poll(conversation_id).expect_json(200);
            match polled["status"].as_str() {
                Some("completed") => return polled,
                Some("pending") => assert_eq!(
                    polled,
                    serde_json::json!({"status": "pending"}),
                    "a pending poll says nothing else"
                ),
                _ => panic!("poll answered neither pending nor completed: {polled}"),
            }
        }
        panic!(
            "turn of conversation {conversation_id} still not completed after {POLL_ATTEMPTS} \
             polls ({:?})",
            started.elapsed()
        );
    }

    /// One chat turn, start to end: sends `body` with `POST /api/chat/` (which must accept it)
    /// and, while the turn is pending, polls as the console does ([`User::wait_completed`]). A
    /// turn answered inline must read `completed` on its first poll as well: either way the
    /// turn comes back with the poll of the completed turn.
    #[track_caller]
    pub fn run_turn(&self, body: Value) -> Turn {
        let sent = self.send_turn(body);
        let id = conversation_id(&sent);
        let reply = if sent["status"] == "completed" {
            let polled = self.poll(&id).expect_json(200);
            assert_eq!(
                polled["status"], "completed",
                "a turn answered inline is completed on the poll too: {polled}"
            );
            polled
        } else {
            self.wait_completed(&id)
        };
        Turn { sent, reply }
    }
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
