//! Plans, their trees, activities with their state as of a date, indicators and
//! funding lines.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};

use super::agencies::latest_update;
use super::{in_force, latest_update_join};
use crate::domain::{Direction, FundingSourceKind, PlanKind, PlanStatus, Status};
use crate::performance::{ActivityFigures, Update};

#[derive(Debug, Clone, FromRow)]
pub struct Plan {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub code: String,
    pub title: String,
    pub kind: PlanKind,
    pub start_year: i32,
    pub end_year: i32,
    pub status: PlanStatus,
    pub level_names: Vec<String>,
    pub illustrative: bool,
}

impl Plan {
    /// The name this plan gives to the tree level at `depth` (0 = root).
    pub fn level_name(&self, depth: i32) -> &str {
        usize::try_from(depth)
            .ok()
            .and_then(|d| self.level_names.get(d))
            .or(self.level_names.last())
            .map_or("", String::as_str)
    }

    /// The years as shown: `2025` or `2022-2024`.
    pub fn years(&self) -> String {
        if self.start_year == self.end_year {
            self.start_year.to_string()
        } else {
            format!("{}-{}", self.start_year, self.end_year)
        }
    }
}

const PLAN_COLUMNS: &str = "SELECT pl.id, pl.agency_id, g.code AS agency_code, g.name AS agency_name, \
     pl.code, pl.title, pl.kind, pl.start_year, pl.end_year, pl.status, pl.level_names, pl.illustrative \
     FROM plans pl JOIN agencies g ON g.id = pl.agency_id";

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<Plan>> {
    sqlx::query_as(&format!("{PLAN_COLUMNS} WHERE pl.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn list_for_agency(db: &PgPool, agency_id: i64) -> sqlx::Result<Vec<Plan>> {
    sqlx::query_as(&format!(
        "{PLAN_COLUMNS} WHERE pl.agency_id = $1 ORDER BY pl.start_year DESC, pl.end_year DESC, pl.code"
    ))
    .bind(agency_id)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub position: i32,
    pub code: String,
    pub title: String,
}

/// The plan's nodes in tree order (each parent before its children).
/// Only the nodes in force on `as_of` (added on or before it, not retired
/// on or before it).
pub async fn nodes(db: &PgPool, plan_id: i64, as_of: NaiveDate) -> sqlx::Result<Vec<Node>> {
    let mut nodes: Vec<Node> = sqlx::query_as(concat!(
        "SELECT n.id, n.parent_id, n.depth, n.position, n.code, n.title FROM plan_nodes n \
             WHERE n.plan_id = $1 AND",
        in_force!("n", "$2"),
        "ORDER BY n.depth, n.position, n.code"
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await?;
    sort_depth_first(&mut nodes);
    Ok(nodes)
}

/// Reorders nodes (given by depth, then position) so that each one is followed
/// by its descendants, as a tree is read.
fn sort_depth_first(nodes: &mut Vec<Node>) {
    fn visit(parent: Option<i64>, pool: &mut Vec<Node>, out: &mut Vec<Node>) {
        let mut index = 0;
        while index < pool.len() {
            if pool[index].parent_id == parent {
                let node = pool.remove(index);
                let id = node.id;
                out.push(node);
                visit(Some(id), pool, out);
            } else {
                index += 1;
            }
        }
    }
    let mut pool = std::mem::take(nodes);
    let mut out = Vec::with_capacity(pool.len());
    visit(None, &mut pool, &mut out);
    // Orphans cannot exist (foreign keys), but never drop a row silently.
    out.append(&mut pool);
    *nodes = out;
}

#[derive(Debug, Clone, FromRow)]
pub struct Activity {
    pub id: i64,
    pub node_id: i64,
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

impl Activity {
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

/// The plan's activities, each with its latest update on or before `as_of`.
pub async fn activities_as_of(
    db: &PgPool,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<Activity>> {
    sqlx::query_as(concat!(
        "SELECT a.id, a.node_id, a.code, a.title, a.target, a.unit, a.budget, a.responsible_unit, \
         a.region_code, r.name AS region_name, a.planned_start, a.planned_end, \
         u.id AS update_id, u.status, u.achieved, u.spent, u.as_of AS update_as_of, u.comment \
         FROM activities a JOIN regions r ON r.code = a.region_code",
        latest_update_join!("$2"),
        "WHERE a.plan_id = $1 AND",
        in_force!("a", "$2"),
        "ORDER BY a.position, a.code"
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Indicator {
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

/// The plan's indicators in force on `as_of`, each with all its values.
pub async fn indicators(
    db: &PgPool,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<Indicator>> {
    let mut indicators: Vec<Indicator> = sqlx::query_as(concat!(
        "SELECT i.id, i.node_id, i.code, i.title, i.unit, i.baseline, i.baseline_year, \
             i.target, i.target_year, i.direction FROM indicators i WHERE i.plan_id = $1 AND",
        in_force!("i", "$2"),
        "ORDER BY i.position, i.code"
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await?;
    let values: Vec<IndicatorValue> = sqlx::query_as(
        "SELECT v.indicator_id, v.period_end, v.value FROM indicator_values v \
         JOIN indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1 ORDER BY v.period_end",
    )
    .bind(plan_id)
    .fetch_all(db)
    .await?;
    for value in values {
        if let Some(indicator) = indicators.iter_mut().find(|i| i.id == value.indicator_id) {
            indicator.values.push((value.period_end, value.value));
        }
    }
    Ok(indicators)
}

#[derive(Debug, Clone, FromRow)]
pub struct FundingLine {
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

pub async fn funding(db: &PgPool, plan_id: i64) -> sqlx::Result<Vec<FundingLine>> {
    sqlx::query_as(
        "SELECT source, source_kind, planned, mobilised FROM funding_lines \
         WHERE plan_id = $1 ORDER BY position, source",
    )
    .bind(plan_id)
    .fetch_all(db)
    .await
}
