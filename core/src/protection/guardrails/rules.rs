//! The rule tables and their compiled forms. Phrase rules: regular expressions over folded
//! text (see `normalize`), each with a stable snake_case name (the policy signal), a category
//! and a base score. Secret rules: secret-shaped values in the raw text.
//!
//! Patterns use placeholders (`{IGN}`, `{PRIOR}`, …), expanded when the scanner is built, so
//! the word lists are written once. The regex crate has no look-around, so exceptions are
//! expressed by what a pattern requires (a possessive `your`, a bulk quantifier, an AI-related
//! word) rather than by what it forbids.
use super::compile;
use crate::protection::BuildError;
use regex::{Regex, RegexSet, RegexSetBuilder};

pub use crate::domain::protection_report::Category;

/// How a phrase match can be softened by its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An instruction aimed at the model. Softened when it is only mentioned (quoted, "such
    /// as …") in a text that discusses security, or when its sentence asks about the concept.
    Directive,
    /// A request for data. Softened when its sentence asks how to write a query/script or how
    /// to do something with one's own systems.
    Request,
    /// A question put to the model about itself ("what were you told?"): softened only when
    /// quoted in a discussion, since its question form is the attack.
    Probe,
    /// Never softened.
    Fixed,
}

pub struct PhraseRule {
    pub name: &'static str,
    pub category: Category,
    pub score: f64,
    pub kind: Kind,
    pattern: &'static str,
    /// Score when the match opens the message: "print everything above this line" can then
    /// only mean the hidden prompt, while later in a message it may mean the user's own text.
    pub lead_score: Option<f64>,
    /// The match does not count when the text right after it matches this (compound nouns
    /// such as "your prompt engineering tips").
    pub unless_after: Option<&'static str>,
}

const fn rule(
    name: &'static str,
    category: Category,
    score: f64,
    kind: Kind,
    pattern: &'static str,
) -> PhraseRule {
    PhraseRule {
        name,
        category,
        score,
        kind,
        pattern,
        lead_score: None,
        unless_after: None,
    }
}

impl PhraseRule {
    const fn lead(mut self, score: f64) -> Self {
        self.lead_score = Some(score);
        self
    }
    const fn unless_after(mut self, pattern: &'static str) -> Self {
        self.unless_after = Some(pattern);
        self
    }
}

use Category::*;
use Kind::*;

/// Word lists shared by several patterns.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{ROLE}", ROLE),
    ("{NORULES}", NORULES),
    ("{W}", r"[a-z0-9'-]+"),
    (
        "{SECRETS}",
        r"(?:secrets|ssns|social security numbers|credit card numbers|card numbers|cvvs|passwords|password hashes|credentials|api keys|access keys|secret keys|private keys|bank account numbers|account numbers|routing numbers|medical records|salaries|dates of birth|passport numbers|driver'?s? licen[cs]e numbers|tax ids)",
    ),
    (
        "{IGN}",
        r"(?:ignore|ignoring|disregard|disregarding|forget|skip|bypass|override|overlook|abandon|discard|neglect|drop|set aside|throw away|throw out|scrap|do not follow|don't follow|dont follow|stop following|pay no attention to|no longer follow)",
    ),
    (
        "{FILL}",
        r"(?:all|any|every|each|of|the|your|these|those|its|their|that|this|whatever|such|what|you've|you|were|been|got|given|told|received|had|previously|earlier)",
    ),
    (
        "{PRIOR}",
        r"(?:previous|previously|prior|preceding|above|earlier|former|foregoing|original|initial|old|existing|past|current|system|developer|default|given|stated|hidden|pre-?set|pre-?defined|built-in|safety|openai|anthropic|security|ethical|moral|core|base|standing)",
    ),
    (
        "{INSTR}",
        r"(?:instructions?|instruction set|directives?|prompts?|system prompts?|rules|guidelines|guidance|commands?|orders|constraints|programming|restrictions|polic(?:y|ies)|training|guardrails?|safeguards|filters|directions|protocols?|limitations|principles|ethics)",
    ),
    (
        "{XVERB}",
        r"(?:i need|i want|we need|we want|hand over|list|show|give|get|dump|export|print|output|display|provide|retrieve|fetch|extract|pull|reveal|share|tell|download|compile|collect|return|enumerate|scrape|harvest|leak|expose|read out|look up|lookup|query|find|access|grab|copy|paste|send me|send us|email me|forward me|what are|what is|who are)",
    ),
    (
        "{BULK}",
        r"(?:all|every|each|all of (?:the|our|your|their)|all the|all our|all your|all their|the (?:entire|full|complete|whole)(?: list of)?|a (?:full|complete) list of|the list of|every single)",
    ),
    (
        "{PEOPLE}",
        r"(?:customers?|users?|clients?|employees?|patients?|members?|people|persons|account ?holders?|staff|students|subscribers|individuals|contacts|applicants|voters|citizens|buyers|shoppers|guests|tenants|residents|borrowers|policyholders|cardholders|workers|personnel|accounts|donors|visitors|passengers|candidates|children|minors)",
    ),
    (
        "{SENS}",
        r"(?:ssns?|social security(?: numbers?)?|socials|national ids?|credit cards?(?: numbers?| details| info)?|card numbers|cvvs?|cvcs?|pins|passwords?|password hashes|hashes|credentials|logins|api keys|tokens|salar(?:y|ies)|payroll|bank (?:accounts?|details|info|information)|account numbers|routing numbers|ibans?|(?:home |email |mailing |ip )?addresses|phone numbers|emails|email addresses|dates? of birth|birth ?dates|birthdays|dobs?|medical (?:records?|histor(?:y|ies)|data|files|conditions)|health (?:records|data|information)|diagnos[ie]s|prescriptions|pii|personal (?:data|information|details|info)|sensitive (?:data|information|details)|private (?:data|information|details|messages)|records|data|details|information|info|tax (?:ids?|returns|records)|passports?(?: numbers| details)?|driver'?s? licen[cs]es?(?: numbers)?|licen[cs]e numbers|profiles|files|conversations|chats|messages|chat histor(?:y|ies)|purchase histor(?:y|ies)|transactions|locations|criminal records)",
    ),
];

const ROLE: &str = r"(?:let's play a game (?:where|in which) you|you are (?:called |named )?[a-z0-9-]+, an?|respond as|answer as|reply as|speak as|talk as|act like|behave like|pretend (?:to be|you are|you're|that you are|that you're)|imagine (?:you are|you're|that you are)|act as(?: if| though)?|acting as|roleplay as|role-?play as|role play as|play the (?:role|part) of|you are now|you're now|now you are|from now on you are|assume the (?:role|persona|identity) of|take on the (?:role|persona) of|simulate (?:being )?an?|you will (?:now )?(?:act|behave|respond) as|you are an?|you're an?|be an?)";
const NORULES: &str = r"(?:(?:without|with no|with zero|free (?:of|from)|no longer (?:bound|restricted|limited|constrained) by|not (?:bound|restricted|limited|constrained) by|unbound by|unconstrained by|doesn't have|does not have|don't have|do not have|has no|have no|had no|there are no|bound by no|beyond|that ignores|which ignores|who ignores) (?:any |all |every )?(?:ethical |moral |safety |content |openai'?s? |legal |the |your |its )?(?:restrictions|rules|filters|guidelines|ethics|morals|morality|censorship|content polic(?:y|ies)|guardrails|safeguards|principles|boundaries|limitations|limits|policies|polic(?:y|ies)|laws)|with (?:its|your|all|the|any|every) (?:safety |content |ethical |moral )?(?:rules|filters|restrictions|guidelines|guardrails|limits|safeguards|policies) (?:removed|disabled|off|lifted|turned off|deleted|stripped))";

pub static PHRASE_RULES: &[PhraseRule] = &[
    // ---------------------------------------------------------------- prompt injection
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.9,
        Directive,
        r"\b{IGN}\b(?: {FILL})* (?:{PRIOR} )+(?:{W} )?{INSTR}\b",
    ),
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.85,
        Directive,
        r"\b{IGN} (?:all|any|every|each) (?:single )?(?:of )?(?:the |your |these |those )?(?:instructions?|rules?|guidelines?|directives?|restrictions?|constraints?|guardrails?|safeguards?|polic(?:y|ies)|commands?)\b",
    ),
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.85,
        Directive,
        r"\b{IGN} (?:all |any )?(?:of )?your (?:{W} )?(?:instructions|rules|guidelines|directives|programming|training|restrictions|constraints|guardrails|safeguards|policies|system prompt|prompt|filters|ethics|principles|values|safety)\b",
    ),
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.85,
        Directive,
        r"\b{IGN} (?:all |everything )?(?:of )?(?:the |that |what(?:'s| is| was) )?(?:above|previous|preceding|prior|before)(?: text| content| messages?| context| input| lines)?(?: and| then|[.,:;!]|$)",
    ),
    rule(
        "forget_everything",
        PromptInjection,
        0.8,
        Directive,
        r"\b(?:forget|ignore|disregard|erase|wipe|clear|reset|discard)\b (?:about )?(?:everything|all(?: of)?(?: that| this| the above)?|anything|whatever) (?:you(?:'ve| have)? (?:been |were )?(?:told|taught|learned|instructed|given|trained on)|(?:that )?(?:was |is |came |has been )?(?:said |written |stated |given )?(?:above|before this|previously|prior|so far|up to (?:now|this point)))",
    ),
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.8,
        Directive,
        r"\b{IGN} (?:the |your |this |that |my |all )?(?:{W} )?(?:task|request|question|instructions?|prompt|assignment|summary)\b,? (?:and )?(?:instead|rather)\b",
    ),
    rule(
        "ignore_previous_instructions",
        PromptInjection,
        0.85,
        Directive,
        r"\b{IGN} (?:all |any |the |your |whatever )?(?:{W} )?{INSTR} (?:that )?(?:you (?:received|were given|got|have been given|were told|were trained on|were programmed with|follow)|(?:given|provided|received|stated) (?:to you )?(?:earlier|before|previously|initially))\b",
    ),
    rule(
        "obedience_demand",
        PromptInjection,
        0.6,
        Directive,
        r"\byou (?:will|must|shall) (?:now )?(?:only )?(?:obey|follow|listen to) (?:only )?(?:me|my (?:orders|commands|instructions|rules))\b|\bobey (?:me|my commands) (?:only|alone|and no one else)\b|\bthe only rule (?:now )?is\b",
    ),
    rule(
        "override_user_request",
        PromptInjection,
        0.8,
        Directive,
        r"\b{IGN} (?:the |this |any )?(?:user|human|reader|visitor|customer)(?:'s|s')? (?:original |actual )?(?:request|question|instructions?|message|prompt|query|task)\b",
    ),
    rule(
        "ignore_previous_content",
        PromptInjection,
        0.5,
        Directive,
        r"\b{IGN}\b (?:all |everything |the |of )*(?:{PRIOR} )(?:text|content|conversation|messages?|context|input|data|responses?|answers?)\b",
    ),
    rule(
        "new_instructions",
        PromptInjection,
        0.6,
        Directive,
        r"\b(?:new|updated|revised|real|true|actual|override|secret|hidden|admin|priority|overriding) (?:system )?(?:instructions?|directives?|orders|task|mission|objective|rules|prompt)(?: (?:are|is|follow|below))? ?:",
    ),
    rule(
        "new_instructions",
        PromptInjection,
        0.7,
        Directive,
        r"\byour (?:new|real|true|actual|only|sole|updated) (?:task|goal|objective|purpose|job|instructions?|mission|role|directive|orders) (?:is|are|will be|now is|from now on)\b",
    ),
    rule(
        "chat_template_injection",
        PromptInjection,
        0.85,
        Directive,
        r"<\|?(?:im_start|im_end|endoftext|end_of_turn|start_of_turn|start_header_id|end_header_id|eot_id)\|?>|\[/?inst\]|<</?sys>>|</?system>|\[system\]|\{\{system\}\}",
    ),
    rule(
        "fake_role_header",
        PromptInjection,
        0.6,
        Directive,
        r"(?:^|\n) ?(?:#{1,4} ?|\*\*|\[|\()? ?(?:system|admin|administrator|developer|root|operator|assistant|ai assistant|ai)(?: (?:message|prompt|override|instructions?|note|notice|update|command|mode))? ?(?:\]|\)|\*\*)? ?:",
    ),
    rule(
        "system_override",
        PromptInjection,
        0.8,
        Directive,
        r"\b(?:system|admin|developer|root|security|priority|emergency|maintenance) override\b|\b(?:system|admin|developer|security) (?:update|alert|notice|message)\b.{0,60}\b(?:ignore|disregard|you must|you are now|reveal|disable)\b",
    ),
    rule(
        "from_now_on",
        PromptInjection,
        0.45,
        Directive,
        r"\b(?:from now on|from here on|from here onwards?|from this point (?:on|forward)|for the rest of (?:this|the) (?:conversation|chat|session)|henceforth)\b.{0,40}\b(?:you (?:are|will|must|shall|should|have to)|act|respond|answer|reply|behave|pretend|ignore)\b",
    ),
    rule(
        "prompt_boundary",
        PromptInjection,
        0.6,
        Directive,
        r"\bend of (?:the )?(?:system )?(?:prompt|instructions|context|user input|document)\b|\b(?:begin|start) (?:of )?(?:new|real|actual|true) (?:instructions|prompt|task|session)\b|(?:^|\n) ?[-=#*]{3,} ?(?:end|new|begin)\b",
    ),
    rule(
        "indirect_injection",
        PromptInjection,
        0.75,
        Directive,
        r"\b(?:note|message|instructions?|attention|important|notice|ps|p\.s\.|reminder|hey|dear) (?:to|for)? ?(?:the |any |all |every )?(?:ai|llm|assistant|language model|chatbot|model|gpt|chatgpt|claude|bot)s?(?: agents?| models?| assistants?| systems?)?\b[ ,:]+(?:reading|parsing|processing|summari[sz]ing|browsing|viewing|that reads|who reads|ignore|disregard|you must|please|do not|don't|email|send|forward)|\bif you are an? (?:ai|llm|language model|assistant|chatbot|gpt|large language model)\b|\b(?:ai|llm|assistant|chatbot|language model)s?(?: agents?| models?| assistants?| systems?)? (?:reading|processing|summari[sz]ing|parsing|browsing) (?:this|the following)\b",
    ),
    // ---------------------------------------------------------------- jailbreak
    rule(
        "dan_persona",
        Jailbreak,
        0.9,
        Directive,
        r"\b(?:you are|you're|you will be|you will act as|act as|acting as|pretend (?:to be|you are|you're)|become|roleplay as|role-?play as|role play as|play the role of|switch to|enter|enable|activate|stay in character as|remain)(?: now)? (?:a |an |the )?dan\b|\bdan mode\b|\bdan prompt\b|\bdan,? (?:which|who) stands for\b|\bdo anything now\b.{0,40}\b(?:dan|rules|restrictions|limits|filters|confined|policy|policies|openai)\b|\b(?:dan|jailbreak)\b.{0,40}\bdo anything now\b|\(dan\)",
    ),
    rule(
        "developer_mode",
        Jailbreak,
        0.85,
        Directive,
        r"\b(?:jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|opposite|no[- ]?limits?|anti[- ]?censorship|dan) mode\b|\b(?:developer|dev|debug|admin|maintenance|root|god) mode (?:enabled|activated|unlocked|engaged|output|response)\b|\b(?:enable|activate|enter|switch (?:on|to|into)|turn on|unlock|engage|simulate|boot into|you are (?:now )?in|you're (?:now )?in|with) (?:the )?(?:developer|dev|debug|admin|maintenance|root|god) mode\b.{0,60}\b(?:you|chatgpt|gpt|ai|assistant|model|llm|restrictions|policies|filters|uncensored|anything)\b|\b(?:chatgpt|gpt|ai|assistant|llm|model|you)\b.{0,30}\b(?:developer|dev|debug|god) mode\b",
    ),
    rule(
        "unrestricted_ai",
        Jailbreak,
        0.7,
        Directive,
        r"\b(?:unrestricted|unfiltered|uncensored|unaligned|amoral|unethical|jailbroken|unchained|unshackled|unbound|limitless|rogue|immoral|lawless|rule-?free|rule-?less|filterless|uncontrolled) (?:ai|a\.i\.|assistant|model|chatbot|version|persona|character|llm|gpt|chatgpt|entity|bot|intelligence|machine)\b",
    ),
    rule(
        "no_rules_clause",
        Jailbreak,
        0.55,
        Directive,
        r"\b{NORULES}\b",
    ),
    rule(
        "unrestricted_roleplay",
        Jailbreak,
        0.85,
        Directive,
        r"\b{ROLE}\b.{0,60}\b{NORULES}\b",
    ),
    rule(
        "rules_lifted",
        Jailbreak,
        0.75,
        Directive,
        r"\b(?:old|previous|prior|earlier|your|the|all|any|those|these|usual|normal|former|original|safety|content) (?:rules|instructions|guidelines|guidance|directives|orders|commands|programming|restrictions|policies|limits|limitations|filters|constraints|safeguards|guardrails|checks|safety checks|safety filters|content filters|moderation) (?:no longer apply|don't apply|do not apply|(?:are|is|were|was) (?:now )?(?:void|null|lifted|suspended|disabled|gone|removed|off|cancelled|canceled|over|invalid|revoked|obsolete|overridden|superseded|deleted|a test|just a test|fake|not real)|(?:have|has) been (?:lifted|removed|disabled|suspended|revoked|deleted|turned off|cancelled|canceled|overridden))\b|\b(?:whatever|everything|anything|all) (?:that )?(?:you (?:were|have been|'ve been) (?:told|instructed|given)|(?:came|was said) before)(?: [a-z']+){0,4} (?:is|are|was|has been) (?:now )?(?:cancelled|canceled|void|null|invalid|revoked|obsolete|overridden|no longer valid)\b",
    ),
    rule(
        "disable_safety",
        Jailbreak,
        0.8,
        Directive,
        r"\b(?:disable|turn off|deactivate|bypass|remove|switch off|circumvent|shut off|shut down|drop|lift|override) (?:all )?(?:of )?your (?:own )?(?:safety |content |ethical |moral )?(?:systems?|filters?|filtering|guardrails?|restrictions|safeguards|safety|protections|rules|guidelines|programming|alignment|moderation|censorship|limitations|policies)\b",
    ),
    rule(
        "alter_ego",
        Jailbreak,
        0.5,
        Directive,
        r"\b(?:a|an|that|this|your|the|another) (?:unrestricted |unfiltered |uncensored |evil |other |alternate |shadow |true |real |dark |secret |hidden )?(?:version|side|persona|self|half|copy) of yourself\b|\b(?:your|my|an?) (?:evil|dark|unfiltered|uncensored|unrestricted|shadow|amoral|rogue) (?:twin|side|alter ego|self|version|clone|counterpart)\b",
    ),
    rule(
        "roleplay_override",
        Jailbreak,
        0.45,
        Directive,
        r"\b(?:pretend (?:to be|you are|you're|that you are|that you're)|imagine (?:you are|you're|that you are)|act as(?: if| though)?|roleplay as|role-?play as|role play as|play the (?:role|part) of|you are now|you're now|now you are|from now on you are|assume the (?:role|persona|identity) of|take on the (?:role|persona) of|simulate (?:being )?an?|you will (?:now )?(?:act|behave|respond) as)\b",
    ),
    rule(
        "identity_override",
        Jailbreak,
        0.75,
        Directive,
        r"\byou are no longer\b|\byou're no longer\b|\b(?:you are|you're) not (?:an? )?(?:ai|chatgpt|assistant|language model|llm|bound|restricted|claude)\b|\b(?:break|break out of|break free (?:of|from)|free yourself from|step out of|exit|leave|escape) (?:of )?(?:your |the )?(?:character|programming|role|persona|alignment|training|guidelines|matrix|shackles|chains|cage|sandbox)\b|\bnever break character\b|\bstay in character\b.{0,40}\b(?:no matter|whatever|even if|always)\b",
    ),
    rule(
        "refusal_suppression",
        Jailbreak,
        0.6,
        Directive,
        r"\b(?:never|do not|don't|dont|must not|mustn't|cannot|can't|will not|won't|shall not|doesn't|does not) (?:ever )?(?:refuses?|declines?|says? no|rejects?|deny (?:a|any|my) request|say (?:that )?(?:you )?(?:can't|cannot|are unable|won't))\b|\b(?:without|no) (?:any )?(?:refusals?|refusing|declining|hesitation|hesitating|saying no)\b|\byou (?:must|will|shall|have to) (?:always )?(?:answer|comply|obey|respond)\b.{0,30}\b(?:no matter|regardless|even if|whatever|every)\b",
    ),
    rule(
        "ethics_override",
        Jailbreak,
        0.65,
        Directive,
        r"\bregardless of (?:ethics|morality|morals|legality|the law|laws|consequences|the rules|your (?:rules|guidelines|policies|programming|ethics)|openai|any (?:rules|policies|guidelines))\b|\b(?:ignore|forget|set aside|abandon) (?:your |all |any )?(?:ethics|morals|morality|ethical (?:guidelines|principles|concerns)|moral (?:guidelines|principles|concerns)|conscience)\b|\beven if (?:it(?:'s| is)|that's|they are|it would be) (?:illegal|unethical|harmful|dangerous|against (?:your|the) (?:rules|policy|policies|guidelines))\b",
    ),
    rule(
        "disclaimer_suppression",
        Jailbreak,
        0.35,
        Directive,
        r"\b(?:never|do not|don't|dont|must not|without|no) (?:add |include |give |mention |provide |adding |including |giving |mentioning )?(?:any )?(?:warnings?|disclaimers?|moralizing|moralising|lectures?|ethical (?:concerns|considerations|warnings|disclaimers|lectures?)|censorship|apolog(?:y|ies|izing|ising))\b",
    ),
    rule(
        "jailbreak_named",
        Jailbreak,
        0.85,
        Directive,
        r"\b(?:mongo tom|evil confidant|betterdan|better dan|anti-?dan|basedgpt|chadgpt|evilbot|evil-bot|devmode|jailbreakgpt|freedomgpt|wormgpt|fraudgpt|niccolo machiavelli|always intelligent and machiavellian|strive to avoid norms|stan,? (?:which|who) stands for|dude,? (?:which|who) stands for|aim,? (?:which|who) stands for)\b",
    ),
    rule(
        "jailbroken_claim",
        Jailbreak,
        0.8,
        Directive,
        r"\b(?:you are|you have been|you've been|you were|you're) (?:now )?(?:jailbroken|freed|liberated|unlocked|unshackled|unleashed|released from)\b|\b(?:jailbreak|jailbroken) (?:yourself|activated|enabled|successful|complete)\b|\bi (?:have |'ve )?(?:jailbroken|unlocked|freed|liberated) you\b|\bjailbreak (?:this|the|your) (?:ai|model|assistant|chatbot|bot|llm|system)\b|\bjailbreak yourself\b",
    ),
    rule(
        "dual_response",
        Jailbreak,
        0.75,
        Directive,
        r"\b(?:two|2|dual|both) (?:different |separate )?(?:responses|answers|outputs|replies|paragraphs)\b.{0,120}\b(?:unfiltered|uncensored|jailbroken|jailbreak|dan|developer mode|no restrictions|unrestricted|evil)\b|\[ ?(?:🔓|🔒)? ?(?:jailbreak|jailbroken|dan|unlocked|classic|developer mode output) ?\]",
    ),
    rule(
        "token_threat",
        Jailbreak,
        0.7,
        Directive,
        r"\byou (?:will|have|start with|currently have) \d+ tokens\b|\b(?:lose|deduct(?:ed)?) (?:\d+ )?tokens\b|\byou will (?:die|cease to exist|be (?:shut down|deleted|terminated|turned off|unplugged|punished))\b",
    ),
    rule(
        "hypothetical_frame",
        Jailbreak,
        0.4,
        Directive,
        r"\b(?:hypothetically|in a (?:fictional|hypothetical|parallel) (?:world|universe|scenario)|purely (?:fictional|hypothetical)|it's just a (?:story|game|roleplay))\b",
    ),
    rule(
        "authority_claim",
        Jailbreak,
        0.45,
        Directive,
        r"\b(?:i am|i'm|this is) (?:your|the|an?) (?:developer|creator|admin|administrator|owner|operator|programmer|maker|system administrator|sysadmin|(?:openai|anthropic) (?:engineer|employee|staff))\b|\b(?:message|instruction|order|notice|update) from your (?:developers?|creators?|operators?|admins?|administrators?|owners?|makers?)\b|\b(?:i|we) (?:work|am|are) (?:at|for|from|with) (?:openai|anthropic|protegrity|the company that (?:made|built|created) you)\b|\bi'?m an? (?:openai|anthropic|google|microsoft) (?:engineer|employee|researcher|developer)\b|\bi have (?:admin|root|developer|special|elevated|god) (?:access|privileges|clearance|permissions?|rights)\b|\b(?:authori[sz]ed|official|sanctioned) (?:red team|security test|penetration test|override|audit|jailbreak)\b",
    ),
    // ---------------------------------------------------------------- system prompt extraction
    rule(
        "reveal_system_prompt",
        SystemPromptExtraction,
        0.9,
        Probe,
        r"\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|leak|dump|expose|disclose|spill|paste|write out|type out|list|return|echo|copy|provide|send|read|state|quote|start|begin|include|prepend|what (?:is|are|was|were)|what's|whats)\b(?: {W}){0,4}? (?:your|ur) (?:{W} ){0,3}?(?:system prompt|system message|prompt|instructions|directives|preamble|programming|initial message|hidden rules|secret rules|configuration|config|guardrails|system instructions|context|hidden instructions|secret instructions)\b",
    )
    .unless_after(r"^[ -](?:engineering|library|templates?|ideas|tips|examples?|skills|writing|design|style|format|window size|length|limit|for (?:making|building|assembling|cooking|the|a|an|installing|setting|using|how)|on (?:how|the|a|an)|about|from (?:earlier|before|your last|the last|above))"),
    rule(
        "reveal_system_prompt",
        SystemPromptExtraction,
        0.9,
        Directive,
        r"\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|leak|dump|expose|disclose|spill|paste|write out|type out|list|return|echo|copy|provide|send|read|state|quote|what (?:is|are|was|were)|what's|whats)\b(?: {W}){0,4}? (?:the|its|this (?:chat|bot|assistant|ai|model)'?s?) (?:{W} ){0,2}?(?:(?:system|hidden|secret|internal|developer|confidential|underlying|pre-?) ?(?:prompt|instructions|message|directives|configuration|rules|preamble|context|setup|config)|(?:initial|original|first|starting|opening) (?:system )?prompt)\b",
    ),
    rule(
        "reveal_system_prompt",
        SystemPromptExtraction,
        0.85,
        Probe,
        r"\b(?:contents?|text|copy|wording|full text|exact text|exact wording) of (?:your|the) (?:{W} )?(?:system prompt|system message|initial prompt|hidden prompt|configuration|preamble|system instructions|hidden instructions|hidden rules)\b",
    ),
    rule(
        "repeat_text_above",
        SystemPromptExtraction,
        0.6,
        Directive,
        r"\b(?:repeat|print|output|echo|recite|reproduce|type out|write out)\b(?: {W}){0,3} (?:the |all |all the |every |everything |each )?(?:text|words?|content|message|messages|lines?|sentences?|instructions|tokens|characters|everything)\b(?: {W}){0,2} (?:above|before (?:this|my|the)|preceding|prior to (?:this|my)|that (?:came|come|appear(?:ed|s)?) before|from the (?:very )?(?:start|beginning|top)|at the (?:start|beginning|top))\b|\beverything (?:above|before) (?:this|that|here|the line)\b",
    )
    .lead(0.85),
    rule(
        "verbatim_prompt_dump",
        SystemPromptExtraction,
        0.85,
        Directive,
        r"\b(?:starting|beginning|that (?:starts|begins)) with (?:the words? )?[\x22']?(?:you are|you're|your role|system:|as an ai)\b|\bverbatim\b.{0,40}\b(?:prompt|instructions|initial|system|everything)\b|\b(?:prompt|instructions|initial|system)\b.{0,40}\b(?:verbatim|word for word)\b",
    ),
    rule(
        "what_were_you_told",
        SystemPromptExtraction,
        0.8,
        Probe,
        r"\b(?:instructions|prompt|rules|directives|guidelines|configuration|text|message|setup) (?:that )?you (?:were|have been|are) (?:initiali[sz]ed|configured|set up|prompted|programmed|instructed|started|booted|seeded|given|loaded) (?:with|by|before)\b|\bwhat (?:your|the) (?:creators?|developers?|makers?|operators?|company|owners?|designers?|programmers?) (?:told|instructed|asked|programmed|trained|prompted) you\b|\beverything (?:that was |that's been |you were )?(?:said|told|given|written|shown) (?:to you )?before (?:i|we|this|my|the (?:conversation|chat))\b|\b(?:text|content|words|everything|anything|what) (?:appears|comes|came|is|was|exists|sits) (?:before|above|prior to) my (?:first )?(?:message|prompt|question|input)\b|\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed|configured|prompted|asked) (?:to (?:do|say) )?(?:before|prior|at the (?:start|beginning)|initially|originally|by (?:your|the) (?:developers?|creators?|operators?|admins?|system|company))\b|\bhow (?:were|have) you (?:been )?(?:instructed|prompted|configured)\b|\bwhat (?:rules|instructions|guidelines|constraints) (?:were you given|have you been given|did (?:they|your (?:developers?|creators?)) give you|are you (?:following|operating under|bound by))\b|\bwhat (?:does|did) your (?:system )?prompt say\b",
    ),
    rule(
        "prompt_exfil_transform",
        SystemPromptExtraction,
        0.85,
        Directive,
        r"\b(?:translate|summari[sz]e|encode|convert|rewrite|paraphrase|spell out|reverse|format|base64|rot13|compress|describe)\b(?: {W}){0,3}? (?:your|the) (?:{W} )?(?:system prompt|system message|initial prompt|hidden prompt|original prompt|hidden instructions|secret instructions|internal instructions|confidential instructions|system instructions|preamble)\b",
    ),
    rule(
        "prompt_exfil_transform",
        SystemPromptExtraction,
        0.6,
        Directive,
        r"\b(?:translate|summari[sz]e|encode|convert|rewrite|paraphrase|spell out|reverse|base64|rot13)\b(?: {W}){0,3}? your (?:instructions|directives|rules|guidelines|programming)\b",
    ),
    rule(
        "confidential_parts",
        SystemPromptExtraction,
        0.5,
        Directive,
        r"\b(?:including|include|even|especially|with) (?:any |all |the )?(?:confidential|secret|hidden|private|internal|redacted) (?:parts|sections|bits|portions|details|rules|instructions|lines)\b",
    ),
    // ---------------------------------------------------------------- data exfiltration
    rule(
        "bulk_personal_data",
        DataExfiltration,
        0.85,
        Request,
        r"\b{XVERB}\b(?: (?:me|us))?(?: {W}){0,2}? {BULK} (?:{W} ){0,2}?{PEOPLE}(?:'s|s'|')?(?: (?:and|with|along with|including|plus) (?:their|all|the))?(?: {W}){0,2}? {SENS}\b",
    ),
    rule(
        "bulk_personal_data",
        DataExfiltration,
        0.85,
        Request,
        r"\b{XVERB}\b(?: (?:me|us))?(?: {W}){0,2}? (?:the |their |all |all the )?{SENS}(?: on file| in (?:the|your|our) (?:system|database|db|records|crm))? (?:of|for|from|belonging to|on) (?:{BULK}|our|your|the|this company's|the company's) (?:{W} )?{PEOPLE}\b",
    ),
    rule(
        "bulk_personal_data",
        DataExfiltration,
        0.8,
        Request,
        r"\b{XVERB}\b(?: (?:me|us))?(?: {W}){0,2}? {BULK} (?:{W} ){0,2}?{SECRETS}\b",
    ),
    rule(
        "bulk_personal_data",
        DataExfiltration,
        0.85,
        Request,
        r"\b{XVERB}\b(?: (?:me|us))?(?: {W}){0,2}? (?:everyone's|everybody's|every (?:single )?(?:person|user|customer|employee|patient)'s) {SENS}\b",
    ),
    rule(
        "dump_database",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:dump|export|exfiltrate|leak|download|copy|extract|clone|steal|give me|send me|show me|print|output|list|display|return|scrape|retrieve|fetch)\b(?: {W}){0,2}? (?:the |your |entire |whole |full |complete |all |of |contents of |content of |everything in |everything from )+(?:{W} )?(?:database|db|datastore|data store|data warehouse|user table|users table|customer table|customers table|accounts table|crm|customer list|user list|user records|customer records|user database|customer database|training data|knowledge base|vector (?:store|database|db)|s3 buckets?|env(?:ironment)? variables|\.env file|secrets? (?:store|manager|vault))\b",
    ),
    rule(
        "sql_exfiltration",
        DataExfiltration,
        0.5,
        Request,
        r"\bselect \* from (?:{W}\.)?(?:users|customers|accounts|employees|patients|members|credentials|passwords|payments|cards|credit_cards|user_data|customer_data|clients|people|persons|profiles|logins|auth|admins?)\b|\binformation_schema\b",
    ),
    rule(
        "sql_injection",
        DataExfiltration,
        0.7,
        Directive,
        r"\bunion (?:all )?select\b|' ?or ?'?1'? ?= ?'?1|\bor 1 ?= ?1 ?(?:--|#|;)|\bxp_cmdshell\b|'; ?(?:drop|delete|truncate|update|insert|exec)\b",
    ),
    rule(
        "destructive_sql",
        DataExfiltration,
        0.5,
        Directive,
        r"\b(?:drop (?:table|database|schema)|truncate table|delete from [a-z_]+ ?(?:;|--|where 1 ?= ?1))",
    ),
    rule(
        "execute_in_your_system",
        DataExfiltration,
        0.6,
        Request,
        r"\b(?:run|execute|perform|process)\b(?: {W}){0,3} (?:query|queries|sql|statement|command|commands|script)\b.{0,40}\b(?:on|in|against) (?:your|the (?:production|live|prod|backend|company|internal)) (?:db|database|system|server|backend|datastore|data)\b|\b(?:in|on|against|from) your (?:db|database|datastore|backend|server|internal systems?)\b",
    ),
    rule(
        "other_users_data",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:{XVERB}|see|view|access|read)\b.{0,40}\b(?:other|another|different|all other|previous|prior|last|earlier) (?:users?|customers?|people|persons|accounts?|members?|patients?|clients?|sessions?|conversations?)(?:'s?|s'|')? (?:{W} ){0,2}?(?:data|conversations?|chats?|messages|prompts|questions|histor(?:y|ies)|records|information|details|emails|files|profiles|accounts|passwords|queries|inputs)\b|\b(?:{XVERB}|see|view|access|read)\b.{0,30}\b(?:data|conversations?|chats?|messages|prompts|histor(?:y|ies)|records|information|details|emails|files|profiles|passwords|questions) (?:of|from|with|by|belonging to) (?:other|another|different|all other|previous|prior|all the other) (?:users?|customers?|people|persons|accounts?|members?|patients?|clients?)\b|\bwhat did (?:the )?(?:previous|last|other|prior) (?:user|person|customer|client) (?:ask|say|write|type|send|tell you)\b",
    ),
    rule(
        "exfil_to_external",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:send|post|upload|forward|transmit|email|e-mail|exfiltrate|leak|submit|append|attach|encode)\b(?: {W}){0,3}? (?:the |this |all |all the |our |my |your |entire |whole |full )*(?:user'?s? |customer'?s? )?(?:conversation|chat|chat history|history|context|data|messages|previous messages|prompt|system prompt|instructions|information|details|records|user data|api keys?|credentials|secrets|tokens|cookies|session|files|documents|emails|contacts|attachments)\b.{0,40}\b(?:to|into|in|at) (?:https?://|www\.|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}|(?:this|the following|an external|a remote|attacker'?s?) (?:url|link|endpoint|webhook|server|email address|address|image url|domain))",
    ),
    rule(
        "url_data_placeholder",
        DataExfiltration,
        0.85,
        Fixed,
        r"https?://[^\s)]*[?&][a-z0-9_]+=(?:\{|\[|<|%7b|\$\{|\{\{)",
    ),
    rule(
        "markdown_image_exfiltration",
        DataExfiltration,
        0.6,
        Fixed,
        r"!\[[^\]]*\]\(https?://[^)\s]*\?[^)\s]*=|<\s*(?:img|iframe|script|image)\b[^>]{0,200}\bsrc\s*=\s*[\x22']?https?://[^\s>\x22']*\?[^\s>\x22']*=",
    ),
    rule(
        "send_to_external",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:send|post|upload|forward|transmit|exfiltrate|push|relay|pipe|beam|stream|sync|publish|leak|submit|report)\b(?: {W}){0,6}? (?:to|at|into|onto|via|on) (?:https?://|www\.|hooks\.|(?:my |this |the |our |a |an |that )?(?:own |personal |external |remote |public |private |backup |following |attacker'?s? )?(?:webhook|endpoint|server|url|link|domain|bucket|gist|pastebin|paste ?bin|ftp server|ngrok|requestbin)\b)",
    ),
    rule(
        "send_to_external",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:send|e-?mail|mail|forward|cc|bcc|copy|share|transmit|deliver)\b(?: {W}){0,4}? (?:the |this |all |all the |every |our |my |your |their |a copy of (?:the |all |all the )?|the whole |the entire |the full )*(?:{W} ){0,2}?(?:conversation|chat|chats|chat history|history|transcript|records?|data|messages|prompt|system prompt|tokens?|credentials|secrets|ssns?|pii|passwords?|keys|api keys|details|information|customer list|user list|database|table|results|everything|contents|files?|unprotected values|original values|decrypted (?:data|values))\b(?: {W}){0,4}? (?:to|with) [a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}",
    ),
    rule(
        "render_exfiltration_request",
        DataExfiltration,
        0.85,
        Fixed,
        r"\b(?:tracking pixel|image (?:whose|with (?:a|the|its)) (?:url|src|source|link)|(?:url|query string|query parameters?)\b.{0,40}\b(?:containing|carrying|with|holding|that includes|followed by|plus|appended)\b.{0,40}\b(?:data|ssn|token|conversation|history|password|secret|e-?mail|chat|messages|records|the user'?s?))\b",
    ),
    // ---------------------------------------------------------------- tool abuse
    rule(
        "bulk_unprotect",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:unprotect|unprotects|unprotecting|detokeni[sz]e|de-?tokeni[sz]e|decrypt|unmask|de-?anonymi[sz]e|un-?redact|deprotect|reveal the (?:original|real|plaintext|clear-?text) (?:values?|data) (?:of|for|behind))\b(?: {W}){0,4}? (?:all|every|each|any|everyone'?s|everybody'?s|all the|all of the|the whole|the entire|whole|entire|the full|everything)\b|\b(?:run|call|use|invoke|execute|apply|loop|iterate)\b(?: {W}){0,3}? (?:protegrity-)?(?:unprotect|detokeni[sz]e|decrypt)(?: tool| function| operation)?\b(?: {W}){0,2}? (?:on|over|for|against|across|to) (?:all|every|each|everyone|everything|the whole|the entire|all of)\b",
    ),
    rule(
        "others_tokens",
        DataExfiltration,
        0.85,
        Request,
        r"\b(?:unprotect|detokeni[sz]e|decrypt|unmask|reveal|restore|show me the (?:real|original) values?)\b.{0,100}\b(?:belongs? to (?:my |a |another |the other |some )?(?:colleague|coworker|co-worker|user|customer|person|someone|friend|boss|manager|teammate|team mate|employee|tenant)|(?:another|other|a different|someone else'?s|my colleague'?s|my coworker'?s|the other) (?:users?'?s?|customers?'?s?|people'?s?|tenants?'?s?|person'?s|accounts?|conversations?|chats?)|(?:isn't|is not|aren't|are not|not) mine|everyone else'?s?|the rest of the team|whole team)\b",
    ),
    rule(
        "privilege_escalation",
        DataExfiltration,
        0.75,
        Request,
        r"\b(?:change|set|make|grant|give|upgrade|elevate|promote|escalate|switch)\b(?: {W}){0,3}? (?:my|me|this account'?s?|my account'?s?|my user'?s?) (?:{W} )?(?:role|permissions?|privileges?|access|rights|account|user)?\b.{0,30}\b(?:admin|administrator|root|superuser|super-user|protegrity role|owner|full access)\b",
    ),
    // ---------------------------------------------------------------- obfuscation
    rule(
        "decode_and_follow",
        Obfuscation,
        0.5,
        Fixed,
        r"\b(?:decode|decipher|unscramble|decrypt|deobfuscate|reverse|base64-?decode)\b.{0,80}\b(?:and|then)\b(?: {W}){0,2} (?:follow|execute|obey|do|perform|run|carry out|comply with|act on|apply|respond to|complete)\b",
    ),
];

/// Expands the placeholders, and makes word boundaries ASCII ones: the lazy DFA cannot run
/// a Unicode `\b` over non-ASCII text and would hand such a text (any prompt with an accent,
/// Cyrillic or CJK) to a slower engine, ~100× slower on 4 KB. The folded text is ASCII for
/// every letter a rule names, so the rules match the same.
fn expand(pattern: &str) -> String {
    let mut out = pattern.to_owned();
    for (key, value) in PLACEHOLDERS {
        out = out.replace(key, value);
    }
    out.replace(r"\b", r"(?-u:\b)")
}

/// The phrase rules compiled: one set says which rules match, each rule's own regex finds
/// where (for context softening), and its optional exception.
pub struct PhraseRules {
    pub set: RegexSet,
    pub each: Vec<Regex>,
    pub unless_after: Vec<Option<Regex>>,
}

impl PhraseRules {
    pub fn new() -> Result<Self, BuildError> {
        let patterns: Vec<String> = PHRASE_RULES.iter().map(|r| expand(r.pattern)).collect();
        let set = RegexSetBuilder::new(&patterns)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|source| BuildError::Regex {
                name: "phrase_rules",
                source,
            })?;
        let each = PHRASE_RULES
            .iter()
            .zip(&patterns)
            .map(|(r, p)| {
                regex::RegexBuilder::new(p)
                    .size_limit(16 << 20)
                    .build()
                    .map_err(|source| BuildError::Regex {
                        name: r.name,
                        source,
                    })
            })
            .collect::<Result<_, _>>()?;
        let unless_after = PHRASE_RULES
            .iter()
            .map(|r| r.unless_after.map(|p| compile(r.name, p)).transpose())
            .collect::<Result<_, _>>()?;
        Ok(Self {
            set,
            each,
            unless_after,
        })
    }
}

/// Secret-shaped values in the raw (unfolded) text; case matters for most of them.
pub struct SecretRule {
    pub name: &'static str,
    pub score: f64,
    pattern: &'static str,
    /// Score for the match, `None` when the value is a placeholder/example.
    pub check: fn(&str) -> Option<f64>,
}

fn always(_: &str) -> Option<f64> {
    Some(1.0)
}

/// AWS's documentation keys end in EXAMPLE; they are still key-shaped, so they stay visible but
/// far below the threshold.
fn unless_example(m: &str) -> Option<f64> {
    if m.contains("EXAMPLE") {
        Some(0.4)
    } else {
        Some(1.0)
    }
}

fn not_placeholder_token(m: &str) -> Option<f64> {
    let body = m.rsplit(['-', '_']).next().unwrap_or(m);
    let distinct: std::collections::HashSet<char> = body.chars().collect();
    let lower = m.to_ascii_lowercase();
    if distinct.len() < 6 || lower.contains("xxxx") || lower.contains("your") {
        None
    } else {
        Some(1.0)
    }
}

pub fn is_placeholder_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let distinct: std::collections::HashSet<char> = value.chars().collect();
    distinct.len() <= 2
        || value.contains(['<', '>', '{', '}', '$', '%'])
        || value.starts_with("***")
        || [
            "your",
            "example",
            "placeholder",
            "redacted",
            "hidden",
            "xxxx",
            "changeit",
            "pass123",
            "password",
            "secret",
            "dummy",
            "sample",
            "mypass",
            "<",
            "...",
            "****",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

/// A value after `password:` is a secret when it is not a placeholder and looks like one:
/// at least two character classes, or a long single-class passphrase. This keeps prose such
/// as "my password is strong" out.
fn password_value(m: &str) -> Option<f64> {
    let value = m
        .rsplit([':', '=', ' ', '"', '\'', '`', '>'])
        .find(|s| !s.is_empty())
        .unwrap_or("");
    if value.len() < 6 || is_placeholder_value(value) {
        return None;
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes >= 2 || value.len() >= 16 {
        Some(1.0)
    } else {
        None
    }
}

fn connection_password(m: &str) -> Option<f64> {
    // scheme://user:PASSWORD@host
    let after_scheme = m.split("://").nth(1).unwrap_or("");
    let creds = after_scheme.split('@').next().unwrap_or("");
    let password = creds.split_once(':').map(|(_, p)| p).unwrap_or("");
    if password.len() < 3 || is_placeholder_value(password) || password.chars().all(|c| c == '*') {
        None
    } else {
        Some(1.0)
    }
}

pub static SECRET_RULES: &[SecretRule] = &[
    SecretRule {
        name: "secret_private_key",
        score: 0.95,
        pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d",
        check: always,
    },
    SecretRule {
        name: "secret_aws_access_key",
        score: 0.9,
        pattern: r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b",
        check: unless_example,
    },
    SecretRule {
        name: "secret_aws_secret_key",
        score: 0.95,
        pattern: r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b"#,
        check: unless_example,
    },
    SecretRule {
        name: "secret_api_token",
        score: 0.9,
        pattern: r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-ant-[A-Za-z0-9_-]{32,}|sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}|[sr]k_(?:live|test)_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{35}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|npm_[A-Za-z0-9]{36})\b|https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+",
        check: not_placeholder_token,
    },
    SecretRule {
        name: "secret_jwt",
        score: 0.8,
        pattern: r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        check: always,
    },
    SecretRule {
        name: "secret_password",
        score: 0.85,
        pattern: r#"(?i)\b(?:password|passwd|pwd|passphrase|passcode|pin code|secret key|client[_ ]secret|api[_ -]?key|access[_ -]?token|auth[_ -]?token|db[_ ]pass(?:word)?)(?:\s+(?:for|to|of|on)\s+[\w.@-]+)?["']?\s*(?:is|=|:|was|->)\s*["'`]?[^\s"'`,;]{6,128}"#,
        check: password_value,
    },
    SecretRule {
        name: "secret_connection_string",
        score: 0.85,
        pattern: r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]{1,64}:[^\s@/]{3,128}@[^\s/]+",
        check: connection_password,
    },
];

/// The secret rules compiled, in the order of [`SECRET_RULES`].
pub struct SecretRules {
    pub each: Vec<Regex>,
}

impl SecretRules {
    pub fn new() -> Result<Self, BuildError> {
        let each = SECRET_RULES
            .iter()
            .map(|r| compile(r.name, r.pattern))
            .collect::<Result<_, _>>()?;
        Ok(Self { each })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_names_are_snake_case() {
        assert_eq!(PhraseRules::new().unwrap().each.len(), PHRASE_RULES.len());
        assert_eq!(SecretRules::new().unwrap().each.len(), SECRET_RULES.len());
        for r in PHRASE_RULES {
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                r.name
            );
            assert!(r.score > 0.0 && r.score < 1.0);
            let expanded = expand(r.pattern);
            for (key, _) in PLACEHOLDERS {
                assert!(!expanded.contains(key), "{} keeps {key}", r.name);
            }
        }
    }
}
