//! The home page: every agency with its execution rate for a year (this year by
//! default), ministries including the agencies under them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::render;
use crate::performance::{self, Summary};
use crate::store::agencies::{self, Agency};
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize)]
pub struct HomeQuery {
    year: Option<String>,
}

pub struct AgencyRow {
    pub agency: Agency,
    pub summary: Summary,
    pub has_children: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    year: i32,
    as_of: NaiveDate,
    rows: Vec<AgencyRow>,
    previous_year: i32,
    next_year: Option<i32>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<HomeQuery>,
) -> Result<Html<String>, AppError> {
    let today = state.today();
    let year = match query.year.as_deref().map(str::trim) {
        None | Some("") => today.year(),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (1960..=2200).contains(y))
            .ok_or(AppError::bad_request("error.bad_year"))?,
    };
    // A past year is read as of its last day; the current one as of today.
    let as_of = NaiveDate::from_ymd_opt(year, 12, 31).map_or(today, |end| end.min(today));

    let agencies = agencies::list(&state.db).await?;
    let activities = agencies::activities_for_year(&state.db, year, as_of).await?;
    let figures: Vec<_> = activities
        .iter()
        .map(|a| (a.agency_id, a.figures()))
        .collect();
    let parents: HashMap<i64, Option<i64>> = agencies.iter().map(|a| (a.id, a.parent_id)).collect();
    let totals = performance::rollup_tree(&parents, figures.iter().map(|(id, f)| (*id, f)), as_of);

    let rows = agencies
        .iter()
        .map(|agency| AgencyRow {
            summary: totals.get(&agency.id).copied().unwrap_or_default(),
            has_children: agencies.iter().any(|a| a.parent_id == Some(agency.id)),
            agency: agency.clone(),
        })
        .collect();
    render(&HomePage {
        ctx,
        year,
        as_of,
        rows,
        previous_year: year - 1,
        next_year: (year < today.year()).then_some(year + 1),
    })
}
