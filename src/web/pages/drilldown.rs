//! The activities behind a figure: `/plans/{id}/activities?as_of=…&status=…&node=…`
//! lists the activities of a plan as of a date, filtered the way a board member
//! clicks through a dashboard (done ones, one priority action, one region, one
//! responsible unit, the late ones, those above target), each with the count
//! of the evidence behind its state.

use super::query::{present, status_param};
use askama::Template;
use axum::extract::{Query, State};
use std::borrow::Borrow;
use std::collections::HashMap;

use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;

use super::paging::{page_param, without_page, Paging};
use super::views::{ActivityView, PlanTree};
use super::{parse_date_param, render};
use crate::domain::Status;
use crate::performance::Summary;
use crate::store::attachments;
use crate::store::plans::Plan;
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize, Default)]
pub struct DrilldownQuery {
    as_of: Option<String>,
    status: Option<String>,
    node: Option<String>,
    region: Option<String>,
    unit: Option<String>,
    /// `late` or `above_target`.
    only: Option<String>,
    page: Option<String>,
}

/// Activities a page: a board member's click on "late" in a national plan
/// lists a few hundred.
const PER_PAGE: u32 = 50;

/// A validated filter: every part is optional and they combine with "and".
#[derive(Debug, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub node: Option<String>,
    pub region: Option<String>,
    pub unit: Option<String>,
    pub late: bool,
    pub above_target: bool,
}

impl Filter {
    fn parse(query: &DrilldownQuery) -> Result<Filter, AppError> {
        let status = status_param(&query.status)?;
        let (late, above_target) = match present(&query.only) {
            None => (false, false),
            Some("late") => (true, false),
            Some("above_target") => (false, true),
            Some(_) => return Err(AppError::bad_request("error.bad_filter")),
        };
        Ok(Filter {
            status,
            node: present(&query.node).map(str::to_owned),
            region: present(&query.region).map(str::to_owned),
            unit: present(&query.unit).map(str::to_owned),
            late,
            above_target,
        })
    }

    fn accepts(&self, tree: &PlanTree, view: &ActivityView, as_of: NaiveDate) -> bool {
        self.status.is_none_or(|s| view.status() == s)
            && self
                .node
                .as_ref()
                .is_none_or(|code| tree.is_under(view.activity.node_id, code))
            && self
                .region
                .as_ref()
                .is_none_or(|r| *r == view.activity.region_code)
            && self
                .unit
                .as_ref()
                .is_none_or(|u| view.activity.responsible_unit.as_ref() == Some(u))
            && (!self.late || view.figures.is_late(as_of))
            && (!self.above_target || view.figures.is_above_target())
    }
}

#[derive(Template)]
#[template(path = "drilldown.html")]
struct DrilldownPage<'a> {
    ctx: Ctx,
    plan: Plan,
    as_of: NaiveDate,
    filter: Filter,
    node_title: Option<&'a str>,
    /// This page's activities; the count and summary are of all of them.
    activities: Vec<&'a ActivityView>,
    paging: Paging,
    summary: Summary,
    /// Per activity, the attachments (not withdrawn) of its updates dated
    /// on or before `as_of`.
    evidence: HashMap<i64, i64>,
}

impl DrilldownPage<'_> {
    fn evidence_count(&self, activity_id: impl Borrow<i64>) -> i64 {
        self.evidence
            .get(activity_id.borrow())
            .copied()
            .unwrap_or(0)
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(plan, _): Readable<Plan>,
    Query(query): Query<DrilldownQuery>,
) -> Result<Html<String>, AppError> {
    let as_of = parse_date_param(query.as_of.as_deref())?.unwrap_or_else(|| state.today());
    let filter = Filter::parse(&query)?;
    let page = page_param(query.page.as_deref())?;
    let tree = PlanTree::load(&state.db, &plan, as_of).await?;
    let node_title = match &filter.node {
        Some(code) => Some(
            tree.nodes
                .iter()
                .find(|n| &n.node.code == code)
                .map(|n| n.node.title.as_str())
                .ok_or(AppError::bad_request("error.bad_node"))?,
        ),
        None => None,
    };
    let activities: Vec<&ActivityView> = tree
        .activities()
        .filter(|v| filter.accepts(&tree, v, as_of))
        .collect();
    let summary = Summary::of(activities.iter().map(|v| &v.figures), as_of);
    let paging = Paging::new(
        page,
        PER_PAGE,
        activities.len() as u64,
        without_page(&ctx.here),
    )?;
    let activities = activities[paging.range()].to_vec();
    let evidence = attachments::counts_for_plan(&state.db, plan.id, as_of).await?;
    render(&DrilldownPage {
        ctx,
        plan,
        as_of,
        filter,
        node_title,
        activities,
        paging,
        summary,
        evidence,
    })
}
