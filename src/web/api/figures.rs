//! `/api/v1/figures/{year}`: the consolidated figures of a year, as the home
//! page computes them — every agency the token's user may read (a ministry
//! covering the agencies under it) and the total, each activity counted once.
//! Their money is the FCFA plans' (`XOF`); the plans in another currency have
//! their own totals per currency beside them, never converted nor added in.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::ApiUser;
use super::model::{AsOfQuery, Figures, Money, Rate, CONSOLIDATED_CURRENCY};
use super::problem::{ApiError, ProblemBody};
use crate::performance::{self, Ratio, Summary};
use crate::store::agencies;
use crate::web::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyFigures {
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub parent_code: Option<String>,
    /// The agency's plans covering the year, and those of the agencies
    /// under it that one may read.
    pub figures: Figures,
}

/// The money of the plans in one currency other than FCFA.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyTotal {
    /// ISO 4217 (`USD`).
    pub currency: String,
    pub budget: Money,
    pub spent: Money,
    /// Spent over budgeted; null without a budget.
    pub budget_execution_rate: Option<Rate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearFigures {
    pub year: i32,
    pub as_of: NaiveDate,
    /// Every activity counted; the money of FCFA plans only (`XOF`).
    pub total: Figures,
    /// The same for each agency (FCFA money only).
    pub agencies: Vec<AgencyFigures>,
    /// The budget and spending of the plans in each other currency, in the
    /// order of their codes (empty when every plan is in FCFA).
    pub other_currencies: Vec<CurrencyTotal>,
}

/// The consolidated figures of a year, as of a date (by default the year's
/// last day, or today for the current year).
#[utoipa::path(get, path = "/api/v1/figures/{year}", tag = "figures",
    params(("year" = i32, Path, description = "The year (2025)", example = 2025), AsOfQuery),
    responses(
        (status = 200, description = "The year's figures", body = YearFigures),
        (status = 400, description = "A malformed year or date", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn year(
    State(state): State<AppState>,
    user: ApiUser,
    Path(year): Path<String>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<YearFigures>, ApiError> {
    let year =
        crate::domain::parse_plan_year(&year).ok_or(ApiError::BadRequest("error.bad_year"))?;
    let today = state.today();
    let last_day = NaiveDate::from_ymd_opt(year, 12, 31).map_or(today, |end| end.min(today));
    let as_of = match query.as_of {
        Some(_) => query.date(today)?,
        None => last_day,
    };
    if as_of.year() < year {
        return Err(ApiError::BadRequest("error.bad_date"));
    }
    let user = user.user;
    let mut all = agencies::list(&state.db).await?;
    all.retain(|agency| user.can_read(agency.id));
    // Counted in SQL, as on the home page: each agency's own figures.
    let own = agencies::summaries_for_year(&state.db, year, as_of, user.readable_filter()).await?;
    // An agency whose parent one cannot read heads its own branch.
    let parents: HashMap<i64, Option<i64>> = all
        .iter()
        .map(|a| (a.id, a.parent_id.filter(|&p| user.can_read(p))))
        .collect();
    let mut total = Summary::default();
    for (_, summary) in &own {
        total.merge(summary);
    }
    let totals = performance::rollup(&parents, own);
    let other_currencies =
        agencies::other_currency_totals(&state.db, year, as_of, user.readable_filter())
            .await?
            .into_iter()
            .map(|(currency, budget, spent)| CurrencyTotal {
                budget: Money::new(budget, &currency),
                spent: Money::new(spent, &currency),
                budget_execution_rate: Rate::of(Ratio::new(spent, budget)),
                currency,
            })
            .collect();
    Ok(Json(YearFigures {
        year,
        as_of,
        total: Figures::of(&total, CONSOLIDATED_CURRENCY),
        agencies: all
            .iter()
            .map(|a| AgencyFigures {
                agency_id: a.id,
                agency_code: a.code.clone(),
                agency_name: a.name.clone(),
                parent_code: a.parent_code.clone(),
                figures: Figures::of(
                    &totals.get(&a.id).copied().unwrap_or_default(),
                    CONSOLIDATED_CURRENCY,
                ),
            })
            .collect(),
        other_currencies,
    }))
}
