//! The audit log: who changed what, when, with the object before and after as
//! JSON. Rows are only ever added, inside the transaction of the change they
//! describe, so a change without its audit row cannot be committed.

use serde_json::Value;
use sqlx::PgExecutor;

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    /// What happened, e.g. `progress.record`.
    pub action: &'a str,
    /// The table of the object, e.g. `progress_update`.
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(db: impl PgExecutor<'_>, entry: &Entry<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO audit_log (user_id, action, object_type, object_id, agency_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(entry.user_id)
    .bind(entry.action)
    .bind(entry.object_type)
    .bind(entry.object_id)
    .bind(entry.agency_id)
    .bind(&entry.before)
    .bind(&entry.after)
    .fetch_one(db)
    .await
}
