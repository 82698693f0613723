//! Writing an activity's schedule: a version in force from its date, never
//! an overwrite (see the migration `activity_schedule`); the reads as of a
//! date join it with the activity (`plans::activity_version_join`).

use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::PgConnection;

use crate::schedule::{self, PlannedPeriod};

/// Records the activity's schedule from `effective_on` (an empty one removes
/// it from then on).
pub async fn write(
    tx: &mut PgConnection,
    activity_id: i64,
    periods: &[PlannedPeriod],
    effective_on: NaiveDate,
    user_id: Option<i64>,
) -> sqlx::Result<()> {
    let periods = schedule::normalized(periods.to_vec());
    sqlx::query(
        "INSERT INTO activity_schedule_versions \
         (activity_id, effective_on, recorded_by, periods, first_end) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(activity_id)
    .bind(effective_on)
    .bind(user_id)
    .bind(Json(&periods))
    .bind(schedule::first_end(&periods))
    .execute(tx)
    .await?;
    Ok(())
}
