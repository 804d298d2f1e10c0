//! One regex recognizer: its definition as data ([`Recognizer`]), its compiled form
//! ([`PatternRecognizer`], built-in or custom), and how it runs over a text.
use super::context::ContextWords;
use super::validate::{Check, Proposal, Validator};
use super::Candidate;
use crate::protection::{BuildError, ConfigError, CustomPattern};
use regex::Regex;

/// A built-in recognizer as data: `pattern` proposes spans of `entity` with `score`;
/// `validate` confirms, narrows or drops each one; one of `context_words` near a span adds
/// `context_boost`. Rows start from [`Recognizer::DEFAULT`] and set what differs.
#[derive(Clone, Copy)]
pub(super) struct Recognizer {
    pub entity: &'static str,
    /// Stable name, reported in each finding's decision trail.
    pub name: &'static str,
    pub pattern: &'static str,
    pub score: f64,
    /// Lower-case words that raise the score when found near a match.
    pub context_words: &'static [&'static str],
    pub context_boost: f64,
    pub validate: Option<Validator>,
    /// The validator reads capture groups (matching with captures is slower).
    pub captures: bool,
    /// Capture group that is the entity (e.g. the value after `password:`).
    pub value_group: Option<usize>,
    /// Matches have no small length bound: scan the whole text, never chunk by chunk.
    pub whole_text: bool,
}

impl Recognizer {
    pub const DEFAULT: Self = Self {
        entity: "",
        name: "",
        pattern: "",
        score: 0.0,
        context_words: &[],
        context_boost: 0.0,
        validate: None,
        captures: false,
        value_group: None,
        whole_text: false,
    };
}

/// Context boost of custom patterns.
const CUSTOM_CONTEXT_BOOST: f64 = 0.35;

/// A recognizer with its regex compiled; built-in or custom (names and words owned).
pub(crate) struct PatternRecognizer {
    pub entity_type: String,
    pub name: String,
    pub regex: Regex,
    pub score: f64,
    pub context: ContextWords,
    pub validator: Option<Validator>,
    /// Whether matching needs capture groups (for the validator or `value_group`).
    pub needs_captures: bool,
    pub value_group: Option<usize>,
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

impl PatternRecognizer {
    pub(super) fn built_in(r: &Recognizer) -> Result<Self, BuildError> {
        let regex = Regex::new(r.pattern).map_err(|source| BuildError::Regex {
            name: r.name,
            source,
        })?;
        Ok(Self {
            entity_type: r.entity.to_owned(),
            name: r.name.to_owned(),
            regex,
            score: r.score,
            context: ContextWords::new(
                r.context_words.iter().map(|w| (*w).to_owned()),
                r.context_boost,
            ),
            validator: r.validate,
            needs_captures: r.captures || r.value_group.is_some(),
            value_group: r.value_group,
            whole_text: r.whole_text,
        })
    }

    /// A recognizer from configuration; rejects what could not work or would match everywhere.
    pub(super) fn custom(c: &CustomPattern) -> Result<Self, ConfigError> {
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
        Ok(Self {
            entity_type: c.entity_type.clone(),
            name: format!("custom:{}", c.entity_type),
            regex,
            score: c.score,
            context: ContextWords::new(
                c.context.iter().map(|w| w.to_lowercase()),
                CUSTOM_CONTEXT_BOOST,
            ),
            validator: None,
            needs_captures: value_group.is_some(),
            value_group,
            // Custom patterns have no known length bound.
            whole_text: true,
        })
    }

    /// Appends this recognizer's validated, context-scored spans in `text` to `out`.
    pub(super) fn run(&self, text: &str, out: &mut Vec<Candidate>) {
        let mut push = |start: usize, end: usize, score: f64| {
            let (score, context_word) = self.context.raise(text, start, end, score);
            out.push(Candidate {
                entity_type: self.entity_type.clone(),
                start,
                end,
                score,
                recognizer: self.name.clone(),
                context_word,
            });
        };
        let mut propose =
            |start: usize, end: usize, captures: Option<&regex::Captures<'_>>| match self.validator
            {
                Some(validate) => {
                    let proposal = Proposal {
                        text,
                        start,
                        end,
                        score: self.score,
                        captures,
                    };
                    if let Check::Keep { start, end, score } = validate(&proposal) {
                        push(start, end, score);
                    }
                }
                None => push(start, end, self.score),
            };
        if self.needs_captures {
            for caps in self.regex.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                let (s, e) = match self.value_group.and_then(|g| caps.get(g)) {
                    Some(m) => (m.start(), m.end()),
                    None if self.value_group.is_some() => continue,
                    None => (whole.start(), whole.end()),
                };
                propose(s, e, Some(&caps));
            }
        } else {
            for m in self.regex.find_iter(text) {
                propose(m.start(), m.end(), None);
            }
        }
    }
}
