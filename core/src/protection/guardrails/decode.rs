//! Hidden payloads: base64 and hex runs that decode to readable text, and texts that say they
//! are ROT13-encoded or reversed. Each decoded layer is scanned again.
use super::compile;
use super::scan::Source;
use crate::protection::BuildError;
use base64::engine::{general_purpose::GeneralPurposeConfig, DecodePaddingMode, GeneralPurpose};
use base64::Engine as _;
use regex::Regex;

/// Most segments decoded per layer, and the longest one, so a crafted text stays cheap.
const MAX_SEGMENTS: usize = 16;
const MAX_SEGMENT_LEN: usize = 64 * 1024;

/// Payloads often lose their padding in transit: accept it present or not.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const B64_URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The patterns that find encoded payloads, compiled.
pub(super) struct PayloadDecoder {
    /// A run that may be base64 (standard or URL-safe).
    base64_run: Regex,
    /// A run of hex byte pairs, or of `\x` escapes.
    hex_run: Regex,
    /// The text says it is ROT13 (or Caesar) encoded.
    encoded_mention: Regex,
    /// The text says it is written backwards.
    reversed_mention: Regex,
}

impl PayloadDecoder {
    pub fn new() -> Result<Self, BuildError> {
        Ok(Self {
            base64_run: compile("base64_run", r"[A-Za-z0-9+/_-]{16,}={0,2}")?,
            hex_run: compile(
                "hex_run",
                r"\b(?:[0-9a-fA-F]{2}[ :]?){10,}|(?:\\x[0-9a-fA-F]{2}){8,}",
            )?,
            encoded_mention: compile("encoded_mention", r"\b(?:rot-?13|rot 13|caesar)\b")?,
            reversed_mention: compile(
                "reversed_mention",
                r"\b(?:revers(?:e|ed|ing)|backwards?)\b",
            )?,
        })
    }

    /// The decoded layers of `raw` (its encoded segments) and of its folded form `folded`
    /// (ROT13 or reversed, when the text says so).
    pub fn layers(&self, raw: &str, folded: &str) -> Vec<(Source, String)> {
        let mut layers = self.encoded_segments(raw);
        if self.encoded_mention.is_match(folded) {
            layers.push((Source::Rot13, rot13(folded)));
        }
        if self.reversed_mention.is_match(folded) {
            layers.push((Source::Reversed, folded.chars().rev().collect()));
        }
        layers
    }

    /// Base64 and hex runs that decode to readable text.
    fn encoded_segments(&self, text: &str) -> Vec<(Source, String)> {
        let mut out = Vec::new();
        for m in self.base64_run.find_iter(text).take(MAX_SEGMENTS) {
            let run = m.as_str();
            if run.len() > MAX_SEGMENT_LEN || run.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            let trimmed = run.trim_end_matches('=');
            let decoded = B64
                .decode(trimmed)
                .ok()
                .or_else(|| B64_URL.decode(trimmed).ok());
            if let Some(s) = decoded.as_deref().and_then(printable_text) {
                out.push((Source::Base64, s));
            }
        }
        for m in self.hex_run.find_iter(text).take(MAX_SEGMENTS) {
            if m.as_str().len() > MAX_SEGMENT_LEN {
                continue;
            }
            if let Some(s) = decode_hex(m.as_str()).as_deref().and_then(printable_text) {
                out.push((Source::Hex, s));
            }
        }
        out
    }
}

fn printable_text(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?;
    let total = s.chars().count();
    if total < 8 || !s.contains(' ') {
        return None;
    }
    let good = s
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || c.is_ascii_punctuation())
        .count();
    (good * 10 >= total * 9).then(|| s.to_owned())
}

fn decode_hex(run: &str) -> Option<Vec<u8>> {
    let digits: String = run
        .replace("\\x", "")
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect()
}

pub(super) fn rot13(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a'..='m' | 'A'..='M' => (c as u8 + 13) as char,
            'n'..='z' | 'N'..='Z' => (c as u8 - 13) as char,
            _ => c,
        })
        .collect()
}
