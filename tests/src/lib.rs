//! Harness for the integration tests: they drive the running local stack over HTTP, exactly as the
//! console does, and create their own users through the `pai-admin` CLI so every run is independent.
//!
//! Settings (environment):
//! - `PAI_BASE_URL` — the stack, default `http://127.0.0.1:8000`.
//! - `PAI_ADMIN` — the admin CLI; default `$CARGO_TARGET_DIR/debug/pai-admin`, else
//!   `<workspace>/target/debug/pai-admin`. It inherits this process's environment (AWS settings).

pub mod chat_support;

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

pub use serde_json;

pub const DEMO_PROTEGRITY: (&str, &str) = ("protegrity_demo", "ProtegrityDemo!2026");
pub const DEMO_STANDARD: (&str, &str) = ("standard_demo", "StandardDemo!2026");

/// Every 401 carries this challenge.
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";

pub fn base_url() -> String {
    std::env::var("PAI_BASE_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8000".to_string())
        .trim_end_matches('/')
        .to_string()
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder()
            // A function that was not prebuilt compiles on its first request.
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build HTTP client")
    })
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    /// `Authorization: Api-Key <key>`
    ApiKey(String),
    /// `X-API-Key: <key>`
    XApiKey(String),
    /// A verbatim `Authorization` header value.
    Raw(String),
}

/// A request body.
pub enum Body {
    Empty,
    Json(Value),
    /// Sent verbatim with `Content-Type: application/json`.
    Raw(Vec<u8>),
    /// Sent verbatim with no `Content-Type` (add one through the extra headers).
    Bytes(Vec<u8>),
}

/// A response, kept whole so a failing assertion can print everything.
pub struct Resp {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body parsed as JSON, `Value::Null` when it is not JSON (see `is_json`).
    pub body: Value,
    pub is_json: bool,
}

impl fmt::Display for Resp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.text.clone();
        if text.len() > 2000 {
            let mut cut = 2000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        writeln!(f, "{} {} -> {}", self.method, self.url, self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "  {}: {}", name, value.to_str().unwrap_or("<binary>"))?;
        }
        write!(f, "  body: {text}")
    }
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Panics with the whole exchange unless the status is `expected`.
    #[track_caller]
    pub fn expect_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status, expected,
            "expected status {expected}, got:\n{self}"
        );
        self
    }

    #[track_caller]
    pub fn expect_not_5xx(&self) -> &Self {
        assert!(self.status < 500, "got a 5xx:\n{self}");
        self
    }

    /// Panics unless the body is a JSON object with exactly these keys.
    #[track_caller]
    pub fn expect_keys(&self, keys: &[&str]) -> &Self {
        assert_keys(&self.body, keys, &self.to_string());
        self
    }

    /// The body's field, panicking with the exchange when absent.
    #[track_caller]
    pub fn field(&self, name: &str) -> &Value {
        match self.body.get(name) {
            Some(v) => v,
            None => panic!("response has no field {name:?}:\n{self}"),
        }
    }

    #[track_caller]
    pub fn str_field(&self, name: &str) -> String {
        match self.field(name).as_str() {
            Some(s) => s.to_string(),
            None => panic!("field {name:?} is not a string:\n{self}"),
        }
    }
}

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

/// Sends one request. `path` is either a path (`/api/...`) or an absolute URL (pagination links).
pub fn request(method: &str, path: &str, auth: &Auth, body: Body) -> Resp {
    request_with_headers(method, path, auth, body, &[])
}

pub fn request_with_headers(
    method: &str,
    path: &str,
    auth: &Auth,
    body: Body,
    headers: &[(&str, &str)],
) -> Resp {
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        path.to_string()
    } else {
        format!("{}{}", base_url(), path)
    };
    let m = Method::from_bytes(method.as_bytes()).expect("valid method");
    let mut req = client().request(m, &url);
    req = match auth {
        Auth::None => req,
        Auth::Bearer(t) => req.header("Authorization", format!("Bearer {t}")),
        Auth::ApiKey(k) => req.header("Authorization", format!("Api-Key {k}")),
        Auth::XApiKey(k) => req.header("X-API-Key", k.as_str()),
        Auth::Raw(v) => req.header("Authorization", v.as_str()),
    };
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req = match body {
        Body::Empty => req,
        Body::Json(v) => req
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&v).expect("serialize body")),
        Body::Raw(bytes) => req.header("Content-Type", "application/json").body(bytes),
        Body::Bytes(bytes) => req.body(bytes),
    };
    let resp = match req.send() {
        Ok(r) => r,
        Err(e) => panic!(
            "{method} {url} failed: {e:#}\nIs the stack running? Start it with `make dev` \
             (or set PAI_BASE_URL)."
        ),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().unwrap_or_default();
    let (body, is_json) = match serde_json::from_str::<Value>(&text) {
        Ok(v) => (v, true),
        Err(_) => (Value::Null, false),
    };
    Resp {
        method: method.to_string(),
        url,
        status,
        headers,
        text,
        body,
        is_json,
    }
}

pub fn get(path: &str, auth: &Auth) -> Resp {
    request("GET", path, auth, Body::Empty)
}

pub fn post(path: &str, auth: &Auth, body: Value) -> Resp {
    request("POST", path, auth, Body::Json(body))
}

pub fn patch(path: &str, auth: &Auth, body: Value) -> Resp {
    request("PATCH", path, auth, Body::Json(body))
}

pub fn delete(path: &str, auth: &Auth) -> Resp {
    request("DELETE", path, auth, Body::Empty)
}

/// Sends `bytes` verbatim as a JSON body.
pub fn post_raw(path: &str, auth: &Auth, bytes: impl Into<Vec<u8>>) -> Resp {
    request("POST", path, auth, Body::Raw(bytes.into()))
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

/// The claims of a JWT, decoded without verifying it.
pub fn jwt_claims(token: &str) -> Value {
    jwt_part(token, 1)
}

pub fn jwt_header(token: &str) -> Value {
    jwt_part(token, 0)
}

fn jwt_part(token: &str, index: usize) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token:?}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[index].trim_end_matches('='))
        .unwrap_or_else(|e| panic!("JWT part {index} is not base64url: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("JWT part {index} is not JSON: {e}"))
}

/// A name no earlier run used: `<prefix>_<12 hex>`.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &id[..12])
}

// ---------------------------------------------------------------------------------------------
// Users

#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// Logs in, panicking with the exchange unless it is a 200 with both tokens.
#[track_caller]
pub fn login(username: &str, password: &str) -> Tokens {
    let resp = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": username, "password": password }),
    );
    resp.expect_status(200);
    Tokens {
        access: resp.str_field("access"),
        refresh: resp.str_field("refresh"),
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub username: String,
    pub password: String,
    pub role: &'static str,
    pub tokens: Tokens,
}

impl User {
    pub fn auth(&self) -> Auth {
        Auth::Bearer(self.tokens.access.clone())
    }

    pub fn get(&self, path: &str) -> Resp {
        get(path, &self.auth())
    }

    pub fn post(&self, path: &str, body: Value) -> Resp {
        post(path, &self.auth(), body)
    }

    pub fn patch(&self, path: &str, body: Value) -> Resp {
        patch(path, &self.auth(), body)
    }

    pub fn delete(&self, path: &str) -> Resp {
        delete(path, &self.auth())
    }

    /// The ids of the models this user may use, in list order.
    pub fn model_ids(&self) -> Vec<String> {
        ids(&self.get("/api/models/").expect_status(200).body["models"])
    }

    /// Creates a conversation on `model_id`, asserting the 201.
    #[track_caller]
    pub fn create_conversation(&self, title: &str, model_id: &str) -> Value {
        let resp = self.post(
            "/api/conversations/",
            json!({ "title": title, "model_id": model_id }),
        );
        resp.expect_status(201);
        resp.body.clone()
    }
}

/// The `id`s of a JSON list of objects.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|e| {
            e["id"]
                .as_str()
                .unwrap_or_else(|| panic!("entry without string id: {e}"))
                .to_string()
        })
        .collect()
}

fn demo(cell: &'static OnceLock<User>, creds: (&str, &str), role: &'static str) -> User {
    cell.get_or_init(|| User {
        username: creds.0.to_string(),
        password: creds.1.to_string(),
        role,
        tokens: login(creds.0, creds.1),
    })
    .clone()
}

/// The seeded PROTEGRITY demo user, logged in once per test process.
pub fn demo_protegrity() -> User {
    static CELL: OnceLock<User> = OnceLock::new();
    demo(&CELL, DEMO_PROTEGRITY, "PROTEGRITY")
}

/// The seeded STANDARD demo user, logged in once per test process.
pub fn demo_standard() -> User {
    static CELL: OnceLock<User> = OnceLock::new();
    demo(&CELL, DEMO_STANDARD, "STANDARD")
}

/// A model both roles may use: `echo` when offered, else the STANDARD demo user's first model.
pub fn shared_model() -> String {
    let models = demo_standard().model_ids();
    if models.iter().any(|m| m == "echo") {
        return "echo".to_string();
    }
    models
        .into_iter()
        .next()
        .expect("the STANDARD demo user must have at least one model")
}

/// Where the admin CLI is.
pub fn admin_path() -> PathBuf {
    if let Ok(p) = std::env::var("PAI_ADMIN") {
        return PathBuf::from(p);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let target = match std::env::var("CARGO_TARGET_DIR") {
        Ok(dir) => workspace.join(dir),
        Err(_) => workspace.join("target"),
    };
    target.join("debug").join("pai-admin")
}

/// Runs `pai-admin <args>`, returning its exit success, stdout and stderr.
pub fn try_admin(args: &[&str]) -> (bool, String, String) {
    let path = admin_path();
    let out = Command::new(&path).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run the admin CLI at {} ({e}); build it with `cargo build -p pai-admin` \
             or set PAI_ADMIN",
            path.display()
        )
    });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `pai-admin <args>`, panicking with its output unless it succeeds; returns stdout.
#[track_caller]
pub fn admin(args: &[&str]) -> String {
    let (ok, stdout, stderr) = try_admin(args);
    // Passwords are test-only values; printing the command helps when it fails.
    assert!(
        ok,
        "pai-admin {args:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    stdout
}

/// A fresh user with a unique name, created through the CLI and logged in.
pub fn new_user(role: &'static str) -> User {
    let username = unique(&format!("it_{}", role.to_ascii_lowercase()));
    let password = format!("Pw!{}", uuid::Uuid::new_v4().simple());
    let email = format!("{username}@example.test");
    admin(&[
        "user",
        "add",
        &username,
        "--password",
        &password,
        "--role",
        role,
        "--email",
        &email,
    ]);
    let tokens = login(&username, &password);
    User {
        username,
        password,
        role,
        tokens,
    }
}

/// Creates an API key for `username`; the CLI prints only the key.
#[track_caller]
pub fn new_api_key(username: &str) -> String {
    let out = admin(&["apikey", "create", username, "--name", "itest"]);
    single_line(&out)
}

#[track_caller]
pub fn single_line(out: &str) -> String {
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stdout, got {out:?}");
    lines[0].trim().to_string()
}
