//! `/api/v1/plans/{plan}`: a plan with its tree and the figures of each
//! node as of a date, its activities with their state then, and its
//! indicators with their values.

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::agencies::PlanSummary;
use super::auth::ApiReadable;
use super::model::{quantity, Activity, AsOfQuery, Figures, Rate};
use super::problem::{ApiError, ProblemBody};
use crate::performance::{self, IndicatorPlan, Summary};
use crate::store::plans::{self, ActivityRow, FundingLine, IndicatorRow, Plan};
use crate::web::AppState;

use super::model::Money;

/// A node of the plan's tree (an axis, an objective, a priority action),
/// with the figures of the activities under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// 0 for the roots.
    pub depth: i32,
    pub code: String,
    pub title: String,
    /// The name the plan gives its level (`Action prioritaire`).
    pub level_name: String,
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingOut {
    pub source: String,
    /// `state`, `partner` or `own`.
    pub source_kind: String,
    pub planned: Money,
    pub mobilised: Money,
}

impl FundingOut {
    /// A funding line of a plan whose money is in `currency`.
    pub fn of(f: &FundingLine, currency: &str) -> FundingOut {
        FundingOut {
            source: f.source.clone(),
            source_kind: f.source_kind.as_str().to_owned(),
            planned: Money::new(f.planned, currency),
            mobilised: Money::new(f.mobilised, currency),
        }
    }
}

/// A plan as of a date: its headline figures, its tree in reading order
/// (each node before its children) and its funding plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: PlanSummary,
    pub level_names: Vec<String>,
    pub as_of: NaiveDate,
    pub figures: Figures,
    pub nodes: Vec<Node>,
    pub funding: Vec<FundingOut>,
}

/// The tree's nodes with the figures of their activities, in reading order.
pub fn nodes_with_figures(
    plan: &Plan,
    tree: &crate::performance::plan_tree::Tree<plans::NodeRow>,
    activities: &[ActivityRow],
    as_of: NaiveDate,
) -> Vec<Node> {
    let figures: Vec<_> = activities
        .iter()
        .map(|a| (a.node_id, a.figures()))
        .collect();
    let totals = tree.rollup(figures.iter().map(|(node, f)| (*node, f)), as_of);
    tree.nodes()
        .iter()
        .map(|n| Node {
            id: n.id,
            parent_id: n.parent_id,
            depth: n.depth,
            code: n.code.clone(),
            title: n.title.clone(),
            level_name: plan.level_name(n.depth).to_owned(),
            figures: Figures::of(
                &totals.get(&n.id).copied().unwrap_or_default(),
                &plan.currency,
            ),
        })
        .collect()
}

pub fn summary_of(activities: &[ActivityRow], as_of: NaiveDate) -> Summary {
    let figures: Vec<_> = activities.iter().map(ActivityRow::figures).collect();
    Summary::of(&figures, as_of)
}

/// A plan, by id or `AGENCY:CODE`, with its tree and figures as of a date.
#[utoipa::path(get, path = "/api/v1/plans/{plan}", tag = "plans",
    params(("plan" = String, Path, description = "The plan's id, or AGENCY:CODE (ANASER:PAP-2025)", example = "ANASER:PAP-2025"), AsOfQuery),
    responses(
        (status = 200, description = "The plan as of the date", body = PlanDetail),
        (status = 400, description = "A malformed date or plan code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in the plan's agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ApiReadable(plan, _): ApiReadable<Plan>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<PlanDetail>, ApiError> {
    let as_of = query.date(state.today())?;
    let tree = plans::nodes(&state.db, plan.id, as_of).await?;
    let activities = plans::activities_as_of(&state.db, plan.id, as_of).await?;
    let funding = plans::funding(&state.db, plan.id, as_of).await?;
    Ok(Json(PlanDetail {
        level_names: plan.level_names.clone(),
        as_of,
        figures: Figures::of(&summary_of(&activities, as_of), &plan.currency),
        nodes: nodes_with_figures(&plan, &tree, &activities, as_of),
        funding: funding
            .iter()
            .map(|line| FundingOut::of(line, &plan.currency))
            .collect(),
        plan: PlanSummary::from(&plan),
    }))
}

/// The plan's activities in force at the date, with their state then.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/activities", tag = "activities",
    params(("plan" = String, Path, description = "The plan's id, or AGENCY:CODE (ANASER:PAP-2025)", example = "ANASER:PAP-2025"), AsOfQuery),
    responses(
        (status = 200, description = "The activities as of the date", body = Vec<Activity>),
        (status = 400, description = "A malformed date or plan code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in the plan's agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn activities(
    State(state): State<AppState>,
    ApiReadable(plan, _): ApiReadable<Plan>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    let as_of = query.date(state.today())?;
    let activities = plans::activities_as_of(&state.db, plan.id, as_of).await?;
    Ok(Json(
        activities
            .iter()
            .map(|a| Activity::of(a, as_of, &plan.currency))
            .collect(),
    ))
}

/// One value of an indicator, for the period ending on `period_end`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub period_end: NaiveDate,
    /// Exact decimal text.
    pub value: String,
}

/// An indicator with its baseline and target in force at the date, its
/// values, the latest value by then and how far it has gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    pub id: i64,
    pub plan_id: i64,
    pub node_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<String>,
    pub baseline_year: Option<i32>,
    pub target: Option<String>,
    pub target_year: Option<i32>,
    /// `increase` (up is good) or `decrease` (down is good).
    pub direction: String,
    pub as_of: NaiveDate,
    /// The latest value for a period ending on or before the date.
    pub current: Option<IndicatorValue>,
    /// (current − baseline) / (target − baseline), exact.
    pub progress: Option<Rate>,
    /// Whether the current value reaches the target in the good direction.
    pub target_met: Option<bool>,
    /// Every value, oldest first.
    pub values: Vec<IndicatorValue>,
}

impl Indicator {
    pub fn of(row: &IndicatorRow, as_of: NaiveDate) -> Indicator {
        let current = performance::indicator_value_as_of(&row.values, as_of);
        let plan = IndicatorPlan {
            baseline: row.baseline,
            target: row.target,
            direction: row.direction,
        };
        Indicator {
            id: row.id,
            plan_id: row.plan_id,
            node_id: row.node_id,
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            baseline: quantity(row.baseline),
            baseline_year: row.baseline_year,
            target: quantity(row.target),
            target_year: row.target_year,
            direction: row.direction.as_str().to_owned(),
            as_of,
            current: current.map(|(period_end, value)| IndicatorValue {
                period_end,
                value: value.normalize().to_string(),
            }),
            progress: Rate::of(current.and_then(|(_, v)| plan.progress(v))),
            target_met: current.and_then(|(_, v)| plan.is_met(v)),
            values: row
                .values
                .iter()
                .map(|(period_end, value)| IndicatorValue {
                    period_end: *period_end,
                    value: value.normalize().to_string(),
                })
                .collect(),
        }
    }
}

/// The plan's indicators in force at the date.
#[utoipa::path(get, path = "/api/v1/plans/{plan}/indicators", tag = "indicators",
    params(("plan" = String, Path, description = "The plan's id, or AGENCY:CODE (ANASER:PAP-2025)", example = "ANASER:PAP-2025"), AsOfQuery),
    responses(
        (status = 200, description = "The indicators as of the date", body = Vec<Indicator>),
        (status = 400, description = "A malformed date or plan code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in the plan's agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn indicators(
    State(state): State<AppState>,
    ApiReadable(plan, _): ApiReadable<Plan>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<Vec<Indicator>>, ApiError> {
    let as_of = query.date(state.today())?;
    let indicators = plans::indicators(&mut *state.db.acquire().await?, plan.id, as_of).await?;
    Ok(Json(
        indicators.iter().map(|i| Indicator::of(i, as_of)).collect(),
    ))
}
