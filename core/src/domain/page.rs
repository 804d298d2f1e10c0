//! Page-number pagination.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    /// Whether the page exists for `total` items (page 1 always does).
    pub fn is_in_range(self, total: i64) -> bool {
        self.page <= last_page(total, self.page_size)
    }
}

/// Number of pages for `total` items (at least one, so page 1 of nothing is valid).
pub fn last_page(total: i64, page_size: u32) -> u32 {
    let total = total.max(0) as u64;
    (total.div_ceil(u64::from(page_size.max(1)))).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(last_page(0, 50), 1);
        assert_eq!(last_page(120, 50), 3);
        assert_eq!(last_page(100, 50), 2);
        let page = |page| PageRequest {
            page,
            page_size: 50,
        };
        assert!(page(3).is_in_range(120));
        assert!(!page(4).is_in_range(120));
        assert!(page(1).is_in_range(0));
    }
}
