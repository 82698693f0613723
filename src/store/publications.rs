//! What agencies published on the public pages: plans and sealed sessions,
//! each with whether its page shows the updates' comments and attachments
//! ([`Shown`], chosen when published; off unless chosen).
//! Publishing and unpublishing are one row added or removed, with its audit
//! row in the same transaction; whether an agency's editors may publish (or
//! only admins) is the agency's `editors_may_publish`. The public pages ask
//! here before they show anything.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{FromRow, PgPool};

use super::audit::{self, Actor};
use crate::domain::SessionKind;

/// What can be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Plan(i64),
    Session(i64),
}

impl Target {
    fn columns(self) -> (Option<i64>, Option<i64>, &'static str, i64) {
        match self {
            Target::Plan(id) => (Some(id), None, "plan", id),
            Target::Session(id) => (None, Some(id), "board_session", id),
        }
    }
}

/// What a public page shows beyond the figures: the comments and the
/// attachments of the updates they come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct Shown {
    #[sqlx(rename = "show_comments")]
    pub comments: bool,
    #[sqlx(rename = "show_attachments")]
    pub attachments: bool,
}

/// Publishes `target` of the agency, showing what `shown` says beyond the
/// figures; `false` when it already was (nothing written, its choice kept).
/// `actor` is an admin or editor on the pages, or the command line (`suivi
/// publish`, the demo).
pub async fn publish(
    db: &PgPool,
    target: Target,
    agency_id: i64,
    shown: Shown,
    actor: Actor,
) -> sqlx::Result<bool> {
    let (plan_id, session_id, object_type, object_id) = target.columns();
    let mut tx = crate::db::begin(db).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO publications \
         (agency_id, plan_id, session_id, published_by, show_comments, show_attachments) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(agency_id)
    .bind(plan_id)
    .bind(session_id)
    .bind(actor.user_id())
    .bind(shown.comments)
    .bind(shown.attachments)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: actor.user_id(),
            action: "publication.publish",
            object_type,
            object_id: Some(object_id),
            agency_id: Some(agency_id),
            before: None,
            after: actor.mark(Some(json!({
                "publication_id": id,
                "show_comments": shown.comments,
                "show_attachments": shown.attachments,
            }))),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Takes `target` off the public pages; `false` when it was not published.
pub async fn unpublish(
    db: &PgPool,
    target: Target,
    agency_id: i64,
    actor: Actor,
) -> sqlx::Result<bool> {
    let (plan_id, session_id, object_type, object_id) = target.columns();
    let mut tx = crate::db::begin(db).await?;
    let removed: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
        "DELETE FROM publications WHERE plan_id IS NOT DISTINCT FROM $1 \
         AND session_id IS NOT DISTINCT FROM $2 RETURNING id, published_at",
    )
    .bind(plan_id)
    .bind(session_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, published_at)) = removed else {
        return Ok(false);
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: actor.user_id(),
            action: "publication.unpublish",
            object_type,
            object_id: Some(object_id),
            agency_id: Some(agency_id),
            before: Some(json!({ "publication_id": id, "published_at": published_at })),
            after: actor.mark(None),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What the published `target` shows beyond its figures; `None` when it is
/// not published.
pub async fn shown(db: &PgPool, target: Target) -> sqlx::Result<Option<Shown>> {
    let (plan_id, session_id, _, _) = target.columns();
    sqlx::query_as(
        "SELECT show_comments, show_attachments FROM publications \
         WHERE plan_id IS NOT DISTINCT FROM $1 AND session_id IS NOT DISTINCT FROM $2",
    )
    .bind(plan_id)
    .bind(session_id)
    .fetch_optional(db)
    .await
}

/// The comments of these updates, by update id (those with none left out):
/// what a page that shows comments adds.
pub async fn update_comments(
    db: &PgPool,
    update_ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, comment FROM progress_updates WHERE id = ANY($1) \
         AND comment IS NOT NULL AND btrim(comment) <> ''",
    )
    .bind(update_ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

pub async fn is_published(db: &PgPool, target: Target) -> sqlx::Result<bool> {
    let (plan_id, session_id, _, _) = target.columns();
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM publications WHERE plan_id IS NOT DISTINCT FROM $1 \
         AND session_id IS NOT DISTINCT FROM $2)",
    )
    .bind(plan_id)
    .bind(session_id)
    .fetch_one(db)
    .await
}

/// Whether the agency lets its editors publish (admins always may).
pub async fn editors_may_publish(db: &PgPool, agency_id: i64) -> sqlx::Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT editors_may_publish FROM agencies WHERE id = $1")
            .bind(agency_id)
            .fetch_optional(db)
            .await?
            .unwrap_or(false),
    )
}

/// One published item of the public index. A session is listed only while
/// sealed: reopened, it has no figures to show until it is sealed again.
#[derive(Debug, Clone, FromRow)]
pub struct Published {
    pub agency_code: String,
    pub agency_name: String,
    pub plan_id: Option<i64>,
    pub plan_title: Option<String>,
    pub plan_years: Option<String>,
    pub session_id: Option<i64>,
    pub session_number: Option<i32>,
    pub session_kind: Option<SessionKind>,
    pub session_held_on: Option<chrono::NaiveDate>,
    pub published_at: DateTime<Utc>,
}

const PUBLISHED_COLUMNS: &str = "SELECT g.code AS agency_code, g.name AS agency_name, \
     pl.id AS plan_id, pl.title AS plan_title, \
     CASE WHEN pl.start_year = pl.end_year THEN pl.start_year::text \
          ELSE pl.start_year || '-' || pl.end_year END AS plan_years, \
     s.id AS session_id, s.number AS session_number, s.kind AS session_kind, \
     s.held_on AS session_held_on, p.published_at \
     FROM publications p JOIN agencies g ON g.id = p.agency_id \
     LEFT JOIN plans pl ON pl.id = p.plan_id \
     LEFT JOIN board_sessions s ON s.id = p.session_id \
     WHERE (p.plan_id IS NOT NULL OR s.seal_id IS NOT NULL)";

/// Everything published, by agency, plans (newest first) before sessions.
pub async fn index(db: &PgPool) -> sqlx::Result<Vec<Published>> {
    sqlx::query_as(&format!(
        "{PUBLISHED_COLUMNS} ORDER BY g.code, p.plan_id IS NULL, pl.start_year DESC, \
         s.held_on DESC"
    ))
    .fetch_all(db)
    .await
}

/// The published, sealed sessions that reviewed the plan, newest first.
pub async fn sessions_of_plan(db: &PgPool, plan_id: i64) -> sqlx::Result<Vec<Published>> {
    sqlx::query_as(&format!(
        "{PUBLISHED_COLUMNS} AND s.reviewed_plan_id = $1 ORDER BY s.held_on DESC"
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await
}

/// Per agency: whether its editors may publish, for the admin page.
#[derive(Debug, Clone, FromRow)]
pub struct AgencySetting {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub editors_may_publish: bool,
}

pub async fn settings(db: &PgPool) -> sqlx::Result<Vec<AgencySetting>> {
    sqlx::query_as("SELECT id, code, name, editors_may_publish FROM agencies ORDER BY code")
        .fetch_all(db)
        .await
}

/// Sets whether the agency's editors may publish, audited; `false` when the
/// agency does not exist or nothing changes.
pub async fn set_editors_may_publish(
    db: &PgPool,
    agency_id: i64,
    allowed: bool,
    admin_id: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let changed = sqlx::query(
        "UPDATE agencies SET editors_may_publish = $2 WHERE id = $1 \
         AND editors_may_publish IS DISTINCT FROM $2",
    )
    .bind(agency_id)
    .bind(allowed)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        audit::record(
            &mut *tx,
            &audit::Entry {
                user_id: Some(admin_id),
                action: "agency.publishing",
                object_type: "agency",
                object_id: Some(agency_id),
                agency_id: Some(agency_id),
                before: Some(json!({ "editors_may_publish": !allowed })),
                after: Some(json!({ "editors_may_publish": allowed })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}
