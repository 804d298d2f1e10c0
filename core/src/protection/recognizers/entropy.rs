//! Prefix-less 40-character secrets (AWS secret access keys and the like), found by one scan for
//! runs of the key alphabet: a regex would need a counted repetition of a broad class, which
//! makes the shared prefilter automaton large and slow on every text.
use super::context::ContextWords;
use super::Candidate;
use crate::protection::text::{word_char_at, word_char_before};
use crate::protection::validators as v;

/// Length of the keys this finds.
const KEY_LEN: usize = 40;
/// Score of a key without a cue: below the default threshold, the shape alone is not enough.
const SCORE: f64 = 0.55;
const CONTEXT: &[&str] = &[
    "secret",
    "key",
    "token",
    "credential",
    "credentials",
    "aws",
    "committed",
    "commit",
    "leaked",
    "leak",
    "rotate",
    "rotated",
    "revoke",
    "exposed",
    "pushed",
    "password",
];
const CONTEXT_BOOST: f64 = 0.35;
/// Bits per character a random 40-character key has comfortably (≈4.9 expected) and words and
/// repeated patterns do not.
const MIN_ENTROPY: f64 = 4.2;

#[derive(Debug)]
pub(super) struct PrefixlessSecrets {
    context: ContextWords,
}

/// The key alphabet, with `=` padding (a run with padding is some other base64 value).
fn alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=')
}

impl PrefixlessSecrets {
    pub fn new() -> Self {
        Self {
            context: ContextWords::new(CONTEXT.iter().map(|w| (*w).to_owned()), CONTEXT_BOOST),
        }
    }

    /// Appends a candidate for every standalone run of exactly 40 key characters that mixes
    /// upper case, lower case and digits (so no git hash) with high entropy.
    pub fn find(&self, text: &str, out: &mut Vec<Candidate>) {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !alphabet(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && alphabet(b[i]) {
                i += 1;
            }
            if i - start != KEY_LEN || word_char_before(text, start) || word_char_at(text, i) {
                continue;
            }
            let m = &b[start..i];
            let rejected = m.contains(&b'=')
                || !(m.iter().any(u8::is_ascii_uppercase)
                    && m.iter().any(u8::is_ascii_lowercase)
                    && m.iter().any(u8::is_ascii_digit));
            if rejected || v::entropy_bits(&text[start..i]) < MIN_ENTROPY {
                continue;
            }
            let (score, context_word) = self.context.raise(text, start, i, SCORE);
            out.push(Candidate {
                entity_type: "SECRET".into(),
                start,
                end: i,
                score,
                recognizer: "secret_40_high_entropy".into(),
                context_word,
            });
        }
    }
}
