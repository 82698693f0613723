//! `/search?q=…`: the activities whose code or title hold the words typed,
//! across the plans the reader may read, a page at a time, each linking to
//! its activity with its plan and agency. The words are checked here (length,
//! paging); the matching is `store::search`'s.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::paging::{page_param, Paging};
use super::render;
use crate::store::search::{self, Hit};
use crate::web::auth::CurrentUser;
use crate::web::context::percent_encode;
use crate::web::{AppError, AppState, Ctx};

/// Longer than any title's words: past it the query is no search but a
/// paste or a probe, refused before the database parses it.
pub const MAX_QUERY_CHARS: usize = 200;

/// Results a page.
const PER_PAGE: u32 = 20;

/// Matches counted at most: past it the reader is asked to add words.
const COUNT_CAP: u64 = 1_000;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    words: String,
    hits: Vec<Hit>,
    /// `None` before anything is typed.
    paging: Option<Paging>,
    /// More matches than counted: the reader should narrow the words.
    more: bool,
}

/// The words typed, trimmed; refused (400) when too long to be a search.
fn words_of(raw: Option<&str>) -> Result<String, AppError> {
    let words = raw.unwrap_or("").trim();
    if words.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::bad_request("error.search_too_long"));
    }
    Ok(words.to_owned())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    let words = words_of(query.q.as_deref())?;
    let page = page_param(query.page.as_deref())?;
    if words.is_empty() {
        return render(&SearchPage {
            ctx,
            words,
            hits: Vec::new(),
            paging: None,
            more: false,
        });
    }
    let readable = user.readable_filter();
    let counted = search::count(&state.db, &words, readable, COUNT_CAP + 1).await?;
    let paging = Paging::new(
        page,
        PER_PAGE,
        counted.min(COUNT_CAP),
        format!("/search?q={}", percent_encode(&words)),
    )?;
    let hits = search::activities(&state.db, &words, readable, PER_PAGE, paging.offset()).await?;
    render(&SearchPage {
        ctx,
        words,
        hits,
        paging: Some(paging),
        more: counted > COUNT_CAP,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_bounded() {
        assert_eq!(
            words_of(Some("  sécurité ")).ok().as_deref(),
            Some("sécurité")
        );
        assert_eq!(words_of(None).ok().as_deref(), Some(""));
        let long = "é".repeat(MAX_QUERY_CHARS);
        assert!(words_of(Some(&long)).is_ok(), "counted in characters");
        assert!(matches!(
            words_of(Some(&format!("{long}e"))),
            Err(AppError::BadRequest {
                key: "error.search_too_long"
            })
        ));
    }
}
