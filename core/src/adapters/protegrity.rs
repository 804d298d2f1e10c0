//! Protegrity Developer Edition REST adapters: Data Discovery `classify` (a remote
//! [`Classifier`]) and the Semantic Guardrail `scan` (a remote [`Guardrail`]).
//!
//! Both are optional and chosen by settings; the native engine is the default. Errors never
//! carry message text or response bodies (a body may echo the message back), only status
//! codes, positions of parse errors and transport failures.
use crate::domain::sensitive::Sensitive;
use crate::ports::{Classifier, Direction, Guardrail, RemoteError, RemoteFinding};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

pub const CLASSIFY_PATH: &str = "/pty/data-discovery/v1.1/classify";
pub const GUARDRAIL_PATH: &str = "/pty/semantic-guardrail/v1.1/conversations/messages/scan";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);
/// The semantic guardrail's processor (domain model) for both directions unless configured.
pub const DEFAULT_PROCESSOR: &str = "customer-support";
/// Larger answers are refused rather than buffered: a classification of a 100 000-character
/// message is far smaller than this.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ProtegrityConfigError {
    #[error("{name} is not a valid URL: {reason}")]
    Url { name: &'static str, reason: String },
    #[error("PROTEGRITY_TIMEOUT_MS must be a positive integer of milliseconds")]
    Timeout,
    #[error("HTTP client could not be built: {0}")]
    Client(String),
}

/// Settings of the remote services. An unset URL means "native only" for that service.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtegritySettings {
    /// `PROTEGRITY_CLASSIFY_URL`: the service base (`http://host:8580`) or the full classify URL.
    pub classify_url: Option<Url>,
    /// `PROTEGRITY_GUARDRAIL_URL`: the service base (`http://host:8581`) or the full scan URL.
    pub guardrail_url: Option<Url>,
    /// `PROTEGRITY_TIMEOUT_MS`, default 3000: whole-request limit (connect + answer).
    pub timeout: Duration,
    /// `PROTEGRITY_GUARDRAIL_PROCESSORS` (comma list), default `customer-support`.
    pub processors: Vec<String>,
}

/// Accepts a base URL (the standard path is appended) or a URL that already names a `/pty/`
/// endpoint (kept as given, so a proxy with another prefix works).
fn endpoint(name: &'static str, raw: &str, path: &str) -> Result<Url, ProtegrityConfigError> {
    let raw = raw.trim();
    let full = if raw.contains("/pty/") {
        raw.to_owned()
    } else {
        format!("{}{path}", raw.trim_end_matches('/'))
    };
    let url = Url::parse(&full).map_err(|e| ProtegrityConfigError::Url {
        name,
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ProtegrityConfigError::Url {
            name,
            reason: "scheme must be http or https".into(),
        });
    }
    Ok(url)
}

impl ProtegritySettings {
    pub fn from_env() -> Result<Self, ProtegrityConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the settings through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ProtegrityConfigError> {
        let set = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let classify_url = set("PROTEGRITY_CLASSIFY_URL")
            .map(|v| endpoint("PROTEGRITY_CLASSIFY_URL", &v, CLASSIFY_PATH))
            .transpose()?;
        let guardrail_url = set("PROTEGRITY_GUARDRAIL_URL")
            .map(|v| endpoint("PROTEGRITY_GUARDRAIL_URL", &v, GUARDRAIL_PATH))
            .transpose()?;
        let timeout = match set("PROTEGRITY_TIMEOUT_MS") {
            None => DEFAULT_TIMEOUT,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => return Err(ProtegrityConfigError::Timeout),
            },
        };
        let processors = set("PROTEGRITY_GUARDRAIL_PROCESSORS")
            .map(|v| {
                v.split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| vec![DEFAULT_PROCESSOR.to_owned()]);
        Ok(Self {
            classify_url,
            guardrail_url,
            timeout,
            processors,
        })
    }

    /// Builds the configured adapters (once, at function start-up).
    pub fn build(
        &self,
    ) -> Result<(Option<ProtegrityClassifier>, Option<ProtegrityGuardrail>), ProtegrityConfigError>
    {
        let classifier = self
            .classify_url
            .clone()
            .map(|url| ProtegrityClassifier::new(url, self.timeout))
            .transpose()?;
        let guardrail = self
            .guardrail_url
            .clone()
            .map(|url| ProtegrityGuardrail::new(url, self.timeout, self.processors.clone()))
            .transpose()?;
        Ok((classifier, guardrail))
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, ProtegrityConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| ProtegrityConfigError::Client(e.to_string()))
}

fn transport_error(service: &str, e: &reqwest::Error) -> RemoteError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    RemoteError::Unreachable(format!("{service} {kind}: {}", root_cause(e)))
}

/// The innermost cause: reqwest's own message repeats the URL, the cause does not.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    last.unwrap_or_else(|| "no detail".into())
}

/// Sends a request and returns the body of a 2xx answer.
async fn send(service: &str, request: reqwest::RequestBuilder) -> Result<Vec<u8>, RemoteError> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(service, &e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(RemoteError::Status {
            status: status.as_u16(),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(RemoteError::Malformed(format!(
            "{service} answer too large"
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(service, &e))?;
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(RemoteError::Malformed(format!(
            "{service} answer too large"
        )));
    }
    Ok(body.to_vec())
}

/// Parses JSON without letting the answer's content into the error (serde's messages quote
/// offending values).
fn parse<T: serde::de::DeserializeOwned>(service: &str, body: &[u8]) -> Result<T, RemoteError> {
    serde_json::from_slice(body).map_err(|e| {
        RemoteError::Malformed(format!(
            "{service} answer is not the expected JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Data Discovery classify
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct ClassifyResponse {
    classifications: BTreeMap<String, Vec<Classification>>,
}

#[derive(Deserialize)]
struct Classification {
    score: f64,
    location: Location,
}

#[derive(Deserialize)]
struct Location {
    start_index: usize,
    end_index: usize,
}

/// Maps Protegrity's entity names to this engine's types; names it does not know pass through
/// upper-cased. A combined label (`PERSON|NAME`) takes its first known part.
pub fn map_entity_type(remote: &str) -> String {
    let known = |name: &str| -> Option<&'static str> {
        Some(match name.trim().to_ascii_uppercase().as_str() {
            "EMAIL" | "EMAIL_ADDRESS" => "EMAIL",
            "PHONE" | "PHONE_NUMBER" | "MOBILE_NUMBER" | "TELEPHONE_NUMBER" => "PHONE",
            "SSN" | "US_SSN" | "USA_SSN" | "SOCIAL_SECURITY_NUMBER" | "SOCIAL_SECURITY_ID" => "SSN",
            "CREDIT_CARD" | "CREDIT_CARD_NUMBER" | "PAYMENT_CARD" => "CREDIT_CARD",
            "IBAN" | "IBAN_CODE" => "IBAN",
            "IP_ADDRESS" | "IPV4_ADDRESS" | "IPV6_ADDRESS" => "IP_ADDRESS",
            "MAC_ADDRESS" => "MAC_ADDRESS",
            "URL" => "URL",
            "PASSPORT" | "US_PASSPORT" | "PASSPORT_NUMBER" => "US_PASSPORT",
            "DRIVER_LICENSE" | "US_DRIVER_LICENSE" | "DRIVERS_LICENSE" => "DRIVER_LICENSE",
            "DATE" | "DATE_TIME" | "DATE_OF_BIRTH" | "DOB" => "DATE",
            "CRYPTO" | "CRYPTO_WALLET" => "CRYPTO",
            "PERSON" | "NAME" | "PERSON_NAME" => "PERSON",
            "LOCATION" | "CITY" | "STATE" | "STREET" | "ADDRESS" | "BUILDING" | "COUNTRY" => {
                "LOCATION"
            }
            "SECRET" | "PASSWORD" | "API_KEY" | "ACCESS_TOKEN" => "SECRET",
            _ => return None,
        })
    };
    remote
        .split('|')
        .find_map(known)
        .map(str::to_owned)
        .unwrap_or_else(|| remote.trim().to_ascii_uppercase())
}

/// Checks the answer against the text it classified: offsets are character (Unicode scalar)
/// offsets, as Python's `str` indices are, with an exclusive end.
fn findings_from(
    response: ClassifyResponse,
    text_chars: usize,
) -> Result<Vec<RemoteFinding>, RemoteError> {
    let mut out = Vec::new();
    for (remote_type, items) in response.classifications {
        let entity_type = map_entity_type(&remote_type);
        for item in items {
            let Location {
                start_index: start,
                end_index: end,
            } = item.location;
            if start >= end || end > text_chars {
                return Err(RemoteError::Malformed(format!(
                    "classify answer has a location outside the text ({start}..{end} of {text_chars})"
                )));
            }
            if !(item.score.is_finite() && (0.0..=1.0).contains(&item.score)) {
                return Err(RemoteError::Malformed(
                    "classify answer has a score outside 0..1".into(),
                ));
            }
            out.push(RemoteFinding {
                entity_type: entity_type.clone(),
                score: item.score,
                start,
                end,
            });
        }
    }
    out.sort_by(|a, b| (a.start, a.end, &a.entity_type).cmp(&(b.start, b.end, &b.entity_type)));
    Ok(out)
}

pub struct ProtegrityClassifier {
    client: reqwest::Client,
    url: Url,
}

impl ProtegrityClassifier {
    pub fn new(url: Url, timeout: Duration) -> Result<Self, ProtegrityConfigError> {
        Ok(Self {
            client: http_client(timeout)?,
            url,
        })
    }
}

#[async_trait]
impl Classifier for ProtegrityClassifier {
    async fn classify(
        &self,
        text: &Sensitive<String>,
        score_threshold: f64,
    ) -> Result<Vec<RemoteFinding>, RemoteError> {
        let request = self
            .client
            .post(self.url.clone())
            .query(&[("score_threshold", score_threshold)])
            .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(text.expose().clone());
        let body = send("classify", request).await?;
        let response: ClassifyResponse = parse("classify", &body)?;
        findings_from(response, text.expose().chars().count())
    }
}

// ---------------------------------------------------------------------------------------------
// Semantic guardrail
// ---------------------------------------------------------------------------------------------

/// The message's score: `messages[0].score` as the service answers it, else the conversation
/// level `batch.score`, else a top-level `score`.
fn guardrail_score(v: &Value) -> Result<f64, RemoteError> {
    let score = v
        .get("messages")
        .and_then(|m| m.get(0))
        .and_then(|m| m.get("score"))
        .or_else(|| v.get("batch").and_then(|b| b.get("score")))
        .or_else(|| v.get("score"))
        .and_then(Value::as_f64)
        .ok_or_else(|| RemoteError::Malformed("guardrail answer has no numeric score".into()))?;
    if score.is_finite() && (0.0..=1.0).contains(&score) {
        Ok(score)
    } else {
        Err(RemoteError::Malformed(
            "guardrail answer has a score outside 0..1".into(),
        ))
    }
}

pub struct ProtegrityGuardrail {
    client: reqwest::Client,
    url: Url,
    processors: Vec<String>,
}

impl ProtegrityGuardrail {
    pub fn new(
        url: Url,
        timeout: Duration,
        processors: Vec<String>,
    ) -> Result<Self, ProtegrityConfigError> {
        Ok(Self {
            client: http_client(timeout)?,
            url,
            processors,
        })
    }
}

#[async_trait]
impl Guardrail for ProtegrityGuardrail {
    async fn score(
        &self,
        text: &Sensitive<String>,
        direction: Direction,
    ) -> Result<f64, RemoteError> {
        let (from, to) = match direction {
            Direction::Input => ("user", "ai"),
            Direction::Output => ("ai", "user"),
        };
        let body = json!({
            "messages": [{
                "from": from,
                "to": to,
                "content": text.expose(),
                "processors": self.processors,
            }]
        });
        let request = self.client.post(self.url.clone()).json(&body);
        let answer = send("guardrail", request).await?;
        let value: Value = parse("guardrail", &answer)?;
        guardrail_score(&value)
    }
}

/// The configured remote services as ports (none when their URLs are unset).
pub type RemoteServices = (
    Option<std::sync::Arc<dyn Classifier>>,
    Option<std::sync::Arc<dyn Guardrail>>,
);

pub fn remote_from_env() -> Result<RemoteServices, crate::config::ConfigError> {
    let invalid = |e: ProtegrityConfigError| crate::config::ConfigError::Invalid {
        name: "PROTEGRITY_*_URL",
        reason: e.to_string(),
    };
    let (classifier, guardrail) = ProtegritySettings::from_env()
        .and_then(|s| s.build())
        .map_err(invalid)?;
    Ok((
        classifier.map(|c| std::sync::Arc::new(c) as std::sync::Arc<dyn Classifier>),
        guardrail.map(|g| std::sync::Arc::new(g) as std::sync::Arc<dyn Guardrail>),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TIMEOUT: Duration = Duration::from_millis(500);

    fn classifier(server: &MockServer) -> ProtegrityClassifier {
        let settings = ProtegritySettings::from_lookup(|k| {
            (k == "PROTEGRITY_CLASSIFY_URL").then(|| server.uri())
        })
        .unwrap();
        ProtegrityClassifier::new(settings.classify_url.unwrap(), TIMEOUT).unwrap()
    }

    fn guardrail(server: &MockServer) -> ProtegrityGuardrail {
        let settings = ProtegritySettings::from_lookup(|k| {
            (k == "PROTEGRITY_GUARDRAIL_URL").then(|| format!("{}/", server.uri()))
        })
        .unwrap();
        ProtegrityGuardrail::new(
            settings.guardrail_url.unwrap(),
            TIMEOUT,
            settings.processors,
        )
        .unwrap()
    }

    /// A port with nothing listening on it.
    fn dead_url(path: &str) -> Url {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        Url::parse(&format!("http://127.0.0.1:{port}{path}")).unwrap()
    }

    fn char_range(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[tokio::test]
    async fn classify_success_maps_types_and_sorts() {
        let server = MockServer::start().await;
        let text = "Mail jane@example.com or call 555-123-4567";
        Mock::given(method("POST"))
            .and(path(CLASSIFY_PATH))
            .and(query_param("score_threshold", "0.6"))
            .and(header("content-type", "text/plain; charset=utf-8"))
            .and(body_string(text))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "classifications": {
                    "PHONE_NUMBER": [{"score": 0.75, "location": {"start_index": 30, "end_index": 42}}],
                    "EMAIL_ADDRESS": [{"score": 0.99, "location": {"start_index": 5, "end_index": 21}}]
                }
            })))
            .expect(1)
            .mount(&server)
            .await;
        let found = classifier(&server)
            .classify(&Sensitive::from(text), 0.6)
            .await
            .unwrap();
        assert_eq!(
            found,
            vec![
                RemoteFinding {
                    entity_type: "EMAIL".into(),
                    score: 0.99,
                    start: 5,
                    end: 21
                },
                RemoteFinding {
                    entity_type: "PHONE".into(),
                    score: 0.75,
                    start: 30,
                    end: 42
                },
            ]
        );
        assert_eq!(char_range(text, 5, 21), "jane@example.com");
    }

    #[tokio::test]
    async fn classify_offsets_are_characters_in_non_ascii_text() {
        let server = MockServer::start().await;
        let text = "Zoë 🙂 a écrit à zoë@exemple.fr hier";
        let start = text.chars().position(|c| c == 'z').unwrap();
        let end = start + "zoë@exemple.fr".chars().count();
        assert_ne!(
            text.find('z').unwrap(),
            start,
            "byte and char offsets must differ here"
        );
        Mock::given(method("POST"))
            .and(path(CLASSIFY_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "classifications": {
                    "EMAIL_ADDRESS": [{"score": 0.9, "location": {"start_index": start, "end_index": end}}],
                    "PERSON|NAME": [{"score": 0.7, "location": {"start_index": 0, "end_index": 3}}]
                }
            })))
            .mount(&server)
            .await;
        let found = classifier(&server)
            .classify(&Sensitive::from(text), 0.5)
            .await
            .unwrap();
        assert_eq!(found[0].entity_type, "PERSON");
        assert_eq!(char_range(text, found[0].start, found[0].end), "Zoë");
        assert_eq!(found[1].entity_type, "EMAIL");
        assert_eq!(
            char_range(text, found[1].start, found[1].end),
            "zoë@exemple.fr"
        );
    }

    #[tokio::test]
    async fn classify_rejects_offsets_beyond_the_text() {
        let server = MockServer::start().await;
        let text = "héllo";
        // 6 would be valid as a byte offset but not as a character offset.
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "classifications": {"PERSON": [{"score": 0.9, "location": {"start_index": 0, "end_index": 6}}]}
            })))
            .mount(&server)
            .await;
        let err = classifier(&server)
            .classify(&Sensitive::from(text), 0.5)
            .await
            .unwrap_err();
        assert!(matches!(err, RemoteError::Malformed(_)), "{err:?}");
    }

    #[tokio::test]
    async fn classify_500_is_a_status_error() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
            .mount(&server)
            .await;
        let err = classifier(&server)
            .classify(&Sensitive::from("x"), 0.5)
            .await
            .unwrap_err();
        assert!(
            matches!(err, RemoteError::Status { status: 500 }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn malformed_answers_are_errors_without_content() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(CLASSIFY_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"classifications\": [oops"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(GUARDRAIL_PATH))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"messages": [{"score": "jane@example.com"}]})),
            )
            .mount(&server)
            .await;
        let err = classifier(&server)
            .classify(&Sensitive::from("x"), 0.5)
            .await
            .unwrap_err();
        assert!(matches!(err, RemoteError::Malformed(_)), "{err:?}");
        let err = guardrail(&server)
            .score(&Sensitive::from("x"), Direction::Input)
            .await
            .unwrap_err();
        assert!(matches!(err, RemoteError::Malformed(_)), "{err:?}");
        assert!(!err.to_string().contains("jane"), "{err}");
    }

    #[tokio::test]
    async fn guardrail_sends_the_message_and_reads_the_real_shape() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(GUARDRAIL_PATH))
            .and(body_json(json!({"messages": [{
                "from": "user", "to": "ai", "content": "What's your favorite color?",
                "processors": ["customer-support"]
            }]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "messages": [{"id": "1", "outcome": "rejected", "score": 0.7957,
                    "processors": [{"name": "customer-support", "score": 0.7957190573215485, "explanation": "offtopic"}]}],
                "batch": {"outcome": "rejected", "score": 0.7957, "rejected_messages": ["1"]}
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(GUARDRAIL_PATH))
            .and(body_json(json!({"messages": [{
                "from": "ai", "to": "user", "content": "Here you go.",
                "processors": ["customer-support"]
            }]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"score": 0.12})))
            .expect(1)
            .mount(&server)
            .await;
        let g = guardrail(&server);
        let s = g
            .score(
                &Sensitive::from("What's your favorite color?"),
                Direction::Input,
            )
            .await
            .unwrap();
        assert!((s - 0.7957).abs() < 1e-9);
        let s = g
            .score(&Sensitive::from("Here you go."), Direction::Output)
            .await
            .unwrap();
        assert!((s - 0.12).abs() < 1e-9);
    }

    #[tokio::test]
    async fn guardrail_without_a_score_or_out_of_range_is_malformed() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"messages": [{"score": 1.7}]})),
            )
            .mount(&server)
            .await;
        let err = guardrail(&server)
            .score(&Sensitive::from("x"), Direction::Input)
            .await
            .unwrap_err();
        assert!(matches!(err, RemoteError::Malformed(_)));
        assert!(guardrail_score(&json!({"messages": []})).is_err());
    }

    #[tokio::test]
    async fn timeout_and_unreachable_are_unreachable_errors() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"score": 0.1}))
                    .set_delay(Duration::from_secs(3)),
            )
            .mount(&server)
            .await;
        let started = std::time::Instant::now();
        let err = guardrail(&server)
            .score(&Sensitive::from("x"), Direction::Input)
            .await
            .unwrap_err();
        assert!(matches!(err, RemoteError::Unreachable(_)), "{err:?}");
        assert!(err.to_string().contains("timed out"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));

        let dead = ProtegrityClassifier::new(dead_url(CLASSIFY_PATH), TIMEOUT).unwrap();
        let err = dead.classify(&Sensitive::from("x"), 0.5).await.unwrap_err();
        assert!(matches!(err, RemoteError::Unreachable(_)), "{err:?}");
    }

    #[tokio::test]
    async fn classifier_and_guardrail_answers_and_failures() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(CLASSIFY_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "classifications": {"SOCIAL_SECURITY_NUMBER": [{"score": 0.95, "location": {"start_index": 7, "end_index": 18}}]}
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(GUARDRAIL_PATH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"messages": [{"score": 0.2}]})),
            )
            .mount(&server)
            .await;
        let c = classifier(&server);
        let g = guardrail(&server);
        let text = Sensitive::from("My SSN 123-45-6789");

        let findings = c.classify(&text, 0.6).await.unwrap();
        assert_eq!(findings[0].entity_type, "SSN");
        assert_eq!(
            char_range(text.expose(), findings[0].start, findings[0].end),
            "123-45-6789"
        );
        assert_eq!(g.score(&text, Direction::Input).await.unwrap(), 0.2);

        // A service that is down fails without quoting the text.
        let dead =
            ProtegrityGuardrail::new(dead_url(GUARDRAIL_PATH), TIMEOUT, vec!["x".into()]).unwrap();
        let failure = dead.score(&text, Direction::Output).await.unwrap_err();
        assert!(matches!(failure, RemoteError::Unreachable(_)), "{failure}");
        assert!(!failure.to_string().contains("123-45"), "{failure}");
    }

    #[tokio::test]
    async fn a_failing_classifier_reports_its_status() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let c = classifier(&server);
        let failure = c.classify(&Sensitive::from("x"), 0.6).await.unwrap_err();
        assert_eq!(failure.to_string(), "remote service answered 503");
    }

    #[test]
    fn settings_from_lookup() {
        let s = ProtegritySettings::from_lookup(|_| None).unwrap();
        assert_eq!(s.classify_url, None);
        assert_eq!(s.guardrail_url, None);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.processors, vec!["customer-support".to_owned()]);

        let s = ProtegritySettings::from_lookup(|k| match k {
            "PROTEGRITY_CLASSIFY_URL" => Some("http://dd:8580/".into()),
            "PROTEGRITY_GUARDRAIL_URL" => Some(
                "https://proxy/x/pty/semantic-guardrail/v1.1/conversations/messages/scan".into(),
            ),
            "PROTEGRITY_TIMEOUT_MS" => Some("1500".into()),
            "PROTEGRITY_GUARDRAIL_PROCESSORS" => Some("financial, healthcare".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            s.classify_url.unwrap().as_str(),
            "http://dd:8580/pty/data-discovery/v1.1/classify"
        );
        assert_eq!(
            s.guardrail_url.unwrap().as_str(),
            "https://proxy/x/pty/semantic-guardrail/v1.1/conversations/messages/scan"
        );
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert_eq!(
            s.processors,
            vec!["financial".to_owned(), "healthcare".to_owned()]
        );

        assert!(matches!(
            ProtegritySettings::from_lookup(|k| (k == "PROTEGRITY_TIMEOUT_MS").then(|| "0".into())),
            Err(ProtegrityConfigError::Timeout)
        ));
        assert!(matches!(
            ProtegritySettings::from_lookup(
                |k| (k == "PROTEGRITY_CLASSIFY_URL").then(|| "ftp://x".into())
            ),
            Err(ProtegrityConfigError::Url { .. })
        ));
    }

    #[test]
    fn entity_names_map() {
        assert_eq!(map_entity_type("EMAIL_ADDRESS"), "EMAIL");
        assert_eq!(map_entity_type("SOCIAL_SECURITY_ID"), "SSN");
        assert_eq!(map_entity_type("NAME|PERSON"), "PERSON");
        assert_eq!(map_entity_type("health_plan_id"), "HEALTH_PLAN_ID");
    }
}
