//! Name gazetteers searched in place: each list is a sorted, newline-separated text compiled into
//! the binary, so looking a name up is a binary search over its bytes and building costs nothing
//! (the engine is built on every cold start).
use super::fold_table::FOLD;
use std::cmp::Ordering;

/// A sorted list of folded names, one a line (`core/data/names/build_lists.py` writes them).
#[derive(Clone, Copy)]
pub(super) struct SortedList {
    data: &'static [u8],
}

impl SortedList {
    pub const fn new(data: &'static str) -> Self {
        Self {
            data: data.as_bytes(),
        }
    }

    /// Number of names (for `Debug`; walks the list once).
    pub fn len(&self) -> usize {
        self.data.iter().filter(|&&b| b == b'\n').count()
    }

    /// Whether `key` (already folded) is one of the lines.
    pub fn contains(&self, key: &str) -> bool {
        let key = key.as_bytes();
        if key.is_empty() || key.contains(&b'\n') {
            return false;
        }
        let data = self.data;
        let (mut lo, mut hi) = (0, data.len());
        // Invariant: every line starting in lo..hi is wholly inside it, and the key, if present,
        // is one of those lines.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = data[lo..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(lo, |p| lo + p + 1);
            let end = data[start..hi]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(hi, |p| start + p);
            match data[start..end].cmp(key) {
                Ordering::Equal => return true,
                Ordering::Less => lo = end + 1,
                Ordering::Greater => hi = start,
            }
        }
        false
    }
}

/// Lower case with diacritics dropped (`Brûlé` → `brule`, `Íñigo` → `inigo`, `Øster` →
/// `oster`), the form the lists are stored in; scripts without case pass through unchanged.
pub(super) fn fold(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.is_ascii() {
        return lower;
    }
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        match FOLD.binary_search_by(|(k, _)| k.cmp(&c)) {
            Ok(i) => out.push_str(FOLD[i].1),
            Err(_) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_list_finds_every_line_and_nothing_else() {
        let list = SortedList::new("anna\nbo\nbob\nchloe\nzoe\n");
        for name in ["anna", "bo", "bob", "chloe", "zoe"] {
            assert!(list.contains(name), "{name}");
        }
        for name in ["", "a", "ann", "annaa", "b", "bobby", "c", "zz", "anna\nbo"] {
            assert!(!list.contains(name), "{name:?}");
        }
        assert_eq!(list.len(), 5);
    }

    #[test]
    fn sorted_list_without_final_newline() {
        let list = SortedList::new("ada\nlin");
        assert!(list.contains("lin"));
        assert!(list.contains("ada"));
        assert!(!list.contains("li"));
    }

    #[test]
    fn shipped_lists_are_sorted_and_folded() {
        for (name, data) in super::super::GAZETTEERS {
            let lines: Vec<&str> = data.lines().collect();
            assert!(lines.len() > 10, "{name}");
            for w in lines.windows(2) {
                assert!(w[0].as_bytes() < w[1].as_bytes(), "{name}: {:?}", w);
            }
            for line in &lines {
                assert_eq!(fold(line), *line, "{name}: {line}");
                assert!(SortedList::new(data).contains(line), "{name}: {line}");
            }
        }
    }

    #[test]
    fn fold_drops_marks_and_case() {
        assert_eq!(fold("Brûlé"), "brule");
        assert_eq!(fold("Íñigo"), "inigo");
        assert_eq!(fold("Søren"), "soren");
        assert_eq!(fold("Łukasz"), "lukasz");
        assert_eq!(fold("Nguyễn"), "nguyen");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Андрей"), "андреи");
        assert_eq!(fold("이지은"), "이지은");
        assert_eq!(fold("佐藤"), "佐藤");
    }
}
