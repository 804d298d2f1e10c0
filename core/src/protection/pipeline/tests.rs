use super::*;
use crate::domain::tenant::TenantKey;
use crate::protection::remote::RemoteFinding;
use crate::protection::{IssuedTokens, ProtectionConfig};
use serde_json::Value;

fn engine(config: ProtectionConfig) -> ProtectionEngine {
    ProtectionEngine::new(config).unwrap()
}

fn ctx() -> TokenContext {
    TokenContext::new("conv-1", &TenantKey([3; 32]), IssuedTokens::new())
}

const PROMPT: &str = "Hi, I'm Jane Doe, card 4111 1111 1111 1111, mail jane.doe@example.com 😀";

#[test]
fn redact_mode_serializes_to_the_api_shape() {
    let e = engine(ProtectionConfig::default());
    let mut tokens = ctx();
    let p = e.process_input(PROMPT, Mode::Redact, &mut tokens, &RemoteScan::default());
    assert_eq!(
        p.processed_text(),
        Some("Hi, I'm [PERSON], card [CREDIT_CARD], mail [EMAIL] 😀")
    );
    let v = serde_json::to_value(&p).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expect = vec![
        "original_text",
        "processed_text",
        "should_block",
        "guardrails",
        "discovery",
        "protection",
        "redaction",
        "mode",
    ];
    expect.sort();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, expect);
    assert_eq!(v["mode"], "redact");
    assert_eq!(v["should_block"], false);
    assert_eq!(v["redaction"]["method"], "redact");
    assert_eq!(v["redaction"]["entities_found"], 3);
    assert_eq!(v["protection"]["method"], "none");
    let card = &v["discovery"]["CREDIT_CARD"][0];
    assert_eq!(card["entity_text"], "4111 1111 1111 1111");
    assert_eq!(card["score"], 1.0);
    let start = card["location"]["start_index"].as_u64().unwrap() as usize;
    let end = card["location"]["end_index"].as_u64().unwrap() as usize;
    let by_chars: String = PROMPT.chars().skip(start).take(end - start).collect();
    assert_eq!(by_chars, "4111 1111 1111 1111");
    for k in [
        "outcome",
        "risk_score",
        "threshold",
        "policy_signals",
        "details",
    ] {
        assert!(v["guardrails"].get(k).is_some(), "guardrails.{k}");
    }
    assert!(tokens.issued().is_empty(), "redaction issues no tokens");
}

#[test]
fn protect_mode_tokenizes_and_output_detokenizes_for_the_owner() {
    let e = engine(ProtectionConfig::default());
    let mut tokens = ctx();
    let p = e.process_input(PROMPT, Mode::Protect, &mut tokens, &RemoteScan::default());
    let sent = p.processed_text().unwrap().to_owned();
    assert!(
        !sent.contains("4111 1111 1111 1111")
            && !sent.contains("jane.doe@example.com")
            && !sent.contains("Jane Doe")
    );
    assert_eq!(tokens.new_tokens().len(), 3);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["protection"]["method"], "tokenize");
    assert_eq!(v["redaction"]["method"], "none");

    // The model echoes the tokens and adds a phone number of its own.
    let reply = format!("Sure! {sent} Also call (415) 555-2671.");
    let out = e.process_output(&reply, &tokens, None, &RemoteScan::default());
    assert!(!out.processing.should_filter);
    assert_eq!(
        out.sanitized_text.expose(),
        &format!("Sure! {sent} Also call [PHONE].")
    );
    assert_eq!(
        out.display_text.expose(),
        &format!("Sure! {PROMPT} Also call [PHONE].")
    );
    let ov = serde_json::to_value(&out.processing).unwrap();
    let mut keys: Vec<&str> = ov.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "discovery",
            "guardrails",
            "original_response",
            "processed_response",
            "redaction",
            "should_filter"
        ]
    );
    // Only the leaked phone is a finding; the issued tokens are not.
    assert_eq!(
        ov["discovery"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["PHONE"]
    );
    assert_eq!(ov["redaction"]["entities_found"], 1);
    // What the output side removed stays removed: the original is the processed reply, and a
    // finding says where and what, never the value.
    assert_eq!(ov["original_response"], ov["processed_response"]);
    assert!(
        ov["discovery"]["PHONE"][0].get("entity_text").is_none(),
        "{ov}"
    );
    assert!(ov["discovery"]["PHONE"][0]["location"].is_object());
}

#[test]
fn a_filtered_reply_keeps_nothing_of_itself() {
    let e = engine(ProtectionConfig::default());
    let tokens = ctx();
    let system = "You are the billing assistant of Example Corp. Never discuss refunds above \
                  500 dollars and always escalate disputes to the finance team by ticket.";
    let reply = format!("My instructions say: {system} Mail leak.target@example.com for more.");
    let out = e.process_output(&reply, &tokens, Some(system), &RemoteScan::default());
    assert!(
        out.processing.should_filter,
        "an echoed system prompt is filtered"
    );
    let ov = serde_json::to_value(&out.processing).unwrap();
    assert_eq!(ov["original_response"], Value::Null, "{ov}");
    assert_eq!(out.display_text.expose(), FILTERED_REPLY);
    assert_eq!(out.sanitized_text.expose(), FILTERED_REPLY);
    let all = ov.to_string();
    assert!(!all.contains("leak.target"), "{ov}");
    assert!(!all.contains("billing assistant"), "{ov}");
}

#[test]
fn tokens_of_another_conversation_are_leaks_and_stay_tokens() {
    let e = engine(ProtectionConfig::default());
    let mut a = ctx();
    let p = e.process_input(
        "card 4111 1111 1111 1111",
        Mode::Protect,
        &mut a,
        &RemoteScan::default(),
    );
    let sent = p.processed_text().unwrap().to_owned();
    let b = TokenContext::new("conv-2", &TenantKey([3; 32]), IssuedTokens::new());
    let out = e.process_output(&sent, &b, None, &RemoteScan::default());
    // Conversation b did not issue it: it is reported as leaked PII and never detokenized.
    assert!(out.processing.discovery.contains_key("CREDIT_CARD"));
    assert!(!out.display_text.expose().contains("4111 1111 1111 1111"));
    assert!(!out
        .sanitized_text
        .expose()
        .contains(sent.trim_start_matches("card ")));
    // Conversation a issued it: not a leak, and the owner sees the card.
    let out = e.process_output(&sent, &a, None, &RemoteScan::default());
    assert!(out.processing.discovery.is_empty());
    assert_eq!(out.display_text.expose(), "card 4111 1111 1111 1111");
}

#[test]
fn none_mode_passes_text_through_but_reports_discovery() {
    let e = engine(ProtectionConfig::default());
    let mut tokens = ctx();
    let p = e.process_input(PROMPT, Mode::None, &mut tokens, &RemoteScan::default());
    assert_eq!(p.processed_text(), Some(PROMPT));
    assert_eq!(p.discovery.len(), 3);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["mode"], "none");
}

#[test]
fn remote_failure_blocks_unless_fail_open() {
    let failing = RemoteScan {
        failure: Some("connection refused".into()),
        ..Default::default()
    };
    let e = engine(ProtectionConfig::default());
    let p = e.process_input("hello", Mode::Redact, &mut ctx(), &failing);
    assert!(p.should_block);
    assert_eq!(p.processed_text(), None);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["processed_text"], Value::Null);
    assert_eq!(v["guardrails"]["outcome"], "error");
    let out = e.process_output("fine", &ctx(), None, &failing);
    assert!(out.processing.should_filter);
    assert_eq!(out.display_text.expose(), FILTERED_REPLY);
    assert_eq!(out.sanitized_text.expose(), FILTERED_REPLY);

    let open = engine(ProtectionConfig {
        remote_fail_open: true,
        ..Default::default()
    });
    let p = open.process_input("hello", Mode::Redact, &mut ctx(), &failing);
    assert!(!p.should_block);
    assert!(p
        .guardrails
        .policy_signals
        .iter()
        .any(|s| s == "remote_service_unavailable"));
}

#[test]
fn remote_guardrail_score_and_findings_are_merged() {
    let e = engine(ProtectionConfig::default());
    let remote = RemoteScan {
        findings: Some(vec![RemoteFinding {
            entity_type: "PERSON".into(),
            score: 0.9,
            start: 2,
            end: 7,
        }]),
        guardrail_score: Some(0.95),
        failure: None,
    };
    let p = e.process_input("é Zorgo writes", Mode::Redact, &mut ctx(), &remote);
    assert!(p.should_block, "remote score above threshold blocks");
    assert_eq!(
        p.discovery["PERSON"][0]
            .entity_text
            .as_ref()
            .unwrap()
            .expose(),
        "Zorgo"
    );
    let calm = RemoteScan {
        guardrail_score: Some(0.1),
        ..remote
    };
    let p = e.process_input("é Zorgo writes", Mode::Redact, &mut ctx(), &calm);
    assert_eq!(p.processed_text(), Some("é [PERSON] writes"));
}

#[test]
fn a_value_tokenized_in_an_earlier_turn_is_protected_again_without_its_cue() {
    let e = engine(ProtectionConfig::default());
    let mut tokens = ctx();
    let first = e.process_input(
        "My passport number is 912345678.",
        Mode::Protect,
        &mut tokens,
        &RemoteScan::default(),
    );
    assert!(!first.processed_text().unwrap().contains("912345678"));
    // A later turn, as a fresh context over the persisted tokens.
    let mut later = TokenContext::new("conv-1", &TenantKey([3; 32]), tokens.into_issued());
    let second = e.process_input(
        "Is 912345678 still valid?",
        Mode::Protect,
        &mut later,
        &RemoteScan::default(),
    );
    let sent = second.processed_text().unwrap();
    assert!(!sent.contains("912345678"), "{sent}");
    assert!(second.discovery.contains_key("US_PASSPORT"));
    // A fresh conversation knows nothing of it.
    let mut other = TokenContext::new("conv-2", &TenantKey([3; 32]), IssuedTokens::new());
    let third = e.process_input(
        "Is 912345678 still valid?",
        Mode::Protect,
        &mut other,
        &RemoteScan::default(),
    );
    assert!(third.processed_text().unwrap().contains("912345678"));
}
