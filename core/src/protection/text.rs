//! Offsets: regexes work in bytes, the API speaks characters (Unicode scalar values).
//!
//! Discovery also runs on a folded view of the text ([`Folded`]): compatibility forms, look-alike
//! digits, invisible characters and separator variants would otherwise let a value through
//! (`４１１１…`, `jane\u{200B}@example.com`). Spans found in the folded view are mapped back to
//! the original text, so a rewrite replaces the disguise too.
use std::borrow::Cow;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// A text folded for discovery, with the map from folded byte offsets back to the original.
///
/// Folding, character by character: format and zero-width characters (U+200B, U+200C, U+200D,
/// U+2060, U+FEFF, U+00AD, bidi controls, variation selectors, tags) are removed; no-break, thin,
/// ideographic and other space variants become a space; dash and minus variants become `-`;
/// decimal digits of any script become ASCII digits; everything else is NFKC (full-width and
/// mathematical forms become ASCII). ASCII text is its own folded view and costs nothing.
#[derive(Debug, Clone)]
pub struct Folded<'a> {
    folded: Cow<'a, str>,
    /// Where folding changed the text, in order. Between two edits, folded and original bytes
    /// correspond one to one.
    edits: Vec<Edit>,
}

/// One original character that folding removed (`folded_len == 0`) or replaced.
#[derive(Debug, Clone, Copy)]
struct Edit {
    folded_start: usize,
    folded_len: usize,
    orig_start: usize,
    orig_len: usize,
}

impl Edit {
    fn folded_end(&self) -> usize {
        self.folded_start + self.folded_len
    }
    fn orig_end(&self) -> usize {
        self.orig_start + self.orig_len
    }
}

enum Fold {
    Same,
    Drop,
    Replace,
}

impl<'a> Folded<'a> {
    pub fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            return Self {
                folded: Cow::Borrowed(text),
                edits: Vec::new(),
            };
        }
        let mut out: Option<String> = None;
        let mut edits = Vec::new();
        let mut replacement = String::new();
        for (i, c) in text.char_indices() {
            replacement.clear();
            let fold = if c.is_ascii() {
                Fold::Same
            } else {
                fold_char(c, &mut replacement)
            };
            match fold {
                Fold::Same => {
                    if let Some(o) = out.as_mut() {
                        o.push(c);
                    }
                }
                Fold::Drop | Fold::Replace => {
                    let o = out.get_or_insert_with(|| {
                        let mut s = String::with_capacity(text.len());
                        s.push_str(&text[..i]);
                        s
                    });
                    edits.push(Edit {
                        folded_start: o.len(),
                        folded_len: replacement.len(),
                        orig_start: i,
                        orig_len: c.len_utf8(),
                    });
                    o.push_str(&replacement);
                }
            }
        }
        Self {
            folded: out.map_or(Cow::Borrowed(text), Cow::Owned),
            edits,
        }
    }

    /// The folded text discovery runs on.
    pub fn text(&self) -> &str {
        &self.folded
    }

    /// Whether folding changed nothing.
    pub fn is_identity(&self) -> bool {
        self.edits.is_empty()
    }

    /// The original byte span of the folded byte span `start..end`: from the first original
    /// character that produced `start` to the last one that produced `end - 1`, so removed
    /// characters inside the span belong to it.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        (
            self.original_start(start),
            self.original_end(end.max(start)),
        )
    }

    fn original_start(&self, x: usize) -> usize {
        let idx = self.edits.partition_point(|e| e.folded_start <= x);
        let Some(e) = idx.checked_sub(1).map(|i| self.edits[i]) else {
            return x;
        };
        if x < e.folded_end() {
            e.orig_start
        } else {
            e.orig_end() + (x - e.folded_end())
        }
    }

    fn original_end(&self, x: usize) -> usize {
        let idx = self.edits.partition_point(|e| e.folded_start < x);
        let Some(e) = idx.checked_sub(1).map(|i| self.edits[i]) else {
            return x;
        };
        if x <= e.folded_end() && e.folded_len > 0 {
            e.orig_end()
        } else {
            e.orig_end() + (x - e.folded_end())
        }
    }
}

/// Folds one non-ASCII character into `out` (left empty for [`Fold::Same`] and [`Fold::Drop`]).
fn fold_char(c: char, out: &mut String) -> Fold {
    if invisible(c) {
        return Fold::Drop;
    }
    let simple = match c {
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Some(' '),
        '\u{2010}'..='\u{2015}'
        | '\u{2043}'
        | '\u{2212}'
        | '\u{2E3A}'
        | '\u{2E3B}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}' => Some('-'),
        _ => script_digit(c),
    };
    if let Some(r) = simple {
        out.push(r);
        return Fold::Replace;
    }
    if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        return Fold::Same;
    }
    out.extend(std::iter::once(c).nfkc());
    if out.len() == c.len_utf8() && out.starts_with(c) {
        out.clear();
        return Fold::Same;
    }
    Fold::Replace
}

/// Characters with no visible form that can sit inside a value unseen.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

/// Zeros of the decimal digit blocks NFKC leaves alone (Arabic-Indic, Devanagari, Thai, …);
/// each block holds 0-9 in order.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1E140, 0x1E2F0, 0x1E950,
];

fn script_digit(c: char) -> Option<char> {
    let cp = u32::from(c);
    let idx = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    let zero = DIGIT_ZEROS[idx.checked_sub(1)?];
    let d = cp - zero;
    (d < 10).then(|| char::from(b'0' + d as u8))
}

/// Converts byte offsets (each on a char boundary) to character offsets in one pass over `text`.
/// `offsets` may be in any order; the result is in the same order.
pub fn byte_to_char_offsets(text: &str, offsets: &[usize]) -> Vec<usize> {
    if text.is_ascii() {
        return offsets.to_vec();
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![0; offsets.len()];
    let mut chars = 0usize;
    let mut iter = text.char_indices().peekable();
    for i in order {
        let target = offsets[i];
        while let Some(&(b, _)) = iter.peek() {
            if b >= target {
                break;
            }
            chars += 1;
            iter.next();
        }
        out[i] = chars;
    }
    out
}

/// Converts character offsets to byte offsets (clamped to the text's end).
pub fn char_to_byte_offsets(text: &str, offsets: &[usize]) -> Vec<usize> {
    if text.is_ascii() {
        return offsets.iter().map(|&o| o.min(text.len())).collect();
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![text.len(); offsets.len()];
    let mut iter = text.char_indices().enumerate().peekable();
    for i in order {
        let target = offsets[i];
        while let Some(&(c, _)) = iter.peek() {
            if c >= target {
                break;
            }
            iter.next();
        }
        out[i] = iter.peek().map_or(text.len(), |&(_, (b, _))| b);
    }
    out
}

/// The char boundary at or before `i`.
pub fn floor_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The char boundary at or after `i`.
pub fn ceil_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Whether the character just before byte `i` is alphanumeric (or `_`).
pub fn word_char_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Whether the character at byte `i` is alphanumeric (or `_`).
pub fn word_char_at(text: &str, i: usize) -> bool {
    text[i..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "café 👩‍💻 東京 x";
        let x = text.find('x').unwrap();
        let tokyo = text.find('東').unwrap();
        let got = byte_to_char_offsets(text, &[x, 0, tokyo, text.len()]);
        let expect_x = text.chars().count() - 1;
        assert_eq!(got, vec![expect_x, 0, expect_x - 3, expect_x + 1]);
        assert_eq!(
            char_to_byte_offsets(text, &[expect_x, 0, expect_x - 3]),
            vec![x, 0, tokyo]
        );
    }

    #[test]
    fn folding_maps_spans_back_to_the_original() {
        let text = "card ４１１１\u{00A0}1111 and jane\u{200B}@ex.com, \u{0661}\u{0662}\u{2013}x";
        let f = Folded::new(text);
        assert_eq!(f.text(), "card 4111 1111 and jane@ex.com, 12-x");
        let span = |needle: &str| {
            let s = f.text().find(needle).unwrap();
            let (a, b) = f.original_span(s, s + needle.len());
            &text[a..b]
        };
        assert_eq!(span("4111 1111"), "４１１１\u{00A0}1111");
        assert_eq!(span("jane@ex.com"), "jane\u{200B}@ex.com");
        assert_eq!(span("12-x"), "\u{0661}\u{0662}\u{2013}x");
        assert_eq!(span("card"), "card");
        // A removed character at a span's edge stays outside it.
        let f = Folded::new("a\u{200B}bc\u{200B}");
        assert_eq!(f.text(), "abc");
        assert_eq!(f.original_span(1, 3), (4, 6));
        assert_eq!(f.original_span(0, 3), (0, 6));
    }

    #[test]
    fn ascii_and_already_folded_text_is_borrowed() {
        assert!(Folded::new("plain ascii").is_identity());
        let f = Folded::new("café 東京 😀");
        assert!(f.is_identity());
        assert_eq!(f.original_span(3, 5), (3, 5));
    }

    #[test]
    fn boundaries() {
        let t = "aé";
        assert_eq!(floor_boundary(t, 2), 1);
        assert_eq!(ceil_boundary(t, 2), 3);
        assert!(word_char_before(t, 1));
        assert!(word_char_at(t, 1));
        assert!(!word_char_before(t, 0));
    }
}
