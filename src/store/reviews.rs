//! Validation by the M&E unit: the queue of submitted updates an agency's
//! validators see, and their decisions. A decision is written once per
//! update (`update_reviews`), with the update's own review column and its
//! `counted_since` (from when the figures count it), in one transaction with
//! its audit row. Updates of agencies that need no validation never come
//! here: they are counted from the moment they are recorded.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, QueryBuilder};

use super::audit;
use crate::domain::Status;

/// The longest rejection reason, as in the schema.
pub const REASON_MAX: usize = 2000;

/// Which submitted updates to list; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// The agencies the validator validates; `None` for an admin (all).
    pub agencies: Option<Vec<i64>>,
    pub plan_id: Option<i64>,
    /// The node and everything under it.
    pub node_id: Option<i64>,
    pub author_id: Option<i64>,
    /// The updates' dates (`as_of`), inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A submitted update as the queue shows it.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Submitted {
    pub update_id: i64,
    pub activity_id: i64,
    pub activity_code: String,
    pub activity_title: String,
    pub plan_id: i64,
    pub plan_code: String,
    /// The plan's currency (ISO code), which `spent` is in.
    pub currency: String,
    pub agency_id: i64,
    pub agency_code: String,
    pub as_of: NaiveDate,
    pub status: Status,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub comment: Option<String>,
    pub author: String,
    pub recorded_at: DateTime<Utc>,
    pub attachments: i64,
}

/// At most this many rows of the queue on one page (the oldest first: they
/// have waited longest); the page says how many more wait.
pub const QUEUE_PAGE: i64 = 200;

/// The columns of [`Submitted`], for [`filtered`].
const SUBMITTED_COLUMNS: &str = "SELECT u.id AS update_id, a.id AS activity_id, \
     a.code AS activity_code, a.title AS activity_title, pl.id AS plan_id, pl.code AS plan_code, pl.currency, \
     g.id AS agency_id, g.code AS agency_code, u.as_of, u.status, u.achieved, u.spent, \
     u.comment, u.author, u.recorded_at, \
     (SELECT count(*) FROM attachments t WHERE t.update_id = u.id AND NOT EXISTS \
      (SELECT 1 FROM attachment_withdrawals w WHERE w.attachment_id = t.id)) AS attachments";

fn filtered<'a>(select: &str, filter: &'a QueueFilter) -> QueryBuilder<'a, Postgres> {
    let mut query = QueryBuilder::new(select);
    query.push(
        " FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id \
         WHERE u.review = 'submitted'",
    );
    if let Some(agencies) = &filter.agencies {
        query
            .push(" AND pl.agency_id = ANY(")
            .push_bind(agencies)
            .push(")");
    }
    if let Some(plan_id) = filter.plan_id {
        query.push(" AND a.plan_id = ").push_bind(plan_id);
    }
    if let Some(node_id) = filter.node_id {
        query
            .push(
                " AND a.node_id IN (WITH RECURSIVE under(id) AS (SELECT id FROM plan_nodes \
                 WHERE id = ",
            )
            .push_bind(node_id)
            .push(
                " UNION SELECT n.id FROM plan_nodes n JOIN under ON n.parent_id = under.id) \
                 SELECT id FROM under)",
            );
    }
    if let Some(author_id) = filter.author_id {
        query.push(" AND u.user_id = ").push_bind(author_id);
    }
    if let Some(from) = filter.from {
        query.push(" AND u.as_of >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        query.push(" AND u.as_of <= ").push_bind(to);
    }
    query
}

/// The submitted updates that match, the oldest first, and how many match
/// in all.
pub async fn queue(db: &PgPool, filter: &QueueFilter) -> sqlx::Result<(Vec<Submitted>, i64)> {
    let rows = filtered(SUBMITTED_COLUMNS, filter)
        .push(" ORDER BY u.id LIMIT ")
        .push_bind(QUEUE_PAGE)
        .build_query_as()
        .fetch_all(db)
        .await?;
    let total = filtered("SELECT count(*)", filter)
        .build_query_scalar()
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

/// One submitted update, for its page in the queue.
pub async fn find_submitted(db: &PgPool, update_id: i64) -> sqlx::Result<Option<Submitted>> {
    let filter = QueueFilter::default();
    filtered(SUBMITTED_COLUMNS, &filter)
        .push(" AND u.id = ")
        .push_bind(update_id)
        .build_query_as()
        .fetch_optional(db)
        .await
}

/// The people whose updates wait, for the queue's author filter.
pub async fn authors(db: &PgPool, agencies: Option<&[i64]>) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT us.id, us.display_name FROM progress_updates u \
         JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
         JOIN users us ON us.id = u.user_id \
         WHERE u.review = 'submitted' AND ($1::bigint[] IS NULL OR pl.agency_id = ANY($1)) \
         ORDER BY us.display_name",
    )
    .bind(agencies)
    .fetch_all(db)
    .await
}

/// How many updates of the plan dated on or before `cutoff` still wait:
/// sealing a session on them seals figures without them.
pub async fn waiting_before(db: &PgPool, plan_id: i64, cutoff: NaiveDate) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         WHERE a.plan_id = $1 AND u.review = 'submitted' AND u.as_of <= $2",
    )
    .bind(plan_id)
    .bind(cutoff)
    .fetch_one(db)
    .await
}

/// A validator's decision on submitted updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Validate,
    Reject { reason: String },
}

impl Decision {
    fn as_str(&self) -> &'static str {
        match self {
            Decision::Validate => "validated",
            Decision::Reject { .. } => "rejected",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Decision::Validate => None,
            Decision::Reject { reason } => Some(reason),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum DecideOutcome {
    /// Every update was decided.
    Decided(usize),
    /// Some updates are not waiting any more (decided by someone else in
    /// between) or are not this validator's to decide: nothing written.
    Refused { not_waiting: Vec<i64> },
}

/// Validates or rejects `update_ids`, all or none: each must still be
/// submitted and of an agency in `agencies` (`None`: an admin, any agency).
pub async fn decide(
    db: &PgPool,
    update_ids: &[i64],
    decision: &Decision,
    reviewer_id: i64,
    agencies: Option<&[i64]>,
) -> sqlx::Result<DecideOutcome> {
    let mut tx = crate::db::begin(db).await?;
    let outcome = decide_in(&mut tx, update_ids, decision, reviewer_id, agencies).await?;
    if matches!(outcome, DecideOutcome::Decided(_)) {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// [`decide`] inside the caller's transaction (the demo's).
pub async fn decide_in(
    tx: &mut PgConnection,
    update_ids: &[i64],
    decision: &Decision,
    reviewer_id: i64,
    agencies: Option<&[i64]>,
) -> sqlx::Result<DecideOutcome> {
    // Locked in id order, so that two validators deciding overlapping sets
    // cannot deadlock; the second finds the first's decisions made.
    let waiting: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT u.id, pl.agency_id FROM progress_updates u \
         JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
         WHERE u.id = ANY($1) AND u.review = 'submitted' \
         AND ($2::bigint[] IS NULL OR pl.agency_id = ANY($2)) \
         ORDER BY u.id FOR UPDATE OF u",
    )
    .bind(update_ids)
    .bind(agencies)
    .fetch_all(&mut *tx)
    .await?;
    let not_waiting: Vec<i64> = update_ids
        .iter()
        .copied()
        .filter(|id| !waiting.iter().any(|(w, _)| w == id))
        .collect();
    if !not_waiting.is_empty() {
        return Ok(DecideOutcome::Refused { not_waiting });
    }
    for (update_id, agency_id) in &waiting {
        let decided_at: DateTime<Utc> = sqlx::query_scalar(
            "INSERT INTO update_reviews (update_id, decision, reason, reviewer_id) \
             VALUES ($1, $2, $3, $4) RETURNING recorded_at",
        )
        .bind(update_id)
        .bind(decision.as_str())
        .bind(decision.reason())
        .bind(reviewer_id)
        .fetch_one(&mut *tx)
        .await?;
        // Counted from the decision on, so that a session sealed before it
        // keeps the figures it was sealed with.
        sqlx::query(
            "UPDATE progress_updates SET review = $2, \
             counted_since = CASE WHEN $2 = 'validated' THEN $3 END WHERE id = $1",
        )
        .bind(update_id)
        .bind(decision.as_str())
        .bind(decided_at)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut *tx,
            &audit::Entry {
                user_id: Some(reviewer_id),
                action: match decision {
                    Decision::Validate => "progress.validate",
                    Decision::Reject { .. } => "progress.reject",
                },
                object_type: "progress_update",
                object_id: Some(*update_id),
                agency_id: Some(*agency_id),
                before: Some(json!({ "review": "submitted" })),
                after: Some(json!({ "review": decision.as_str(), "reason": decision.reason() })),
            },
        )
        .await?;
        if let Decision::Reject { reason } = decision {
            // The author hears of it with the decision, or not at all.
            super::mail::queue_rejection_notice(&mut *tx, *update_id, reason).await?;
        }
    }
    Ok(DecideOutcome::Decided(waiting.len()))
}
