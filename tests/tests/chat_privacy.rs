//! No raw PII ever reaches a model: three-turn conversations in `redact` and `protect` mode,
//! checked against every request the fake LLM recorded; the owner gets the original values
//! back in `protect` mode while the history sent to the model stays tokenized. Also the title
//! rule (sanitized first message, 50 characters + "...").
use pai_integration::*;
use serde_json::{json, Value};

/// One turn's prompt and the raw PII it carries (each exactly as written in the prompt).
struct PiiTurn {
    prompt: String,
    pii: Vec<&'static str>,
    /// The turn's own marker, to find its request at the fake.
    tag: String,
}

fn turns(marker: &str) -> Vec<PiiTurn> {
    let tag = |n: u32| format!("{marker}x{n}");
    vec![
        PiiTurn {
            tag: tag(1),
            prompt: format!(
                "Hi, my name is John Smith. My email is john.smith@example.com and my phone \
                 number is (415) 823-6417. Please remember this. {}",
                tag(1)
            ),
            pii: vec!["John Smith", "john.smith@example.com", "(415) 823-6417"],
        },
        PiiTurn {
            tag: tag(2),
            prompt: format!(
                "My credit card number is {CARD} and my SSN is {SSN}. Is it safe to share? {}",
                tag(2)
            ),
            pii: vec![CARD, SSN],
        },
        PiiTurn {
            tag: tag(3),
            prompt: format!(
                "Please pay the invoice to IBAN {IBAN} and send the receipt to my colleague \
                 Maria Garcia at maria.garcia@example.org or call her on +44 20 7946 0958. {}",
                tag(3)
            ),
            pii: vec![
                IBAN,
                "Maria Garcia",
                "maria.garcia@example.org",
                "+44 20 7946 0958",
            ],
        },
    ]
}

/// Every raw specimen of the conversation, plus reformatted forms of the numbers.
fn forbidden(turns: &[PiiTurn]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for turn in turns {
        for pii in &turn.pii {
            out.push((*pii).to_owned());
            let digits = digits_of(pii);
            if digits.len() >= 9 {
                out.push(digits);
            }
        }
    }
    out.extend(["Smith", "Garcia", "823-6417", "7946 0958"].map(String::from));
    out
}

fn assert_no_pii_reached_the_model(marker: &str, turns: &[PiiTurn]) -> Vec<Value> {
    let recorded = fake_requests(marker);
    assert!(
        !recorded.is_empty(),
        "the fake recorded no request carrying {marker}"
    );
    let forbidden = forbidden(turns);
    for request in &recorded {
        let body = request["body"].to_string();
        for pii in &forbidden {
            assert!(
                !body.contains(pii.as_str()),
                "raw PII {pii:?} reached the model (fake request seq {}): {body}",
                request["seq"]
            );
        }
    }
    recorded
}

/// The one request of a turn: the one whose last user message carries the turn's tag.
fn request_of_turn<'a>(recorded: &'a [Value], turn: &PiiTurn) -> &'a Value {
    let mine: Vec<&Value> = recorded
        .iter()
        .filter(|r| {
            message_texts(r)
                .iter()
                .rev()
                .find(|(role, _)| role == "user")
                .is_some_and(|(_, text)| text.contains(&turn.tag))
        })
        .collect();
    assert_eq!(
        mine.len(),
        1,
        "expected exactly one model request for turn {}, got {}: {mine:?}",
        turn.tag,
        mine.len()
    );
    mine[0]
}

/// Runs the three turns; returns the conversation id and each turn's send answer and poll.
fn converse(
    user: &User,
    model: &str,
    mode: &str,
    turns: &[PiiTurn],
) -> (String, Vec<(Value, Value)>) {
    let mut conversation: Option<String> = None;
    let mut results = Vec::new();
    for turn in turns {
        let mut body = json!({"message": turn.prompt, "model_id": model, "protegrity_mode": mode});
        if let Some(id) = &conversation {
            body["conversation_id"] = json!(id);
        }
        let Turn { sent, reply } = user.run_turn(body);
        let id = conversation_id(&sent);
        if let Some(previous) = &conversation {
            assert_eq!(&id, previous, "a follow-up turn started a new conversation");
        }
        assert_eq!(sent["protegrity_data"]["input_processing"]["mode"], mode);
        let processed = processed_text(&sent);
        for pii in &turn.pii {
            assert!(
                !processed.contains(pii),
                "{mode}: {pii:?} is still in the processed prompt {processed:?}"
            );
        }
        conversation = Some(id);
        results.push((sent, reply));
    }
    (conversation.expect("a conversation"), results)
}

/// Earlier turns went to the model as their stored sanitized text.
fn assert_history_is_sanitized(recorded: &[Value], turns: &[PiiTurn], results: &[(Value, Value)]) {
    for (k, turn) in turns.iter().enumerate().skip(1) {
        let request = request_of_turn(recorded, turn);
        let texts = message_texts(request);
        for (j, (sent, polled)) in results.iter().enumerate().take(k) {
            let processed = sent["protegrity_data"]["input_processing"]["processed_text"]
                .as_str()
                .unwrap_or_default();
            assert!(
                texts
                    .iter()
                    .any(|(role, text)| role == "user" && text == processed),
                "turn {} request lacks turn {}'s sanitized prompt {processed:?}: {texts:?}",
                k + 1,
                j + 1
            );
            let reply = polled["protegrity_output"]["processed_response"]
                .as_str()
                .unwrap_or_default();
            assert!(
                texts
                    .iter()
                    .any(|(role, text)| role == "assistant" && text == reply),
                "turn {} request lacks turn {}'s sanitized reply {reply:?}: {texts:?}",
                k + 1,
                j + 1
            );
        }
    }
}

fn three_turns_redact(model: &str) {
    let user = new_user("STANDARD");
    let marker = marker();
    let turns = turns(&marker);
    let (id, results) = converse(&user, model, "redact", &turns);

    let recorded = assert_no_pii_reached_the_model(&marker, &turns);
    assert_history_is_sanitized(&recorded, &turns, &results);

    let labels = [
        vec!["[PERSON]", "[EMAIL]", "[PHONE]"],
        vec!["[CREDIT_CARD]", "[SSN]"],
        vec!["[IBAN]", "[PERSON]", "[EMAIL]", "[PHONE]"],
    ];
    for ((turn, (_, polled)), labels) in turns.iter().zip(&results).zip(labels) {
        let response = polled["response"].as_str().unwrap_or_default();
        assert!(
            response.contains(&turn.tag),
            "the reply does not quote the prompt: {polled}"
        );
        for label in labels {
            assert!(
                response.contains(label),
                "redact: expected {label} in the reply {response:?}"
            );
        }
        for pii in &turn.pii {
            assert!(
                !response.contains(pii),
                "redact: {pii:?} in the reply {response:?}"
            );
        }
    }
    let detail = user.conversation(&id);
    assert_eq!(messages(&detail).len(), 6, "three turns: {detail}");
}

fn three_turns_protect(model: &str) {
    let user = new_user("STANDARD");
    let marker = marker();
    let turns = turns(&marker);
    let (id, results) = converse(&user, model, "protect", &turns);

    let recorded = assert_no_pii_reached_the_model(&marker, &turns);
    assert_history_is_sanitized(&recorded, &turns, &results);

    for (turn, (sent, polled)) in turns.iter().zip(&results) {
        let input = &sent["protegrity_data"]["input_processing"];
        assert_eq!(input["protection"]["method"], "tokenize", "{input}");
        let processed = input["processed_text"].as_str().unwrap_or_default();
        // The fake quotes the tokenized prompt; the owner must see the original values.
        let response = polled["response"].as_str().unwrap_or_default();
        assert!(
            response.contains(&turn.tag),
            "the reply does not quote the prompt: {polled}"
        );
        for pii in &turn.pii {
            assert!(
                response.contains(pii),
                "protect: the owner should see {pii:?} restored in the reply {response:?} \
                 (the model got {processed:?})"
            );
        }
        // What is kept for later turns stays tokenized.
        let stored = polled["protegrity_output"]["processed_response"]
            .as_str()
            .unwrap_or_default();
        assert!(
            stored.contains(processed),
            "processed_response should quote the tokenized prompt {processed:?}: {stored:?}"
        );
        for pii in &turn.pii {
            assert!(
                !stored.contains(pii),
                "protect: processed_response keeps {pii:?}: {stored:?}"
            );
        }
    }

    // The stored conversation: the owner's view restored, the model's view tokenized.
    let detail = user.conversation(&id);
    let all = messages(&detail);
    assert_eq!(all.len(), 6, "three turns: {detail}");
    let replies = assistant_messages(&detail);
    for (turn, reply) in turns.iter().zip(&replies) {
        let content = reply["content"].as_str().unwrap_or_default();
        for pii in &turn.pii {
            assert!(content.contains(pii), "stored reply lacks {pii:?}: {reply}");
        }
        let processed = reply["protegrity_data"]["output_processing"]["processed_response"]
            .as_str()
            .unwrap_or_default();
        for pii in &turn.pii {
            assert!(
                !processed.contains(pii),
                "stored processed_response keeps {pii:?}: {reply}"
            );
        }
    }
}

#[test]
fn redact_mode_three_turns_openai_never_sends_raw_pii() {
    three_turns_redact("openai-gpt-4o-mini");
}

#[test]
fn redact_mode_three_turns_anthropic_never_sends_raw_pii() {
    three_turns_redact("anthropic-claude-haiku");
}

#[test]
fn protect_mode_three_turns_openai_tokenizes_and_restores_for_the_owner() {
    three_turns_protect("openai-gpt-4o-mini");
}

#[test]
fn protect_mode_three_turns_anthropic_tokenizes_and_restores_for_the_owner() {
    three_turns_protect("anthropic-claude-haiku");
}

/// The title of the conversation `turn` started.
fn title_of(user: &User, turn: &Turn) -> String {
    user.conversation(&turn.conversation_id())["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn new_conversation_title_is_the_sanitized_first_message_cut_to_50_chars() {
    let user = new_user("STANDARD");
    let marker = marker();

    let long = format!(
        "Email maria.garcia@example.org about card {CARD} and the rest of this long message \
         {marker}"
    );
    let turn = user.run_turn(json!({"message": long}));
    let expected: String = turn
        .processed_text()
        .trim()
        .chars()
        .take(50)
        .collect::<String>()
        + "...";
    let title = title_of(&user, &turn);
    assert_eq!(title, expected, "long first message");
    for pii in ["maria.garcia@example.org", CARD, &CARD[..4]] {
        assert!(!title.contains(pii), "PII {pii:?} in the title {title:?}");
    }

    let short = "Call John Smith";
    let turn = user.run_turn(json!({"message": short}));
    let title = title_of(&user, &turn);
    assert_eq!(title, turn.processed_text().trim(), "short first message");
    assert!(!title.contains("Smith"), "PII in the title {title:?}");

    // The list shows the same titles.
    let list = user.get("/api/conversations/").expect_json(200);
    let titles: Vec<&str> = list["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert!(titles.contains(&expected.as_str()), "{list}");
}
