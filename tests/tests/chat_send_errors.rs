//! `POST /api/chat/` validation and authorisation, exactly as API.md "Chat" lists them.
use pai_integration::*;
use serde_json::json;

#[test]
fn message_is_required() {
    let user = new_user("STANDARD");
    for body in [
        json!({}),
        json!({"message": ""}),
        json!({"message": "   \n\t "}),
        json!({"message": null}),
    ] {
        user.chat(body).expect_error(400, "message_required");
    }
}

#[test]
fn malformed_bodies_are_400_never_5xx() {
    let user = new_user("STANDARD");
    let answer = user.chat(json!({"message": 5}));
    assert_eq!(
        (answer.status, &answer.body),
        (400, &json!({"message": ["Not a valid string."]})),
        "a message of the wrong type:\n{answer}"
    );
    for raw in ["{not json", "[1, 2]", "\"text\""] {
        let answer = post_raw("/api/chat/", &user.auth(), raw);
        answer.expect_status(400);
        let detail = answer.body["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("JSON parse error - "), "{answer}");
    }
    let long = "a".repeat(100_001);
    user.chat(json!({"message": long}))
        .expect_error(400, "message_too_long");
}

#[test]
fn protegrity_mode_is_checked() {
    let user = new_user("PROTEGRITY");
    for mode in ["encrypt", "", "tokenize"] {
        user.chat(json!({"message": "hello", "protegrity_mode": mode}))
            .expect_error(400, "invalid_mode");
    }
    // The stack under test runs with ALLOW_UNPROTECTED_MODE=false: even PROTEGRITY users.
    user.chat(json!({"message": "hello", "protegrity_mode": "none"}))
        .expect_error(403, "mode_not_allowed");
}

#[test]
fn models_and_agents_are_checked_for_a_new_conversation() {
    let user = new_user("STANDARD");
    let cases = [
        (json!({"model_id": "no-such-model"}), 400, "invalid_model"),
        (json!({"model_id": "openai-gpt-4o"}), 403, "forbidden_model"),
        (
            json!({"model_id": "anthropic-claude-sonnet"}),
            403,
            "forbidden_model",
        ),
        (json!({"agent_id": "no-such-agent"}), 400, "invalid_agent"),
        (
            json!({"agent_id": "data-protection-expert"}),
            403,
            "forbidden_agent",
        ),
    ];
    for (extra, status, code) in cases {
        let mut body = json!({"message": "hello"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        user.chat(body).expect_error(status, code);
    }
    // None of the refused requests created a conversation.
    let list = user.get("/api/conversations/").expect_json(200);
    assert_eq!(list["count"], 0, "{list}");
}

#[test]
fn no_credentials_is_401() {
    let answer = post("/api/chat/", &Auth::None, json!({"message": "hello"}));
    assert_eq!(
        (answer.status, &answer.body),
        (
            401,
            &json!({"detail": "Authentication credentials were not provided."})
        ),
        "{answer}"
    );
    let mut forged = new_user("STANDARD");
    forged.tokens.access.push('x');
    let answer = forged.chat(json!({"message": "hello"}));
    answer.expect_status(401);
    assert_eq!(answer.body["code"], "token_not_valid", "{answer}");
}

#[test]
fn a_second_send_while_a_turn_is_pending_is_409() {
    let user = new_user("STANDARD");
    let marker = marker();
    // OpenAI answers after the stack's LLM timeout, so the turn stays pending for a while.
    let sent = user.send_turn(
        json!({"message": format!("first [[fail:openai:slow]] {marker}"), "model_id": "openai-gpt-4o-mini"}),
    );
    let id = conversation_id(&sent);
    user.chat(json!({"message": format!("second {marker}"), "conversation_id": id}))
        .expect_error(409, "turn_in_progress");
    let detail = user.conversation(&id);
    assert_eq!(
        messages(&detail).len(),
        2,
        "the refused send wrote nothing: {detail}"
    );

    user.wait_completed(&id);
    let next = user.run_turn(json!({"message": format!("third {marker}"), "conversation_id": id}));
    assert_eq!(next.conversation_id(), id);
    assert_eq!(messages(&user.conversation(&id)).len(), 4);
}

#[test]
fn unknown_or_foreign_conversation_id_starts_a_new_conversation() {
    let owner = new_user("STANDARD");
    let other = new_user("STANDARD");
    let marker = marker();
    let id = owner
        .run_turn(json!({"message": format!("mine {marker}")}))
        .conversation_id();

    for conversation_id in [
        id.clone(),
        uuid::Uuid::new_v4().to_string(),
        "not-a-uuid".to_owned(),
    ] {
        let new_id = other
            .run_turn(
                json!({"message": format!("theirs {marker}"), "conversation_id": conversation_id}),
            )
            .conversation_id();
        assert_ne!(new_id, id, "wrote into another user's conversation");
        assert_ne!(new_id, conversation_id);
    }
    assert_eq!(
        messages(&owner.conversation(&id)).len(),
        2,
        "the owner's conversation is untouched"
    );

    // A deleted conversation is not continued either.
    owner
        .delete(&format!("/api/conversations/{id}/"))
        .expect_status(204);
    let new_id = owner
        .run_turn(json!({"message": format!("after delete {marker}"), "conversation_id": id}))
        .conversation_id();
    assert_ne!(new_id, id, "a deleted conversation was continued");
    owner
        .get(&format!("/api/conversations/{id}/"))
        .expect_error(404, "conversation_not_found");
}

#[test]
fn standard_user_cannot_continue_on_a_model_they_may_not_use() {
    let user = new_user("PROTEGRITY");
    let marker = marker();
    let id = user
        .run_turn(json!({"message": format!("hello {marker}"), "model_id": "openai-gpt-4o"}))
        .conversation_id();

    admin(&["user", "set-role", &user.username, "STANDARD"]);
    let user = User::log_in(&user.username, &user.password);
    user.chat(json!({"message": format!("again {marker}"), "conversation_id": id}))
        .expect_error(403, "forbidden_model");
    user.chat(
        json!({"message": format!("again {marker}"), "conversation_id": id,
                    "model_id": "openai-gpt-4o"}),
    )
    .expect_error(403, "forbidden_model");
    // Switching to a model the role allows is fine.
    let next = user.run_turn(
        json!({"message": format!("again {marker}"), "conversation_id": id,
                "model_id": "openai-gpt-4o-mini"}),
    );
    assert_eq!(next.conversation_id(), id);
}
