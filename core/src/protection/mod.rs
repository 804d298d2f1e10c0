//! The protection engine. Pure, synchronous, no AWS types.
//!
//! - [`ProtectionEngine::discover`] finds PII and secrets (recognizers in [`recognizers`]).
//! - [`redact`] replaces findings with `[TYPE]` labels.
//! - [`tokenize`] replaces them with reversible tokens (FF1 or authenticated opaque tokens).
//! - [`pipeline`] runs guardrails + discovery + rewriting for a prompt or a reply and produces the
//!   API's `input_processing` / `output_processing` objects.
//! - [`scan`] streams JSONL for `pai-admin scan`.
//!
//! Build one [`ProtectionEngine`] per process: it compiles the regexes and automata when built.
pub mod guardrails;
pub mod history_guard;
pub mod jsonl;
pub mod pipeline;
pub mod recognizers;
pub mod redact;
pub mod remote;
pub mod scan;
pub mod text;
pub mod tokenize;
pub mod validators;

use crate::domain::sensitive::Sensitive;
use serde::{Deserialize, Serialize};

pub use guardrails::GuardrailScanner;
pub use pipeline::{InputProcessing, OutputProcessing, OutputResult};
pub use recognizers::{KnownValue, Recognizers};
pub use scan::{scan_jsonl, ScanStats};
pub use tokenize::{IssuedTokens, TokenContext, TokenError};

pub use crate::domain::protection_report::{InvalidMode, Mode};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("setting {name} is invalid: {reason}")]
    InvalidSetting { name: &'static str, reason: String },
    #[error("custom pattern {entity_type:?} is invalid: {reason}")]
    InvalidPattern { entity_type: String, reason: String },
    #[error("built-in rules failed to compile: {0}")]
    BuiltIn(#[from] BuildError),
}

/// A built-in table (recognizer regexes, name and place lists, guardrail rules) failed to
/// compile. The tables are constants exercised by the tests, so this is a programming error;
/// it is reported when the engine is built instead of panicking on a request.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("pattern {name} does not compile: {source}")]
    Regex {
        name: &'static str,
        #[source]
        source: regex::Error,
    },
    #[error("keyword automaton {name} does not build: {source}")]
    Automaton {
        name: &'static str,
        #[source]
        source: aho_corasick::BuildError,
    },
    #[error("guardrail scorer weights are unusable: {reason}")]
    ScorerWeights { reason: &'static str },
}

/// A recognizer added by configuration (`PROTEGRITY_CUSTOM_PATTERNS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPattern {
    /// Entity type reported in discovery and used as the redaction label, e.g. `EMPLOYEE_ID`.
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Regular expression (Rust `regex` syntax). A capture group named `value` narrows the
    /// entity to that group.
    pub pattern: String,
    /// Score of a match without context; default 0.8.
    #[serde(default = "default_custom_score")]
    pub score: f64,
    /// Words that, found just before the match, raise the score.
    #[serde(default)]
    pub context: Vec<String>,
}

fn default_custom_score() -> f64 {
    0.8
}

/// Settings of the protection engine.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtectionConfig {
    pub input_classification_threshold: f64,
    pub output_classification_threshold: f64,
    pub input_guardrail_threshold: f64,
    pub output_guardrail_threshold: f64,
    /// When a configured remote service fails: `false` (default) blocks.
    pub remote_fail_open: bool,
    pub custom_patterns: Vec<CustomPattern>,
}

impl Default for ProtectionConfig {
    fn default() -> Self {
        Self {
            input_classification_threshold: 0.6,
            output_classification_threshold: 0.6,
            input_guardrail_threshold: 0.8,
            output_guardrail_threshold: 0.8,
            remote_fail_open: false,
            custom_patterns: Vec::new(),
        }
    }
}

impl ProtectionConfig {
    /// Reads the settings from the process environment; unset ones keep their defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Same as [`from_env`](Self::from_env) over any lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let threshold = |name: &'static str, default: f64| -> Result<f64, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(raw) if raw.trim().is_empty() => Ok(default),
                Some(raw) => match raw.trim().parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
                    _ => Err(ConfigError::InvalidSetting {
                        name,
                        reason: "expected a number between 0 and 1".into(),
                    }),
                },
            }
        };
        config.input_classification_threshold = threshold(
            "PROTEGRITY_CLASSIFICATION_THRESHOLD_INPUT",
            config.input_classification_threshold,
        )?;
        config.output_classification_threshold = threshold(
            "PROTEGRITY_CLASSIFICATION_THRESHOLD_OUTPUT",
            config.output_classification_threshold,
        )?;
        config.input_guardrail_threshold = threshold(
            "PROTEGRITY_GUARDRAIL_THRESHOLD_INPUT",
            config.input_guardrail_threshold,
        )?;
        config.output_guardrail_threshold = threshold(
            "PROTEGRITY_GUARDRAIL_THRESHOLD_OUTPUT",
            config.output_guardrail_threshold,
        )?;
        if let Some(raw) = lookup("PROTEGRITY_FAIL_OPEN") {
            config.remote_fail_open = match raw.trim().to_ascii_lowercase().as_str() {
                "" | "0" | "false" | "no" | "off" => false,
                "1" | "true" | "yes" | "on" => true,
                _ => {
                    return Err(ConfigError::InvalidSetting {
                        name: "PROTEGRITY_FAIL_OPEN",
                        reason: "expected true or false".into(),
                    })
                }
            };
        }
        if let Some(raw) = lookup("PROTEGRITY_CUSTOM_PATTERNS") {
            if !raw.trim().is_empty() {
                config.custom_patterns = serde_json::from_str(&raw).map_err(|e| {
                    ConfigError::InvalidSetting {
                        name: "PROTEGRITY_CUSTOM_PATTERNS",
                        reason: format!(
                            "expected a JSON array of {{\"type\",\"pattern\",\"score\"?,\"context\"?}}: {e}"
                        ),
                    }
                })?;
            }
        }
        Ok(config)
    }
}

/// One finding. Offsets are in characters (Unicode scalar values), end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub entity_type: String,
    pub start: usize,
    pub end: usize,
    pub score: f64,
    pub text: Sensitive<String>,
    /// Byte offsets into the scanned text, for rewriting.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Which pattern produced it and which context word raised it: the decision trail.
    pub recognizer: String,
    pub context_word: Option<String>,
}

/// The engine: compiled recognizers and guardrail rules plus settings. Everything is compiled
/// here, so no request pays for it and a broken table fails start-up. `Send + Sync`; build
/// once per process.
#[derive(Debug)]
pub struct ProtectionEngine {
    config: ProtectionConfig,
    recognizers: Recognizers,
    guardrails: GuardrailScanner,
}

impl ProtectionEngine {
    pub fn new(config: ProtectionConfig) -> Result<Self, ConfigError> {
        let recognizers = Recognizers::new(&config.custom_patterns)?;
        let guardrails = GuardrailScanner::new()?;
        Ok(Self {
            config,
            recognizers,
            guardrails,
        })
    }

    pub fn config(&self) -> &ProtectionConfig {
        &self.config
    }

    /// The compiled guardrail rules (what `process_input` / `process_output` scan with).
    pub fn guardrails(&self) -> &GuardrailScanner {
        &self.guardrails
    }

    /// Finds entities scoring at least `threshold`, non-overlapping, ordered by position.
    pub fn discover(&self, text: &str, threshold: f64) -> Vec<Entity> {
        self.recognizers.discover(text, threshold)
    }

    /// [`discover`](Self::discover), and also every occurrence of a `known` value (one found in
    /// an earlier turn of the conversation).
    pub fn discover_with_known(
        &self,
        text: &str,
        threshold: f64,
        known: &[KnownValue],
    ) -> Vec<Entity> {
        self.recognizers.discover_with_known(text, threshold, known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn mode_parses_and_serializes() {
        assert_eq!("protect".parse::<Mode>().unwrap(), Mode::Protect);
        assert!("PROTECT".parse::<Mode>().is_err());
        assert_eq!(serde_json::to_string(&Mode::None).unwrap(), "\"none\"");
        let m: Mode = serde_json::from_str("\"redact\"").unwrap();
        assert_eq!(m, Mode::Redact);
    }

    #[test]
    fn config_reads_settings_and_rejects_bad_ones() {
        let env: HashMap<&str, &str> = [
            ("PROTEGRITY_CLASSIFICATION_THRESHOLD_INPUT", "0.4"),
            ("PROTEGRITY_GUARDRAIL_THRESHOLD_OUTPUT", "0.9"),
            ("PROTEGRITY_FAIL_OPEN", "true"),
            (
                "PROTEGRITY_CUSTOM_PATTERNS",
                r#"[{"type":"EMPLOYEE_ID","pattern":"EMP-\\d{6}","context":["employee"]}]"#,
            ),
        ]
        .into_iter()
        .collect();
        let c = ProtectionConfig::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(c.input_classification_threshold, 0.4);
        assert_eq!(c.output_classification_threshold, 0.6);
        assert_eq!(c.output_guardrail_threshold, 0.9);
        assert!(c.remote_fail_open);
        assert_eq!(c.custom_patterns[0].entity_type, "EMPLOYEE_ID");
        assert_eq!(c.custom_patterns[0].score, 0.8);

        let bad = |k: &'static str, v: &'static str| {
            ProtectionConfig::from_lookup(move |name| (name == k).then(|| v.to_string())).is_err()
        };
        assert!(bad("PROTEGRITY_CLASSIFICATION_THRESHOLD_OUTPUT", "1.5"));
        assert!(bad("PROTEGRITY_GUARDRAIL_THRESHOLD_INPUT", "high"));
        assert!(bad("PROTEGRITY_FAIL_OPEN", "maybe"));
        assert!(bad("PROTEGRITY_CUSTOM_PATTERNS", "EMP-\\d+"));
    }

    #[test]
    fn invalid_custom_regex_is_a_config_error() {
        let config = ProtectionConfig {
            custom_patterns: vec![CustomPattern {
                entity_type: "X".into(),
                pattern: "(".into(),
                score: 0.9,
                context: vec![],
            }],
            ..Default::default()
        };
        assert!(matches!(
            ProtectionEngine::new(config),
            Err(ConfigError::InvalidPattern { .. })
        ));
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<ProtectionEngine>();
    }
}
