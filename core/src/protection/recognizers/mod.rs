//! Recognizers, Presidio-style: a regex proposes a span with a base score, a validator confirms
//! (raising the score), narrows or drops it, and context words near the span raise the score.
//!
//! - `built_in`: the table of built-in recognizers, as data (`pattern::Recognizer` rows).
//! - `validate`: the validators the rows name, each taking one `validate::Proposal`.
//! - `pattern`: a recognizer compiled (built-in or custom) and run over a text.
//! - `context`: the context-word boost. `overlap`: overlap resolution, spans to entities.
//! - `names`: PERSON and LOCATION from name and place lists.
//!
//! This module runs them all: a prefilter says which regexes can match, and short-match
//! recognizers scan long texts chunk by chunk.
mod built_in;
mod context;
mod entropy;
mod location;
mod names;
mod overlap;
mod pattern;
mod propagate;
mod validate;

use super::text::{ceil_boundary, floor_boundary, Folded};
use super::{BuildError, ConfigError, CustomPattern, Entity};
use pattern::PatternRecognizer;

pub use names::NameRecognizer;
pub(crate) use overlap::finish;
pub use propagate::KnownValue;

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
    large_areas: location::LargeAreas,
    secrets: entropy::PrefixlessSecrets,
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
        let mut patterns = built_in::BUILT_IN
            .iter()
            .map(PatternRecognizer::built_in)
            .collect::<Result<Vec<_>, BuildError>>()?;
        for c in custom {
            patterns.push(PatternRecognizer::custom(c)?);
        }
        let (whole, chunked): (Vec<usize>, Vec<usize>) =
            (0..patterns.len()).partition(|&i| patterns[i].whole_text);
        Ok(Self {
            whole: Prefilter::new(&patterns, whole),
            chunked: Prefilter::new(&patterns, chunked),
            patterns,
            names: NameRecognizer::new()?,
            large_areas: location::LargeAreas::new(),
            secrets: entropy::PrefixlessSecrets::new(),
        })
    }

    /// A place finding that is a country, state or continent alone: not PII (see `location`).
    fn large_area(&self, text: &str, c: &Candidate) -> bool {
        c.entity_type == "LOCATION"
            && c.recognizer != "street_address"
            && self.large_areas.is_large_area(&text[c.start..c.end])
    }

    /// Whether both prefilter sets were built (a set over its size limits is skipped).
    #[cfg(test)]
    pub(crate) fn prefilters_built(&self) -> bool {
        self.whole.set.is_some() && self.chunked.set.is_some()
    }

    /// Reference path for tests: every recognizer over the whole text, no prefilter, no chunks.
    #[cfg(test)]
    pub(crate) fn discover_plain(&self, original: &str, threshold: f64) -> Vec<Entity> {
        let folded = Folded::new(original);
        let text = folded.text();
        let mut candidates = Vec::new();
        for p in &self.patterns {
            p.run(text, &mut candidates);
        }
        self.names.find(text, &mut candidates);
        self.secrets.find(text, &mut candidates);
        candidates.retain(|c| c.score >= threshold && c.end > c.start);
        propagate::finish_folded(original, &folded, candidates, &[], &|c| {
            self.large_area(text, c)
        })
    }

    /// Discovery on the folded view of `original` (see [`Folded`]); spans are reported in the
    /// original. A value found once is found wherever else it occurs.
    pub fn discover(&self, original: &str, threshold: f64) -> Vec<Entity> {
        self.discover_with_known(original, threshold, &[])
    }

    /// [`discover`](Self::discover), and also every occurrence of a `known` value (one found in
    /// an earlier turn).
    pub fn discover_with_known(
        &self,
        original: &str,
        threshold: f64,
        known: &[KnownValue],
    ) -> Vec<Entity> {
        let folded = Folded::new(original);
        let text = folded.text();
        let mut candidates = Vec::new();
        for i in self.whole.candidates(text) {
            self.patterns[i].run(text, &mut candidates);
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
                self.patterns[i].run(window, &mut found);
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
        self.secrets.find(text, &mut candidates);
        candidates.retain(|c| c.score >= threshold && c.end > c.start);
        propagate::finish_folded(original, &folded, candidates, known, &|c| {
            self.large_area(text, c)
        })
    }
}

#[cfg(test)]
mod identifier_tests;
#[cfg(test)]
mod tests;
