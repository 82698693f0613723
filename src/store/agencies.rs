//! Agencies ("structures") and the figures of their current plans.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};

use super::{in_force, latest_update_join};
use crate::domain::Status;
use crate::performance::{ActivityFigures, Update};

#[derive(Debug, Clone, FromRow)]
pub struct Agency {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
}

const AGENCY_COLUMNS: &str =
    "SELECT g.id, g.code, g.name, g.parent_id, p.code AS parent_code, p.name AS parent_name \
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
/// with its agency: enough to compute every agency's figures for that year.
#[derive(Debug, FromRow)]
pub struct AgencyActivity {
    pub agency_id: i64,
    pub target: Option<Decimal>,
    pub budget: i64,
    pub planned_end: Option<NaiveDate>,
    pub update_id: Option<i64>,
    pub status: Option<Status>,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub update_as_of: Option<NaiveDate>,
}

impl AgencyActivity {
    pub fn figures(&self) -> ActivityFigures {
        let latest = latest_update(
            self.update_id,
            self.update_as_of,
            self.status,
            self.achieved,
            self.spent,
        );
        ActivityFigures::new(self.target, self.budget, self.planned_end, latest.as_ref())
    }
}

/// Rebuilds the latest update from the columns of the lateral join (all null
/// when the activity has no update on or before the date).
pub(crate) fn latest_update(
    id: Option<i64>,
    as_of: Option<NaiveDate>,
    status: Option<Status>,
    achieved: Option<Decimal>,
    spent: Option<i64>,
) -> Option<Update> {
    Some(Update {
        id: id?,
        as_of: as_of?,
        status: status?,
        achieved,
        spent,
    })
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
        "SELECT pl.agency_id, a.target, a.budget, a.planned_end, u.id AS update_id, u.status, \
         u.achieved, u.spent, u.as_of AS update_as_of \
         FROM plans pl JOIN activities a ON a.plan_id = pl.id",
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
