//! Page-number pagination with absolute `next`/`previous` links built from the request's
//! `Host` (the local emulator reports `localhost` as its domain name, so that is no use).
use super::ApiError;
use lambda_http::http::StatusCode;
use lambda_http::{Request, RequestExt};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 100;

pub use crate::domain::page::{last_page, PageRequest};

fn invalid_page() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Invalid page.")
}

/// `page` must be a positive integer (else 404 "Invalid page."); `page_size` falls back to the
/// default when unparsable and is clamped to 1..=100.
pub fn parse(page: Option<&str>, page_size: Option<&str>) -> Result<PageRequest, ApiError> {
    let page = match page {
        None => 1,
        Some(p) => match p.trim().parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(invalid_page()),
        },
    };
    let page_size = page_size
        .and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| *n >= 1)
        .map(|n| n.min(i64::from(MAX_PAGE_SIZE)) as u32)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    Ok(PageRequest { page, page_size })
}

/// Absolute URL of `page` for this request, keeping the other query parameters.
pub fn page_url(req: &Request, page: u32) -> String {
    let headers = req.headers();
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get("host"))
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or(
            if host.starts_with("127.0.0.1") || host.starts_with("localhost") {
                "http"
            } else {
                "https"
            },
        );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(params) = req.query_string_parameters_ref() {
        for (key, value) in params.iter() {
            if key != "page" {
                query.append_pair(key, value);
            }
        }
    }
    query.append_pair("page", &page.to_string());
    format!("{scheme}://{host}{}?{}", req.uri().path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(
            parse(None, None).unwrap(),
            PageRequest {
                page: 1,
                page_size: 50
            }
        );
        assert_eq!(parse(Some("3"), Some("500")).unwrap().page_size, 100);
        assert_eq!(parse(Some("2"), Some("abc")).unwrap().page_size, 50);
        for bad in ["0", "-1", "abc", ""] {
            assert_eq!(parse(Some(bad), None).unwrap_err().status(), 404);
        }
    }
}
