//! Board sessions ("sessions du conseil d'administration") and their resolutions.

use chrono::NaiveDate;
use sqlx::{FromRow, PgPool};

use crate::domain::{ResolutionStatus, SessionKind, SessionStatus};

#[derive(Debug, Clone, FromRow)]
pub struct BoardSession {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub number: i32,
    pub kind: SessionKind,
    pub held_on: NaiveDate,
    pub cutoff: NaiveDate,
    pub place: Option<String>,
    pub chair: Option<String>,
    pub reviewed_plan_id: Option<i64>,
    pub adopted_plan_id: Option<i64>,
    pub status: SessionStatus,
    pub illustrative: bool,
}

const SESSION_COLUMNS: &str = "SELECT s.id, s.agency_id, g.code AS agency_code, g.name AS agency_name, \
     s.number, s.kind, s.held_on, s.cutoff, s.place, s.chair, s.reviewed_plan_id, s.adopted_plan_id, \
     s.status, s.illustrative FROM board_sessions s JOIN agencies g ON g.id = s.agency_id";

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<BoardSession>> {
    sqlx::query_as(&format!("{SESSION_COLUMNS} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The agency's sessions, most recent first.
pub async fn list_for_agency(db: &PgPool, agency_id: i64) -> sqlx::Result<Vec<BoardSession>> {
    sqlx::query_as(&format!(
        "{SESSION_COLUMNS} WHERE s.agency_id = $1 ORDER BY s.held_on DESC, s.number DESC"
    ))
    .bind(agency_id)
    .fetch_all(db)
    .await
}

/// The session of the same agency held just before this one, if any.
pub async fn previous(db: &PgPool, session: &BoardSession) -> sqlx::Result<Option<BoardSession>> {
    sqlx::query_as(&format!(
        "{SESSION_COLUMNS} WHERE s.agency_id = $1 AND (s.held_on, s.id) < ($2, $3) \
         ORDER BY s.held_on DESC, s.id DESC LIMIT 1"
    ))
    .bind(session.agency_id)
    .bind(session.held_on)
    .bind(session.id)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Resolution {
    pub id: i64,
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ResolutionStatus,
}

/// A resolution of an earlier session that is still pending or in progress.
#[derive(Debug, Clone, FromRow)]
pub struct OpenResolution {
    pub session_id: i64,
    pub session_number: i32,
    pub session_kind: SessionKind,
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ResolutionStatus,
}

/// The resolutions of the agency's earlier sessions that are not closed, so that
/// each session follows up on the previous ones.
pub async fn open_resolutions_before(
    db: &PgPool,
    session: &BoardSession,
) -> sqlx::Result<Vec<OpenResolution>> {
    sqlx::query_as(
        "SELECT s.id AS session_id, s.number AS session_number, s.kind AS session_kind, r.text, \
         r.responsible_unit, r.due_on, r.status \
         FROM resolutions r JOIN board_sessions s ON s.id = r.session_id \
         WHERE s.agency_id = $1 AND (s.held_on, s.id) < ($2, $3) \
         AND r.status IN ('pending', 'in_progress') \
         ORDER BY s.held_on, r.position, r.id",
    )
    .bind(session.agency_id)
    .bind(session.held_on)
    .bind(session.id)
    .fetch_all(db)
    .await
}

pub async fn resolutions(db: &PgPool, session_id: i64) -> sqlx::Result<Vec<Resolution>> {
    sqlx::query_as(
        "SELECT id, text, responsible_unit, due_on, status FROM resolutions \
         WHERE session_id = $1 ORDER BY position, id",
    )
    .bind(session_id)
    .fetch_all(db)
    .await
}
