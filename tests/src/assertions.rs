//! What the API's answers must look like: its error shapes, the security headers, and the form of
//! ids and timestamps in a body.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::http::Resp;

/// Every 401 carries this challenge.
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";

/// The keys of a conversation in a list (`GET /api/conversations/`).
pub const CONVERSATION_SUMMARY_KEYS: &[&str] = &[
    "id",
    "title",
    "model_id",
    "primary_agent",
    "primary_llm",
    "message_count",
    "created_at",
    "updated_at",
];

/// Panics unless `value` is an object with exactly `keys` (context printed on failure).
#[track_caller]
pub fn assert_keys(value: &Value, keys: &[&str], context: &str) {
    let Some(obj) = value.as_object() else {
        panic!("expected a JSON object with keys {keys:?}, got {value}\n{context}");
    };
    let got: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
    let want: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        got,
        want,
        "key set mismatch (missing {:?}, unexpected {:?}) in {value}\n{context}",
        want.difference(&got).collect::<Vec<_>>(),
        got.difference(&want).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------------
// Error shapes

/// `{"error":{"code":<code>,"message":<non-empty string>}}` with the given status.
#[track_caller]
pub fn assert_app_error(resp: &Resp, status: u16, code: &str) {
    resp.expect_status(status);
    resp.expect_keys(&["error"]);
    let err = &resp.body["error"];
    assert_keys(err, &["code", "message"], &resp.to_string());
    assert_eq!(err["code"], json!(code), "error code mismatch:\n{resp}");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error.message must be a non-empty string:\n{resp}"
    );
}

/// `{"detail":<detail>}` exactly.
#[track_caller]
pub fn assert_detail(resp: &Resp, status: u16, detail: &str) {
    resp.expect_status(status);
    assert_eq!(
        resp.body,
        json!({ "detail": detail }),
        "body mismatch:\n{resp}"
    );
}

/// `{"detail":<detail>,"code":<code>}` exactly.
#[track_caller]
pub fn assert_detail_code(resp: &Resp, status: u16, detail: &str, code: &str) {
    resp.expect_status(status);
    assert_eq!(
        resp.body,
        json!({ "detail": detail, "code": code }),
        "body mismatch:\n{resp}"
    );
}

/// A 401 with the `WWW-Authenticate` challenge and a `detail` string.
#[track_caller]
pub fn assert_401(resp: &Resp) {
    resp.expect_status(401);
    assert_eq!(
        resp.header("www-authenticate"),
        Some(WWW_AUTHENTICATE),
        "401 must carry WWW-Authenticate:\n{resp}"
    );
    assert!(
        resp.body.get("detail").and_then(Value::as_str).is_some(),
        "401 body must carry a detail string:\n{resp}"
    );
}

/// 400 `{"<field>":["<message>", ...], ...}` where every listed field has at least one message
/// (other fields may also appear).
#[track_caller]
pub fn assert_field_errors(resp: &Resp, fields: &[&str]) {
    resp.expect_status(400);
    let Some(obj) = resp.body.as_object() else {
        panic!("field errors must be a JSON object:\n{resp}");
    };
    for field in fields {
        let messages = obj.get(*field).and_then(Value::as_array);
        assert!(
            messages.is_some_and(|m| !m.is_empty() && m.iter().all(|s| s.is_string())),
            "expected a list of messages for field {field:?}:\n{resp}"
        );
    }
    for (key, value) in obj {
        assert!(
            value
                .as_array()
                .is_some_and(|m| m.iter().all(Value::is_string)),
            "field error {key:?} must be a list of strings:\n{resp}"
        );
    }
}

/// 400 `{"detail":"JSON parse error - <reason>"}`.
#[track_caller]
pub fn assert_json_parse_error(resp: &Resp) {
    resp.expect_status(400);
    resp.expect_keys(&["detail"]);
    let detail = resp.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("JSON parse error - ") && detail.len() > "JSON parse error - ".len(),
        "detail must be `JSON parse error - <reason>`:\n{resp}"
    );
}

/// The three headers every response carries; `Cache-Control: no-store` too when authenticated.
#[track_caller]
pub fn assert_security_headers(resp: &Resp, authenticated: bool) {
    for (name, want) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(
            resp.header(name),
            Some(want),
            "header {name} missing or wrong:\n{resp}"
        );
    }
    if authenticated {
        let cc = resp.header("cache-control").unwrap_or_default();
        assert!(
            cc.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store")),
            "authenticated response must carry Cache-Control: no-store:\n{resp}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// `2026-11-26T21:14:40.941352Z`-like: RFC 3339 in UTC with a `Z` suffix.
#[track_caller]
pub fn assert_timestamp(value: &Value, context: &str) -> chrono::DateTime<chrono::FixedOffset> {
    let s = value
        .as_str()
        .unwrap_or_else(|| panic!("timestamp must be a string, got {value}\n{context}"));
    assert!(
        s.ends_with('Z'),
        "timestamp {s:?} must be UTC with a Z suffix\n{context}"
    );
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("timestamp {s:?} is not RFC 3339 ({e})\n{context}"))
}

#[track_caller]
pub fn assert_uuid(value: &Value, context: &str) -> String {
    let s = value
        .as_str()
        .unwrap_or_else(|| panic!("id must be a string, got {value}\n{context}"));
    uuid::Uuid::parse_str(s).unwrap_or_else(|e| panic!("id {s:?} is not a UUID ({e})\n{context}"));
    s.to_string()
}

#[track_caller]
pub fn assert_str_or_null(value: &Value, what: &str, context: &str) {
    assert!(
        value.is_string() || value.is_null(),
        "{what} must be a string or null, got {value}\n{context}"
    );
}
