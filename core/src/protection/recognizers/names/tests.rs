//! PERSON rules by cue and script class, with negatives. Through the whole engine at its default
//! threshold, so overlap resolution with other types is part of what is tested.
use crate::protection::{ProtectionConfig, ProtectionEngine};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static ProtectionEngine {
    static E: OnceLock<ProtectionEngine> = OnceLock::new();
    E.get_or_init(|| ProtectionEngine::new(ProtectionConfig::default()).unwrap())
}

fn people(text: &str) -> Vec<String> {
    engine()
        .discover(text, 0.6)
        .into_iter()
        .filter(|e| e.entity_type == "PERSON")
        .map(|e| e.text.into_inner())
        .collect()
}

/// Each `(sentence, name)`: `name` is found as one PERSON, exactly.
#[track_caller]
fn finds(cases: &[(&str, &str)]) {
    for (sentence, name) in cases {
        let got = people(sentence);
        assert!(
            got.iter().any(|p| p == name),
            "PERSON {name:?} not found in {sentence:?}; got {got:?}"
        );
    }
}

/// No PERSON at all in any of `sentences`.
#[track_caller]
fn finds_none(sentences: &[&str]) {
    for sentence in sentences {
        let got = people(sentence);
        assert!(
            got.is_empty(),
            "no PERSON expected in {sentence:?}; got {got:?}"
        );
    }
}

#[test]
fn greetings_and_sign_offs_name_unknown_given_names() {
    finds(&[
        ("Hi Ysolde, the report is attached.", "Ysolde"),
        ("Hello Brynjar! Can we move the call?", "Brynjar"),
        (
            "Dear Oriane Vasseur, thank you for your order.",
            "Oriane Vasseur",
        ),
        ("Thanks Tjarko, that fixed it.", "Tjarko"),
        ("Merci Gaëlle, à demain.", "Gaëlle"),
        ("Danke Hannelore für die Hilfe.", "Hannelore"),
        ("Gracias Iñaki por todo.", "Iñaki"),
        ("See you then.\nBest,\nQuirijn", "Quirijn"),
        ("Kind regards,\nAurelija Zubrytė", "Aurelija Zubrytė"),
    ]);
}

#[test]
fn requests_and_kinship_words_name_the_next_word() {
    finds(&[
        ("Please ask for Radomir at the front desk.", "Radomir"),
        ("Reply to Sunniva when you have the numbers.", "Sunniva"),
        ("my son Eskil has a fever since Monday", "Eskil"),
        ("My daughter Liesbeth starts school next week.", "Liesbeth"),
        ("my wife Oihane booked the flights", "Oihane"),
        ("my boss Thorvald wants the slides", "Thorvald"),
        ("our doctor Ilektra said to rest", "Ilektra"),
        ("My name is Zbigniew Kowalczyk.", "Zbigniew Kowalczyk"),
    ]);
}

#[test]
fn gazetteer_names_alone_and_in_pairs() {
    finds(&[
        ("I forwarded it to Wiebke yesterday.", "Wiebke"),
        ("Ottokar will join the meeting.", "Ottokar"),
        (
            "The contract was signed by Margarethe Hinterberger.",
            "Margarethe Hinterberger",
        ),
        ("We met Siobhan Ní Bhriain in Galway.", "Siobhan Ní Bhriain"),
        ("Invite Kazimierz and Bożena too.", "Bożena"),
    ]);
}

#[test]
fn enumerations_of_names_take_in_their_weaker_items() {
    let got = people("We hired Liesel, Brandt, Agathe and Osvaldo last spring.");
    for name in ["Liesel", "Brandt", "Agathe", "Osvaldo"] {
        assert!(got.iter().any(|p| p == name), "{name} not in {got:?}");
    }
}

#[test]
fn accented_names_match_with_and_without_diacritics() {
    finds(&[
        ("Our new hire is Amélie Brûlé.", "Amélie Brûlé"),
        ("Our new hire is Amelie Brule.", "Amelie Brule"),
        ("The form was filled in by Íñigo Peña.", "Íñigo Peña"),
        ("The form was filled in by Inigo Pena.", "Inigo Pena"),
        ("Please send it to Søren Kierkegård.", "Søren Kierkegård"),
        ("I talked with Łucja Wójcik today.", "Łucja Wójcik"),
    ]);
}

#[test]
fn hangul_names_with_titles_and_introductions() {
    finds(&[
        ("안녕하세요, 최유진입니다.", "최유진"),
        ("저는 박서준이에요.", "박서준"),
        ("내일 한수민 씨에게 전화해 주세요.", "한수민"),
        ("정하늘님 주문이 접수되었습니다.", "정하늘"),
        ("오늘 윤태호 기자가 보도했다.", "윤태호"),
        ("강민준은 회의에 늦었다.", "강민준"),
    ]);
}

#[test]
fn han_names_with_honorifics_cues_and_spaces() {
    finds(&[
        ("高橋 美咲さんに連絡してください。", "高橋 美咲"),
        ("山本さんは来ますか。", "山本"),
        ("こんにちは、渡辺翔太です。", "渡辺翔太"),
        ("我叫李明，在上海工作。", "李明"),
        ("请联系张伟先生。", "张伟"),
        ("明日は中村先生の授業です。", "中村"),
    ]);
}

#[test]
fn common_words_and_sentence_starts_are_not_names() {
    finds_none(&[
        "Hi there, can you help me with my invoice?",
        "Hello World is the first program people write.",
        "Thanks Again for the quick reply.",
        "Dear Customer, your order has shipped.",
        "Best Regards from the whole team.",
        "Will you send the report? May I ask why?",
        "Please Note: the office is closed on Friday.",
        "Summarize this article in three bullet points.",
    ]);
}

#[test]
fn organisations_products_and_places_are_not_names() {
    finds_none(&[
        "I bought shares of Morgan Stanley Bank last year.",
        "The invoice came from Hartmann Industries.",
        "We migrated from Oracle to Postgres.",
        "Is Kubernetes better than Docker Swarm?",
        "I moved from Berlin to Lisbon in 2020.",
        "Deliver it to 12 Via Giuseppe Verdi 5, Torino.",
        "The shop is on Harriet Quimby Drive.",
        "Ship to 44 avenue Victor Hugo, Paris.",
        "東京と大阪に行きました。",
        "서울에서 부산까지 기차로 갔다.",
    ]);
}

#[test]
fn east_asian_words_that_start_with_a_family_name_are_not_names() {
    finds_none(&[
        "이야기를 들려주세요.",
        "선생님께 물어보세요.",
        "정부는 새로운 정책을 발표했다.",
        "王国的历史很长。",
        "田中の天気は晴れです",
    ]);
}

proptest! {
    #[test]
    fn random_text_never_panics(s in "\\PC{0,200}") {
        let _ = people(&s);
    }

    #[test]
    fn random_mixed_scripts_never_panic(
        parts in proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(vec![
                    "김", "씨", "님", "입니다", "佐藤", "さん", "我叫", "Hi ", "my son ", "Amélie",
                    " ", ",", "\n", "Brûlé", "Inc", "안녕하세요, ", "です", "Dear ",
                ])
                .prop_map(str::to_owned),
                "\\PC{0,4}",
            ],
            0..30,
        )
    ) {
        let text: String = parts.concat();
        for p in people(&text) {
            prop_assert!(text.contains(&p));
        }
    }
}
