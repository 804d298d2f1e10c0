//! Checksums and structural rules of a bare value (Luhn, IBAN mod-97, SSN ranges, dates, …),
//! shared by the recognizers' validators (`recognizers/validate.rs`, which also look at the
//! text around a match) and by tokenization (which must produce values that pass them).
use base64::Engine;

/// Luhn (mod 10) over the ASCII digits of `s`; other characters are ignored.
pub fn luhn_valid(s: &str) -> bool {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() < 2 {
        return false;
    }
    luhn_sum(&digits).is_multiple_of(10)
}

fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum()
}

/// The check digit that makes `payload` (digits 0..=9, without check digit) Luhn-valid.
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let mut with_zero = payload.to_vec();
    with_zero.push(0);
    ((10 - luhn_sum(&with_zero) % 10) % 10) as u8
}

/// IBAN length per country (ISO 13616 registry).
pub fn iban_length(country: &str) -> Option<usize> {
    Some(match country {
        "AD" => 24,
        "AE" => 23,
        "AL" => 28,
        "AT" => 20,
        "AZ" => 28,
        "BA" => 20,
        "BE" => 16,
        "BG" => 22,
        "BH" => 22,
        "BI" => 27,
        "BR" => 29,
        "BY" => 28,
        "CH" => 21,
        "CR" => 22,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DJ" => 27,
        "DK" => 18,
        "DO" => 28,
        "EE" => 20,
        "EG" => 29,
        "ES" => 24,
        "FI" => 18,
        "FK" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GE" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "GT" => 28,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IL" => 23,
        "IQ" => 23,
        "IS" => 26,
        "IT" => 27,
        "JO" => 30,
        "KW" => 30,
        "KZ" => 20,
        "LB" => 28,
        "LC" => 32,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "LY" => 25,
        "MC" => 27,
        "MD" => 24,
        "ME" => 22,
        "MK" => 19,
        "MN" => 20,
        "MR" => 27,
        "MT" => 31,
        "MU" => 30,
        "NI" => 28,
        "NL" => 18,
        "NO" => 15,
        "OM" => 23,
        "PK" => 24,
        "PL" => 28,
        "PS" => 29,
        "PT" => 25,
        "QA" => 29,
        "RO" => 24,
        "RS" => 22,
        "RU" => 33,
        "SA" => 24,
        "SC" => 31,
        "SD" => 18,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "SO" => 23,
        "ST" => 25,
        "SV" => 28,
        "TL" => 23,
        "TN" => 24,
        "TR" => 26,
        "UA" => 29,
        "VA" => 22,
        "VG" => 24,
        "XK" => 20,
        "YE" => 30,
        _ => return None,
    })
}

/// mod-97 of an IBAN (compact, upper case) after moving the first four characters to the end.
pub fn iban_mod97(compact: &str) -> Option<u32> {
    if compact.len() < 5 || !compact.is_ascii() {
        return None;
    }
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    let mut rem: u32 = 0;
    for b in rearranged {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return None,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

/// Full IBAN check: known country, exact length, mod-97 == 1.
pub fn iban_valid(compact: &str) -> bool {
    compact.len() >= 4
        && compact.is_ascii()
        && iban_length(&compact[..2]) == Some(compact.len())
        && compact[2..4].bytes().all(|b| b.is_ascii_digit())
        && iban_mod97(compact) == Some(1)
}

/// The two check digits that make `country + "00" + bban` a valid IBAN.
pub fn iban_check_digits(country: &str, bban: &str) -> Option<String> {
    let probe = format!("{country}00{bban}");
    let rem = iban_mod97(&probe)?;
    Some(format!("{:02}", 98 - rem))
}

/// US SSN rules: area not 000, 666 or 9xx; group not 00; serial not 0000; and not one of the
/// well-known placeholders.
pub fn ssn_valid(digits: &str) -> bool {
    let d: Vec<u8> = digits.bytes().filter(u8::is_ascii_digit).collect();
    if d.len() != 9 {
        return false;
    }
    let area = &d[0..3];
    let group = &d[3..5];
    let serial = &d[5..9];
    if area == b"000" || area == b"666" || area[0] == b'9' {
        return false;
    }
    if group == b"00" || serial == b"0000" {
        return false;
    }
    if d.iter().all(|&c| c == d[0]) || d == b"123456789" || d == b"078051120" {
        return false;
    }
    true
}

/// The ASCII digits of `s`, as numbers.
fn digit_values(s: &str) -> Vec<u32> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect()
}

/// ABA routing transit number: nine digits, a Federal Reserve prefix (00-12, 21-32, 61-72, 80)
/// and the 3-7-1 checksum.
pub fn aba_valid(s: &str) -> bool {
    let d = digit_values(s);
    if d.len() != 9 {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum: u32 = d
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(x, w)| x * w)
        .sum();
    prefix_ok && sum.is_multiple_of(10) && d.iter().any(|&x| x != 0)
}

/// US ITIN: nine digits, area 9xx, group 50-65, 70-88, 90-92 or 94-99.
pub fn itin_valid(s: &str) -> bool {
    let d = digit_values(s);
    if d.len() != 9 || d[0] != 9 {
        return false;
    }
    let group = d[3] * 10 + d[4];
    matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

/// UK National Insurance number: two prefix letters (first not D, F, I, Q, U, V; second not
/// D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN, ZZ), six digits, an optional suffix A-D.
pub fn nino_valid(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(8..=9).contains(&compact.len()) {
        return false;
    }
    let (a, b) = (compact[0], compact[1]);
    let first_ok = a.is_ascii_uppercase() && !b"DFIQUV".contains(&a);
    let second_ok = b.is_ascii_uppercase() && !b"DFIOQUV".contains(&b);
    let pair_banned = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"]
        .iter()
        .any(|p| p[..] == compact[..2]);
    let digits_ok = compact[2..8].iter().all(u8::is_ascii_digit);
    let suffix_ok = compact.get(8).is_none_or(|c| (b'A'..=b'D').contains(c));
    first_ok && second_ok && !pair_banned && digits_ok && suffix_ok
}

/// NHS number: ten digits, mod-11 check digit (weights 10 to 2; a remainder giving 10 is
/// never issued).
pub fn nhs_valid(s: &str) -> bool {
    let d = digit_values(s);
    if d.len() != 10 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, x)| x * (10 - i as u32))
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

/// Canadian Social Insurance Number: nine digits, Luhn, first digit not 0 or 8.
pub fn sin_valid(s: &str) -> bool {
    let d = digit_values(s);
    d.len() == 9 && d[0] != 0 && d[0] != 8 && luhn_valid(s) && d.iter().any(|&x| x != d[0])
}

/// An IPv4 netmask (contiguous one bits from the top, at least eight) or the all-zero and
/// broadcast addresses: configuration values, not a host.
pub fn ipv4_is_mask(s: &str) -> bool {
    let Ok(addr) = s.parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    let bits = u32::from(addr);
    bits == 0 || (bits.leading_ones() >= 8 && bits.leading_ones() + bits.trailing_zeros() == 32)
}

/// Shannon entropy of `s` in bits per character.
pub fn entropy_bits(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// NANP: area code and exchange start with 2-9, area code is not N11 / 555 exchange is fine.
pub fn nanp_valid(ten_digits: &[u8]) -> bool {
    ten_digits.len() == 10
        && ten_digits[0] >= 2
        && ten_digits[3] >= 2
        && !(ten_digits[1] == 1 && ten_digits[2] == 1)
}

/// Bitcoin legacy/P2SH address: base58check, version 0x00 / 0x05 (mainnet) or 0x6f / 0xc4.
pub fn btc_base58_valid(s: &str) -> bool {
    match bs58::decode(s).with_check(None).into_vec() {
        Ok(payload) => payload.len() == 21 && matches!(payload[0], 0x00 | 0x05 | 0x6f | 0xc4),
        Err(_) => false,
    }
}

/// Bitcoin segwit address (bech32 / bech32m) with a `bc` or `tb` prefix.
pub fn btc_bech32_valid(s: &str) -> bool {
    match bech32::segwit::decode(s) {
        Ok((hrp, _, _)) => matches!(hrp.as_str(), "bc" | "tb"),
        Err(_) => false,
    }
}

/// A JWT: three base64url parts whose first decodes to a JSON object with `alg`.
pub fn jwt_valid(s: &str) -> bool {
    let mut parts = s.split('.');
    let Some(header) = parts.next() else {
        return false;
    };
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Ok(raw) = engine.decode(header.trim_end_matches('=')) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&raw)
        .ok()
        .and_then(|v| v.get("alg").map(|_| ()))
        .is_some()
}

/// Calendar check for a day/month/year triple.
pub fn date_valid(year: u32, month: u32, day: u32) -> bool {
    if !(1..=12).contains(&month) || day == 0 || !(1000..=2999).contains(&year) {
        return false;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

/// Month number of an English month name or abbreviation.
pub fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if lower.len() < 3 {
        return None;
    }
    let prefix = &lower[..3];
    let idx = months.iter().position(|m| *m == prefix)?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][idx];
    (lower.len() == 3 || full.starts_with(&lower) || lower == "sept").then_some(idx as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(luhn_valid("378282246310005"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
        assert_eq!(
            luhn_check_digit(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            1
        );
    }

    #[test]
    fn iban() {
        assert!(iban_valid("DE89370400440532013000"));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("GB82WEST12345698765433"));
        assert!(!iban_valid("DE8937040044053201300")); // wrong length
        assert!(!iban_valid("XX89370400440532013000")); // unknown country
        assert_eq!(
            iban_check_digits("DE", "370400440532013000").as_deref(),
            Some("89")
        );
    }

    #[test]
    fn ssn() {
        assert!(ssn_valid("536-22-1234"));
        assert!(!ssn_valid("000-12-3456"));
        assert!(!ssn_valid("666-12-3456"));
        assert!(!ssn_valid("912-12-3456"));
        assert!(!ssn_valid("536-00-1234"));
        assert!(!ssn_valid("536-22-0000"));
        assert!(!ssn_valid("123-45-6789"));
    }

    #[test]
    fn bank_and_national_numbers() {
        assert!(aba_valid("021000021"));
        assert!(aba_valid("011401533"));
        assert!(!aba_valid("021000022")); // checksum
        assert!(!aba_valid("991000021")); // no such Federal Reserve prefix
        assert!(itin_valid("912-70-1234"));
        assert!(itin_valid("999 94 1234"));
        assert!(!itin_valid("912-93-1234")); // group 93 is not issued
        assert!(!itin_valid("812-70-1234"));
        assert!(nino_valid("AB 12 34 56 C"));
        assert!(nino_valid("JG103759A"));
        assert!(!nino_valid("GB123456A")); // banned prefix
        assert!(!nino_valid("DA123456A")); // D is never a first letter
        assert!(!nino_valid("AB123456E")); // suffix A-D only
        assert!(nhs_valid("943 476 5919"));
        assert!(nhs_valid("4010232137"));
        assert!(!nhs_valid("943 476 5918"));
        assert!(sin_valid("130 692 544"));
        assert!(!sin_valid("130 692 545"));
        assert!(luhn_valid("046454286") && !sin_valid("046 454 286")); // 0 is not issued
        assert!(luhn_valid("846454288") && !sin_valid("846 454 288")); // 8 is not issued
    }

    #[test]
    fn masks_and_entropy() {
        assert!(ipv4_is_mask("255.255.255.0"));
        assert!(ipv4_is_mask("255.255.240.0"));
        assert!(ipv4_is_mask("0.0.0.0"));
        assert!(!ipv4_is_mask("255.0.255.0"));
        assert!(!ipv4_is_mask("192.168.1.10"));
        assert!(entropy_bits("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") > 4.0);
        assert!(entropy_bits("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") < 0.1);
    }

    #[test]
    fn bitcoin() {
        assert!(btc_base58_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(btc_base58_valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!btc_base58_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(btc_bech32_valid(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        ));
        assert!(!btc_bech32_valid(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"
        ));
    }

    #[test]
    fn jwt_and_dates() {
        assert!(jwt_valid(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.sig"
        ));
        assert!(!jwt_valid("eyJub3RoaW5nIjoxfQ.eyJzdWIiOiIxIn0.sig"));
        assert!(date_valid(2024, 2, 29));
        assert!(!date_valid(2023, 2, 29));
        assert!(!date_valid(2023, 13, 1));
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("December"), Some(12));
        assert_eq!(month_number("Decimal"), None);
    }
}
