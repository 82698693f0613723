//! `/api/v1/sessions/{session}`: a board session with the figures its
//! dashboard shows — read from its seal when it is held (never recomputed,
//! as on the session page: `dashboard::Dashboard`) — and its resolutions
//! with their follow-up as of today.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::ApiReadable;
use super::model::{nodes_with_figures, FundingOut, Indicator, Node, PlanSummary, SessionSummary};
use super::model::{Figures, Money, CONSOLIDATED_CURRENCY};
use super::problem::{ApiError, ProblemBody};
use crate::dashboard::Dashboard;
use crate::performance::plan_tree::Tree;
use crate::store::sessions::{self, BoardSession, OpenResolution, Resolution};
use crate::web::AppState;

/// The seal the figures come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealOut {
    pub id: i64,
    pub sealed_at: DateTime<Utc>,
    /// BLAKE2b-512 of the sealed figures, in hex (`suivi verify` checks it).
    pub digest: String,
}

/// The reviewed plan as of the cutoff.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedOut {
    pub plan: PlanSummary,
    /// The headline: 32 of 49 done (65 %), 10 above target, for the 30th
    /// session of ANASER.
    pub figures: Figures,
    pub nodes: Vec<Node>,
    pub indicators: Vec<Indicator>,
    pub funding: Vec<FundingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviousOut {
    pub session_id: i64,
    pub number: i32,
    pub cutoff: NaiveDate,
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdoptedOut {
    pub plan: PlanSummary,
    pub activities: usize,
    /// How many nodes of the level that holds the activities (priority
    /// actions), and that level's name.
    pub leaf_nodes: usize,
    pub leaf_level_name: String,
    pub budget: Money,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionOut {
    pub id: Option<i64>,
    /// The session that adopted it (for those of earlier sessions).
    pub session_number: Option<i32>,
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// `pending`, `in_progress`, `done` or `dropped`, as of today (or as of
    /// the session, for earlier ones still open then).
    pub status: String,
    pub note: Option<String>,
    pub noted_on: Option<NaiveDate>,
}

impl From<&Resolution> for ResolutionOut {
    fn from(r: &Resolution) -> ResolutionOut {
        ResolutionOut {
            id: Some(r.id),
            session_number: None,
            text: r.text.clone(),
            responsible_unit: r.responsible_unit.clone(),
            due_on: r.due_on,
            status: r.status.as_str().to_owned(),
            note: r.note.clone(),
            noted_on: r.noted_on,
        }
    }
}

impl From<&OpenResolution> for ResolutionOut {
    fn from(r: &OpenResolution) -> ResolutionOut {
        ResolutionOut {
            id: None,
            session_number: Some(r.session_number),
            text: r.text.clone(),
            responsible_unit: r.responsible_unit.clone(),
            due_on: r.due_on,
            status: r.status.as_str().to_owned(),
            note: None,
            noted_on: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDetail {
    #[serde(flatten)]
    pub session: SessionSummary,
    /// The seal the figures are read from; null while the session is planned
    /// (its figures are then computed from the data as it stands).
    pub seal: Option<SealOut>,
    pub reviewed: Option<ReviewedOut>,
    pub previous: Option<PreviousOut>,
    pub adopted: Option<AdoptedOut>,
    pub resolutions: Vec<ResolutionOut>,
    /// Resolutions of earlier sessions still open when this one was held.
    pub open_earlier: Vec<ResolutionOut>,
}

/// A board session with its (sealed) figures and its resolutions.
#[utoipa::path(get, path = "/api/v1/sessions/{session}", tag = "sessions",
    params(("session" = String, Path, description = "The session's id, AGENCY:NUMBER for an ordinary session (ANASER:30), or AGENCY:extraordinary:NUMBER", example = "ANASER:30")),
    responses(
        (status = 200, description = "The session and its figures", body = SessionDetail),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in the session's agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 400, description = "A malformed session code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ApiReadable(session, _): ApiReadable<BoardSession>,
) -> Result<Json<SessionDetail>, ApiError> {
    let db = &state.db;
    let cutoff = session.cutoff;
    let Dashboard { figures, seal } = Dashboard::of(db, &session).await?;
    // The previous session's figures are of the same agency's programme:
    // in the reviewed plan's currency.
    let currency = figures
        .reviewed
        .as_ref()
        .map_or(CONSOLIDATED_CURRENCY, |r| r.plan.currency.as_str())
        .to_owned();
    let reviewed = figures.reviewed.map(|r| {
        let tree = Tree::new(r.nodes);
        ReviewedOut {
            figures: Figures::of(&r.headline, &r.plan.currency),
            nodes: nodes_with_figures(&r.plan, &tree, &r.activities, cutoff),
            indicators: r
                .indicators
                .iter()
                .map(|i| Indicator::of(i, cutoff))
                .collect(),
            funding: r
                .funding
                .iter()
                .map(|line| FundingOut::of(line, &r.plan.currency))
                .collect(),
            plan: PlanSummary::from(&r.plan),
        }
    });
    let resolutions = sessions::resolutions(db, session.id, state.today()).await?;
    Ok(Json(SessionDetail {
        seal: seal.map(|s| SealOut {
            id: s.id,
            sealed_at: s.sealed_at,
            digest: s.digest,
        }),
        reviewed,
        previous: figures.previous.map(|p| PreviousOut {
            session_id: p.session.id,
            number: p.session.number,
            cutoff: p.session.cutoff,
            figures: Figures::of(&p.summary, &currency),
        }),
        adopted: figures.adopted.map(|a| AdoptedOut {
            plan: PlanSummary::from(&a.plan),
            activities: a.activities,
            leaf_nodes: a.leaf_nodes,
            leaf_level_name: a.leaf_level_name,
            budget: Money::new(a.budget, &a.plan.currency),
        }),
        resolutions: resolutions.iter().map(ResolutionOut::from).collect(),
        open_earlier: figures
            .open_earlier
            .iter()
            .map(ResolutionOut::from)
            .collect(),
        session: SessionSummary::from(&session),
    }))
}
