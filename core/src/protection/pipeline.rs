//! The input and output pipelines: guardrails, discovery, rewriting, and the API's
//! `input_processing` / `output_processing` objects.
use super::guardrails::{
    GuardrailReport, Outcome, OutputSignals, REMOTE_GUARDRAIL_SIGNAL, REMOTE_UNAVAILABLE_SIGNAL,
};
use super::redact::{label, redact, replace_entities};
use super::text::{char_to_byte_offsets, Folded};
use super::tokenize::TokenContext;
use super::{Entity, KnownValue, Mode, ProtectionEngine};
use crate::domain::sensitive::Sensitive;
use crate::protection::remote::RemoteScan;
use std::collections::BTreeMap;

pub use crate::domain::protection_report::{
    Discovery, Finding, InputProcessing, Location, OutputProcessing, RewriteMethod, RewriteReport,
    RewrittenEntity,
};

/// Reply text shown instead of a filtered model answer.
pub const FILTERED_REPLY: &str = "This response was blocked due to policy violations.";

/// Builds the `discovery` object from entities (grouped by type, in text order).
pub fn discovery_of(entities: &[Entity]) -> Discovery {
    let mut out: Discovery = BTreeMap::new();
    for e in entities {
        out.entry(e.entity_type.clone()).or_default().push(Finding {
            score: e.score,
            location: Location {
                start_index: e.start,
                end_index: e.end,
            },
            entity_text: Some(e.text.clone()),
        });
    }
    out
}

/// Output findings keep their type, score and place, never the value (a leaked value must not
/// reach the client through the report about it).
fn findings_without_text(mut discovery: Discovery) -> Discovery {
    for finding in discovery.values_mut().flatten() {
        finding.entity_text = None;
    }
    discovery
}

#[derive(Debug, Clone)]
pub struct OutputResult {
    pub processing: OutputProcessing,
    /// Tokens intact, leaked PII redacted: what later turns send to the model as history.
    pub sanitized_text: Sensitive<String>,
    /// For the owner: issued tokens detokenized; the filtered notice when filtered.
    pub display_text: Sensitive<String>,
}

impl ProtectionEngine {
    /// Guardrails + discovery + rewriting of a prompt.
    pub fn process_input(
        &self,
        text: &str,
        mode: Mode,
        tokens: &mut TokenContext,
        remote: &RemoteScan,
    ) -> InputProcessing {
        let threshold = self.config().input_guardrail_threshold;
        let mut report = self.guardrails().scan_input(text, threshold);
        self.apply_remote(&mut report, remote, threshold);
        let known = known_values(tokens);
        let entities = self.discover_with_remote(
            text,
            self.config().input_classification_threshold,
            remote,
            &known,
        );
        let should_block = report.outcome != Outcome::Accepted;
        let found = entities.len();

        let (processed, redaction, protection) = if should_block {
            (
                None,
                RewriteReport::not_run(found),
                RewriteReport::not_run(found),
            )
        } else {
            match mode {
                Mode::None => (
                    Some(text.to_owned()),
                    RewriteReport::not_run(found),
                    RewriteReport::not_run(found),
                ),
                Mode::Redact => {
                    let out = redact(text, &entities);
                    let report = RewriteReport {
                        success: true,
                        method: RewriteMethod::Redact,
                        entities_found: found,
                        entities: Some(rewritten(&entities, |e| label(&e.entity_type))),
                    };
                    (Some(out), report, RewriteReport::not_run(found))
                }
                Mode::Protect => {
                    let mut issued = Vec::with_capacity(found);
                    let out = replace_entities(text, &entities, |e| {
                        // The folded value: a disguised value (full-width digits, a zero-width
                        // space) gets the token of its plain form.
                        let value = Folded::new(e.text.expose());
                        let token = tokens.protect(&e.entity_type, value.text());
                        issued.push(token.clone());
                        token
                    });
                    let mut it = issued.into_iter();
                    let report = RewriteReport {
                        success: true,
                        method: RewriteMethod::Tokenize,
                        entities_found: found,
                        entities: Some(rewritten(&entities, |_| it.next().unwrap_or_default())),
                    };
                    (Some(out), RewriteReport::not_run(found), report)
                }
            }
        };

        InputProcessing {
            original_text: Sensitive::new(text.to_owned()),
            processed_text: processed.map(Sensitive::new),
            should_block,
            guardrails: report,
            discovery: discovery_of(&entities),
            protection,
            redaction,
            mode,
        }
    }

    /// Guardrails + leak detection + redaction of a model reply, and its detokenized display.
    pub fn process_output(
        &self,
        text: &str,
        tokens: &TokenContext,
        signals_system_prompt: Option<&str>,
        remote: &RemoteScan,
    ) -> OutputResult {
        let known = known_values(tokens);
        let entities = self.discover_with_remote(
            text,
            self.config().output_classification_threshold,
            remote,
            &known,
        );
        // Tokens this conversation issued are expected in the reply; everything else is a leak.
        let spans = tokens.token_spans(text);
        let leaked: Vec<Entity> = entities
            .into_iter()
            .filter(|e| {
                !spans
                    .iter()
                    .any(|&(s, end)| e.byte_start < end && s < e.byte_end)
            })
            .collect();
        let mut leaked_types: Vec<String> = leaked.iter().map(|e| e.entity_type.clone()).collect();
        leaked_types.sort();
        leaked_types.dedup();

        let threshold = self.config().output_guardrail_threshold;
        let signals = OutputSignals {
            system_prompt: signals_system_prompt,
            leaked_pii_types: leaked_types,
            // The user's URLs are not passed here yet: no reply image is trusted.
            ..OutputSignals::default()
        };
        let mut report = self.guardrails().scan_output(text, threshold, &signals);
        self.apply_remote(&mut report, remote, threshold);
        let should_filter = report.outcome != Outcome::Accepted;

        let (sanitized, display) = if should_filter {
            (FILTERED_REPLY.to_owned(), FILTERED_REPLY.to_owned())
        } else {
            let sanitized = redact(text, &leaked);
            let display = tokens.detokenize(&sanitized);
            (sanitized, display)
        };
        let redaction = RewriteReport {
            success: true,
            method: RewriteMethod::Redact,
            entities_found: leaked.len(),
            entities: Some(rewritten(&leaked, |e| label(&e.entity_type))),
        };
        OutputResult {
            processing: OutputProcessing {
                original_response: (!should_filter).then(|| Sensitive::new(sanitized.clone())),
                processed_response: Sensitive::new(sanitized.clone()),
                should_filter,
                guardrails: report,
                discovery: findings_without_text(discovery_of(&leaked)),
                redaction,
            },
            sanitized_text: Sensitive::new(sanitized),
            display_text: Sensitive::new(display),
        }
    }

    /// Local discovery plus the findings of a remote classifier, overlaps resolved together.
    fn discover_with_remote(
        &self,
        text: &str,
        threshold: f64,
        remote: &RemoteScan,
        known: &[KnownValue],
    ) -> Vec<Entity> {
        let local = self.discover_with_known(text, threshold, known);
        let Some(findings) = remote.findings.as_ref().filter(|f| !f.is_empty()) else {
            return local;
        };
        let total_chars = text.chars().count();
        let mut char_offsets = Vec::with_capacity(findings.len() * 2);
        for f in findings {
            char_offsets.push(f.start.min(total_chars));
            char_offsets.push(f.end.min(total_chars));
        }
        let bytes = char_to_byte_offsets(text, &char_offsets);
        let mut candidates: Vec<super::recognizers::Candidate> = local
            .iter()
            .map(|e| super::recognizers::Candidate {
                entity_type: e.entity_type.clone(),
                start: e.byte_start,
                end: e.byte_end,
                score: e.score,
                recognizer: e.recognizer.clone(),
                context_word: e.context_word.clone(),
            })
            .collect();
        for (i, f) in findings.iter().enumerate() {
            if f.score >= threshold && bytes[2 * i] < bytes[2 * i + 1] {
                candidates.push(super::recognizers::Candidate {
                    entity_type: f.entity_type.clone(),
                    start: bytes[2 * i],
                    end: bytes[2 * i + 1],
                    score: f.score,
                    recognizer: "remote_classifier".into(),
                    context_word: None,
                });
            }
        }
        super::recognizers::finish(text, candidates)
    }

    /// Folds the remote guardrail into the local report; a failed remote service blocks unless
    /// fail-open is configured.
    fn apply_remote(&self, report: &mut GuardrailReport, remote: &RemoteScan, threshold: f64) {
        if let Some(reason) = &remote.failure {
            report.policy_signals.push(REMOTE_UNAVAILABLE_SIGNAL.into());
            report.details.remote_error = Some(reason.clone());
            if !self.config().remote_fail_open {
                report.outcome = Outcome::Error;
                report.risk_score = 1.0;
            }
            return;
        }
        if let Some(score) = remote.guardrail_score {
            let score = score.clamp(0.0, 1.0);
            report.details.remote_guardrail_score = Some(score);
            if score > report.risk_score {
                report.risk_score = score;
            }
            if score >= threshold {
                report.policy_signals.push(REMOTE_GUARDRAIL_SIGNAL.into());
                if report.outcome == Outcome::Accepted {
                    report.outcome = Outcome::Rejected;
                }
            }
        }
    }
}

/// The values behind the tokens this conversation issued in earlier turns: a value tokenized
/// once is found again even where no cue precedes it.
fn known_values(tokens: &TokenContext) -> Vec<KnownValue> {
    tokens
        .issued()
        .iter()
        .filter_map(|(token, entity_type)| {
            let value = tokens.reveal(token).ok()?;
            Some(KnownValue {
                entity_type: entity_type.to_owned(),
                value: Sensitive::new(value),
            })
        })
        .collect()
}

fn rewritten(
    entities: &[Entity],
    mut replacement: impl FnMut(&Entity) -> String,
) -> Vec<RewrittenEntity> {
    entities
        .iter()
        .map(|e| RewrittenEntity {
            entity_type: e.entity_type.clone(),
            start: e.start,
            end: e.end,
            replacement: replacement(e),
        })
        .collect()
}

#[cfg(test)]
mod tests;
