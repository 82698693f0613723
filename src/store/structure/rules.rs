//! The rules of a plan's tree, checked inside the transaction of the change
//! that could break them, under the plan's lock: how deep a node may sit,
//! no node under its own branch, items only in nodes in force, no node
//! retired while it holds any.

use sqlx::PgConnection;

use super::Refusal;

/// How deep a node may sit: the roots are at depth 0 and a plan has at most
/// six levels (its six `level_names`). The same bound as the CHECK on
/// `plan_nodes.depth`, which therefore never has to refuse a write.
pub const MAX_DEPTH: i32 = 5;

/// Serialises the changes to one plan's tree, across instances, until the
/// transaction ends: two edits cannot each pass the checks on what the other
/// has not written yet (and together make a cycle, or move an item into a
/// node being retired). Other plans are not held up.
pub(in crate::store) async fn lock_tree(conn: &mut PgConnection, plan_id: i64) -> sqlx::Result<()> {
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
pub(super) async fn check_place(
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
pub(super) async fn check_node(
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
pub(super) async fn node_has_items(conn: &mut PgConnection, node_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM plan_nodes WHERE parent_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM activities WHERE node_id = $1 AND retired_on IS NULL) \
         OR EXISTS (SELECT 1 FROM indicators WHERE node_id = $1 AND retired_on IS NULL)",
    )
    .bind(node_id)
    .fetch_one(conn)
    .await
}
