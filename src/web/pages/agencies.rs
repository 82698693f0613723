//! An agency's page: its plans (with today's figures), its board sessions and
//! the agencies under it.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::NaiveDate;

use super::render;
use super::reports::ReportLinks;
use super::views::PlanTree;
use crate::store::agencies::{self, Agency};
use crate::store::plans::{self, Plan};
use crate::store::sessions::{self, BoardSession};
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

pub struct PlanRow {
    pub plan: Plan,
    pub tree: PlanTree,
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
    let mut plan_rows = Vec::new();
    for plan in plans::list_for_agency(&state.db, agency.id).await? {
        let as_of = plan.default_as_of(today);
        let tree = PlanTree::load(&state.db, &plan, as_of).await?;
        plan_rows.push(PlanRow { plan, tree, as_of });
    }
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
