//! What the fake LLM server (src/bin/fake-llm.rs) recorded, and the markers that find one test's
//! requests there.
//!
//! `FAKE_LLM_URL` names the fake the stack's providers point at (`make test` sets it). The stack
//! and the fake are shared by every test, running in parallel: each test creates its own users,
//! puts a unique [`marker`] in its prompts and only looks at recorded requests that carry it.

use serde_json::Value;
use uuid::Uuid;

use crate::http::{get, Auth};

fn fake_llm_url() -> String {
    match std::env::var("FAKE_LLM_URL") {
        Ok(v) if !v.trim().is_empty() => v.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "FAKE_LLM_URL is not set: these tests need a running stack and the fake LLM \
             (make test sets PAI_BASE_URL, FAKE_LLM_URL and PAI_ADMIN)"
        ),
    }
}

/// A unique, recognizer-proof marker (lowercase letters and hex, no digit run at a word
/// boundary) to find this test's requests at the fake.
pub fn marker() -> String {
    format!("tq{}", Uuid::new_v4().simple())
}

/// Every request the fake recorded whose body contains `needle`, oldest first.
#[track_caller]
pub fn fake_requests(needle: &str) -> Vec<Value> {
    let all = get(&format!("{}/__requests", fake_llm_url()), &Auth::None).expect_json(200);
    all.as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["body"].to_string().contains(needle) || body_text(r).contains(needle))
        .cloned()
        .collect()
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
