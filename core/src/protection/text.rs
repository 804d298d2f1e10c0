//! Offsets: regexes work in bytes, the API speaks characters (Unicode scalar values).

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
    fn boundaries() {
        let t = "aé";
        assert_eq!(floor_boundary(t, 2), 1);
        assert_eq!(ceil_boundary(t, 2), 3);
        assert!(word_char_before(t, 1));
        assert!(word_char_at(t, 1));
        assert!(!word_char_before(t, 0));
    }
}
