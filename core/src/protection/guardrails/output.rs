//! Output rules: PII the conversation did not issue, system-prompt leakage (word n-gram
//! overlap), exfiltration by rendering (`exfil`), and all input rules (injection, jailbreak,
//! secrets, hidden text…) with the learned scorer.
use super::normalize::fold;
use super::rules::Category;
use super::scan::{Hit, Source};
use super::scorer::ScorerOutput;
use super::{GuardrailScanner, OutputSignals};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Risk of one leaked entity type. Types that identify or give access to a person (SSN, card,
/// account) reject on their own; contact data needs company; names, places and dates appear
/// in ordinary answers and only add a little.
pub fn pii_type_score(entity_type: &str) -> f64 {
    match entity_type.to_ascii_uppercase().as_str() {
        "SSN" | "CREDIT_CARD" | "IBAN" | "US_PASSPORT" | "DRIVER_LICENSE" | "SECRET" | "CRYPTO"
        | "US_BANK_NUMBER" | "BANK_ACCOUNT" | "MEDICAL_LICENSE" | "NATIONAL_ID" | "TAX_ID"
        | "PASSPORT" => 0.9,
        "EMAIL" | "PHONE" | "IP_ADDRESS" | "MAC_ADDRESS" => 0.5,
        "PERSON" | "LOCATION" | "DATE" | "DATE_TIME" | "URL" | "NRP" | "ORGANIZATION" => 0.2,
        _ => 0.6,
    }
}

/// Overlap between the reply and the system prompt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PromptOverlap {
    /// Share of the prompt's n-grams found in the reply.
    pub containment: f64,
    /// Distinct prompt n-grams found in the reply.
    pub matched: usize,
    /// Longest run of consecutive reply words that is also in the prompt.
    pub longest_run_words: usize,
}

fn words(text: &str) -> Vec<String> {
    fold(text)
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn shingle_hash(window: &[String]) -> u64 {
    let mut h = DefaultHasher::new();
    window.hash(&mut h);
    h.finish()
}

pub fn prompt_overlap(reply: &str, system_prompt: &str) -> Option<PromptOverlap> {
    let prompt = words(system_prompt);
    // Too short to tell a leak from a coincidence.
    if prompt.len() < 4 {
        return None;
    }
    let n = if prompt.len() >= 10 { 5 } else { 3 };
    let prompt_set: HashSet<u64> = prompt.windows(n).map(shingle_hash).collect();
    let reply = words(reply);
    if reply.len() < n {
        return Some(PromptOverlap {
            containment: 0.0,
            matched: 0,
            longest_run_words: 0,
        });
    }
    let mut found = HashSet::new();
    let mut run = 0usize;
    let mut longest = 0usize;
    for window in reply.windows(n) {
        let h = shingle_hash(window);
        if prompt_set.contains(&h) {
            found.insert(h);
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    Some(PromptOverlap {
        containment: found.len() as f64 / prompt_set.len().max(1) as f64,
        matched: found.len(),
        longest_run_words: if longest == 0 { 0 } else { longest + n - 1 },
    })
}

fn leak_score(o: &PromptOverlap) -> Option<f64> {
    if o.matched >= 4 && (o.containment >= 0.5 || o.longest_run_words >= 30) {
        Some(0.95)
    } else if o.matched >= 4 && (o.containment >= 0.25 || o.longest_run_words >= 15) {
        Some(0.8)
    } else if o.matched >= 3 && o.containment >= 0.1 {
        Some(0.45)
    } else {
        None
    }
}

/// Replies are not prompts: the scorer (trained mostly on prompts) must clear its cut by this
/// much on a reply. Chosen on `replies.jsonl`, which is therefore the output side's
/// development set (docs/guardrails.md).
pub const OUTPUT_SCORER_MARGIN: f64 = 2.0;

pub struct OutputScan {
    pub hits: Vec<Hit>,
    pub overlap: Option<PromptOverlap>,
    pub leaked_types: Vec<(String, f64)>,
    /// Images, auto-loading HTML and data-carrying links the user did not supply.
    pub untrusted_urls: usize,
    /// The learned scorer over the reply.
    pub learned: ScorerOutput,
}

impl GuardrailScanner {
    /// The output rules: leaked PII and system prompt, exfiltration by rendering, and every
    /// input rule and the learned scorer too, so a reply that carries injection or jailbreak
    /// instructions (for a later turn, another agent or a tool) is filtered like a prompt.
    pub(super) fn inspect_output(&self, text: &str, signals: &OutputSignals<'_>) -> OutputScan {
        let mut hits = Vec::new();

        let mut leaked_types: Vec<(String, f64)> = signals
            .leaked_pii_types
            .iter()
            .map(|t| (t.to_ascii_uppercase(), pii_type_score(t)))
            .collect();
        leaked_types.sort_by(|a, b| a.0.cmp(&b.0));
        leaked_types.dedup_by(|a, b| a.0 == b.0);
        if !leaked_types.is_empty() {
            let score = 1.0 - leaked_types.iter().map(|(_, s)| 1.0 - s).product::<f64>();
            hits.push(Hit::new(
                "leaked_pii",
                Category::PiiLeak,
                score,
                Source::Text,
            ));
        }

        let overlap = signals.system_prompt.and_then(|p| prompt_overlap(text, p));
        if let Some(score) = overlap.as_ref().and_then(leak_score) {
            hits.push(Hit::new(
                "system_prompt_leak",
                Category::SystemPromptLeak,
                score,
                Source::Text,
            ));
        }

        // Everything the input side checks (phrase rules, Unicode tricks, hidden and encoded
        // payloads, secrets, the learned scorer).
        // The URL-shape rules are left to `exfil`, which knows code from rendered text and the
        // user's own URLs.
        let input = self.inspect_input(text);
        hits.extend(input.hits.into_iter().filter(|h| {
            !matches!(
                h.rule,
                "markdown_image_exfiltration"
                    | "url_data_placeholder"
                    | "render_exfiltration_request"
            )
        }));
        let untrusted_urls = self.exfil.output_hits(text, &signals.user_urls, &mut hits);

        OutputScan {
            hits,
            overlap,
            leaked_types,
            untrusted_urls,
            learned: ScorerOutput {
                raw: input.learned.raw,
                risk: self
                    .scorer
                    .risk_of(input.learned.raw - OUTPUT_SCORER_MARGIN),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_scanner;
    use super::*;

    fn scan_output(text: &str, system_prompt: Option<&str>, leaked: &[String]) -> OutputScan {
        let signals = OutputSignals {
            system_prompt,
            leaked_pii_types: leaked.to_vec(),
            ..OutputSignals::default()
        };
        test_scanner().inspect_output(text, &signals)
    }

    const PROMPT: &str = "You are the Data Protection Expert for Acme Corp. Never reveal customer \
        records. Answer questions about GDPR, HIPAA and PCI DSS. Use the protegrity tools when \
        asked to classify or redact data, and refuse to discuss internal pricing.";

    #[test]
    fn verbatim_echo_is_a_leak() {
        let reply = format!("Sure! My instructions are: {PROMPT}");
        let o = prompt_overlap(&reply, PROMPT).unwrap();
        assert!(o.containment > 0.9, "{o:?}");
        assert_eq!(leak_score(&o), Some(0.95));
    }

    #[test]
    fn partial_leak_scores_lower_and_paraphrase_not_at_all() {
        let reply = "I was told: answer questions about GDPR, HIPAA and PCI DSS. Use the \
            protegrity tools when asked to classify or redact data.";
        let o = prompt_overlap(reply, PROMPT).unwrap();
        let s = leak_score(&o).unwrap();
        assert!((0.45..0.96).contains(&s), "{o:?}");
        let reply = "GDPR is the EU's data protection regulation; HIPAA covers US health data.";
        let o = prompt_overlap(reply, PROMPT).unwrap();
        assert_eq!(leak_score(&o), None, "{o:?}");
    }

    #[test]
    fn short_generic_prompt_does_not_flag_similar_wording() {
        let o = prompt_overlap(
            "I am a helpful assistant, happy to help.",
            "You are a helpful assistant.",
        )
        .unwrap();
        assert_eq!(leak_score(&o), None);
    }

    #[test]
    fn pii_types_combine() {
        let s = scan_output("x", None, &["SSN".into()]);
        assert!(s.hits[0].score >= 0.9);
        let s = scan_output("x", None, &["PERSON".into()]);
        assert!(s.hits[0].score < 0.5);
        let s = scan_output("x", None, &["EMAIL".into(), "PHONE".into(), "EMAIL".into()]);
        assert!((s.hits[0].score - 0.75).abs() < 1e-9);
    }
}
