//! Recognizers, Presidio-style: a regex proposes a span with a base score, a validator confirms
//! (raising the score), narrows or drops it, and context words near the span raise the score.
//! PERSON and LOCATION come from name/place lists ([`names`]).
//!
//! Overlaps are resolved deterministically: higher score first, then the longer span, then the
//! earlier start, then the entity type name.
mod names;
mod patterns;

use super::text::{byte_to_char_offsets, ceil_boundary, floor_boundary};
use super::{ConfigError, CustomPattern, Entity};
use crate::domain::sensitive::Sensitive;
use regex::Regex;

pub use names::NameRecognizer;

/// What a validator says about a match.
pub(crate) enum Check {
    /// Keep, with this (byte) span and score.
    Keep {
        start: usize,
        end: usize,
        score: f64,
    },
    /// Not an entity.
    Drop,
}

/// `fn(text, start, end, base_score, captures) -> Check`
pub(crate) type Validator = fn(&str, usize, usize, f64, Option<&regex::Captures<'_>>) -> Check;

pub(crate) struct PatternRecognizer {
    pub entity_type: String,
    pub name: String,
    pub regex: Regex,
    pub score: f64,
    /// Lower-case context words; any of them near the match adds `context_boost`.
    pub context: Vec<String>,
    pub context_boost: f64,
    pub validator: Option<Validator>,
    /// Whether the validator needs capture groups (slower matching).
    pub needs_captures: bool,
    /// Capture group that narrows the entity (e.g. the value after `password:`).
    pub value_group: Option<usize>,
    /// Matches can be long: never scan this one chunk by chunk.
    pub whole_text: bool,
}

impl std::fmt::Debug for PatternRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternRecognizer")
            .field("entity_type", &self.entity_type)
            .field("name", &self.name)
            .finish()
    }
}

/// A span proposed by a recognizer, before overlap resolution. Byte offsets.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub entity_type: String,
    pub start: usize,
    pub end: usize,
    pub score: f64,
    pub recognizer: String,
    pub context_word: Option<String>,
}

/// All recognizers, compiled once.
#[derive(Debug)]
pub struct Recognizers {
    patterns: Vec<PatternRecognizer>,
    /// Recognizers that always scan the whole text, and those that may scan chunk by chunk,
    /// each group with a `RegexSet`: one pass says which recognizers can match at all.
    whole: Prefilter,
    chunked: Prefilter,
    names: NameRecognizer,
}

#[derive(Debug)]
struct Prefilter {
    /// Indexes into `Recognizers::patterns`.
    members: Vec<usize>,
    /// `None` if the set could not be built (size limits): then every member runs.
    set: Option<regex::RegexSet>,
}

impl Prefilter {
    fn new(patterns: &[PatternRecognizer], members: Vec<usize>) -> Self {
        let set = regex::RegexSetBuilder::new(members.iter().map(|&i| patterns[i].regex.as_str()))
            .size_limit(1 << 26)
            .dfa_size_limit(1 << 24)
            .build()
            .ok();
        Self { members, set }
    }

    /// Indexes of the recognizers that match somewhere in `text`.
    fn candidates(&self, text: &str) -> Vec<usize> {
        match &self.set {
            Some(set) => set.matches(text).iter().map(|k| self.members[k]).collect(),
            None => self.members.clone(),
        }
    }
}

/// Chunk size and margin for chunked recognizers (their matches are under ~100 bytes).
const CHUNK_BYTES: usize = 1024;
const CHUNK_MARGIN: usize = 256;

impl Recognizers {
    pub fn new(custom: &[CustomPattern]) -> Result<Self, ConfigError> {
        let mut patterns = patterns::built_in().map_err(|e| ConfigError::BuiltIn(e.to_string()))?;
        for c in custom {
            patterns.push(compile_custom(c)?);
        }
        let (whole, chunked): (Vec<usize>, Vec<usize>) =
            (0..patterns.len()).partition(|&i| patterns[i].whole_text);
        Ok(Self {
            whole: Prefilter::new(&patterns, whole),
            chunked: Prefilter::new(&patterns, chunked),
            patterns,
            names: NameRecognizer::new(),
        })
    }

    pub fn entity_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .patterns
            .iter()
            .map(|p| p.entity_type.clone())
            .collect();
        types.push("PERSON".into());
        types.push("LOCATION".into());
        types.sort();
        types.dedup();
        types
    }

    /// Reference path for tests: every recognizer over the whole text, no prefilter, no chunks.
    #[cfg(test)]
    pub(crate) fn discover_plain(&self, text: &str, threshold: f64) -> Vec<Entity> {
        let mut candidates = Vec::new();
        for p in &self.patterns {
            run_pattern(p, text, &mut candidates);
        }
        self.names.find(text, &mut candidates);
        candidates.retain(|c| c.score >= threshold && c.end > c.start);
        finish(text, candidates)
    }

    pub fn discover(&self, text: &str, threshold: f64) -> Vec<Entity> {
        let mut candidates = Vec::new();
        for i in self.whole.candidates(text) {
            run_pattern(&self.patterns[i], text, &mut candidates);
        }
        // Chunked recognizers: each core chunk is scanned with a margin on both sides, and a
        // match counts for the chunk where it starts. Their matches are far shorter than the
        // margin, so every match is seen whole, with its context, in exactly one window.
        let mut core_start = 0;
        while core_start < text.len() {
            let core_end = ceil_boundary(text, (core_start + CHUNK_BYTES).min(text.len()));
            let from = floor_boundary(text, core_start.saturating_sub(CHUNK_MARGIN));
            let to = ceil_boundary(text, (core_end + CHUNK_MARGIN).min(text.len()));
            let window = &text[from..to];
            let mut found = Vec::new();
            for i in self.chunked.candidates(window) {
                run_pattern(&self.patterns[i], window, &mut found);
            }
            for mut c in found {
                c.start += from;
                c.end += from;
                if c.start >= core_start && c.start < core_end {
                    candidates.push(c);
                }
            }
            core_start = core_end;
        }
        self.names.find(text, &mut candidates);
        candidates.retain(|c| c.score >= threshold && c.end > c.start);
        finish(text, candidates)
    }
}

fn compile_custom(c: &CustomPattern) -> Result<PatternRecognizer, ConfigError> {
    let err = |reason: String| ConfigError::InvalidPattern {
        entity_type: c.entity_type.clone(),
        reason,
    };
    let valid_type = !c.entity_type.is_empty()
        && c.entity_type.len() <= 64
        && c.entity_type
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !valid_type {
        return Err(err("type must be 1-64 characters of A-Z, 0-9 and _".into()));
    }
    if !(0.0..=1.0).contains(&c.score) {
        return Err(err("score must be between 0 and 1".into()));
    }
    let regex = regex::RegexBuilder::new(&c.pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| err(e.to_string()))?;
    if regex.is_match("") {
        return Err(err("pattern matches the empty string".into()));
    }
    let value_group = regex.capture_names().position(|n| n == Some("value"));
    Ok(PatternRecognizer {
        entity_type: c.entity_type.clone(),
        name: format!("custom:{}", c.entity_type),
        regex,
        score: c.score,
        context: c.context.iter().map(|w| w.to_lowercase()).collect(),
        context_boost: 0.35,
        validator: None,
        needs_captures: value_group.is_some(),
        value_group,
        whole_text: true,
    })
}

fn run_pattern(p: &PatternRecognizer, text: &str, out: &mut Vec<Candidate>) {
    let mut push = |start: usize, end: usize, score: f64| {
        let (score, context_word) =
            apply_context(text, start, end, score, &p.context, p.context_boost);
        out.push(Candidate {
            entity_type: p.entity_type.clone(),
            start,
            end,
            score,
            recognizer: p.name.clone(),
            context_word,
        });
    };
    if p.needs_captures {
        for caps in p.regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let (s, e) = match p.value_group.and_then(|g| caps.get(g)) {
                Some(m) => (m.start(), m.end()),
                None if p.value_group.is_some() => continue,
                None => (whole.start(), whole.end()),
            };
            match p.validator {
                Some(v) => {
                    if let Check::Keep { start, end, score } = v(text, s, e, p.score, Some(&caps)) {
                        push(start, end, score);
                    }
                }
                None => push(s, e, p.score),
            }
        }
    } else {
        for m in p.regex.find_iter(text) {
            match p.validator {
                Some(v) => {
                    if let Check::Keep { start, end, score } =
                        v(text, m.start(), m.end(), p.score, None)
                    {
                        push(start, end, score);
                    }
                }
                None => push(m.start(), m.end(), p.score),
            }
        }
    }
}

/// Context windows (bytes before / after a span): a word in the near window gives the full boost,
/// one only in the far window half of it, so the nearer context decides between types.
const NEAR_BEFORE: usize = 28;
const NEAR_AFTER: usize = 16;
const FAR_BEFORE: usize = 56;
const FAR_AFTER: usize = 28;

/// Raises `score` by `boost` (capped at 1.0) when a context word appears near the span.
pub(crate) fn apply_context(
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
fn contains_word(haystack: &str, word: &str) -> bool {
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

/// Greedy by (score desc, length desc, start asc, type asc); a candidate overlapping an accepted
/// one is dropped. Returns accepted candidates ordered by start.
pub(crate) fn resolve_overlaps(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.entity_type.cmp(&b.entity_type))
            .then(a.recognizer.cmp(&b.recognizer))
    });
    // Accepted spans keyed by start; non-overlapping, so a neighbour check suffices.
    let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    let mut accepted = Vec::new();
    for c in candidates {
        let overlaps_prev = taken
            .range(..c.end)
            .next_back()
            .is_some_and(|(_, &e)| e > c.start);
        if overlaps_prev {
            continue;
        }
        taken.insert(c.start, c.end);
        accepted.push(c);
    }
    accepted.sort_by_key(|c| c.start);
    accepted
}

/// Resolves overlaps and converts byte spans to entities with character offsets.
pub(crate) fn finish(text: &str, candidates: Vec<Candidate>) -> Vec<Entity> {
    to_entities(text, resolve_overlaps(candidates))
}

fn to_entities(text: &str, accepted: Vec<Candidate>) -> Vec<Entity> {
    let mut offsets = Vec::with_capacity(accepted.len() * 2);
    for c in &accepted {
        offsets.push(c.start);
        offsets.push(c.end);
    }
    let chars = byte_to_char_offsets(text, &offsets);
    accepted
        .into_iter()
        .enumerate()
        .map(|(i, c)| Entity {
            text: Sensitive::new(text[c.start..c.end].to_owned()),
            start: chars[2 * i],
            end: chars[2 * i + 1],
            score: (c.score * 100.0).round() / 100.0,
            byte_start: c.start,
            byte_end: c.end,
            entity_type: c.entity_type,
            recognizer: c.recognizer,
            context_word: c.context_word,
        })
        .collect()
}

#[cfg(test)]
mod tests;
