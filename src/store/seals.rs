//! The seals of board sessions: the snapshot of a session's figures taken when
//! it is held, and the reopenings that end one. Both tables are append-only;
//! `board_sessions.seal_id` names the seal in force. The figures themselves
//! are made and read by `dashboard`; this module only stores them.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};

use super::audit;

/// Figures to seal: their serialised text and its digest.
#[derive(Debug, Clone)]
pub struct NewSeal {
    pub figures: String,
    pub digest: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Seal {
    pub id: i64,
    pub session_id: i64,
    pub sealed_at: DateTime<Utc>,
    pub sealed_by: Option<String>,
    pub figures: String,
    pub digest: String,
}

/// A seal without its figures: who sealed, when, and the digest that names
/// the figures' text (what a dashboard shows of the seal itself).
#[derive(Debug, Clone, FromRow)]
pub struct SealHeader {
    pub id: i64,
    pub session_id: i64,
    pub sealed_at: DateTime<Utc>,
    pub sealed_by: Option<String>,
    pub digest: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Reopening {
    pub reopened_at: DateTime<Utc>,
    pub reopened_by: String,
    pub reason: String,
}

/// Writes the seal and makes it the session's, with its audit row, inside
/// the caller's transaction (which has the session's row locked).
pub async fn insert(
    tx: &mut PgConnection,
    session_id: i64,
    agency_id: i64,
    seal: &NewSeal,
    user_id: Option<i64>,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO session_seals (session_id, sealed_by, figures, digest) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(&seal.figures)
    .bind(&seal.digest)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE board_sessions SET seal_id = $2 WHERE id = $1")
        .bind(session_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id,
            action: "session.seal",
            object_type: "board_session",
            object_id: Some(session_id),
            agency_id: Some(agency_id),
            before: None,
            after: Some(json!({ "seal_id": id, "digest": seal.digest })),
        },
    )
    .await?;
    // The board hears of it with the seal, or not at all.
    super::mail::queue_sealed_notice(tx, session_id, agency_id, id).await?;
    Ok(id)
}

/// Locks the session's row for a change and says which seal is in force:
/// `None` if the session is gone.
pub async fn lock_session(
    tx: &mut PgConnection,
    session_id: i64,
) -> sqlx::Result<Option<Option<i64>>> {
    sqlx::query_scalar("SELECT seal_id FROM board_sessions WHERE id = $1 FOR UPDATE")
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await
}

/// What sealing again found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealOutcome {
    Sealed(i64),
    /// Already sealed (another request sealed it first): nothing written.
    AlreadySealed,
    Gone,
}

/// Seals a held session that has no seal in force (reopened, or held
/// before seals existed).
pub async fn seal(
    db: &PgPool,
    session_id: i64,
    agency_id: i64,
    seal: &NewSeal,
    user_id: Option<i64>,
) -> sqlx::Result<SealOutcome> {
    let mut tx = crate::db::begin(db).await?;
    match lock_session(&mut tx, session_id).await? {
        None => return Ok(SealOutcome::Gone),
        Some(Some(_)) => return Ok(SealOutcome::AlreadySealed),
        Some(None) => {}
    }
    let id = insert(&mut tx, session_id, agency_id, seal, user_id).await?;
    tx.commit().await?;
    Ok(SealOutcome::Sealed(id))
}

/// Ends the seal in force, for the reason an admin gave; `false` if the
/// session had none (nothing written).
pub async fn reopen(
    db: &PgPool,
    session_id: i64,
    agency_id: i64,
    user_id: i64,
    reason: &str,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let Some(Some(seal_id)) = lock_session(&mut tx, session_id).await? else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO session_reopenings (session_id, seal_id, reopened_by, reason) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(session_id)
    .bind(seal_id)
    .bind(user_id)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE board_sessions SET seal_id = NULL WHERE id = $1")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "session.reopen",
            object_type: "board_session",
            object_id: Some(session_id),
            agency_id: Some(agency_id),
            before: Some(json!({ "seal_id": seal_id })),
            after: Some(json!({ "reason": reason })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

const SEAL_COLUMNS: &str = "SELECT z.id, z.session_id, z.sealed_at, u.display_name AS sealed_by, \
     z.figures, z.digest FROM session_seals z LEFT JOIN users u ON u.id = z.sealed_by";

pub async fn find(db: impl PgExecutor<'_>, seal_id: i64) -> sqlx::Result<Option<Seal>> {
    sqlx::query_as(&format!("{SEAL_COLUMNS} WHERE z.id = $1"))
        .bind(seal_id)
        .fetch_optional(db)
        .await
}

/// The seal without its figures (118 KB of text for 200 activities): the
/// dashboard's ETag needs only this, and the figures may be read already.
pub async fn header(db: impl PgExecutor<'_>, seal_id: i64) -> sqlx::Result<Option<SealHeader>> {
    sqlx::query_as(
        "SELECT z.id, z.session_id, z.sealed_at, u.display_name AS sealed_by, z.digest \
         FROM session_seals z LEFT JOIN users u ON u.id = z.sealed_by WHERE z.id = $1",
    )
    .bind(seal_id)
    .fetch_optional(db)
    .await
}

/// The text of a seal's figures.
pub async fn figures(db: impl PgExecutor<'_>, seal_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT figures FROM session_seals WHERE id = $1")
        .bind(seal_id)
        .fetch_optional(db)
        .await
}

/// The ids of the seals in force, for `suivi verify`, which reads them one
/// at a time (thousands of seals would not fit in memory at once).
pub async fn in_force(db: &PgPool) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT seal_id FROM board_sessions WHERE seal_id IS NOT NULL ORDER BY id")
        .fetch_all(db)
        .await
}

/// The session's reopenings, oldest first.
pub async fn reopenings(db: &PgPool, session_id: i64) -> sqlx::Result<Vec<Reopening>> {
    sqlx::query_as(
        "SELECT o.reopened_at, u.display_name AS reopened_by, o.reason \
         FROM session_reopenings o JOIN users u ON u.id = o.reopened_by \
         WHERE o.session_id = $1 ORDER BY o.reopened_at, o.id",
    )
    .bind(session_id)
    .fetch_all(db)
    .await
}

/// Held sessions that were never sealed (held before seals existed, or
/// loaded as such): they are sealed at start-up, as of the data then.
pub async fn never_sealed_held(db: &PgPool) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT s.id FROM board_sessions s WHERE s.status = 'held' AND s.seal_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM session_seals z WHERE z.session_id = s.id) ORDER BY s.held_on, s.id",
    )
    .fetch_all(db)
    .await
}

/// What was recorded after a seal that the sealed figures would have
/// counted had it been known then: corrections of the period up to the
/// cutoff, which show in later sessions and not in this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct CorrectionsSince {
    /// Progress updates dated on or before the cutoff, counted since.
    pub updates: i64,
    /// Versions of activities', indicators' and funding lines' attributes
    /// in force on the cutoff, and indicator values of periods ending by it.
    pub attributes: i64,
    pub latest: Option<DateTime<Utc>>,
}

impl CorrectionsSince {
    pub fn any(&self) -> bool {
        self.updates + self.attributes > 0
    }
}

/// The activities' parts (updates, versions, schedules) are read only when
/// the plan's kept figures were recomputed after the seal (`plan_figures.
/// changed_at`): every such write recomputes them, and an unchanged plan,
/// the usual case, is then one row instead of a probe per activity.
pub async fn corrections_since(
    db: &PgPool,
    plan_id: i64,
    cutoff: chrono::NaiveDate,
    sealed_at: DateTime<Utc>,
) -> sqlx::Result<CorrectionsSince> {
    sqlx::query_as(
        "WITH changed AS ( \
             SELECT 1 FROM plan_figures WHERE plan_id = $1 AND changed_at > $3 \
         ), updates AS ( \
             SELECT u.counted_since AS at FROM progress_updates u \
             JOIN activities a ON a.id = u.activity_id \
             WHERE EXISTS (SELECT 1 FROM changed) \
             AND a.plan_id = $1 AND u.as_of <= $2 AND u.counted_since > $3 \
         ), attributes AS ( \
             SELECT v.recorded_at AS at FROM activity_versions v \
             JOIN activities a ON a.id = v.activity_id \
             WHERE EXISTS (SELECT 1 FROM changed) \
             AND a.plan_id = $1 AND v.effective_on <= $2 AND v.recorded_at > $3 \
             UNION ALL \
             SELECT v.recorded_at FROM indicator_versions v \
             JOIN indicators i ON i.id = v.indicator_id \
             WHERE i.plan_id = $1 AND v.effective_on <= $2 AND v.recorded_at > $3 \
             UNION ALL \
             SELECT v.recorded_at FROM indicator_values v \
             JOIN indicators i ON i.id = v.indicator_id \
             WHERE i.plan_id = $1 AND v.period_end <= $2 AND v.recorded_at > $3 \
             UNION ALL \
             SELECT v.recorded_at FROM activity_schedule_versions v \
             JOIN activities a ON a.id = v.activity_id \
             WHERE EXISTS (SELECT 1 FROM changed) AND a.plan_id = $1 AND v.effective_on <= $2 AND v.recorded_at > $3 \
             UNION ALL \
             SELECT v.recorded_at FROM funding_line_versions v \
             JOIN funding_lines f ON f.id = v.funding_line_id \
             WHERE f.plan_id = $1 AND v.effective_on <= $2 AND v.recorded_at > $3 \
         ) SELECT (SELECT count(*) FROM updates) AS updates, \
             (SELECT count(*) FROM attributes) AS attributes, \
             (SELECT max(at) FROM (SELECT at FROM updates UNION ALL SELECT at FROM attributes) t) \
             AS latest",
    )
    .bind(plan_id)
    .bind(cutoff)
    .bind(sealed_at)
    .fetch_one(db)
    .await
}
