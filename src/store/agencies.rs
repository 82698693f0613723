//! Agencies ("structures") and the figures of their current plans.

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};

use super::activities::latest_update_join;
use super::in_force;
use super::plans::activity_version_join;
use crate::performance::Summary;

#[derive(Debug, Clone, FromRow)]
pub struct Agency {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// Staff's updates wait for the M&E unit's validation before they count.
    pub requires_validation: bool,
}

const AGENCY_COLUMNS: &str =
    "SELECT g.id, g.code, g.name, g.parent_id, p.code AS parent_code, p.name AS parent_name, \
     g.requires_validation \
     FROM agencies g LEFT JOIN agencies p ON p.id = g.parent_id";

pub async fn list(db: &PgPool) -> sqlx::Result<Vec<Agency>> {
    sqlx::query_as(&format!("{AGENCY_COLUMNS} ORDER BY g.code"))
        .fetch_all(db)
        .await
}

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<Agency>> {
    sqlx::query_as(&format!("{AGENCY_COLUMNS} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_code(db: &PgPool, code: &str) -> sqlx::Result<Option<Agency>> {
    sqlx::query_as(&format!("{AGENCY_COLUMNS} WHERE g.code = $1"))
        .bind(code)
        .fetch_optional(db)
        .await
}

pub async fn children(db: &PgPool, agency_id: i64) -> sqlx::Result<Vec<Agency>> {
    sqlx::query_as(&format!(
        "{AGENCY_COLUMNS} WHERE g.parent_id = $1 ORDER BY g.code"
    ))
    .bind(agency_id)
    .fetch_all(db)
    .await
}

/// The counts and sums of a group of activities (an agency's, a plan's), as
/// [`Summary`] holds them, from [`summary_columns!`].
#[derive(Debug, FromRow)]
struct SummaryCounts {
    group_id: i64,
    planned: i64,
    done: i64,
    in_progress: i64,
    not_started: i64,
    postponed: i64,
    abandoned: i64,
    above_target: i64,
    late: i64,
    budget: Decimal,
    spent: Decimal,
}

impl SummaryCounts {
    fn summary(&self) -> Summary {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        // Sums of bigints fit in 128 bits by far; Summary keeps them there.
        let amount = |d: Decimal| d.to_i128().unwrap_or(0);
        Summary {
            planned: count(self.planned),
            done: count(self.done),
            in_progress: count(self.in_progress),
            not_started: count(self.not_started),
            postponed: count(self.postponed),
            abandoned: count(self.abandoned),
            above_target: count(self.above_target),
            late: count(self.late),
            budget: amount(self.budget),
            spent: amount(self.spent),
        }
    }

    fn into_pairs(rows: Vec<SummaryCounts>) -> Vec<(i64, Summary)> {
        rows.iter()
            .map(|row| (row.group_id, row.summary()))
            .collect()
    }
}

/// [`SummaryCounts`]' columns over activities `a` with their version `v`
/// and state `u` as of `$date` (an SQL date expression), counted in SQL by
/// the rules of [`Summary::add`]: no update by the date is "not started";
/// above target is done with achieved over a non-zero target (a ratio over
/// one, exactly: compared, never divided); late is neither done nor
/// abandoned with a planned end, or the day its schedule makes it late
/// (`schedule_late_from`, never before its first period's end), before the
/// date.
macro_rules! summary_columns {
    ($date:literal) => {
        concat!(
            " count(*) AS planned, \
             count(*) FILTER (WHERE u.status = 'done') AS done, \
             count(*) FILTER (WHERE u.status = 'in_progress') AS in_progress, \
             count(*) FILTER (WHERE u.status IS NULL OR u.status = 'not_started') AS not_started, \
             count(*) FILTER (WHERE u.status = 'postponed') AS postponed, \
             count(*) FILTER (WHERE u.status = 'abandoned') AS abandoned, \
             count(*) FILTER (WHERE u.status = 'done' AND u.achieved IS NOT NULL \
                 AND ((v.target > 0 AND u.achieved > v.target) \
                   OR (v.target < 0 AND u.achieved < v.target))) AS above_target, \
             count(*) FILTER (WHERE COALESCE(u.status, 'not_started') NOT IN ('done', 'abandoned') \
                 AND (v.planned_end < ",
            $date,
            " OR (sv.first_end < ",
            $date,
            " AND schedule_late_from(sv.periods, u.achieved) < ",
            $date,
            "))) AS late, \
             COALESCE(sum(v.budget) FILTER (WHERE pl.currency = 'XOF'), 0)::numeric AS budget, \
             COALESCE(sum(COALESCE(u.spent, 0)) FILTER (WHERE pl.currency = 'XOF'), 0)::numeric \
                 AS spent "
        )
    };
}

/// The figures of groups of plans (`$group`: an SQL expression over the
/// plan `pl`, such as its agency) meeting `$where` (over `pl`), each plan as
/// of `$date` (an SQL date expression over `pl`), as [`SummaryCounts`].
///
/// Two paths give the same figures. A plan whose `plan_figures` row is
/// settled on or before its date reads that one row (see the migration
/// `plan_figures`: from `settled_on` on, nothing of the plan depends on the
/// date but "late", counted there from the sorted planned ends); so does
/// neither a plan read "as known at" a past moment (`known_at()` set, a
/// sealed session recomputed) nor one with anything dated after its date
/// (an "as of" in the past, an update dated ahead): those take the exact
/// path, each activity's version and state probed in the history. For today
/// and a closed year's end, nearly every plan is settled, so a national
/// year is a few hundred rows.
macro_rules! plan_group_summaries {
    (group: $group:literal, date: $date:literal, where: $where:literal) => {
        concat!(
            "SELECT group_id, sum(planned)::bigint AS planned, sum(done)::bigint AS done, \
             sum(in_progress)::bigint AS in_progress, sum(not_started)::bigint AS not_started, \
             sum(postponed)::bigint AS postponed, sum(abandoned)::bigint AS abandoned, \
             sum(above_target)::bigint AS above_target, sum(late)::bigint AS late, \
             sum(budget)::numeric AS budget, sum(spent)::numeric AS spent FROM (\
             SELECT ",
            $group,
            " AS group_id, f.planned, f.done, f.in_progress, f.not_started, f.postponed, \
             f.abandoned, f.above_target, width_bucket((",
            $date,
            ")::date - 1, f.open_ends)::bigint AS late, f.budget, f.spent \
             FROM plans pl JOIN plan_figures f ON f.plan_id = pl.id WHERE ",
            $where,
            " AND f.settled_on <= ",
            $date,
            " AND known_at() = 'infinity' \
             UNION ALL SELECT ",
            $group,
            " AS group_id,",
            summary_columns!($date),
            // The plans not settled are chosen first, and `OFFSET 0` keeps
            // the planner from probing every activity of the year before it
            // drops those of settled plans (it would: the `known_at()` test
            // makes the anti-join a filter applied after the activity join).
            "FROM (SELECT pl.* FROM plans pl WHERE ",
            $where,
            " AND NOT EXISTS (SELECT 1 FROM plan_figures f WHERE f.plan_id = pl.id \
             AND f.settled_on <= ",
            $date,
            " AND known_at() = 'infinity') OFFSET 0) pl \
             JOIN activities a ON a.plan_id = pl.id",
            activity_version_join!($date),
            latest_update_join!($date),
            "WHERE",
            in_force!("a", $date),
            "GROUP BY 1) parts GROUP BY group_id HAVING sum(planned) > 0"
        )
    };
}

/// The budget and spending of the plans in another currency than FCFA
/// that cover `year`, as of `as_of`, in the `readable` agencies: one total
/// per currency, never added to the FCFA ones (the summaries count the budget and
/// spending of FCFA plans only).
pub async fn other_currency_totals(
    db: &PgPool,
    year: i32,
    as_of: NaiveDate,
    readable: Option<&[i64]>,
) -> sqlx::Result<Vec<(String, i128, i128)>> {
    let rows: Vec<(String, Decimal, Decimal)> = sqlx::query_as(concat!(
        "SELECT pl.currency, COALESCE(sum(v.budget), 0)::numeric, \
         COALESCE(sum(COALESCE(u.spent, 0)), 0)::numeric \
         FROM plans pl JOIN activities a ON a.plan_id = pl.id",
        activity_version_join!("$2"),
        latest_update_join!("$2"),
        "WHERE $1 BETWEEN pl.start_year AND pl.end_year AND pl.currency <> 'XOF' AND",
        in_force!("a", "$2"),
        "AND ($3::bigint[] IS NULL OR pl.agency_id = ANY($3)) \
         GROUP BY pl.currency ORDER BY pl.currency"
    ))
    .bind(year)
    .bind(as_of)
    .bind(readable)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(currency, budget, spent)| {
            (
                currency,
                budget.to_i128().unwrap_or(0),
                spent.to_i128().unwrap_or(0),
            )
        })
        .collect())
}

/// Each agency's own figures (its activities only, not those of the
/// agencies under it) for every plan that covers `year`, as of `as_of`, in
/// the `readable` agencies (all of them for `None`): one row per agency.
pub async fn summaries_for_year(
    db: &PgPool,
    year: i32,
    as_of: NaiveDate,
    readable: Option<&[i64]>,
) -> sqlx::Result<Vec<(i64, Summary)>> {
    let rows: Vec<SummaryCounts> = sqlx::query_as(plan_group_summaries!(
        group: "pl.agency_id",
        date: "$2",
        where: "$1 BETWEEN pl.start_year AND pl.end_year \
                AND ($3::bigint[] IS NULL OR pl.agency_id = ANY($3))"
    ))
    .bind(year)
    .bind(as_of)
    .bind(readable)
    .fetch_all(db)
    .await?;
    Ok(SummaryCounts::into_pairs(rows))
}

/// The figures of each of the agency's plans that has activities, a
/// finished plan as of its last day and a running one as of `today` (as the
/// agency page shows them): one row per plan.
pub async fn plan_summaries(
    db: &PgPool,
    agency_id: i64,
    today: NaiveDate,
) -> sqlx::Result<Vec<(i64, Summary)>> {
    let rows: Vec<SummaryCounts> = sqlx::query_as(plan_group_summaries!(
        group: "pl.id",
        date: "LEAST(make_date(pl.end_year, 12, 31), $2)",
        where: "pl.agency_id = $1"
    ))
    .bind(agency_id)
    .bind(today)
    .fetch_all(db)
    .await?;
    Ok(SummaryCounts::into_pairs(rows))
}
