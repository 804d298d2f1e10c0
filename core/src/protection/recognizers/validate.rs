//! Validators: what a recognizer checks once its regex has proposed a span. Each one looks at
//! the span in its text (neighbouring characters, checksums, capture groups) and keeps it,
//! possibly narrowed or rescored, or drops it. Checks of a bare value that need no surrounding
//! text (Luhn, mod-97, SSN ranges, …) are in [`crate::protection::validators`], shared with
//! tokenization.
use super::context::contains_word;
use crate::protection::text::{ceil_boundary, floor_boundary, word_char_at, word_char_before};
use crate::protection::validators as v;
use regex::Captures;

/// A span a recognizer's regex proposes, before validation. Byte offsets into `text`.
#[derive(Clone, Copy)]
pub(crate) struct Proposal<'a> {
    /// The whole scanned text: validators look at what surrounds the span.
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    /// The recognizer's base score.
    pub score: f64,
    /// The match's capture groups, for recognizers that ask for them.
    pub captures: Option<&'a Captures<'a>>,
}

/// What a validator says about a proposal.
pub(crate) enum Check {
    /// Keep, with this (byte) span and score.
    Keep {
        start: usize,
        end: usize,
        score: f64,
    },
    /// Not an entity.
    Drop,
}

pub(crate) type Validator = fn(&Proposal<'_>) -> Check;

fn keep(start: usize, end: usize, score: f64) -> Check {
    Check::Keep { start, end, score }
}

/// Part of a longer alphanumeric run (the ASCII `\b` lets `é123` through).
fn glued(text: &str, s: usize, e: usize) -> bool {
    word_char_before(text, s) || word_char_at(text, e)
}

/// A standalone number: not glued to letters and not one group of a longer digit sequence.
pub(super) fn not_glued(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    if glued(text, s, e) || digit_neighbour(text, s, e) {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

/// A standalone MAC address: not part of a longer run of hex groups.
pub(super) fn not_glued_hex(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
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

/// An email address. The regex matches `@domain` (a literal `@` lets the regex engine skip
/// ahead fast); the local part is taken here by walking left over its characters.
pub(super) fn email(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: at,
        end: e,
        score,
        ..
    } = *p;
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

/// A North American number: valid area code and exchange; an unseparated ten-digit run
/// keeps only a low score, since it may be any number.
pub(super) fn nanp_phone(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
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
    // Introduced as an NHS number and passing its check digit: that is what it is.
    if contains_word(&lower_before(text, s, 24), "nhs") && v::nhs_valid(m) {
        return Check::Drop;
    }
    let separated = m.bytes().any(|b| matches!(b, b' ' | b'-' | b'.' | b'(')) || m.starts_with('+');
    keep(s, e, if separated { score } else { 0.4 })
}

/// An international (`+`) number of 8 to 15 digits, trimmed to the digits that fit.
pub(super) fn intl_phone(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: mut e,
        score,
        ..
    } = *p;
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

/// A US SSN that passes the issuance rules and stands alone.
pub(super) fn ssn(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    if glued(text, s, e) || digit_neighbour(text, s, e) || !v::ssn_valid(&text[s..e]) {
        return Check::Drop;
    }
    if part_of_code(text, s, e) || product_cue(text, s, SSN_WORDS) {
        return Check::Drop;
    }
    keep(s, e, score)
}

const SSN_WORDS: &[&str] = &["ssn", "social security", "social sec", "ss#", "taxpayer"];

/// Words that name a catalogue or order code: an SSN-shaped value after them is that code.
const PRODUCT_WORDS: &[&str] = &[
    "sku",
    "part",
    "part no",
    "p/n",
    "pn",
    "item",
    "model",
    "product",
    "serial",
    "order",
    "ref",
    "reference",
    "invoice",
    "catalog",
    "catalogue",
    "lot",
    "batch",
    "tracking",
    "ticket",
    "case",
    "stock",
    "upc",
    "asin",
    "isbn",
    "version",
    "build",
];

/// The lower-cased text in the `before` bytes before byte `s`.
fn lower_before(text: &str, s: usize, before: usize) -> String {
    text[floor_boundary(text, s.saturating_sub(before))..s].to_lowercase()
}

/// The lower-cased text in the `after` bytes after byte `e`.
fn lower_after(text: &str, e: usize, after: usize) -> String {
    text[e..ceil_boundary(text, (e + after).min(text.len()))].to_lowercase()
}

/// A product or order word shortly before `s`, and no word of `own` (the type's own cues).
fn product_cue(text: &str, s: usize, own: &[&str]) -> bool {
    let before = lower_before(text, s, 24);
    PRODUCT_WORDS.iter().any(|w| contains_word(&before, w))
        && !own.iter().any(|w| contains_word(&before, w))
}

/// One segment of a longer code: joined by `-`, `/`, `_`, `.` or `#` to more letters or digits
/// (`AB-536-22-1234`, `536-22-1234-X`).
fn part_of_code(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let joint = |c: u8| matches!(c, b'-' | b'/' | b'_' | b'.' | b'#');
    let before = s >= 2 && joint(b[s - 1]) && b[s - 2].is_ascii_alphanumeric();
    let after = e + 1 < b.len() && joint(b[e]) && b[e + 1].is_ascii_alphanumeric();
    before || after
}

/// A digit value whose groups use one separator throughout (`123 456 789`, not `123-456 789`).
fn one_separator(m: &str) -> bool {
    let mut seps = m.bytes().filter(|b| !b.is_ascii_alphanumeric());
    match seps.next() {
        None => true,
        Some(first) => seps.all(|b| b == first),
    }
}

/// A standalone digit value of `digits` digits that passes `valid`, with one separator style.
fn checked_number(p: &Proposal<'_>, digits: usize, valid: fn(&str) -> bool) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    let m = &text[s..e];
    if glued(text, s, e)
        || digit_neighbour(text, s, e)
        || part_of_code(text, s, e)
        || digits_of(m).len() != digits
        || !one_separator(m)
        || !valid(m)
    {
        return Check::Drop;
    }
    keep(s, e, score)
}

/// A US ITIN (9xx with a group of the issued ranges); not an order or part code.
pub(super) fn itin(p: &Proposal<'_>) -> Check {
    if product_cue(p.text, p.start, &["itin", "taxpayer", "tax id", "tin"]) {
        return Check::Drop;
    }
    checked_number(p, 9, v::itin_valid)
}

/// An ABA routing number (3-7-1 checksum, Federal Reserve prefix).
pub(super) fn aba(p: &Proposal<'_>) -> Check {
    checked_number(p, 9, v::aba_valid)
}

/// An NHS number (mod-11 check digit).
pub(super) fn nhs(p: &Proposal<'_>) -> Check {
    checked_number(p, 10, v::nhs_valid)
}

/// A Canadian SIN (Luhn, first digit not 0 or 8).
pub(super) fn sin(p: &Proposal<'_>) -> Check {
    checked_number(p, 9, v::sin_valid)
}

/// A UK National Insurance number; surer with its suffix letter.
pub(super) fn nino(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: mut e,
        score,
        ..
    } = *p;
    // A trailing ` X` that is not a suffix letter is the next word.
    if !v::nino_valid(&text[s..e]) && text[s..e].ends_with(|c: char| c.is_ascii_uppercase()) {
        e = text[s..e]
            .trim_end_matches(|c: char| c.is_ascii_uppercase())
            .trim_end()
            .len()
            + s;
    }
    if glued(text, s, e) || part_of_code(text, s, e) || !v::nino_valid(&text[s..e]) {
        return Check::Drop;
    }
    let suffixed = text[s..e].ends_with(|c: char| ('A'..='D').contains(&c));
    keep(s, e, if suffixed { score + 0.1 } else { score })
}

/// Words that, before an account number, make it some other number.
const NOT_ACCOUNT_WORDS: &[&str] = &[
    "routing",
    "aba",
    "phone",
    "card",
    "ssn",
    "tel",
    "mobile",
    "zip",
    "postcode",
    "iban",
    "swift",
    "sort code",
    "tax",
    "ein",
];

/// A US bank account number after its cue (`account number 001234567890`): 8-17 digits, not
/// glued, and no word between cue and number that says it is another number.
pub(super) fn bank_account(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        captures,
    } = *p;
    if glued(text, s, e) || digit_neighbour(text, s, e) || part_of_code(text, s, e) {
        return Check::Drop;
    }
    let filler = captures
        .and_then(|c| c.get(2))
        .map(|m| m.as_str().to_lowercase())
        .unwrap_or_default();
    if NOT_ACCOUNT_WORDS.iter().any(|w| contains_word(&filler, w)) {
        return Check::Drop;
    }
    keep(s, e, score)
}

/// Driver-licence words that, a sentence earlier, still name the number.
const DL_WORDS: &[&str] = &[
    "driver", "driver's", "drivers", "driving", "license", "licence", "dl", "dln", "dl#",
];
/// Words that introduce another identifier: after one, a licence word further back no longer
/// names the number.
const OTHER_ID_WORDS: &[&str] = &[
    "passport",
    "ssn",
    "social security",
    "phone",
    "card",
    "account",
    "acct",
    "routing",
    "iban",
    "itin",
    "nhs",
    "sin",
    "insurance",
    "tax",
    "zip",
    "order",
    "invoice",
    "tracking",
];
/// How far before a number a licence word may stand (about two sentences).
const DL_REACH: usize = 200;
/// Score of a number that follows `number is` / `#` / `no.` with a licence word further back:
/// above the threshold, below a phone with its own cue.
const DL_DISTANT_CUE_SCORE: f64 = 0.62;

/// A licence number candidate: standalone, 7-16 digits in all; a licence word up to two
/// sentences before raises it when the number is introduced as one (`the new number is …`).
pub(super) fn driver_license(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    let m = &text[s..e];
    let digits = digits_of(m).len();
    if glued(text, s, e)
        || digit_neighbour(text, s, e)
        || !(4..=16).contains(&digits)
        || (m.contains(' ') && digits < 7)
        || !one_separator(
            m.trim_start_matches(|c: char| c.is_ascii_uppercase())
                .trim_start(),
        )
    {
        return Check::Drop;
    }
    // One group of a longer spaced number (`A1234 56789 01234` seen as `A1234`).
    let b = text.as_bytes();
    if (e + 1 < b.len() && b[e] == b' ' && b[e + 1].is_ascii_digit())
        || (s >= 2 && b[s - 1] == b' ' && b[s - 2].is_ascii_digit())
    {
        return Check::Drop;
    }
    // A licence word further back names this number only if no other identifier is
    // introduced in between ("driver's license A123 … Passport no. 212347159").
    let far = lower_before(text, s, DL_REACH);
    // Most numbers have no licence word anywhere near: one cheap look first.
    let licence_word_near = far.contains("licen") || far.contains("driv") || far.contains("dl");
    let last_dl_word = if licence_word_near {
        DL_WORDS
            .iter()
            .filter_map(|w| far.rfind(w).map(|i| i + w.len()))
            .max()
    } else {
        None
    };
    if let Some(after_cue) = last_dl_word {
        let between = &far[after_cue..];
        if OTHER_ID_WORDS.iter().any(|w| contains_word(between, w)) {
            return Check::Drop;
        }
    }
    let near = lower_before(text, s, 20);
    let introduced = near.contains('#')
        || ["number", "no", "num", "is", "id"]
            .iter()
            .any(|w| contains_word(&near, w));
    if introduced
        && score < DL_DISTANT_CUE_SCORE
        && licence_word_near
        && DL_WORDS.iter().any(|w| contains_word(&far, w))
    {
        return keep(s, e, DL_DISTANT_CUE_SCORE);
    }
    keep(s, e, score)
}

/// A code that stands alone: not glued to a word and not one segment of a longer code.
pub(super) fn not_glued_code(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    if glued(text, s, e) || part_of_code(text, s, e) {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

/// A Luhn-valid card number; a known issuer prefix makes it certain.
pub(super) fn card(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
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

/// A complete IBAN of its country's length that passes mod-97; certain when it does.
pub(super) fn iban(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        ..
    } = *p;
    if word_char_before(text, s) {
        return Check::Drop;
    }
    let m = &text[s..e];
    let Some(len) = v::iban_length(&m[..2].to_ascii_uppercase()) else {
        return Check::Drop;
    };
    // Take exactly the country's length of alphanumerics; the regex may have run on.
    let mut compact = String::with_capacity(len);
    let mut end = s;
    for (i, c) in m.char_indices() {
        if c == ' ' {
            continue;
        }
        compact.push(c.to_ascii_uppercase());
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

/// A dotted quad that is not part of a longer dotted name or version number.
pub(super) fn ipv4(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    let b = text.as_bytes();
    let dotted_before = s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_alphanumeric();
    let dotted_after = e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_alphanumeric();
    if glued(text, s, e) || dotted_before || dotted_after {
        return Check::Drop;
    }
    // Build strings: `Chrome/120.0.6099.109`, `1.2.3.4-beta`, `build_10.0.1.2`, `1.0.0.1+git`.
    let word_joint_before =
        s >= 2 && matches!(b[s - 1], b'/' | b'_') && b[s - 2].is_ascii_alphanumeric();
    let suffix_after =
        e + 1 < b.len() && matches!(b[e], b'-' | b'_' | b'+') && b[e + 1].is_ascii_alphanumeric();
    if word_joint_before || suffix_after {
        return Check::Drop;
    }
    // Netmasks (`255.255.255.0`), 0.0.0.0 and the broadcast address configure, they locate no one.
    if v::ipv4_is_mask(&text[s..e]) {
        return Check::Drop;
    }
    let before = lower_before(text, s, 24);
    if VERSION_WORDS.iter().any(|w| contains_word(&before, w)) {
        return Check::Drop;
    }
    keep(s, e, score)
}

/// Words after which a dotted quad is a version or build number.
const VERSION_WORDS: &[&str] = &[
    "version",
    "ver",
    "v",
    "build",
    "release",
    "firmware",
    "fw",
    "rev",
    "revision",
    "patch",
    "kernel",
    "sdk",
    "assembly",
    "fileversion",
    "productversion",
];

/// A dotted MAC (`aabb.ccdd.eeff`) that is not three groups of a longer dotted run
/// (`4111.1111.1111.1111` is a card).
pub(super) fn mac_dotted(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    let b = text.as_bytes();
    let before = s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_hexdigit();
    let after = e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_hexdigit();
    if glued(text, s, e) || before || after {
        Check::Drop
    } else {
        keep(s, e, score)
    }
}

/// A span the loose IPv6 regex found that parses as an IPv6 address.
pub(super) fn ipv6(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: mut e,
        score,
        ..
    } = *p;
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

/// A URL without the sentence punctuation after it, with a host that has a dot (or is
/// `localhost`).
pub(super) fn url(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: mut e,
        score,
        ..
    } = *p;
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

/// A Bitcoin base58check address: valid checksum and version byte; certain when valid.
pub(super) fn btc_base58(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        ..
    } = *p;
    if !glued(text, s, e) && v::btc_base58_valid(&text[s..e]) {
        keep(s, e, 1.0)
    } else {
        Check::Drop
    }
}

/// A Bitcoin segwit address: valid bech32 checksum; certain when valid.
pub(super) fn btc_bech32(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        ..
    } = *p;
    if !glued(text, s, e) && v::btc_bech32_valid(&text[s..e]) {
        keep(s, e, 1.0)
    } else {
        Check::Drop
    }
}

/// A JWT whose header decodes to JSON with `alg` is near certain; the shape alone is not.
pub(super) fn jwt(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
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

/// `YYYY-MM-DD` that is a real calendar date.
pub(super) fn date_ymd(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        captures: caps,
    } = *p;
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

/// `D/M/Y` or `M/D/Y` (`/`, `.` or `-`) that is a real date either way round.
pub(super) fn date_numeric(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        captures: caps,
    } = *p;
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

/// `March 5, 2024`: a real date.
pub(super) fn date_month_first(p: &Proposal<'_>) -> Check {
    let Proposal {
        start: s,
        end: e,
        score,
        captures: caps,
        ..
    } = *p;
    let Some(c) = caps else { return Check::Drop };
    let m = c.get(1).and_then(|m| v::month_number(m.as_str()));
    match (m, num(c, 2), num(c, 3)) {
        (Some(m), Some(d), Some(y)) if v::date_valid(y, m, d) => keep(s, e, score),
        _ => Check::Drop,
    }
}

/// `5th of March 2024`: a real date.
pub(super) fn date_day_first(p: &Proposal<'_>) -> Check {
    let Proposal {
        start: s,
        end: e,
        score,
        captures: caps,
        ..
    } = *p;
    let Some(c) = caps else { return Check::Drop };
    let m = c.get(2).and_then(|m| v::month_number(m.as_str()));
    match (num(c, 1), m, num(c, 3)) {
        (Some(d), Some(m), Some(y)) if v::date_valid(y, m, d) => keep(s, e, score),
        _ => Check::Drop,
    }
}

/// Month words that, written in lower case, are more often ordinary words (`you may 2`,
/// `march 3 miles`).
fn ambiguous_month(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && matches!(word.trim_end_matches('.'), "may" | "mar" | "march")
}

/// A day and month without a year (`April 11th`, `Nov 8`, `23 November`): a day the month
/// has, not a time (`Nov 8:30` is fine, `8:30` alone is not matched).
fn day_month(p: &Proposal<'_>, month_group: usize, day_group: usize) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        captures: caps,
    } = *p;
    let Some(c) = caps else { return Check::Drop };
    let Some(word) = c.get(month_group).map(|m| m.as_str()) else {
        return Check::Drop;
    };
    if ambiguous_month(word) || glued(text, s, e) || digit_neighbour(text, s, e) {
        return Check::Drop;
    }
    // `23 November 2024` and `Nov 8, 2024` are the full-date recognizers' (a longer span).
    let after = lower_after(text, e, 8);
    if after
        .trim_start_matches([',', ' '])
        .starts_with(|c: char| c.is_ascii_digit())
        && after.starts_with([',', ' '])
    {
        return Check::Drop;
    }
    let m = v::month_number(word);
    match (m, num(c, day_group)) {
        // A leap year, so 29 February is a date.
        (Some(m), Some(d)) if v::date_valid(2024, m, d) => keep(s, e, score),
        _ => Check::Drop,
    }
}

/// `April 11th`, `Nov 8`.
pub(super) fn date_month_day(p: &Proposal<'_>) -> Check {
    day_month(p, 1, 2)
}

/// `23 November`, `11th of April`.
pub(super) fn date_day_month(p: &Proposal<'_>) -> Check {
    day_month(p, 2, 1)
}

/// A street address; one that goes on to its city and state or ZIP is surer than the names it
/// may contain (`46510 Linda Wells, West Christopherville, CO 55774` is an address, not a person).
pub(super) fn street_address(p: &Proposal<'_>) -> Check {
    let Proposal {
        text,
        start: s,
        end: e,
        score,
        ..
    } = *p;
    let m = &text[s..e];
    let with_zip = m.len() > 6 && m.as_bytes()[m.len() - 5..].iter().all(u8::is_ascii_digit)
        || m.rsplit_once('-').is_some_and(|(_, plus4)| {
            plus4.len() == 4 && plus4.bytes().all(|b| b.is_ascii_digit())
        });
    keep(
        s,
        e,
        if with_zip {
            ADDRESS_WITH_ZIP_SCORE
        } else {
            score
        },
    )
}

/// Above a full name's 0.85, so the address takes the span.
const ADDRESS_WITH_ZIP_SCORE: f64 = 0.9;
