//! Names in Hangul and in Han characters. Neither script has capitals or (in Chinese and
//! Japanese) spaces between words, so a name needs structure: a family name from the lists at
//! its start, and an honorific or title after it, a self-introduction around it, a known given
//! name, or a space between family and given name (`佐藤 健`).
use super::gazetteer::SortedList;

pub(super) struct EastAsianNames {
    pub hangul_family: SortedList,
    pub hangul_given: SortedList,
    pub han_family: SortedList,
    pub han_given: SortedList,
}

/// A PERSON span in bytes, with its score and rule.
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    pub score: f64,
    pub rule: &'static str,
}

/// Titles and honorifics written after a Korean name (`김민수 씨`, `박지성 선수`, `이지은님`).
const HANGUL_TITLES: &[&str] = &[
    "씨",
    "님",
    "선생님",
    "선생",
    "교수",
    "교수님",
    "박사",
    "기자",
    "대표",
    "회장",
    "사장",
    "부장",
    "과장",
    "팀장",
    "실장",
    "의원",
    "장관",
    "대통령",
    "총리",
    "위원장",
    "시장",
    "지사",
    "감독",
    "선수",
    "작가",
    "변호사",
    "원장",
    "후보",
    "대변인",
];

/// Honorifics that may be written glued to a Korean name.
const HANGUL_GLUED_TITLES: &[&str] = &["씨", "님", "선생님", "교수님", "씨는", "씨가"];

/// Words that start with a family-name syllable and take `씨`/`님` without being names.
const HANGUL_NOT_NAMES: &[&str] = &[
    "선생",
    "하느",
    "하나",
    "주",
    "부모",
    "사모",
    "고모",
    "이모",
    "조모",
    "마음",
    "아가",
    "아저",
    "형",
    "누",
    "언",
    "오빠",
    "사장",
    "부장",
    "과장",
    "차장",
    "팀장",
    "회장",
    "원장",
    "교수",
    "기사",
    "손",
    "고객",
    "환자",
    "여러분",
    "임금",
    "선배",
    "후배",
    "조카",
    "도령",
    "마님",
    "아드",
    "따",
];

/// Korean particles that may follow a name inside one run of syllables.
const PARTICLES: &[&str] = &[
    "은", "는", "이", "가", "을", "를", "의", "에게", "께", "께서", "와", "과", "도", "만", "이랑",
    "랑", "한테", "이가", "이는", "이를", "이의",
];

/// What follows a Korean self-introduction's name (`이지은입니다`, `저는 민수예요`).
const HANGUL_COPULAS: &[&str] = &["입니다", "이에요", "예요", "이라고", "라고", "이야", "야"];

/// Cues before a Korean name: "hello", "I am", "my name is".
const HANGUL_CUES: &[&str] = &["안녕하세요", "저는", "제 이름은", "이름은", "나는"];

/// Honorifics and titles after a Chinese or Japanese name.
const HAN_TITLES: &[&str] = &[
    "さん",
    "様",
    "さま",
    "君",
    "くん",
    "ちゃん",
    "氏",
    "先生",
    "社長",
    "部長",
    "課長",
    "選手",
    "監督",
    "教授",
    "博士",
    "女士",
    "小姐",
    "老师",
    "老師",
    "同学",
    "經理",
    "经理",
    "总",
    "先生们",
];

/// Chinese honorifics, written after a full name or a family name alone.
const CHINESE_HONORIFICS: &[&str] = &["先生", "女士", "小姐", "老师", "老師", "经理", "經理"];

/// Cues right before a Chinese or Japanese name.
const HAN_CUES: &[&str] = &[
    "我叫",
    "我是",
    "名叫",
    "叫做",
    "私は",
    "わたしは",
    "僕は",
    "こんにちは、",
    "こんにちは。",
    "はじめまして、",
    "はじめまして。",
    "你好，我是",
    "您好，我是",
];

/// What follows a Japanese self-introduction's name (`佐藤健です`, `田中と申します`).
const HAN_COPULAS: &[&str] = &[
    "です",
    "と申します",
    "といいます",
    "と言います",
    "でございます",
];

pub(super) fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7A3)
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF) || c == '々'
}

/// Maximal runs of characters of one script: (start, end) in bytes.
fn runs(text: &str, of_script: fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (of_script(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Byte offset after the first `n` characters of `s` (or its length).
fn chars_end(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

fn ends_with_any<'a>(s: &str, list: &[&'a str]) -> Option<&'a str> {
    list.iter()
        .copied()
        .find(|c| s.trim_end_matches([' ', ',', '，', '、']).ends_with(c))
}

fn starts_with_any<'a>(s: &str, list: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<&str> = None;
    for c in list {
        if s.starts_with(c) && best.is_none_or(|b| c.len() > b.len()) {
            best = Some(c);
        }
    }
    best
}

impl EastAsianNames {
    pub fn find(&self, text: &str, out: &mut Vec<Found>) {
        if text.chars().any(is_hangul) {
            self.find_hangul(text, out);
        }
        if text.chars().any(is_han) {
            self.find_han(text, out);
        }
    }

    /// Length in bytes of the family name at the start of `s` (two syllables first), if any.
    fn family_len(list: &SortedList, s: &str) -> Option<usize> {
        let two = chars_end(s, 2);
        let one = chars_end(s, 1);
        if two > one && list.contains(&s[..two]) {
            return Some(two);
        }
        (one > 0 && list.contains(&s[..one])).then_some(one)
    }

    fn find_hangul(&self, text: &str, out: &mut Vec<Found>) {
        for (start, end) in runs(text, is_hangul) {
            let run = &text[start..end];
            let after = &text[end..];
            let before = &text[..start];
            let Some(fam) = Self::family_len(&self.hangul_family, run) else {
                continue;
            };
            let n = run.chars().count();
            // An honorific glued to the name (`김민수씨`, `이지은님은`), a particle may follow.
            let stems = std::iter::once(run).chain(
                PARTICLES
                    .iter()
                    .filter(|p| run.ends_with(*p) && run.len() > p.len())
                    .map(|p| &run[..run.len() - p.len()]),
            );
            let glued = stems
                .flat_map(|r| {
                    HANGUL_GLUED_TITLES
                        .iter()
                        .filter(move |t| r.ends_with(*t) && r.len() > t.len())
                        .map(move |t| r.len() - t.len())
                })
                .filter(|&stem| stem >= fam && !HANGUL_NOT_NAMES.contains(&&run[..stem]))
                .min();
            let name_len = |stem: usize| run[..stem].chars().count();
            if let Some(stem) = glued {
                // A family name alone before `씨` is a name too (`박씨`).
                if (1..=4).contains(&name_len(stem)) {
                    out.push(Found {
                        start,
                        end: start + stem,
                        score: 0.8,
                        rule: "person_hangul_title",
                    });
                }
                continue;
            }
            // A title after one space (`김민수 기자`, `최 씨`) or after an age or note in
            // brackets (`장윤주(35)씨`, `조모(49)씨`), then a particle or nothing.
            let after = skip_parenthetical(after);
            let title_after = after.strip_prefix(' ').unwrap_or(after);
            let title = starts_with_any(title_after, HANGUL_TITLES).filter(|t| {
                let next = &title_after[t.len()..];
                next.chars().next().is_none_or(|c| !is_hangul(c))
                    || PARTICLES.iter().any(|p| next.starts_with(p))
            });
            // `조모(49)씨`: family name + 모 ("a certain") is how news write an anonymous name.
            if title.is_some() && n == 2 && run.ends_with('모') && fam < run.len() {
                out.push(Found {
                    start,
                    end: start + fam,
                    score: 0.8,
                    rule: "person_hangul_title",
                });
                continue;
            }
            let org_like = run.ends_with(['당', '대', '청', '부', '국', '처', '회', '단']);
            let spaced = title.is_some_and(|t| {
                (2..=4).contains(&n) && !(org_like && n == 3)
                    || n == 1 && (t == "씨" || t == "님") && fam == run.len()
            });
            if spaced && (title_after.len() < after.len() || after.len() < text.len() - end) {
                out.push(Found {
                    start,
                    end,
                    score: 0.8,
                    rule: "person_hangul_title",
                });
                continue;
            }
            // Self-introduction: `안녕하세요, 이지은입니다`, `저는 김민수예요`.
            if let Some(c) = HANGUL_COPULAS
                .iter()
                .filter(|c| run.ends_with(*c) && run.len() > c.len())
                .max_by_key(|c| c.len())
            {
                let stem = run.len() - c.len();
                let len = name_len(stem);
                if (2..=4).contains(&len) && ends_with_any(before, HANGUL_CUES).is_some() {
                    out.push(Found {
                        start,
                        end: start + stem,
                        score: 0.8,
                        rule: "person_hangul_intro",
                    });
                    continue;
                }
            }
            // Family name + a known given name, alone or before a particle (`이지은은`).
            let given_end = [chars_end(&run[fam..], 2), chars_end(&run[fam..], 1)]
                .into_iter()
                .find(|&g| g > 0 && self.hangul_given.contains(&run[fam..fam + g]));
            if let Some(g) = given_end {
                let rest = &run[fam + g..];
                if rest.is_empty() || PARTICLES.contains(&rest) {
                    out.push(Found {
                        start,
                        end: start + fam + g,
                        score: 0.7,
                        rule: "person_hangul_given",
                    });
                }
            }
        }
    }

    /// Cues and titles written in Han characters sit inside a run (`我叫李明`, `联系张伟先生`):
    /// the name is the family name plus one or two characters after the cue, or the two or three
    /// characters before the title that start with a family name.
    fn find_han_inside_runs(&self, text: &str, out: &mut Vec<Found>) {
        for cue in ["我叫", "名叫", "叫做"] {
            for (pos, _) in text.match_indices(cue) {
                let start = pos + cue.len();
                let rest = &text[start..];
                let han: usize = rest.chars().take_while(|&c| is_han(c)).take(4).count();
                let Some(fam) = Self::family_len(&self.han_family, rest) else {
                    continue;
                };
                let fam_n = fam_chars(rest, fam);
                if han <= fam_n {
                    continue;
                }
                let end = chars_end(rest, (fam_n + 2).min(han));
                out.push(Found {
                    start,
                    end: start + end,
                    score: 0.8,
                    rule: "person_han_intro",
                });
            }
        }
        for title in HAN_TITLES.iter().filter(|t| t.chars().all(is_han)) {
            // Chinese honorifics follow any full name or a family name alone (`张伟先生`,
            // `王先生`); other titles (`監督`, `選手`) need a two-character family name at the
            // start of the run (`鈴木健監督`), as `初監督` or `卓球選手` are words.
            let chinese = CHINESE_HONORIFICS.contains(title);
            for (pos, _) in text.match_indices(title) {
                let before: Vec<(usize, char)> = text[..pos]
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| is_han(c))
                    .take(4)
                    .collect();
                let windows: &[usize] = if chinese { &[3, 2, 1] } else { &[4, 3, 2] };
                let found = windows.iter().find_map(|&n| {
                    let &(s, _) = before.get(n - 1)?;
                    let fam = Self::family_len(&self.han_family, &text[s..pos])?;
                    let run_start = before.len() == n;
                    (chinese || run_start && fam_chars(&text[s..pos], fam) == 2).then_some(s)
                });
                if let Some(s) = found {
                    out.push(Found {
                        start: s,
                        end: pos,
                        score: 0.75,
                        rule: "person_han_title",
                    });
                }
            }
        }
    }

    fn find_han(&self, text: &str, out: &mut Vec<Found>) {
        self.find_han_inside_runs(text, out);
        let runs = runs(text, is_han);
        for (k, &(start, end)) in runs.iter().enumerate() {
            let run = &text[start..end];
            let after = &text[end..];
            let before = &text[..start];
            let Some(fam) = Self::family_len(&self.han_family, run) else {
                continue;
            };
            let n = run.chars().count();
            // `佐藤 健さん`, `王 小明`: family name, one space, a given name of 1–3 characters.
            if n == fam_chars(run, fam) {
                if let Some(&(s2, e2)) = runs.get(k + 1) {
                    let gap = &text[end..s2];
                    let given_n = text[s2..e2].chars().count();
                    if (gap == " " || gap == "\u{3000}") && (1..=3).contains(&given_n) {
                        let score = if self.han_given.contains(&text[s2..e2])
                            || starts_with_any(&text[e2..], HAN_TITLES).is_some()
                        {
                            0.8
                        } else {
                            0.65
                        };
                        out.push(Found {
                            start,
                            end: e2,
                            score,
                            rule: "person_han_spaced",
                        });
                        continue;
                    }
                }
            }
            let titled = starts_with_any(after, HAN_TITLES).is_some();
            let cued = ends_with_any(before, HAN_CUES).is_some()
                || starts_with_any(after, HAN_COPULAS).is_some()
                    && ends_with_any(before, &["こんにちは", "はじめまして", "私は", "僕は"])
                        .is_some();
            if (titled || cued) && (2..=4).contains(&n) {
                out.push(Found {
                    start,
                    end,
                    score: 0.8,
                    rule: if titled {
                        "person_han_title"
                    } else {
                        "person_han_intro"
                    },
                });
                continue;
            }
            // `我叫王小明，…` runs on into the next words: family name + up to two characters.
            if cued && n > 4 && ends_with_any(before, &["我叫", "名叫", "我是"]).is_some() {
                let e = chars_end(run, fam_chars(run, fam) + 2);
                out.push(Found {
                    start,
                    end: start + e,
                    score: 0.7,
                    rule: "person_han_intro",
                });
                continue;
            }
            // Family name + a known given name filling the whole run (`田中美咲は`).
            if (3..=5).contains(&n) && self.han_given.contains(&run[fam..]) {
                out.push(Found {
                    start,
                    end,
                    score: 0.7,
                    rule: "person_han_given",
                });
            }
        }
    }
}

/// `s` after a leading bracketed note of up to 16 bytes (`(35)`, `(28·여)`), or `s` itself.
fn skip_parenthetical(s: &str) -> &str {
    s.strip_prefix('(')
        .and_then(|r| r.find(')').filter(|&i| i <= 16).map(|i| &r[i + 1..]))
        .unwrap_or(s)
}

fn fam_chars(run: &str, fam_bytes: usize) -> usize {
    run[..fam_bytes].chars().count()
}
