//! The statements that write a node, an activity or an indicator, inside a
//! caller's transaction. The edit pages and the spreadsheet import both go
//! through these, so an item is written the same way whichever way it
//! comes; the rules are the caller's to check first.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::rules::MAX_DEPTH;
use super::{ActivityFields, IndicatorFields, NodeFields};

/// Inserts a node under `parent_id` at the end of the plan; `added_on` is
/// `None` for a node there from the start.
pub(in crate::store) async fn insert_node(
    conn: &mut PgConnection,
    plan_id: i64,
    parent_id: Option<i64>,
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
    .bind(parent_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(added_on)
    .fetch_one(conn)
    .await
}

/// Renames and moves a node under `parent_id`; the depths of its whole
/// branch follow.
pub(in crate::store) async fn write_node(
    conn: &mut PgConnection,
    id: i64,
    parent_id: Option<i64>,
    fields: &NodeFields,
) -> sqlx::Result<()> {
    // One statement, so that each row is checked as it ends: the moved
    // node gets its new parent and depth together (`parent_id IS NULL`
    // exactly at depth 0), its descendants their depths. The walk stops
    // past any depth the CHECK allows, so that even a cycle in bad data
    // ends (in the CHECK's error).
    sqlx::query(
        "WITH RECURSIVE branch(id, depth) AS ( \
             SELECT $1::bigint, coalesce((SELECT depth + 1 FROM plan_nodes WHERE id = $2), 0) \
             UNION ALL \
             SELECT n.id, b.depth + 1 FROM plan_nodes n JOIN branch b ON n.parent_id = b.id \
             WHERE b.depth <= $5 \
         ) UPDATE plan_nodes p SET depth = b.depth, \
             parent_id = CASE WHEN p.id = $1 THEN $2 ELSE p.parent_id END, \
             code = CASE WHEN p.id = $1 THEN $3 ELSE p.code END, \
             title = CASE WHEN p.id = $1 THEN $4 ELSE p.title END \
         FROM branch b WHERE p.id = b.id",
    )
    .bind(id)
    .bind(parent_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(MAX_DEPTH)
    .execute(conn)
    .await?;
    Ok(())
}

pub(in crate::store) async fn insert_activity(
    conn: &mut PgConnection,
    plan_id: i64,
    node_id: i64,
    fields: &ActivityFields,
    added_on: Option<NaiveDate>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, position, code, title, unit, target, \
         budget, responsible_unit, region_code, planned_start, planned_end, added_on, \
         funding_line_id, associated_units) \
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM activities \
         WHERE plan_id = $1), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         (SELECT id FROM funding_lines WHERE plan_id = $1 AND source = $13), $14) RETURNING id",
    )
    .bind(plan_id)
    .bind(node_id)
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
    .bind(fields.funding_source.as_deref())
    .bind(fields.associated_units.as_deref())
    .fetch_one(conn)
    .await
}

/// Changes an activity: its code, title and node in place (they date
/// nothing), its dated attributes as a new version in force from
/// `effective_on`, recorded by `recorded_by`; the versions before it stay,
/// so figures as of an earlier date still read them.
pub(in crate::store) async fn write_activity(
    conn: &mut PgConnection,
    id: i64,
    node_id: i64,
    fields: &ActivityFields,
    effective_on: NaiveDate,
    recorded_by: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO activity_versions (activity_id, effective_on, recorded_by, target, unit, \
         budget, responsible_unit, region_code, planned_start, planned_end, funding_line_id, \
         associated_units) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT f.id FROM funding_lines f \
         JOIN activities a ON a.plan_id = f.plan_id WHERE a.id = $1 AND f.source = $11), $12)",
    )
    .bind(id)
    .bind(effective_on)
    .bind(recorded_by)
    .bind(fields.target)
    .bind(fields.unit.as_deref())
    .bind(fields.budget)
    .bind(fields.responsible_unit.as_deref())
    .bind(&fields.region_code)
    .bind(fields.planned_start)
    .bind(fields.planned_end)
    .bind(fields.funding_source.as_deref())
    .bind(fields.associated_units.as_deref())
    .execute(&mut *conn)
    .await?;
    // The copy in `activities` follows the latest version, which is not
    // necessarily this one: a correction dated in the past leaves a later
    // version in force.
    sqlx::query(
        "UPDATE activities a SET node_id = $2, code = $3, title = $4, unit = v.unit, \
         target = v.target, budget = v.budget, responsible_unit = v.responsible_unit, \
         region_code = v.region_code, planned_start = v.planned_start, \
         planned_end = v.planned_end, funding_line_id = v.funding_line_id, \
         associated_units = v.associated_units \
         FROM (SELECT * FROM activity_versions WHERE activity_id = $1 \
         ORDER BY effective_on DESC, recorded_at DESC, id DESC LIMIT 1) v WHERE a.id = $1",
    )
    .bind(id)
    .bind(node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .execute(conn)
    .await?;
    Ok(())
}

pub(in crate::store) async fn insert_indicator(
    conn: &mut PgConnection,
    plan_id: i64,
    node_id: Option<i64>,
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
    .bind(node_id)
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

/// Changes an indicator: its code, title, unit, direction and node in
/// place, its baseline and target as a new version in force from
/// `effective_on`, recorded by `recorded_by`.
pub(in crate::store) async fn write_indicator(
    conn: &mut PgConnection,
    id: i64,
    node_id: Option<i64>,
    fields: &IndicatorFields,
    effective_on: NaiveDate,
    recorded_by: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO indicator_versions (indicator_id, effective_on, recorded_by, baseline, \
         baseline_year, target, target_year) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(effective_on)
    .bind(recorded_by)
    .bind(fields.baseline)
    .bind(fields.baseline_year)
    .bind(fields.target)
    .bind(fields.target_year)
    .execute(&mut *conn)
    .await?;
    // As for activities, the copy follows the latest version.
    sqlx::query(
        "UPDATE indicators i SET node_id = $2, code = $3, title = $4, unit = $5, \
         direction = $6, baseline = v.baseline, baseline_year = v.baseline_year, \
         target = v.target, target_year = v.target_year \
         FROM (SELECT * FROM indicator_versions WHERE indicator_id = $1 \
         ORDER BY effective_on DESC, recorded_at DESC, id DESC LIMIT 1) v WHERE i.id = $1",
    )
    .bind(id)
    .bind(node_id)
    .bind(&fields.code)
    .bind(&fields.title)
    .bind(fields.unit.as_deref())
    .bind(fields.direction)
    .execute(conn)
    .await?;
    Ok(())
}
