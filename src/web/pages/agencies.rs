//! An agency's page: its plans (with today's figures), its board sessions and
//! the agencies under it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::NaiveDate;

use super::render;
use super::reports::ReportLinks;
use crate::performance::Summary;
use crate::store::agencies::{self, Agency};
use crate::store::plans::{self, Plan};
use crate::store::sessions::{self, BoardSession};
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

pub struct PlanRow {
    pub plan: Plan,
    /// Its figures as of `as_of`.
    pub total: Summary,
    pub as_of: NaiveDate,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    ctx: Ctx,
    agency: Agency,
    children: Vec<Agency>,
    plans: Vec<PlanRow>,
    sessions: Vec<BoardSession>,
    /// The yearly reports of the agency (with the agencies under it).
    reports: Vec<ReportLinks>,
    can_edit: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(agency, user): Readable<Agency>,
) -> Result<Html<String>, AppError> {
    let children = agencies::children(&state.db, agency.id).await?;
    let today = state.today();
    // Counted in SQL, one row per plan: the page shows each plan's totals only.
    let summaries: HashMap<i64, Summary> = agencies::plan_summaries(&state.db, agency.id, today)
        .await?
        .into_iter()
        .collect();
    let plan_rows = plans::list_for_agency(&state.db, agency.id)
        .await?
        .into_iter()
        .map(|plan| {
            // A finished plan is shown as of its last day, a running one as of today.
            let as_of = plan.default_as_of(today);
            let total = summaries.get(&plan.id).copied().unwrap_or_default();
            PlanRow { plan, total, as_of }
        })
        .collect();
    let sessions = sessions::list_for_agency(&state.db, agency.id).await?;
    let reports = crate::store::reports::report_years(&state.db, agency.id)
        .await?
        .into_iter()
        .map(|year| ReportLinks::agency(&agency.code, year, None))
        .collect();
    render(&AgencyPage {
        can_edit: user.can_edit(agency.id),
        ctx,
        agency,
        children,
        plans: plan_rows,
        sessions,
        reports,
    })
}
