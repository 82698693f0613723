//! One activity's progress: its state as of a date (the SQL every figure
//! reads it with, and the row it comes back as), its history of updates,
//! and recording a new update: the append, its audit row and the check that
//! nobody else saved in between, all in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgPool};

use super::{audit, to_json};
use crate::domain::{Review, Status};
use crate::names::ItemName;
use crate::performance::{ActivityFigures, Update};

/// The "state as of a date" of every activity `a` is its latest progress
/// update `u` dated on or before that date. Only counted updates are read:
/// those that needed no validation or were validated, as known at
/// `known_at()` (now, unless a sealed session is being recomputed as it was
/// known when sealed). `with_pending` also reads the updates still waiting
/// for validation, for the plan page that asks.
///
/// Today's state, the latest counted update of each activity, is kept in
/// `activity_state` (the migration's triggers, in the transaction of each
/// write and of each validation): when it is dated on or before the date and
/// the figures are read as known now, it is the state as of that date too,
/// one primary-key read; otherwise (a past date, an earlier knowledge) one
/// index probe on `progress_updates_latest` finds it in the history. The two
/// branches exclude each other, so `u` is one row or none. Every query that
/// reads figures joins it, and selects [`latest_update_columns!`] (and
/// `u.comment` where shown).
macro_rules! latest_update_join {
    ($date_param:literal) => {
        concat!(
            " LEFT JOIN activity_state ts ON ts.activity_id = a.id",
            " LEFT JOIN LATERAL (SELECT ts.update_id AS id, ts.status, ts.achieved, ts.spent,",
            " ts.as_of, ts.comment WHERE ts.as_of <= ",
            $date_param,
            " AND known_at() = 'infinity'",
            " UNION ALL (SELECT p.id, p.status, p.achieved, p.spent, p.as_of, p.comment",
            " FROM progress_updates p WHERE (ts.as_of <= ",
            $date_param,
            " AND known_at() = 'infinity') IS NOT TRUE",
            " AND p.activity_id = a.id AND p.as_of <= ",
            $date_param,
            " AND p.counted_since <= known_at()",
            " ORDER BY p.as_of DESC, p.id DESC LIMIT 1)) u ON true "
        )
    };
    ($date_param:literal, with_pending) => {
        $crate::store::activities::latest_update_join!(
            $date_param,
            " AND (p.counted_since <= known_at() OR p.review = 'submitted')"
        )
    };
    ($date_param:literal, $counted:literal) => {
        concat!(
            " LEFT JOIN LATERAL (SELECT p.id, p.status, p.achieved, p.spent, p.as_of, p.comment",
            " FROM progress_updates p WHERE p.activity_id = a.id AND p.as_of <= ",
            $date_param,
            $counted,
            " ORDER BY p.as_of DESC, p.id DESC LIMIT 1) u ON true "
        )
    };
}
pub(crate) use latest_update_join;

/// The columns of [`LatestUpdate`], from [`latest_update_join!`].
macro_rules! latest_update_columns {
    () => {
        " u.id AS update_id, u.as_of AS update_as_of, u.status, u.achieved, u.spent "
    };
}
pub(crate) use latest_update_columns;

/// An activity's latest progress update dated on or before the date it was
/// read as of; every column is null when it has none by then.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct LatestUpdate {
    #[sqlx(rename = "update_id")]
    pub id: Option<i64>,
    #[sqlx(rename = "update_as_of")]
    pub as_of: Option<NaiveDate>,
    pub status: Option<Status>,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
}

impl LatestUpdate {
    /// The update, when there is one by the date.
    pub fn update(&self) -> Option<Update> {
        Some(Update {
            id: self.id?,
            as_of: self.as_of?,
            status: self.status?,
            achieved: self.achieved,
            spent: self.spent,
        })
    }

    /// The figures of an activity with this state and this plan.
    pub fn figures(
        &self,
        target: Option<Decimal>,
        budget: i64,
        planned_end: Option<NaiveDate>,
    ) -> ActivityFigures {
        ActivityFigures::new(target, budget, planned_end, self.update().as_ref())
    }
}

/// An activity with its plan and agency: what recording progress on it
/// checks (the plan's years, the agency's rights, held sessions' freezes).
#[derive(Debug, Clone, FromRow)]
pub struct ActivityDetail {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub budget: i64,
    /// The units that carry it out, as they stand now.
    pub responsible_unit: Option<String>,
    pub associated_units: Option<String>,
    pub plan_id: i64,
    pub plan_code: String,
    pub plan_title: String,
    pub start_year: i32,
    pub end_year: i32,
    /// The plan's currency (ISO code), which the budget and spending are in.
    pub currency: String,
    pub agency_id: i64,
    pub agency_code: String,
}

const DETAIL_COLUMNS: &str = "SELECT a.id, a.code, a.title, a.target, a.unit, a.budget, \
     a.responsible_unit, a.associated_units, \
     pl.id AS plan_id, pl.code AS plan_code, pl.title AS plan_title, pl.start_year, pl.end_year, \
     pl.currency, \
     g.id AS agency_id, g.code AS agency_code \
     FROM activities a JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id";

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<ActivityDetail>> {
    sqlx::query_as(&format!("{DETAIL_COLUMNS} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// An activity by the codes its users know: its agency's, its plan's and
/// its own (unique within the plan).
pub async fn find_by_codes(
    db: &PgPool,
    agency_code: &str,
    plan_code: &str,
    code: &str,
) -> sqlx::Result<Option<ActivityDetail>> {
    sqlx::query_as(&format!(
        "{DETAIL_COLUMNS} WHERE a.plan_id = (SELECT pl.id FROM plans pl \
         JOIN agencies g ON g.id = pl.agency_id WHERE g.code = $1 AND pl.code = $2) \
         AND a.code = $3"
    ))
    .bind(agency_code)
    .bind(plan_code)
    .bind(code)
    .fetch_optional(db)
    .await
}

/// An activity by the name a user gave (`crate::names`): its id or its codes.
pub async fn find_named(db: &PgPool, name: ItemName<'_>) -> sqlx::Result<Option<ActivityDetail>> {
    match name {
        ItemName::Id(id) => find(db, id).await,
        ItemName::Codes { agency, plan, code } => find_by_codes(db, agency, plan, code).await,
    }
}

/// Every activity of the plan still in force, for the bulk entry grid.
pub async fn details_for_plan(db: &PgPool, plan_id: i64) -> sqlx::Result<Vec<ActivityDetail>> {
    sqlx::query_as(&format!(
        "{DETAIL_COLUMNS} WHERE a.plan_id = $1 AND a.retired_on IS NULL ORDER BY a.position, a.code"
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await
}

/// For each activity of the plan that has updates, the id of the most
/// recently recorded one: the base a bulk save is checked against.
pub async fn latest_recorded_for_plan(
    db: &PgPool,
    plan_id: i64,
) -> sqlx::Result<std::collections::HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT u.activity_id, max(u.id) FROM progress_updates u \
         JOIN activities a ON a.id = u.activity_id WHERE a.plan_id = $1 GROUP BY u.activity_id",
    )
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Per activity of the plan whose most recently recorded update does not
/// count yet: that update's review (waiting or rejected) and the reason of a
/// rejection, for the grid to show its author.
pub async fn uncounted_latest_for_plan(
    db: &PgPool,
    plan_id: i64,
) -> sqlx::Result<std::collections::HashMap<i64, (Review, Option<String>)>> {
    let rows: Vec<(i64, Review, Option<String>)> = sqlx::query_as(
        "SELECT DISTINCT ON (u.activity_id) u.activity_id, u.review, r.reason \
         FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         LEFT JOIN update_reviews r ON r.update_id = u.id \
         WHERE a.plan_id = $1 ORDER BY u.activity_id, u.id DESC",
    )
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, review, _)| !review.counted())
        .map(|(activity_id, review, reason)| (activity_id, (review, reason)))
        .collect())
}

/// A recorded update, as shown in the history and written to the audit log.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ProgressRow {
    pub id: i64,
    pub activity_id: i64,
    pub as_of: NaiveDate,
    pub status: Status,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub comment: Option<String>,
    pub author: String,
    pub user_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    /// Where it stands with the M&E unit; only counted ones make figures.
    pub review: Review,
    /// The reason of a rejection, and who validated or rejected it.
    pub review_reason: Option<String>,
    pub reviewer: Option<String>,
}

impl ProgressRow {
    pub fn counted(&self) -> bool {
        self.review.counted()
    }
}

/// The columns of [`ProgressRow`], from the updates `p` with their review.
const PROGRESS_COLUMNS: &str = "SELECT p.id, p.activity_id, p.as_of, p.status, p.achieved, \
     p.spent, p.comment, p.author, p.user_id, p.recorded_at, p.review, \
     r.reason AS review_reason, ru.display_name AS reviewer \
     FROM progress_updates p LEFT JOIN update_reviews r ON r.update_id = p.id \
     LEFT JOIN users ru ON ru.id = r.reviewer_id";

/// Every update of the activity, the most recently recorded first.
pub async fn history(db: &PgPool, activity_id: i64) -> sqlx::Result<Vec<ProgressRow>> {
    sqlx::query_as(&format!(
        "{PROGRESS_COLUMNS} WHERE p.activity_id = $1 ORDER BY p.id DESC"
    ))
    .bind(activity_id)
    .fetch_all(db)
    .await
}

/// A validated update to record.
#[derive(Debug, Clone)]
pub struct NewProgress {
    pub as_of: NaiveDate,
    pub status: Status,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub comment: Option<String>,
}

/// Who records an update: named in the history, checked against the freeze.
#[derive(Debug, Clone, Copy)]
pub struct Recorder<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub is_admin: bool,
}

#[derive(Debug)]
pub enum RecordOutcome {
    Recorded(ProgressRow),
    /// A held board session reviewed the plan with a cutoff on or after the
    /// update's date: its figures are frozen, and only an admin may add to
    /// them; nothing written.
    Frozen {
        session_number: i32,
        cutoff: NaiveDate,
    },
    /// Someone recorded an update after the form was loaded (or the one it
    /// was loaded with is gone); nothing written.
    Conflict {
        latest: Option<ProgressRow>,
    },
}

/// Records `update` if the activity's most recently recorded update is still
/// `base` (the one the form was loaded with; `None` for no update yet).
///
/// The activity row is locked first, so two saves on the same base run one
/// after the other: the second sees the first's update and gets a conflict.
///
/// Once a board session that reviewed the plan is held, updates dated on or
/// before its cutoff would change the figures it adopted: they are refused,
/// except from an admin, whose override is audited as such.
pub async fn record(
    db: &PgPool,
    activity: &ActivityDetail,
    base: Option<i64>,
    update: &NewProgress,
    recorder: Recorder<'_>,
) -> sqlx::Result<RecordOutcome> {
    let mut tx = crate::db::begin(db).await?;
    let outcome = record_in(&mut tx, activity, base, update, recorder).await?;
    if matches!(outcome, RecordOutcome::Recorded(_)) {
        tx.commit().await?;
    }
    // Otherwise dropping the transaction rolls it back and releases the lock.
    Ok(outcome)
}

/// One row of a bulk save: the activity, the update the user saw, the new one.
#[derive(Debug, Clone)]
pub struct BatchRow {
    pub activity: ActivityDetail,
    pub base: Option<i64>,
    pub update: NewProgress,
}

/// Records several updates in one transaction, each under the same rules as
/// `record`: the rows that conflict or are frozen are reported and skipped,
/// the others are all written (or none, if the database fails). Outcomes come
/// in the order of `rows`.
pub async fn record_batch(
    db: &PgPool,
    rows: &[BatchRow],
    recorder: Recorder<'_>,
) -> sqlx::Result<Vec<RecordOutcome>> {
    let mut tx = crate::db::begin(db).await?;
    let outcomes = record_batch_in(&mut tx, rows, recorder).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// [`record_batch`] inside the caller's transaction, for writes that must
/// land with it (an import uses up its upload in the same transaction).
///
/// The rules are those of [`record`], applied to all rows at once: one
/// statement locks the rows, one reads the freezes, one the latest updates,
/// one inserts, one audits. One insert also means the triggers refresh each
/// activity's state and the plan's figures once for the batch, not once per
/// row (a 50-row grid save recomputed its plan 50 times).
pub async fn record_batch_in(
    tx: &mut sqlx::PgConnection,
    rows: &[BatchRow],
    recorder: Recorder<'_>,
) -> sqlx::Result<Vec<RecordOutcome>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.activity.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != rows.len() {
        // An activity twice (a file naming a code twice): its second row is
        // judged against the first, as when saved one after the other.
        return record_one_by_one(tx, rows, recorder).await;
    }
    // Locked in activity order, so two bulk saves that share activities
    // cannot deadlock.
    sqlx::query("SELECT id FROM activities WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    let mut plan_ids: Vec<i64> = rows.iter().map(|r| r.activity.plan_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    // The latest held session of each plan: an update dated on or before
    // its cutoff is frozen (the same session `record` finds).
    let freezes: HashMap<i64, (i32, NaiveDate)> = sqlx::query_as::<_, (i64, i32, NaiveDate)>(
        "SELECT DISTINCT ON (reviewed_plan_id) reviewed_plan_id, number, cutoff \
         FROM board_sessions WHERE reviewed_plan_id = ANY($1) AND status = 'held' \
         ORDER BY reviewed_plan_id, cutoff DESC, number DESC",
    )
    .bind(&plan_ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(plan, number, cutoff)| (plan, (number, cutoff)))
    .collect();
    let mut latest: HashMap<i64, ProgressRow> = sqlx::query_as::<_, ProgressRow>(&format!(
        "{PROGRESS_COLUMNS} WHERE p.id = ANY(SELECT l.id FROM unnest($1::bigint[]) AS a(id) \
         CROSS JOIN LATERAL (SELECT q.id FROM progress_updates q WHERE q.activity_id = a.id \
         ORDER BY q.id DESC LIMIT 1) l)"
    ))
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| (row.activity_id, row))
    .collect();

    let freeze_of = |row: &BatchRow| {
        freezes
            .get(&row.activity.plan_id)
            .copied()
            .filter(|(_, cutoff)| *cutoff >= row.update.as_of)
    };
    let mut outcomes: Vec<Option<RecordOutcome>> = Vec::with_capacity(rows.len());
    let mut written: Vec<&BatchRow> = Vec::new();
    for row in rows {
        let id = row.activity.id;
        if let (Some((session_number, cutoff)), false) = (freeze_of(row), recorder.is_admin) {
            outcomes.push(Some(RecordOutcome::Frozen {
                session_number,
                cutoff,
            }));
        } else if latest.get(&id).map(|l| l.id) != row.base {
            outcomes.push(Some(RecordOutcome::Conflict {
                latest: latest.remove(&id),
            }));
        } else {
            outcomes.push(None);
            written.push(row);
        }
    }
    if written.is_empty() {
        return Ok(outcomes.into_iter().flatten().collect());
    }

    let mut recorded: HashMap<i64, ProgressRow> = sqlx::query_as::<_, ProgressRow>(
        "INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, comment, author, \
         user_id, review) \
         SELECT r.activity_id, r.as_of, r.status, r.achieved, r.spent, r.comment, $7, $8, \
             CASE WHEN g.requires_validation AND NOT $9 THEN 'submitted' ELSE 'none' END \
         FROM unnest($1::bigint[], $2::date[], $3::text[], $4::numeric[], $5::bigint[], \
             $6::text[], $10::bigint[]) WITH ORDINALITY \
             AS r(activity_id, as_of, status, achieved, spent, comment, agency_id, n) \
         JOIN agencies g ON g.id = r.agency_id ORDER BY r.n \
         RETURNING id, activity_id, as_of, status, achieved, spent, comment, author, user_id, \
         recorded_at, review, NULL::text AS review_reason, NULL::text AS reviewer",
    )
    .bind(written.iter().map(|r| r.activity.id).collect::<Vec<_>>())
    .bind(written.iter().map(|r| r.update.as_of).collect::<Vec<_>>())
    .bind(written.iter().map(|r| r.update.status.as_str()).collect::<Vec<_>>())
    .bind(written.iter().map(|r| r.update.achieved).collect::<Vec<_>>())
    .bind(written.iter().map(|r| r.update.spent).collect::<Vec<_>>())
    .bind(written.iter().map(|r| r.update.comment.as_deref()).collect::<Vec<_>>())
    .bind(recorder.name)
    .bind(recorder.user_id)
    .bind(recorder.is_admin)
    .bind(written.iter().map(|r| r.activity.agency_id).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|row| (row.activity_id, row))
    .collect();

    let mut entries = Vec::with_capacity(written.len());
    for row in &written {
        let Some(new) = recorded.get(&row.activity.id) else {
            return Err(sqlx::Error::RowNotFound);
        };
        entries.push(audit::Entry {
            user_id: Some(recorder.user_id),
            action: if freeze_of(row).is_some() {
                "progress.record_frozen_override"
            } else {
                "progress.record"
            },
            object_type: "progress_update",
            object_id: Some(new.id),
            agency_id: Some(row.activity.agency_id),
            before: latest.get(&row.activity.id).map(to_json).transpose()?,
            after: Some(to_json(new)?),
        });
    }
    audit::record_many(&mut *tx, &entries).await?;
    let mut done = Vec::with_capacity(rows.len());
    for (row, outcome) in rows.iter().zip(outcomes) {
        done.push(match outcome {
            Some(outcome) => outcome,
            None => RecordOutcome::Recorded(
                recorded
                    .remove(&row.activity.id)
                    .ok_or(sqlx::Error::RowNotFound)?,
            ),
        });
    }
    Ok(done)
}

/// The rows one after the other, each seeing those before it.
async fn record_one_by_one(
    tx: &mut sqlx::PgConnection,
    rows: &[BatchRow],
    recorder: Recorder<'_>,
) -> sqlx::Result<Vec<RecordOutcome>> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].activity.id);
    let mut outcomes: Vec<Option<RecordOutcome>> = rows.iter().map(|_| None).collect();
    for i in order {
        let row = &rows[i];
        outcomes[i] = Some(record_in(tx, &row.activity, row.base, &row.update, recorder).await?);
    }
    Ok(outcomes.into_iter().flatten().collect())
}

/// The rules of one save, inside the caller's transaction; writes only when
/// the outcome is `Recorded`.
async fn record_in(
    tx: &mut sqlx::PgConnection,
    activity: &ActivityDetail,
    base: Option<i64>,
    update: &NewProgress,
    recorder: Recorder<'_>,
) -> sqlx::Result<RecordOutcome> {
    sqlx::query("SELECT id FROM activities WHERE id = $1 FOR UPDATE")
        .bind(activity.id)
        .execute(&mut *tx)
        .await?;
    let freezing: Option<(i32, NaiveDate)> = sqlx::query_as(
        "SELECT number, cutoff FROM board_sessions \
         WHERE reviewed_plan_id = $1 AND status = 'held' AND cutoff >= $2 \
         ORDER BY cutoff DESC, number DESC LIMIT 1",
    )
    .bind(activity.plan_id)
    .bind(update.as_of)
    .fetch_optional(&mut *tx)
    .await?;
    if let (Some((session_number, cutoff)), false) = (freezing, recorder.is_admin) {
        return Ok(RecordOutcome::Frozen {
            session_number,
            cutoff,
        });
    }
    let latest: Option<ProgressRow> = sqlx::query_as(&format!(
        "{PROGRESS_COLUMNS} WHERE p.activity_id = $1 ORDER BY p.id DESC LIMIT 1"
    ))
    .bind(activity.id)
    .fetch_optional(&mut *tx)
    .await?;
    if latest.as_ref().map(|l| l.id) != base {
        return Ok(RecordOutcome::Conflict { latest });
    }
    // Where the agency asks for it, staff's updates wait for the M&E unit;
    // an admin's correction does not.
    let recorded: ProgressRow = sqlx::query_as(
        "INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, comment, author, \
         user_id, review) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, \
             CASE WHEN g.requires_validation AND NOT $9 THEN 'submitted' ELSE 'none' END \
         FROM agencies g WHERE g.id = $10 \
         RETURNING id, activity_id, as_of, status, achieved, spent, comment, author, user_id, \
         recorded_at, review, NULL::text AS review_reason, NULL::text AS reviewer",
    )
    .bind(activity.id)
    .bind(update.as_of)
    .bind(update.status)
    .bind(update.achieved)
    .bind(update.spent)
    .bind(update.comment.as_deref())
    .bind(recorder.name)
    .bind(recorder.user_id)
    .bind(recorder.is_admin)
    .bind(activity.agency_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(recorder.user_id),
            action: if freezing.is_some() {
                "progress.record_frozen_override"
            } else {
                "progress.record"
            },
            object_type: "progress_update",
            object_id: Some(recorded.id),
            agency_id: Some(activity.agency_id),
            before: latest.as_ref().map(to_json).transpose()?,
            after: Some(to_json(&recorded)?),
        },
    )
    .await?;
    Ok(RecordOutcome::Recorded(recorded))
}
