//! A plan and what it is made of: its tree of nodes, its activities with
//! their state as of a date, its indicators and its funding lines. These
//! rows are the one model of a plan: the plan page, the structure editor,
//! the reports (`store::reports`, which adds where each row sits) and the
//! imports all read them; `performance::plan_tree` puts the nodes in order.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};

use super::activities::LatestUpdate;
use super::in_force;
use crate::domain::{Direction, FundingSourceKind, PlanKind, PlanStatus};
use crate::i18n::Lang;
use crate::names::PlanName;
use crate::performance::plan_tree::{Tree, TreeNode};
use crate::performance::ActivityFigures;
use crate::schedule::{self, PlannedPeriod};

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
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
    /// The currency of its amounts: `XOF` (FCFA), `USD` or `EUR`.
    pub currency: String,
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

    /// The date its figures are shown as of when none is asked for: a finished
    /// plan as of its last day, a running one as of today.
    pub fn default_as_of(&self, today: chrono::NaiveDate) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(self.end_year, 12, 31).map_or(today, |end| end.min(today))
    }

    /// The years after the title, unless the title already says them
    /// ("Projet Annuel de Performance 2025" needs no second 2025).
    pub fn years_after_title(&self) -> Option<String> {
        let years = self.years();
        (!self.title.contains(&years)).then_some(years)
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

/// The columns of [`Plan`], then the plans `pl` with their agencies `g`.
pub(super) const PLAN_COLUMNS: &str = "SELECT pl.id, pl.agency_id, g.code AS agency_code, g.name AS agency_name, \
     pl.code, pl.title, pl.kind, pl.start_year, pl.end_year, pl.status, pl.level_names, pl.illustrative, pl.currency \
     FROM plans pl JOIN agencies g ON g.id = pl.agency_id";

pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Plan>> {
    sqlx::query_as(&format!("{PLAN_COLUMNS} WHERE pl.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A plan by its agency's code and its own (codes are unique per agency).
pub async fn find_by_codes(
    db: &PgPool,
    agency_code: &str,
    plan_code: &str,
) -> sqlx::Result<Option<Plan>> {
    sqlx::query_as(&format!(
        "{PLAN_COLUMNS} WHERE g.code = $1 AND pl.code = $2"
    ))
    .bind(agency_code)
    .bind(plan_code)
    .fetch_optional(db)
    .await
}

/// A plan by the name a user gave (`crate::names`): its id or its codes.
pub async fn find_named(db: &PgPool, name: PlanName<'_>) -> sqlx::Result<Option<Plan>> {
    match name {
        PlanName::Id(id) => find(db, id).await,
        PlanName::Codes { agency, plan } => find_by_codes(db, agency, plan).await,
    }
}

pub async fn list_for_agency(db: &PgPool, agency_id: i64) -> sqlx::Result<Vec<Plan>> {
    sqlx::query_as(&format!(
        "{PLAN_COLUMNS} WHERE pl.agency_id = $1 ORDER BY pl.start_year DESC, pl.end_year DESC, pl.code"
    ))
    .bind(agency_id)
    .fetch_all(db)
    .await
}

/// A node of a plan's tree, retired or not.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct NodeRow {
    pub id: i64,
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub position: i32,
    pub code: String,
    pub title: String,
    pub retired_on: Option<NaiveDate>,
}

impl TreeNode for NodeRow {
    fn id(&self) -> i64 {
        self.id
    }

    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

impl Tree<NodeRow> {
    /// The deepest level that holds activities (the priority actions of a
    /// PAP): the level a board reads figures by. `holds` says whether the
    /// node of that id has activities.
    pub fn leaf_depth(&self, holds: impl Fn(i64) -> bool) -> Option<i32> {
        self.nodes()
            .iter()
            .filter(|n| holds(n.id))
            .map(|n| n.depth)
            .max()
    }
}

/// The columns of [`NodeRow`], then `FROM plan_nodes n`.
pub(super) const NODE_COLUMNS: &str = "SELECT n.id, n.plan_id, n.parent_id, n.depth, n.position, \
     n.code, n.title, n.retired_on FROM plan_nodes n";

/// The order the tree's rows are read in, before [`Tree::new`] puts each
/// node before its descendants.
pub(super) const NODE_ORDER: &str = " ORDER BY n.plan_id, n.depth, n.position, n.code";

/// The plan's tree as of `as_of`: only the nodes in force then (added on or
/// before it, not retired on or before it), in reading order.
pub async fn nodes(
    db: impl PgExecutor<'_>,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Tree<NodeRow>> {
    let nodes = sqlx::query_as(&format!(
        "{NODE_COLUMNS} WHERE n.plan_id = $1 AND {} {NODE_ORDER}",
        in_force!("n", "$2")
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await?;
    Ok(Tree::new(nodes))
}

/// An activity of a plan with its state as of the date it was read: the one
/// row the plan page, the structure editor, the reports and the imports
/// share.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct ActivityRow {
    pub id: i64,
    pub plan_id: i64,
    pub node_id: i64,
    pub code: String,
    pub title: String,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub budget: i64,
    pub responsible_unit: Option<String>,
    /// The units that carry it out beside the responsible one ("Structures
    /// associées"); none for seals made before they were kept.
    #[serde(default)]
    pub associated_units: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub retired_on: Option<NaiveDate>,
    /// The funding line of the plan that pays for it, if it names one, and
    /// that line's name as of the same date. Seals made before activities
    /// named a source read as naming none.
    #[serde(default)]
    pub funding_line_id: Option<i64>,
    #[serde(default)]
    pub funding_source: Option<String>,
    /// Its schedule (planned periods) in force at the same date, and the end
    /// of its first period; none for seals made before schedules.
    #[serde(default)]
    pub schedule: Option<Json<Vec<PlannedPeriod>>>,
    #[serde(default)]
    pub schedule_due: Option<NaiveDate>,
    #[sqlx(flatten)]
    pub latest: LatestUpdate,
    /// The comment of that latest update.
    pub comment: Option<String>,
    /// The rule "late" is counted by: today's, but a seal's own for the rows
    /// read from it (kept once per seal, not per row).
    #[sqlx(skip)]
    #[serde(skip)]
    pub late_rule: schedule::LateRule,
}

impl ActivityRow {
    pub fn figures(&self) -> ActivityFigures {
        // A seal made before schedules had targets holds only the first end.
        let due = match &self.schedule {
            Some(periods) => self.late_rule.late_from(&periods.0, self.latest.achieved),
            None => self.schedule_due,
        };
        self.latest
            .figures(self.target, self.budget, self.planned_end)
            .with_schedule_due(due)
    }

    /// Its planned periods, in order (none without a schedule).
    pub fn periods(&self) -> &[PlannedPeriod] {
        self.schedule.as_ref().map_or(&[], |s| s.0.as_slice())
    }

    /// The compact label of its schedule ("T1 T3"), empty without one.
    pub fn schedule_label(&self, lang: Lang) -> String {
        schedule::label(self.periods(), lang)
    }
}

/// The columns of [`ActivityRow`], from [`activities_from!`].
macro_rules! activity_columns {
    () => {
        concat!(
            " a.id, a.plan_id, a.node_id, a.code, a.title, v.target, v.unit, v.budget, \
             v.responsible_unit, v.associated_units, v.region_code, r.name AS region_name, \
             v.planned_start, \
             v.planned_end, a.retired_on, v.funding_line_id, fs.source AS funding_source, \
             sv.periods AS schedule, sv.first_end AS schedule_due, u.comment,",
            $crate::store::activities::latest_update_columns!()
        )
    };
}
pub(super) use activity_columns;

/// The version `v` of the activity `a` in force on the date `$date_param`:
/// its target, unit, budget, responsible unit, region and planned dates as
/// they stood then. Of two versions from the same date, the one recorded
/// last (a correction) wins. Every activity has a version from 1900, so the
/// join keeps every activity. The name `fs` of its funding line is the one
/// in force on the same date, and its schedule `sv` too (none without one).
macro_rules! activity_version_join {
    ($date_param:literal) => {
        concat!(
            " JOIN LATERAL (SELECT v.target, v.unit, v.budget, v.responsible_unit, \
             v.associated_units, v.region_code, v.planned_start, v.planned_end, v.funding_line_id \
             FROM activity_versions v WHERE v.activity_id = a.id AND v.recorded_at <= known_at() \
             AND v.effective_on <= ",
            $date_param,
            " ORDER BY v.effective_on DESC, v.recorded_at DESC, v.id DESC LIMIT 1) v ON true \
             LEFT JOIN LATERAL (SELECT fv.source FROM funding_line_versions fv \
             WHERE fv.funding_line_id = v.funding_line_id AND fv.recorded_at <= known_at() \
             AND fv.effective_on <= ",
            $date_param,
            " ORDER BY fv.effective_on DESC, fv.recorded_at DESC, fv.id DESC LIMIT 1) fs ON true \
             LEFT JOIN LATERAL (SELECT sv.periods, sv.first_end FROM activity_schedule_versions sv \
             WHERE sv.activity_id = a.id AND sv.recorded_at <= known_at() AND sv.effective_on <= ",
            $date_param,
            " ORDER BY sv.effective_on DESC, sv.recorded_at DESC, sv.id DESC LIMIT 1) sv ON true "
        )
    };
}
pub(super) use activity_version_join;

/// The activities `a` with their version `v`, their regions `r` and their
/// state `u` as of the date `$2`.
macro_rules! activities_from {
    ($($pending:ident)?) => {
        concat!(
            " FROM activities a",
            $crate::store::plans::activity_version_join!("$2"),
            "JOIN regions r ON r.code = v.region_code",
            $crate::store::activities::latest_update_join!("$2" $(, $pending)?)
        )
    };
}
pub(super) use activities_from;

/// The plan's activities in force on `as_of`, each with its latest update
/// on or before that date.
pub async fn activities_as_of(
    db: impl PgExecutor<'_>,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ActivityRow>> {
    sqlx::query_as(concat!(
        "SELECT",
        activity_columns!(),
        activities_from!(),
        "WHERE a.plan_id = $1 AND",
        in_force!("a", "$2"),
        "ORDER BY a.position, a.code"
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await
}

/// [`activities_as_of`], counting also the updates that wait for validation:
/// the provisional figures the plan page shows when asked, clearly marked.
pub async fn activities_with_pending_as_of(
    db: impl PgExecutor<'_>,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<ActivityRow>> {
    sqlx::query_as(concat!(
        "SELECT",
        activity_columns!(),
        activities_from!(with_pending),
        "WHERE a.plan_id = $1 AND",
        in_force!("a", "$2"),
        "ORDER BY a.position, a.code"
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await
}

/// An indicator of a plan, retired or not.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct IndicatorRow {
    pub id: i64,
    pub plan_id: i64,
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
    /// Every value of the indicator, as (period end, value), oldest first,
    /// where the figures need them ([`indicators`], the reports); the
    /// structure editor reads them per indicator instead.
    #[sqlx(skip)]
    pub values: Vec<(NaiveDate, Decimal)>,
}

/// The columns of [`IndicatorRow`], from the indicators `i` and their
/// version `iv` ([`indicator_version_join!`]).
pub(super) const INDICATOR_COLUMNS: &str = "i.id, i.plan_id, i.node_id, i.code, i.title, i.unit, \
     iv.baseline, iv.baseline_year, iv.target, iv.target_year, i.direction, i.retired_on";

/// The version `iv` of the indicator `i` in force on `$date_param` (an SQL
/// date; `'infinity'` for the latest): its baseline and target as they
/// stood then, the one recorded last winning among versions of one date.
macro_rules! indicator_version_join {
    ($date_param:literal) => {
        concat!(
            " JOIN LATERAL (SELECT v.baseline, v.baseline_year, v.target, v.target_year \
             FROM indicator_versions v WHERE v.indicator_id = i.id \
             AND v.recorded_at <= known_at() AND v.effective_on <= ",
            $date_param,
            " ORDER BY v.effective_on DESC, v.recorded_at DESC, v.id DESC LIMIT 1) iv ON true "
        )
    };
}
pub(super) use indicator_version_join;

/// The plan's indicators in force on `as_of`, each with all its values.
pub async fn indicators(
    conn: &mut PgConnection,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<IndicatorRow>> {
    let mut indicators: Vec<IndicatorRow> = sqlx::query_as(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators i {} WHERE i.plan_id = $1 AND {} \
         ORDER BY i.position, i.code",
        indicator_version_join!("$2"),
        in_force!("i", "$2")
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(&mut *conn)
    .await?;
    with_values(conn, &[plan_id], indicators.iter_mut().collect()).await?;
    Ok(indicators)
}

/// Gives each of `indicators` (of the plans `plan_ids`) all its values,
/// oldest first.
pub(super) async fn with_values(
    conn: &mut PgConnection,
    plan_ids: &[i64],
    mut indicators: Vec<&mut IndicatorRow>,
) -> sqlx::Result<()> {
    // As known at `known_at()`: the value recorded by then, which is the
    // current one unless it was corrected since (then a revision holds it).
    let values: Vec<(i64, NaiveDate, Decimal)> = sqlx::query_as(
        // The plans' indicators are joined in each branch, so that both read
        // their index by indicator rather than every value of every plan.
        "SELECT v.indicator_id, v.period_end, v.value FROM ( \
             SELECT x.indicator_id, x.period_end, x.value FROM indicators i \
             JOIN indicator_values x ON x.indicator_id = i.id \
             WHERE i.plan_id = ANY($1) AND x.recorded_at <= known_at() \
             UNION ALL \
             SELECT r.indicator_id, r.period_end, r.value FROM indicators i \
             JOIN indicator_value_revisions r ON r.indicator_id = i.id \
             WHERE i.plan_id = ANY($1) AND r.recorded_at <= known_at() \
             AND r.replaced_at > known_at() \
         ) v ORDER BY v.indicator_id, v.period_end",
    )
    .bind(plan_ids)
    .fetch_all(conn)
    .await?;
    let index: HashMap<i64, usize> = indicators
        .iter()
        .enumerate()
        .map(|(position, indicator)| (indicator.id, position))
        .collect();
    for (indicator_id, period_end, value) in values {
        if let Some(&position) = index.get(&indicator_id) {
            indicators[position].values.push((period_end, value));
        }
    }
    Ok(())
}

/// A line of a plan's funding plan (plan de mobilisation des fonds) as it
/// stood on the date it was read as of.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize, serde::Deserialize)]
pub struct FundingLine {
    /// Seals made before lines were edited read as 0 (no activity named one).
    #[serde(default)]
    pub id: i64,
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

/// The columns of [`FundingLine`] from the lines `f` and their version `fv`
/// ([`funding_version_join!`]).
pub(super) const FUNDING_COLUMNS: &str =
    "f.id, fv.source, fv.source_kind, fv.planned, fv.mobilised";

/// The version `fv` of the funding line `f` in force on `$date_param` (an
/// SQL date; `'infinity'` for the latest). A line added later has none yet,
/// and the inner join leaves it out.
macro_rules! funding_version_join {
    ($date_param:literal) => {
        concat!(
            " JOIN LATERAL (SELECT v.source, v.source_kind, v.planned, v.mobilised \
             FROM funding_line_versions v WHERE v.funding_line_id = f.id \
             AND v.recorded_at <= known_at() AND v.effective_on <= ",
            $date_param,
            " ORDER BY v.effective_on DESC, v.recorded_at DESC, v.id DESC LIMIT 1) fv ON true "
        )
    };
}
pub(super) use funding_version_join;

/// The plan's funding lines as they stood on `as_of`.
pub async fn funding(
    db: impl PgExecutor<'_>,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<FundingLine>> {
    sqlx::query_as(&format!(
        "SELECT {FUNDING_COLUMNS} FROM funding_lines f {} WHERE f.plan_id = $1 \
         ORDER BY f.position, f.id",
        funding_version_join!("$2")
    ))
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await
}
