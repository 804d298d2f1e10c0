//! Overlap resolution, deterministic: higher score first, then the longer span, then the
//! earlier start, then the entity type name; and the conversion of the accepted byte spans to
//! entities with character offsets.
use super::Candidate;
use crate::domain::sensitive::Sensitive;
use crate::protection::text::byte_to_char_offsets;
use crate::protection::Entity;

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

pub(super) fn to_entities(text: &str, accepted: Vec<Candidate>) -> Vec<Entity> {
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
