//! Conditional GETs for pages whose content is fixed by a few inputs: an
//! `ETag` made from those inputs (not from the rendered page, so that a
//! repeat visit is answered before any figure is read or rendered) and the
//! `304 Not Modified` that answers a matching `If-None-Match`.
//!
//! A page fixed by its tag is also rendered once per process (`rendered`,
//! `keep`): every reader that arrives with no copy, or a stale one, gets
//! the page rendered for that tag, with none of its figures re-read.
//!
//! The page stays private (it holds an agency's figures and a reader's CSRF
//! token): `private, no-cache` lets the reader's own browser keep it and ask
//! again each time, never a shared cache.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, LazyLock, Mutex};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b512, Digest};

const CACHE_CONTROL: &str = "private, no-cache";

/// A strong validator for everything in `inputs` (their `Debug` text, which
/// shows every field) and this build of Suivi (templates change with it).
pub fn of(inputs: &impl Debug) -> HeaderValue {
    let mut hasher = Blake2b512::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(format!("{inputs:?}").as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    // Hex digits only: always a valid header value.
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// Whether the request's `If-None-Match` names `tag` (or is `*`).
pub fn matches(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let Ok(tag) = tag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == tag || candidate == "*")
}

/// The answer to a repeat visit: no body.
pub fn not_modified(tag: HeaderValue) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, tag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
        ],
    )
        .into_response()
}

/// The page, with its validator.
pub fn with(page: impl IntoResponse, tag: HeaderValue) -> Response {
    (
        [
            (header::ETAG, tag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
        ],
        page,
    )
        .into_response()
}

/// Pages rendered, by their tag. A tag names everything its page is built
/// from (the reader, their CSRF token and language included), so the page
/// kept for it is the page, on any instance and for any database: a cache
/// never to invalidate, only to bound.
static RENDERED: LazyLock<Mutex<HashMap<HeaderValue, Arc<str>>>> = LazyLock::new(Mutex::default);

/// About 50 KB each (a sealed dashboard): a bound on memory; when full, it
/// starts again.
const KEPT_PAGES: usize = 128;

/// The page rendered for `tag`, if this process rendered it.
pub fn rendered(tag: &HeaderValue) -> Option<Arc<str>> {
    RENDERED.lock().ok()?.get(tag).cloned()
}

/// Keeps the page rendered for `tag`.
pub fn keep(tag: &HeaderValue, page: &str) {
    if let Ok(mut pages) = RENDERED.lock() {
        if pages.len() >= KEPT_PAGES {
            pages.clear();
        }
        pages.insert(tag.clone(), Arc::from(page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_matches_itself_in_a_list_and_weak_but_not_another() {
        let tag = of(&(1, "seal"));
        assert_ne!(tag, of(&(2, "seal")));
        let mut headers = HeaderMap::new();
        assert!(!matches(&headers, &tag));
        let listed = format!("\"x\", W/{}", tag.to_str().unwrap());
        headers.insert(header::IF_NONE_MATCH, listed.parse().unwrap());
        assert!(matches(&headers, &tag));
        headers.insert(header::IF_NONE_MATCH, "\"other\"".parse().unwrap());
        assert!(!matches(&headers, &tag));
    }
}
