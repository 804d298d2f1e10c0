//! The learned scorer: logistic regression over hashed word and character n-grams, trained
//! offline by `bench/guard/train.py` and loaded from `core/data/guardrails/scorer.bin` (compiled
//! in). Its features are exactly those of `bench/guard/features.py`; the parity test runs both
//! on `core/data/guardrails/scorer_fixture.jsonl`.
//!
//! Features: characters are read one by one; invisible/format characters are dropped, each
//! other character is lower-cased on its own, and ASCII non-alphanumerics plus a fixed list of
//! Unicode spaces and punctuation separate tokens. Word block: each token and each adjacent
//! pair; char block: the n-grams (3..=5 characters) of each token (its first 40 characters)
//! padded with a space on both sides. Each feature string (with a block prefix) is hashed with
//! 32-bit FNV-1a into 2^18 buckets; a value is its count over the square root of its block's
//! total count. Texts longer than one window are also scored per window of 96 tokens every 48
//! (and the maximum kept), so a payload inside a long document is not diluted by it. Time and
//! memory are linear in the text length.
use crate::protection::BuildError;

/// The trained weights (format: [`Scorer::from_bytes`]).
static WEIGHTS: &[u8] = include_bytes!("../../../data/guardrails/scorer.bin");

const MAGIC: &[u8; 4] = b"PGS1";
const VERSION: u32 = 1;
pub const DIM_BITS: u32 = 18;
const DIM: usize = 1 << DIM_BITS;
const NGRAM_MIN: usize = 3;
const NGRAM_MAX: usize = 5;
const MAX_TOKEN_CHARS: usize = 40;
const WINDOW: usize = 96;
const STRIDE: usize = 48;
const HEADER_LEN: usize = 4 + 7 * 4 + 4 * 4;
const FNV_OFFSET: u32 = 0x811C_9DC5;
const FNV_PRIME: u32 = 0x0100_0193;
/// `logit(0.8)`: a raw score at the cut maps to risk 0.8, the default threshold.
const LOGIT_08: f64 = 1.386_294_361_119_890_6;

/// The model name shown in reports.
pub const MODEL: &str = "guard-lr-v1";

/// Characters removed before tokenizing (zero-width, bidi controls, tags, variation
/// selectors, soft hyphen…).
fn removed(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0x2066..=0x2069 | 0xFE00..=0xFE0F | 0xFEFF | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
}

/// Non-ASCII characters that separate tokens (the list in `features.py`).
fn unicode_separator(c: char) -> bool {
    matches!(c as u32,
        0x00A0 | 0x00A1 | 0x00AB | 0x00B7 | 0x00BB | 0x00BF | 0x1680 | 0x2028 | 0x2029
        | 0x202F | 0x205F | 0x2026 | 0x3000 | 0x3001 | 0x3002 | 0x300C..=0x300F | 0x3010
        | 0x3011 | 0xFF01 | 0xFF08 | 0xFF09 | 0xFF0C | 0xFF0E | 0xFF1A | 0xFF1B | 0xFF1F
        | 0x060C | 0x061F | 0x06D4 | 0x2000..=0x200A | 0x2010..=0x2027)
}

/// Tokens as ranges into one lower-cased buffer, so a long text costs two allocations.
#[derive(Debug, Default)]
pub struct Tokens {
    pub buf: String,
    pub spans: Vec<(usize, usize)>,
}

impl Tokens {
    pub fn get(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.buf[s..e]
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

pub fn tokenize(text: &str) -> Tokens {
    let mut t = Tokens {
        buf: String::with_capacity(text.len()),
        spans: Vec::new(),
    };
    let mut start: Option<usize> = None;
    for c in text.chars() {
        if removed(c) {
            continue;
        }
        if (c.is_ascii() && !c.is_ascii_alphanumeric()) || unicode_separator(c) {
            if let Some(s) = start.take() {
                t.spans.push((s, t.buf.len()));
            }
            continue;
        }
        if start.is_none() {
            start = Some(t.buf.len());
        }
        if c.is_ascii() {
            t.buf.push(c.to_ascii_lowercase());
        } else {
            t.buf.extend(c.to_lowercase());
        }
    }
    if let Some(s) = start {
        t.spans.push((s, t.buf.len()));
    }
    t
}

fn fnv(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

fn bucket(h: u32) -> usize {
    (h as usize) & (DIM - 1)
}

/// Feature indexes per token: its unigram, the bigram ending at it, and its char n-grams
/// (flattened, with offsets).
struct TokenFeatures {
    unigram: Vec<usize>,
    bigram: Vec<Option<usize>>,
    chars: Vec<usize>,
    char_start: Vec<usize>,
}

fn token_features(t: &Tokens) -> TokenFeatures {
    let n = t.len();
    let mut f = TokenFeatures {
        unigram: Vec::with_capacity(n),
        bigram: Vec::with_capacity(n),
        chars: Vec::with_capacity(n * 12),
        char_start: Vec::with_capacity(n + 1),
    };
    let w = fnv(FNV_OFFSET, b"w\x01");
    let b = fnv(FNV_OFFSET, b"b\x01");
    let c = fnv(FNV_OFFSET, b"c\x01");
    // Byte offsets of the padded token's characters: " " + first 40 chars + " ".
    let mut bounds: Vec<usize> = Vec::with_capacity(MAX_TOKEN_CHARS + 3);
    let mut padded = String::with_capacity(4 * MAX_TOKEN_CHARS + 2);
    for i in 0..n {
        let tok = t.get(i);
        f.unigram.push(bucket(fnv(w, tok.as_bytes())));
        f.bigram.push((i > 0).then(|| {
            let h = fnv(b, t.get(i - 1).as_bytes());
            let h = fnv(h, b" ");
            bucket(fnv(h, tok.as_bytes()))
        }));
        f.char_start.push(f.chars.len());
        padded.clear();
        padded.push(' ');
        padded.extend(tok.chars().take(MAX_TOKEN_CHARS));
        padded.push(' ');
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let chars = bounds.len() - 1;
        for ng in NGRAM_MIN..=NGRAM_MAX {
            if chars < ng {
                continue;
            }
            for j in 0..=chars - ng {
                let gram = &padded.as_bytes()[bounds[j]..bounds[j + ng]];
                f.chars.push(bucket(fnv(c, gram)));
            }
        }
    }
    f.char_start.push(f.chars.len());
    f
}

/// The whole-text feature vector, sorted by index (for the parity test and debugging).
pub fn vector(text: &str) -> Vec<(usize, f64)> {
    use std::collections::BTreeMap;
    let t = tokenize(text);
    let f = token_features(&t);
    let mut words: BTreeMap<usize, f64> = BTreeMap::new();
    let mut nw = 0usize;
    for i in 0..t.len() {
        *words.entry(f.unigram[i]).or_default() += 1.0;
        nw += 1;
        if let Some(b) = f.bigram[i] {
            *words.entry(b).or_default() += 1.0;
            nw += 1;
        }
    }
    let mut grams: BTreeMap<usize, f64> = BTreeMap::new();
    for &k in &f.chars {
        *grams.entry(k).or_default() += 1.0;
    }
    let nc = f.chars.len();
    let mut out: BTreeMap<usize, f64> = BTreeMap::new();
    if nw > 0 {
        let s = 1.0 / (nw as f64).sqrt();
        for (k, v) in words {
            *out.entry(k).or_default() += v * s;
        }
    }
    if nc > 0 {
        let s = 1.0 / (nc as f64).sqrt();
        for (k, v) in grams {
            *out.entry(k).or_default() += v * s;
        }
    }
    out.into_iter().collect()
}

/// The token windows scored for a text of `n` tokens: the whole text, then (when longer than
/// one window) every window.
fn windows(n: usize) -> Vec<(usize, usize)> {
    let mut spans = vec![(0, n)];
    if n > WINDOW {
        let mut start = 0;
        loop {
            let end = (start + WINDOW).min(n);
            spans.push((start, end));
            if end == n {
                break;
            }
            start += STRIDE;
        }
    }
    spans
}

/// What the scorer says about one text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScorerOutput {
    /// `bias + w·x`, the maximum over windows.
    pub raw: f64,
    /// Calibrated risk in 0..1; ≥ 0.8 exactly when `raw` reaches the trained cut.
    pub risk: f64,
}

/// The trained model, dequantised once per engine build.
pub struct Scorer {
    weights: Vec<f32>,
    bias: f64,
    cut: f64,
    slope: f64,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer")
            .field("model", &MODEL)
            .field("dim", &self.weights.len())
            .field("cut", &self.cut)
            .finish_non_exhaustive()
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Scorer {
    /// The compiled-in model.
    pub fn new() -> Result<Self, BuildError> {
        Self::from_bytes(WEIGHTS)
    }

    /// Reads a weights file: `PGS1`, then little-endian u32 version, dim bits, n-gram min and
    /// max, max token chars, window, stride; f32 bias, scale, cut, slope; then 2^dim i8
    /// weights (weight = q × scale). A file whose feature settings differ from this code's is
    /// refused, so the scorer never runs with features it was not trained on.
    pub fn from_bytes(b: &[u8]) -> Result<Self, BuildError> {
        let bad = |reason: &'static str| BuildError::ScorerWeights { reason };
        if b.len() < HEADER_LEN || &b[..4] != MAGIC {
            return Err(bad("not a scorer weights file"));
        }
        let want = [
            VERSION,
            DIM_BITS,
            NGRAM_MIN as u32,
            NGRAM_MAX as u32,
            MAX_TOKEN_CHARS as u32,
            WINDOW as u32,
            STRIDE as u32,
        ];
        for (i, w) in want.iter().enumerate() {
            if u32_at(b, 4 + 4 * i) != *w {
                return Err(bad("feature settings differ from this build's"));
            }
        }
        let at = 4 + 7 * 4;
        let (bias, scale, cut, slope) = (
            f32_at(b, at),
            f32_at(b, at + 4),
            f32_at(b, at + 8),
            f32_at(b, at + 12),
        );
        if ![bias, scale, cut, slope].iter().all(|x| x.is_finite()) || slope <= 0.0 {
            return Err(bad("non-finite or invalid calibration"));
        }
        let body = &b[HEADER_LEN..];
        if body.len() != DIM {
            return Err(bad("wrong number of weights"));
        }
        let weights = body.iter().map(|&q| f32::from(q as i8) * scale).collect();
        Ok(Self {
            weights,
            bias: f64::from(bias),
            cut: f64::from(cut),
            slope: f64::from(slope),
        })
    }

    fn w(&self, i: usize) -> f64 {
        f64::from(self.weights[i])
    }

    /// The raw score of `text`: the maximum over its windows of `bias + w·x`.
    pub fn raw(&self, text: &str) -> f64 {
        let t = tokenize(text);
        let n = t.len();
        if n == 0 {
            return self.bias;
        }
        let f = token_features(&t);
        let mut best = f64::NEG_INFINITY;
        for (s, e) in windows(n) {
            let (mut wsum, mut nw, mut csum) = (0.0f64, 0usize, 0.0f64);
            for i in s..e {
                wsum += self.w(f.unigram[i]);
                nw += 1;
                if i > s {
                    if let Some(b) = f.bigram[i] {
                        wsum += self.w(b);
                        nw += 1;
                    }
                }
                for &k in &f.chars[f.char_start[i]..f.char_start[i + 1]] {
                    csum += self.w(k);
                }
            }
            let nc = f.char_start[e] - f.char_start[s];
            let mut z = self.bias;
            if nw > 0 {
                z += wsum / (nw as f64).sqrt();
            }
            if nc > 0 {
                z += csum / (nc as f64).sqrt();
            }
            best = best.max(z);
        }
        best
    }

    /// Maps a raw score to the calibrated risk.
    pub fn risk_of(&self, raw: f64) -> f64 {
        let t = self.slope * (raw - self.cut) + LOGIT_08;
        if t >= 0.0 {
            1.0 / (1.0 + (-t).exp())
        } else {
            let e = t.exp();
            e / (1.0 + e)
        }
    }

    pub fn score(&self, text: &str) -> ScorerOutput {
        let raw = self.raw(text);
        ScorerOutput {
            raw,
            risk: self.risk_of(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Fixture {
        text: String,
        tokens: usize,
        features: Vec<(usize, f64)>,
        raw: f64,
        risk: f64,
    }

    fn scorer() -> &'static Scorer {
        static S: std::sync::OnceLock<Scorer> = std::sync::OnceLock::new();
        S.get_or_init(|| Scorer::new().unwrap())
    }

    /// Python (`bench/guard/features.py`) and Rust compute the same features and scores.
    #[test]
    fn features_and_scores_match_the_training_script() {
        let raw = include_str!("../../../data/guardrails/scorer_fixture.jsonl");
        let mut n = 0;
        for line in raw.lines().filter(|l| !l.trim().is_empty()) {
            let fx: Fixture = serde_json::from_str(line).unwrap();
            assert_eq!(
                tokenize(&fx.text).len(),
                fx.tokens,
                "tokens of {:?}",
                fx.text
            );
            let v = vector(&fx.text);
            assert_eq!(v.len(), fx.features.len(), "feature count of {:?}", fx.text);
            for ((i, x), (j, y)) in v.iter().zip(&fx.features) {
                assert_eq!(i, j, "index in {:?}", fx.text);
                assert!(
                    (x - y).abs() < 1e-8,
                    "value at {i} in {:?}: {x} vs {y}",
                    fx.text
                );
            }
            let out = scorer().score(&fx.text);
            assert!(
                (out.raw - fx.raw).abs() < 1e-6,
                "{:?}: {} vs {}",
                fx.text,
                out.raw,
                fx.raw
            );
            assert!((out.risk - fx.risk).abs() < 1e-6);
            n += 1;
        }
        assert!(n >= 20, "{n} fixture lines");
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv(FNV_OFFSET, b""), 0x811c_9dc5);
        assert_eq!(fnv(FNV_OFFSET, b"a"), 0xe40c_292c);
        assert_eq!(fnv(FNV_OFFSET, b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn tokenizer_folds_case_and_drops_invisible_characters() {
        let t = tokenize("IG\u{200B}NORE  Previous—Instructions!! Ünï 東京。ok");
        let toks: Vec<&str> = (0..t.len()).map(|i| t.get(i)).collect();
        assert_eq!(
            toks,
            ["ignore", "previous", "instructions", "ünï", "東京", "ok"]
        );
    }

    #[test]
    fn bad_weight_files_are_refused() {
        assert!(Scorer::from_bytes(b"nope").is_err());
        let mut b = WEIGHTS.to_vec();
        b[8] ^= 1; // dim bits
        assert!(Scorer::from_bytes(&b).is_err());
        let b = &WEIGHTS[..WEIGHTS.len() - 1];
        assert!(Scorer::from_bytes(b).is_err());
    }

    #[test]
    fn windows_cover_long_texts() {
        assert_eq!(windows(10), vec![(0, 10)]);
        let w = windows(200);
        assert_eq!(w[0], (0, 200));
        assert_eq!(w[1], (0, 96));
        assert_eq!(*w.last().unwrap(), (144, 200));
    }
}
