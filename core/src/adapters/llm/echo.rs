//! The offline `echo` model: no network, deterministic. It quotes exactly the (already sanitized)
//! last user message it was sent and says how many earlier messages came with it, so a local user
//! sees what a real model would have received.
//!
//! Reply format: `Echo: "<last user message>" (<n> earlier message[s])`, where `n` counts the
//! conversation messages before that one (the system prompt is not counted).
use crate::domain::sensitive::Sensitive;
use crate::ports::{ChatRole, Completion, CompletionRequest, LlmError, LlmProvider, Usage};
use async_trait::async_trait;

/// The model name the echo provider reports.
pub const ECHO_MODEL: &str = "echo";

#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

impl Echo {
    /// The reply text for a request (what [`LlmProvider::complete`] answers).
    pub fn reply_text(request: &CompletionRequest) -> String {
        let last_user = request
            .messages
            .iter()
            .rposition(|m| m.role == ChatRole::User);
        let (quoted, earlier) = match last_user {
            Some(index) => (request.messages[index].content.expose().as_str(), index),
            None => ("", request.messages.len()),
        };
        let plural = if earlier == 1 { "" } else { "s" };
        format!("Echo: \"{quoted}\" ({earlier} earlier message{plural})")
    }
}

/// Whitespace-separated words: a stable stand-in for tokens.
fn word_count(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

#[async_trait]
impl LlmProvider for Echo {
    fn supports_tools(&self) -> bool {
        false
    }

    async fn complete(&self, request: &CompletionRequest) -> Result<Completion, LlmError> {
        let text = Self::reply_text(request);
        let input_tokens = request
            .system_prompt
            .iter()
            .map(|s| word_count(s.expose()))
            .chain(
                request
                    .messages
                    .iter()
                    .map(|m| word_count(m.content.expose())),
            )
            .sum();
        let usage = Usage {
            input_tokens,
            output_tokens: word_count(&text),
        };
        Ok(Completion {
            text: Sensitive::new(text),
            tool_calls: Vec::new(),
            usage,
            model: ECHO_MODEL.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ChatMessage, ToolSpec};
    use serde_json::json;

    fn request(messages: Vec<ChatMessage>) -> CompletionRequest {
        CompletionRequest {
            model: "echo".into(),
            system_prompt: Some(Sensitive::from("You are a helpful assistant.")),
            messages,
            tools: vec![ToolSpec {
                name: "protegrity-redact".into(),
                description: "d".into(),
                parameters: json!({}),
            }],
            temperature: None,
            max_tokens: None,
        }
    }

    #[tokio::test]
    async fn quotes_the_last_user_message_and_counts_earlier_ones() {
        let req = request(vec![
            ChatMessage::text(ChatRole::User, "first [EMAIL]"),
            ChatMessage::text(ChatRole::Assistant, "ok"),
            ChatMessage::text(
                ChatRole::User,
                "My card is [CREDIT_CARD], call me at \"[PHONE]\"",
            ),
        ]);
        let completion = Echo.complete(&req).await.unwrap();
        assert_eq!(
            completion.text.expose(),
            "Echo: \"My card is [CREDIT_CARD], call me at \"[PHONE]\"\" (2 earlier messages)"
        );
        assert!(completion.tool_calls.is_empty(), "echo never calls tools");
        assert_eq!(completion.model, "echo");
        // 5 system words + 2 + 1 + 8 message words.
        assert_eq!(completion.usage.input_tokens, 16);
        assert_eq!(
            completion.usage.output_tokens,
            word_count(completion.text.expose())
        );
    }

    #[tokio::test]
    async fn first_turn_and_singular() {
        let first = Echo
            .complete(&request(vec![ChatMessage::text(ChatRole::User, "hello")]))
            .await
            .unwrap();
        assert_eq!(first.text.expose(), "Echo: \"hello\" (0 earlier messages)");
        let second = Echo
            .complete(&request(vec![
                ChatMessage::text(ChatRole::Assistant, "welcome"),
                ChatMessage::text(ChatRole::User, "hi"),
            ]))
            .await
            .unwrap();
        assert_eq!(second.text.expose(), "Echo: \"hi\" (1 earlier message)");
    }

    #[test]
    fn does_not_offer_tools() {
        assert!(!Echo.supports_tools());
    }
}
