//! Requests to the stack under test and the responses they get, kept whole so a failing assertion
//! can print the exchange.
//!
//! `PAI_BASE_URL` chooses the stack (default `http://127.0.0.1:8000`).

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use crate::assertions::assert_keys;

/// How much of a request or response body a printed exchange shows.
const SHOWN_BODY_CHARS: usize = 2000;

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
    /// The start of the request body as text (empty without one), for printing.
    pub request_body: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body parsed as JSON, `Value::Null` when it is not JSON (see `is_json`).
    pub body: Value,
    pub is_json: bool,
}

/// `text` cut to [`SHOWN_BODY_CHARS`] bytes (at a character boundary), with `…` when cut.
fn shortened(text: &str) -> String {
    if text.len() <= SHOWN_BODY_CHARS {
        return text.to_string();
    }
    let mut cut = SHOWN_BODY_CHARS;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

impl fmt::Display for Resp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} -> {}", self.method, self.url, self.status)?;
        if !self.request_body.is_empty() {
            writeln!(f, "  request body: {}", self.request_body)?;
        }
        for (name, value) in &self.headers {
            writeln!(f, "  {}: {}", name, value.to_str().unwrap_or("<binary>"))?;
        }
        write!(f, "  body: {}", shortened(&self.text))
    }
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code` of an app error, `""` when the body has none.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
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

    /// Panics with the whole exchange unless the status is `expected` and the body is JSON;
    /// returns the body.
    #[track_caller]
    pub fn expect_json(self, expected: u16) -> Value {
        self.expect_status(expected);
        assert!(self.is_json, "expected a JSON body, got:\n{self}");
        self.body
    }

    /// Panics with the whole exchange unless this is `status` with app error `code` (only
    /// the code is checked; `assertions::assert_app_error` checks the whole error shape).
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "expected {status} {code}, got:\n{self}"
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

/// Sends one request. `path` is either a path (`/api/...`) or an absolute URL (pagination links,
/// the fake LLM).
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
    let (req, request_body) = match body {
        Body::Empty => (req, String::new()),
        Body::Json(v) => {
            let bytes = serde_json::to_vec(&v).expect("serialize body");
            let shown = shortened(&String::from_utf8_lossy(&bytes));
            let req = req.header("Content-Type", "application/json").body(bytes);
            (req, shown)
        }
        Body::Raw(bytes) => {
            let shown = shortened(&String::from_utf8_lossy(&bytes));
            (
                req.header("Content-Type", "application/json").body(bytes),
                shown,
            )
        }
        Body::Bytes(bytes) => {
            let shown = shortened(&String::from_utf8_lossy(&bytes));
            (req.body(bytes), shown)
        }
    };
    let (status, headers, text) = send(method, &url, req);
    let (body, is_json) = match serde_json::from_str::<Value>(&text) {
        Ok(v) => (v, true),
        Err(_) => (Value::Null, false),
    };
    Resp {
        method: method.to_string(),
        url,
        request_body,
        status,
        headers,
        text,
        body,
        is_json,
    }
}

/// A reading request may be sent again: see [`send`].
const SAFE_METHODS: [&str; 2] = ["GET", "HEAD"];
/// How long a reading request waits before it is sent again.
const SAFE_REQUEST_TIMEOUT: Duration = Duration::from_secs(40);
const SAFE_REQUEST_ATTEMPTS: usize = 3;

/// Sends `req` and reads the whole answer.
///
/// `cargo lambda watch` (the local router) now and then loses a function's answer: the client
/// gets the router's own 500 problem document (`https://httpstatuses.com/500`, a body none of
/// our functions writes) or no answer at all, with nothing in the function's log. Reading
/// requests are sent again in that case (noted on stderr) so that a router fault does not
/// fail a test of our code; anything that writes is sent once, and every other answer,
/// 500s of our own included, is returned as it came.
fn send(
    method: &str,
    url: &str,
    req: reqwest::blocking::RequestBuilder,
) -> (u16, HeaderMap, String) {
    let safe = SAFE_METHODS.contains(&method);
    let attempts = if safe { SAFE_REQUEST_ATTEMPTS } else { 1 };
    for attempt in 1..=attempts {
        let this = match (safe, req.try_clone()) {
            (true, Some(r)) => r.timeout(SAFE_REQUEST_TIMEOUT),
            (_, Some(r)) => r,
            (_, None) => panic!("{method} {url}: the request cannot be repeated"),
        };
        let last = attempt == attempts;
        match this.send() {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let text = resp.text().unwrap_or_default();
                let router_fault = status == 500 && text.contains("https://httpstatuses.com/500");
                if router_fault && !last {
                    eprintln!(
                        "{method} {url}: the local router answered its own 500; sending again"
                    );
                    continue;
                }
                return (status, headers, text);
            }
            Err(e) if e.is_timeout() && !last => {
                eprintln!("{method} {url}: no answer from the local router; sending again");
            }
            Err(e) => panic!(
                "{method} {url} failed: {e:#}\nIs the stack running? Start it with `make dev` \
                 (or set PAI_BASE_URL)."
            ),
        }
    }
    unreachable!("the last attempt returns or panics")
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

/// Calls a function directly through the Lambda Invoke API of `cargo lambda watch`, bypassing
/// the HTTP routes (the function answers what it returns, e.g. a task's output).
pub fn invoke(function: &str, payload: Value) -> Resp {
    post(
        &format!("/2015-03-31/functions/{function}/invocations"),
        &Auth::None,
        payload,
    )
}
