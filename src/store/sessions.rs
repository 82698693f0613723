//! Board sessions ("sessions du conseil d'administration"), their resolutions
//! and the dated follow-up of each resolution. Every change is written with its
//! audit row in one transaction.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{FromRow, PgExecutor, PgPool};

use super::agencies::Agency;
use super::seals::{self, NewSeal};
use super::{audit, is_unique_violation, to_json};
use crate::domain::{ResolutionStatus, SessionKind, SessionStatus};
use crate::names::SessionName;

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
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
    pub agenda: Option<String>,
    pub attendees: Option<String>,
    /// The seal in force: its figures are the session's (`dashboard`).
    pub seal_id: Option<i64>,
}

impl BoardSession {
    /// Held and sealed: nothing of it may change until an admin reopens it.
    pub fn is_sealed(&self) -> bool {
        self.seal_id.is_some()
    }
}

const SESSION_COLUMNS: &str = "SELECT s.id, s.agency_id, g.code AS agency_code, g.name AS agency_name, \
     s.number, s.kind, s.held_on, s.cutoff, s.place, s.chair, s.reviewed_plan_id, s.adopted_plan_id, \
     s.status, s.illustrative, s.agenda, s.attendees, s.seal_id \
     FROM board_sessions s JOIN agencies g ON g.id = s.agency_id";

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<BoardSession>> {
    sqlx::query_as(&format!("{SESSION_COLUMNS} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A session by its agency's code, its kind and its number (the 30th
/// ordinary session of ANASER).
pub async fn find_by_number(
    db: &PgPool,
    agency_code: &str,
    kind: &str,
    number: i32,
) -> sqlx::Result<Option<BoardSession>> {
    sqlx::query_as(&format!(
        "{SESSION_COLUMNS} WHERE g.code = $1 AND s.kind = $2 AND s.number = $3"
    ))
    .bind(agency_code)
    .bind(kind)
    .bind(number)
    .fetch_optional(db)
    .await
}

/// A session by the name a user gave (`crate::names`): its id or its
/// agency, kind and number.
pub async fn find_named(db: &PgPool, name: SessionName<'_>) -> sqlx::Result<Option<BoardSession>> {
    match name {
        SessionName::Id(id) => find(db, id).await,
        SessionName::Number {
            agency,
            kind,
            number,
        } => find_by_number(db, agency, kind, number).await,
    }
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
pub async fn previous(
    db: impl PgExecutor<'_>,
    session: &BoardSession,
) -> sqlx::Result<Option<BoardSession>> {
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
    /// As of the date asked for: the latest follow-up's, else as adopted.
    pub status: ResolutionStatus,
    /// The latest follow-up's note and date, if any.
    pub note: Option<String>,
    pub noted_on: Option<NaiveDate>,
}

/// The latest follow-up of resolution `r` noted on or before `$as_of`.
macro_rules! latest_follow_up_join {
    ($as_of:literal) => {
        concat!(
            " LEFT JOIN LATERAL (SELECT f.status, f.note, f.noted_on FROM resolution_follow_ups f \
             WHERE f.resolution_id = r.id AND f.noted_on <= ",
            $as_of,
            " ORDER BY f.noted_on DESC, f.id DESC LIMIT 1) f ON true "
        )
    };
}

/// A resolution of an earlier session that is still pending or in progress.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
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
    db: impl PgExecutor<'_>,
    session: &BoardSession,
) -> sqlx::Result<Vec<OpenResolution>> {
    // Open as of this session's date: a resolution closed later still shows.
    sqlx::query_as(concat!(
        "SELECT s.id AS session_id, s.number AS session_number, s.kind AS session_kind, r.text, \
         r.responsible_unit, r.due_on, coalesce(f.status, r.status) AS status \
         FROM resolutions r JOIN board_sessions s ON s.id = r.session_id",
        latest_follow_up_join!("$2"),
        "WHERE s.agency_id = $1 AND (s.held_on, s.id) < ($2, $3) \
         AND coalesce(f.status, r.status) IN ('pending', 'in_progress') \
         ORDER BY s.held_on, r.position, r.id"
    ))
    .bind(session.agency_id)
    .bind(session.held_on)
    .bind(session.id)
    .fetch_all(db)
    .await
}

/// The session's resolutions, each with its follow-up status as of `as_of`.
pub async fn resolutions(
    db: &PgPool,
    session_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<Resolution>> {
    sqlx::query_as(concat!(
        "SELECT r.id, r.text, r.responsible_unit, r.due_on, coalesce(f.status, r.status) AS status, \
         f.note, f.noted_on FROM resolutions r",
        latest_follow_up_join!("$2"),
        "WHERE r.session_id = $1 ORDER BY r.position, r.id"
    ))
    .bind(session_id)
    .bind(as_of)
    .fetch_all(db)
    .await
}

/// A session as entered in its form, already validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionFields {
    pub number: i32,
    pub kind: SessionKind,
    pub held_on: NaiveDate,
    pub cutoff: NaiveDate,
    pub place: Option<String>,
    pub chair: Option<String>,
    pub reviewed_plan_id: Option<i64>,
    pub adopted_plan_id: Option<i64>,
    pub agenda: Option<String>,
    pub attendees: Option<String>,
    pub status: SessionStatus,
}

impl SessionFields {
    /// The session these fields would create in `agency`, before it is
    /// written (to compute its figures). Its id is not known yet: the largest
    /// puts it after every session of its day, as it will be.
    pub fn unsaved(&self, agency: &Agency) -> BoardSession {
        BoardSession {
            id: i64::MAX,
            agency_id: agency.id,
            agency_code: agency.code.clone(),
            agency_name: agency.name.clone(),
            illustrative: false,
            seal_id: None,
            number: self.number,
            kind: self.kind,
            held_on: self.held_on,
            cutoff: self.cutoff,
            place: self.place.clone(),
            chair: self.chair.clone(),
            reviewed_plan_id: self.reviewed_plan_id,
            adopted_plan_id: self.adopted_plan_id,
            agenda: self.agenda.clone(),
            attendees: self.attendees.clone(),
            status: self.status,
        }
    }

    /// The session as it would be with these fields.
    pub fn applied_to(&self, session: &BoardSession) -> BoardSession {
        BoardSession {
            number: self.number,
            kind: self.kind,
            held_on: self.held_on,
            cutoff: self.cutoff,
            place: self.place.clone(),
            chair: self.chair.clone(),
            reviewed_plan_id: self.reviewed_plan_id,
            adopted_plan_id: self.adopted_plan_id,
            agenda: self.agenda.clone(),
            attendees: self.attendees.clone(),
            status: self.status,
            ..session.clone()
        }
    }

    pub fn of(session: &BoardSession) -> SessionFields {
        SessionFields {
            number: session.number,
            kind: session.kind,
            held_on: session.held_on,
            cutoff: session.cutoff,
            place: session.place.clone(),
            chair: session.chair.clone(),
            reviewed_plan_id: session.reviewed_plan_id,
            adopted_plan_id: session.adopted_plan_id,
            agenda: session.agenda.clone(),
            attendees: session.attendees.clone(),
            status: session.status,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved(i64),
    /// The agency already has a session of that kind with that number.
    DuplicateNumber,
    /// The session is sealed: nothing of it changes until an admin reopens it.
    Sealed,
}

/// Creates a session of the agency.
/// A session created as held is sealed with `seal` in the same transaction.
pub async fn create(
    db: &PgPool,
    agency_id: i64,
    fields: &SessionFields,
    user_id: i64,
    seal: Option<&NewSeal>,
) -> sqlx::Result<SaveOutcome> {
    let mut tx = crate::db::begin(db).await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, place, chair, \
         reviewed_plan_id, adopted_plan_id, agenda, attendees, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(agency_id)
    .bind(fields.number)
    .bind(fields.kind)
    .bind(fields.held_on)
    .bind(fields.cutoff)
    .bind(fields.place.as_deref())
    .bind(fields.chair.as_deref())
    .bind(fields.reviewed_plan_id)
    .bind(fields.adopted_plan_id)
    .bind(fields.agenda.as_deref())
    .bind(fields.attendees.as_deref())
    .bind(fields.status)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Err(error) if is_unique_violation(&error) => return Ok(SaveOutcome::DuplicateNumber),
        other => other?,
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "session.create",
            object_type: "board_session",
            object_id: Some(id),
            agency_id: Some(agency_id),
            before: None,
            after: Some(to_json(fields)?),
        },
    )
    .await?;
    if let (Some(seal), SessionStatus::Held) = (seal, fields.status) {
        seals::insert(&mut tx, id, agency_id, seal, Some(user_id)).await?;
    }
    tx.commit().await?;
    Ok(SaveOutcome::Saved(id))
}

/// Replaces the session's fields, unless it is sealed. Marking it held
/// seals it with `seal` (its figures as of the new fields), in the same
/// transaction.
pub async fn update(
    db: &PgPool,
    session: &BoardSession,
    fields: &SessionFields,
    user_id: i64,
    seal: Option<&NewSeal>,
) -> sqlx::Result<SaveOutcome> {
    let mut tx = crate::db::begin(db).await?;
    // Checked under the row's lock: a seal made since the page was read wins.
    match seals::lock_session(&mut tx, session.id).await? {
        None | Some(Some(_)) => return Ok(SaveOutcome::Sealed),
        Some(None) => {}
    }
    let updated = sqlx::query(
        "UPDATE board_sessions SET number = $2, kind = $3, held_on = $4, cutoff = $5, place = $6, \
         chair = $7, reviewed_plan_id = $8, adopted_plan_id = $9, agenda = $10, attendees = $11, \
         status = $12 WHERE id = $1",
    )
    .bind(session.id)
    .bind(fields.number)
    .bind(fields.kind)
    .bind(fields.held_on)
    .bind(fields.cutoff)
    .bind(fields.place.as_deref())
    .bind(fields.chair.as_deref())
    .bind(fields.reviewed_plan_id)
    .bind(fields.adopted_plan_id)
    .bind(fields.agenda.as_deref())
    .bind(fields.attendees.as_deref())
    .bind(fields.status)
    .execute(&mut *tx)
    .await;
    match updated {
        Err(error) if is_unique_violation(&error) => return Ok(SaveOutcome::DuplicateNumber),
        other => other?,
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: if session.status != SessionStatus::Held && fields.status == SessionStatus::Held
            {
                "session.hold"
            } else {
                "session.update"
            },
            object_type: "board_session",
            object_id: Some(session.id),
            agency_id: Some(session.agency_id),
            before: Some(to_json(&SessionFields::of(session))?),
            after: Some(to_json(fields)?),
        },
    )
    .await?;
    if let (Some(seal), SessionStatus::Held) = (seal, fields.status) {
        seals::insert(&mut tx, session.id, session.agency_id, seal, Some(user_id)).await?;
    }
    tx.commit().await?;
    Ok(SaveOutcome::Saved(session.id))
}

/// A resolution as entered in its form, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResolutionFields {
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// A resolution with the session it belongs to, for its own page.
#[derive(Debug, Clone, FromRow)]
pub struct ResolutionDetail {
    pub id: i64,
    pub session_id: i64,
    pub agency_id: i64,
    pub session_number: i32,
    pub session_kind: SessionKind,
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The status when adopted; follow-ups change it from there.
    pub status: ResolutionStatus,
}

pub async fn find_resolution(db: &PgPool, id: i64) -> sqlx::Result<Option<ResolutionDetail>> {
    sqlx::query_as(
        "SELECT r.id, r.session_id, s.agency_id, s.number AS session_number, \
         s.kind AS session_kind, r.text, r.responsible_unit, r.due_on, r.status \
         FROM resolutions r JOIN board_sessions s ON s.id = r.session_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn add_resolution(
    db: &PgPool,
    session: &BoardSession,
    fields: &ResolutionFields,
    user_id: i64,
) -> sqlx::Result<i64> {
    let mut tx = crate::db::begin(db).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO resolutions (session_id, position, text, responsible_unit, due_on) \
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM resolutions WHERE session_id = $1), \
         $2, $3, $4) RETURNING id",
    )
    .bind(session.id)
    .bind(&fields.text)
    .bind(fields.responsible_unit.as_deref())
    .bind(fields.due_on)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "resolution.create",
            object_type: "resolution",
            object_id: Some(id),
            agency_id: Some(session.agency_id),
            before: None,
            after: Some(to_json(fields)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_resolution(
    db: &PgPool,
    resolution: &ResolutionDetail,
    fields: &ResolutionFields,
    user_id: i64,
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(db).await?;
    sqlx::query(
        "UPDATE resolutions SET text = $2, responsible_unit = $3, due_on = $4 WHERE id = $1",
    )
    .bind(resolution.id)
    .bind(&fields.text)
    .bind(fields.responsible_unit.as_deref())
    .bind(fields.due_on)
    .execute(&mut *tx)
    .await?;
    let before = ResolutionFields {
        text: resolution.text.clone(),
        responsible_unit: resolution.responsible_unit.clone(),
        due_on: resolution.due_on,
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "resolution.update",
            object_type: "resolution",
            object_id: Some(resolution.id),
            agency_id: Some(resolution.agency_id),
            before: Some(to_json(&before)?),
            after: Some(to_json(fields)?),
        },
    )
    .await?;
    tx.commit().await
}

/// One dated step of a resolution's follow-up.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub noted_on: NaiveDate,
    pub status: ResolutionStatus,
    pub note: String,
    pub author: String,
}

/// A resolution's follow-ups, oldest first.
pub async fn follow_ups(db: &PgPool, resolution_id: i64) -> sqlx::Result<Vec<FollowUp>> {
    sqlx::query_as(
        "SELECT id, noted_on, status, note, author FROM resolution_follow_ups \
         WHERE resolution_id = $1 ORDER BY noted_on, id",
    )
    .bind(resolution_id)
    .fetch_all(db)
    .await
}

pub async fn add_follow_up(
    db: &PgPool,
    resolution: &ResolutionDetail,
    noted_on: NaiveDate,
    status: ResolutionStatus,
    note: &str,
    user_id: i64,
    author: &str,
) -> sqlx::Result<FollowUp> {
    let mut tx = crate::db::begin(db).await?;
    let follow_up: FollowUp = sqlx::query_as(
        "INSERT INTO resolution_follow_ups (resolution_id, noted_on, status, note, user_id, author) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, noted_on, status, note, author",
    )
    .bind(resolution.id)
    .bind(noted_on)
    .bind(status)
    .bind(note)
    .bind(user_id)
    .bind(author)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "resolution.follow_up",
            object_type: "resolution",
            object_id: Some(resolution.id),
            agency_id: Some(resolution.agency_id),
            before: None,
            after: Some(json!({ "follow_up": to_json(&follow_up)? })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(follow_up)
}
