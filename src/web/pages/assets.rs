//! The stylesheet, the icon and `robots.txt`, built into the binary so that
//! Suivi is one file to deploy.
//!
//! The stylesheet's address carries a digest of its content (`?v=…`): with
//! that version it is cached for a year (`immutable`), and a new build that
//! changes it changes its address. Without it (an old page, a typed address)
//! it is cached for an hour only.

use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

const STYLESHEET: &str = include_str!("../../../static/suivi.css");
const ICON: &str = include_str!("../../../static/favicon.svg");
const ROBOTS: &str = include_str!("../../../static/robots.txt");

const YEAR: &str = "public, max-age=31536000, immutable";
const HOUR: &str = "public, max-age=3600";

/// FNV-1a over the stylesheet, at compile time: a version, not a security digest.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const STYLESHEET_VERSION: u64 = fnv1a(STYLESHEET.as_bytes());

/// The versioned address pages link to.
pub fn stylesheet_href() -> String {
    format!("/static/suivi.css?v={STYLESHEET_VERSION:016x}")
}

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn stylesheet(Query(version): Query<Version>) -> impl IntoResponse {
    let current = version
        .v
        .is_some_and(|v| v == format!("{STYLESHEET_VERSION:016x}"));
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, if current { YEAR } else { HOUR }),
        ],
        STYLESHEET,
    )
}

/// The site's icon (a tab, a bookmark): so that browsers find one instead of
/// asking for `/favicon.ico` and logging a 404.
pub async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, HOUR),
        ],
        ICON,
    )
}

/// For crawlers: the pages behind sign-in send them to the login form anyway;
/// only the language switch (a redirect per page) is left out.
pub async fn robots() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, HOUR),
        ],
        ROBOTS,
    )
}
