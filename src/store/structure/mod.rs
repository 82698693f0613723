//! Changes to a plan's structure: its tree of nodes, its activities, its
//! indicators and their values per period. Nothing is deleted: items are
//! retired on a date, so that figures as of an earlier date still count them.
//!
//! Each change is written with its audit row in one transaction, and the
//! rules of the tree are checked inside that transaction, under a lock on
//! the plan's tree (`rules`): a node goes under a node in force of its
//! plan, never under itself or its own branch, and no node of the branch it
//! carries along ends deeper than [`MAX_DEPTH`]; items go only into nodes in
//! force; a node is retired only once it holds nothing in force. Two editors
//! at work at the same moment therefore cannot together do what each alone
//! would be refused. A change that breaks a rule comes back as a
//! [`Refusal`] naming its form field, never as a database error.
//!
//! Here: the structure as a whole, the outcome of a change and the one
//! transaction every change runs in. [`rules`] holds the checks, `nodes`
//! and `items` the changes themselves, `writes` the statements the import
//! shares with the editor.

mod items;
mod nodes;
pub mod rules;
mod writes;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Transaction};

use super::plans::{
    activities_from, activity_columns, indicator_version_join, ActivityRow, IndicatorRow, NodeRow,
    INDICATOR_COLUMNS, NODE_COLUMNS, NODE_ORDER,
};
use super::{audit, is_unique_violation, to_json};
use crate::performance::plan_tree::Tree;

pub use items::{
    find_activity, find_indicator, find_indicator_named, freezing_session,
    indicator_value_revisions, indicator_values, save_activity, save_indicator,
    set_indicator_value, ActivityFields, IndicatorFields, IndicatorValueRevision,
    IndicatorValueRow,
};
pub use nodes::{add_node, find_node, update_node, NodeFields};
pub(super) use rules::lock_tree;
pub use rules::MAX_DEPTH;
pub(super) use writes::{
    insert_activity, insert_indicator, insert_node, write_activity, write_indicator, write_node,
};

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
        "SELECT {INDICATOR_COLUMNS} FROM indicators i {} WHERE i.plan_id = $1 \
         ORDER BY i.position, i.code",
        indicator_version_join!("'infinity'")
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

/// Where a change puts what it writes, and so what is checked first.
enum Place {
    /// A node under `parent` (`None`: a root); `node` is `None` for a node
    /// not written yet.
    Node {
        node: Option<i64>,
        parent: Option<i64>,
    },
    /// An activity or an indicator into a node (`None`: the whole plan).
    Item(Option<i64>),
}

/// What a change wrote, for its audit row.
struct Written {
    id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
}

/// Runs a change to the plan's structure: under the tree's lock, checked
/// where it goes, written by `write` with its audit row of `object_type`,
/// all in one transaction.
async fn save(
    db: &PgPool,
    plan_id: i64,
    place: Place,
    object_type: &str,
    change: Change<'_>,
    write: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<Written>,
) -> sqlx::Result<Outcome> {
    let mut tx = crate::db::begin(db).await?;
    rules::lock_tree(&mut tx, plan_id).await?;
    let checked = match place {
        Place::Node { node, parent } => rules::check_place(&mut tx, plan_id, node, parent).await?,
        Place::Item(Some(node)) => rules::check_node(&mut tx, plan_id, node).await?,
        Place::Item(None) => Ok(()),
    };
    if let Err(refusal) = checked {
        return Ok(Outcome::Refused(refusal));
    }
    let result = async {
        let written = write(&mut tx).await?;
        audit_row(
            &mut tx,
            change,
            object_type,
            written.id,
            written.before.as_ref(),
            Some(&written.after),
        )
        .await?;
        Ok(written.id)
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
    let mut tx = crate::db::begin(db).await?;
    let plan_id: i64 = sqlx::query_scalar(&format!(
        "SELECT plan_id FROM {} WHERE id = $1",
        table.table()
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    rules::lock_tree(&mut tx, plan_id).await?;
    if matches!(table, Retirable::Node) && rules::node_has_items(&mut tx, id).await? {
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
