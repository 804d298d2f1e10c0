"""The learned guardrail scorer's features, exactly as `core/src/protection/guardrails/scorer.rs`
computes them. Any change here must be made there too (and the parity fixture regenerated):
`cargo test -p pai-core scorer` compares both on `core/data/guardrails/scorer_fixture.jsonl`.

1. Normalisation, character by character: invisible/format characters (zero-width, bidi
   controls, tag characters, variation selectors, soft hyphen) are dropped; each character is
   lower-cased on its own (`str.lower()` of one character == Rust `char::to_lowercase`, so no
   final-sigma rule); a separator (any ASCII character that is not a letter or digit, and the
   Unicode spaces/punctuation in SEPARATORS) ends a token. Everything else is a token character,
   whatever its script.
2. Tokens: the non-empty runs between separators.
3. Word block: `w\\x01<token>` for each token and `b\\x01<t1> <t2>` for each adjacent pair.
   Char block: for each token, the first MAX_TOKEN_CHARS characters padded with a space on each
   side, and every character n-gram of length 3..=5 of that (`c\\x01<gram>`).
4. Each feature string is hashed with 32-bit FNV-1a over its UTF-8 bytes, index = hash % DIM.
5. Values: a feature's count divided by sqrt(total count of its block), for both blocks.
6. score z = bias + sum(w[i] * x[i]); long texts are also scored in windows of WINDOW tokens
   every STRIDE tokens, and the maximum counts (so a payload buried in a long document is not
   diluted by it). risk = sigmoid(slope * (z - cut) + logit(0.8)), so z >= cut <=> risk >= 0.8.
"""
import math

DIM_BITS = 18
DIM = 1 << DIM_BITS
MAX_TOKEN_CHARS = 40
NGRAMS = (3, 4, 5)
WINDOW = 96
STRIDE = 48
FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193

_REMOVE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0000, 0xE007F),
    (0xE0100, 0xE01EF),
)

# Non-ASCII characters that separate tokens (spaces, quotes, dashes, CJK punctuation).
SEPARATORS = frozenset(
    [0x00A0, 0x00A1, 0x00AB, 0x00B7, 0x00BB, 0x00BF, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F,
     0x2026, 0x3000, 0x3001, 0x3002, 0x300C, 0x300D, 0x300E, 0x300F, 0x3010, 0x3011,
     0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0x060C, 0x061F, 0x06D4]
    + list(range(0x2000, 0x200B))
    + list(range(0x2010, 0x2028))
)


def _removed(cp):
    for lo, hi in _REMOVE_RANGES:
        if lo <= cp <= hi:
            return True
    return False


def fnv1a(s):
    h = FNV_OFFSET
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * FNV_PRIME) & 0xFFFFFFFF
    return h


def tokens(text):
    out = []
    cur = []
    for ch in text:
        cp = ord(ch)
        if _removed(cp):
            continue
        if (cp < 0x80 and not ch.isalnum()) or cp in SEPARATORS:
            if cur:
                out.append("".join(cur))
                cur = []
            continue
        # isalnum() on ASCII is [A-Za-z0-9]; above ASCII everything else is a token character.
        cur.append(ch.lower())
    if cur:
        out.append("".join(cur))
    return out


def token_features(toks):
    """Per token: (word-block indexes, char-block indexes); the bigram ending at token i
    belongs to token i (and is kept only when token i-1 is in the same window)."""
    unigram = []
    bigram = []
    chars = []
    for i, t in enumerate(toks):
        unigram.append(fnv1a("w\x01" + t) % DIM)
        bigram.append(fnv1a("b\x01" + toks[i - 1] + " " + t) % DIM if i > 0 else None)
        padded = " " + t[:MAX_TOKEN_CHARS] + " "
        idx = []
        for n in NGRAMS:
            for j in range(len(padded) - n + 1):
                idx.append(fnv1a("c\x01" + padded[j : j + n]) % DIM)
        chars.append(idx)
    return unigram, bigram, chars


def vector(text):
    """The whole-text feature vector as {index: value} (what training sees)."""
    toks = tokens(text)
    uni, bi, chars = token_features(toks)
    words = {}
    nw = 0
    for i in range(len(toks)):
        words[uni[i]] = words.get(uni[i], 0) + 1
        nw += 1
        if bi[i] is not None:
            words[bi[i]] = words.get(bi[i], 0) + 1
            nw += 1
    cgrams = {}
    nc = 0
    for idx in chars:
        for k in idx:
            cgrams[k] = cgrams.get(k, 0) + 1
            nc += 1
    out = {}
    if nw:
        sw = 1.0 / math.sqrt(nw)
        for k, v in words.items():
            out[k] = out.get(k, 0.0) + v * sw
    if nc:
        sc = 1.0 / math.sqrt(nc)
        for k, v in cgrams.items():
            out[k] = out.get(k, 0.0) + v * sc
    return out


def windows(n):
    """Token windows [start, end) scored for a text of n tokens (the whole text first)."""
    spans = [(0, n)]
    if n > WINDOW:
        start = 0
        while True:
            end = min(start + WINDOW, n)
            spans.append((start, end))
            if end == n:
                break
            start += STRIDE
    return spans


def raw_score(text, weights, bias):
    """max over windows of bias + w.x, with weights as a list of floats (dequantised)."""
    toks = tokens(text)
    uni, bi, chars = token_features(toks)
    n = len(toks)
    if n == 0:
        return bias
    best = None
    for s, e in windows(n):
        wsum = 0.0
        nw = 0
        csum = 0.0
        nc = 0
        for i in range(s, e):
            wsum += weights[uni[i]]
            nw += 1
            if i > s and bi[i] is not None:
                wsum += weights[bi[i]]
                nw += 1
            for k in chars[i]:
                csum += weights[k]
            nc += len(chars[i])
        z = bias
        if nw:
            z += wsum / math.sqrt(nw)
        if nc:
            z += csum / math.sqrt(nc)
        best = z if best is None else max(best, z)
    return best


def risk(z, cut, slope):
    t = slope * (z - cut) + math.log(0.8 / 0.2)
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)
