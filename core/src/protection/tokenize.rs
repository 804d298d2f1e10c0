//! Reversible tokenization (`protect` mode).
//!
//! - Digit and alphanumeric values: NIST SP 800-38G FF1 (AES-256) through the `fpe` crate, per
//!   character class, keeping length, separators and letter case. A class is encrypted only when
//!   its domain is at least 1,000,000 values (radix^len ≥ 10^6, the NIST minimum). Cards stay
//!   Luhn-valid cards, SSNs stay valid-range SSNs, NANP phones stay NANP phones, IBANs stay valid
//!   IBANs of the same country (check digits recomputed), IPv4 stays IPv4, emails keep their
//!   `local@domain.tld` shape.
//! - Everything else, and any value too small for FF1: an authenticated opaque token
//!   `[TYPE:<base64url>]`, AES-256-GCM-SIV (deterministic; nonce derived per conversation, entity
//!   type as associated data).
//!
//! Keys: HKDF-SHA256 from the tenant key into an FF1 key, an AEAD key and a tweak key. The FF1
//! tweak and the AEAD nonce are derived from the conversation id (and the entity type), so a value
//! has one token within a conversation and different tokens across conversations.
//!
//! Every issued token is recorded in [`IssuedTokens`]; only those are detokenized.
use crate::domain::tenant::TenantKey;
pub use crate::domain::tokens::IssuedTokens;
use crate::protection::text::{word_char_at, word_char_before};
use crate::protection::validators as v;
use aes_gcm_siv::aead::{Aead, Payload};
use aes_gcm_siv::KeyInit as _;
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine;
use fpe::ff1::{FlexibleNumeralString, FF1};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// NIST SP 800-38G (rev. 1): radix^minlen ≥ 1,000,000.
const MIN_DOMAIN: f64 = 1_000_000.0;
/// Cycle-walking bound; beyond it (practically never) the value gets an opaque token.
const MAX_WALK: usize = 200;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("token was not issued in this conversation")]
    NotIssued,
    #[error("token failed authentication")]
    Corrupt,
}

struct Ff1Set {
    r10: FF1<aes::Aes256>,
    r16: FF1<aes::Aes256>,
    r26: FF1<aes::Aes256>,
    r256: FF1<aes::Aes256>,
}

/// Tokenization state of one conversation.
pub struct TokenContext {
    ff1: Ff1Set,
    aead: Aes256GcmSiv,
    tweak_key: [u8; 32],
    nonce: [u8; 12],
    conversation_id: String,
    issued: IssuedTokens,
    new: IssuedTokens,
}

impl std::fmt::Debug for TokenContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenContext")
            .field("conversation_id", &self.conversation_id)
            .field("issued", &self.issued.len())
            .field("new", &self.new.len())
            .finish()
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for p in parts {
        mac.update(&(p.len() as u32).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn ff1(key: &[u8; 32], radix: u32) -> FF1<aes::Aes256> {
    FF1::<aes::Aes256>::new(key, radix)
        .unwrap_or_else(|_| unreachable!("radix is within 2..=65536"))
}

impl TokenContext {
    pub fn new(conversation_id: &str, key: &TenantKey, issued: IssuedTokens) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"pai-tokenization-v1"), &key.0);
        let mut ff1_key = [0u8; 32];
        let mut aead_key = [0u8; 32];
        let mut tweak_key = [0u8; 32];
        // 32-byte outputs are far below HKDF's 255*32 limit; expand cannot fail.
        let _ = hk.expand(b"ff1", &mut ff1_key);
        let _ = hk.expand(b"aead", &mut aead_key);
        let _ = hk.expand(b"tweak", &mut tweak_key);
        let nonce_full = hmac(&tweak_key, &[b"nonce", conversation_id.as_bytes()]);
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&nonce_full[..12]);
        Self {
            ff1: Ff1Set {
                r10: ff1(&ff1_key, 10),
                r16: ff1(&ff1_key, 16),
                r26: ff1(&ff1_key, 26),
                r256: ff1(&ff1_key, 256),
            },
            aead: Aes256GcmSiv::new(&aead_key.into()),
            tweak_key,
            nonce,
            conversation_id: conversation_id.to_owned(),
            issued,
            new: IssuedTokens::new(),
        }
    }

    pub fn conversation_id(&self) -> &str {
        &self.conversation_id
    }

    /// Every token this conversation has issued (loaded + new).
    pub fn issued(&self) -> &IssuedTokens {
        &self.issued
    }

    pub fn into_issued(self) -> IssuedTokens {
        self.issued
    }

    /// Tokens issued since this context was created (what the caller must persist).
    pub fn new_tokens(&self) -> &IssuedTokens {
        &self.new
    }

    /// The token for `value` of `entity_type`; records it as issued.
    pub fn protect(&mut self, entity_type: &str, value: &str) -> String {
        let token = self.encrypt(entity_type, value);
        if !self.issued.contains(&token) {
            self.issued.insert(&token, entity_type);
            self.new.insert(&token, entity_type);
        }
        token
    }

    /// The original value of a token this conversation issued.
    pub fn reveal(&self, token: &str) -> Result<String, TokenError> {
        let entity_type = self
            .issued
            .entity_type(token)
            .ok_or(TokenError::NotIssued)?;
        self.decrypt(entity_type, token)
    }

    /// Replaces every token this conversation issued by its value; anything else is untouched.
    pub fn detokenize(&self, text: &str) -> String {
        let spans = self.token_spans(text);
        if spans.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in spans {
            if let Ok(value) = self.reveal(&text[start..end]) {
                out.push_str(&text[last..start]);
                out.push_str(&value);
                last = end;
            }
        }
        out.push_str(&text[last..]);
        out
    }

    /// Byte spans of issued tokens in `text`, in order, non-overlapping.
    pub fn token_spans(&self, text: &str) -> Vec<(usize, usize)> {
        if self.issued.is_empty() {
            return Vec::new();
        }
        let Ok(ac) = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(self.issued.iter().map(|(token, _)| token))
        else {
            return Vec::new();
        };
        ac.find_iter(text)
            .filter(|m| {
                // A format-preserving token glued into a longer word or number is not that token.
                text[m.start()..].starts_with('[')
                    || !(word_char_before(text, m.start()) || word_char_at(text, m.end()))
            })
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    fn tweak(&self, entity_type: &str) -> [u8; 16] {
        let full = hmac(
            &self.tweak_key,
            &[
                b"ff1-tweak",
                entity_type.as_bytes(),
                self.conversation_id.as_bytes(),
            ],
        );
        let mut t = [0u8; 16];
        t.copy_from_slice(&full[..16]);
        t
    }

    fn encrypt(&self, entity_type: &str, value: &str) -> String {
        let shaped = match entity_type {
            "CREDIT_CARD" => self.card(entity_type, value, Dir::Enc),
            "SSN" => self.digits_walk(entity_type, value, Dir::Enc, |d| {
                v::ssn_valid(
                    &d.iter()
                        .map(|x| char::from(b'0' + *x as u8))
                        .collect::<String>(),
                )
            }),
            "PHONE" => self.phone(entity_type, value, Dir::Enc),
            "IBAN" => self.iban(entity_type, value, Dir::Enc),
            "IP_ADDRESS" => self.ipv4(entity_type, value, Dir::Enc),
            "MAC_ADDRESS" => self.mac(entity_type, value, Dir::Enc),
            "EMAIL" => self.email(entity_type, value, Dir::Enc),
            "US_PASSPORT" | "DRIVER_LICENSE" => {
                self.by_class(entity_type, value, Dir::Enc, value.len())
            }
            _ => None,
        };
        match shaped {
            Some(t) if t != value && !t.starts_with('[') => t,
            _ => self.opaque(entity_type, value),
        }
    }

    fn decrypt(&self, entity_type: &str, token: &str) -> Result<String, TokenError> {
        if let Some(rest) = token.strip_prefix('[') {
            return self.open_opaque(entity_type, rest);
        }
        let value = match entity_type {
            "CREDIT_CARD" => self.card(entity_type, token, Dir::Dec),
            "SSN" => self.digits_walk(entity_type, token, Dir::Dec, |d| {
                v::ssn_valid(
                    &d.iter()
                        .map(|x| char::from(b'0' + *x as u8))
                        .collect::<String>(),
                )
            }),
            "PHONE" => self.phone(entity_type, token, Dir::Dec),
            "IBAN" => self.iban(entity_type, token, Dir::Dec),
            "IP_ADDRESS" => self.ipv4(entity_type, token, Dir::Dec),
            "MAC_ADDRESS" => self.mac(entity_type, token, Dir::Dec),
            "EMAIL" => self.email(entity_type, token, Dir::Dec),
            "US_PASSPORT" | "DRIVER_LICENSE" => {
                self.by_class(entity_type, token, Dir::Dec, token.len())
            }
            _ => None,
        };
        value.ok_or(TokenError::Corrupt)
    }

    // ----- opaque tokens ------------------------------------------------------------------

    fn opaque(&self, entity_type: &str, value: &str) -> String {
        let payload = Payload {
            msg: value.as_bytes(),
            aad: entity_type.as_bytes(),
        };
        match self.aead.encrypt(Nonce::from_slice(&self.nonce), payload) {
            Ok(ct) => format!(
                "[{entity_type}:{}]",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ct)
            ),
            // GCM-SIV only fails on inputs over 2^36 bytes; a label keeps the value out anyway.
            Err(_) => format!("[{entity_type}]"),
        }
    }

    fn open_opaque(&self, entity_type: &str, rest: &str) -> Result<String, TokenError> {
        let body = rest
            .strip_prefix(entity_type)
            .and_then(|r| r.strip_prefix(':'))
            .and_then(|r| r.strip_suffix(']'))
            .ok_or(TokenError::Corrupt)?;
        let ct = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Corrupt)?;
        let payload = Payload {
            msg: &ct,
            aad: entity_type.as_bytes(),
        };
        let pt = self
            .aead
            .decrypt(Nonce::from_slice(&self.nonce), payload)
            .map_err(|_| TokenError::Corrupt)?;
        String::from_utf8(pt).map_err(|_| TokenError::Corrupt)
    }

    // ----- FF1 primitives -------------------------------------------------------------------

    fn cipher(&self, radix: u32) -> &FF1<aes::Aes256> {
        match radix {
            10 => &self.ff1.r10,
            16 => &self.ff1.r16,
            26 => &self.ff1.r26,
            _ => &self.ff1.r256,
        }
    }

    /// One FF1 pass; `None` when the domain is below the NIST minimum.
    fn ff1_once(&self, radix: u32, tweak: &[u8], x: &[u16], dir: Dir) -> Option<Vec<u16>> {
        if (radix as f64).powi(x.len() as i32) < MIN_DOMAIN {
            return None;
        }
        let ns = FlexibleNumeralString::from(x.to_vec());
        let c = self.cipher(radix);
        let out = match dir {
            Dir::Enc => c.encrypt(tweak, &ns),
            Dir::Dec => c.decrypt(tweak, &ns),
        };
        out.ok().map(Vec::from)
    }

    /// FF1 with cycle walking: the result stays inside the set `ok` (which `x` must be in).
    fn ff1_walk(
        &self,
        radix: u32,
        tweak: &[u8],
        x: &[u16],
        dir: Dir,
        ok: impl Fn(&[u16]) -> bool,
    ) -> Option<Vec<u16>> {
        if !ok(x) {
            return None;
        }
        let mut y = self.ff1_once(radix, tweak, x, dir)?;
        for _ in 0..MAX_WALK {
            if ok(&y) {
                return Some(y);
            }
            y = self.ff1_once(radix, tweak, &y, dir)?;
        }
        None
    }

    // ----- typed shapes ---------------------------------------------------------------------

    /// Card: FF1 over all digits but the last, first digit kept in the issuer range 2-6, Luhn
    /// check digit recomputed; separators stay where they were.
    fn card(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let digits = ascii_digits(s);
        if !(13..=19).contains(&digits.len()) || !v::luhn_valid(s) {
            return None;
        }
        let body = &digits[..digits.len() - 1];
        let tweak = self.tweak(entity_type);
        let mut out = self.ff1_walk(10, &tweak, body, dir, |d| (2..=6).contains(&d[0]))?;
        let check = v::luhn_check_digit(&out.iter().map(|d| *d as u8).collect::<Vec<_>>());
        out.push(u16::from(check));
        Some(put_digits(s, &out))
    }

    fn digits_walk(
        &self,
        entity_type: &str,
        s: &str,
        dir: Dir,
        ok: impl Fn(&[u16]) -> bool,
    ) -> Option<String> {
        let digits = ascii_digits(s);
        let out = self.ff1_walk(10, &self.tweak(entity_type), &digits, dir, ok)?;
        Some(put_digits(s, &out))
    }

    /// Phone: a NANP number stays NANP (country code 1 kept); an international number keeps its
    /// `+` and country code group; the remaining digits are encrypted.
    fn phone(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let digits = ascii_digits(s);
        let tweak = self.tweak(entity_type);
        let international = s.trim_start().starts_with('+');
        let nanp = (digits.len() == 10 && !international)
            || (digits.len() == 11
                && digits[0] == 1
                && (!international || s.trim_start().starts_with("+1")));
        let keep = if nanp {
            digits.len() - 10
        } else if international {
            // Digits before the first separator after '+', at most 3: the country code.
            let after_plus = s.trim_start().trim_start_matches('+');
            let cc = after_plus.bytes().take_while(u8::is_ascii_digit).count();
            if (1..=3).contains(&cc) && cc < digits.len() {
                cc
            } else {
                2.min(digits.len())
            }
        } else {
            0
        };
        let (head, tail) = digits.split_at(keep);
        let enc = if nanp {
            self.ff1_walk(10, &tweak, tail, dir, |d| {
                v::nanp_valid(&d.iter().map(|x| *x as u8).collect::<Vec<_>>())
            })?
        } else {
            self.ff1_walk(10, &tweak, tail, dir, |_| true)?
        };
        let mut all = head.to_vec();
        all.extend(enc);
        Some(put_digits(s, &all))
    }

    /// IBAN: country kept, BBAN digits and letters encrypted per class, check digits recomputed.
    fn iban(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let compact: String = s.chars().filter(|c| *c != ' ').collect();
        if compact.len() < 5 || !compact.is_ascii() {
            return None;
        }
        let country = &compact[..2];
        let bban_in = &compact[4..];
        let bban_out = self.by_class(entity_type, bban_in, dir, 0)?;
        let check = v::iban_check_digits(country, &bban_out)?;
        let new_compact = format!("{country}{check}{bban_out}");
        // Put spaces back where they were.
        let mut chars = new_compact.chars();
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c == ' ' {
                out.push(' ');
            } else {
                out.push(chars.next()?);
            }
        }
        Some(out)
    }

    fn ipv4(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let addr: std::net::Ipv4Addr = s.parse().ok()?;
        if addr.to_string() != s {
            return None;
        }
        let x: Vec<u16> = addr.octets().iter().map(|o| u16::from(*o)).collect();
        let y = self.ff1_once(256, &self.tweak(entity_type), &x, dir)?;
        Some(format!("{}.{}.{}.{}", y[0], y[1], y[2], y[3]))
    }

    /// MAC: the 12 hex digits through FF1 radix 16; letter case kept (so mixed case → opaque),
    /// and at least one hex letter in both value and token so decryption knows the case.
    fn mac(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let hex: Vec<char> = s.chars().filter(char::is_ascii_hexdigit).collect();
        if hex.len() != 12 {
            return None;
        }
        let upper = hex.iter().any(char::is_ascii_uppercase);
        let lower = hex.iter().any(char::is_ascii_lowercase);
        if upper == lower {
            return None;
        }
        let x: Vec<u16> = hex
            .iter()
            .map(|c| c.to_digit(16).unwrap_or(0) as u16)
            .collect();
        let y = self.ff1_walk(16, &self.tweak(entity_type), &x, dir, |d| {
            d.iter().any(|n| *n >= 10)
        })?;
        let mut it = y.into_iter();
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii_hexdigit() {
                let n = u32::from(it.next()?);
                let h = char::from_digit(n, 16)?;
                out.push(if upper { h.to_ascii_uppercase() } else { h });
            } else {
                out.push(c);
            }
        }
        Some(out)
    }

    /// Email: letters and digits of the local part and of the domain (TLD kept) are encrypted
    /// per class; dots, `@`, `+`, `-`, `_` and the TLD stay, so the token is a valid address.
    fn email(&self, entity_type: &str, s: &str, dir: Dir) -> Option<String> {
        let tld_start = s.rfind('.')?;
        if !s[..tld_start].contains('@') {
            return None;
        }
        self.by_class(entity_type, s, dir, tld_start)
    }

    /// FF1 per character class over `s[..limit]` (`limit == 0` means the whole string): ASCII
    /// digits (radix 10), lower-case and upper-case letters (radix 26). Classes below the NIST
    /// minimum domain stay as they are; `None` if no class could be encrypted.
    fn by_class(&self, entity_type: &str, s: &str, dir: Dir, limit: usize) -> Option<String> {
        let limit = if limit == 0 { s.len() } else { limit };
        let (head, tail) = s.split_at(limit);
        let classes: [CharClass; 3] = [
            (u8::is_ascii_digit, b'0', 10, b"d"),
            (u8::is_ascii_lowercase, b'a', 26, b"l"),
            (u8::is_ascii_uppercase, b'A', 26, b"u"),
        ];
        let mut out: Vec<u8> = head.as_bytes().to_vec();
        let mut any = false;
        let base_tweak = self.tweak(entity_type);
        for (is, zero, radix, label) in classes {
            let positions: Vec<usize> = out
                .iter()
                .enumerate()
                .filter(|(_, b)| is(b))
                .map(|(i, _)| i)
                .collect();
            let x: Vec<u16> = positions
                .iter()
                .map(|&i| u16::from(out[i] - zero))
                .collect();
            let mut tweak = base_tweak.to_vec();
            tweak.extend_from_slice(label);
            if let Some(y) = self.ff1_once(radix, &tweak, &x, dir) {
                any = true;
                for (&i, d) in positions.iter().zip(y) {
                    out[i] = zero + d as u8;
                }
            }
        }
        if !any {
            return None;
        }
        let mut s_out = String::from_utf8(out).ok()?;
        s_out.push_str(tail);
        Some(s_out)
    }
}

/// (membership test, value of the class's first character, radix, tweak label)
type CharClass = (fn(&u8) -> bool, u8, u32, &'static [u8]);

#[derive(Clone, Copy)]
enum Dir {
    Enc,
    Dec,
}

fn ascii_digits(s: &str) -> Vec<u16> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u16::from(b - b'0'))
        .collect()
}

/// Writes `digits` over the ASCII digits of `template`, keeping everything else.
fn put_digits(template: &str, digits: &[u16]) -> String {
    let mut it = digits.iter();
    template
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                it.next().map_or(c, |d| char::from(b'0' + *d as u8))
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
