//! `redact` mode: each entity becomes a `[TYPE]` label.
use super::Entity;

/// Replaces each entity (non-overlapping, ordered by position) with `replacement(entity)`.
pub fn replace_entities(
    text: &str,
    entities: &[Entity],
    mut replacement: impl FnMut(&Entity) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in entities {
        if e.byte_start < last || e.byte_end > text.len() {
            continue;
        }
        out.push_str(&text[last..e.byte_start]);
        out.push_str(&replacement(e));
        last = e.byte_end;
    }
    out.push_str(&text[last..]);
    out
}

/// The `[TYPE]` label of an entity.
pub fn label(entity_type: &str) -> String {
    format!("[{entity_type}]")
}

/// `text` with every entity replaced by its `[TYPE]` label.
pub fn redact(text: &str, entities: &[Entity]) -> String {
    replace_entities(text, entities, |e| label(&e.entity_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protection::{ProtectionConfig, ProtectionEngine};

    #[test]
    fn labels_replace_entities_and_keep_the_rest() {
        let engine = ProtectionEngine::new(ProtectionConfig::default()).unwrap();
        let text = "Mail jane.doe@example.com or call (415) 555-2671 — merci, café ☕";
        let entities = engine.discover(text, 0.6);
        assert_eq!(
            redact(text, &entities),
            "Mail [EMAIL] or call [PHONE] — merci, café ☕"
        );
    }
}
