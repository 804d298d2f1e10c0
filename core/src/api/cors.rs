//! CORS as an allow-list (`CORS_ALLOWED_ORIGINS`, API.md): an allowed `Origin` gets the
//! `Access-Control-Allow-*` headers, any other origin none at all, preflights included. In AWS
//! the HTTP API's CORS configuration holds the same list and answers preflights; locally the
//! router sends `OPTIONS` to the `cors-preflight` function and every response passes
//! [`Cors::decorate`], so the browser sees the same answers in both places.
use lambda_http::http::{HeaderMap, HeaderValue, Method, StatusCode};
use lambda_http::{Body, Response};

/// The console's origins (its dev server under both host names).
pub const DEFAULT_ALLOWED_ORIGINS: &str = "http://localhost:5173,http://127.0.0.1:5173";
pub const ALLOWED_HEADERS: &str = "authorization,content-type,x-api-key";
pub const ALLOWED_METHODS: &str = "GET,POST,PATCH,DELETE,OPTIONS";
/// How long a browser may cache a preflight answer (the HTTP API's MaxAge too).
pub const MAX_AGE_SECONDS: &str = "600";

#[derive(Clone, Debug)]
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    pub fn new(list: &str) -> Self {
        Cors {
            origins: list
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
        }
    }

    /// `CORS_ALLOWED_ORIGINS`, else the console's default origins.
    pub fn from_env() -> Self {
        Cors::new(
            &crate::config::optional("CORS_ALLOWED_ORIGINS")
                .unwrap_or_else(|| DEFAULT_ALLOWED_ORIGINS.to_owned()),
        )
    }

    /// The request's `Origin` when it is on the list (exact match, as browsers send it).
    pub fn allowed_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get("origin")?;
        let text = origin.to_str().ok()?;
        self.origins
            .iter()
            .any(|o| o == text)
            .then(|| origin.clone())
    }

    /// Adds `Access-Control-Allow-Origin` for an allowed origin; every response varies by it.
    pub fn decorate(&self, origin: Option<HeaderValue>, response: &mut Response<Body>) {
        let headers = response.headers_mut();
        headers.append("vary", HeaderValue::from_static("Origin"));
        if let Some(origin) = origin {
            headers.insert("access-control-allow-origin", origin);
        }
    }

    /// The answer to an `OPTIONS` preflight: 204, with the allow headers only for an allowed
    /// origin asking for a method and headers we allow.
    pub fn preflight(&self, headers: &HeaderMap) -> Response<Body> {
        let mut response = Response::new(Body::Empty);
        *response.status_mut() = StatusCode::NO_CONTENT;
        let origin = self
            .allowed_origin(headers)
            .filter(|_| requests_allowed_method(headers) && requests_allowed_headers(headers));
        if origin.is_some() {
            let h = response.headers_mut();
            h.insert(
                "access-control-allow-methods",
                HeaderValue::from_static(ALLOWED_METHODS),
            );
            h.insert(
                "access-control-allow-headers",
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            h.insert(
                "access-control-max-age",
                HeaderValue::from_static(MAX_AGE_SECONDS),
            );
        }
        self.decorate(origin, &mut response);
        response
    }
}

fn requests_allowed_method(headers: &HeaderMap) -> bool {
    match headers
        .get("access-control-request-method")
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(m) => m
            .parse::<Method>()
            .is_ok_and(|m| ALLOWED_METHODS.split(',').any(|a| a == m.as_str())),
    }
}

fn requests_allowed_headers(headers: &HeaderMap) -> bool {
    headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .map(|list| {
            list.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .all(|h| ALLOWED_HEADERS.split(',').any(|a| a == h))
        })
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn only_listed_origins_are_allowed() {
        let cors = Cors::new(DEFAULT_ALLOWED_ORIGINS);
        assert!(cors
            .allowed_origin(&headers(&[("origin", "http://localhost:5173")]))
            .is_some());
        assert!(cors
            .allowed_origin(&headers(&[("origin", "http://127.0.0.1:5173")]))
            .is_some());
        for foreign in [
            "http://evil.example",
            "http://localhost:5174",
            "http://localhost:5173.evil.example",
            "null",
        ] {
            let h = headers(&[("origin", foreign)]);
            assert!(cors.allowed_origin(&h).is_none(), "{foreign}");
        }
        assert!(cors.allowed_origin(&HeaderMap::new()).is_none());
    }

    #[test]
    fn preflight_of_a_foreign_origin_carries_no_allow_headers() {
        let cors = Cors::new("https://console.example");
        let response = cors.preflight(&headers(&[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "POST"),
        ]));
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(!response
            .headers()
            .keys()
            .any(|k| k.as_str().starts_with("access-control-")));
    }

    #[test]
    fn preflight_of_the_console_allows_its_headers() {
        let cors = Cors::new("https://console.example");
        let response = cors.preflight(&headers(&[
            ("origin", "https://console.example"),
            ("access-control-request-method", "PATCH"),
            (
                "access-control-request-headers",
                "Authorization, Content-Type",
            ),
        ]));
        let h = response.headers();
        assert_eq!(h["access-control-allow-origin"], "https://console.example");
        assert_eq!(h["access-control-allow-headers"], ALLOWED_HEADERS);
        assert!(h["access-control-allow-methods"]
            .to_str()
            .is_ok_and(|m| m.contains("PATCH")));
    }

    #[test]
    fn preflight_asking_for_other_headers_or_methods_is_not_allowed() {
        let cors = Cors::new("https://console.example");
        for (method, asked) in [("PUT", "content-type"), ("POST", "x-custom")] {
            let mut h = headers(&[("origin", "https://console.example")]);
            h.insert(
                "access-control-request-method",
                HeaderValue::from_static(method),
            );
            h.insert(
                "access-control-request-headers",
                HeaderValue::from_static(asked),
            );
            let response = cors.preflight(&h);
            assert!(response
                .headers()
                .get("access-control-allow-origin")
                .is_none());
        }
    }
}
