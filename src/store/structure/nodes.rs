//! Adding, renaming and moving the nodes of a plan's tree.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

use super::writes::{insert_node, write_node};
use super::{placed, save, Change, Outcome, Place, Written};
use crate::store::plans::{NodeRow, NODE_COLUMNS};

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
    let place = Place::Node {
        node: None,
        parent: parent_id,
    };
    save(db, plan_id, place, "plan_node", change, async |conn| {
        Ok(Written {
            id: insert_node(conn, plan_id, parent_id, fields, Some(on)).await?,
            before: None,
            after: placed(fields, "parent_id", parent_id)?,
        })
    })
    .await
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
    let place = Place::Node {
        node: Some(node_id),
        parent: parent_id,
    };
    save(db, plan_id, place, "plan_node", change, async |conn| {
        // The node as it is now, under the lock: what the audit row shows
        // as before, whatever the form was loaded with.
        let (before_parent, code, title): (Option<i64>, String, String) =
            sqlx::query_as("SELECT parent_id, code, title FROM plan_nodes WHERE id = $1")
                .bind(node_id)
                .fetch_one(&mut *conn)
                .await?;
        write_node(conn, node_id, parent_id, fields).await?;
        Ok(Written {
            id: node_id,
            before: Some(placed(
                &NodeFields { code, title },
                "parent_id",
                before_parent,
            )?),
            after: placed(fields, "parent_id", parent_id)?,
        })
    })
    .await
}
