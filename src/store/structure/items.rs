//! Adding and changing a plan's activities and indicators, and entering an
//! indicator's values per period.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgPool};

use super::writes::{insert_activity, insert_indicator, write_activity, write_indicator};
use super::{audit_row, placed, save, Change, Outcome, Place, Written};
use crate::domain::Direction;
use crate::names::ItemName;
use crate::store::plans::{
    activities_from, activity_columns, indicator_version_join, ActivityRow, IndicatorRow,
    INDICATOR_COLUMNS,
};

/// What an activity says, apart from the node it hangs from (given next to
/// it: an id in the editor, a code in an import).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityFields {
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub target: Option<Decimal>,
    pub budget: i64,
    pub responsible_unit: Option<String>,
    /// The units beside the responsible one ("Structures associées").
    pub associated_units: Option<String>,
    pub region_code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    /// The funding line of the plan that pays for it, by its name (unique
    /// in the plan, and what a plan file writes); checked by the caller.
    pub funding_source: Option<String>,
}

impl From<&ActivityRow> for ActivityFields {
    fn from(row: &ActivityRow) -> ActivityFields {
        ActivityFields {
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            target: row.target,
            budget: row.budget,
            responsible_unit: row.responsible_unit.clone(),
            associated_units: row.associated_units.clone(),
            region_code: row.region_code.clone(),
            planned_start: row.planned_start,
            planned_end: row.planned_end,
            funding_source: row.funding_source.clone(),
        }
    }
}

/// The activity and the plan it belongs to.
pub async fn find_activity(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, ActivityRow)>> {
    let activity: Option<ActivityRow> = sqlx::query_as(concat!(
        "SELECT",
        activity_columns!(),
        activities_from!(),
        "WHERE a.id = $1"
    ))
    .bind(id)
    // Whatever its date: the editor shows no figures, only the plan.
    .bind(NaiveDate::MAX)
    .fetch_optional(db)
    .await?;
    Ok(activity.map(|activity| (activity.plan_id, activity)))
}

/// An indicator by the name a user gave (`crate::names`): its id, or its
/// agency's, plan's and own code (unique within the plan), with its plan's id.
pub async fn find_indicator_named(
    db: &PgPool,
    name: ItemName<'_>,
) -> sqlx::Result<Option<(i64, IndicatorRow)>> {
    let (agency, plan, code) = match name {
        ItemName::Id(id) => return find_indicator(db, id).await,
        ItemName::Codes { agency, plan, code } => (agency, plan, code),
    };
    let indicator: Option<IndicatorRow> = sqlx::query_as(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators i {} WHERE i.plan_id = \
         (SELECT pl.id FROM plans pl JOIN agencies g ON g.id = pl.agency_id \
          WHERE g.code = $1 AND pl.code = $2) AND i.code = $3",
        indicator_version_join!("'infinity'")
    ))
    .bind(agency)
    .bind(plan)
    .bind(code)
    .fetch_optional(db)
    .await?;
    Ok(indicator.map(|indicator| (indicator.plan_id, indicator)))
}

/// Adds (in force from `on`) or changes (with effect from `on`: a new
/// version, the earlier ones kept) an activity, in the node `node_id`.
pub async fn save_activity(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
    existing: Option<&ActivityRow>,
    node_id: i64,
    fields: &ActivityFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let place = Place::Item(Some(node_id));
    save(db, plan_id, place, "activity", change, async |conn| {
        let id = match existing {
            None => insert_activity(conn, plan_id, node_id, fields, Some(on)).await?,
            Some(row) => {
                write_activity(conn, row.id, node_id, fields, on, change.user_id).await?;
                row.id
            }
        };
        let before = existing
            .map(|row| placed(&ActivityFields::from(row), "node_id", Some(row.node_id)))
            .transpose()?;
        Ok(Written {
            id,
            before,
            after: placed(fields, "node_id", Some(node_id))?,
        })
    })
    .await
}

/// The number and cutoff of the latest held board session on the plan whose
/// cutoff is on or after `on`: a change taking effect then would move its
/// figures, which only an admin may do (the rule progress updates follow).
pub async fn freezing_session(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
) -> sqlx::Result<Option<(i32, NaiveDate)>> {
    sqlx::query_as(
        "SELECT number, cutoff FROM board_sessions \
         WHERE reviewed_plan_id = $1 AND status = 'held' AND cutoff >= $2 \
         ORDER BY cutoff DESC, number DESC LIMIT 1",
    )
    .bind(plan_id)
    .bind(on)
    .fetch_optional(db)
    .await
}

/// What an indicator says, apart from the node it measures (given next to
/// it: an id in the editor, a code in an import; none for the whole plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorFields {
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<Decimal>,
    pub baseline_year: Option<i32>,
    pub target: Option<Decimal>,
    pub target_year: Option<i32>,
    pub direction: Direction,
}

impl From<&IndicatorRow> for IndicatorFields {
    fn from(row: &IndicatorRow) -> IndicatorFields {
        IndicatorFields {
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            baseline: row.baseline,
            baseline_year: row.baseline_year,
            target: row.target,
            target_year: row.target_year,
            direction: row.direction,
        }
    }
}

pub async fn find_indicator(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, IndicatorRow)>> {
    let indicator: Option<IndicatorRow> = sqlx::query_as(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators i {} WHERE i.id = $1",
        indicator_version_join!("'infinity'")
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(indicator.map(|indicator| (indicator.plan_id, indicator)))
}

/// Adds (in force from `on`) or changes (its baseline and target with
/// effect from `on`: a new version, the earlier ones kept) an indicator, of
/// the node
/// `node_id` or (`None`) of the whole plan.
pub async fn save_indicator(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
    existing: Option<&IndicatorRow>,
    node_id: Option<i64>,
    fields: &IndicatorFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let place = Place::Item(node_id);
    save(db, plan_id, place, "indicator", change, async |conn| {
        let id = match existing {
            None => insert_indicator(conn, plan_id, node_id, fields, Some(on)).await?,
            Some(row) => {
                write_indicator(conn, row.id, node_id, fields, on, change.user_id).await?;
                row.id
            }
        };
        let before = existing
            .map(|row| placed(&IndicatorFields::from(row), "node_id", row.node_id))
            .transpose()?;
        Ok(Written {
            id,
            before,
            after: placed(fields, "node_id", node_id)?,
        })
    })
    .await
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct IndicatorValueRow {
    pub period_label: String,
    pub period_end: NaiveDate,
    pub value: Decimal,
}

pub async fn indicator_values(
    db: &PgPool,
    indicator_id: i64,
) -> sqlx::Result<Vec<IndicatorValueRow>> {
    sqlx::query_as(
        "SELECT period_label, period_end, value FROM indicator_values \
         WHERE indicator_id = $1 ORDER BY period_end",
    )
    .bind(indicator_id)
    .fetch_all(db)
    .await
}

/// A value of a period that a correction replaced.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct IndicatorValueRevision {
    pub period_end: NaiveDate,
    pub value: Decimal,
    /// The day the correction was recorded (in UTC, Mali's time).
    pub replaced_on: NaiveDate,
}

/// Every replaced value of the indicator, by period, oldest first.
pub async fn indicator_value_revisions(
    db: &PgPool,
    indicator_id: i64,
) -> sqlx::Result<Vec<IndicatorValueRevision>> {
    sqlx::query_as(
        "SELECT period_end, value, (replaced_at AT TIME ZONE 'UTC')::date AS replaced_on \
         FROM indicator_value_revisions \
         WHERE indicator_id = $1 ORDER BY period_end, replaced_at, id",
    )
    .bind(indicator_id)
    .fetch_all(db)
    .await
}

/// Enters the value of a period; a value already entered for the same period
/// end is corrected: the new one is read from then on, the old one is kept
/// among the revisions (and in the audit row).
pub async fn set_indicator_value(
    db: &PgPool,
    indicator_id: i64,
    value: &IndicatorValueRow,
    change: Change<'_>,
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(db).await?;
    let before: Option<IndicatorValueRow> = sqlx::query_as(
        "SELECT period_label, period_end, value FROM indicator_values \
         WHERE indicator_id = $1 AND period_end = $2 FOR UPDATE",
    )
    .bind(indicator_id)
    .bind(value.period_end)
    .fetch_optional(&mut *tx)
    .await?;
    // Only a different value is a correction; saving the same one again
    // leaves no trace of a change that did not happen.
    if before.as_ref().is_some_and(|old| old.value != value.value) {
        sqlx::query(
            "INSERT INTO indicator_value_revisions (indicator_id, period_end, period_label, \
             value, recorded_at, replaced_by) SELECT indicator_id, period_end, period_label, \
             value, recorded_at, $3 FROM indicator_values \
             WHERE indicator_id = $1 AND period_end = $2",
        )
        .bind(indicator_id)
        .bind(value.period_end)
        .bind(change.user_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO indicator_values (indicator_id, period_label, period_end, value) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (indicator_id, period_end) \
         DO UPDATE SET period_label = EXCLUDED.period_label, value = EXCLUDED.value, \
         recorded_at = now()",
    )
    .bind(indicator_id)
    .bind(&value.period_label)
    .bind(value.period_end)
    .bind(value.value)
    .execute(&mut *tx)
    .await?;
    audit_row(
        &mut tx,
        change,
        "indicator",
        indicator_id,
        before.as_ref(),
        Some(value),
    )
    .await?;
    tx.commit().await
}
