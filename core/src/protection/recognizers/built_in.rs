//! The built-in recognizers, as a table. Regexes use ASCII word boundaries (`(?-u:\b)`) so
//! the fast DFA engines stay usable on non-ASCII text; validators re-check the edges where it
//! matters. Recognizers marked `whole_text` have matches with no small length bound: they scan
//! the whole text (all start with a literal, so that is cheap); the others may scan overlapping
//! chunks.
use super::pattern::Recognizer;
use super::validate;

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

pub(super) const BUILT_IN: &[Recognizer] = &[
    // EMAIL
    Recognizer {
        entity: "EMAIL",
        name: "email",
        pattern: r"@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}",
        score: 0.5,
        context_words: &["email", "e-mail", "mail"],
        context_boost: 0.3,
        validate: Some(validate::email),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    // PHONE
    Recognizer {
        entity: "PHONE",
        name: "phone_nanp",
        pattern: r"(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-]?)[2-9][0-9]{2}[ .\-]?[0-9]{4}(?-u:\b)",
        score: 0.75,
        context_words: PHONE_CONTEXT,
        context_boost: 0.25,
        validate: Some(validate::nanp_phone),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "PHONE",
        name: "phone_e164",
        pattern: r"\+[1-9][0-9]{0,3}(?:[ .\-]?\(?[0-9]{1,5}\)?){1,6}(?-u:\b)",
        score: 0.75,
        context_words: PHONE_CONTEXT,
        context_boost: 0.25,
        validate: Some(validate::intl_phone),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "PHONE",
        name: "phone_national",
        pattern: r"(?-u:\b)0[1-9][0-9]{1,4}[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}(?-u:\b)",
        score: 0.45,
        context_words: PHONE_CONTEXT,
        context_boost: 0.35,
        validate: Some(validate::not_glued),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "PHONE",
        name: "phone_local",
        // A seven-digit local number (`555-0199`): only with a phone word near.
        pattern: r"(?-u:\b)[2-9][0-9]{2}[\-. ][0-9]{4}(?-u:\b)",
        score: 0.3,
        context_words: PHONE_CONTEXT,
        context_boost: 0.35,
        validate: Some(validate::not_glued),
        ..Recognizer::DEFAULT
    },
    // SSN
    Recognizer {
        entity: "SSN",
        name: "ssn_dashed",
        pattern: r"(?-u:\b)[0-9]{3}-[0-9]{2}-[0-9]{4}(?-u:\b)",
        score: 0.85,
        context_words: SSN_CONTEXT,
        context_boost: 0.15,
        validate: Some(validate::ssn),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SSN",
        name: "ssn_spaced",
        pattern: r"(?-u:\b)[0-9]{3} [0-9]{2} [0-9]{4}(?-u:\b)",
        score: 0.55,
        context_words: SSN_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::ssn),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SSN",
        name: "ssn_dotted",
        pattern: r"(?-u:\b)[0-9]{3}\.[0-9]{2}\.[0-9]{4}(?-u:\b)",
        score: 0.6,
        context_words: SSN_CONTEXT,
        context_boost: 0.35,
        validate: Some(validate::ssn),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SSN",
        name: "ssn_bare",
        pattern: r"(?-u:\b)[0-9]{9}(?-u:\b)",
        score: 0.25,
        context_words: SSN_CONTEXT,
        context_boost: 0.5,
        validate: Some(validate::ssn),
        ..Recognizer::DEFAULT
    },
    // CREDIT_CARD
    Recognizer {
        entity: "CREDIT_CARD",
        name: "card_bare",
        pattern: r"(?-u:\b)[0-9]{12,19}(?-u:\b)",
        score: 0.5,
        context_words: CARD_CONTEXT,
        context_boost: 0.3,
        validate: Some(validate::card),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CREDIT_CARD",
        name: "card_spaced",
        pattern: r"(?-u:\b)[0-9]{4}(?: [0-9]{4,6}){2}(?: [0-9]{1,4}){0,2}(?-u:\b)",
        score: 0.5,
        context_words: CARD_CONTEXT,
        context_boost: 0.3,
        validate: Some(validate::card),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CREDIT_CARD",
        name: "card_dashed",
        pattern: r"(?-u:\b)[0-9]{4}(?:-[0-9]{4,6}){2}(?:-[0-9]{1,4}){0,2}(?-u:\b)",
        score: 0.5,
        context_words: CARD_CONTEXT,
        context_boost: 0.3,
        validate: Some(validate::card),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CREDIT_CARD",
        name: "card_dotted",
        pattern: r"(?-u:\b)[0-9]{4}(?:\.[0-9]{4,6}){2}(?:\.[0-9]{1,4}){0,2}(?-u:\b)",
        score: 0.5,
        context_words: CARD_CONTEXT,
        context_boost: 0.3,
        validate: Some(validate::card),
        ..Recognizer::DEFAULT
    },
    // IBAN
    Recognizer {
        entity: "IBAN",
        name: "iban",
        // Upper or lower case, not mixed: a case-blind run would eat the words after an IBAN
        // and the next IBAN with them.
        pattern: r"(?-u:\b)(?:[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}|[a-z]{2}[0-9]{2}(?: ?[a-z0-9]){11,30})(?-u:\b)",
        score: 0.5,
        context_words: &["iban", "account", "bank"],
        context_boost: 0.2,
        validate: Some(validate::iban),
        ..Recognizer::DEFAULT
    },
    // IP
    Recognizer {
        entity: "IP_ADDRESS",
        name: "ipv4",
        pattern: r"(?-u:\b)(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?-u:\b)",
        score: 0.75,
        context_words: IP_CONTEXT,
        context_boost: 0.2,
        validate: Some(validate::ipv4),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "IP_ADDRESS",
        name: "ipv6",
        pattern: r"(?i)[0-9a-f:]{0,39}:[0-9a-f]{0,4}:[0-9a-f:.]{0,45}",
        score: 0.75,
        context_words: IP_CONTEXT,
        context_boost: 0.2,
        validate: Some(validate::ipv6),
        ..Recognizer::DEFAULT
    },
    // MAC
    Recognizer {
        entity: "MAC_ADDRESS",
        name: "mac_colon",
        pattern: r"(?i)(?-u:\b)[0-9a-f]{2}(?::[0-9a-f]{2}){5}(?-u:\b)",
        score: 0.8,
        context_words: &["mac", "hardware", "ethernet", "wifi", "nic"],
        context_boost: 0.2,
        validate: Some(validate::not_glued_hex),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "MAC_ADDRESS",
        name: "mac_dash",
        pattern: r"(?i)(?-u:\b)[0-9a-f]{2}(?:-[0-9a-f]{2}){5}(?-u:\b)",
        score: 0.8,
        context_words: &["mac", "hardware", "ethernet", "wifi", "nic"],
        context_boost: 0.2,
        validate: Some(validate::not_glued_hex),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "MAC_ADDRESS",
        name: "mac_cisco",
        pattern: r"(?i)(?-u:\b)[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}(?-u:\b)",
        score: 0.6,
        context_words: &["mac", "hardware", "ethernet", "wifi", "nic"],
        context_boost: 0.3,
        validate: Some(validate::mac_dotted),
        ..Recognizer::DEFAULT
    },
    // URL
    Recognizer {
        entity: "URL",
        name: "url_scheme",
        pattern: r#"(?i)(?-u:\b)(?:https?|ftp)://[^\s<>"'`{}|\\^\[\]]+"#,
        score: 0.85,
        validate: Some(validate::url),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "URL",
        name: "url_www",
        pattern: r#"(?i)(?-u:\b)www\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)+[^\s<>"'`{}|\\^\[\]]*"#,
        score: 0.75,
        validate: Some(validate::url),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    // US_PASSPORT
    Recognizer {
        entity: "US_PASSPORT",
        name: "passport_letter",
        pattern: r"(?-u:\b)[A-Z][0-9]{8}(?-u:\b)",
        score: 0.3,
        context_words: PASSPORT_CONTEXT,
        context_boost: 0.55,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "US_PASSPORT",
        name: "passport_digits",
        pattern: r"(?-u:\b)[0-9]{9}(?-u:\b)",
        score: 0.1,
        context_words: PASSPORT_CONTEXT,
        context_boost: 0.6,
        ..Recognizer::DEFAULT
    },
    // DRIVER_LICENSE (US state formats vary; context carries most of the weight)
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_alnum",
        pattern: r"(?-u:\b)[A-Z]{1,2}[0-9]{4,13}(?-u:\b)",
        score: 0.25,
        context_words: DL_CONTEXT,
        context_boost: 0.55,
        validate: Some(validate::driver_license),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_digits",
        pattern: r"(?-u:\b)[0-9]{7,12}(?-u:\b)",
        score: 0.05,
        context_words: DL_CONTEXT,
        context_boost: 0.6,
        validate: Some(validate::driver_license),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_dashed",
        pattern: r"(?-u:\b)[A-Z][0-9]{3}-[0-9]{3,4}-[0-9]{2,4}(?:-[0-9]{1,3}){0,2}(?-u:\b)",
        score: 0.4,
        context_words: DL_CONTEXT,
        context_boost: 0.45,
        validate: Some(validate::driver_license),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_spaced",
        // NY `123 456 789`, PA `12 345 678`, MI `A 123 456 789 012`, NJ `A1234 56789 01234`.
        pattern: r"(?-u:\b)(?:[A-Z] ?)?[0-9]{2,5}(?: [0-9]{3,5}){1,3}(?-u:\b)",
        score: 0.05,
        context_words: DL_CONTEXT,
        context_boost: 0.6,
        validate: Some(validate::driver_license),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_washington",
        // Washington since 2018: `WDL` + 9 letters or digits.
        pattern: r"(?-u:\b)WDL[A-Z0-9]{9}(?-u:\b)",
        score: 0.7,
        context_words: DL_CONTEXT,
        context_boost: 0.3,
        validate: Some(validate::not_glued_code),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DRIVER_LICENSE",
        name: "dl_washington_legacy",
        // Washington before 2018: 5 letters of the family name (`*`-padded), 2 initials,
        // 3 digits, 2 check characters.
        pattern: r"(?-u:\b)[A-Z][A-Z*]{4}[A-Z][A-Z*][0-9]{3}[A-Z0-9]{2}(?-u:\b)",
        score: 0.1,
        context_words: DL_CONTEXT,
        context_boost: 0.55,
        validate: Some(validate::not_glued_code),
        ..Recognizer::DEFAULT
    },
    // DATE
    Recognizer {
        entity: "DATE",
        name: "date_iso",
        pattern: r"(?-u:\b)([0-9]{4})-([0-9]{2})-([0-9]{2})(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_ymd),
        captures: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DATE",
        name: "date_numeric",
        pattern: r"(?-u:\b)([0-9]{1,2})([/.\-])([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_numeric),
        captures: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DATE",
        name: "date_month_first",
        pattern: r"(?i)(?-u:\b)(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_month_first),
        captures: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DATE",
        name: "date_day_first",
        pattern: r"(?i)(?-u:\b)([0-9]{1,2})(?:st|nd|rd|th)? (?:of )?(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,? ([0-9]{4})(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_day_first),
        captures: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DATE",
        name: "date_month_day",
        pattern: r"(?i)(?-u:\b)(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? ([0-9]{1,2})(?:st|nd|rd|th)?(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_month_day),
        captures: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "DATE",
        name: "date_day_month",
        pattern: r"(?i)(?-u:\b)([0-9]{1,2})(?:st|nd|rd|th)?(?: of)? (jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?-u:\b)",
        score: 0.6,
        context_words: DATE_CONTEXT,
        context_boost: 0.4,
        validate: Some(validate::date_day_month),
        captures: true,
        ..Recognizer::DEFAULT
    },
    // US_BANK_NUMBER: no format of its own, so only after its cue.
    Recognizer {
        entity: "US_BANK_NUMBER",
        name: "bank_account_cue",
        pattern: r"(?i)(?-u:\b)(account|acct|a/c|checking|savings|chequing)(?-u:\b)([^0-9\n]{0,24}?)([0-9]{8,17})(?-u:\b)",
        score: 0.85,
        validate: Some(validate::bank_account),
        captures: true,
        value_group: Some(3),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "ABA_ROUTING_NUMBER",
        name: "aba_routing",
        pattern: r"(?-u:\b)[0-9]{9}(?-u:\b)",
        score: 0.2,
        context_words: &["routing", "aba", "rtn", "transit", "routing number"],
        context_boost: 0.6,
        validate: Some(validate::aba),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "US_ITIN",
        name: "itin",
        pattern: r"(?-u:\b)9[0-9]{2}[ \-]?[5-9][0-9][ \-]?[0-9]{4}(?-u:\b)",
        score: 0.3,
        context_words: &["itin", "taxpayer", "tax id", "tin", "individual taxpayer"],
        context_boost: 0.5,
        validate: Some(validate::itin),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "US_ITIN",
        name: "itin_dashed",
        pattern: r"(?-u:\b)9[0-9]{2}-[5-9][0-9]-[0-9]{4}(?-u:\b)",
        score: 0.65,
        context_words: &["itin", "taxpayer", "tax id", "tin", "individual taxpayer"],
        context_boost: 0.3,
        validate: Some(validate::itin),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "UK_NINO",
        name: "uk_nino",
        pattern: r"(?-u:\b)[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]?(?-u:\b)",
        score: 0.55,
        context_words: &[
            "national insurance",
            "nino",
            "ni number",
            "ni no",
            "insurance number",
        ],
        context_boost: 0.4,
        validate: Some(validate::nino),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "UK_NHS",
        name: "uk_nhs",
        pattern: r"(?-u:\b)[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}(?-u:\b)",
        score: 0.3,
        context_words: &["nhs", "health service", "nhs number", "nhs no", "patient"],
        context_boost: 0.55,
        validate: Some(validate::nhs),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CA_SIN",
        name: "ca_sin",
        pattern: r"(?-u:\b)[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{3}(?-u:\b)",
        score: 0.3,
        context_words: &["sin", "social insurance", "sin#", "insurance number"],
        context_boost: 0.55,
        validate: Some(validate::sin),
        ..Recognizer::DEFAULT
    },
    // CRYPTO
    Recognizer {
        entity: "CRYPTO",
        name: "btc_base58",
        pattern: r"(?-u:\b)[13mn2][a-km-zA-HJ-NP-Z1-9]{25,34}(?-u:\b)",
        score: 0.5,
        context_words: CRYPTO_CONTEXT,
        context_boost: 0.1,
        validate: Some(validate::btc_base58),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CRYPTO",
        name: "btc_bech32",
        pattern: r"(?i)(?-u:\b)(?:bc1|tb1)[ac-hj-np-z02-9]{8,87}(?-u:\b)",
        score: 0.5,
        context_words: CRYPTO_CONTEXT,
        context_boost: 0.1,
        validate: Some(validate::btc_bech32),
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "CRYPTO",
        name: "eth_address",
        pattern: r"(?-u:\b)0x[a-fA-F0-9]{40}(?-u:\b)",
        score: 0.6,
        context_words: CRYPTO_CONTEXT,
        context_boost: 0.3,
        ..Recognizer::DEFAULT
    },
    // SECRET
    Recognizer {
        entity: "SECRET",
        name: "private_key_block",
        pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?",
        score: 1.0,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "aws_access_key_id",
        pattern: r"(?-u:\b)(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?-u:\b)",
        score: 0.95,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "aws_secret_access_key",
        pattern: r#"(?i)aws.{0,20}?(?:secret|private)?.{0,10}?key.{0,5}?["'\s:=]+([A-Za-z0-9/+=]{40})(?-u:\b)"#,
        score: 0.9,
        value_group: Some(1),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "github_token",
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
        score: 0.95,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "gitlab_token",
        pattern: r"(?-u:\b)glpat-[A-Za-z0-9_\-]{20,}",
        score: 0.95,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "slack_token",
        pattern: r"(?-u:\b)xox[abposr]-[A-Za-z0-9\-]{10,}",
        score: 0.95,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "stripe_key",
        pattern: r"(?-u:\b)(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
        score: 0.95,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "llm_api_key",
        pattern: r"(?-u:\b)sk-(?:proj-|ant-(?:api[0-9]{2}-)?)?[A-Za-z0-9_\-]{20,}",
        score: 0.9,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "google_api_key",
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}",
        score: 0.95,
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "jwt",
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{8,}",
        score: 0.5,
        validate: Some(validate::jwt),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "bearer_token",
        pattern: r"(?i)(?-u:\b)bearer\s+([A-Za-z0-9\-._~+/]{20,}=*)",
        score: 0.85,
        value_group: Some(1),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "password_assignment",
        pattern: r#"(?i)(?-u:\b)(?:password|passwd|pwd|passphrase|passcode|pin code|secret|api[_\- ]?key|access[_\- ]?token|auth[_\- ]?token|client[_\- ]?secret)["']?\s*(?:[:=]|is|was)\s*["']?([^\s"',;]{4,128})"#,
        score: 0.85,
        value_group: Some(1),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    Recognizer {
        entity: "SECRET",
        name: "url_credentials",
        pattern: r"(?i)(?-u:\b)[a-z][a-z0-9+.\-]*://[^\s:/@]+:([^\s:/@]+)@",
        score: 0.9,
        value_group: Some(1),
        whole_text: true,
        ..Recognizer::DEFAULT
    },
    // LOCATION: US street addresses, optionally with city, state and ZIP (all in one span).
    Recognizer {
        entity: "LOCATION",
        name: "street_address",
        pattern: r"(?-u:\b)[0-9]{1,6}(?: [A-Z][a-z]+| [0-9]{1,3}(?:st|nd|rd|th)){1,4} (?:(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Way|Place|Square|Trail|Terrace|Circle|Parkway|Highway|Alley|Bridge|Brook|Burg|Bypass|Camp|Canyon|Cape|Causeway|Center|Centre|Cliff|Club|Common|Corner|Course|Cove|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Estate|Expressway|Extension|Fall|Ferry|Field|Flat|Ford|Forest|Forge|Fork|Fort|Freeway|Garden|Gateway|Glen|Green|Grove|Harbor|Haven|Height|Hill|Hollow|Inlet|Island|Isle|Junction|Key|Knoll|Lake|Land|Landing|Light|Loaf|Lock|Lodge|Loop|Mall|Manor|Meadow|Mews|Mill|Mission|Motorway|Mount|Mountain|Neck|Orchard|Oval|Overpass|Park|Pass|Path|Pike|Pine|Plain|Plaza|Point|Port|Prairie|Radial|Ramp|Ranch|Rapid|Rest|Ridge|River|Route|Row|Rue|Run|Shoal|Shore|Skyway|Spring|Spur|Station|Stravenue|Stream|Summit|Throughway|Trace|Track|Trafficway|Tunnel|Turnpike|Underpass|Union|Valley|Viaduct|View|Village|Ville|Vista|Walk|Wall|Well|Branch|Via)s?|St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl)\.?(?:,? (?:Apt\.?|Suite|Ste\.?|Unit|#) ?[0-9A-Z]+)?(?:,? (?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+,? (?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming)(?:,? [0-9]{5}(?:-[0-9]{4})?)?|,? (?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+ [0-9]{5}(?:-[0-9]{4})?|,? [0-9]{5}(?:-[0-9]{4})?)?(?-u:\b)",
        score: 0.8,
        context_words: &[
            "address", "live", "lives", "located", "ship", "mail", "street",
        ],
        context_boost: 0.15,
        validate: Some(validate::street_address),
        ..Recognizer::DEFAULT
    },
];
