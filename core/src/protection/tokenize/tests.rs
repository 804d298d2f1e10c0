use super::*;
use crate::protection::validators as v;
use proptest::prelude::*;

fn key(b: u8) -> TenantKey {
    TenantKey([b; 32])
}

fn ctx(conv: &str) -> TokenContext {
    TokenContext::new(conv, &key(7), IssuedTokens::new())
}

#[test]
fn card_token_is_a_luhn_valid_card_of_the_same_shape() {
    let mut c = ctx("conv-1");
    for card in [
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",
        "6011000990139424009",
    ] {
        let t = c.protect("CREDIT_CARD", card);
        assert_ne!(t, card);
        assert_eq!(t.len(), card.len());
        assert!(v::luhn_valid(&t), "{t}");
        assert!((b'2'..=b'6').contains(&t.as_bytes()[0]));
        for (a, b) in card.chars().zip(t.chars()) {
            assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
            if !a.is_ascii_digit() {
                assert_eq!(a, b);
            }
        }
        assert_eq!(c.reveal(&t).unwrap(), card);
    }
}

#[test]
fn typed_shapes_round_trip() {
    let mut c = ctx("conv-1");
    let cases = [
        ("SSN", "536-22-1234"),
        ("PHONE", "(415) 555-2671"),
        ("PHONE", "+1 212-555-0187"),
        ("PHONE", "+44 20 7946 0958"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("IBAN", "GB82WEST12345698765432"),
        ("IP_ADDRESS", "192.168.10.254"),
        ("MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),
        ("EMAIL", "jane.doe@example.com"),
        ("US_PASSPORT", "A12345678"),
        ("DRIVER_LICENSE", "D1234567"),
    ];
    for (ty, value) in cases {
        let t = c.protect(ty, value);
        assert_ne!(t, value, "{ty}");
        assert!(
            !t.starts_with('['),
            "{ty} fell back to an opaque token: {t}"
        );
        if ty != "IP_ADDRESS" {
            assert_eq!(t.len(), value.len(), "{ty}: {t}");
        }
        assert_eq!(c.reveal(&t).unwrap(), value, "{ty}");
    }
    let ssn = c.protect("SSN", "536-22-1234");
    assert!(v::ssn_valid(&ssn));
    let phone = c.protect("PHONE", "(415) 555-2671");
    let d: Vec<u8> = phone
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    assert!(v::nanp_valid(&d), "{phone}");
    let iban = c.protect("IBAN", "DE89 3704 0044 0532 0130 00");
    assert!(iban.starts_with("DE"));
    assert!(v::iban_valid(&iban.replace(' ', "")), "{iban}");
    let ip = c.protect("IP_ADDRESS", "192.168.10.254");
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok());
    let email = c.protect("EMAIL", "jane.doe@example.com");
    assert!(
        email.ends_with(".com") && email.contains('@') && email.chars().nth(4) == Some('.'),
        "{email}"
    );
}

#[test]
fn small_domains_and_other_types_get_opaque_authenticated_tokens() {
    let mut c = ctx("conv-1");
    for (ty, value) in [
        ("PERSON", "Jane Doe"),
        ("EMAIL", "a@b.co"),
        ("US_PASSPORT", "AB123"),
        ("SECRET", "hunter2"),
        ("IP_ADDRESS", "2001:db8::1"),
    ] {
        let t = c.protect(ty, value);
        assert!(t.starts_with(&format!("[{ty}:")) && t.ends_with(']'), "{t}");
        assert_eq!(c.reveal(&t).unwrap(), value);
    }
    // A forged token (valid shape, not issued) is refused; a tampered issued one fails auth.
    let t = c.protect("PERSON", "Jane Doe");
    let mut forged = t.clone();
    forged.insert(forged.len() - 2, 'A');
    assert_eq!(c.reveal(&forged), Err(TokenError::NotIssued));
    let mut tampered = IssuedTokens::new();
    tampered.insert(&forged, "PERSON");
    let c2 = TokenContext::new("conv-1", &key(7), tampered);
    assert_eq!(c2.reveal(&forged), Err(TokenError::Corrupt));
}

#[test]
fn tweak_is_per_conversation_and_key_is_per_tenant() {
    let mut a = ctx("conv-a");
    let mut a2 = ctx("conv-a");
    let mut b = ctx("conv-b");
    let mut other_tenant = TokenContext::new("conv-a", &key(8), IssuedTokens::new());
    for (ty, value) in [
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("PERSON", "Jane Doe"),
    ] {
        let ta = a.protect(ty, value);
        assert_eq!(ta, a.protect(ty, value), "same value, same token");
        assert_eq!(ta, a2.protect(ty, value), "deterministic across processes");
        assert_ne!(ta, b.protect(ty, value), "other conversation, other token");
        assert_ne!(
            ta,
            other_tenant.protect(ty, value),
            "other tenant, other token"
        );
        // Conversation b cannot detokenize a's token.
        assert_eq!(b.reveal(&ta), Err(TokenError::NotIssued));
    }
}

#[test]
fn issued_tokens_persist_and_new_ones_are_reported() {
    let mut c = ctx("conv-1");
    let t1 = c.protect("PERSON", "Jane Doe");
    assert_eq!(c.new_tokens().len(), 1);
    let stored = serde_json::to_string(c.issued()).unwrap();
    let loaded: IssuedTokens = serde_json::from_str(&stored).unwrap();
    let mut c = TokenContext::new("conv-1", &key(7), loaded);
    assert!(c.new_tokens().is_empty());
    assert_eq!(c.protect("PERSON", "Jane Doe"), t1);
    assert!(
        c.new_tokens().is_empty(),
        "re-issuing a known token is not new"
    );
    let t2 = c.protect("SSN", "536-22-1234");
    assert!(c.new_tokens().contains(&t2));
    let text = format!("Hello {t1}, your SSN {t2} is on file; foreign [PERSON:AAAA] stays.");
    assert_eq!(
        c.detokenize(&text),
        "Hello Jane Doe, your SSN 536-22-1234 is on file; foreign [PERSON:AAAA] stays."
    );
    assert_eq!(c.into_issued().len(), 2);
}

#[test]
fn detokenize_ignores_tokens_glued_into_longer_numbers() {
    let mut c = ctx("conv-1");
    let t = c.protect("SSN", "536-22-1234");
    let glued = format!("9{t}");
    assert_eq!(c.detokenize(&glued), glued);
}

fn luhn_card() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![3u8, 4, 5, 6]),
        prop::collection::vec(0u8..10, 14),
    )
        .prop_map(|(first, rest)| {
            let mut d = vec![first];
            d.extend(rest);
            let check = v::luhn_check_digit(&d);
            d.push(check);
            d.iter().map(|x| char::from(b'0' + x)).collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip_is_exact(conv in "[a-z0-9-]{1,20}", name in "[A-Za-zéü ]{1,30}", card in luhn_card(), digits in "[0-9]{9}") {
        let mut c = ctx(&conv);
        for (ty, value) in [("PERSON", name.as_str()), ("CREDIT_CARD", card.as_str()), ("US_PASSPORT", digits.as_str())] {
            let t = c.protect(ty, value);
            prop_assert_ne!(&t, value);
            prop_assert_eq!(c.reveal(&t).unwrap(), value);
            prop_assert_eq!(c.detokenize(&format!("x {t} y")), format!("x {value} y"));
        }
    }

    #[test]
    fn distinct_values_get_distinct_tokens(a in luhn_card(), b in luhn_card(), p in "[A-Za-z]{1,12}", q in "[A-Za-z]{1,12}") {
        let mut c = ctx("conv");
        if a != b {
            prop_assert_ne!(c.protect("CREDIT_CARD", &a), c.protect("CREDIT_CARD", &b));
        }
        if p != q {
            prop_assert_ne!(c.protect("PERSON", &p), c.protect("PERSON", &q));
        }
    }

    #[test]
    fn emails_stay_emails(local in "[a-z]{3,12}(\\.[a-z]{2,8})?[0-9]{0,3}", domain in "[a-z]{3,10}") {
        let email = format!("{local}@{domain}.com");
        let mut c = ctx("conv");
        let t = c.protect("EMAIL", &email);
        prop_assert_ne!(&t, &email);
        if !t.starts_with('[') {
            prop_assert!(t.ends_with(".com") && t.matches('@').count() == 1);
        }
        prop_assert_eq!(c.reveal(&t).unwrap(), email);
    }
}
