//! Health, login, refresh, JWT claims and authentication of protected routes (API.md "Auth").

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use pai_integration::*;
use serde_json::{json, Value};
use sha2::Sha256;

const NO_ACCOUNT: &str = "No active account found with the given credentials";
const NOT_PROVIDED: &str = "Authentication credentials were not provided.";
const TOKEN_NOT_VALID: &str = "Given token not valid for any token type";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with the given header and claims, signed with HS256 under `secret` (or unsigned).
fn make_jwt(header: &Value, claims: &Value, secret: Option<&[u8]>) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = match secret {
        Some(key) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            mac.update(signing_input.as_bytes());
            b64(&mac.finalize().into_bytes())
        }
        None => String::new(),
    };
    format!("{signing_input}.{signature}")
}

#[test]
fn health_answers_without_auth() {
    for path in ["/api/health/", "/api/health"] {
        let resp = get(path, &Auth::None);
        resp.expect_status(200);
        assert_eq!(resp.body, json!({ "status": "ok" }), "{resp}");
        assert_security_headers(&resp, false);
    }
}

#[test]
fn login_success_returns_access_and_refresh() {
    let (user, password) = DEMO_STANDARD;
    let resp = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": user, "password": password }),
    );
    resp.expect_status(200).expect_keys(&["refresh", "access"]);
    assert_security_headers(&resp, false);
    let access = resp.str_field("access");
    let me = get("/api/me/", &Auth::Bearer(access));
    me.expect_status(200);
    assert_eq!(me.body["username"], json!(user), "{me}");
}

#[test]
fn login_wrong_password_or_unknown_user_is_401() {
    let (user, _) = DEMO_STANDARD;
    let wrong = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": user, "password": "not-the-password" }),
    );
    assert_401(&wrong);
    assert_detail(&wrong, 401, NO_ACCOUNT);
    assert_security_headers(&wrong, false);

    // An unknown user answers exactly like a wrong password (no account enumeration).
    let unknown = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": unique("nobody"), "password": "whatever" }),
    );
    assert_401(&unknown);
    assert_detail(&unknown, 401, NO_ACCOUNT);
}

#[test]
fn login_missing_fields_are_field_errors() {
    let both = post("/api/auth/token/", &Auth::None, json!({}));
    assert_field_errors(&both, &["username", "password"]);
    assert_security_headers(&both, false);

    let no_password = post("/api/auth/token/", &Auth::None, json!({ "username": "x" }));
    assert_field_errors(&no_password, &["password"]);
    assert!(no_password.body.get("username").is_none(), "{no_password}");

    let no_username = post("/api/auth/token/", &Auth::None, json!({ "password": "x" }));
    assert_field_errors(&no_username, &["username"]);
    assert!(no_username.body.get("password").is_none(), "{no_username}");
}

#[test]
fn login_bad_json_is_parse_error() {
    for raw in [
        &b"{\"username\": \"a\", "[..],
        b"not json",
        b"[]",
        b"\"a string\"",
        b"42",
        b"null",
    ] {
        let resp = post_raw("/api/auth/token/", &Auth::None, raw.to_vec());
        assert_json_parse_error(&resp);
        assert_security_headers(&resp, false);
    }
}

#[test]
fn login_wrong_field_types_are_field_errors() {
    let resp = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": 42, "password": "x" }),
    );
    assert_field_errors(&resp, &["username"]);
    assert_eq!(
        resp.body["username"],
        json!(["Not a valid string."]),
        "{resp}"
    );

    let resp = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": "x", "password": ["x"] }),
    );
    assert_field_errors(&resp, &["password"]);
    assert_eq!(
        resp.body["password"],
        json!(["Not a valid string."]),
        "{resp}"
    );

    let resp = post(
        "/api/auth/token/",
        &Auth::None,
        json!({ "username": null, "password": {"a": 1} }),
    );
    assert_field_errors(&resp, &["username", "password"]);
}

#[test]
fn jwt_claims_carry_user_id_string_and_token_type() {
    let (user, password) = DEMO_PROTEGRITY;
    let tokens = login(user, password);
    let me = get("/api/me/", &Auth::Bearer(tokens.access.clone()));
    me.expect_status(200);
    let id = me
        .field("id")
        .as_i64()
        .unwrap_or_else(|| panic!("id must be an integer:\n{me}"));

    let header = jwt_header(&tokens.access);
    assert_eq!(header["alg"], json!("HS256"), "header {header}");

    let t = now();
    for (token, kind, lifetime) in [
        (&tokens.access, "access", 3600),
        (&tokens.refresh, "refresh", 7 * 24 * 3600),
    ] {
        let claims = jwt_claims(token);
        assert_eq!(
            claims["user_id"],
            json!(id.to_string()),
            "{kind} token: user_id must be the user's id as a string: {claims}"
        );
        assert_eq!(claims["token_type"], json!(kind), "{kind} claims: {claims}");
        let exp = claims["exp"]
            .as_i64()
            .unwrap_or_else(|| panic!("{kind} token needs an integer exp: {claims}"));
        let remaining = exp - t;
        assert!(
            (lifetime - 300..=lifetime + 60).contains(&remaining),
            "{kind} token should live ~{lifetime}s, expires in {remaining}s: {claims}"
        );
    }
}

#[test]
fn refresh_returns_a_working_access_token() {
    let (user, password) = DEMO_STANDARD;
    let tokens = login(user, password);
    for path in ["/api/auth/token/refresh/", "/api/auth/token/refresh"] {
        let resp = post(path, &Auth::None, json!({ "refresh": tokens.refresh }));
        resp.expect_status(200).expect_keys(&["access"]);
        assert_security_headers(&resp, false);
        let access = resp.str_field("access");
        assert_eq!(jwt_claims(&access)["token_type"], json!("access"));
        let me = get("/api/me/", &Auth::Bearer(access));
        me.expect_status(200);
        assert_eq!(me.body["username"], json!(user), "{me}");
    }
}

#[test]
fn refresh_with_garbage_is_token_not_valid() {
    for garbage in ["garbage", "a.b.c", ""] {
        let resp = post(
            "/api/auth/token/refresh/",
            &Auth::None,
            json!({ "refresh": garbage }),
        );
        if garbage.is_empty() {
            // A blank token may be reported as a field error or as an invalid token.
            assert!(resp.status == 400 || resp.status == 401, "{resp}");
            continue;
        }
        assert_401(&resp);
        assert_detail_code(&resp, 401, "Token is invalid", "token_not_valid");
    }
}

#[test]
fn refresh_with_an_access_token_has_wrong_type() {
    let (user, password) = DEMO_STANDARD;
    let tokens = login(user, password);
    let resp = post(
        "/api/auth/token/refresh/",
        &Auth::None,
        json!({ "refresh": tokens.access }),
    );
    assert_401(&resp);
    assert_detail_code(&resp, 401, "Token has wrong type", "token_not_valid");
}

#[test]
fn refresh_missing_field_or_bad_json() {
    let resp = post("/api/auth/token/refresh/", &Auth::None, json!({}));
    assert_field_errors(&resp, &["refresh"]);

    let resp = post(
        "/api/auth/token/refresh/",
        &Auth::None,
        json!({ "refresh": 5 }),
    );
    assert_field_errors(&resp, &["refresh"]);
    assert_eq!(
        resp.body["refresh"],
        json!(["Not a valid string."]),
        "{resp}"
    );

    let resp = post_raw("/api/auth/token/refresh/", &Auth::None, "{oops");
    assert_json_parse_error(&resp);
}

#[test]
fn missing_credentials_on_protected_routes_is_401_with_challenge() {
    let id = uuid::Uuid::new_v4();
    let cases = [
        ("GET", "/api/me/".to_string(), None),
        ("GET", "/api/models/".to_string(), None),
        ("GET", "/api/agents/".to_string(), None),
        ("GET", "/api/tools/".to_string(), None),
        ("GET", "/api/conversations/".to_string(), None),
        (
            "POST",
            "/api/conversations/".to_string(),
            Some(json!({ "model_id": "echo" })),
        ),
        ("GET", format!("/api/conversations/{id}/"), None),
        (
            "PATCH",
            format!("/api/conversations/{id}/"),
            Some(json!({ "title": "x" })),
        ),
        ("DELETE", format!("/api/conversations/{id}/"), None),
        (
            "POST",
            format!("/api/conversations/{id}/messages/"),
            Some(json!({ "role": "user", "content": "hi" })),
        ),
    ];
    for (method, path, body) in cases {
        let body = body.map_or(Body::Empty, Body::Json);
        let resp = request(method, &path, &Auth::None, body);
        assert_401(&resp);
        assert_detail(&resp, 401, NOT_PROVIDED);
        assert_security_headers(&resp, false);
    }
}

#[test]
fn garbage_and_forged_tokens_are_token_not_valid() {
    let (user, password) = DEMO_STANDARD;
    let tokens = login(user, password);
    let claims = jwt_claims(&tokens.access);
    let parts: Vec<&str> = tokens.access.split('.').collect();

    // Same signature over a payload naming another user.
    let mut other = claims.clone();
    other["user_id"] = json!("1");
    if other == claims {
        other["user_id"] = json!("2");
    }
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(other.to_string().as_bytes()),
        parts[2]
    );

    let future = now() + 3600;
    let forged_claims = json!({
        "token_type": "access",
        "user_id": claims["user_id"],
        "exp": future,
        "iat": now(),
        "jti": uuid::Uuid::new_v4().simple().to_string(),
    });
    let wrong_secret = make_jwt(
        &json!({ "alg": "HS256", "typ": "JWT" }),
        &forged_claims,
        Some(b"not-the-secret"),
    );
    let alg_none = make_jwt(
        &json!({ "alg": "none", "typ": "JWT" }),
        &forged_claims,
        None,
    );

    for (what, token) in [
        ("garbage", "garbage".to_string()),
        ("three garbage parts", "a.b.c".to_string()),
        ("tampered payload", tampered),
        ("wrong secret", wrong_secret),
        ("alg none", alg_none),
        ("refresh token used as access", tokens.refresh.clone()),
    ] {
        let resp = get("/api/me/", &Auth::Bearer(token));
        assert_401(&resp);
        assert_eq!(
            resp.body,
            json!({ "detail": TOKEN_NOT_VALID, "code": "token_not_valid" }),
            "{what}:\n{resp}"
        );
    }
}

#[test]
fn malformed_authorization_header_is_bad_authorization_header() {
    let resp = get("/api/me/", &Auth::Raw("Bearer a b".to_string()));
    assert_401(&resp);
    assert_detail_code(
        &resp,
        401,
        "Authorization header must contain two space-delimited values",
        "bad_authorization_header",
    );
}

#[test]
fn api_key_works_in_both_headers_with_the_users_role() {
    let user = new_user("STANDARD");
    let key = new_api_key(&user.username);
    let via_bearer = user.get("/api/models/");
    via_bearer.expect_status(200);

    for auth in [Auth::ApiKey(key.clone()), Auth::XApiKey(key.clone())] {
        let me = get("/api/me/", &auth);
        me.expect_status(200);
        assert_eq!(me.body["username"], json!(user.username), "{auth:?}\n{me}");
        assert_eq!(me.body["role"], json!("STANDARD"), "{me}");
        assert_security_headers(&me, true);

        let models = get("/api/models/", &auth);
        models.expect_status(200);
        assert_eq!(
            models.body, via_bearer.body,
            "a key acts with its user's role:\n{models}"
        );
    }
}

#[test]
fn wrong_api_key_is_401() {
    let user = new_user("STANDARD");
    let key = new_api_key(&user.username);
    let mut wrong = key.clone();
    let last = wrong.pop().expect("non-empty key");
    wrong.push(if last == 'a' { 'b' } else { 'a' });

    for auth in [
        Auth::ApiKey(wrong.clone()),
        Auth::XApiKey(wrong.clone()),
        Auth::ApiKey("nonsense".to_string()),
        Auth::XApiKey("nonsense".to_string()),
        Auth::XApiKey(String::new()),
    ] {
        let resp = get("/api/me/", &auth);
        assert_401(&resp);
        assert_security_headers(&resp, false);
    }
}

#[test]
fn expired_api_key_is_401() {
    let user = new_user("STANDARD");
    let (ok, stdout, stderr) = try_admin(&[
        "apikey",
        "create",
        &user.username,
        "--name",
        "expired",
        "--expires-days",
        "0",
    ]);
    if !ok {
        eprintln!(
            "SKIPPED: `pai-admin apikey create --expires-days 0` is refused, so no expired key \
             can be made: {stderr}"
        );
        return;
    }
    let key = single_line(&stdout);
    // A key that expires after 0 days is expired by the time it is used.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for auth in [Auth::ApiKey(key.clone()), Auth::XApiKey(key)] {
        let resp = get("/api/me/", &auth);
        assert_401(&resp);
    }
    // The same user's key that expires tomorrow still works.
    let fresh = single_line(&admin(&[
        "apikey",
        "create",
        &user.username,
        "--expires-days",
        "1",
    ]));
    get("/api/me/", &Auth::ApiKey(fresh)).expect_status(200);
}
