//! The rows behind the exports: the plans that cover a year (for an agency and
//! the agencies under it, or for every agency one may read), their trees,
//! their activities with their state as of a date, indicators and funding.
//! The same rows as the plan page's (`store::plans`), with where each one
//! sits (agency, plan, node) for the report's columns.
//!
//! A report is read inside one read-only REPEATABLE READ transaction (a
//! [`Snapshot`]), so that its sheets agree with each other even when someone
//! records progress meanwhile. Activities come as a stream: a consolidated
//! report of 600 000 activities never sits in memory.

use chrono::NaiveDate;
use futures_util::stream::BoxStream;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Transaction};

use super::in_force;
use super::plans::{
    activities_from, activity_columns, funding_version_join, indicator_version_join, with_values,
    ActivityRow, IndicatorRow, NodeRow, Plan, INDICATOR_COLUMNS, NODE_COLUMNS, NODE_ORDER,
    PLAN_COLUMNS,
};
use crate::domain::FundingSourceKind;
use crate::performance::plan_tree::Tree;

/// A consistent, read-only view of the database for the time of one report.
pub type Snapshot = Transaction<'static, Postgres>;

pub async fn snapshot(db: &PgPool) -> sqlx::Result<Snapshot> {
    let mut tx = crate::db::begin(db).await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The agency and every agency under it (a ministry and its agencies).
pub async fn agency_subtree(conn: &mut PgConnection, agency_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "WITH RECURSIVE tree(id) AS ( \
             SELECT $1::bigint \
             UNION \
             SELECT g.id FROM agencies g JOIN tree t ON g.parent_id = t.id \
         ) SELECT id FROM tree ORDER BY id",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

/// The years covered by a plan of the agency or of an agency under it, the
/// latest first: the years it has a yearly report for.
pub async fn report_years(db: &PgPool, agency_id: i64) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "WITH RECURSIVE tree(id) AS ( \
             SELECT $1::bigint \
             UNION \
             SELECT g.id FROM agencies g JOIN tree t ON g.parent_id = t.id \
         ) SELECT DISTINCT y.year FROM plans pl JOIN tree t ON t.id = pl.agency_id \
         CROSS JOIN LATERAL generate_series(pl.start_year, pl.end_year) AS y(year) \
         ORDER BY y.year DESC",
    )
    .bind(agency_id)
    .fetch_all(db)
    .await
}

/// The plans that cover `year` in the given agencies (every agency for `None`),
/// in the order of the agencies' codes, then the plans' codes.
pub async fn plans_for_year(
    conn: &mut PgConnection,
    year: i32,
    agencies: Option<&[i64]>,
) -> sqlx::Result<Vec<Plan>> {
    sqlx::query_as(&format!(
        "{PLAN_COLUMNS} WHERE $1 BETWEEN pl.start_year AND pl.end_year \
         AND ($2::bigint[] IS NULL OR pl.agency_id = ANY($2)) ORDER BY g.code, pl.code"
    ))
    .bind(year)
    .bind(agencies)
    .fetch_all(conn)
    .await
}

pub async fn plan(conn: &mut PgConnection, plan_id: i64) -> sqlx::Result<Option<Plan>> {
    sqlx::query_as(&format!("{PLAN_COLUMNS} WHERE pl.id = $1"))
        .bind(plan_id)
        .fetch_optional(conn)
        .await
}

/// The trees of the plans as of `as_of`: only the nodes in force then, in
/// reading order, plan after plan.
pub async fn nodes(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    as_of: NaiveDate,
) -> sqlx::Result<Tree<NodeRow>> {
    let nodes = sqlx::query_as(&format!(
        "{NODE_COLUMNS} WHERE n.plan_id = ANY($1) AND {} {NODE_ORDER}",
        in_force!("n", "$2")
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch_all(conn)
    .await?;
    Ok(Tree::new(nodes))
}

/// One activity of a report, with its agency, plan and node and its latest
/// update on or before the report's date.
#[derive(Debug, Clone, FromRow)]
pub struct ReportActivity {
    pub agency_id: i64,
    pub agency_code: String,
    pub plan_code: String,
    /// The plan's currency (ISO code), which its money is in.
    pub currency: String,
    pub node_code: String,
    pub node_title: String,
    #[sqlx(flatten)]
    pub activity: ActivityRow,
}

/// The activities of the plans as of `as_of`, streamed in the order of the
/// agencies' codes, the plans' codes and the activities' positions.
pub fn activities<'c>(
    conn: &'c mut PgConnection,
    plan_ids: &'c [i64],
    as_of: NaiveDate,
) -> BoxStream<'c, sqlx::Result<ReportActivity>> {
    sqlx::query_as(concat!(
        "SELECT pl.agency_id, g.code AS agency_code, pl.code AS plan_code, pl.currency, \
         n.code AS node_code, n.title AS node_title,",
        activity_columns!(),
        activities_from!(),
        "JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id \
         JOIN plan_nodes n ON n.id = a.node_id WHERE a.plan_id = ANY($1) AND",
        in_force!("a", "$2"),
        "ORDER BY g.code, pl.code, a.position, a.code"
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch(conn)
}

/// One indicator of a report, with its agency and plan.
#[derive(Debug, Clone, FromRow)]
pub struct ReportIndicator {
    pub agency_code: String,
    pub plan_code: String,
    #[sqlx(flatten)]
    pub indicator: IndicatorRow,
}

/// The indicators of the plans in force on `as_of`, with all their values,
/// in the plans' order.
pub async fn indicators(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ReportIndicator>> {
    let mut rows: Vec<ReportIndicator> = sqlx::query_as(&format!(
        "SELECT g.code AS agency_code, pl.code AS plan_code, {INDICATOR_COLUMNS} \
         FROM indicators i {} JOIN plans pl ON pl.id = i.plan_id \
         JOIN agencies g ON g.id = pl.agency_id WHERE i.plan_id = ANY($1) AND {} \
         ORDER BY g.code, pl.code, i.position, i.code",
        indicator_version_join!("$2"),
        in_force!("i", "$2")
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch_all(&mut *conn)
    .await?;
    let indicators = rows.iter_mut().map(|row| &mut row.indicator).collect();
    with_values(conn, plan_ids, indicators).await?;
    Ok(rows)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReportFunding {
    /// The funding line, which activities name.
    pub id: i64,
    pub plan_id: i64,
    pub agency_code: String,
    pub plan_code: String,
    /// The plan's currency (ISO code).
    pub currency: String,
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

/// The plans' funding lines as they stood on `as_of`.
pub async fn funding(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ReportFunding>> {
    sqlx::query_as(&format!(
        "SELECT f.id, f.plan_id, g.code AS agency_code, pl.code AS plan_code, pl.currency, fv.source, \
         fv.source_kind, fv.planned, fv.mobilised \
         FROM funding_lines f {} JOIN plans pl ON pl.id = f.plan_id \
         JOIN agencies g ON g.id = pl.agency_id \
         WHERE f.plan_id = ANY($1) ORDER BY g.code, pl.code, f.position, f.id",
        funding_version_join!("$2")
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch_all(conn)
    .await
}
