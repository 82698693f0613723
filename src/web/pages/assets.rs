//! The stylesheet, the icon and `robots.txt`, built into the binary so that
//! Suivi is one file to deploy.
//!
//! The stylesheet's address carries a digest of its content (`?v=…`): with
//! that version it is cached for a year (`immutable`), and a new build that
//! changes it changes its address. Without it (an old page, a typed address)
//! it is cached for an hour only.

use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::i18n::Lang;

const STYLESHEET: &str = include_str!("../../../static/suivi.css");
const ICON: &str = include_str!("../../../static/favicon.svg");
const ROBOTS: &str = include_str!("../../../static/robots.txt");

const YEAR: &str = "public, max-age=31536000, immutable";
const HOUR: &str = "public, max-age=3600";

/// FNV-1a over the stylesheet: a version, not a security digest.
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

/// The bulk grid's columns after the activity, by the catalog keys of their
/// headings: on a phone each cell shows its column's name above its input.
/// One rule per column and language here rather than a `data-label` on each
/// of a plan's hundreds of cells keeps the grid's page light. The stylesheet
/// is the same for every plan: the currency is in the grid's heading only.
const GRID_COLUMNS: [&str; 5] = [
    "activity.status",
    "activity.achieved",
    "progress.spent",
    "progress.as_of",
    "progress.comment",
];

/// The stylesheet as served: the file, then the grid's column labels in
/// each language, from the catalog.
static SERVED: LazyLock<String> = LazyLock::new(|| {
    let mut css = String::from(STYLESHEET);
    css.push_str("@media (max-width: 40rem) {\n");
    for lang in Lang::ALL {
        for (n, key) in GRID_COLUMNS.iter().enumerate() {
            let label = lang.t(key);
            let _ = writeln!(
                css,
                "  html[lang={}] table.grid > tbody > tr > td:nth-child({}):not([colspan])::before {{ content: \"{}\"; }}",
                lang.code(),
                n + 2,
                css_string(&label)
            );
        }
    }
    css.push_str("}\n");
    css
});

static VERSION: LazyLock<String> = LazyLock::new(|| format!("{:016x}", fnv1a(SERVED.as_bytes())));

/// Text safe inside a CSS double-quoted string.
fn css_string(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            '\n' => vec![' '],
            c => vec![c],
        })
        .collect()
}

/// The versioned address pages link to.
pub fn stylesheet_href() -> String {
    format!("/static/suivi.css?v={}", *VERSION)
}

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn stylesheet(Query(version): Query<Version>) -> impl IntoResponse {
    let current = version.v.is_some_and(|v| v == *VERSION);
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, if current { YEAR } else { HOUR }),
        ],
        SERVED.as_str(),
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
