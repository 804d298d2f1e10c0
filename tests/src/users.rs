//! The users a test acts as: the seeded demo users, and fresh ones created through the `pai-admin`
//! CLI so every run is independent; logging in, their tokens, and the lookups a logged-in user
//! makes (models, agents, conversations).
//!
//! `PAI_ADMIN` names the admin CLI; default `$CARGO_TARGET_DIR/debug/pai-admin`, else
//! `<workspace>/target/debug/pai-admin`. It inherits this process's environment (AWS settings).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use base64::Engine;
use serde_json::{json, Value};

use crate::http::{delete, get, patch, post, Auth, Resp};

pub const DEMO_PROTEGRITY: (&str, &str) = ("protegrity_demo", "ProtegrityDemo!2026");
pub const DEMO_STANDARD: (&str, &str) = ("standard_demo", "StandardDemo!2026");

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

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct User {
    pub username: String,
    pub password: String,
    /// The id `GET /api/me/` reports.
    pub id: i64,
    pub tokens: Tokens,
}

impl User {
    /// Logs in as the console does: `POST /api/auth/token/`, then `GET /api/me/`.
    #[track_caller]
    pub fn log_in(username: &str, password: &str) -> User {
        let tokens = login(username, password);
        let me = get("/api/me/", &Auth::Bearer(tokens.access.clone())).expect_json(200);
        let id = me["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no integer id in {me}"));
        User {
            username: username.to_string(),
            password: password.to_string(),
            id,
            tokens,
        }
    }

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

    /// The entry with this `id` of `GET /api/<list>/`, whose body lists them under `<list>`.
    #[track_caller]
    fn listed(&self, list: &str, id: &str) -> Value {
        let listing = self.get(&format!("/api/{list}/")).expect_json(200);
        listing[list]
            .as_array()
            .into_iter()
            .flatten()
            .find(|entry| entry["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} is not in the {list} of this user: {listing}"))
    }

    /// Display name of a catalog model, from `GET /api/models/`.
    #[track_caller]
    pub fn model_name(&self, model_id: &str) -> String {
        let model = self.listed("models", model_id);
        model["name"]
            .as_str()
            .unwrap_or_else(|| panic!("model without a name: {model}"))
            .to_owned()
    }

    /// The agent entry of `GET /api/agents/`.
    #[track_caller]
    pub fn agent(&self, agent_id: &str) -> Value {
        self.listed("agents", agent_id)
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

    /// `GET /api/conversations/{id}/`, which must answer 200.
    #[track_caller]
    pub fn conversation(&self, conversation_id: &str) -> Value {
        self.get(&format!("/api/conversations/{conversation_id}/"))
            .expect_json(200)
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

fn demo(cell: &'static OnceLock<User>, (username, password): (&str, &str)) -> User {
    cell.get_or_init(|| User::log_in(username, password))
        .clone()
}

/// The seeded PROTEGRITY demo user, logged in once per test process.
pub fn demo_protegrity() -> User {
    static CELL: OnceLock<User> = OnceLock::new();
    demo(&CELL, DEMO_PROTEGRITY)
}

/// The seeded STANDARD demo user, logged in once per test process.
pub fn demo_standard() -> User {
    static CELL: OnceLock<User> = OnceLock::new();
    demo(&CELL, DEMO_STANDARD)
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

/// A name no earlier run used: `<prefix>_<12 hex>`.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &id[..12])
}

/// A fresh user with `role` (`STANDARD` or `PROTEGRITY`) and a unique name, created through the
/// CLI and logged in.
pub fn new_user(role: &str) -> User {
    // One user added at a time: the local emulator mishandles concurrent writes.
    static ADDING: Mutex<()> = Mutex::new(());
    let username = unique(&format!("it_{}", role.to_ascii_lowercase()));
    let password = format!("Pw!{}", uuid::Uuid::new_v4().simple());
    let email = format!("{username}@example.test");
    {
        let _one_at_a_time = ADDING.lock().unwrap_or_else(|p| p.into_inner());
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
    }
    User::log_in(&username, &password)
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
