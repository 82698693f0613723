//! Changes to a plan's structure: its tree of nodes, its activities, its
//! indicators and their values per period. Nothing is deleted: items are
//! retired on a date, so that figures as of an earlier date still count them.
//!
//! Each change is written with its audit row in one transaction, and the
//! rules of the tree are checked inside that transaction, under a lock on
//! the plan's tree ([`lock_tree`]): a node goes under a node in force of its
//! plan, never under itself or its own branch, and no node of the branch it
//! carries along ends deeper than [`MAX_DEPTH`]; items go only into nodes in
//! force; a node is retired only once it holds nothing in force. Two editors
//! at work at the same moment therefore cannot together do what each alone
//! would be refused. A change that breaks a rule comes back as a
//! [`Refusal`] naming its form field, never as a database error.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Transaction};

use super::plans::{
    activities_from, activity_columns, ActivityRow, IndicatorRow, NodeRow, INDICATOR_COLUMNS,
    NODE_COLUMNS, NODE_ORDER,
};
use super::{audit, is_unique_violation, to_json};
use crate::domain::Direction;
use crate::performance::plan_tree::Tree;

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

/// Everything of the plan's structure, retired items included; the nodes in
/// reading order, each activity with its latest update whatever its date.
pub async fn load(db: &PgPool, plan_id: i64) -> sqlx::Result<Structure> {
    let nodes: Vec<NodeRow> =
        sqlx::query_as(&format!("{NODE_COLUMNS} WHERE n.plan_id = $1 {NODE_ORDER}"))
            .bind(plan_id)
            .fetch_all(db)
            .await?;
    let activities = sqlx::query_as(concat!(
        "SELECT",
        activity_columns!(),
        activities_from!(),
        "WHERE a.plan_id = $1 ORDER BY a.position, a.code"
    ))
    .bind(plan_id)
    // Whatever its date: the editor shows no figures, only the plan.
    .bind(NaiveDate::MAX)
    .fetch_all(db)
    .await?;
    let indicators = sqlx::query_as(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators i WHERE i.plan_id = $1 \
         ORDER BY i.position, i.code"
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    Ok(Structure {
        nodes: Tree::new(nodes).into_nodes(),
        activities,
        indicators,
    })
}

pub async fn regions(db: &PgPool) -> sqlx::Result<Vec<Region>> {
    sqlx::query_as("SELECT code, name FROM regions ORDER BY position")
        .fetch_all(db)
        .await
}

/// How deep a node may sit: the roots are at depth 0 and a plan has at most
/// six levels (its six `level_names`). The same bound as the CHECK on
/// `plan_nodes.depth`, which therefore never has to refuse a write.
pub const MAX_DEPTH: i32 = 5;

/// What a change to the structure comes to, bad input aside.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved(i64),
    /// Nothing written: the change breaks a rule of the plan's structure.
    Refused(Refusal),
}

/// A rule of the plan's structure that a change would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another item of the plan has that code.
    DuplicateCode,
    /// The node, or a node of the branch it carries along, would end deeper
    /// than [`MAX_DEPTH`].
    TooDeep,
    /// The chosen parent is the node itself or lies in its own branch.
    UnderItself,
    /// The chosen parent is not a node in force of the plan.
    UnknownParent,
    /// The chosen node is not a node in force of the plan.
    UnknownNode,
    /// The node still holds items in force, which must be moved or retired
    /// first so that retiring never hides anything silently.
    NotEmpty,
}

impl Refusal {
    /// The form field the refusal is shown next to.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::DuplicateCode => "code",
            Refusal::TooDeep | Refusal::UnderItself | Refusal::UnknownParent => "parent",
            Refusal::UnknownNode | Refusal::NotEmpty => "node",
        }
    }

    /// The message's catalog key.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::DuplicateCode => "structure.error.duplicate_code",
            Refusal::TooDeep => "structure.error.too_deep",
            Refusal::UnderItself | Refusal::UnknownParent => "structure.error.parent",
            Refusal::UnknownNode => "structure.error.node",
            Refusal::NotEmpty => "structure.error.node_not_empty",
        }
    }

    /// The refusal a failed write stands for, when the database refused it
    /// on a constraint that a form can explain.
    fn of_constraint(error: &sqlx::Error) -> Option<Refusal> {
        if is_unique_violation(error) {
            return Some(Refusal::DuplicateCode);
        }
        let error = error.as_database_error()?;
        (error.code().as_deref() == Some(CHECK_VIOLATION)
            && error.constraint() == Some("plan_nodes_depth_check"))
        .then_some(Refusal::TooDeep)
    }
}

const CHECK_VIOLATION: &str = "23514";

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

/// An item's fields with the node it hangs from under `key`, as one object:
/// what the audit log shows of a node (`parent_id`), an activity or an
/// indicator (`node_id`).
fn placed(
    fields: &impl Serialize,
    key: &str,
    node: Option<i64>,
) -> sqlx::Result<serde_json::Value> {
    let mut value = to_json(fields)?;
    if let serde_json::Value::Object(object) = &mut value {
        object.insert(key.to_owned(), node.into());
    }
    Ok(value)
}

/// Commits when saved; a write the database refused on a constraint a form
/// can explain rolls everything back and comes back as that refusal.
async fn finish(tx: Transaction<'_, Postgres>, result: sqlx::Result<i64>) -> sqlx::Result<Outcome> {
    match result {
        Ok(id) => {
            tx.commit().await?;
            Ok(Outcome::Saved(id))
        }
        Err(error) => match Refusal::of_constraint(&error) {
            Some(refusal) => Ok(Outcome::Refused(refusal)),
            None => Err(error),
        },
    }
}

// ---- The rules of the tree, inside a change's transaction ----

/// Serialises the changes to one plan's tree, across instances, until the
/// transaction ends: two edits cannot each pass the checks on what the other
/// has not written yet (and together make a cycle, or move an item into a
/// node being retired). Other plans are not held up.
pub(super) async fn lock_tree(conn: &mut PgConnection, plan_id: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('suivi.plan_tree'), hashint8($1))")
        .bind(plan_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `node` may go under `parent` (`None`: among the roots); `node`
/// is `None` for a node not written yet. The parent must be a node in force
/// of the plan, neither the node nor one of its descendants, and the whole
/// branch the node carries along must stay within [`MAX_DEPTH`].
async fn check_place(
    conn: &mut PgConnection,
    plan_id: i64,
    node: Option<i64>,
    parent: Option<i64>,
) -> sqlx::Result<Result<(), Refusal>> {
    let depth = match parent {
        None => 0,
        Some(parent) => {
            let parent_depth: Option<i32> = sqlx::query_scalar(
                "SELECT depth FROM plan_nodes WHERE id = $1 AND plan_id = $2 AND retired_on IS NULL",
            )
            .bind(parent)
            .bind(plan_id)
            .fetch_optional(&mut *conn)
            .await?;
            match parent_depth {
                Some(parent_depth) => parent_depth + 1,
                None => return Ok(Err(Refusal::UnknownParent)),
            }
        }
    };
    let (height, under_itself) = match node {
        None => (0, false),
        // The branch of the node, retired nodes included (their depths move
        // too). UNION rather than UNION ALL, so that even a cycle in bad data
        // ends the walk.
        Some(node) => {
            sqlx::query_as::<_, (i32, bool)>(
                "WITH RECURSIVE branch(id, depth) AS ( \
                 SELECT id, depth FROM plan_nodes WHERE id = $1 \
                 UNION \
                 SELECT n.id, n.depth FROM plan_nodes n JOIN branch b ON n.parent_id = b.id \
             ) SELECT coalesce(max(depth) - (SELECT depth FROM plan_nodes WHERE id = $1), 0), \
             coalesce(bool_or(id = $2), false) FROM branch",
            )
            .bind(node)
            .bind(parent)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok(if under_itself {
        Err(Refusal::UnderItself)
    } else if depth + height > MAX_DEPTH {
        Err(Refusal::TooDeep)
    } else {
        Ok(())
    })
}

/// Whether `node` is a node in force of the plan, that items may go into.
async fn check_node(
    conn: &mut PgConnection,
    plan_id: i64,
    node: i64,
) -> sqlx::Result<Result<(), Refusal>> {
    let in_force: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM plan_nodes \
         WHERE id = $1 AND plan_id = $2 AND retired_on IS NULL)",
    )
    .bind(node)
    .bind(plan_id)
    .fetch_one(conn)
    .await?;
    Ok(if in_force {
        Ok(())
    } else {
        Err(Refusal::UnknownNode)
    })
}

/// Whether the node still holds items in force.
async fn node_has_items(conn: &mut PgConnection, node_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM plan_nodes WHERE parent_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM activities WHERE node_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM indicators WHERE node_id = $1 AND retired_on IS NULL)",
    )
    .bind(node_id)
    .fetch_one(conn)
    .await
}

// ---- Nodes ----

/// What a node says, apart from where it hangs (its parent is given next
/// to it: an id in the editor, a code in an import).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeFields {
    pub code: String,
    pub title: String,
}

pub async fn find_node(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, NodeRow)>> {
    let node: Option<NodeRow> = sqlx::query_as(&format!("{NODE_COLUMNS} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(node.map(|node| (node.plan_id, node)))
}

/// Adds a node under `parent_id` (`None`: a root), in force from `on`.
pub async fn add_node(
    db: &PgPool,
    plan_id: i64,
    parent_id: Option<i64>,
    fields: &NodeFields,
    on: NaiveDate,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    lock_tree(&mut tx, plan_id).await?;
    if let Err(refusal) = check_place(&mut tx, plan_id, None, parent_id).await? {
        return Ok(Outcome::Refused(refusal));
    }
    let result = async {
        let id = insert_node(&mut tx, plan_id, parent_id, fields, Some(on)).await?;
        let after = placed(fields, "parent_id", parent_id)?;
        audit_row(&mut tx, change, "plan_node", id, None, Some(&after)).await?;
        Ok(id)
    }
    .await;
    finish(tx, result).await
}

/// Renames and moves a node under `parent_id`; the depths of its whole
/// branch follow.
pub async fn update_node(
    db: &PgPool,
    plan_id: i64,
    node_id: i64,
    parent_id: Option<i64>,
    fields: &NodeFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    lock_tree(&mut tx, plan_id).await?;
    if let Err(refusal) = check_place(&mut tx, plan_id, Some(node_id), parent_id).await? {
        return Ok(Outcome::Refused(refusal));
    }
    let result = async {
        // The node as it is now, under the lock: what the audit row shows
        // as before, whatever the form was loaded with.
        let (before_parent, code, title): (Option<i64>, String, String) =
            sqlx::query_as("SELECT parent_id, code, title FROM plan_nodes WHERE id = $1")
                .bind(node_id)
                .fetch_one(&mut *tx)
                .await?;
        write_node(&mut tx, node_id, parent_id, fields).await?;
        let before = placed(&NodeFields { code, title }, "parent_id", before_parent)?;
        let after = placed(fields, "parent_id", parent_id)?;
        audit_row(
            &mut tx,
            change,
            "plan_node",
            node_id,
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(node_id)
    }
    .await;
    finish(tx, result).await
}

/// Retires a node, an activity or an indicator on `on`; a node only once it
/// holds nothing in force.
pub async fn retire(
    db: &PgPool,
    table: Retirable,
    id: i64,
    on: NaiveDate,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let plan_id: i64 = sqlx::query_scalar(&format!(
        "SELECT plan_id FROM {} WHERE id = $1",
        table.table()
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    lock_tree(&mut tx, plan_id).await?;
    if matches!(table, Retirable::Node) && node_has_items(&mut tx, id).await? {
        return Ok(Outcome::Refused(Refusal::NotEmpty));
    }
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
    tx.commit().await?;
    Ok(Outcome::Saved(id))
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
    pub region_code: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
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
            region_code: row.region_code.clone(),
            planned_start: row.planned_start,
            planned_end: row.planned_end,
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

/// Adds (in force from `on`) or changes an activity, in the node `node_id`.
pub async fn save_activity(
    db: &PgPool,
    plan_id: i64,
    on: NaiveDate,
    existing: Option<&ActivityRow>,
    node_id: i64,
    fields: &ActivityFields,
    change: Change<'_>,
) -> sqlx::Result<Outcome> {
    let before = existing
        .map(|row| placed(&ActivityFields::from(row), "node_id", Some(row.node_id)))
        .transpose()?;
    let after = placed(fields, "node_id", Some(node_id))?;
    let write = async |conn: &mut PgConnection| match existing {
        None => insert_activity(conn, plan_id, node_id, fields, Some(on)).await,
        Some(row) => write_activity(conn, row.id, node_id, fields)
            .await
            .map(|()| row.id),
    };
    let item = Item {
        object_type: "activity",
        node_id: Some(node_id),
        before,
        after,
    };
    save_item(db, plan_id, item, change, write).await
}

/// What an activity's or an indicator's save writes besides the item: the
/// node it goes into (checked), and its audit row.
struct Item {
    object_type: &'static str,
    node_id: Option<i64>,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
}

/// Saves an activity or an indicator with `write`: under the tree's lock,
/// into a node in force, with its audit row, in one transaction.
async fn save_item(
    db: &PgPool,
    plan_id: i64,
    item: Item,
    change: Change<'_>,
    write: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<i64>,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    lock_tree(&mut tx, plan_id).await?;
    if let Some(node_id) = item.node_id {
        if let Err(refusal) = check_node(&mut tx, plan_id, node_id).await? {
            return Ok(Outcome::Refused(refusal));
        }
    }
    let result = async {
        let id = write(&mut tx).await?;
        audit_row(
            &mut tx,
            change,
            item.object_type,
            id,
            item.before.as_ref(),
            Some(&item.after),
        )
        .await?;
        Ok(id)
    }
    .await;
    finish(tx, result).await
}

// ---- Indicators ----

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
        "SELECT {INDICATOR_COLUMNS} FROM indicators i WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(indicator.map(|indicator| (indicator.plan_id, indicator)))
}

/// Adds (in force from `on`) or changes an indicator, of the node
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
    let before = existing
        .map(|row| placed(&IndicatorFields::from(row), "node_id", row.node_id))
        .transpose()?;
    let after = placed(fields, "node_id", node_id)?;
    let write = async |conn: &mut PgConnection| match existing {
        None => insert_indicator(conn, plan_id, node_id, fields, Some(on)).await,
        Some(row) => write_indicator(conn, row.id, node_id, fields)
            .await
            .map(|()| row.id),
    };
    let item = Item {
        object_type: "indicator",
        node_id,
        before,
        after,
    };
    save_item(db, plan_id, item, change, write).await
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

/// Inserts a node under `parent_id` at the end of the plan; `added_on` is
/// `None` for a node there from the start.
pub(super) async fn insert_node(
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
pub(super) async fn write_node(
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

pub(super) async fn insert_activity(
    conn: &mut PgConnection,
    plan_id: i64,
    node_id: i64,
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
    .fetch_one(conn)
    .await
}

pub(super) async fn write_activity(
    conn: &mut PgConnection,
    id: i64,
    node_id: i64,
    fields: &ActivityFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE activities SET node_id = $2, code = $3, title = $4, unit = $5, \
         target = $6, budget = $7, responsible_unit = $8, region_code = $9, \
         planned_start = $10, planned_end = $11 WHERE id = $1",
    )
    .bind(id)
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
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_indicator(
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

pub(super) async fn write_indicator(
    conn: &mut PgConnection,
    id: i64,
    node_id: Option<i64>,
    fields: &IndicatorFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE indicators SET node_id = $2, code = $3, title = $4, unit = $5, \
         baseline = $6, baseline_year = $7, target = $8, target_year = $9, \
         direction = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(node_id)
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
