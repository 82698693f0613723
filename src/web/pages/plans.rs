//! A plan's page: its tree with the execution rate rolled up at every node, each
//! activity with its state, the indicators and the funding plan, as of a date.
//! Every node and figure is on every page; the activities under the nodes come
//! 50 at a time, so that a 1 000-activity plan does not ship all at once.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;

use super::paging::{page_param, without_page, Paging};
use super::views::{GroupRow, IndicatorView, PlanTree};
use super::{drilldown_link, parse_date_param, render};
use crate::store::plans::{self, FundingLine, Plan};
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
    page: Option<String>,
}

/// Activities listed a page (a PAP has about fifty).
const PER_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: Ctx,
    plan: Plan,
    as_of: NaiveDate,
    tree: PlanTree,
    by_region: Vec<GroupRow>,
    indicators: Vec<IndicatorView>,
    funding: Vec<FundingLine>,
    /// The drill-down list of this plan as of the same date, before filters.
    drill: String,
    can_edit: bool,
    /// Which of the plan's activities, in reading order, are listed.
    paging: Paging,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(plan, user): Readable<Plan>,
    Query(query): Query<AsOfQuery>,
) -> Result<Html<String>, AppError> {
    let as_of = parse_date_param(query.as_of.as_deref())?.unwrap_or_else(|| state.today());
    let page = page_param(query.page.as_deref())?;
    let mut tree = PlanTree::load(&state.db, &plan, as_of).await?;
    let by_region = tree.by_region(as_of);
    // The figures above are of the whole plan; only the rows listed are cut.
    let paging = Paging::new(
        page,
        PER_PAGE,
        tree.activities().count() as u64,
        without_page(&ctx.here),
    )?;
    let listed = paging.range();
    let mut index = 0;
    for node in &mut tree.nodes {
        let first = index;
        index += node.activities.len();
        let (start, end) = (
            listed.start.clamp(first, index) - first,
            listed.end.clamp(first, index) - first,
        );
        node.activities.truncate(end);
        node.activities.drain(..start);
    }
    let indicators =
        IndicatorView::build(plans::indicators(&state.db, plan.id, as_of).await?, as_of);
    let funding = plans::funding(&state.db, plan.id).await?;
    render(&PlanPage {
        drill: drilldown_link(plan.id, as_of),
        can_edit: user.can_edit(plan.agency_id),
        paging,
        ctx,
        plan,
        as_of,
        tree,
        by_region,
        indicators,
        funding,
    })
}
