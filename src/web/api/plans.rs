//! `/api/v1/plans/{plan}`: a plan with its tree and the figures of each
//! node as of a date, its activities with their state then, and its
//! indicators with their values.

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::ApiReadable;
use super::model::{
    nodes_with_figures, Activity, AsOfQuery, Figures, FundingOut, Indicator, Node, PlanSummary,
};
use super::problem::{ApiError, ProblemBody};
use crate::performance::Summary;
use crate::store::plans::{self, ActivityRow, Plan};
use crate::web::AppState;

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
