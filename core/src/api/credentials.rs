//! Credentials from request headers: `Authorization: Bearer <jwt>`,
//! `Authorization: Api-Key <key>` or `X-API-Key: <key>`.
use super::ApiError;
use lambda_http::http::{HeaderMap, StatusCode};

pub use crate::service::auth::Credentials;

fn bad_header(detail: &str) -> ApiError {
    ApiError::Detail {
        status: StatusCode::UNAUTHORIZED,
        detail: detail.into(),
        code: Some("bad_authorization_header"),
    }
}

/// `Ok(None)` when no credentials were sent at all.
pub fn from_headers(headers: &HeaderMap) -> Result<Option<Credentials>, ApiError> {
    if let Some(value) = headers.get("authorization") {
        let value = value
            .to_str()
            .map_err(|_| bad_header("Authorization header must be ASCII."))?;
        let parts: Vec<&str> = value.split_whitespace().collect();
        let scheme = parts.first().map(|s| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("bearer") | Some("api-key") => {}
            // Other schemes are not ours: treat as no credentials, like the original.
            _ => return Ok(None),
        }
        if parts.len() != 2 {
            return Err(bad_header(
                "Authorization header must contain two space-delimited values",
            ));
        }
        let secret = parts[1].to_owned();
        return Ok(Some(if scheme.as_deref() == Some("bearer") {
            Credentials::Bearer(secret)
        } else {
            Credentials::ApiKey(secret)
        }));
    }
    if let Some(value) = headers.get("x-api-key") {
        let key = value
            .to_str()
            .map_err(|_| ApiError::invalid_token())?
            .trim();
        if !key.is_empty() {
            return Ok(Some(Credentials::ApiKey(key.to_owned())));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn schemes() {
        assert_eq!(
            from_headers(&headers("authorization", "Bearer abc")).unwrap(),
            Some(Credentials::Bearer("abc".into()))
        );
        assert_eq!(
            from_headers(&headers("authorization", "Api-Key k1")).unwrap(),
            Some(Credentials::ApiKey("k1".into()))
        );
        assert_eq!(
            from_headers(&headers("x-api-key", "k2")).unwrap(),
            Some(Credentials::ApiKey("k2".into()))
        );
        assert_eq!(from_headers(&HeaderMap::new()).unwrap(), None);
        let err = from_headers(&headers("authorization", "Bearer a b")).unwrap_err();
        assert_eq!(err.body()["code"], "bad_authorization_header");
        assert_eq!(
            err.body()["detail"],
            "Authorization header must contain two space-delimited values"
        );
    }
}
