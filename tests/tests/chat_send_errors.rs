//! `POST /api/chat/` validation and authorisation, exactly as API.md "Chat" lists them.
use pai_integration::chat_support::{marker, messages, Stack};
use serde_json::json;

#[test]
fn message_is_required() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
    for body in [
        json!({}),
        json!({"message": ""}),
        json!({"message": "   \n\t "}),
        json!({"message": null}),
    ] {
        stack
            .chat(&user, &body)
            .expect_error(400, "message_required", &body.to_string());
    }
}

#[test]
fn malformed_bodies_are_400_never_5xx() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
    let answer = stack.chat(&user, &json!({"message": 5}));
    assert_eq!(
        (answer.status.as_u16(), &answer.body),
        (400, &json!({"message": ["Not a valid string."]})),
        "a message of the wrong type"
    );
    for raw in ["{not json", "[1, 2]", "\"text\""] {
        let answer = stack.post_raw(&user, "/api/chat/", raw);
        assert_eq!(answer.status.as_u16(), 400, "{raw}: {:?}", answer.body);
        let detail = answer.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.starts_with("JSON parse error - "),
            "{raw}: {:?}",
            answer.body
        );
    }
    let long = "a".repeat(100_001);
    stack.chat(&user, &json!({"message": long})).expect_error(
        400,
        "message_too_long",
        "100,001 characters",
    );
}

#[test]
fn protegrity_mode_is_checked() {
    let stack = Stack::from_env();
    let user = stack.new_user("PROTEGRITY");
    for mode in ["encrypt", "", "tokenize"] {
        stack
            .chat(&user, &json!({"message": "hello", "protegrity_mode": mode}))
            .expect_error(400, "invalid_mode", mode);
    }
    // The stack under test runs with ALLOW_UNPROTECTED_MODE=false: even PROTEGRITY users.
    stack
        .chat(
            &user,
            &json!({"message": "hello", "protegrity_mode": "none"}),
        )
        .expect_error(403, "mode_not_allowed", "none");
}

#[test]
fn models_and_agents_are_checked_for_a_new_conversation() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
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
        stack
            .chat(&user, &body)
            .expect_error(status, code, &body.to_string());
    }
    // None of the refused requests created a conversation.
    let list = stack
        .get(&user, "/api/conversations/")
        .expect(200, "GET /api/conversations/");
    assert_eq!(list["count"], 0, "{list}");
}

#[test]
fn no_credentials_is_401() {
    let stack = Stack::from_env();
    let answer = stack.post_anonymous("/api/chat/", &json!({"message": "hello"}));
    assert_eq!(
        (answer.status.as_u16(), &answer.body),
        (
            401,
            &json!({"detail": "Authentication credentials were not provided."})
        )
    );
    let mut forged = stack.new_user("STANDARD");
    forged.access.push('x');
    let answer = stack.chat(&forged, &json!({"message": "hello"}));
    assert_eq!(answer.status.as_u16(), 401, "{:?}", answer.body);
    assert_eq!(answer.body["code"], "token_not_valid", "{:?}", answer.body);
}

#[test]
fn a_second_send_while_a_turn_is_pending_is_409() {
    let stack = Stack::from_env();
    let user = stack.new_user("STANDARD");
    let marker = marker();
    // OpenAI answers after the stack's LLM timeout, so the turn stays pending for a while.
    let sent = stack.chat_accepted(
        &user,
        &json!({"message": format!("first [[fail:openai:slow]] {marker}"), "model_id": "openai-gpt-4o-mini"}),
    );
    let id = sent["conversation_id"].as_str().expect("conversation_id");
    stack
        .chat(
            &user,
            &json!({"message": format!("second {marker}"), "conversation_id": id}),
        )
        .expect_error(409, "turn_in_progress", "send while pending");
    let detail = stack.conversation(&user, id);
    assert_eq!(
        messages(&detail).len(),
        2,
        "the refused send wrote nothing: {detail}"
    );

    stack.wait_completed(&user, id);
    let next = stack.chat_accepted(
        &user,
        &json!({"message": format!("third {marker}"), "conversation_id": id}),
    );
    assert_eq!(next["conversation_id"], id);
    stack.wait_completed(&user, id);
    assert_eq!(messages(&stack.conversation(&user, id)).len(), 4);
}

#[test]
fn unknown_or_foreign_conversation_id_starts_a_new_conversation() {
    let stack = Stack::from_env();
    let owner = stack.new_user("STANDARD");
    let other = stack.new_user("STANDARD");
    let marker = marker();
    let sent = stack.chat_accepted(&owner, &json!({"message": format!("mine {marker}")}));
    let id = sent["conversation_id"].as_str().expect("conversation_id");
    stack.wait_completed(&owner, id);

    for conversation_id in [
        id.to_owned(),
        uuid::Uuid::new_v4().to_string(),
        "not-a-uuid".to_owned(),
    ] {
        let sent = stack.chat_accepted(
            &other,
            &json!({"message": format!("theirs {marker}"), "conversation_id": conversation_id}),
        );
        let new_id = sent["conversation_id"].as_str().expect("conversation_id");
        assert_ne!(new_id, id, "wrote into another user's conversation");
        assert_ne!(new_id, conversation_id);
        stack.wait_completed(&other, new_id);
    }
    assert_eq!(
        messages(&stack.conversation(&owner, id)).len(),
        2,
        "the owner's conversation is untouched"
    );

    // A deleted conversation is not continued either.
    let answer = stack.send_delete(&owner, &format!("/api/conversations/{id}/"));
    assert_eq!(answer.status.as_u16(), 204, "{:?}", answer.body);
    let sent = stack.chat_accepted(
        &owner,
        &json!({"message": format!("after delete {marker}"), "conversation_id": id}),
    );
    let new_id = sent["conversation_id"].as_str().expect("conversation_id");
    assert_ne!(new_id, id, "a deleted conversation was continued");
    stack.wait_completed(&owner, new_id);
    stack
        .get(&owner, &format!("/api/conversations/{id}/"))
        .expect_error(404, "conversation_not_found", "deleted conversation");
}

#[test]
fn standard_user_cannot_continue_on_a_model_they_may_not_use() {
    let stack = Stack::from_env();
    let user = stack.new_user("PROTEGRITY");
    let marker = marker();
    let sent = stack.chat_accepted(
        &user,
        &json!({"message": format!("hello {marker}"), "model_id": "openai-gpt-4o"}),
    );
    let id = sent["conversation_id"].as_str().expect("conversation_id");
    stack.wait_completed(&user, id);

    stack.admin(&["user", "set-role", &user.username, "STANDARD"]);
    let user = stack.login(&user.username, &user.password);
    stack
        .chat(
            &user,
            &json!({"message": format!("again {marker}"), "conversation_id": id}),
        )
        .expect_error(403, "forbidden_model", "continue on a PROTEGRITY model");
    stack
        .chat(
            &user,
            &json!({"message": format!("again {marker}"), "conversation_id": id,
                    "model_id": "openai-gpt-4o"}),
        )
        .expect_error(403, "forbidden_model", "continue naming a PROTEGRITY model");
    // Switching to a model the role allows is fine.
    let next = stack.chat_accepted(
        &user,
        &json!({"message": format!("again {marker}"), "conversation_id": id,
                "model_id": "openai-gpt-4o-mini"}),
    );
    assert_eq!(next["conversation_id"], id);
    stack.wait_completed(&user, id);
}
