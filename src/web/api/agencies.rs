//! `/api/v1/agencies`: the agencies the token's user may read, one agency
//! with its plans, and its board sessions.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{ApiReadable, ApiUser};
use super::model::{PlanSummary, SessionSummary};
use super::problem::{ApiError, ProblemBody};
use crate::store::agencies::{self, Agency};
use crate::store::plans;
use crate::store::sessions;
use crate::web::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The agency above it (its ministry, "tutelle").
    pub parent_code: Option<String>,
}

impl From<&Agency> for AgencyOut {
    fn from(a: &Agency) -> AgencyOut {
        AgencyOut {
            id: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            parent_code: a.parent_code.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDetail {
    #[serde(flatten)]
    pub agency: AgencyOut,
    pub plans: Vec<PlanSummary>,
}

/// The agencies the token's user may read.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses(
        (status = 200, description = "The agencies one may read, by code", body = Vec<AgencyOut>),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit reached", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<AgencyOut>>, ApiError> {
    let all = agencies::list(&state.db).await?;
    Ok(Json(
        all.iter()
            .filter(|a| user.user.can_read(a.id))
            .map(AgencyOut::from)
            .collect(),
    ))
}

/// One agency, by id or code, with its plans.
#[utoipa::path(get, path = "/api/v1/agencies/{agency}", tag = "agencies",
    params(("agency" = String, Path, description = "The agency's id or code (ANASER)", example = "ANASER")),
    responses(
        (status = 200, description = "The agency and its plans", body = AgencyDetail),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in this agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such agency", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ApiReadable(agency, _): ApiReadable<Agency>,
) -> Result<Json<AgencyDetail>, ApiError> {
    let plans = plans::list_for_agency(&state.db, agency.id).await?;
    Ok(Json(AgencyDetail {
        agency: AgencyOut::from(&agency),
        plans: plans.iter().map(PlanSummary::from).collect(),
    }))
}

/// The agency's board sessions, the most recent first.
#[utoipa::path(get, path = "/api/v1/agencies/{agency}/sessions", tag = "sessions",
    params(("agency" = String, Path, description = "The agency's id or code (ANASER)", example = "ANASER")),
    responses(
        (status = 200, description = "The sessions", body = Vec<SessionSummary>),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in this agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such agency", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn sessions(
    State(state): State<AppState>,
    ApiReadable(agency, _): ApiReadable<Agency>,
) -> Result<Json<Vec<SessionSummary>>, ApiError> {
    let sessions = sessions::list_for_agency(&state.db, agency.id).await?;
    Ok(Json(sessions.iter().map(SessionSummary::from).collect()))
}
