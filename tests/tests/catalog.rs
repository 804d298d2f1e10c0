//! `/api/me/`, `/api/models/`, `/api/agents/`, `/api/tools/` per role (API.md "Auth", "Roles", "Catalog").

use pai_integration::*;
use serde_json::{json, Value};

const ME_KEYS: &[&str] = &[
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "is_protegrity",
];
const MODEL_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "provider",
    "requires_polling",
    "supports_streaming",
    "max_tokens",
];
const AGENT_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "default_llm",
    "icon",
    "color",
    "system_prompt",
];
const TOOL_KEYS: &[&str] = &[
    "id",
    "name",
    "tool_type",
    "description",
    "requires_auth",
    "function_schema",
];

/// Models only PROTEGRITY may use, per the seeded catalog.
const PROTEGRITY_ONLY_MODELS: &[&str] = &[
    "openai-gpt-4o",
    "azure-gpt-4o",
    "anthropic-claude-sonnet",
    "bedrock-claude-sonnet",
];

/// Display order of the seeded models.
fn seeded_order(id: &str) -> Option<u32> {
    Some(match id {
        "openai-gpt-4o-mini" => 1,
        "openai-gpt-4o" => 2,
        "azure-gpt-4o-mini" => 3,
        "azure-gpt-4o" => 4,
        "anthropic-claude-haiku" => 5,
        "anthropic-claude-sonnet" => 6,
        "bedrock-claude-haiku" => 7,
        "bedrock-claude-sonnet" => 8,
        "echo" => 99,
        _ => return None,
    })
}

fn list<'a>(resp: &'a Resp, key: &str) -> &'a Vec<Value> {
    resp.expect_status(200).expect_keys(&[key]);
    resp.body[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} must be a list:\n{resp}"))
}

#[track_caller]
fn assert_string(entry: &Value, field: &str, ctx: &Resp) {
    assert!(
        entry[field].is_string(),
        "{field} must be a string in {entry}\n{ctx}"
    );
}

#[track_caller]
fn assert_bool(entry: &Value, field: &str, ctx: &Resp) {
    assert!(
        entry[field].is_boolean(),
        "{field} must be a boolean in {entry}\n{ctx}"
    );
}

#[test]
fn me_has_exact_keys_and_role_per_user() {
    for (user, role, is_protegrity) in [
        (demo_protegrity(), "PROTEGRITY", true),
        (demo_standard(), "STANDARD", false),
    ] {
        for path in ["/api/me/", "/api/me"] {
            let resp = user.get(path);
            resp.expect_status(200).expect_keys(ME_KEYS);
            assert_security_headers(&resp, true);
            assert!(resp.body["id"].is_u64(), "id must be an integer:\n{resp}");
            assert_eq!(resp.body["username"], json!(user.username), "{resp}");
            assert_eq!(resp.body["role"], json!(role), "{resp}");
            assert_eq!(resp.body["is_protegrity"], json!(is_protegrity), "{resp}");
            for field in ["email", "first_name", "last_name"] {
                assert!(
                    resp.body[field].is_string(),
                    "{field} must be a string:\n{resp}"
                );
            }
        }
    }
}

#[test]
fn me_follows_role_changes_and_email() {
    let user = new_user("STANDARD");
    let resp = user.get("/api/me/");
    resp.expect_status(200).expect_keys(ME_KEYS);
    assert_eq!(resp.body["role"], json!("STANDARD"), "{resp}");
    assert_eq!(resp.body["is_protegrity"], json!(false), "{resp}");
    assert_eq!(
        resp.body["email"],
        json!(format!("{}@example.test", user.username)),
        "{resp}"
    );

    admin(&["user", "set-role", &user.username, "PROTEGRITY"]);
    let tokens = login(&user.username, &user.password);
    let resp = get("/api/me/", &Auth::Bearer(tokens.access));
    resp.expect_status(200);
    assert_eq!(resp.body["role"], json!("PROTEGRITY"), "{resp}");
    assert_eq!(resp.body["is_protegrity"], json!(true), "{resp}");

    let listed = admin(&["user", "list"]);
    assert!(
        listed.contains(&user.username),
        "`pai-admin user list` must show {}:\n{listed}",
        user.username
    );
}

#[test]
fn models_have_exact_fields_and_echo_last_in_order() {
    for user in [demo_protegrity(), demo_standard()] {
        let resp = user.get("/api/models/");
        assert_security_headers(&resp, true);
        let models = list(&resp, "models");
        assert!(
            !models.is_empty(),
            "{} sees no models:\n{resp}",
            user.username
        );
        for m in models {
            assert_keys(m, MODEL_KEYS, &resp.to_string());
            for f in ["id", "name", "description", "provider"] {
                assert_string(m, f, &resp);
            }
            assert_bool(m, "requires_polling", &resp);
            assert_bool(m, "supports_streaming", &resp);
            assert!(
                m["max_tokens"].is_u64(),
                "max_tokens must be an integer in {m}\n{resp}"
            );
        }
        let ids = ids(&resp.body["models"]);
        let last = models.last().expect("non-empty");
        assert_eq!(
            last["id"],
            json!("echo"),
            "echo must be offered and listed last:\n{resp}"
        );
        assert_eq!(last["provider"], json!("echo"), "{resp}");

        // Display order, then name, for the seeded entries.
        let keyed: Vec<(u32, String)> = models
            .iter()
            .filter_map(|m| {
                let id = m["id"].as_str()?;
                Some((seeded_order(id)?, m["name"].as_str()?.to_string()))
            })
            .collect();
        let mut sorted = keyed.clone();
        sorted.sort();
        assert_eq!(
            keyed, sorted,
            "models must be ordered by display order then name: {ids:?}"
        );
    }
}

#[test]
fn standard_sees_only_standard_models_protegrity_sees_a_superset() {
    let p = demo_protegrity().model_ids();
    let s = demo_standard().model_ids();
    for id in &s {
        assert!(
            !PROTEGRITY_ONLY_MODELS.contains(&id.as_str()),
            "STANDARD must not see PROTEGRITY-only model {id}: {s:?}"
        );
        assert!(
            p.contains(id),
            "PROTEGRITY must see everything STANDARD sees: {p:?} vs {s:?}"
        );
    }
    // The order of what both see is the same.
    let common: Vec<&String> = p.iter().filter(|id| s.contains(id)).collect();
    assert_eq!(common, s.iter().collect::<Vec<_>>());
}

#[test]
fn agents_have_exact_fields_and_role_filtering() {
    let p = demo_protegrity();
    let s = demo_standard();
    for (user, expected) in [
        (&p, vec!["data-protection-expert", "general-assistant"]),
        (&s, vec!["general-assistant"]),
    ] {
        let resp = user.get("/api/agents/");
        assert_security_headers(&resp, true);
        let agents = list(&resp, "agents");
        for a in agents {
            assert_keys(a, AGENT_KEYS, &resp.to_string());
            for f in ["id", "name", "description", "system_prompt"] {
                assert_string(a, f, &resp);
            }
            for f in ["default_llm", "icon", "color"] {
                assert_str_or_null(&a[f], f, &resp.to_string());
            }
        }
        let mut got = ids(&resp.body["agents"]);
        got.sort();
        assert_eq!(got, expected, "{} agents:\n{resp}", user.username);

        // general-assistant defaults to the first model the user may use.
        let general = agents
            .iter()
            .find(|a| a["id"] == json!("general-assistant"))
            .expect("general-assistant listed");
        let first_model = user.model_ids().into_iter().next();
        assert_eq!(
            general["default_llm"].as_str(),
            first_model.as_deref(),
            "general-assistant's default_llm must be the user's first model:\n{resp}"
        );
    }
}

#[test]
fn tools_have_exact_fields_and_role_filtering() {
    let all = [
        "protegrity-classify",
        "protegrity-guardrails",
        "protegrity-protect",
        "protegrity-redact",
        "protegrity-unprotect",
    ];
    let standard = [
        "protegrity-classify",
        "protegrity-guardrails",
        "protegrity-redact",
    ];
    for (user, expected) in [
        (demo_protegrity(), all.to_vec()),
        (demo_standard(), standard.to_vec()),
    ] {
        let resp = user.get("/api/tools/");
        assert_security_headers(&resp, true);
        let tools = list(&resp, "tools");
        for t in tools {
            assert_keys(t, TOOL_KEYS, &resp.to_string());
            for f in ["id", "name", "tool_type", "description"] {
                assert_string(t, f, &resp);
            }
            assert_bool(t, "requires_auth", &resp);
            assert!(
                t["function_schema"].is_object(),
                "function_schema must be an object in {t}\n{resp}"
            );
        }
        let mut got = ids(&resp.body["tools"]);
        got.sort();
        assert_eq!(got, expected, "{} tools:\n{resp}", user.username);
    }
}

#[test]
fn catalog_lists_work_with_and_without_trailing_slash() {
    let user = demo_standard();
    for (path, key) in [
        ("/api/models", "models"),
        ("/api/agents", "agents"),
        ("/api/tools", "tools"),
    ] {
        let bare = user.get(path);
        let slash = user.get(&format!("{path}/"));
        list(&bare, key);
        list(&slash, key);
        assert_eq!(bare.body, slash.body, "{bare}\n{slash}");
    }
}
