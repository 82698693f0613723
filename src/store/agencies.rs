//! Agencies ("structures") and the figures of their current plans.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};

use super::activities::{latest_update_columns, latest_update_join, LatestUpdate};
use super::in_force;
use super::plans::activity_version_join;
use crate::performance::ActivityFigures;

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

/// One activity of a plan covering a year, with its state as of a date, tagged
/// with its agency: enough to compute every agency's figures for that year,
/// and no more (the home page reads every activity of the year).
#[derive(Debug, FromRow)]
pub struct AgencyActivity {
    pub agency_id: i64,
    pub target: Option<Decimal>,
    pub budget: i64,
    pub planned_end: Option<NaiveDate>,
    #[sqlx(flatten)]
    pub latest: LatestUpdate,
}

impl AgencyActivity {
    pub fn figures(&self) -> ActivityFigures {
        self.latest
            .figures(self.target, self.budget, self.planned_end)
    }
}

/// Every activity of every plan that covers `year`, as of `as_of`, in the
/// `readable` agencies (all of them for `None`).
pub async fn activities_for_year(
    db: &PgPool,
    year: i32,
    as_of: NaiveDate,
    readable: Option<&[i64]>,
) -> sqlx::Result<Vec<AgencyActivity>> {
    sqlx::query_as(concat!(
        "SELECT pl.agency_id, v.target, v.budget, v.planned_end,",
        latest_update_columns!(),
        "FROM plans pl JOIN activities a ON a.plan_id = pl.id",
        activity_version_join!("$2"),
        latest_update_join!("$2"),
        "WHERE $1 BETWEEN pl.start_year AND pl.end_year \
         AND",
        in_force!("a", "$2"),
        "AND ($3::bigint[] IS NULL OR pl.agency_id = ANY($3))"
    ))
    .bind(year)
    .bind(as_of)
    .bind(readable)
    .fetch_all(db)
    .await
}
