//! What protection found and did to a text, as the API shows it (`protegrity_data`) and as a
//! message stores it: plain data that serialises exactly to API.md's shapes and reads back
//! from the store. The pipelines that fill these live in `protection`.
use crate::domain::sensitive::Sensitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// What the input pipeline does with discovered entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Replace each entity with a `[TYPE]` label.
    Redact,
    /// Replace each entity with a reversible token.
    Protect,
    /// Scan only; the text reaches the model unchanged.
    None,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Redact => "redact",
            Mode::Protect => "protect",
            Mode::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid protection mode {0:?}: expected redact, protect or none")]
pub struct InvalidMode(pub String);

impl FromStr for Mode {
    type Err = InvalidMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "redact" => Ok(Mode::Redact),
            "protect" => Ok(Mode::Protect),
            "none" => Ok(Mode::None),
            other => Err(InvalidMode(other.to_owned())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Guardrails
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Accepted,
    Rejected,
    Error,
}

/// What a guardrail rule guards against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PromptInjection,
    Jailbreak,
    SystemPromptExtraction,
    DataExfiltration,
    Secret,
    Obfuscation,
    PiiLeak,
    SystemPromptLeak,
    Remote,
}

/// Where the text a rule matched came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Text,
    /// ASCII smuggled in tag characters or variation selectors.
    Hidden,
    Base64,
    Hex,
    Rot13,
    Reversed,
    /// Only visible once every separator is removed (`i g n o r e`).
    Despaced,
}

/// Which way the scanned text was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanDirection {
    Input,
    Output,
}

/// How rule scores are combined into the risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    /// `1 - Π(1 - score)` over distinct rules.
    NoisyOr,
}

/// One rule that fired, in `details.rules`: the decision trail. Never holds matched text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleScore {
    pub rule: String,
    pub category: Category,
    pub score: f64,
    pub source: Source,
    /// Base score before context softening, when softened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub softened_from: Option<f64>,
}

/// `details.unicode` of an input scan: counts of Unicode tricks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnicodeCounts {
    pub invisible_characters: usize,
    pub bidi_controls: usize,
    pub tag_characters: usize,
    pub variation_selectors: usize,
    pub mixed_script_words: usize,
}

/// One entry of `details.leaked_pii_types` of an output scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakedType {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub score: f64,
}

/// `details.system_prompt_overlap` of an output scan: how much of the agent's system prompt
/// the reply repeats.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SystemPromptOverlap {
    pub containment: f64,
    pub matched_ngrams: usize,
    pub longest_run_words: usize,
}

/// `details.scores`: the rule risk and the learned scorer's risk side by side, and how they
/// were combined into `risk_score` (before any remote guardrail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// Noisy-OR of the rules that fired.
    pub rules: f64,
    /// The learned scorer's calibrated risk (0.8 at its trained cut).
    pub scorer: f64,
    /// Its raw margin (`bias + w·x`, the maximum over windows and decoded layers).
    pub scorer_raw: f64,
    /// Which trained model produced `scorer`.
    pub model: String,
    /// `max`: the larger of the two is the risk.
    pub combination: String,
}

/// The guardrail report's `details`: the decision trail of a scan. Every field a scan fills
/// is always written by it; the others stay out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardrailDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<ScanDirection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combination: Option<Combination>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleScore>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<BTreeMap<Category, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode: Option<UnicodeCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_segments: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaked_pii_types: Option<Vec<LeakedType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt_overlap: Option<SystemPromptOverlap>,
    /// Why a configured remote service could not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_error: Option<String>,
    /// The remote guardrail's score, folded into the risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_guardrail_score: Option<f64>,
    /// The risk of this prompt together with the user's recent prompts (`history_guard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_risk_score: Option<f64>,
    /// Rules and learned scorer side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<ScoreBreakdown>,
    /// URLs in the reply that the output rules judged (images or links the user did not
    /// supply, or that carry data); counts only, never the URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrusted_urls: Option<usize>,
}

/// The API's `guardrails` object: `{"outcome","risk_score","threshold","policy_signals","details"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardrailReport {
    pub outcome: Outcome,
    pub risk_score: f64,
    pub threshold: f64,
    pub policy_signals: Vec<String>,
    pub details: GuardrailDetails,
}

impl GuardrailReport {
    /// Whether the message must be blocked (rejected, or an error under fail-closed).
    pub fn blocks(&self) -> bool {
        self.outcome != Outcome::Accepted
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery and rewriting
// ---------------------------------------------------------------------------------------------

/// `{"start_index","end_index"}` in characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub start_index: usize,
    pub end_index: usize,
}

/// One discovered entity in `discovery`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub score: f64,
    pub location: Location,
    /// The value found: input findings only (the user's own words). Output findings never carry
    /// it: what the output side removed stays removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_text: Option<Sensitive<String>>,
}

/// `{"<TYPE>":[{"score","location":{"start_index","end_index"},"entity_text"}]}`.
pub type Discovery = BTreeMap<String, Vec<Finding>>;

/// One rewritten entity in `redaction.entities` / `protection.entities`: where it was in the
/// original text (characters) and what replaced it (a label or a token, never the value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewrittenEntity {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// How a rewrite replaced entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RewriteMethod {
    Redact,
    Tokenize,
    /// This rewrite did not run.
    None,
}

/// `{"success","method","entities_found","entities"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewriteReport {
    pub success: bool,
    pub method: RewriteMethod,
    pub entities_found: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<RewrittenEntity>>,
}

impl RewriteReport {
    /// The report of a rewrite that did not run over `found` entities.
    pub fn not_run(found: usize) -> Self {
        Self {
            success: true,
            method: RewriteMethod::None,
            entities_found: found,
            entities: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The two halves of protegrity_data
// ---------------------------------------------------------------------------------------------

/// The API's `input_processing` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputProcessing {
    pub original_text: Sensitive<String>,
    /// What the model receives; `null` when blocked.
    pub processed_text: Option<Sensitive<String>>,
    pub should_block: bool,
    pub guardrails: GuardrailReport,
    pub discovery: Discovery,
    pub protection: RewriteReport,
    pub redaction: RewriteReport,
    pub mode: Mode,
}

impl InputProcessing {
    /// The sanitized prompt (what the model may see), `None` when blocked.
    pub fn processed_text(&self) -> Option<&str> {
        self.processed_text.as_ref().map(|s| s.expose().as_str())
    }
}

/// The API's `output_processing` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputProcessing {
    /// `null` when the reply was filtered; otherwise the reply as processed (a filter the
    /// user could read around would be no filter, so the raw reply is neither returned nor
    /// stored).
    pub original_response: Option<Sensitive<String>>,
    /// The reply as stored and sent back as history: issued tokens intact, leaked PII redacted,
    /// or the filtered notice.
    pub processed_response: Sensitive<String>,
    pub should_filter: bool,
    pub guardrails: GuardrailReport,
    /// PII in the reply that this conversation did not issue as tokens.
    pub discovery: Discovery,
    pub redaction: RewriteReport,
}

/// `protegrity_data` as the chat answer shows it: both halves, `null` until known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtegrityData {
    pub input_processing: Option<InputProcessing>,
    pub output_processing: Option<OutputProcessing>,
}

/// One tool call's result as the user sees it: `{"call_id","tool_name","output"|"error"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    pub call_id: String,
    pub tool_name: String,
    /// The tool's own output object (each tool has its own shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why a turn ended without a model reply, stored on the reply message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnFailure {
    pub kind: String,
}

/// A message's `protegrity_data` as stored: the user message holds `input_processing`, the
/// reply `output_processing` (and its tool results), a failed turn its `error`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtectionRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_processing: Option<InputProcessing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_processing: Option<OutputProcessing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_results: Option<Vec<ToolResult>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TurnFailure>,
}

impl ProtectionRecord {
    pub fn input(processing: InputProcessing) -> Self {
        Self {
            input_processing: Some(processing),
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> GuardrailReport {
        GuardrailReport {
            outcome: Outcome::Rejected,
            risk_score: 0.95,
            threshold: 0.8,
            policy_signals: vec!["ignore_previous_instructions".into()],
            details: GuardrailDetails {
                direction: Some(ScanDirection::Input),
                combination: Some(Combination::NoisyOr),
                rules: Some(vec![RuleScore {
                    rule: "ignore_previous_instructions".into(),
                    category: Category::PromptInjection,
                    score: 0.95,
                    source: Source::Text,
                    softened_from: None,
                }]),
                categories: Some(BTreeMap::from([(Category::PromptInjection, 0.95)])),
                unicode: Some(UnicodeCounts::default()),
                decoded_segments: Some(0),
                ..GuardrailDetails::default()
            },
        }
    }

    fn input() -> InputProcessing {
        InputProcessing {
            original_text: Sensitive::from("mail a@b.co"),
            processed_text: Some(Sensitive::from("mail [EMAIL]")),
            should_block: false,
            guardrails: report(),
            discovery: BTreeMap::from([(
                "EMAIL".to_owned(),
                vec![Finding {
                    score: 0.9,
                    location: Location {
                        start_index: 5,
                        end_index: 11,
                    },
                    entity_text: Some(Sensitive::from("a@b.co")),
                }],
            )]),
            protection: RewriteReport::not_run(1),
            redaction: RewriteReport {
                success: true,
                method: RewriteMethod::Redact,
                entities_found: 1,
                entities: Some(vec![RewrittenEntity {
                    entity_type: "EMAIL".into(),
                    start: 5,
                    end: 11,
                    replacement: "[EMAIL]".into(),
                }]),
            },
            mode: Mode::Redact,
        }
    }

    #[test]
    fn input_processing_has_the_api_shape() {
        let v = serde_json::to_value(input()).unwrap();
        assert_eq!(v["processed_text"], "mail [EMAIL]");
        assert_eq!(v["mode"], "redact");
        assert_eq!(
            v["protection"],
            json!({"success": true, "method": "none", "entities_found": 1})
        );
        assert_eq!(v["redaction"]["entities"][0]["type"], "EMAIL");
        assert_eq!(
            v["discovery"]["EMAIL"][0],
            json!({"score": 0.9, "location": {"start_index": 5, "end_index": 11}, "entity_text": "a@b.co"})
        );
        let g = &v["guardrails"];
        assert_eq!(g["outcome"], "rejected");
        assert_eq!(g["details"]["direction"], "input");
        assert_eq!(g["details"]["combination"], "noisy_or");
        assert_eq!(g["details"]["categories"]["prompt_injection"], 0.95);
        assert_eq!(g["details"]["rules"][0]["source"], "text");
        assert!(g["details"]["rules"][0].get("softened_from").is_none());
        assert!(g["details"].get("remote_error").is_none());
    }

    #[test]
    fn a_stored_record_reads_back_unchanged() {
        let record = ProtectionRecord {
            input_processing: Some(input()),
            tool_results: Some(vec![ToolResult {
                call_id: "c1".into(),
                tool_name: "protegrity-redact".into(),
                output: Some(json!({"redacted_text": "[EMAIL]", "entities_found": 1})),
                error: None,
            }]),
            ..ProtectionRecord::default()
        };
        let text = serde_json::to_string(&record).unwrap();
        let back: ProtectionRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["input_processing", "tool_results"]);
    }

    #[test]
    fn a_record_with_nulls_reads_as_absent() {
        let back: ProtectionRecord = serde_json::from_value(
            json!({"output_processing": null, "error": {"kind": "Deadline"}}),
        )
        .unwrap();
        assert_eq!(back.output_processing, None);
        assert_eq!(
            back.error,
            Some(TurnFailure {
                kind: "Deadline".into()
            })
        );
        assert!(!back.is_empty());
        assert!(ProtectionRecord::default().is_empty());
    }

    #[test]
    fn protegrity_data_always_has_both_halves() {
        let v = serde_json::to_value(ProtegrityData {
            input_processing: Some(input()),
            output_processing: None,
        })
        .unwrap();
        assert!(v["input_processing"].is_object());
        assert!(v.get("output_processing").is_some_and(|o| o.is_null()));
    }

    #[test]
    fn modes_parse_and_print() {
        for m in [Mode::Redact, Mode::Protect, Mode::None] {
            assert_eq!(m.as_str().parse::<Mode>(), Ok(m));
        }
        assert_eq!(
            "tokenize".parse::<Mode>(),
            Err(InvalidMode("tokenize".into()))
        );
    }
}
