//! PERSON and LOCATION from the name and place lists in `core/data/`, with capitalisation and
//! context rules. No statistical model: a capitalised word sequence becomes a PERSON when its
//! words are known given/family names (or follow a title), a LOCATION when it is a known place.
use super::context::ContextWords;
use super::Candidate;
use crate::protection::text::{word_char_at, word_char_before};
use crate::protection::BuildError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashSet;

const FIRST_NAMES: &str = include_str!("../../../data/first_names.txt");
const LAST_NAMES: &str = include_str!("../../../data/last_names.txt");
const PLACES: &str = include_str!("../../../data/places.txt");
const COMMON_WORDS: &str = include_str!("../../../data/common_capitalized.txt");

const TITLES: &[&str] = &[
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Dr",
    "Prof",
    "Professor",
    "Sir",
    "Dame",
    "Lady",
    "Lord",
    "Madam",
    "Mme",
    "Mlle",
    "Herr",
    "Frau",
    "Sr",
    "Sra",
    "Srta",
    "Don",
    "Doña",
];

const PERSON_CONTEXT: &[&str] = &[
    "name",
    "named",
    "called",
    "dear",
    "hi",
    "hello",
    "hey",
    "signed",
    "regards",
    "sincerely",
    "patient",
    "customer",
    "employee",
    "contact",
    "i am",
    "i'm",
    "this is",
    "meet",
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "friend",
    "colleague",
    "manager",
    "boss",
    "client",
    "user",
    "mr",
    "mrs",
    "ms",
    "dr",
    "cc",
    "from:",
    "to:",
    "attn",
    "applicant",
];

const PERSON_CONTEXT_BOOST: f64 = 0.4;

/// Phrases after which a capitalised word is a place.
const PLACE_CUES: &[&str] = &[
    "live in",
    "lives in",
    "living in",
    "lived in",
    "moved to",
    "move to",
    "moving to",
    "moved from",
    "based in",
    "located in",
    "born in",
    "relocated to",
    "relocating to",
    "ship it to",
    "ship to",
    "deliver to",
    "travel to",
    "traveling to",
    "travelling to",
    "flying to",
    "fly to",
    "flew to",
    "visiting",
    "grew up in",
    "resident of",
    "native of",
];

const LOCATION_CONTEXT: &[&str] = &[
    "in",
    "from",
    "at",
    "near",
    "visit",
    "visited",
    "visiting",
    "live",
    "lives",
    "living",
    "moved",
    "based",
    "located",
    "born",
    "city",
    "town",
    "travel",
    "trip",
    "flight",
    "address",
    "country",
    "headquartered",
    "relocated",
    "resident",
];

const LOCATION_CONTEXT_BOOST: f64 = 0.3;

#[derive(Clone, Copy)]
enum PlaceKind {
    Country,
    Region,
    City,
}

pub struct NameRecognizer {
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    common: HashSet<&'static str>,
    place_words: HashSet<&'static str>,
    places: AhoCorasick,
    place_kinds: Vec<(PlaceKind, bool)>,
    person_context: ContextWords,
    location_context: ContextWords,
}

impl std::fmt::Debug for NameRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameRecognizer")
            .field("first_names", &self.first.len())
            .field("last_names", &self.last.len())
            .field("places", &self.place_kinds.len())
            .finish()
    }
}

fn words(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
}

impl NameRecognizer {
    pub fn new() -> Result<Self, BuildError> {
        let first: HashSet<&str> = words(FIRST_NAMES).collect();
        let last: HashSet<&str> = words(LAST_NAMES).collect();
        let common: HashSet<&str> = words(COMMON_WORDS).collect();
        let mut names = Vec::new();
        let mut place_kinds = Vec::new();
        let mut place_words = HashSet::new();
        let mut kind = PlaceKind::City;
        for line in PLACES.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "[country]" => kind = PlaceKind::Country,
                "[region]" => kind = PlaceKind::Region,
                "[city]" => kind = PlaceKind::City,
                name => {
                    // A single-word place that is also a person's name needs context.
                    let ambiguous = !name.contains(' ')
                        && (first.contains(name) || last.contains(name) || common.contains(name));
                    names.push(name);
                    place_kinds.push((kind, ambiguous));
                    for w in name.split_whitespace() {
                        place_words.insert(w);
                    }
                }
            }
        }
        let places = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|source| BuildError::Automaton {
                name: "places",
                source,
            })?;
        Ok(Self {
            first,
            last,
            common,
            place_words,
            places,
            place_kinds,
            person_context: ContextWords::new(
                PERSON_CONTEXT.iter().map(|s| (*s).to_owned()),
                PERSON_CONTEXT_BOOST,
            ),
            location_context: ContextWords::new(
                LOCATION_CONTEXT.iter().map(|s| (*s).to_owned()),
                LOCATION_CONTEXT_BOOST,
            ),
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Candidate>) {
        let words = self.capitalised_words(text);
        self.find_people(text, &words, out);
        self.find_places(text, out);
        self.find_places_by_cue(text, &words, out);
    }

    /// Capitalised words right after a residence or movement phrase ("I live in Gifhorn") are a
    /// place even when the list does not know them.
    fn find_places_by_cue(&self, text: &str, words: &[Word<'_>], out: &mut Vec<Candidate>) {
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let before = text[..w.start].trim_end();
            let cue = PLACE_CUES.iter().find(|c| {
                before.len() >= c.len()
                    && before.is_char_boundary(before.len() - c.len())
                    && before[before.len() - c.len()..].eq_ignore_ascii_case(c)
                    && !word_char_before(before, before.len() - c.len())
            });
            let ok = |x: &str| !self.common.contains(x) && !TITLES.contains(&x);
            if cue.is_none() || !ok(w.word) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < i + 2
                && j + 1 < words.len()
                && text[words[j].end..words[j + 1].start] == *" "
                && ok(words[j + 1].word)
            {
                j += 1;
            }
            out.push(Candidate {
                entity_type: "LOCATION".into(),
                start: w.start,
                end: words[j].end,
                score: 0.65,
                recognizer: "place_cue".into(),
                context_word: cue.map(|c| (*c).to_owned()),
            });
            i = j + 1;
        }
    }

    fn find_people(&self, text: &str, words: &[Word<'_>], out: &mut Vec<Candidate>) {
        let mut i = 0;
        while i < words.len() {
            match self.person_at(text, words, i) {
                Some(found) => {
                    let start = words[found.first].start;
                    let end = words[found.last].end;
                    self.push_person(text, start, end, found.score, found.rule, out);
                    i = found.last + 1;
                }
                None => i += 1,
            }
        }
    }

    /// A PERSON starting at (or, after a title, just after) word `i`.
    fn person_at(&self, text: &str, words: &[Word<'_>], i: usize) -> Option<PersonSpan> {
        let adjacent = |a: usize| {
            a + 1 < words.len() && gap_is_name_gap(&text[words[a].end..words[a + 1].start])
        };
        let first = |s: &str| self.first.contains(s);
        let last = |s: &str| self.last.contains(s);
        let common = |s: &str| self.common.contains(s);
        let place = |s: &str| self.place_words.contains(s);
        // An unknown capitalised word that may still be part of a name.
        let unknown_ok = |s: &str| !common(s) && !place(s);
        let w = words[i].word;

        // Title + name: "Dr. Okafor", "Mrs Xiomara Quispe".
        if TITLES.contains(&w) {
            let gap_ok = |a: usize| {
                a + 1 < words.len() && {
                    let gap = &text[words[a].end..words[a + 1].start];
                    gap == " " || gap == ". "
                }
            };
            if !gap_ok(i) {
                return None;
            }
            let n = i + 1;
            let nw = words[n].word;
            if common(nw) && !(first(nw) || last(nw)) {
                return None;
            }
            let mut j = n;
            while j < n + 2 && adjacent(j) && {
                let x = words[j + 1].word;
                first(x) || last(x) || unknown_ok(x)
            } {
                j += 1;
            }
            return Some(PersonSpan {
                first: n,
                last: j,
                score: 0.85,
                rule: "person_title",
            });
        }

        if first(w) {
            let mut j = i;
            let mut has_last = false;
            while j < i + 3 && adjacent(j) && {
                let x = words[j + 1].word;
                (first(x) || last(x) || unknown_ok(x)) && (last(x) || !common(x))
            } {
                j += 1;
                has_last |= last(words[j].word);
            }
            if j > i {
                let (score, rule) = if has_last {
                    (0.85, "person_first_last")
                } else {
                    (0.65, "person_first_unknown")
                };
                return Some(PersonSpan {
                    first: i,
                    last: j,
                    score,
                    rule,
                });
            }
            // A lone given name: weak unless context says it is a name.
            let score = if common(w) || place(w) { 0.2 } else { 0.35 };
            return Some(PersonSpan {
                first: i,
                last: i,
                score,
                rule: "person_first_only",
            });
        }

        // Unknown given name followed by a known family name: "Xiomara Garcia".
        if unknown_ok(w)
            && !last(w)
            && !sentence_initial(text, words[i].start)
            && adjacent(i)
            && last(words[i + 1].word)
        {
            let mut j = i + 1;
            if adjacent(j) && last(words[j + 1].word) {
                j += 1;
            }
            return Some(PersonSpan {
                first: i,
                last: j,
                score: 0.6,
                rule: "person_unknown_last",
            });
        }

        // Two known family names in a row ("Dalton Herrera"): many given names are also surnames.
        if last(w)
            && !common(w)
            && adjacent(i)
            && last(words[i + 1].word)
            && !common(words[i + 1].word)
        {
            return Some(PersonSpan {
                first: i,
                last: i + 1,
                score: 0.6,
                rule: "person_last_last",
            });
        }

        if last(w) && !common(w) {
            return Some(PersonSpan {
                first: i,
                last: i,
                score: 0.15,
                rule: "person_last_only",
            });
        }
        None
    }

    fn push_person(
        &self,
        text: &str,
        start: usize,
        end: usize,
        score: f64,
        rule: &'static str,
        out: &mut Vec<Candidate>,
    ) {
        let (score, context_word) = self.person_context.raise(text, start, end, score);
        out.push(Candidate {
            entity_type: "PERSON".into(),
            start,
            end,
            score,
            recognizer: rule.into(),
            context_word,
        });
    }

    fn capitalised_words<'t>(&self, text: &'t str) -> Vec<Word<'t>> {
        // A hand-written scan: one pass over the characters, cheaper than a Unicode regex.
        let mut out = Vec::new();
        let mut prev_word_char = false;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if !c.is_uppercase() || prev_word_char {
                prev_word_char = c.is_alphanumeric() || c == '_';
                continue;
            }
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if d.is_alphabetic() || d == '\'' || d == '’' || d == '-' {
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            prev_word_char = iter
                .peek()
                .is_some_and(|&(_, d)| d.is_alphanumeric() || d == '_');
            let mut word = &text[i..end];
            for suffix in ["'s", "’s", "'", "’", "-"] {
                if let Some(stripped) = word.strip_suffix(suffix) {
                    word = stripped;
                }
            }
            // All-caps tokens (acronyms) are not names; names have lower-case letters.
            if !word.chars().skip(1).any(char::is_lowercase) {
                continue;
            }
            out.push(Word {
                word,
                start: i,
                end: i + word.len(),
            });
        }
        out
    }

    fn find_places(&self, text: &str, out: &mut Vec<Candidate>) {
        for m in self.places.find_iter(text) {
            let first = text[m.start()..].chars().next().unwrap_or(' ');
            let cjk = is_cjk(first);
            if !cjk && (word_char_before(text, m.start()) || ends_inside_word(text, m.end())) {
                continue;
            }
            let Some(&(kind, ambiguous)) = self.place_kinds.get(m.pattern().as_usize()) else {
                continue;
            };
            let base = match kind {
                PlaceKind::Country => 0.7,
                PlaceKind::Region => 0.65,
                PlaceKind::City => 0.6,
            };
            let base = if ambiguous { 0.3 } else { base };
            let (score, context_word) = self.location_context.raise(text, m.start(), m.end(), base);
            out.push(Candidate {
                entity_type: "LOCATION".into(),
                start: m.start(),
                end: m.end(),
                score,
                recognizer: "place_list".into(),
                context_word,
            });
        }
    }
}

struct PersonSpan {
    first: usize,
    last: usize,
    score: f64,
    rule: &'static str,
}

/// Whether the word at byte `start` begins a sentence (its capital says nothing).
fn sentence_initial(text: &str, start: usize) -> bool {
    match text[..start]
        .trim_end_matches([' ', '\t', '"', '\'', '(', '“'])
        .chars()
        .next_back()
    {
        None => true,
        Some(c) => matches!(
            c,
            '.' | '!' | '?' | '\n' | ':' | ';' | '-' | '*' | '>' | '•'
        ),
    }
}

struct Word<'t> {
    word: &'t str,
    start: usize,
    end: usize,
}

/// Words of one name are separated by one space, or by a middle initial (`John F. Kennedy`).
fn gap_is_name_gap(gap: &str) -> bool {
    if gap == " " {
        return true;
    }
    let b = gap.as_bytes();
    b.len() == 4 && b[0] == b' ' && b[1].is_ascii_uppercase() && b[2] == b'.' && b[3] == b' '
}

fn ends_inside_word(text: &str, end: usize) -> bool {
    if !word_char_at(text, end) {
        return false;
    }
    // Possessive "'s" is fine; letters glued on are not.
    true
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}
