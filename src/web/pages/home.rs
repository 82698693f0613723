//! The home page: every agency with its execution rate for a year (this year by
//! default), ministries including the agencies under them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::paging::{page_param, without_page, Paging};
use super::render;
use super::reports::ReportLinks;
use crate::performance::{self, Summary};
use crate::store::agencies::{self, Agency};
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize)]
pub struct HomeQuery {
    year: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// Agencies a page: the whole list at national scale is 310 rows (160 KB);
/// the totals stay those of every agency.
const AGENCIES_PER_PAGE: u32 = 50;

/// The orders a reader can sort agencies by; the text is the query value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Code,
    ExecutionRate,
    Done,
    Planned,
    BudgetRate,
}

impl SortBy {
    pub const ALL: [SortBy; 5] = [
        SortBy::Code,
        SortBy::Done,
        SortBy::Planned,
        SortBy::ExecutionRate,
        SortBy::BudgetRate,
    ];

    fn parse(text: Option<&str>) -> Result<SortBy, AppError> {
        match text.map(str::trim).unwrap_or("") {
            "" | "code" => Ok(SortBy::Code),
            "rate" => Ok(SortBy::ExecutionRate),
            "done" => Ok(SortBy::Done),
            "planned" => Ok(SortBy::Planned),
            "budget" => Ok(SortBy::BudgetRate),
            _ => Err(AppError::bad_request("error.bad_sort")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Code => "code",
            SortBy::ExecutionRate => "rate",
            SortBy::Done => "done",
            SortBy::Planned => "planned",
            SortBy::BudgetRate => "budget",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SortBy::Code => "agency.agency",
            SortBy::ExecutionRate => "figures.execution_rate",
            SortBy::Done => "figures.done",
            SortBy::Planned => "figures.planned",
            SortBy::BudgetRate => "figures.budget_rate",
        }
    }

    /// Highest figures first; agencies without figures last; code breaks ties.
    fn sort(self, rows: &mut [AgencyRow]) {
        rows.sort_by(|a, b| {
            let (x, y) = (&a.summary, &b.summary);
            let by_figure = match self {
                SortBy::Code => std::cmp::Ordering::Equal,
                SortBy::ExecutionRate => y.execution_rate().cmp(&x.execution_rate()),
                SortBy::Done => y.done.cmp(&x.done),
                SortBy::Planned => y.planned.cmp(&x.planned),
                SortBy::BudgetRate => y.budget_execution_rate().cmp(&x.budget_execution_rate()),
            };
            by_figure.then_with(|| a.agency.code.cmp(&b.agency.code))
        });
    }
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
    /// This page's agencies, in the order chosen.
    rows: Vec<AgencyRow>,
    paging: Paging,
    /// All agencies together, each activity counted once.
    total: Summary,
    /// The plans in another currency: budget and spending per currency,
    /// beside the FCFA total, never added to it.
    other_currencies: Vec<(String, i128, i128)>,
    sort: SortBy,
    previous_year: i32,
    next_year: Option<i32>,
    /// The consolidated report of the year (the agencies one may read).
    report: ReportLinks,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(query): Query<HomeQuery>,
) -> Result<Html<String>, AppError> {
    let today = state.today();
    let year = match query.year.as_deref().map(str::trim) {
        None | Some("") => today.year(),
        Some(text) => {
            crate::domain::parse_plan_year(text).ok_or(AppError::bad_request("error.bad_year"))?
        }
    };
    // A past year is read as of its last day; the current one as of today.
    let as_of = NaiveDate::from_ymd_opt(year, 12, 31).map_or(today, |end| end.min(today));

    let mut agencies = agencies::list(&state.db).await?;
    agencies.retain(|agency| user.can_read(agency.id));
    // Counted in SQL: each agency's own figures, one row per agency.
    let own = agencies::summaries_for_year(&state.db, year, as_of, user.readable_filter()).await?;
    // An agency whose parent the user cannot read heads its own branch.
    let parents: HashMap<i64, Option<i64>> = agencies
        .iter()
        .map(|a| (a.id, a.parent_id.filter(|&p| user.can_read(p))))
        .collect();
    let mut total = Summary::default();
    for (_, summary) in &own {
        total.merge(summary);
    }
    let totals = performance::rollup(&parents, own);
    let other_currencies =
        agencies::other_currency_totals(&state.db, year, as_of, user.readable_filter()).await?;

    let sort = SortBy::parse(query.sort.as_deref())?;
    let page = page_param(query.page.as_deref())?;
    let mut rows: Vec<AgencyRow> = agencies
        .iter()
        .map(|agency| AgencyRow {
            summary: totals.get(&agency.id).copied().unwrap_or_default(),
            has_children: agencies.iter().any(|a| a.parent_id == Some(agency.id)),
            agency: agency.clone(),
        })
        .collect();
    sort.sort(&mut rows);
    let paging = Paging::new(
        page,
        AGENCIES_PER_PAGE,
        rows.len() as u64,
        without_page(&ctx.here),
    )?;
    let rows = rows.drain(paging.range()).collect();
    render(&HomePage {
        ctx,
        year,
        as_of,
        rows,
        paging,
        total,
        other_currencies,
        sort,
        previous_year: year - 1,
        next_year: (year < today.year()).then_some(year + 1),
        report: ReportLinks::consolidated(year, None),
    })
}
