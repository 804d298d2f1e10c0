//! The tokens a conversation has issued in `protect` mode.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tokens issued in one conversation: token → entity type. Stored with the conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssuedTokens(BTreeMap<String, String>);

impl IssuedTokens {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn insert(&mut self, token: &str, entity_type: &str) {
        self.0.insert(token.to_owned(), entity_type.to_owned());
    }
    /// The entity type `token` was issued for.
    pub fn entity_type(&self, token: &str) -> Option<&str> {
        self.0.get(token).map(String::as_str)
    }
    pub fn contains(&self, token: &str) -> bool {
        self.0.contains_key(token)
    }
    /// (token, entity type) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    /// Adds every token of `other` (e.g. merging a concurrent writer's set).
    pub fn extend(&mut self, other: IssuedTokens) {
        self.0.extend(other.0);
    }
}
