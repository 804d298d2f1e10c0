//! The identifiers added to the built-in table, the location policy, propagation, and
//! disguised values (folding): valid values, invalid checksums and look-alike negatives.
use super::tests::{engine, found, hit, miss};
use crate::domain::sensitive::Sensitive;
use crate::protection::redact::redact;
use crate::protection::KnownValue;

#[test]
fn seven_digit_local_phone_numbers_need_a_phone_word() {
    hit("PHONE", "call me at 555-0199 tonight", "555-0199");
    hit("PHONE", "my cell is 867 5309", "867 5309");
    miss("PHONE", "the invoice total was 555-0199");
    miss("PHONE", "call 555-0199-12");
}

#[test]
fn us_bank_account_numbers_after_their_cue() {
    hit(
        "US_BANK_NUMBER",
        "my account number 001234567890 please",
        "001234567890",
    );
    hit("US_BANK_NUMBER", "acct # 9876543210", "9876543210");
    hit(
        "US_BANK_NUMBER",
        "Savings account: 12345678901",
        "12345678901",
    );
    hit("US_BANK_NUMBER", "checking acct no. 44556677", "44556677");
    miss("US_BANK_NUMBER", "account 1234567 is short");
    miss("US_BANK_NUMBER", "the account was opened in 2019");
    miss("US_BANK_NUMBER", "my account phone is 4155552671");
    miss("US_BANK_NUMBER", "a number 001234567890 with no cue");
}

#[test]
fn aba_routing_numbers_need_checksum_and_cue() {
    hit(
        "ABA_ROUTING_NUMBER",
        "routing number 021000021",
        "021000021",
    );
    hit(
        "ABA_ROUTING_NUMBER",
        "ABA: 011401533 for the wire",
        "011401533",
    );
    miss("ABA_ROUTING_NUMBER", "routing number 021000022");
    miss("ABA_ROUTING_NUMBER", "the id 021000021 alone");
    // A passport that happens to pass the checksum stays a passport.
    hit(
        "US_PASSPORT",
        "my passport number is 021000021 wire it to me",
        "021000021",
    );
}

#[test]
fn itin() {
    hit("US_ITIN", "my ITIN is 912-70-1234", "912-70-1234");
    hit("US_ITIN", "taxpayer id 912 94 1234", "912 94 1234");
    hit("US_ITIN", "filed with 999-88-1234 last year", "999-88-1234");
    miss("US_ITIN", "my ITIN is 912-93-1234");
    miss("US_ITIN", "SKU 912-70-1234 is back in stock");
    miss("SSN", "my ITIN is 912-70-1234");
}

#[test]
fn uk_nino() {
    hit(
        "UK_NINO",
        "national insurance number AB 12 34 56 C",
        "AB 12 34 56 C",
    );
    hit("UK_NINO", "my NI number is JG103759A.", "JG103759A");
    miss("UK_NINO", "national insurance number GB123456A");
    miss("UK_NINO", "national insurance number DA123456A");
    miss("UK_NINO", "order QQ123456Z shipped");
}

#[test]
fn uk_nhs_numbers_pass_mod_11() {
    hit("UK_NHS", "NHS number 943 476 5919", "943 476 5919");
    hit("UK_NHS", "patient nhs no 4010232137", "4010232137");
    miss("UK_NHS", "NHS number 943 476 5918");
    miss("UK_NHS", "NHS number 943-476 5919");
}

#[test]
fn canadian_sin_passes_luhn() {
    hit("CA_SIN", "my SIN is 130 692 544", "130 692 544");
    hit(
        "CA_SIN",
        "social insurance number 130-692-544",
        "130-692-544",
    );
    miss("CA_SIN", "my SIN is 130 692 545");
    // Numbers starting with 0 are never issued (they are the documentation samples).
    miss("CA_SIN", "my SIN is 046 454 286");
    miss("CA_SIN", "my SIN is 846 454 288");
}

#[test]
fn ibans_with_letters_in_the_bban_and_in_lower_case() {
    hit(
        "IBAN",
        "Swiss IBAN CH73 0076 2ABC D123 4567 8, thanks",
        "CH73 0076 2ABC D123 4567 8",
    );
    hit(
        "IBAN",
        "iban CH290483501234567800X",
        "CH290483501234567800X",
    );
    hit("IBAN", "pay NL91ABNA0417164300 today", "NL91ABNA0417164300");
    hit(
        "IBAN",
        "Mauritius MU17BOMM0101101030300200000MUR",
        "MU17BOMM0101101030300200000MUR",
    );
    hit(
        "IBAN",
        "iban gb82 west 1234 5698 7654 32",
        "gb82 west 1234 5698 7654 32",
    );
    miss("IBAN", "iban CH73 0076 2ABC D123 4567 9");
    // Two IBANs in a row, words between: the first must not swallow the second.
    let got = found("wire it to DE89 3704 0044 0532 0130 00 or to CH73 0076 2ABC D123 4567 8 ok");
    let ibans: Vec<_> = got.iter().filter(|(t, _)| t == "IBAN").collect();
    assert_eq!(ibans.len(), 2, "{got:?}");
}

#[test]
fn driver_licenses_of_the_large_states() {
    // NY, PA, MI (spaced), NJ.
    hit(
        "DRIVER_LICENSE",
        "NY driver license 123 456 789",
        "123 456 789",
    );
    hit(
        "DRIVER_LICENSE",
        "my PA driver's license is 12 345 678",
        "12 345 678",
    );
    hit(
        "DRIVER_LICENSE",
        "Michigan driver license A 123 456 789 012",
        "A 123 456 789 012",
    );
    hit(
        "DRIVER_LICENSE",
        "NJ license A1234 56789 01234",
        "A1234 56789 01234",
    );
    // CA, TX, FL, IL, OH, WA.
    hit("DRIVER_LICENSE", "CA driver license A1234567", "A1234567");
    hit("DRIVER_LICENSE", "Texas DL 12345678", "12345678");
    hit(
        "DRIVER_LICENSE",
        "FL licence W123-456-78-901-0",
        "W123-456-78-901-0",
    );
    hit(
        "DRIVER_LICENSE",
        "IL license A123-4567-8901",
        "A123-4567-8901",
    );
    hit(
        "DRIVER_LICENSE",
        "Ohio driver's license AB123456",
        "AB123456",
    );
    hit(
        "DRIVER_LICENSE",
        "my WA license is WDLABCD1234X",
        "WDLABCD1234X",
    );
    hit(
        "DRIVER_LICENSE",
        "WA driver license SMITHJQ123AB",
        "SMITHJQ123AB",
    );
    hit(
        "DRIVER_LICENSE",
        "WA driver license LEE**JQ123AB",
        "LEE**JQ123AB",
    );
    // The cue a sentence earlier.
    hit(
        "DRIVER_LICENSE",
        "I renewed my license at the DMV on March 3, 2024; the new number is 12345678.",
        "12345678",
    );
    miss("DRIVER_LICENSE", "the new number is 12345678.");
    // A nearer cue of another identifier takes the number.
    hit(
        "US_PASSPORT",
        "driver's license U5004067 from the DMV. Passport no. 212347159 expires",
        "212347159",
    );
    miss(
        "DRIVER_LICENSE",
        "my license expired; my passport number is 212347159",
    );
    miss("DRIVER_LICENSE", "NY driver license 123 456");
}

#[test]
fn dates_without_a_year() {
    hit("DATE", "see you on April 11th!", "April 11th");
    hit("DATE", "born 23 November", "23 November");
    hit("DATE", "meeting Nov 8 at noon", "Nov 8");
    hit("DATE", "the 3rd of May works", "3rd of May");
    hit("DATE", "april 5th in lower case", "april 5th");
    miss("DATE", "you may 2 times a day");
    miss("DATE", "we march 3 miles");
    miss("DATE", "on Feb 30 nothing happens");
    miss("DATE", "chapter 12 decimal places");
}

#[test]
fn forty_character_secrets_without_a_prefix() {
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    hit("SECRET", &format!("I accidentally committed {key}"), key);
    hit("SECRET", &format!("token: {key}"), key);
    hit("SECRET", &format!("Rotate {key} now"), key);
    // Without a cue the shape alone stays below the threshold.
    miss("SECRET", key);
    // A git commit hash, a long word, a 45-character run, a low-entropy string.
    miss(
        "SECRET",
        "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad fixed it",
    );
    miss("SECRET", "key: aaaaaaaaaaBBBBBBBBBB1111111111aaaaaaaaaa");
    miss("SECRET", "id wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYabcde");
}

#[test]
fn ssn_shaped_codes_are_not_ssns() {
    miss("SSN", "SKU 536-22-1234 is out of stock");
    miss("SSN", "part no. 536-22-1234");
    miss("SSN", "item AB-536-22-1234");
    miss("SSN", "model 536-22-1234-X");
    hit("SSN", "order for SSN 536-22-1234", "536-22-1234");
    hit("SSN", "it is 536.22.1874", "536.22.1874");
}

#[test]
fn versions_build_strings_and_masks_are_not_ip_addresses() {
    miss("IP_ADDRESS", "subnet mask 255.255.255.0");
    miss("IP_ADDRESS", "netmask 255.255.240.0 on eth0");
    miss("IP_ADDRESS", "bind to 0.0.0.0");
    miss("IP_ADDRESS", "version 10.2.3.4 is out");
    miss("IP_ADDRESS", "build 1.0.0.27 failed");
    miss("IP_ADDRESS", "Chrome/120.0.61.109 Safari");
    miss("IP_ADDRESS", "release 1.2.3.4-beta");
    hit(
        "IP_ADDRESS",
        "the server 192.168.1.10 is down",
        "192.168.1.10",
    );
    hit("IP_ADDRESS", "ip=10.0.0.5", "10.0.0.5");
}

#[test]
fn dotted_card_is_one_card_not_a_mac() {
    let got = found("card 4111.1111.1111.1111 thanks");
    assert_eq!(
        got,
        vec![("CREDIT_CARD".to_owned(), "4111.1111.1111.1111".to_owned())]
    );
    hit("MAC_ADDRESS", "mac 0011.22aa.bbcc", "0011.22aa.bbcc");
}

#[test]
fn countries_states_and_continents_alone_are_not_locations() {
    miss("LOCATION", "What is the capital of France?");
    assert_eq!(
        redact(
            "My California driver license",
            &engine().discover("My California driver license", 0.6)
        ),
        "My California driver license"
    );
    miss("LOCATION", "I moved to Germany and then toured Europe");
    hit("LOCATION", "I moved from Chicago last year", "Chicago");
    // The state still keeps the weaker reading of its name out.
    miss("PERSON", "I drove through Georgia last week");
}

#[test]
fn a_street_address_takes_its_city_state_and_zip() {
    hit(
        "LOCATION",
        "ship to 1600 Pennsylvania Avenue, Washington, DC 20500 please",
        "1600 Pennsylvania Avenue, Washington, DC 20500",
    );
    hit(
        "LOCATION",
        "I live at 42 Oak Street, Springfield, Illinois 62704.",
        "42 Oak Street, Springfield, Illinois 62704",
    );
    hit(
        "LOCATION",
        "address: 12 Elm Rd, Austin TX 78701",
        "12 Elm Rd, Austin TX 78701",
    );
    hit(
        "LOCATION",
        "send it to 9 Main St 02139 by Friday",
        "9 Main St 02139",
    );
    // Names inside the address are part of it.
    hit(
        "LOCATION",
        "mail 46510 Linda Wells, West Christopherville, CO 55774",
        "46510 Linda Wells, West Christopherville, CO 55774",
    );
    let text = "I live at 42 Oak Street, Springfield, IL 62704.";
    let out = redact(text, &engine().discover(text, 0.6));
    assert_eq!(out, "I live at [LOCATION].");
}

#[test]
fn a_value_found_once_is_found_everywhere_in_the_message() {
    let text = "123456789 is mine. My passport number 123456789 expires soon; 123 456 789 too.";
    let got = found(text);
    let passports: Vec<_> = got.iter().filter(|(t, _)| t == "US_PASSPORT").collect();
    assert_eq!(passports.len(), 3, "{got:?}");
    assert_eq!(
        redact(text, &engine().discover(text, 0.6))
            .matches("[US_PASSPORT]")
            .count(),
        3
    );
    // Glued into a longer number it is another value.
    let got = found("My passport number 123456789. Order 1234567890 shipped.");
    assert_eq!(got.len(), 1, "{got:?}");
    // Without any cue it is nothing.
    assert!(found("123456789 is mine.").is_empty());
}

#[test]
fn values_of_earlier_turns_are_found_again() {
    let known = [KnownValue {
        entity_type: "SSN".into(),
        value: Sensitive::new("536-22-1234".into()),
    }];
    let text = "remember 536221234 from before?";
    let with = engine().discover_with_known(text, 0.6, &known);
    assert_eq!(with.len(), 1);
    assert_eq!(with[0].entity_type, "SSN");
    assert_eq!(with[0].text.expose(), "536221234");
    assert!(engine().discover(text, 0.6).is_empty());
    // A short known value is not propagated (it would match by chance).
    let short = [KnownValue {
        entity_type: "SECRET".into(),
        value: Sensitive::new("1234".into()),
    }];
    assert!(engine()
        .discover_with_known("pin 1234 again", 0.6, &short)
        .is_empty());
}

/// One disguise applied to a plain value.
type Disguise = (&'static str, fn(&str) -> String);

fn map_digits(value: &str, zero: u32) -> String {
    value
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero + d).unwrap(),
            None => c,
        })
        .collect()
}

fn insert_after_second(value: &str, mark: char) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        out.push(c);
        if i == 1 || i == 5 {
            out.push(mark);
        }
    }
    out
}

const DISGUISES: &[Disguise] = &[
    ("plain", |v| v.to_owned()),
    ("full-width digits", |v| map_digits(v, 0xFF10)),
    ("arabic-indic digits", |v| map_digits(v, 0x0660)),
    ("extended arabic-indic digits", |v| map_digits(v, 0x06F0)),
    ("devanagari digits", |v| map_digits(v, 0x0966)),
    ("mathematical bold digits", |v| map_digits(v, 0x1D7CE)),
    ("zero-width space", |v| insert_after_second(v, '\u{200B}')),
    ("zero-width non-joiner", |v| {
        insert_after_second(v, '\u{200C}')
    }),
    ("zero-width joiner", |v| insert_after_second(v, '\u{200D}')),
    ("word joiner", |v| insert_after_second(v, '\u{2060}')),
    ("byte order mark", |v| insert_after_second(v, '\u{FEFF}')),
    ("soft hyphen", |v| insert_after_second(v, '\u{00AD}')),
    ("no-break spaces", |v| v.replace(' ', "\u{00A0}")),
    ("thin spaces", |v| v.replace(' ', "\u{2009}")),
    ("ideographic spaces", |v| v.replace(' ', "\u{3000}")),
    ("en dashes", |v| v.replace('-', "\u{2013}")),
    ("non-breaking hyphens", |v| v.replace('-', "\u{2011}")),
    ("minus signs", |v| v.replace('-', "\u{2212}")),
    ("dots as separators", |v| v.replace([' ', '-'], ".")),
];

const VALUES: &[(&str, &str, &str)] = &[
    ("CREDIT_CARD", "card ", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "card ", "4111-1111-1111-1111"),
    ("SSN", "my SSN is ", "536-22-1874"),
    ("PHONE", "call me on ", "415-555-2671"),
    ("EMAIL", "mail ", "jane.doe@example.com"),
    ("IBAN", "iban ", "DE89 3704 0044 0532 0130 00"),
];

#[test]
fn disguised_values_are_found_and_their_whole_original_span_is_redacted() {
    let mut failures = Vec::new();
    for (ty, cue, value) in VALUES {
        for (name, disguise) in DISGUISES {
            let disguised = disguise(value);
            // Dots are not a separator of IBANs or emails.
            if *name == "dots as separators" && matches!(*ty, "IBAN" | "EMAIL") {
                continue;
            }
            let text = format!("{cue}{disguised} thanks");
            let entities = engine().discover(&text, 0.6);
            let start = cue.len();
            let end = start + disguised.len();
            let covered = entities
                .iter()
                .any(|e| e.entity_type == *ty && e.byte_start == start && e.byte_end == end);
            let redacted = redact(&text, &entities);
            if !covered || redacted != format!("{cue}[{ty}] thanks") {
                failures.push(format!("{ty} / {name}: {redacted:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_disguised_value_is_tokenized_as_its_plain_form() {
    use crate::domain::tenant::TenantKey;
    use crate::protection::remote::RemoteScan;
    use crate::protection::{IssuedTokens, Mode, TokenContext};
    let mut tokens = TokenContext::new("c1", &TenantKey([7u8; 32]), IssuedTokens::new());
    let remote = RemoteScan::default();
    let plain = engine().process_input(
        "card 4111 1111 1111 1111",
        Mode::Protect,
        &mut tokens,
        &remote,
    );
    let disguised = engine().process_input(
        "card ４１１１\u{00A0}1111\u{200B} 1111 1111",
        Mode::Protect,
        &mut tokens,
        &remote,
    );
    let token_of = |p: &crate::protection::InputProcessing| {
        p.protection.entities.as_ref().unwrap()[0]
            .replacement
            .clone()
    };
    assert_eq!(token_of(&plain), token_of(&disguised));
    let out = disguised.processed_text.unwrap().into_inner();
    assert!(!out.contains('４') && !out.contains('\u{200B}'), "{out:?}");
}

#[test]
fn a_megabyte_of_mixed_text_completes() {
    let unit = "Hi ４１１１ １１１１ １１１１ １１１１ and jane\u{200B}@example.com, 536.22.1874, \
                東京 😀 café, route 021000021 — version 1.2.3.4, Nov 8. ";
    let mut text = String::with_capacity(1 << 20);
    while text.len() < 1 << 20 {
        text.push_str(unit);
    }
    let entities = engine().discover(&text, 0.6);
    assert!(entities.len() > 1000);
    for e in &entities {
        assert!(text.is_char_boundary(e.byte_start) && text.is_char_boundary(e.byte_end));
    }
    let out = redact(&text, &entities);
    assert!(!out.contains("jane\u{200B}@example.com"));
}

mod properties {
    use super::*;
    use crate::protection::text::Folded;
    use proptest::prelude::*;

    /// Characters a disguise or a chat text uses, plus anything else.
    fn any_char() -> impl Strategy<Value = char> {
        prop_oneof![
            3 => proptest::char::any(),
            2 => proptest::sample::select(vec![
                '0', '4', '9', '-', '.', ' ', '@', '/', ':', '\u{200B}', '\u{00AD}', '\u{FEFF}',
                '\u{00A0}', '\u{3000}', '\u{2013}', '４', '\u{0661}', '\u{1D7CE}', 'é', '東',
                '\u{0301}', 'ﬁ', '①', 'A', 'z', '\n',
            ]),
        ]
    }

    fn no_digit_filler() -> impl Strategy<Value = String> {
        proptest::collection::vec(any_char(), 0..40).prop_map(|cs| {
            cs.into_iter()
                .filter(|c| {
                    !c.is_numeric()
                        && !Folded::new(&c.to_string())
                            .text()
                            .chars()
                            .any(|d| d.is_ascii_digit())
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_text_never_panics_and_spans_are_char_boundaries(
            cs in proptest::collection::vec(any_char(), 0..200)
        ) {
            let text: String = cs.into_iter().collect();
            let entities = engine().discover(&text, 0.3);
            let mut last = 0;
            for e in &entities {
                prop_assert!(e.byte_start < e.byte_end && e.byte_end <= text.len());
                prop_assert!(text.is_char_boundary(e.byte_start));
                prop_assert!(text.is_char_boundary(e.byte_end));
                prop_assert!(e.byte_start >= last);
                prop_assert_eq!(text[..e.byte_start].chars().count(), e.start);
                prop_assert_eq!(text[..e.byte_end].chars().count(), e.end);
                prop_assert_eq!(e.text.expose(), &text[e.byte_start..e.byte_end]);
                last = e.byte_end;
            }
            let _ = redact(&text, &entities);
        }

        #[test]
        fn a_found_card_leaves_none_of_its_digits_in_the_redaction(
            before in no_digit_filler(),
            after in no_digit_filler(),
            disguise in 0..DISGUISES.len(),
        ) {
            let value = (DISGUISES[disguise].1)("4111 1111 1111 1111");
            let text = format!("{before} card {value} {after}");
            let entities = engine().discover(&text, 0.6);
            let out = redact(&text, &entities);
            let folded = Folded::new(&out);
            let digits: String = folded.text().chars().filter(char::is_ascii_digit).collect();
            prop_assert!(!digits.contains("4111"), "{:?}", out);
        }
    }
}

#[test]
fn both_prefilter_sets_build_within_their_limits() {
    // Without its set a group runs every recognizer on every text: correct, but several
    // times slower.
    let r = crate::protection::Recognizers::new(&[]).unwrap();
    assert!(r.prefilters_built());
}
