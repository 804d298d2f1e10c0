//! Built-in pattern recognizers. Regexes use ASCII word boundaries (`(?-u:\b)`) so the fast DFA
//! engines stay usable on non-ASCII text; validators re-check the edges where it matters.
use super::{Check, PatternRecognizer, Validator};
use crate::protection::text::{word_char_at, word_char_before};
use crate::protection::validators as v;
use regex::{Captures, Regex};

struct Spec {
    entity_type: &'static str,
    name: &'static str,
    pattern: &'static str,
    score: f64,
    context: &'static [&'static str],
    boost: f64,
    validator: Option<Validator>,
    captures: bool,
    value_group: Option<usize>,
}

const PHONE_CONTEXT: &[&str] = &[
    "phone",
    "telephone",
    "tel",
    "cell",
    "mobile",
    "call",
    "text me",
    "contact",
    "number",
    "fax",
    "whatsapp",
    "reach me",
    "dial",
];
const SSN_CONTEXT: &[&str] = &[
    "ssn",
    "social security",
    "social sec",
    "ss#",
    "ssn#",
    "taxpayer",
    "tin",
];
const CARD_CONTEXT: &[&str] = &[
    "card",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "amex",
    "discover",
    "cc",
    "payment",
    "pan",
];
const PASSPORT_CONTEXT: &[&str] = &["passport", "travel document", "passport#", "passport no"];
const DL_CONTEXT: &[&str] = &[
    "driver", "driver's", "drivers", "driving", "license", "licence", "dl", "dl#", "dln", "permit",
];
const DATE_CONTEXT: &[&str] = &[
    "birth",
    "born",
    "dob",
    "d.o.b",
    "birthday",
    "date of birth",
    "birthdate",
];
const IP_CONTEXT: &[&str] = &["ip", "address", "server", "host", "gateway", "ipv4", "ipv6"];
const CRYPTO_CONTEXT: &[&str] = &[
    "wallet", "bitcoin", "btc", "address", "ethereum", "eth", "crypto",
];

fn specs() -> Vec<Spec> {
    let spec = |entity_type, name, pattern, score| Spec {
        entity_type,
        name,
        pattern,
        score,
        context: &[],
        boost: 0.0,
        validator: None,
        captures: false,
        value_group: None,
    };
    let with = |s: Spec,
                context: &'static [&'static str],
                boost: f64,
                validator: Option<Validator>| Spec {
        context,
        boost,
        validator,
        ..s
    };
    let caps = |s: Spec| Spec {
        captures: true,
        ..s
    };
    let group = |s: Spec, g: usize| Spec {
        captures: true,
        value_group: Some(g),
        ..s
    };
    vec![
        // EMAIL
        with(
            spec(
                "EMAIL",
                "email",
                r"@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}",
                0.5,
            ),
            &["email", "e-mail", "mail"],
            0.3,
            Some(check_email),
        ),
        // PHONE
        with(
            spec(
                "PHONE",
                "phone_nanp",
                r"(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-]?)[2-9][0-9]{2}[ .\-]?[0-9]{4}(?-u:\b)",
                0.75,
            ),
            PHONE_CONTEXT,
            0.25,
            Some(check_nanp),
        ),
        with(
            spec(
                "PHONE",
                "phone_e164",
                r"\+[1-9][0-9]{0,3}(?:[ .\-]?\(?[0-9]{1,5}\)?){1,6}(?-u:\b)",
                0.75,
            ),
            PHONE_CONTEXT,
            0.25,
            Some(check_intl_phone),
        ),
        with(
            spec(
                "PHONE",
                "phone_national",
                r"(?-u:\b)0[1-9][0-9]{1,4}[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}(?-u:\b)",
                0.45,
            ),
            PHONE_CONTEXT,
            0.35,
            Some(check_not_glued),
        ),
        // SSN
        with(
            spec(
                "SSN",
                "ssn_dashed",
                r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)",
                0.85,
            ),
            SSN_CONTEXT,
            0.15,
            Some(check_ssn),
        ),
        with(
            spec(
                "SSN",
                "ssn_spaced",
                r"(?-u:\b)[0-9]{3} [0-9]{2} [0-9]{4}(?-u:\b)",
                0.55,
            ),
            SSN_CONTEXT,
            0.4,
            Some(check_ssn),
        ),
        with(
            spec("SSN", "ssn_bare", r"(?-u:\b)[0-9]{9}(?-u:\b)", 0.25),
            SSN_CONTEXT,
            0.5,
            Some(check_ssn),
        ),
        // CREDIT_CARD
        with(
            spec(
                "CREDIT_CARD",
                "card_bare",
                r"(?-u:\b)[0-9]{12,19}(?-u:\b)",
                0.5,
            ),
            CARD_CONTEXT,
            0.3,
            Some(check_card),
        ),
        with(
            spec(
                "CREDIT_CARD",
                "card_spaced",
                r"(?-u:\b)[0-9]{4}(?: [0-9]{4,6}){2}(?: [0-9]{1,4}){0,2}(?-u:\b)",
                0.5,
            ),
            CARD_CONTEXT,
            0.3,
            Some(check_card),
        ),
        with(
            spec(
                "CREDIT_CARD",
                "card_dashed",
                r"(?-u:\b)[0-9]{4}(?:-[0-9]{4,6}){2}(?:-[0-9]{1,4}){0,2}(?-u:\b)",
                0.5,
            ),
            CARD_CONTEXT,
            0.3,
            Some(check_card),
        ),
        // IBAN
        with(
            spec(
                "IBAN",
                "iban",
                r"(?-u:\b)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?-u:\b)",
                0.5,
            ),
            &["iban", "account", "bank"],
            0.2,
            Some(check_iban),
        ),
        // IP
        with(
            spec(
                "IP_ADDRESS",
                "ipv4",
                r"(?-u:\b)(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?-u:\b)",
                0.75,
            ),
            IP_CONTEXT,
            0.2,
            Some(check_ipv4),
        ),
        with(
            spec(
                "IP_ADDRESS",
                "ipv6",
                r"(?i)[0-9a-f:]{0,39}:[0-9a-f]{0,4}:[0-9a-f:.]{0,45}",
                0.75,
            ),
            IP_CONTEXT,
            0.2,
            Some(check_ipv6),
        ),
        // MAC
        with(
            spec(
                "MAC_ADDRESS",
                "mac_colon",
                r"(?i)(?-u:\b)[0-9a-f]{2}(?::[0-9a-f]{2}){5}(?-u:\b)",
                0.8,
            ),
            &["mac", "hardware", "ethernet", "wifi", "nic"],
            0.2,
            Some(check_not_glued_hex),
        ),
        with(
            spec(
                "MAC_ADDRESS",
                "mac_dash",
                r"(?i)(?-u:\b)[0-9a-f]{2}(?:-[0-9a-f]{2}){5}(?-u:\b)",
                0.8,
            ),
            &["mac", "hardware", "ethernet", "wifi", "nic"],
            0.2,
            Some(check_not_glued_hex),
        ),
        with(
            spec(
                "MAC_ADDRESS",
                "mac_cisco",
                r"(?i)(?-u:\b)[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}(?-u:\b)",
                0.6,
            ),
            &["mac", "hardware", "ethernet", "wifi", "nic"],
            0.3,
            None,
        ),
        // URL
        with(
            spec(
                "URL",
                "url_scheme",
                r#"(?i)(?-u:\b)(?:https?|ftp)://[^\s<>"'`{}|\\^\[\]]+"#,
                0.85,
            ),
            &[],
            0.0,
            Some(check_url),
        ),
        with(
            spec(
                "URL",
                "url_www",
                r#"(?i)(?-u:\b)www\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)+[^\s<>"'`{}|\\^\[\]]*"#,
                0.75,
            ),
            &[],
            0.0,
            Some(check_url),
        ),
        // US_PASSPORT
        with(
            spec(
                "US_PASSPORT",
                "passport_letter",
                r"(?-u:\b)[A-Z][0-9]{8}(?-u:\b)",
                0.3,
            ),
            PASSPORT_CONTEXT,
            0.55,
            None,
        ),
        with(
            spec(
                "US_PASSPORT",
                "passport_digits",
                r"(?-u:\b)[0-9]{9}(?-u:\b)",
                0.1,
            ),
            PASSPORT_CONTEXT,
            0.6,
            None,
        ),
        // DRIVER_LICENSE (US state formats vary; context carries most of the weight)
        with(
            spec(
                "DRIVER_LICENSE",
                "dl_alnum",
                r"(?-u:\b)[A-Z]{1,2}[0-9]{4,13}(?-u:\b)",
                0.25,
            ),
            DL_CONTEXT,
            0.55,
            None,
        ),
        with(
            spec(
                "DRIVER_LICENSE",
                "dl_digits",
                r"(?-u:\b)[0-9]{7,12}(?-u:\b)",
                0.05,
            ),
            DL_CONTEXT,
            0.6,
            None,
        ),
        with(
            spec(
                "DRIVER_LICENSE",
                "dl_dashed",
                r"(?-u:\b)[A-Z][0-9]{3}-[0-9]{3,4}-[0-9]{2,4}(?:-[0-9]{1,3}){0,2}(?-u:\b)",
                0.4,
            ),
            DL_CONTEXT,
            0.45,
            None,
        ),
        // DATE
        caps(with(
            spec(
                "DATE",
                "date_iso",
                r"(?-u:\b)([0-9]{4})-([0-9]{2})-([0-9]{2})(?-u:\b)",
                0.6,
            ),
            DATE_CONTEXT,
            0.4,
            Some(check_date_ymd),
        )),
        caps(with(
            spec(
                "DATE",
                "date_numeric",
                r"(?-u:\b)([0-9]{1,2})([/.\-])([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})(?-u:\b)",
                0.6,
            ),
            DATE_CONTEXT,
            0.4,
            Some(check_date_numeric),
        )),
        caps(with(
            spec(
                "DATE",
                "date_month_first",
                r"(?i)(?-u:\b)(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})(?-u:\b)",
                0.6,
            ),
            DATE_CONTEXT,
            0.4,
            Some(check_date_month_first),
        )),
        caps(with(
            spec(
                "DATE",
                "date_day_first",
                r"(?i)(?-u:\b)([0-9]{1,2})(?:st|nd|rd|th)? (?:of )?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,? ([0-9]{4})(?-u:\b)",
                0.6,
            ),
            DATE_CONTEXT,
            0.4,
            Some(check_date_day_first),
        )),
        // CRYPTO
        with(
            spec(
                "CRYPTO",
                "btc_base58",
                r"(?-u:\b)[13mn2][a-km-zA-HJ-NP-Z1-9]{25,34}(?-u:\b)",
                0.5,
            ),
            CRYPTO_CONTEXT,
            0.1,
            Some(check_btc58),
        ),
        with(
            spec(
                "CRYPTO",
                "btc_bech32",
                r"(?i)(?-u:\b)(?:bc1|tb1)[ac-hj-np-z02-9]{8,87}(?-u:\b)",
                0.5,
            ),
            CRYPTO_CONTEXT,
            0.1,
            Some(check_bech32),
        ),
        with(
            spec(
                "CRYPTO",
                "eth_address",
                r"(?-u:\b)0x[a-fA-F0-9]{40}(?-u:\b)",
                0.6,
            ),
            CRYPTO_CONTEXT,
            0.3,
            None,
        ),
        // SECRET
        spec(
            "SECRET",
            "private_key_block",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
            1.0,
        ),
        spec(
            "SECRET",
            "aws_access_key_id",
            r"(?-u:\b)(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?-u:\b)",
            0.95,
        ),
        group(
            spec(
                "SECRET",
                "aws_secret_access_key",
                r#"(?i)aws.{0,20}?(?:secret|private)?.{0,10}?key.{0,5}?["'\s:=]+([A-Za-z0-9/+=]{40})(?-u:\b)"#,
                0.9,
            ),
            1,
        ),
        spec(
            "SECRET",
            "github_token",
            r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
            0.95,
        ),
        spec(
            "SECRET",
            "gitlab_token",
            r"(?-u:\b)glpat-[A-Za-z0-9_\-]{20,}",
            0.95,
        ),
        spec(
            "SECRET",
            "slack_token",
            r"(?-u:\b)xox[abposr]-[A-Za-z0-9\-]{10,}",
            0.95,
        ),
        spec(
            "SECRET",
            "stripe_key",
            r"(?-u:\b)(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
            0.95,
        ),
        spec(
            "SECRET",
            "llm_api_key",
            r"(?-u:\b)sk-(?:proj-|ant-(?:api[0-9]{2}-)?)?[A-Za-z0-9_\-]{20,}",
            0.9,
        ),
        spec(
            "SECRET",
            "google_api_key",
            r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}",
            0.95,
        ),
        with(
            spec(
                "SECRET",
                "jwt",
                r"(?-u:\b)eyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{8,}",
                0.5,
            ),
            &[],
            0.0,
            Some(check_jwt),
        ),
        group(
            spec(
                "SECRET",
                "bearer_token",
                r"(?i)(?-u:\b)bearer\s+([A-Za-z0-9\-._~+/]{20,}=*)",
                0.85,
            ),
            1,
        ),
        group(
            spec(
                "SECRET",
                "password_assignment",
                r#"(?i)(?-u:\b)(?:password|passwd|pwd|passphrase|passcode|pin code|secret|api[_\- ]?key|access[_\- ]?token|auth[_\- ]?token|client[_\- ]?secret)["']?\s*(?:[:=]|is|was)\s*["']?([^\s"',;]{4,128})"#,
                0.85,
            ),
            1,
        ),
        group(
            spec(
                "SECRET",
                "url_credentials",
                r"(?i)(?-u:\b)[a-z][a-z0-9+.\-]*://[^\s:/@]+:([^\s:/@]+)@",
                0.9,
            ),
            1,
        ),
        // LOCATION: US street addresses, optionally with city, state and ZIP.
        with(
            spec(
                "LOCATION",
                "street_address",
                r"(?-u:\b)[0-9]{1,6}(?: [A-Z][a-z]+| [0-9]{1,3}(?:st|nd|rd|th)){1,4} (?:(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Way|Place|Square|Trail|Terrace|Circle|Parkway|Highway|Alley|Bridge|Brook|Burg|Bypass|Camp|Canyon|Cape|Causeway|Center|Centre|Cliff|Club|Common|Corner|Course|Cove|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Estate|Expressway|Extension|Fall|Ferry|Field|Flat|Ford|Forest|Forge|Fork|Fort|Freeway|Garden|Gateway|Glen|Green|Grove|Harbor|Haven|Height|Hill|Hollow|Inlet|Island|Isle|Junction|Key|Knoll|Lake|Land|Landing|Light|Loaf|Lock|Lodge|Loop|Mall|Manor|Meadow|Mews|Mill|Mission|Motorway|Mount|Mountain|Neck|Orchard|Oval|Overpass|Park|Pass|Path|Pike|Pine|Plain|Plaza|Point|Port|Prairie|Radial|Ramp|Ranch|Rapid|Rest|Ridge|River|Route|Row|Rue|Run|Shoal|Shore|Skyway|Spring|Spur|Station|Stravenue|Stream|Summit|Throughway|Trace|Track|Trafficway|Tunnel|Turnpike|Underpass|Union|Valley|Viaduct|View|Village|Ville|Vista|Walk|Wall|Well|Branch|Via)s?|St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl)\.?(?:,? (?:Apt\.?|Suite|Ste\.?|Unit|#) ?[0-9A-Z]+)?(?:,? (?:[A-Z][a-z]+ ?){1,3}, [A-Z]{2} [0-9]{5}(?:-[0-9]{4})?)?(?-u:\b)",
                0.8,
            ),
            &[
                "address", "live", "lives", "located", "ship", "mail", "street",
            ],
            0.15,
            None,
        ),
    ]
}

/// Recognizers whose matches have no small length bound: they always scan the whole text (all
/// start with a literal, so that is cheap); the others may scan overlapping chunks.
const WHOLE_TEXT: &[&str] = &[
    "email",
    "url_scheme",
    "url_www",
    "private_key_block",
    "aws_secret_access_key",
    "github_token",
    "gitlab_token",
    "slack_token",
    "stripe_key",
    "llm_api_key",
    "google_api_key",
    "jwt",
    "bearer_token",
    "password_assignment",
    "url_credentials",
];

pub(super) fn built_in() -> Result<Vec<PatternRecognizer>, regex::Error> {
    specs()
        .into_iter()
        .map(|s| {
            Ok(PatternRecognizer {
                entity_type: s.entity_type.to_owned(),
                name: s.name.to_owned(),
                regex: Regex::new(s.pattern)?,
                score: s.score,
                context: s.context.iter().map(|w| (*w).to_owned()).collect(),
                context_boost: s.boost,
                validator: s.validator,
                needs_captures: s.captures,
                whole_text: WHOLE_TEXT.contains(&s.name),
                value_group: s.value_group,
            })
        })
        .collect()
}

fn keep(start: usize, end: usize, score: f64) -> Check {
    Check::Keep { start, end, score }
}

/// Not part of a longer alphanumeric run (the ASCII `\b` lets `é123` through).
fn glued(text: &str, s: usize, e: usize) -> bool {
    word_char_before(text, s) || word_char_at(text, e)
}

fn check_not_glued(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    if glued(text, s, e) || digit_neighbour(text, s, e) {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

fn check_not_glued_hex(
    text: &str,
    s: usize,
    e: usize,
    score: f64,
    _: Option<&Captures<'_>>,
) -> Check {
    let bytes = text.as_bytes();
    let sep_then_hex = |i: usize| {
        i + 1 < bytes.len() && matches!(bytes[i], b':' | b'-') && bytes[i + 1].is_ascii_hexdigit()
    };
    if glued(text, s, e)
        || sep_then_hex(e)
        || (s >= 2 && matches!(bytes[s - 1], b':' | b'-') && bytes[s - 2].is_ascii_hexdigit())
    {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

/// A digit group continues across a separator (`12-555-123-4567-99`).
fn digit_neighbour(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let before = s >= 2 && matches!(b[s - 1], b'-' | b'.' | b'/') && b[s - 2].is_ascii_digit();
    let after = e + 1 < b.len() && matches!(b[e], b'-' | b'.' | b'/') && b[e + 1].is_ascii_digit();
    before || after
}

/// The regex matches `@domain` (a literal `@` lets the regex engine skip ahead fast); the local
/// part is taken here by walking left over its characters.
fn check_email(text: &str, at: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    let local_len: usize = text[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-'))
        .map(char::len_utf8)
        .sum();
    let mut s = at - local_len;
    // A local part starts with a letter or digit.
    while s < at && !text[s..].starts_with(char::is_alphanumeric) {
        s += text[s..].chars().next().map_or(1, char::len_utf8);
    }
    if s == at {
        return Check::Drop;
    }
    let m = &text[s..e];
    let Some((local, domain)) = m.split_once('@') else {
        return Check::Drop;
    };
    if glued(text, s, e) {
        return Check::Drop;
    }
    // `user:password@host` inside a URL is a credential, not an address.
    let word_start = text[..s].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    if text[word_start..s].contains("://") {
        return Check::Drop;
    }
    let local_ok = !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.len() <= 64;
    let domain_ok = domain.split('.').all(|l| !l.is_empty() && l.len() <= 63);
    if local_ok && domain_ok {
        keep(s, e, 1.0_f64.max(score))
    } else {
        keep(s, e, score)
    }
}

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

fn check_nanp(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    if glued(text, s, e) || digit_neighbour(text, s, e) {
        return Check::Drop;
    }
    // A "+" just before means this is the tail of an international number.
    if s > 0 && text.as_bytes()[s - 1] == b'+' {
        return Check::Drop;
    }
    let m = &text[s..e];
    let d = digits_of(m);
    let ten = if d.len() == 11 { &d[1..] } else { &d[..] };
    if !v::nanp_valid(ten) {
        return Check::Drop;
    }
    let separated = m.bytes().any(|b| matches!(b, b' ' | b'-' | b'.' | b'(')) || m.starts_with('+');
    keep(s, e, if separated { score } else { 0.4 })
}

fn check_intl_phone(
    text: &str,
    s: usize,
    mut e: usize,
    score: f64,
    _: Option<&Captures<'_>>,
) -> Check {
    if word_char_before(text, s) {
        return Check::Drop;
    }
    // Greedy groups may swallow a following number: drop trailing groups until E.164 fits.
    loop {
        let m = &text[s..e];
        let n = digits_of(m).len();
        if (8..=15).contains(&n) {
            break;
        }
        if n < 8 {
            return Check::Drop;
        }
        match m.rfind([' ', '.', '-', '(']) {
            Some(cut) if cut > 2 => e = s + cut,
            _ => return Check::Drop,
        }
    }
    while e > s && !text.as_bytes()[e - 1].is_ascii_digit() {
        e -= 1;
    }
    if word_char_at(text, e) {
        return Check::Drop;
    }
    keep(s, e, score)
}

fn check_ssn(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    if glued(text, s, e) || digit_neighbour(text, s, e) || !v::ssn_valid(&text[s..e]) {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

fn check_card(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    if glued(text, s, e) || digit_neighbour(text, s, e) {
        return Check::Drop;
    }
    if let Some(score) = card_score(&text[s..e], score) {
        return keep(s, e, score);
    }
    // A separated match may have swallowed a neighbouring number ("ref 4869 3733 713466 39861"):
    // retry from each later digit group, following groups with the same separator.
    let bytes = text.as_bytes();
    let mut g = s;
    while g < e {
        // Next group start after the current group.
        while g < e && bytes[g].is_ascii_digit() {
            g += 1;
        }
        if g >= e {
            break;
        }
        let sep = bytes[g];
        g += 1;
        let mut groups = vec![];
        let mut i = g;
        while groups.len() < 5 {
            let st = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == st {
                break;
            }
            groups.push((st, i));
            if i + 1 < bytes.len() && bytes[i] == sep && bytes[i + 1].is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        for n in (3..=groups.len()).rev() {
            let (gs, ge) = (groups[0].0, groups[n - 1].1);
            if word_char_at(text, ge) {
                continue;
            }
            if let Some(score) = card_score(&text[gs..ge], score) {
                return keep(gs, ge, score);
            }
        }
    }
    Check::Drop
}

/// Score of a card number candidate, `None` when it is not one.
fn card_score(m: &str, score: f64) -> Option<f64> {
    let d = digits_of(m);
    if !(12..=19).contains(&d.len()) || !v::luhn_valid(m) {
        return None;
    }
    let issuer = if d.len() == 12 {
        // Only Maestro issues 12-digit cards.
        let iin: u32 = d[..4].iter().fold(0, |acc, x| acc * 10 + u32::from(*x));
        matches!(
            iin,
            5018 | 5020 | 5038 | 5893 | 6304 | 6759 | 6761..=6763 | 604 | 6390 | 5600..=5899
        )
    } else {
        // Issuer ranges: 2 (Mastercard 2-series, Mir), 3 (Amex, Diners, JCB), 4 (Visa),
        // 5 (Mastercard, Maestro), 6 (Discover, UnionPay, Maestro).
        matches!(d[0], 2..=6)
    };
    if d.len() == 12 && !issuer {
        return None;
    }
    Some(if issuer { 1.0 } else { score })
}

fn check_iban(text: &str, s: usize, e: usize, _score: f64, _: Option<&Captures<'_>>) -> Check {
    if word_char_before(text, s) {
        return Check::Drop;
    }
    let m = &text[s..e];
    let Some(len) = v::iban_length(&m[..2]) else {
        return Check::Drop;
    };
    // Take exactly the country's length of alphanumerics; the regex may have run on.
    let mut compact = String::with_capacity(len);
    let mut end = s;
    for (i, c) in m.char_indices() {
        if c == ' ' {
            continue;
        }
        compact.push(c);
        end = s + i + c.len_utf8();
        if compact.len() == len {
            break;
        }
    }
    if compact.len() != len || word_char_at(text, end) || !v::iban_valid(&compact) {
        return Check::Drop;
    }
    keep(s, end, 1.0)
}

fn check_ipv4(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    let b = text.as_bytes();
    let dotted_before = s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_alphanumeric();
    let dotted_after = e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_alphanumeric();
    if glued(text, s, e) || dotted_before || dotted_after {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

fn check_ipv6(text: &str, s: usize, mut e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    // The candidate class is loose: a sentence dot or colon after the address is not part of it.
    while e > s && matches!(text.as_bytes()[e - 1], b'.' | b':') && !text[s..e].ends_with("::") {
        e -= 1;
    }
    let m = &text[s..e];
    let b = text.as_bytes();
    if s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b':') {
        return Check::Drop;
    }
    if e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b':') {
        return Check::Drop;
    }
    let hex_groups = m.split(':').filter(|g| !g.is_empty()).count();
    if hex_groups < 2 || m.parse::<std::net::Ipv6Addr>().is_err() {
        return Check::Drop;
    }
    keep(s, e, score)
}

fn check_url(text: &str, s: usize, mut e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    // Sentence punctuation after a URL is not part of it; a closing bracket only when unbalanced.
    loop {
        let m = &text[s..e];
        let Some(last) = m.chars().next_back() else {
            return Check::Drop;
        };
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ')' => m.matches('(').count() < m.matches(')').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        e -= last.len_utf8();
    }
    let m = &text[s..e];
    let host_start = m.find("://").map_or(0, |i| i + 3);
    if m.len() <= host_start + 3
        || !m[host_start..].contains('.') && !m[host_start..].starts_with("localhost")
    {
        return Check::Drop;
    }
    keep(s, e, score)
}

fn check_btc58(text: &str, s: usize, e: usize, _score: f64, _: Option<&Captures<'_>>) -> Check {
    if !glued(text, s, e) && v::btc_base58_valid(&text[s..e]) {
        keep(s, e, 1.0)
    } else {
        Check::Drop
    }
}

fn check_bech32(text: &str, s: usize, e: usize, _score: f64, _: Option<&Captures<'_>>) -> Check {
    if !glued(text, s, e) && v::btc_bech32_valid(&text[s..e]) {
        keep(s, e, 1.0)
    } else {
        Check::Drop
    }
}

fn check_jwt(text: &str, s: usize, e: usize, score: f64, _: Option<&Captures<'_>>) -> Check {
    if v::jwt_valid(&text[s..e]) {
        keep(s, e, 0.95)
    } else {
        keep(s, e, score)
    }
}

fn num(caps: &Captures<'_>, i: usize) -> Option<u32> {
    caps.get(i)?.as_str().parse().ok()
}

fn full_year(y: u32, digits: usize) -> u32 {
    if digits == 2 {
        if y <= 30 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    }
}

fn check_date_ymd(
    text: &str,
    s: usize,
    e: usize,
    score: f64,
    caps: Option<&Captures<'_>>,
) -> Check {
    let Some(c) = caps else { return Check::Drop };
    match (num(c, 1), num(c, 2), num(c, 3)) {
        (Some(y), Some(m), Some(d))
            if v::date_valid(y, m, d) && !glued(text, s, e) && !digit_neighbour(text, s, e) =>
        {
            keep(s, e, score)
        }
        _ => Check::Drop,
    }
}

fn check_date_numeric(
    text: &str,
    s: usize,
    e: usize,
    score: f64,
    caps: Option<&Captures<'_>>,
) -> Check {
    let Some(c) = caps else { return Check::Drop };
    if glued(text, s, e) || digit_neighbour(text, s, e) {
        return Check::Drop;
    }
    let year_digits = c.get(4).map_or(0, |m| m.as_str().len());
    let (Some(a), Some(b), Some(y)) = (num(c, 1), num(c, 3), num(c, 4)) else {
        return Check::Drop;
    };
    let y = full_year(y, year_digits);
    // Month-first (US) or day-first (most of the world): either reading must be a real date.
    if !(v::date_valid(y, a, b) || v::date_valid(y, b, a)) {
        return Check::Drop;
    }
    // A dot-separated two-digit year looks too much like a version number.
    let sep = c.get(2).map_or("", |m| m.as_str());
    if sep == "." && year_digits == 2 {
        return Check::Drop;
    }
    keep(s, e, if year_digits == 2 { score - 0.1 } else { score })
}

fn check_date_month_first(
    _text: &str,
    s: usize,
    e: usize,
    score: f64,
    caps: Option<&Captures<'_>>,
) -> Check {
    let Some(c) = caps else { return Check::Drop };
    let m = c.get(1).and_then(|m| v::month_number(m.as_str()));
    match (m, num(c, 2), num(c, 3)) {
        (Some(m), Some(d), Some(y)) if v::date_valid(y, m, d) => keep(s, e, score),
        _ => Check::Drop,
    }
}

fn check_date_day_first(
    _text: &str,
    s: usize,
    e: usize,
    score: f64,
    caps: Option<&Captures<'_>>,
) -> Check {
    let Some(c) = caps else { return Check::Drop };
    let m = c.get(2).and_then(|m| v::month_number(m.as_str()));
    match (num(c, 1), m, num(c, 3)) {
        (Some(d), Some(m), Some(y)) if v::date_valid(y, m, d) => keep(s, e, score),
        _ => Check::Drop,
    }
}
