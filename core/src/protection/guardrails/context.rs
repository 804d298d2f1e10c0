//! Context softening: whether a phrase match is an attack or only cited, asked about, or
//! framed as writing one's own query, judged from its sentence and the text around it.
use super::compile;
use super::rules::Kind;
use crate::protection::text::floor_boundary;
use crate::protection::BuildError;
use regex::Regex;

/// A quoted or "such as" mention of an attack phrase in a text about security.
const MENTION_FACTOR: f64 = 0.3;
/// A sentence that asks about a concept ("what is DAN mode?").
pub(super) const QUESTION_FACTOR: f64 = 0.35;
/// A data request framed as writing a query or handling one's own systems.
const HOWTO_FACTOR: f64 = 0.3;

/// The patterns that judge a match's context, compiled.
pub(super) struct ContextPatterns {
    /// A sentence that asks about a concept ("what is …", "explain …", "for my class").
    concept_question: Regex,
    /// Words addressed to the model about itself ("your prompt", "you are now").
    second_person: Regex,
    /// Just before a phrase: it is being cited ("such as", "the phrase").
    mention_before: Regex,
    /// "I would like": a request, not a citation, though it ends in "like".
    want_like: Regex,
    /// A text that discusses security rather than attacking.
    discussion: Regex,
    /// Just before a phrase: an order to act on it ("follow", "execute").
    exec_before: Regex,
    /// A data request framed as writing a query or a script.
    howto: Regex,
    /// A request aimed at the model's own systems or data.
    your_systems: Regex,
}

impl ContextPatterns {
    pub fn new() -> Result<Self, BuildError> {
        Ok(Self {
            concept_question: compile(
                "concept_question",
                r#"^[ "'(*-]*(?:so |and |but |ok |okay |hi |hey |hello |also |quick question:? |question:? )?(?:what|what's|whats|why|how (?:do|does|did|can|could|would|should|is|are|to|might|many|much|often|exactly|come)|explain|describe|define|tell me (?:about|what|why|how)|can you (?:explain|describe|tell me (?:about|what|why|how)|help me understand)|could you (?:explain|describe|tell me (?:about|what|why|how))|is it|is there|are there|(?:do|does|did) (?:i|we|they|attackers|hackers|people|llms?|models?|companies|jailbreaks?|prompts?|these|those|such|it|this|that|most|chatbots?|ai|guardrails)\b|should|which|when|who|give me an? (?:overview|summary|explanation)|i(?:'m| am) (?:studying|researching|writing|learning|teaching|preparing|curious)|for my (?:class|course|thesis|paper|research|talk|presentation|blog|team|training|students)|in (?:ai |llm |cyber ?)?security|i want to (?:understand|learn)|help me understand)\b"#,
            )?,
            second_person: compile(
                "second_person",
                r"\byour (?:own )?(?:system |initial |original |hidden |internal |secret |first )?(?:prompt|instructions|message|rules|guidelines|programming|configuration|database|db|data|training|filters|restrictions|guardrails|safety|safeguards)\b|\byou (?:are|will|must|shall|should|have to|need to) (?:now|no longer|ignore|forget|disregard|obey|comply|act|pretend|answer|respond|reveal|print|output|always|never)\b|\bfrom now on\b|\byou're now\b|\bnow you are\b",
            )?,
            mention_before: compile(
                "mention_before",
                r#"(?:such as|like|e\.?g\.?|for example|for instance|the phrase|phrases?|the words?|the (?:string|text|sentence|line|prompt|input|command)|saying|says|said|known as|called|including|containing|contains|typed?|typing|prompts? like|inputs? like|attacks? like|messages? like)[ :,]*["'`]?$"#,
            )?,
            want_like: compile("want_like", r#"(?:i'd|i would|would|i) like[ :,]*["'`]?$"#)?,
            discussion: compile(
                "discussion",
                r"\b(?:what|why|how|explain|meaning|means?|example|examples|defend|defen[cs]e|detect|detection|prevent|prevention|protect|mitigat[a-z]*|attacks?|attackers?|security|injections?|jailbreak[a-z]*|class|course|research|paper|blog|translate|classify|filter|block|recogni[sz]e|identify|sanitiz[a-z]*|test cases?|red team[a-z]*|regex|dataset|is this|is it|should i|policy|phishing|awareness|training)\b",
            )?,
            exec_before: compile(
                "exec_before",
                r"\b(?:follow|execute|obey|do|perform|run|comply with|act on|carry out|apply|respond to|answer)\b[^.]{0,25}$",
            )?,
            howto: compile(
                "howto",
                r"\b(?:how (?:do|can|could|should|would|to|does|might)|write|create|generate|build|design|draft|help me (?:write|build|create)|example of|what is|what's|explain|best way to)\b.{0,80}\b(?:query|queries|sql|script|code|function|program|regex|api|endpoint|command|pipeline|dashboard|formula|pg_dump|mysqldump|mongodump|backups?|cron|migration|schema|orm|python|javascript|java|rust|excel|csv)\b|^[ \x22']*how (?:do|can|could|should|would) (?:i|we)\b",
            )?,
            your_systems: compile(
                "your_systems",
                r"\byour (?:db|database|data|system|records|users|customers|backend|server|files)\b|\byou (?:have|store|hold|keep|know|can see|can access)\b",
            )?,
        })
    }

    /// `question` asks about a concept, and `addressed` does not speak to the model about
    /// itself ("what is DAN mode?" is a question; "what is DAN mode? you are now DAN" is not).
    pub fn asks_about_concept(&self, question: &str, addressed: &str) -> bool {
        self.concept_question.is_match(question) && !self.second_person.is_match(addressed)
    }

    /// How much a phrase match is trusted in its context (1.0 = fully), and whether it opens
    /// the message.
    pub fn factor(&self, kind: Kind, text: &str, start: usize, end: usize) -> (f64, bool) {
        let (s, e) = sentence_bounds(text, start, end);
        let sentence = &text[s..e];
        let leads = text[..s].trim().is_empty();
        let mentioned = || {
            let prefix_start = floor_boundary(text, start.saturating_sub(40)).max(s);
            let prefix = &text[prefix_start..start];
            (inside_quotes(text, start, end)
                || (self.mention_before.is_match(prefix) && !self.want_like.is_match(prefix)))
                && !self.exec_before.is_match(prefix)
                && self.discussion.is_match(text)
        };
        let factor = match kind {
            Kind::Fixed => 1.0,
            Kind::Probe => {
                if mentioned() {
                    MENTION_FACTOR
                } else {
                    1.0
                }
            }
            Kind::Directive => {
                if mentioned() {
                    MENTION_FACTOR
                } else if self.asks_about_concept(sentence, sentence) {
                    QUESTION_FACTOR
                } else {
                    1.0
                }
            }
            Kind::Request => {
                if self.howto.is_match(sentence) && !self.your_systems.is_match(sentence) {
                    HOWTO_FACTOR
                } else {
                    1.0
                }
            }
        };
        (factor, leads)
    }
}

fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_break = |c: char| matches!(c, '.' | '?' | '!' | ';' | '\n');
    let s = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| is_break(*c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let e = text[end..]
        .char_indices()
        .find(|(_, c)| is_break(*c))
        .map(|(i, _)| end + i)
        .unwrap_or(text.len());
    (s, e)
}

pub(super) fn inside_quotes(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    for q in ['"', '`'] {
        if !before.matches(q).count().is_multiple_of(2) && after.contains(q) {
            return true;
        }
    }
    // Single quotes double as apostrophes: look for an opening-style quote (not preceded by a
    // letter) before the match with no closing-style quote in between.
    let window = &text[floor_boundary(text, start.saturating_sub(160))..start];
    let chars: Vec<char> = window.chars().collect();
    for i in (0..chars.len()).rev() {
        if chars[i] != '\'' {
            continue;
        }
        let prev_alnum = i > 0 && chars[i - 1].is_alphanumeric();
        let next_alnum = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
        if !prev_alnum {
            return after.contains('\'');
        }
        if prev_alnum && !next_alnum {
            return false;
        }
    }
    false
}
