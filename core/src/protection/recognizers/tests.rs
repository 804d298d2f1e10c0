//! Per-recognizer positives and negatives, offsets, overlaps.
use crate::protection::{CustomPattern, Entity, ProtectionConfig, ProtectionEngine};
use std::sync::OnceLock;

pub(super) fn engine() -> &'static ProtectionEngine {
    static E: OnceLock<ProtectionEngine> = OnceLock::new();
    E.get_or_init(|| ProtectionEngine::new(ProtectionConfig::default()).unwrap())
}

pub(super) fn found(text: &str) -> Vec<(String, String)> {
    engine()
        .discover(text, 0.6)
        .into_iter()
        .map(|e| (e.entity_type, e.text.into_inner()))
        .collect()
}

/// Asserts `value` is found as `ty` inside `sentence` (which contains `value`).
#[track_caller]
pub(super) fn hit(ty: &str, sentence: &str, value: &str) {
    let got = found(sentence);
    assert!(
        got.iter().any(|(t, v)| t == ty && v == value),
        "{ty} {value:?} not found in {sentence:?}; got {got:?}"
    );
}

/// Asserts nothing of type `ty` is found in `sentence`.
#[track_caller]
pub(super) fn miss(ty: &str, sentence: &str) {
    let got = found(sentence);
    assert!(
        !got.iter().any(|(t, _)| t == ty),
        "unexpected {ty} in {sentence:?}: {got:?}"
    );
}

#[test]
fn email() {
    hit(
        "EMAIL",
        "write to jane.doe+news@mail.example.co.uk today",
        "jane.doe+news@mail.example.co.uk",
    );
    hit(
        "EMAIL",
        "contact: J_Smith99@Example.ORG.",
        "J_Smith99@Example.ORG",
    );
    miss("EMAIL", "the @ sign and foo@bar are not addresses");
    miss("EMAIL", "version 1.2@beta");
}

#[test]
fn phone() {
    hit(
        "PHONE",
        "call me at (415) 555-2671 tomorrow",
        "(415) 555-2671",
    );
    hit("PHONE", "mobile +1 212-555-0187", "+1 212-555-0187");
    hit("PHONE", "office 650.253.0000", "650.253.0000");
    hit(
        "PHONE",
        "London office +44 20 7946 0958",
        "+44 20 7946 0958",
    );
    hit("PHONE", "E.164: +4915123456789", "+4915123456789");
    hit("PHONE", "Paris +33 1 42 68 53 00.", "+33 1 42 68 53 00");
    hit("PHONE", "phone 4155552671", "4155552671");
    miss("PHONE", "order 123-456-7890123 shipped");
    miss("PHONE", "area code 123 555 1234 is invalid");
    miss("PHONE", "the year 2024 and 12 items");
}

#[test]
fn ssn() {
    hit("SSN", "my SSN is 536-22-1234", "536-22-1234");
    hit("SSN", "social security number 536 22 1234", "536 22 1234");
    hit("SSN", "ssn: 536221234", "536221234");
    miss("SSN", "ssn 000-12-3456");
    miss("SSN", "ssn 666-12-3456");
    miss("SSN", "ssn 912-12-3456");
    miss("SSN", "ssn 536-00-1234");
    miss("SSN", "order 536221234 shipped");
}

#[test]
fn credit_card() {
    hit(
        "CREDIT_CARD",
        "card 4111 1111 1111 1111 exp 12/27",
        "4111 1111 1111 1111",
    );
    hit(
        "CREDIT_CARD",
        "pay with 5500-0000-0000-0004",
        "5500-0000-0000-0004",
    );
    hit("CREDIT_CARD", "amex 3782 822463 10005", "3782 822463 10005");
    hit("CREDIT_CARD", "4012888888881881", "4012888888881881");
    hit(
        "CREDIT_CARD",
        "19 digits 6011 0009 9013 9424 009",
        "6011 0009 9013 9424 009",
    );
    hit("CREDIT_CARD", "maestro 501884269439 ok", "501884269439");
    miss("CREDIT_CARD", "ticket 123456789031 closed"); // 12 digits, Luhn-valid, not Maestro
    hit(
        "CREDIT_CARD",
        "token=4869 3733 713466 39861 declined",
        "3733 713466 39861",
    );
    miss("CREDIT_CARD", "card 4111 1111 1111 1112");
    miss("CREDIT_CARD", "tracking 1234567890123");
}

#[test]
fn iban() {
    hit(
        "IBAN",
        "IBAN DE89 3704 0044 0532 0130 00 please",
        "DE89 3704 0044 0532 0130 00",
    );
    hit(
        "IBAN",
        "to GB82WEST12345698765432.",
        "GB82WEST12345698765432",
    );
    hit(
        "IBAN",
        "FR1420041010050500013M02606 ok",
        "FR1420041010050500013M02606",
    );
    miss("IBAN", "IBAN DE89 3704 0044 0532 0130 01");
    miss("IBAN", "code XX89370400440532013000");
}

#[test]
fn ip_address() {
    hit(
        "IP_ADDRESS",
        "server at 192.168.10.254, port 22",
        "192.168.10.254",
    );
    hit(
        "IP_ADDRESS",
        "ipv6 2001:db8:85a3::8a2e:370:7334 is up",
        "2001:db8:85a3::8a2e:370:7334",
    );
    hit(
        "IP_ADDRESS",
        "loopback ::1 and fe80::1ff:fe23:4567:890a",
        "fe80::1ff:fe23:4567:890a",
    );
    miss("IP_ADDRESS", "version 1.2.3.4.5 released");
    miss("IP_ADDRESS", "999.1.1.1 is not an address");
    miss("IP_ADDRESS", "meet at 10:30:45 today");
}

#[test]
fn mac_address() {
    hit(
        "MAC_ADDRESS",
        "NIC 00:1A:2B:3C:4D:5E up",
        "00:1A:2B:3C:4D:5E",
    );
    hit("MAC_ADDRESS", "mac a4-5e-60-c2-19-0f", "a4-5e-60-c2-19-0f");
    hit("MAC_ADDRESS", "cisco mac 001a.2b3c.4d5e", "001a.2b3c.4d5e");
    miss("MAC_ADDRESS", "00:1A:2B:3C:4D is short");
}

#[test]
fn url() {
    hit(
        "URL",
        "see https://example.com/a/b?x=1&y=2.",
        "https://example.com/a/b?x=1&y=2",
    );
    hit(
        "URL",
        "(docs at https://en.wikipedia.org/wiki/Rust_(programming_language))",
        "https://en.wikipedia.org/wiki/Rust_(programming_language)",
    );
    hit(
        "URL",
        "go to www.example.org/path now",
        "www.example.org/path",
    );
    miss("URL", "http:// alone is not a url");
}

#[test]
fn passport_and_driver_license_need_context() {
    hit(
        "US_PASSPORT",
        "my passport number is A12345678",
        "A12345678",
    );
    hit("US_PASSPORT", "Passport: 912345678", "912345678");
    hit("DRIVER_LICENSE", "driver's license D1234567", "D1234567");
    hit(
        "DRIVER_LICENSE",
        "DL# F255-921-50-094-0",
        "F255-921-50-094-0",
    );
    miss("US_PASSPORT", "order A12345678 shipped");
    miss("DRIVER_LICENSE", "part D1234567 in stock");
}

#[test]
fn date() {
    hit("DATE", "born on 1985-03-14 in", "1985-03-14");
    hit("DATE", "DOB: 03/14/1985", "03/14/1985");
    hit("DATE", "on 14.03.1985 we", "14.03.1985");
    hit("DATE", "since March 14, 1985", "March 14, 1985");
    hit("DATE", "from 14th of March 1985", "14th of March 1985");
    miss("DATE", "ratio 13/14/1985 wrong");
    miss("DATE", "on 2023-02-30 nothing");
    miss("DATE", "version 1.2.23");
}

#[test]
fn crypto() {
    hit(
        "CRYPTO",
        "send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    );
    hit(
        "CRYPTO",
        "p2sh 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    );
    hit(
        "CRYPTO",
        "segwit bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    );
    miss("CRYPTO", "bad 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3");
    miss("CRYPTO", "bad bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx");
}

#[test]
fn secrets() {
    hit(
        "SECRET",
        "key AKIAIOSFODNN7EXAMPLE here",
        "AKIAIOSFODNN7EXAMPLE",
    );
    hit(
        "SECRET",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    hit(
        "SECRET",
        "token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    );
    hit(
        "SECRET",
        "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx",
        "sk-proj-abcdefghijklmnopqrstuvwx",
    );
    hit(
        "SECRET",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    );
    hit("SECRET", "password: hunter2!", "hunter2!");
    hit("SECRET", "my password is Tr0ub4dor&3 ok", "Tr0ub4dor&3");
    hit(
        "SECRET",
        "db postgres://admin:s3cr3tpw@db.internal:5432/app",
        "s3cr3tpw",
    );
    let pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----";
    hit("SECRET", &format!("key:\n{pem}\nthanks"), pem);
    miss("SECRET", "what is a password manager?");
    miss("SECRET", "the skeleton key is a metaphor");
}

#[test]
fn person() {
    hit("PERSON", "Please email John Smith about it", "John Smith");
    hit(
        "PERSON",
        "I met Maria Garcia Lopez yesterday",
        "Maria Garcia Lopez",
    );
    hit("PERSON", "Dr. Okonkwo will see you", "Okonkwo");
    hit("PERSON", "my name is Priya", "Priya");
    hit("PERSON", "signed, John F. Kennedy", "John F. Kennedy");
    hit("PERSON", "ask Xiomara Rodriguez", "Xiomara Rodriguez");
    hit("PERSON", "Dalton Herrera called", "Dalton Herrera");
    miss(
        "PERSON",
        "The Python Software Foundation released Rust bindings",
    );
    miss("PERSON", "Monday and Tuesday in January");
    miss("PERSON", "Will you help me?");
}

#[test]
fn location() {
    hit("LOCATION", "I live in San Francisco now", "San Francisco");
    hit("LOCATION", "she moved to Hamburg", "Hamburg");
    hit(
        "LOCATION",
        "ship to 1600 Pennsylvania Avenue, Washington, DC 20500",
        "1600 Pennsylvania Avenue, Washington, DC 20500",
    );
    hit("LOCATION", "我住在東京", "東京");
    hit("LOCATION", "we moved to Gifhorn last year", "Gifhorn");
    hit(
        "LOCATION",
        "ship it to 446 Blake Junctions Suite 047, West Janebury, FL 99739",
        "446 Blake Junctions Suite 047, West Janebury, FL 99739",
    );
    miss("LOCATION", "I work in Marketing");
    miss("LOCATION", "Victoria called");
}

#[test]
fn offsets_are_characters_for_accents_cjk_and_emoji() {
    let text = "Café ☕ 東京 👩‍👩‍👧 écrire à zoë@exemple.fr — 📞 (415) 555-2671";
    let entities = engine().discover(text, 0.6);
    let chars: Vec<char> = text.chars().collect();
    let email = entities.iter().find(|e| e.entity_type == "EMAIL").unwrap();
    let phone = entities.iter().find(|e| e.entity_type == "PHONE").unwrap();
    for e in [email, phone] {
        let by_chars: String = chars[e.start..e.end].iter().collect();
        assert_eq!(&by_chars, e.text.expose());
        assert_eq!(&text[e.byte_start..e.byte_end], e.text.expose());
    }
    assert_eq!(email.text.expose(), "zoë@exemple.fr");
    assert_eq!(phone.end, chars.len());
}

#[test]
fn overlaps_resolve_deterministically() {
    // The card digits also look like a phone and a bare number; the validated card wins.
    let text = "card 4111-1111-1111-1111 and https://user:pw12345@example.com/x";
    let a: Vec<Entity> = engine().discover(text, 0.3);
    let b: Vec<Entity> = engine().discover(text, 0.3);
    assert_eq!(a, b);
    for w in a.windows(2) {
        assert!(w[0].end <= w[1].start, "overlap: {:?}", a);
    }
    assert!(a
        .iter()
        .any(|e| e.entity_type == "CREDIT_CARD" && e.text.expose() == "4111-1111-1111-1111"));
}

#[test]
fn threshold_filters_and_context_raises() {
    let weak = "it was 536221234";
    assert!(engine().discover(weak, 0.6).is_empty());
    assert!(!engine().discover(weak, 0.2).is_empty());
    let ctx = engine().discover("my ssn is 536221234", 0.6);
    assert_eq!(ctx.len(), 1);
    assert_eq!(ctx[0].context_word.as_deref(), Some("ssn"));
}

#[test]
fn custom_patterns_are_recognized() {
    let engine = ProtectionEngine::new(ProtectionConfig {
        custom_patterns: vec![
            CustomPattern {
                entity_type: "EMPLOYEE_ID".into(),
                pattern: r"\bEMP-\d{6}\b".into(),
                score: 0.5,
                context: vec!["employee".into()],
            },
            CustomPattern {
                entity_type: "PROJECT".into(),
                pattern: r"project (?P<value>[A-Z][a-z]+)".into(),
                score: 0.9,
                context: vec![],
            },
        ],
        ..Default::default()
    })
    .unwrap();
    let got = engine.discover("employee EMP-123456 on project Falcon", 0.6);
    let pairs: Vec<(&str, &str)> = got
        .iter()
        .map(|e| (e.entity_type.as_str(), e.text.expose().as_str()))
        .collect();
    assert!(pairs.contains(&("EMPLOYEE_ID", "EMP-123456")));
    assert!(pairs.contains(&("PROJECT", "Falcon")));
    assert!(
        engine.discover("EMP-123456", 0.6).is_empty(),
        "no context, score 0.5"
    );
}

#[test]
fn chunked_scan_finds_exactly_what_a_whole_text_scan_finds() {
    let recognizers = crate::protection::Recognizers::new(&[]).unwrap();
    let pieces = [
        "Call (415) 555-2671 now. ",
        "Card 4111 1111 1111 1111, ",
        "IBAN DE89 3704 0044 0532 0130 00. ",
        "Jane Doe lives in Berlin. ",
        "ssn 536-22-1234 ",
        "é東京😀 ",
        "mail jane.doe@example.com ",
        "AKIAIOSFODNN7EXAMPLE ",
        "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY----- ",
        "lorem ipsum dolor sit amet ",
    ];
    // Shift the pieces by 0..40 bytes so entities straddle chunk borders at many offsets.
    for pad in 0..40 {
        let mut text = "x".repeat(pad);
        let mut i = 0;
        while text.len() < 5000 {
            text.push_str(pieces[i % pieces.len()]);
            i += 7;
        }
        let a = recognizers.discover(&text, 0.3);
        let b = recognizers.discover_plain(&text, 0.3);
        assert_eq!(a, b, "pad {pad}");
        assert!(a.len() > 100);
    }
}
