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
use super::views::{FundingPlan, GroupRow, IndicatorView, PlanTree};
use super::{drilldown_link, parse_date_param, render};
use crate::store::plans::{self, Plan};
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
    /// `1`: count the updates waiting for validation too.
    pending: Option<String>,
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
    funding: FundingPlan,
    /// The drill-down list of this plan as of the same date, before filters.
    drill: String,
    can_edit: bool,
    publication: super::public::publishing::PublicationState,
    /// The figures count the updates waiting for validation.
    with_pending: bool,
    /// Which of the plan's activities, in reading order, are listed.
    paging: Paging,
}

impl PlanPage {
    /// This page with or without the waiting updates.
    fn pending_link(&self, with_pending: bool) -> String {
        let pending = if with_pending { "&pending=1" } else { "" };
        format!("/plans/{}?as_of={}{pending}", self.plan.id, self.as_of)
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(plan, user): Readable<Plan>,
    Query(query): Query<AsOfQuery>,
) -> Result<Html<String>, AppError> {
    let as_of = parse_date_param(query.as_of.as_deref())?
        .unwrap_or_else(|| plan.default_as_of(state.today()));
    let with_pending = match query.pending.as_deref().map(str::trim) {
        None | Some("" | "0") => false,
        Some("1") => true,
        Some(_) => return Err(AppError::bad_request("error.bad_filter")),
    };
    let page = page_param(query.page.as_deref())?;
    let mut tree = if with_pending {
        PlanTree::load_with_pending(&state.db, &plan, as_of).await?
    } else {
        PlanTree::load(&state.db, &plan, as_of).await?
    };
    let by_region = tree.by_region(as_of);
    let indicators = IndicatorView::build(
        plans::indicators(&mut *state.db.acquire().await?, plan.id, as_of).await?,
        as_of,
    );
    let funding = FundingPlan::build(
        plans::funding(&state.db, plan.id, as_of).await?,
        &tree,
        as_of,
    );
    let publication = super::public::publishing::PublicationState::of(
        &state,
        &user,
        plan.agency_id,
        crate::store::publications::Target::Plan(plan.id),
    )
    .await?;
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
    render(&PlanPage {
        publication,
        drill: drilldown_link(plan.id, as_of),
        can_edit: user.can_edit(plan.agency_id),
        with_pending,
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
