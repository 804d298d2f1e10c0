//! Propagation: a value identified once in a message is the same value wherever else it occurs
//! ("123456789 is mine. My passport number 123456789 …": the cue only precedes the second one).
//! Values are compared on a canonical form (letters and digits only, lower case), so
//! `123 456 789` and `123456789` are one value. Values of earlier turns, given as
//! [`KnownValue`]s, are propagated the same way.
use super::overlap::{resolve_overlaps, to_entities};
use super::Candidate;
use crate::domain::sensitive::Sensitive;
use crate::protection::text::{word_char_at, word_char_before, Folded};
use crate::protection::Entity;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::{BTreeMap, HashSet};

/// A value identified in an earlier turn of the conversation (e.g. revealed from an issued
/// token), to be found again wherever it occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownValue {
    pub entity_type: String,
    pub value: Sensitive<String>,
}

/// Canonical forms shorter than this are not propagated: short values ("2024", "Paris") occur
/// by chance.
const MIN_CANONICAL: usize = 6;
/// Score of an occurrence of a value known from an earlier turn.
const KNOWN_SCORE: f64 = 0.9;
/// Inside an occurrence, separators between letters and digits run at most this long
/// (`(415) 555-2671` has `) `).
const MAX_SEPARATOR_RUN: usize = 2;

/// Letters and digits of `value`, lower case.
pub(crate) fn canonical(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Resolves overlaps among `candidates` (byte spans of the folded text), drops the accepted ones
/// `discard` names, adds every further occurrence of an accepted or known value, and reports the
/// entities in `original`'s offsets.
pub(super) fn finish_folded(
    original: &str,
    folded: &Folded<'_>,
    candidates: Vec<Candidate>,
    known: &[KnownValue],
    discard: &dyn Fn(&Candidate) -> bool,
) -> Vec<Entity> {
    let text = folded.text();
    let mut accepted = resolve_overlaps(candidates);
    // Discarded after overlap resolution, so a discarded span still keeps the weaker readings
    // of its words out (`Georgia` the state is no PERSON).
    accepted.retain(|c| !discard(c));
    let extra = occurrences(text, &accepted, known);
    if !extra.is_empty() {
        accepted.extend(extra);
        accepted = resolve_overlaps(accepted);
    }
    if !folded.is_identity() {
        for c in &mut accepted {
            (c.start, c.end) = folded.original_span(c.start, c.end);
        }
    }
    to_entities(original, accepted)
}

/// What a canonical value stands for: the type and score it is reported with.
struct Source {
    entity_type: String,
    score: f64,
}

/// Candidates for the occurrences in `text` of the accepted and known values, other than the
/// accepted spans themselves.
fn occurrences(text: &str, accepted: &[Candidate], known: &[KnownValue]) -> Vec<Candidate> {
    let mut values: BTreeMap<String, Source> = BTreeMap::new();
    let mut add = |canon: String, entity_type: &str, score: f64| {
        if canon.len() < MIN_CANONICAL {
            return;
        }
        let better = values.get(&canon).is_none_or(|s| score > s.score);
        if better {
            values.insert(
                canon,
                Source {
                    entity_type: entity_type.to_owned(),
                    score,
                },
            );
        }
    };
    for c in accepted {
        add(canonical(&text[c.start..c.end]), &c.entity_type, c.score);
    }
    for k in known {
        let value = Folded::new(k.value.expose());
        add(canonical(value.text()), &k.entity_type, KNOWN_SCORE);
    }
    if values.is_empty() {
        return Vec::new();
    }
    let (patterns, sources): (Vec<String>, Vec<Source>) = values.into_iter().unzip();
    // The canonical projection of the text, each of its bytes mapped to the folded character
    // it comes from.
    let mut canon = String::with_capacity(text.len());
    let mut from: Vec<(u32, u32)> = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                canon.push(c.to_ascii_lowercase());
                from.push((i as u32, i as u32 + 1));
            }
            continue;
        }
        if !c.is_alphanumeric() {
            continue;
        }
        let span = (i as u32, (i + c.len_utf8()) as u32);
        for l in c.to_lowercase() {
            canon.push(l);
        }
        from.resize(canon.len(), span);
    }
    let taken: HashSet<(usize, usize)> = accepted.iter().map(|c| (c.start, c.end)).collect();
    let mut out = Vec::new();
    for (pattern, m_start, m_end) in find_all(&canon, &patterns) {
        let start = from[m_start].0 as usize;
        let end = from[m_end - 1].1 as usize;
        if word_char_before(text, start) || word_char_at(text, end) {
            continue;
        }
        if !compact(&text[start..end]) {
            continue;
        }
        if taken.contains(&(start, end)) {
            continue;
        }
        let source = &sources[pattern];
        out.push(Candidate {
            entity_type: source.entity_type.clone(),
            start,
            end,
            score: source.score,
            recognizer: "propagated".into(),
            context_word: None,
        });
    }
    out
}

/// One value's written form: no line break, separators between its letters and digits short.
fn compact(span: &str) -> bool {
    let mut run = 0;
    for c in span.chars() {
        if c == '\n' || c == '\r' {
            return false;
        }
        if c.is_alphanumeric() {
            run = 0;
        } else {
            run += 1;
            if run > MAX_SEPARATOR_RUN {
                return false;
            }
        }
    }
    true
}

/// Values up to this many are searched one by one (a few substring searches cost less than
/// building an automaton); more go through one Aho-Corasick automaton.
const MAX_SEPARATE_SEARCHES: usize = 16;

/// Non-overlapping occurrences `(pattern, start, end)` of `patterns` in `haystack`, leftmost
/// first and the longest at a position.
fn find_all(haystack: &str, patterns: &[String]) -> Vec<(usize, usize, usize)> {
    if patterns.len() > MAX_SEPARATE_SEARCHES {
        let Ok(automaton) = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
        else {
            return Vec::new();
        };
        return automaton
            .find_iter(haystack)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
    }
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        found.extend(
            haystack
                .match_indices(p.as_str())
                .map(|(s, _)| (i, s, s + p.len())),
        );
    }
    // Leftmost-longest, non-overlapping, as the automaton would report them.
    found.sort_by(|a, b| a.1.cmp(&b.1).then((b.2 - b.1).cmp(&(a.2 - a.1))));
    let mut out = Vec::with_capacity(found.len());
    let mut last_end = 0;
    for f in found {
        if f.1 >= last_end {
            last_end = f.2;
            out.push(f);
        }
    }
    out
}
