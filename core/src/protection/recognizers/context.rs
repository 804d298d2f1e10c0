//! Context words: a word of a recognizer's list near a span raises its score.
use crate::protection::text::{ceil_boundary, floor_boundary};

/// Context windows (bytes before / after a span): a word in the near window gives the full boost,
/// one only in the far window half of it, so the nearer context decides between types.
const NEAR_BEFORE: usize = 28;
const NEAR_AFTER: usize = 16;
const FAR_BEFORE: usize = 56;
const FAR_AFTER: usize = 28;

/// A recognizer's context words and what one of them near a span adds to its score.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContextWords {
    /// Lower case.
    words: Vec<String>,
    boost: f64,
}

impl ContextWords {
    pub fn new(words: impl IntoIterator<Item = String>, boost: f64) -> Self {
        Self {
            words: words.into_iter().collect(),
            boost,
        }
    }

    /// `score` raised (capped at 1.0) when a context word appears near the byte span
    /// `start..end` of `text`, and the word that raised it.
    pub fn raise(&self, text: &str, start: usize, end: usize, score: f64) -> (f64, Option<String>) {
        raise(text, start, end, score, &self.words, self.boost)
    }
}

fn raise(
    text: &str,
    start: usize,
    end: usize,
    score: f64,
    words: &[String],
    boost: f64,
) -> (f64, Option<String>) {
    if words.is_empty() || score >= 1.0 {
        return (score, None);
    }
    let window = |before: usize, after: usize| {
        let from = floor_boundary(text, start.saturating_sub(before));
        let to = ceil_boundary(text, (end + after).min(text.len()));
        (
            text[from..start].to_lowercase(),
            text[end..to].to_lowercase(),
        )
    };
    let (near_b, near_a) = window(NEAR_BEFORE, NEAR_AFTER);
    for w in words {
        if contains_word(&near_b, w) || contains_word(&near_a, w) {
            return ((score + boost).min(1.0), Some(w.clone()));
        }
    }
    let (far_b, far_a) = window(FAR_BEFORE, FAR_AFTER);
    for w in words {
        if contains_word(&far_b, w) || contains_word(&far_a, w) {
            return ((score + boost / 2.0).min(1.0), Some(w.clone()));
        }
    }
    (score, None)
}

/// `haystack` contains `word` not glued to other letters on either side.
pub(super) fn contains_word(haystack: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(word) {
        let s = from + pos;
        let e = s + word.len();
        let before_ok = !haystack[..s]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after_ok = !haystack[e..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = s + haystack[s..].chars().next().map_or(1, char::len_utf8);
    }
    false
}
