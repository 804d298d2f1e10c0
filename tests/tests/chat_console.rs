//! The console's chat flow, request by request (API.md "Chat"): log in, list the models, pick
//! one, send a prompt with PII, poll every second until the answer is there, then open the
//! conversation and show its protection analysis.
use pai_integration::*;
use serde_json::{json, Value};

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn assert_guardrails(guardrails: &Value, what: &str) {
    let mut found = keys(guardrails);
    found.sort();
    assert_eq!(
        found,
        [
            "details",
            "outcome",
            "policy_signals",
            "risk_score",
            "threshold"
        ],
        "{what} guardrails: {guardrails}"
    );
    let score = guardrails["risk_score"].as_f64().unwrap_or(-1.0);
    assert!(
        (0.0..=1.0).contains(&score),
        "{what} risk_score: {guardrails}"
    );
    assert!(
        guardrails["policy_signals"].is_array(),
        "{what}: {guardrails}"
    );
}

#[test]
fn console_flow_login_pick_model_send_pii_poll_and_show_the_analysis() {
    // A user made by the admin, then the console's own login and profile calls.
    let created = new_user("STANDARD");
    let user = User::log_in(&created.username, &created.password);
    let me = user.get("/api/me/").expect_json(200);
    assert_eq!(me["role"], "STANDARD");

    let models = user.get("/api/models/").expect_json(200);
    let model = models["models"]
        .as_array()
        .and_then(|m| m.first())
        .cloned()
        .unwrap_or_else(|| panic!("no model to pick: {models}"));
    let model_id = model["id"].as_str().expect("model id");
    assert_eq!(model["requires_polling"], true, "{model}");

    let marker = marker();
    let prompt = format!(
        "Hi, I am Emily Johnson, email emily.johnson@example.net, phone (415) 823-6417. \
         Can you help me update my profile? {marker}"
    );
    let turn = user
        .run_turn(json!({"message": prompt, "model_id": model_id, "protegrity_mode": "redact"}));
    let (sent, polled) = (&turn.sent, &turn.reply);
    // The console renders a reply only when POST /api/chat/ itself answers `completed` (its
    // polling callback never updates the bubble it shows, API.md): with a quick model the
    // reply must be inline, or a user sees three dots until they reload.
    assert_eq!(
        sent["status"], "completed",
        "a quick model's reply must arrive inline: {sent}"
    );
    assert_eq!(
        sent["messages"][0],
        json!({"role": "user", "content": prompt})
    );
    let shown = &sent["messages"][1];
    assert_eq!(shown["role"], "assistant", "{sent}");
    assert!(shown.get("pending").is_none(), "{sent}");
    assert_eq!(sent["tool_results"], json!([]));
    assert!(
        sent["protegrity_data"]["output_processing"].is_object(),
        "{sent}"
    );
    let id = conversation_id(sent);

    // What the console would poll for (and other clients do) says the same: the turn answered
    // inline reads completed on its first poll.
    assert_eq!(polled["status"], "completed", "{polled}");
    assert_eq!(polled["response"], shown["content"], "{polled}");
    assert_eq!(polled["agent"], shown["agent"], "{polled}");
    assert_eq!(polled["llm"], shown["llm"], "{polled}");
    assert_eq!(
        polled["protegrity_output"], sent["protegrity_data"]["output_processing"],
        "{polled}"
    );
    let mut poll_keys = keys(polled);
    poll_keys.sort();
    assert_eq!(
        poll_keys,
        [
            "agent",
            "llm",
            "protegrity_output",
            "response",
            "status",
            "tool_results"
        ],
        "{polled}"
    );
    let response = polled["response"].as_str().unwrap_or_default();
    assert!(response.contains(&marker), "the answer: {polled}");
    for pii in [
        "Emily Johnson",
        "emily.johnson@example.net",
        "(415) 823-6417",
    ] {
        assert!(
            !response.contains(pii),
            "{pii:?} in the answer {response:?}"
        );
    }
    assert_eq!(polled["llm"], model["name"], "{polled}");
    assert!(polled["agent"].is_string(), "{polled}");

    // The conversation view with its analysis.
    let detail = user.conversation(&id);
    let all = detail["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 2, "{detail}");
    let (asked, answered) = (&all[0], &all[1]);
    assert_eq!(asked["role"], "user");
    assert_eq!(asked["content"], prompt.as_str());
    let input = &asked["protegrity_data"]["input_processing"];
    let mut input_keys = keys(input);
    input_keys.sort();
    assert_eq!(
        input_keys,
        [
            "discovery",
            "guardrails",
            "mode",
            "original_text",
            "processed_text",
            "protection",
            "redaction",
            "should_block"
        ],
        "{asked}"
    );
    assert_guardrails(&input["guardrails"], "input");
    assert_eq!(input["should_block"], false);
    assert_eq!(input["mode"], "redact");
    for kind in ["PERSON", "EMAIL", "PHONE"] {
        let findings = input["discovery"][kind]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!findings.is_empty(), "no {kind} finding: {input}");
        let f = &findings[0];
        let start = f["location"]["start_index"].as_u64().expect("start_index") as usize;
        let end = f["location"]["end_index"].as_u64().expect("end_index") as usize;
        let shown: String = prompt.chars().skip(start).take(end - start).collect();
        assert_eq!(f["entity_text"], shown.as_str(), "character offsets: {f}");
        assert!(f["score"].as_f64().is_some(), "{f}");
    }
    assert_eq!(input["redaction"]["success"], true, "{input}");
    assert_eq!(input["redaction"]["method"], "redact", "{input}");
    assert!(
        input["redaction"]["entities_found"].as_u64() >= Some(3),
        "{input}"
    );
    let processed = input["processed_text"].as_str().unwrap_or_default();
    assert!(
        processed.contains("[EMAIL]") && processed.contains("[PHONE]"),
        "{processed}"
    );

    assert_eq!(answered["role"], "assistant");
    assert_eq!(answered["pending"], false);
    assert_eq!(answered["blocked"], false);
    assert_eq!(answered["content"], polled["response"]);
    let output = &answered["protegrity_data"]["output_processing"];
    let mut output_keys = keys(output);
    output_keys.sort();
    assert_eq!(
        output_keys,
        [
            "discovery",
            "guardrails",
            "original_response",
            "processed_response",
            "redaction",
            "should_filter"
        ],
        "{answered}"
    );
    assert_guardrails(&output["guardrails"], "output");
    assert_eq!(output, &polled["protegrity_output"]);

    // The conversation list shows it with both messages.
    let list = user.get("/api/conversations/").expect_json(200);
    let entry = list["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("conversation not listed: {list}"));
    assert_eq!(entry["message_count"], 2, "{entry}");
    assert_eq!(entry["model_id"], model_id, "{entry}");
}

/// A slow model: `POST /api/chat/` answers `pending` after the inline wait, and the console's
/// polling (every second, 60 times at most) then gets the reply.
#[test]
fn console_flow_with_a_slow_model_answers_pending_then_completes_by_polling() {
    let created = new_user("STANDARD");
    let user = User::log_in(&created.username, &created.password);
    let marker = marker();
    // OpenAI answers after the stack's LLM timeout, so the fallback answers much later than
    // the test stack's inline wait.
    let prompt = format!("Slow today? [[fail:openai:slow]] {marker}");
    let turn = user.run_turn(
        json!({"message": prompt, "model_id": "openai-gpt-4o-mini", "protegrity_mode": "redact"}),
    );
    let (sent, polled) = (&turn.sent, &turn.reply);
    assert_eq!(sent["status"], "pending", "{sent}");
    assert_eq!(
        sent["messages"],
        json!([
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": "", "pending": true},
        ])
    );
    assert_eq!(sent["protegrity_data"]["output_processing"], Value::Null);

    // Polled every second, 60 times at most, each poll `{"status": "pending"}` until the reply.
    let response = polled["response"].as_str().unwrap_or_default();
    assert!(response.contains(&marker), "{polled}");
    assert!(polled["protegrity_output"].is_object(), "{polled}");
}
