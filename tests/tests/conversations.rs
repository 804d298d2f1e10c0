//! Conversations and messages: create, read, update, delete, per-user ownership (API.md "Conversations").

use pai_integration::*;
use serde_json::{json, Value};

const DETAIL_KEYS: &[&str] = &[
    "id",
    "title",
    "model_id",
    "primary_agent",
    "primary_llm",
    "messages",
    "created_at",
    "updated_at",
];
const MESSAGE_KEYS: &[&str] = &[
    "id",
    "role",
    "content",
    "pending",
    "blocked",
    "agent",
    "llm_provider",
    "created_at",
];

fn conv_path(id: &str) -> String {
    format!("/api/conversations/{id}/")
}

fn messages_path(id: &str) -> String {
    format!("/api/conversations/{id}/messages/")
}

#[track_caller]
fn assert_detail_shape(resp: &Resp) {
    resp.expect_keys(DETAIL_KEYS);
    let ctx = resp.to_string();
    assert_uuid(&resp.body["id"], &ctx);
    assert!(
        resp.body["title"].is_string(),
        "title must be a string:\n{resp}"
    );
    assert!(
        resp.body["model_id"].is_string(),
        "model_id must be a string:\n{resp}"
    );
    assert_str_or_null(&resp.body["primary_agent"], "primary_agent", &ctx);
    assert_str_or_null(&resp.body["primary_llm"], "primary_llm", &ctx);
    assert!(
        resp.body["messages"].is_array(),
        "messages must be a list:\n{resp}"
    );
    for m in resp.body["messages"].as_array().into_iter().flatten() {
        assert_message_shape(m, &ctx);
    }
    let created = assert_timestamp(&resp.body["created_at"], &ctx);
    let updated = assert_timestamp(&resp.body["updated_at"], &ctx);
    assert!(updated >= created, "updated_at before created_at:\n{resp}");
}

#[track_caller]
fn assert_message_shape(m: &Value, ctx: &str) {
    let obj = m
        .as_object()
        .unwrap_or_else(|| panic!("message must be an object: {m}\n{ctx}"));
    // `protegrity_data` is optional (omitted when empty).
    let mut keys: Vec<&str> = MESSAGE_KEYS.to_vec();
    if obj.contains_key("protegrity_data") {
        keys.push("protegrity_data");
        assert!(
            m["protegrity_data"].is_object(),
            "protegrity_data must be an object when present: {m}\n{ctx}"
        );
    }
    assert_keys(m, &keys, ctx);
    assert_uuid(&m["id"], ctx);
    assert!(
        ["user", "assistant", "system"].contains(&m["role"].as_str().unwrap_or_default()),
        "role must be user|assistant|system: {m}\n{ctx}"
    );
    assert!(
        m["content"].is_string(),
        "content must be a string: {m}\n{ctx}"
    );
    assert!(
        m["pending"].is_boolean(),
        "pending must be a boolean: {m}\n{ctx}"
    );
    assert!(
        m["blocked"].is_boolean(),
        "blocked must be a boolean: {m}\n{ctx}"
    );
    assert_str_or_null(&m["agent"], "agent", ctx);
    assert_str_or_null(&m["llm_provider"], "llm_provider", ctx);
    assert_timestamp(&m["created_at"], ctx);
}

fn list_all_ids(user: &User) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some("/api/conversations/?page_size=100".to_string());
    while let Some(url) = next {
        let resp = user.get(&url);
        resp.expect_status(200);
        out.extend(ids(&resp.body["results"]));
        next = resp.body["next"].as_str().map(str::to_string);
    }
    out
}

#[test]
fn create_returns_201_detail_with_no_messages() {
    let user = demo_standard();
    let model = shared_model();
    let title = unique("create");
    for path in ["/api/conversations/", "/api/conversations"] {
        let resp = user.post(path, json!({ "title": title, "model_id": model }));
        resp.expect_status(201);
        assert_security_headers(&resp, true);
        assert_detail_shape(&resp);
        assert_eq!(resp.body["messages"], json!([]), "{resp}");
        assert_eq!(resp.body["title"], json!(title), "{resp}");
        assert_eq!(resp.body["model_id"], json!(model), "{resp}");

        let id = resp.str_field("id");
        let got = user.get(&conv_path(&id));
        got.expect_status(200);
        assert_detail_shape(&got);
        assert_eq!(got.body, resp.body, "GET must return what POST created");
    }
}

#[test]
fn create_without_title_is_allowed() {
    let user = demo_standard();
    let resp = user.post("/api/conversations/", json!({ "model_id": shared_model() }));
    resp.expect_status(201);
    assert_detail_shape(&resp);
}

#[test]
fn create_with_unknown_or_missing_model_is_400() {
    let user = demo_standard();
    let resp = user.post(
        "/api/conversations/",
        json!({ "title": "x", "model_id": "no-such-model" }),
    );
    resp.expect_status(400).expect_keys(&["model_id"]);
    let messages = resp.body["model_id"].as_array().expect("list");
    assert_eq!(messages.len(), 1, "{resp}");
    let text = messages[0].as_str().expect("string message");
    let prefix = "Invalid model_id. Available models: ";
    assert!(text.starts_with(prefix), "{resp}");
    let mut listed: Vec<&str> = text[prefix.len()..].split(", ").collect();
    listed.sort();
    let mut available = user.model_ids();
    available.sort();
    assert_eq!(
        listed, available,
        "the message must list the models this user may use:\n{resp}"
    );

    let resp = user.post("/api/conversations/", json!({ "title": "x" }));
    assert_field_errors(&resp, &["model_id"]);

    let resp = user.post(
        "/api/conversations/",
        json!({ "title": "x", "model_id": 7 }),
    );
    assert_field_errors(&resp, &["model_id"]);
    assert_eq!(
        resp.body["model_id"],
        json!(["Not a valid string."]),
        "{resp}"
    );

    let resp = user.post(
        "/api/conversations/",
        json!({ "title": 7, "model_id": shared_model() }),
    );
    assert_field_errors(&resp, &["title"]);
    assert_eq!(resp.body["title"], json!(["Not a valid string."]), "{resp}");
}

#[test]
fn standard_cannot_use_a_protegrity_only_model() {
    let p = demo_protegrity().model_ids();
    let standard = demo_standard();
    let s = standard.model_ids();
    let Some(forbidden) = p.iter().find(|m| !s.contains(m)) else {
        eprintln!(
            "SKIPPED: no PROTEGRITY-only model is offered by this stack (PROTEGRITY sees {p:?}, \
             STANDARD sees {s:?}); configure a provider to exercise forbidden_model"
        );
        return;
    };
    let resp = standard.post(
        "/api/conversations/",
        json!({ "title": "x", "model_id": forbidden }),
    );
    assert_app_error(&resp, 403, "forbidden_model");

    let conv = standard.create_conversation(&unique("forbidden"), &shared_model());
    let id = conv["id"].as_str().expect("id");
    let resp = standard.patch(&conv_path(id), json!({ "model_id": forbidden }));
    assert_app_error(&resp, 403, "forbidden_model");
    let got = standard.get(&conv_path(id));
    assert_eq!(
        got.body["model_id"],
        json!(shared_model()),
        "model must be unchanged:\n{got}"
    );
}

#[test]
fn patch_title_and_model() {
    let user = demo_protegrity();
    let models = user.model_ids();
    let conv = user.create_conversation(&unique("patch"), &models[0]);
    let id = conv["id"].as_str().expect("id");

    let title = unique("renamed");
    for path in [conv_path(id), format!("/api/conversations/{id}")] {
        let resp = user.patch(&path, json!({ "title": title }));
        resp.expect_status(200);
        assert_security_headers(&resp, true);
        assert_detail_shape(&resp);
        assert_eq!(resp.body["title"], json!(title), "{resp}");
        assert_eq!(resp.body["model_id"], json!(models[0]), "{resp}");
        assert!(
            resp.body["updated_at"].as_str() >= conv["updated_at"].as_str(),
            "updated_at must not go back:\n{resp}"
        );
    }

    let target = models.last().expect("a model");
    let resp = user.patch(&conv_path(id), json!({ "model_id": target }));
    resp.expect_status(200);
    assert_eq!(resp.body["model_id"], json!(target), "{resp}");
    assert_eq!(resp.body["title"], json!(title), "title untouched:\n{resp}");

    let resp = user.patch(&conv_path(id), json!({}));
    resp.expect_status(200);
    assert_eq!(resp.body["title"], json!(title), "{resp}");

    let got = user.get(&conv_path(id));
    assert_eq!(got.body["title"], json!(title), "{got}");
    assert_eq!(got.body["model_id"], json!(target), "{got}");
}

#[test]
fn patch_rejects_bad_titles_and_models() {
    let user = demo_standard();
    let conv = user.create_conversation("keep me", &shared_model());
    let id = conv["id"].as_str().expect("id");
    let path = conv_path(id);

    for bad in [json!(""), json!("   "), json!("a".repeat(256)), json!(5)] {
        let resp = user.patch(&path, json!({ "title": bad }));
        assert_field_errors(&resp, &["title"]);
    }
    // A null title is either refused or ignored, never stored.
    let resp = user.patch(&path, json!({ "title": null }));
    if resp.status != 400 {
        resp.expect_status(200);
        assert_eq!(resp.body["title"], json!("keep me"), "{resp}");
    }
    let resp = user.patch(&path, json!({ "model_id": "no-such-model" }));
    resp.expect_status(400).expect_keys(&["model_id"]);
    let msg = resp.body["model_id"][0].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Invalid model_id. Available models: "),
        "{resp}"
    );

    let resp = user.patch(&path, json!({ "model_id": 3 }));
    assert_field_errors(&resp, &["model_id"]);

    let got = user.get(&path);
    assert_eq!(
        got.body["title"],
        json!("keep me"),
        "rejected PATCHes change nothing:\n{got}"
    );
    assert_eq!(got.body["model_id"], json!(shared_model()), "{got}");

    // 255 characters is the limit, counted in characters, not bytes.
    for ok in ["a".repeat(255), "é".repeat(255)] {
        let resp = user.patch(&path, json!({ "title": ok }));
        resp.expect_status(200);
        assert_eq!(resp.body["title"], json!(ok), "{resp}");
    }
}

#[test]
fn delete_is_204_then_gone_everywhere() {
    let user = new_user("STANDARD");
    let conv = user.create_conversation(&unique("doomed"), &shared_model());
    let id = conv["id"].as_str().expect("id").to_string();
    user.post(
        &messages_path(&id),
        json!({ "role": "user", "content": "hello" }),
    )
    .expect_status(201);
    assert!(list_all_ids(&user).contains(&id));

    let resp = user.delete(&conv_path(&id));
    resp.expect_status(204);
    assert!(resp.text.is_empty(), "204 has no body:\n{resp}");
    assert_security_headers(&resp, true);

    assert_app_error(&user.get(&conv_path(&id)), 404, "conversation_not_found");
    assert!(
        !list_all_ids(&user).contains(&id),
        "deleted conversation still listed"
    );
    let listing = user.get("/api/conversations/");
    assert_eq!(listing.body["count"], json!(0), "{listing}");
    assert_app_error(&user.delete(&conv_path(&id)), 404, "conversation_not_found");
    assert_app_error(
        &user.patch(&conv_path(&id), json!({ "title": "zombie" })),
        404,
        "conversation_not_found",
    );
    assert_app_error(
        &user.post(
            &messages_path(&id),
            json!({ "role": "user", "content": "x" }),
        ),
        404,
        "conversation_not_found",
    );
    // Without the trailing slash too.
    assert_app_error(
        &user.delete(&format!("/api/conversations/{id}")),
        404,
        "conversation_not_found",
    );
}

#[test]
fn message_create_returns_201_message_and_is_listed_oldest_first() {
    let user = new_user("STANDARD");
    let conv = user.create_conversation(&unique("msgs"), &shared_model());
    let id = conv["id"].as_str().expect("id").to_string();

    let mut created = Vec::new();
    for (role, content) in [
        ("user", "first message"),
        ("assistant", "second message"),
        ("system", "third message"),
    ] {
        let resp = user.post(
            &messages_path(&id),
            json!({ "role": role, "content": content }),
        );
        resp.expect_status(201);
        assert_security_headers(&resp, true);
        assert_message_shape(&resp.body, &resp.to_string());
        assert_eq!(resp.body["role"], json!(role), "{resp}");
        assert!(
            !resp.body["content"].as_str().unwrap_or_default().is_empty(),
            "content must not be lost:\n{resp}"
        );
        created.push(resp.str_field("id"));
    }
    // Without the trailing slash too.
    let resp = user.post(
        &format!("/api/conversations/{id}/messages"),
        json!({ "role": "user", "content": "fourth message" }),
    );
    resp.expect_status(201);
    created.push(resp.str_field("id"));

    let got = user.get(&conv_path(&id));
    got.expect_status(200);
    assert_detail_shape(&got);
    assert_eq!(
        ids(&got.body["messages"]),
        created,
        "messages oldest first:\n{got}"
    );

    let listing = user.get("/api/conversations/");
    listing.expect_status(200);
    let summary = listing.body["results"]
        .as_array()
        .and_then(|r| r.iter().find(|c| c["id"] == json!(id)))
        .unwrap_or_else(|| panic!("conversation not listed:\n{listing}"));
    assert_keys(summary, CONVERSATION_SUMMARY_KEYS, &listing.to_string());
    assert_eq!(summary["message_count"], json!(4), "{listing}");
}

#[test]
fn message_create_validates_fields() {
    let user = demo_standard();
    let conv = user.create_conversation(&unique("validate"), &shared_model());
    let path = messages_path(conv["id"].as_str().expect("id"));

    let resp = user.post(&path, json!({ "role": "admin", "content": "x" }));
    assert_field_errors(&resp, &["role"]);
    let resp = user.post(&path, json!({ "role": 1, "content": "x" }));
    assert_field_errors(&resp, &["role"]);
    let resp = user.post(&path, json!({ "content": "x" }));
    assert_field_errors(&resp, &["role"]);
    let resp = user.post(&path, json!({ "role": "user" }));
    assert_field_errors(&resp, &["content"]);
    let resp = user.post(&path, json!({ "role": "user", "content": 12 }));
    assert_field_errors(&resp, &["content"]);
    assert_eq!(
        resp.body["content"],
        json!(["Not a valid string."]),
        "{resp}"
    );
    let resp = user.post(
        &path,
        json!({ "role": "user", "content": "x", "pending": "yes" }),
    );
    assert_field_errors(&resp, &["pending"]);
    let resp = user.post(
        &path,
        json!({ "role": "user", "content": "x", "blocked": 3 }),
    );
    assert_field_errors(&resp, &["blocked"]);
    assert_json_parse_error(&post_raw(&path, &user.auth(), "{\"role\":"));
    assert_json_parse_error(&post_raw(&path, &user.auth(), "[1,2]"));

    let got = user.get(&conv_path(conv["id"].as_str().expect("id")));
    assert_eq!(
        got.body["messages"],
        json!([]),
        "rejected messages are not stored:\n{got}"
    );
}

#[test]
fn message_create_does_not_trust_client_protegrity_data() {
    let user = demo_standard();
    let conv = user.create_conversation(&unique("pdata"), &shared_model());
    let id = conv["id"].as_str().expect("id");
    let bogus = json!({ "input_processing": { "bogus": true } });
    let resp = user.post(
        &messages_path(id),
        json!({ "role": "user", "content": "plain text", "protegrity_data": bogus }),
    );
    resp.expect_status(201);
    assert_message_shape(&resp.body, &resp.to_string());
    assert_ne!(
        resp.body.get("protegrity_data"),
        Some(&bogus),
        "client-supplied protegrity_data must not be stored as is:\n{resp}"
    );
}

#[test]
fn non_uuid_or_unknown_ids_are_conversation_not_found() {
    let user = demo_standard();
    let unknown = uuid::Uuid::new_v4().to_string();
    for id in [
        "not-a-uuid",
        "123",
        "%20",
        "00000000-0000-0000-0000-00000000000g",
        unknown.as_str(),
    ] {
        assert_app_error(&user.get(&conv_path(id)), 404, "conversation_not_found");
        assert_app_error(
            &user.patch(&conv_path(id), json!({ "title": "x" })),
            404,
            "conversation_not_found",
        );
        assert_app_error(&user.delete(&conv_path(id)), 404, "conversation_not_found");
        assert_app_error(
            &user.post(
                &messages_path(id),
                json!({ "role": "user", "content": "x" }),
            ),
            404,
            "conversation_not_found",
        );
    }
}

#[test]
fn users_cannot_touch_each_others_conversations() {
    let owner = new_user("STANDARD");
    let intruder = new_user("PROTEGRITY");
    let conv = owner.create_conversation("private", &shared_model());
    let id = conv["id"].as_str().expect("id").to_string();
    owner
        .post(
            &messages_path(&id),
            json!({ "role": "user", "content": "mine" }),
        )
        .expect_status(201);

    for resp in [
        intruder.get(&conv_path(&id)),
        intruder.patch(&conv_path(&id), json!({ "title": "hijacked" })),
        intruder.post(
            &messages_path(&id),
            json!({ "role": "user", "content": "hi" }),
        ),
        intruder.delete(&conv_path(&id)),
    ] {
        assert_app_error(&resp, 404, "conversation_not_found");
    }
    assert!(
        !list_all_ids(&intruder).contains(&id),
        "foreign conversation listed"
    );

    // API keys see only their own user's data too.
    let key = new_api_key(&intruder.username);
    assert_app_error(
        &get(&conv_path(&id), &Auth::XApiKey(key.clone())),
        404,
        "conversation_not_found",
    );
    assert_app_error(
        &delete(&conv_path(&id), &Auth::ApiKey(key)),
        404,
        "conversation_not_found",
    );

    let got = owner.get(&conv_path(&id));
    got.expect_status(200);
    assert_eq!(
        got.body["title"],
        json!("private"),
        "owner's conversation changed:\n{got}"
    );
    assert_eq!(
        got.body["messages"].as_array().map(Vec::len),
        Some(1),
        "owner's messages changed:\n{got}"
    );
    let listing = owner.get("/api/conversations/");
    assert_eq!(listing.body["count"], json!(1), "{listing}");
}
