//! PERSON and LOCATION from the name and place lists in `core/data/`, with capitalisation and
//! context rules. No statistical model: a capitalised word sequence becomes a PERSON when its
//! words are known given/family names (or follow a title or a cue such as a greeting or
//! "my son"), a LOCATION when it is a known place. Hangul and Han names: `east_asian`.
//!
//! Two tiers of name lists: the short hand-written lists (`first_names.txt`, `last_names.txt`)
//! and the gazetteers in `core/data/names/` (tens of thousands of names, folded, without the
//! names that are also ordinary English words), searched in place (`gazetteer`).
mod east_asian;
mod fold_table;
mod gazetteer;
#[cfg(test)]
mod tests;

use super::context::ContextWords;
use super::Candidate;
use crate::protection::text::{word_char_at, word_char_before};
use crate::protection::BuildError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use east_asian::EastAsianNames;
use gazetteer::{fold, SortedList};
use std::collections::HashSet;

const FIRST_NAMES: &str = include_str!("../../../../data/first_names.txt");
const LAST_NAMES: &str = include_str!("../../../../data/last_names.txt");
const PLACES: &str = include_str!("../../../../data/places.txt");
const COMMON_WORDS: &str = include_str!("../../../../data/common_capitalized.txt");
const GIVEN_GAZETTEER: &str = include_str!("../../../../data/names/given.txt");
const FAMILY_GAZETTEER: &str = include_str!("../../../../data/names/family.txt");
const HANGUL_FAMILY: &str = include_str!("../../../../data/names/hangul_family.txt");
const HANGUL_GIVEN: &str = include_str!("../../../../data/names/hangul_given.txt");
const HAN_FAMILY: &str = include_str!("../../../../data/names/han_family.txt");
const HAN_GIVEN: &str = include_str!("../../../../data/names/han_given.txt");

#[cfg(test)]
const GAZETTEERS: &[(&str, &str)] = &[
    ("given", GIVEN_GAZETTEER),
    ("family", FAMILY_GAZETTEER),
    ("hangul_family", HANGUL_FAMILY),
    ("hangul_given", HANGUL_GIVEN),
    ("han_family", HAN_FAMILY),
    ("han_given", HAN_GIVEN),
];

/// Phrases right before a name that make a capitalised word a PERSON even when no list knows
/// it: self-introductions, greetings and sign-offs, requests about a person, kinship and role
/// words. ASCII, compared case-insensitively, at a word boundary; spaces, commas, `!` and line
/// breaks may stand between the cue and the name.
const STRONG_CUES: &[&str] = &[
    "my name is",
    "my name's",
    "name is",
    "call me",
    "i'm called",
    "ask for",
    "asking for",
    "asked for",
    "reply to",
    "replying to",
    "forward to",
    "forward this to",
    "spoke with",
    "spoke to",
    "speak to",
    "speak with",
    "talk to",
    "talked to",
    "talking to",
    "dear",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank you",
    "merci",
    "danke",
    "gracias",
    "grazie",
    "obrigado",
    "obrigada",
    "hola",
    "bonjour",
    "salut",
    "hallo",
    "ciao",
    "best",
    "regards",
    "cheers",
    "sincerely",
    "yours",
    "signed",
    "from:",
    "to:",
    "cc:",
    "attn:",
    "attn",
    "my son",
    "my daughter",
    "my wife",
    "my husband",
    "my partner",
    "my boss",
    "my doctor",
    "my brother",
    "my sister",
    "my mother",
    "my father",
    "my mom",
    "my mum",
    "my dad",
    "my friend",
    "my colleague",
    "my coworker",
    "my manager",
    "my boyfriend",
    "my girlfriend",
    "my fiance",
    "my cousin",
    "my uncle",
    "my aunt",
    "my grandson",
    "my granddaughter",
    "my grandmother",
    "my grandfather",
    "my nephew",
    "my niece",
    "my teacher",
    "my lawyer",
    "my dentist",
    "my therapist",
    "my landlord",
    "my neighbor",
    "my neighbour",
    "my child",
    "my kid",
    "my baby",
    "my assistant",
    "my tenant",
    "my roommate",
    "our son",
    "our daughter",
    "our doctor",
    "our manager",
    "named",
    "called",
];

/// Phrases before a name that count only for a word some list knows as a name (alone, such a
/// word is too weak: `Magnusson`, `Cecilie`).
const WEAK_CUES: &[&str] = &[
    "i'm",
    "i am",
    "this is",
    "says",
    "said",
    "asked",
    "told",
    "tell",
    "with",
    "and",
    "by",
    "for",
    "meet",
    "met",
    "contact",
    "cc",
    "ask",
    "thank",
    "love",
    "miss",
    "see",
    "saw",
    "invite",
    "invited",
    "text",
    "email",
    "call",
    "phone",
    "like",
    "loves",
    "including",
    "features",
    "me",
    "him",
    "her",
    "them",
    "us",
];

/// Words after a capitalised run that make it a street, not a person (`Harley Vincent Drive`).
const STREET_WORDS: &[&str] = &[
    "St",
    "Street",
    "Rd",
    "Road",
    "Dr",
    "Drive",
    "Ave",
    "Avenue",
    "Ln",
    "Lane",
    "Way",
    "Ways",
    "Ct",
    "Court",
    "Courts",
    "Pl",
    "Place",
    "Blvd",
    "Boulevard",
    "Creek",
    "Plains",
    "Spring",
    "Springs",
    "Mission",
    "Shoal",
    "Shoals",
    "Knoll",
    "Knolls",
    "Hill",
    "Hills",
    "Park",
    "Square",
    "Terrace",
    "Crescent",
    "Close",
    "Gardens",
    "Mews",
    "Row",
    "Walk",
    "Parkway",
    "Highway",
    "Hwy",
    "Trail",
    "Circle",
    "Loop",
    "Ridge",
    "Heights",
    "Falls",
    "Meadows",
    "Grove",
    "View",
    "Stravenue",
    "Junction",
    "Junctions",
    "Crossing",
    "Port",
    "Harbor",
    "Island",
    "Isle",
    "Lake",
    "Lakes",
    "Mill",
    "Mills",
    "Pike",
    "Plaza",
    "Point",
    "Points",
    "Ranch",
    "Station",
    "Summit",
    "Valley",
    "Village",
    "Villages",
    "Ville",
    "Vista",
    "Wells",
    "Bridge",
    "Brook",
    "Brooks",
    "Burg",
    "Bypass",
    "Camp",
    "Canyon",
    "Cape",
    "Causeway",
    "Center",
    "Centers",
    "Cliff",
    "Cliffs",
    "Club",
    "Common",
    "Corner",
    "Corners",
    "Cove",
    "Coves",
    "Crest",
    "Curve",
    "Dale",
    "Dam",
    "Divide",
    "Estate",
    "Estates",
    "Expressway",
    "Extension",
    "Field",
    "Fields",
    "Flat",
    "Flats",
    "Ford",
    "Forest",
    "Forge",
    "Fork",
    "Forks",
    "Fort",
    "Freeway",
    "Garden",
    "Gateway",
    "Glen",
    "Green",
    "Greens",
    "Haven",
    "Hollow",
    "Inlet",
    "Key",
    "Keys",
    "Land",
    "Landing",
    "Light",
    "Lights",
    "Lodge",
    "Manor",
    "Meadow",
    "Mount",
    "Mountain",
    "Neck",
    "Orchard",
    "Oval",
    "Overpass",
    "Pass",
    "Passage",
    "Path",
    "Pine",
    "Pines",
    "Prairie",
    "Radial",
    "Ramp",
    "Rapid",
    "Rapids",
    "Rest",
    "River",
    "Route",
    "Shore",
    "Shores",
    "Skyway",
    "Spur",
    "Stream",
    "Throughway",
    "Trace",
    "Track",
    "Trafficway",
    "Tunnel",
    "Turnpike",
    "Underpass",
    "Union",
    "Viaduct",
    "Views",
    "Ville",
    "Trailer",
    "Alley",
    "Annex",
    "Arcade",
    "Bayou",
    "Beach",
    "Bend",
    "Bluff",
    "Bluffs",
    "Bottom",
    "Branch",
    "Straße",
    "Strasse",
    "Weg",
    "Gasse",
    "Platz",
    "Allee",
    "Laan",
    "Straat",
    "Gade",
    "Vej",
    "Gatan",
    "Vägen",
    "Utca",
    "Ulica",
    "Tie",
    "Katu",
];

/// Words right before a capitalised run that make it a street or place (`Via Carlo Cattaneo`).
const STREET_PREFIXES: &[&str] = &[
    "via",
    "viale",
    "rua",
    "rue",
    "avenue",
    "av.",
    "avenida",
    "calle",
    "ul.",
    "ulica",
    "al.",
    "aleja",
    "san",
    "santa",
    "santo",
    "são",
    "st",
    "st.",
    "saint",
    "sankt",
    "bairro",
    "piazza",
    "plaza",
    "praça",
    "largo",
    "travessa",
    "paseo",
    "carrer",
    "boulevard",
    "bd",
    "place",
    "quai",
    "r",
    "r.",
    "de",
    "uscgc",
    "usnv",
    "usns",
    "usns.",
    "ship",
];

/// Words right after a capitalised run that make it an organisation, not a person.
const ORG_WORDS: &[&str] = &[
    "Inc",
    "Inc.",
    "Ltd",
    "Ltd.",
    "LLC",
    "LLP",
    "Corp",
    "Corp.",
    "Corporation",
    "Company",
    "Co",
    "Co.",
    "Group",
    "Holdings",
    "Industries",
    "Limited",
    "Partners",
    "Bank",
    "Capital",
    "Energy",
    "Systems",
    "Technologies",
    "Solutions",
    "Foundation",
    "University",
    "Institute",
    "Hospital",
    "Associates",
    "Enterprises",
    "International",
    "Airlines",
    "Motors",
    "Pharmaceuticals",
    "AG",
    "GmbH",
    "SA",
    "ASA",
    "AB",
    "NV",
    "BV",
    "plc",
    "PLC",
    "S.A.",
    "Oy",
    "SpA",
    "KG",
    "Trust",
    "Fund",
    "Insurance",
    "Bancorp",
    "Financial",
    "Realty",
    "Labs",
    "Media",
    "Communications",
];
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
    given_list: SortedList,
    family_list: SortedList,
    east_asian: EastAsianNames,
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
            .field("given_gazetteer", &self.given_list.len())
            .field("family_gazetteer", &self.family_list.len())
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
        let given_list = SortedList::new(GIVEN_GAZETTEER);
        let family_list = SortedList::new(FAMILY_GAZETTEER);
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
                    // Words of multi-word places stop a name run (`New`, `Francisco`), except
                    // those that are given or family names too (`Chiang Mai`, `Santa Clara`).
                    let multi = name.contains(' ');
                    for w in name.split_whitespace() {
                        let folded = fold(w);
                        if !multi
                            || !(given_list.contains(&folded) || family_list.contains(&folded))
                        {
                            place_words.insert(w);
                        }
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
            given_list,
            family_list,
            east_asian: EastAsianNames {
                hangul_family: SortedList::new(HANGUL_FAMILY),
                hangul_given: SortedList::new(HANGUL_GIVEN),
                han_family: SortedList::new(HAN_FAMILY),
                han_given: SortedList::new(HAN_GIVEN),
            },
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
        let mut found = Vec::new();
        self.east_asian.find(text, &mut found);
        for f in found {
            self.push_person(text, f.start, f.end, f.score, f.rule, out);
        }
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
        let listed = name_enumerations(text, words);
        let mut i = 0;
        while i < words.len() {
            let found = self
                .person_at(text, words, i)
                .map(|f| self.raise_by_cue(text, words, f));
            // One item of an enumeration of names (`Tara, Paul, Austin and James`).
            let found = match found {
                Some(mut f) if listed[i] && f.last == i && f.score < 0.65 => {
                    f.score = 0.65;
                    f.rule = "person_enumeration";
                    Some(f)
                }
                None if listed[i] => Some(PersonSpan {
                    first: i,
                    last: i,
                    score: 0.65,
                    rule: "person_enumeration",
                }),
                f => f,
            };
            let found = match (found, self.person_after_cue(text, words, i)) {
                (Some(a), Some(b)) if b.last > a.last || b.score > a.score && b.last == a.last => {
                    Some(b)
                }
                (a @ Some(_), _) => a,
                (None, b) => b,
            };
            match found {
                // After `ship it to`, `moved to`, `born in` a weakly known name is the place.
                Some(found)
                    if found.score < 0.85
                        && Self::cue_before(text, words[found.first].start, PLACE_CUES)
                            .is_some() =>
                {
                    i = found.last + 1;
                }
                Some(found) if !self.is_organisation(text, words, found.first, found.last) => {
                    let start = words[found.first].start;
                    let end = words[found.last].end;
                    self.push_person(text, start, end, found.score, found.rule, out);
                    i = found.last + 1;
                }
                Some(found) => i = found.last + 1,
                None => i += 1,
            }
        }
    }

    /// The cue phrase ending right before byte `start`, if any (spaces, commas, `!` and line
    /// breaks may stand between).
    fn cue_before(text: &str, start: usize, cues: &'static [&'static str]) -> Option<&'static str> {
        let before = text[..start].trim_end_matches([' ', '\t', '\n', '\r', ',', '!', '-', '—']);
        cues.iter().copied().find(|c| {
            before.len() >= c.len()
                && before.is_char_boundary(before.len() - c.len())
                && before[before.len() - c.len()..].eq_ignore_ascii_case(c)
                && !word_char_before(before, before.len() - c.len())
        })
    }

    /// Capitalised words right after a strong cue (`Hi Wiebke`, `my son Ottokar`, `Reply to
    /// Amélie Brûlé`) are a name even when no list knows them.
    fn person_after_cue(&self, text: &str, words: &[Word<'_>], i: usize) -> Option<PersonSpan> {
        let w = &words[i];
        // A contraction of a common word (`I'm`, `We're`) is not a name.
        let contraction = |w: &Word<'_>| {
            w.word
                .split(['\'', '’'])
                .next()
                .is_some_and(|head| head.len() < w.word.len() && self.common.contains(head))
        };
        let ok = |w: &Word<'_>| {
            !contraction(w)
                && (w.kind & (COMMON | PLACE | TITLE) == 0
                    || w.kind & NAME != 0 && w.kind & TITLE == 0)
        };
        if !ok(w) {
            return None;
        }
        Self::cue_before(text, w.start, STRONG_CUES)?;
        // After a greeting or sign-off the name is the first word only unless the next is a
        // known or unknown name word too; stop at common words either way.
        let mut j = i;
        while j < i + 2
            && j + 1 < words.len()
            && gap_is_name_gap(&text[words[j].end..words[j + 1].start])
            && words[j + 1].kind & (COMMON | PLACE | TITLE) == 0
            && !contraction(&words[j + 1])
        {
            j += 1;
        }
        Some(PersonSpan {
            first: i,
            last: j,
            score: 0.75,
            rule: "person_cue",
        })
    }

    /// A lone known name (`says Magnusson`) after a weak cue is raised to a likely name.
    fn raise_by_cue(&self, text: &str, words: &[Word<'_>], mut f: PersonSpan) -> PersonSpan {
        if f.score < 0.7
            && words[f.first].kind & NAME != 0
            && words[f.first].kind & (COMMON | PLACE) == 0
            && Self::cue_before(text, words[f.first].start, WEAK_CUES).is_some()
        {
            f.score = 0.7;
        }
        f
    }

    /// Whether the run from word `first` to `last` is part of an organisation or street name:
    /// an organisation or street word among the next three capitalised tokens (`Olsen Energy
    /// ASA`, `Kayne Anderson Energy Total Return Fund`, `Harley Vincent Drive`), or a house
    /// number right before it (`975 Celso Ferreiro`).
    fn is_organisation(&self, text: &str, words: &[Word<'_>], first: usize, last: usize) -> bool {
        let before = text[..words[first].start].trim_end_matches(' ');
        let house_number = before.len() < words[first].start
            && before
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .is_some_and(|t| {
                    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b',')
                });
        // `Via Carlo Cattaneo`, `avenue Jules Ferry`, `San Bernardino`: a street or place
        // prefix right before the run.
        let prefix = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .is_some_and(|t| STREET_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(t)));
        // `Carlo Cattaneo 88`: a house number right after it.
        let number_after = text[words[last].end..].strip_prefix(' ').is_some_and(|r| {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0
                && r[digits..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        });
        if house_number
            || prefix
            || number_after
            || words[first..=last]
                .iter()
                .any(|w| ORG_WORDS.contains(&w.word) || STREET_WORDS.contains(&w.word))
        {
            return true;
        }
        let rest = &text[words[last].end..];
        if !rest.starts_with([' ', '&', '.', ',']) {
            return false;
        }
        for token in rest.split([' ', '\t']).filter(|t| !t.is_empty()).take(4) {
            let bare = token.trim_end_matches(['.', ',', ';', ')', '!', '?', ':']);
            if ORG_WORDS.contains(&bare)
                || ORG_WORDS.contains(&token)
                || STREET_WORDS.contains(&bare)
            {
                return true;
            }
            let capitalised = bare.chars().next().is_some_and(char::is_uppercase);
            if !(capitalised || bare == "&" || bare == "and") || token.len() != bare.len() {
                return false;
            }
        }
        false
    }

    /// A PERSON starting at (or, after a title, just after) word `i`.
    fn person_at(&self, text: &str, words: &[Word<'_>], i: usize) -> Option<PersonSpan> {
        let adjacent = |a: usize| {
            a + 1 < words.len() && gap_is_name_gap(&text[words[a].end..words[a + 1].start])
        };
        let has = |k: usize, flags: u8| words.get(k).is_some_and(|w| w.kind & flags != 0);
        let first = |k: usize| has(k, GIVEN);
        let last = |k: usize| has(k, FAMILY);
        let common = |k: usize| has(k, COMMON);
        let place = |k: usize| has(k, PLACE);
        // An unknown capitalised word that may still be part of a name; an English adverb
        // (`Secretly`) in a title-case phrase is not.
        let unknown_ok =
            |k: usize| !common(k) && !place(k) && (has(k, NAME) || !words[k].word.ends_with("ly"));

        // Title + name: "Dr. Okafor", "Mrs Xiomara Quispe".
        if has(i, TITLE) {
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
            if common(n) && !(first(n) || last(n)) {
                return None;
            }
            let mut j = n;
            while j < n + 2 && adjacent(j) && {
                let x = j + 1;
                (first(x) || last(x) || unknown_ok(x)) && !has(x, TITLE)
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

        if first(i) && (!common(i) || has(i, GIVEN_CORE)) {
            let mut j = i;
            let mut has_last = false;
            while j < i + 3 && adjacent(j) && {
                let x = j + 1;
                (first(x) || last(x) || unknown_ok(x)) && (last(x) || !common(x)) && !has(x, TITLE)
            } {
                j += 1;
                has_last |= last(j);
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
            // A lone given name: a gazetteer name (never an ordinary English word) is likely a
            // name; a hand-list name that is also a word (`Will`, `Rose`) needs context.
            let score = if common(i) {
                0.2
            } else if place(i) {
                0.35
            } else if has(i, GIVEN_LIST) {
                0.65
            } else {
                0.35
            };
            return Some(PersonSpan {
                first: i,
                last: i,
                score,
                rule: "person_first_only",
            });
        }

        // Unknown given name followed by a known family name: "Xiomara Garcia".
        if unknown_ok(i)
            && !last(i)
            && (!sentence_initial(text, words[i].start) || has(i + 1, FAMILY_LIST))
            && adjacent(i)
            && last(i + 1)
            && !common(i + 1)
        {
            let mut j = i + 1;
            if adjacent(j) && last(j + 1) && !common(j + 1) {
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
        if last(i) && !common(i) && adjacent(i) && last(i + 1) && !common(i + 1) {
            return Some(PersonSpan {
                first: i,
                last: i + 1,
                score: 0.6,
                rule: "person_last_last",
            });
        }

        if last(i) && !common(i) {
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
                // A Latin word ends where Han, kana or Hangul begins (`Smilesのメンバー`).
                if d.is_alphabetic() && !is_cjk(d) || d == '\'' || d == '’' || d == '-' {
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
                kind: self.kind_of(word),
            });
        }
        out
    }

    /// What the lists say about one capitalised word.
    fn kind_of(&self, word: &str) -> u8 {
        let mut kind = 0;
        if self.first.contains(word) {
            kind |= GIVEN_CORE;
        }
        if self.last.contains(word) {
            kind |= FAMILY_CORE;
        }
        // A contraction of a common word (`I'm`, `We're`) is common too.
        let head = word.split(['\'', '’']).next().unwrap_or(word);
        if self.common.contains(word) || self.common.contains(head) {
            kind |= COMMON;
        }
        if self.place_words.contains(word) {
            kind |= PLACE;
        }
        if TITLES.contains(&word) {
            kind |= TITLE;
        }
        let folded = fold(word);
        if self.given_list.contains(&folded) {
            kind |= GIVEN_LIST;
        }
        if self.family_list.contains(&folded) {
            kind |= FAMILY_LIST;
        }
        kind
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

/// For each word, whether it is an item of an enumeration of single capitalised words
/// (`A, B, C and D`) of which at least two are known names and none is a common word, a
/// place or a title.
fn name_enumerations(text: &str, words: &[Word<'_>]) -> Vec<bool> {
    let mut listed = vec![false; words.len()];
    let separated = |a: usize| {
        matches!(
            &text[words[a].end..words[a + 1].start],
            ", " | " and " | ", and " | " & " | " or " | ", or " | " und " | " et " | " e "
        )
    };
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j + 1 < words.len() && separated(j) {
            j += 1;
        }
        let items = &words[i..=j];
        if items.len() >= 3
            && items.iter().filter(|w| w.kind & NAME != 0).count() >= 2
            && items.iter().all(|w| w.kind & (COMMON | PLACE | TITLE) == 0)
        {
            listed[i..=j].iter_mut().for_each(|l| *l = true);
        }
        i = j + 1;
    }
    listed
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
    /// `GIVEN_CORE | FAMILY_LIST | …`
    kind: u8,
}

const GIVEN_CORE: u8 = 1;
const GIVEN_LIST: u8 = 2;
const FAMILY_CORE: u8 = 4;
const FAMILY_LIST: u8 = 8;
const COMMON: u8 = 16;
const PLACE: u8 = 32;
const TITLE: u8 = 64;
const GIVEN: u8 = GIVEN_CORE | GIVEN_LIST;
const FAMILY: u8 = FAMILY_CORE | FAMILY_LIST;
const NAME: u8 = GIVEN | FAMILY;

/// Words of one name are separated by one space, or by a middle initial (`John F. Kennedy`).
/// Also a middle initial without its dot (`Pomeroy L Guibord`) and lower-case particles of
/// family names (`van Hecke`, `de la Cruz`, `von der Leyen`).
fn gap_is_name_gap(gap: &str) -> bool {
    if gap == " " {
        return true;
    }
    let b = gap.as_bytes();
    if b.len() == 4 && b[0] == b' ' && b[1].is_ascii_uppercase() && b[2] == b'.' && b[3] == b' ' {
        return true;
    }
    if b.len() == 3 && b[0] == b' ' && b[1].is_ascii_uppercase() && b[2] == b' ' {
        return true;
    }
    let Some(inner) = gap.strip_prefix(' ').and_then(|g| g.strip_suffix(' ')) else {
        return false;
    };
    let parts: Vec<&str> = inner.split(' ').collect();
    parts.len() <= 2 && parts.iter().all(|p| NAME_PARTICLES.contains(p))
}

/// Lower-case words inside family names.
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "la", "le",
    "ter", "ten", "bin", "ibn", "al", "el", "zu",
];

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
