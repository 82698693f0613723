//! Clearing out what the web layer leaves behind in the database: expired
//! login sessions (tower-sessions deletes a session only when its owner signs
//! out) and old sign-in attempts. Every instance runs the loop; the deletes
//! are idempotent, so several instances on one database do no harm.

use std::time::Duration;

use sqlx::PgPool;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::store::login_attempts;

/// How often the loop runs: the tables grow by at most an hour of traffic.
pub const PERIOD: Duration = Duration::from_secs(60 * 60);

/// Runs one round now, then one every `period`, until the task is aborted.
/// A failed round is logged and the loop goes on (the database may be back
/// next time).
pub async fn run(db: PgPool, period: Duration) {
    let sessions = PostgresStore::new(db.clone());
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        once(&db, &sessions).await;
    }
}

/// One round: expired sessions, then old attempts.
pub async fn once(db: &PgPool, sessions: &PostgresStore) {
    if let Err(error) = sessions.delete_expired().await {
        tracing::warn!(%error, "cannot delete expired login sessions");
    }
    match login_attempts::purge(db).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "old sign-in attempts purged"),
        Err(error) => tracing::warn!(%error, "cannot purge old sign-in attempts"),
    }
}
