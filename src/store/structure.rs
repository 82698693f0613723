//! Changes to a plan's structure: its tree of nodes, its activities, its
//! indicators and their values per period. Nothing is deleted: items are
//! retired on a date, so that figures as of an earlier date still count them.
//! Each change is written with its audit row in one transaction.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Transaction};

use super::{audit, is_unique_violation, to_json};
use crate::domain::Direction;

/// A node as listed on the structure page, retired ones included.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct NodeRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub code: String,
    pub title: String,
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub node_id: i64,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub target: Option<Decimal>,
    pub budget: i64,
    pub responsible_unit: Option<String>,
    pub region_code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct IndicatorRow {
    pub id: i64,
    pub node_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<Decimal>,
    pub baseline_year: Option<i32>,
    pub target: Option<Decimal>,
    pub target_year: Option<i32>,
    pub direction: Direction,
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
}

/// Everything of the plan's structure, retired items included.
pub struct Structure {
    pub nodes: Vec<NodeRow>,
    pub activities: Vec<ActivityRow>,
    pub indicators: Vec<IndicatorRow>,
}

const ACTIVITY_COLUMNS: &str = "SELECT id, node_id, code, title, unit, target, budget, \
     responsible_unit, region_code, planned_start, planned_end, retired_on FROM activities";
const INDICATOR_COLUMNS: &str = "SELECT id, node_id, code, title, unit, baseline, baseline_year, \
     target, target_year, direction, retired_on FROM indicators";

pub async fn load(db: &PgPool, plan_id: i64) -> sqlx::Result<Structure> {
    let mut nodes: Vec<NodeRow> = sqlx::query_as(
        "SELECT id, parent_id, depth, code, title, retired_on FROM plan_nodes \
         WHERE plan_id = $1 ORDER BY depth, position, code",
    )
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    nodes = tree_order(nodes);
    let activities = sqlx::query_as(&format!(
        "{ACTIVITY_COLUMNS} WHERE plan_id = $1 ORDER BY position, code"
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    let indicators = sqlx::query_as(&format!(
        "{INDICATOR_COLUMNS} WHERE plan_id = $1 ORDER BY position, code"
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    Ok(Structure {
        nodes,
        activities,
        indicators,
    })
}

/// Each node followed by its descendants, as the tree is read.
fn tree_order(nodes: Vec<NodeRow>) -> Vec<NodeRow> {
    fn visit(parent: Option<i64>, pool: &[NodeRow], out: &mut Vec<NodeRow>) {
        for node in pool.iter().filter(|n| n.parent_id == parent) {
            out.push(node.clone());
            visit(Some(node.id), pool, out);
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    visit(None, &nodes, &mut out);
    out
}

pub async fn regions(db: &PgPool) -> sqlx::Result<Vec<Region>> {
    sqlx::query_as("SELECT code, name FROM regions ORDER BY position")
        .fetch_all(db)
        .await
}

/// What a change to the structure may run into besides bad input.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved(i64),
    /// Another item of the plan has that code.
    DuplicateCode,
}

/// Who changes what, for the audit row.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub user_id: i64,
    pub agency_id: i64,
    pub action: &'a str,
}

async fn audit_row<T: Serialize>(
    tx: &mut Transaction<'_, Postgres>,
    change: Change<'_>,
    object_type: &str,
    id: i64,
    before: Option<&T>,
    after: Option<&T>,
) -> sqlx::Result<()> {
    audit::record(
        &mut **tx,
        &audit::Entry {
            user_id: Some(change.user_id),
            action: change.action,
            object_type,
            object_id: Some(id),
            agency_id: Some(change.agency_id),
            before: before.map(to_json).transpose()?,
            after: after.map(to_json).transpose()?,
        },
    )
    .await?;
    Ok(())
}

/// Commits when saved; a duplicate code rolls everything back.
async fn finish(tx: Transaction<'_, Postgres>, result: sqlx::Result<i64>) -> sqlx::Result<Outcome> {
    match result {
        Ok(id) => {
            tx.commit().await?;
            Ok(Outcome::Saved(id))
        }
        Err(error) if is_unique_violation(&error) => Ok(Outcome::DuplicateCode),
        Err(error) => Err(error),
    }
}

// ---- Nodes ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeFields {
    pub parent_id: Option<i64>,
    pub code: String,
    pub title: String,
}

pub async fn find_node(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, NodeRow)>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT plan_id FROM plan_nodes WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    let Some((plan_id,)) = row else {
        return Ok(None);
    };
    let node = sqlx::query_as(
        "SELECT id, parent_id, depth, code, title, retired_on FROM plan_nodes WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(Some((plan_id, node)))
}

/// Adds a node in force from `on`.
pub async fn add_node(
    db: &PgPool,
    plan_id: i64,
    fields: &NodeFields,
    on: NaiveDate,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let result = async {
        let id = insert_node(&mut tx, plan_id, fields, Some(on)).await?;
        audit_row(&mut tx, change, "plan_node", id, None, Some(fields)).await?;
        Ok(id)
    }
    .await;
    finish(tx, result).await
}

/// Renames and moves a node; the depths of its whole subtree follow.
pub async fn update_node(
    db: &PgPool,
    node: &NodeRow,
    fields: &NodeFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let result = async {
        write_node(&mut tx, node.id, fields).await?;
        let before = NodeFields {
            parent_id: node.parent_id,
            code: node.code.clone(),
            title: node.title.clone(),
        };
        audit_row(
            &mut tx,
            change,
            "plan_node",
            node.id,
            Some(&before),
            Some(fields),
        )
        .await?;
        Ok(node.id)
    }
    .await;
    finish(tx, result).await
}

/// Whether the node still holds items in force (which must be moved or
/// retired first, so that retiring never hides anything silently).
pub async fn node_has_items(db: &PgPool, node_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM plan_nodes WHERE parent_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM activities WHERE node_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM indicators WHERE node_id = $1 AND retired_on IS NULL)",
    )
    .bind(node_id)
    .fetch_one(db)
    .await
}

/// Retires a node, an activity or an indicator on `on`.
pub async fn retire(
    db: &PgPool,
    table: Retirable,
    id: i64,
    on: NaiveDate,
    change: Change<'_>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    let sql = format!(
        "UPDATE {} SET retired_on = $2 WHERE id = $1 AND retired_on IS NULL",
        table.table()
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(on)
        .execute(&mut *tx)
        .await?;
    audit_row(
        &mut tx,
        change,
        table.object_type(),
        id,
        None,
        Some(&serde_json::json!({ "retired_on": on })),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Copy)]
pub enum Retirable {
    Node,
    Activity,
    Indicator,
}

impl Retirable {
    fn table(self) -> &'static str {
        match self {
            Retirable::Node => "plan_nodes",
            Retirable::Activity => "activities",
            Retirable::Indicator => "indicators",
        }
    }

    fn object_type(self) -> &'static str {
        match self {
            Retirable::Node => "plan_node",
            Retirable::Activity => "activity",
            Retirable::Indicator => "indicator",
        }
    }
}

// ---- Activities ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityFields {
    pub node_id: i64,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub target: Option<Decimal>,
    pub budget: i64,
    pub responsible_unit: Option<String>,
    pub region_code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
}

impl From<&ActivityRow> for ActivityFields {
    fn from(row: &ActivityRow) -> ActivityFields {
        ActivityFields {
            node_id: row.node_id,
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            target: row.target,
            budget: row.budget,
            responsible_unit: row.responsible_unit.clone(),
            region_code: row.region_code.clone(),
            planned_start: row.planned_start,
            planned_end: row.planned_end,
        }
    }
}

/// The activity and the plan it belongs to.
pub async fn find_activity(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, ActivityRow)>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT plan_id FROM activities WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    let Some((plan_id,)) = row else {
        return Ok(None);
    };
    let activity = sqlx::query_as(&format!("{ACTIVITY_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_one(db)
        .await?;
    Ok(Some((plan_id, activity)))
}

/// Adds (in force from `on`) or changes an activity.
pub async fn save_activity(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
    existing: Option<&ActivityRow>,
    fields: &ActivityFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let result = async {
        let id = match existing {
            None => insert_activity(&mut tx, plan_id, fields, Some(on)).await?,
            Some(row) => {
                write_activity(&mut tx, row.id, fields).await?;
                row.id
            }
        };
        let before = existing.map(ActivityFields::from);
        audit_row(
            &mut tx,
            change,
            "activity",
            id,
            before.as_ref(),
            Some(fields),
        )
        .await?;
        Ok(id)
    }
    .await;
    finish(tx, result).await
}

// ---- Indicators ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorFields {
    pub node_id: Option<i64>,
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
            node_id: row.node_id,
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
    let row: Option<(i64,)> = sqlx::query_as("SELECT plan_id FROM indicators WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    let Some((plan_id,)) = row else {
        return Ok(None);
    };
    let indicator = sqlx::query_as(&format!("{INDICATOR_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_one(db)
        .await?;
    Ok(Some((plan_id, indicator)))
}

/// Adds (in force from `on`) or changes an indicator.
pub async fn save_indicator(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
    existing: Option<&IndicatorRow>,
    fields: &IndicatorFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let result = async {
        let id = match existing {
            None => insert_indicator(&mut tx, plan_id, fields, Some(on)).await?,
            Some(row) => {
                write_indicator(&mut tx, row.id, fields).await?;
                row.id
            }
        };
        let before = existing.map(IndicatorFields::from);
        audit_row(
            &mut tx,
            change,
            "indicator",
            id,
            before.as_ref(),
            Some(fields),
        )
        .await?;
        Ok(id)
    }
    .await;
    finish(tx, result).await
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

/// Enters the value of a period; a value already entered for the same period
/// end is replaced, and the audit row keeps the old one.
pub async fn set_indicator_value(
    db: &PgPool,
    indicator_id: i64,
    value: &IndicatorValueRow,
    change: Change<'_>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    let before: Option<IndicatorValueRow> = sqlx::query_as(
        "SELECT period_label, period_end, value FROM indicator_values \
         WHERE indicator_id = $1 AND period_end = $2 FOR UPDATE",
    )
    .bind(indicator_id)
    .bind(value.period_end)
    .fetch_optional(&mut *tx)
    .await?;
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

// ---- The writes themselves, inside a caller's transaction ----
// The edit pages and the spreadsheet import both go through these, so a level,
// an activity or an indicator is written the same way whichever way it comes.

/// Inserts a node at the end of the plan; `added_on` is `None` for a node
/// there from the start.
pub(super) async fn insert_node(
    conn: &mut PgConnection,
    plan_id: i64,
    fields: &NodeFields,
    added_on: Option<NaiveDate>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, parent_id, depth, position, code, title, added_on) \
         VALUES ($1, $2, coalesce((SELECT depth + 1 FROM plan_nodes WHERE id = $2), 0), \
         (SELECT coalesce(max(position), 0) + 1 FROM plan_nodes WHERE plan_id = $1), $3, $4, $5) \
         RETURNING id",
    )
    .bind(plan_id)
    .bind(fields.parent_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(added_on)
    .fetch_one(conn)
    .await
}

/// Renames and moves a node; the depths of its whole subtree follow.
pub(super) async fn write_node(
    conn: &mut PgConnection,
    id: i64,
    fields: &NodeFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH RECURSIVE subtree(id, depth) AS ( \
             SELECT $1::bigint, coalesce((SELECT depth + 1 FROM plan_nodes WHERE id = $2), 0) \
             UNION ALL \
             SELECT n.id, s.depth + 1 FROM plan_nodes n JOIN subtree s ON n.parent_id = s.id \
         ) UPDATE plan_nodes p SET depth = s.depth FROM subtree s WHERE p.id = s.id",
    )
    .bind(id)
    .bind(fields.parent_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE plan_nodes SET parent_id = $2, code = $3, title = $4 WHERE id = $1")
        .bind(id)
        .bind(fields.parent_id)
        .bind(&fields.code)
        .bind(&fields.title)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn insert_activity(
    conn: &mut PgConnection,
    plan_id: i64,
    fields: &ActivityFields,
    added_on: Option<NaiveDate>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, position, code, title, unit, target, \
         budget, responsible_unit, region_code, planned_start, planned_end, added_on) \
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM activities \
         WHERE plan_id = $1), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(plan_id)
    .bind(fields.node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(fields.unit.as_deref())
    .bind(fields.target)
    .bind(fields.budget)
    .bind(fields.responsible_unit.as_deref())
    .bind(&fields.region_code)
    .bind(fields.planned_start)
    .bind(fields.planned_end)
    .bind(added_on)
    .fetch_one(conn)
    .await
}

pub(super) async fn write_activity(
    conn: &mut PgConnection,
    id: i64,
    fields: &ActivityFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE activities SET node_id = $2, code = $3, title = $4, unit = $5, \
         target = $6, budget = $7, responsible_unit = $8, region_code = $9, \
         planned_start = $10, planned_end = $11 WHERE id = $1",
    )
    .bind(id)
    .bind(fields.node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(fields.unit.as_deref())
    .bind(fields.target)
    .bind(fields.budget)
    .bind(fields.responsible_unit.as_deref())
    .bind(&fields.region_code)
    .bind(fields.planned_start)
    .bind(fields.planned_end)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_indicator(
    conn: &mut PgConnection,
    plan_id: i64,
    fields: &IndicatorFields,
    added_on: Option<NaiveDate>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO indicators (plan_id, node_id, position, code, title, unit, baseline, \
         baseline_year, target, target_year, direction, added_on) \
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM indicators \
         WHERE plan_id = $1), $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(plan_id)
    .bind(fields.node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(fields.unit.as_deref())
    .bind(fields.baseline)
    .bind(fields.baseline_year)
    .bind(fields.target)
    .bind(fields.target_year)
    .bind(fields.direction)
    .bind(added_on)
    .fetch_one(conn)
    .await
}

pub(super) async fn write_indicator(
    conn: &mut PgConnection,
    id: i64,
    fields: &IndicatorFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE indicators SET node_id = $2, code = $3, title = $4, unit = $5, \
         baseline = $6, baseline_year = $7, target = $8, target_year = $9, \
         direction = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(fields.node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(fields.unit.as_deref())
    .bind(fields.baseline)
    .bind(fields.baseline_year)
    .bind(fields.target)
    .bind(fields.target_year)
    .bind(fields.direction)
    .execute(conn)
    .await?;
    Ok(())
}
