//! Paging of the lists that grow with the data (a plan's activities, the
//! grid, the drill-down, search results, the admin lists): the `page` query
//! parameter checked once, the slice of the list it shows, and the links to
//! the pages around it. Offset paging with a hard cap on the page number, so
//! that no URL asks the database (or the template) for an unbounded walk; a
//! page past the last, zero, or anything that is no number is a 400 with a
//! message, never a 500 and never a silently empty page.

use crate::web::AppError;

/// No list is read past this page: at 50 rows a page, 10 000 rows, more
/// than any plan has; search asks people to narrow their words instead.
pub const MAX_PAGE: u32 = 200;

/// One page of a list of `total` rows, `per_page` at a time.
#[derive(Debug, Clone)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    /// The page's URL without its `page` parameter (its path and query).
    base: String,
}

/// The page number of `?page=`: absent or empty is the first page.
pub fn page_param(raw: Option<&str>) -> Result<u32, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|page| (1..=MAX_PAGE).contains(page))
            .ok_or(AppError::bad_request("error.bad_page")),
    }
}

impl Paging {
    /// Page `page` of `total` rows; a page past the last (other than the
    /// first page of an empty list) is a 400.
    pub fn new(page: u32, per_page: u32, total: u64, base: String) -> Result<Paging, AppError> {
        let paging = Paging {
            page,
            per_page,
            total,
            base,
        };
        if page > paging.pages() {
            return Err(AppError::bad_request("error.bad_page"));
        }
        Ok(paging)
    }

    /// How many pages the list has (one for an empty list).
    pub fn pages(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.per_page.max(1))).max(1);
        u32::try_from(pages).unwrap_or(u32::MAX).min(MAX_PAGE)
    }

    /// Rows skipped before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    /// The indexes of this page's rows in a list held in memory.
    pub fn range(&self) -> std::ops::Range<usize> {
        let start = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let len = usize::try_from(self.total).unwrap_or(usize::MAX);
        let end = start.saturating_add(self.per_page as usize).min(len);
        start.min(end)..end
    }

    /// Whether the list needs page links at all.
    pub fn is_paged(&self) -> bool {
        self.pages() > 1
    }

    /// The first row shown, counted from 1 (for "51–100 of 1 000").
    pub fn first_shown(&self) -> u64 {
        if self.total == 0 {
            0
        } else {
            self.offset() + 1
        }
    }

    pub fn last_shown(&self) -> u64 {
        (self.offset() + u64::from(self.per_page)).min(self.total)
    }

    pub fn previous(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.page - 1))
    }

    pub fn next(&self) -> Option<String> {
        (self.page < self.pages()).then(|| self.href(self.page + 1))
    }

    /// The URL of page `page` of this same list (its filters kept).
    pub fn href(&self, page: u32) -> String {
        if page == 1 {
            return self.base.clone();
        }
        let separator = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{separator}page={page}", self.base)
    }
}

/// The URL `here` (a path and query) without its `page` parameter: the base
/// of the links to the other pages of the same list, every filter kept.
pub fn without_page(here: &str) -> String {
    let Some((path, query)) = here.split_once('?') else {
        return here.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "page" && !pair.starts_with("page="))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_from_urls() {
        assert_eq!(page_param(None).ok(), Some(1));
        assert_eq!(page_param(Some("")).ok(), Some(1));
        assert_eq!(page_param(Some("3")).ok(), Some(3));
        for bad in ["0", "-1", "x", "1.5", "99999999999", "201"] {
            assert!(
                matches!(
                    page_param(Some(bad)),
                    Err(AppError::BadRequest {
                        key: "error.bad_page"
                    })
                ),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn the_base_keeps_every_filter_but_the_page() {
        assert_eq!(without_page("/plans/1/grid"), "/plans/1/grid");
        assert_eq!(without_page("/plans/1/grid?page=2"), "/plans/1/grid");
        assert_eq!(
            without_page("/plans/1/activities?as_of=2025-11-30&page=3&status=done"),
            "/plans/1/activities?as_of=2025-11-30&status=done"
        );
        assert_eq!(without_page("/x?pages=2&page"), "/x?pages=2");
    }

    #[test]
    fn slices_and_links_at_the_boundaries() {
        let base = "/plans/1/grid?status=done".to_owned();
        let first = Paging::new(1, 50, 101, base.clone()).unwrap();
        assert_eq!(first.pages(), 3);
        assert_eq!(first.range(), 0..50);
        assert_eq!(first.previous(), None);
        assert_eq!(
            first.next().as_deref(),
            Some("/plans/1/grid?status=done&page=2")
        );
        let last = Paging::new(3, 50, 101, base.clone()).unwrap();
        assert_eq!(last.range(), 100..101);
        assert_eq!((last.first_shown(), last.last_shown()), (101, 101));
        assert_eq!(last.next(), None);
        assert!(Paging::new(4, 50, 101, base.clone()).is_err());
        let exact = Paging::new(2, 50, 100, base.clone()).unwrap();
        assert_eq!(exact.range(), 50..100);
        assert_eq!(exact.next(), None);
        let empty = Paging::new(1, 50, 0, "/search?q=x".into()).unwrap();
        assert_eq!((empty.pages(), empty.range()), (1, 0..0));
        assert!(!empty.is_paged());
        assert_eq!(empty.first_shown(), 0);
        assert!(Paging::new(2, 50, 0, base).is_err());
    }
}
