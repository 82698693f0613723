//! The rows behind the exports: the plans that cover a year (for an agency and
//! the agencies under it, or for every agency one may read), their trees,
//! their activities with their state as of a date, indicators and funding.
//!
//! A report is read inside one read-only REPEATABLE READ transaction (a
//! [`Snapshot`]), so that its sheets agree with each other even when someone
//! records progress meanwhile. Activities come as a stream: a consolidated
//! report of 600 000 activities never sits in memory.

use chrono::NaiveDate;
use futures_util::stream::BoxStream;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Transaction};

use super::agencies::latest_update;
use super::{in_force, latest_update_join};
use crate::domain::{Direction, FundingSourceKind, Status};
use crate::performance::{ActivityFigures, Update};

/// A consistent, read-only view of the database for the time of one report.
pub type Snapshot = Transaction<'static, Postgres>;

pub async fn snapshot(db: &PgPool) -> sqlx::Result<Snapshot> {
    let mut tx = db.begin().await?;
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

#[derive(Debug, Clone, FromRow)]
pub struct ReportPlan {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub code: String,
    pub title: String,
    pub start_year: i32,
    pub end_year: i32,
    pub level_names: Vec<String>,
    pub illustrative: bool,
}

impl ReportPlan {
    /// The name this plan gives to the tree level at `depth` (0 = root).
    pub fn level_name(&self, depth: i32) -> &str {
        usize::try_from(depth)
            .ok()
            .and_then(|d| self.level_names.get(d))
            .or(self.level_names.last())
            .map_or("", String::as_str)
    }
}

const PLAN_COLUMNS: &str =
    "SELECT pl.id, pl.agency_id, g.code AS agency_code, g.name AS agency_name, \
     pl.code, pl.title, pl.start_year, pl.end_year, pl.level_names, pl.illustrative \
     FROM plans pl JOIN agencies g ON g.id = pl.agency_id";

/// The plans that cover `year` in the given agencies (every agency for `None`),
/// in the order of the agencies' codes, then the plans' codes.
pub async fn plans_for_year(
    conn: &mut PgConnection,
    year: i32,
    agencies: Option<&[i64]>,
) -> sqlx::Result<Vec<ReportPlan>> {
    sqlx::query_as(&format!(
        "{PLAN_COLUMNS} WHERE $1 BETWEEN pl.start_year AND pl.end_year \
         AND ($2::bigint[] IS NULL OR pl.agency_id = ANY($2)) ORDER BY g.code, pl.code"
    ))
    .bind(year)
    .bind(agencies)
    .fetch_all(conn)
    .await
}

pub async fn plan(conn: &mut PgConnection, plan_id: i64) -> sqlx::Result<Option<ReportPlan>> {
    sqlx::query_as(&format!("{PLAN_COLUMNS} WHERE pl.id = $1"))
        .bind(plan_id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ReportNode {
    pub id: i64,
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub position: i32,
    pub code: String,
    pub title: String,
}

/// The nodes of the plans in force on `as_of`, by plan, then by depth and
/// position (the caller puts each tree in reading order).
pub async fn nodes(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ReportNode>> {
    sqlx::query_as(concat!(
        "SELECT n.id, n.plan_id, n.parent_id, n.depth, n.position, n.code, n.title \
         FROM plan_nodes n WHERE n.plan_id = ANY($1) AND",
        in_force!("n", "$2"),
        "ORDER BY n.plan_id, n.depth, n.position, n.code"
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch_all(conn)
    .await
}

/// One activity of a report with its plan, its node and its latest update on
/// or before the report's date.
#[derive(Debug, Clone, FromRow)]
pub struct ReportActivity {
    pub agency_id: i64,
    pub agency_code: String,
    pub plan_id: i64,
    pub plan_code: String,
    pub node_id: i64,
    pub node_code: String,
    pub node_title: String,
    pub id: i64,
    pub code: String,
    pub title: String,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub budget: i64,
    pub responsible_unit: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub update_id: Option<i64>,
    pub status: Option<Status>,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub update_as_of: Option<NaiveDate>,
    pub comment: Option<String>,
}

impl ReportActivity {
    pub fn latest_update(&self) -> Option<Update> {
        latest_update(
            self.update_id,
            self.update_as_of,
            self.status,
            self.achieved,
            self.spent,
        )
    }

    pub fn figures(&self) -> ActivityFigures {
        ActivityFigures::new(
            self.target,
            self.budget,
            self.planned_end,
            self.latest_update().as_ref(),
        )
    }
}

/// The activities of the plans as of `as_of`, streamed in the order of the
/// agencies' codes, the plans' codes and the activities' positions.
pub fn activities<'c>(
    conn: &'c mut PgConnection,
    plan_ids: &'c [i64],
    as_of: NaiveDate,
) -> BoxStream<'c, sqlx::Result<ReportActivity>> {
    sqlx::query_as(concat!(
        "SELECT pl.agency_id, g.code AS agency_code, pl.id AS plan_id, pl.code AS plan_code, \
         n.id AS node_id, n.code AS node_code, n.title AS node_title, \
         a.id, a.code, a.title, a.target, a.unit, a.budget, a.responsible_unit, \
         a.region_code, r.name AS region_name, a.planned_start, a.planned_end, \
         u.id AS update_id, u.status, u.achieved, u.spent, u.as_of AS update_as_of, u.comment \
         FROM activities a JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id \
         JOIN plan_nodes n ON n.id = a.node_id JOIN regions r ON r.code = a.region_code",
        latest_update_join!("$2"),
        "WHERE a.plan_id = ANY($1) AND",
        in_force!("a", "$2"),
        "ORDER BY g.code, pl.code, a.position, a.code"
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch(conn)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReportIndicator {
    pub id: i64,
    pub plan_id: i64,
    pub agency_code: String,
    pub plan_code: String,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<Decimal>,
    pub baseline_year: Option<i32>,
    pub target: Option<Decimal>,
    pub target_year: Option<i32>,
    pub direction: Direction,
    /// Every value of the indicator, as (period end, value), oldest first.
    #[sqlx(skip)]
    pub values: Vec<(NaiveDate, Decimal)>,
}

#[derive(FromRow)]
struct IndicatorValue {
    indicator_id: i64,
    period_end: NaiveDate,
    value: Decimal,
}

/// The indicators of the plans in force on `as_of`, with all their values,
/// in the plans' order.
pub async fn indicators(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ReportIndicator>> {
    let mut indicators: Vec<ReportIndicator> = sqlx::query_as(concat!(
        "SELECT i.id, i.plan_id, g.code AS agency_code, pl.code AS plan_code, i.code, i.title, \
         i.unit, i.baseline, i.baseline_year, i.target, i.target_year, i.direction \
         FROM indicators i JOIN plans pl ON pl.id = i.plan_id JOIN agencies g ON g.id = pl.agency_id \
         WHERE i.plan_id = ANY($1) AND",
        in_force!("i", "$2"),
        "ORDER BY g.code, pl.code, i.position, i.code"
    ))
    .bind(plan_ids)
    .bind(as_of)
    .fetch_all(&mut *conn)
    .await?;
    let values: Vec<IndicatorValue> = sqlx::query_as(
        "SELECT v.indicator_id, v.period_end, v.value FROM indicator_values v \
         JOIN indicators i ON i.id = v.indicator_id WHERE i.plan_id = ANY($1) \
         ORDER BY v.indicator_id, v.period_end",
    )
    .bind(plan_ids)
    .fetch_all(&mut *conn)
    .await?;
    let index: std::collections::HashMap<i64, usize> = indicators
        .iter()
        .enumerate()
        .map(|(position, indicator)| (indicator.id, position))
        .collect();
    for value in values {
        if let Some(&position) = index.get(&value.indicator_id) {
            indicators[position]
                .values
                .push((value.period_end, value.value));
        }
    }
    Ok(indicators)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReportFunding {
    pub plan_id: i64,
    pub agency_code: String,
    pub plan_code: String,
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

pub async fn funding(
    conn: &mut PgConnection,
    plan_ids: &[i64],
) -> sqlx::Result<Vec<ReportFunding>> {
    sqlx::query_as(
        "SELECT f.plan_id, g.code AS agency_code, pl.code AS plan_code, f.source, f.source_kind, \
         f.planned, f.mobilised \
         FROM funding_lines f JOIN plans pl ON pl.id = f.plan_id JOIN agencies g ON g.id = pl.agency_id \
         WHERE f.plan_id = ANY($1) ORDER BY g.code, pl.code, f.position, f.source",
    )
    .bind(plan_ids)
    .fetch_all(conn)
    .await
}
