//! Writing a plan's funding plan (plan de mobilisation des fonds): adding a
//! funding line and changing one, and the history of its versions. A change
//! is a version in force from its date, never an overwrite (the reads as of
//! a date are `plans::funding`); `funding_lines` keeps a copy of the latest
//! version. The rules on dates (not before the plan, not within a held
//! session's figures) are the caller's; the name of a line is unique in its
//! plan, which a save refused says.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};

use super::plans::{funding_version_join, FundingLine, FUNDING_COLUMNS};
use super::{audit, is_unique_violation, to_json};
use crate::domain::FundingSourceKind;

/// What a funding line says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingFields {
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

impl From<&FundingLine> for FundingFields {
    fn from(line: &FundingLine) -> FundingFields {
        FundingFields {
            source: line.source.clone(),
            source_kind: line.source_kind,
            planned: line.planned,
            mobilised: line.mobilised,
        }
    }
}

/// One version of a line: what it said from `effective_on`, who recorded it
/// and when (nobody for the first one of a line created by the demo, the
/// generator or before lines were dated).
#[derive(Debug, Clone, FromRow)]
pub struct FundingVersion {
    pub effective_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<String>,
    pub source: String,
    pub source_kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
}

/// How a save ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Line(i64),
    /// Another line of the plan has that name.
    NameTaken,
}

/// The line (its latest version) and the plan it belongs to.
pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<(i64, FundingLine)>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT plan_id FROM funding_lines WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    let Some((plan_id,)) = row else {
        return Ok(None);
    };
    let line: Option<FundingLine> = sqlx::query_as(&format!(
        "SELECT {FUNDING_COLUMNS} FROM funding_lines f {} WHERE f.id = $1",
        funding_version_join!("'infinity'")
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(line.map(|line| (plan_id, line)))
}

/// Every line of the plan as it stands in its latest version, those added
/// with a future date included: what the funding page lists and edits.
pub async fn latest(db: &PgPool, plan_id: i64) -> sqlx::Result<Vec<FundingLine>> {
    sqlx::query_as(&format!(
        "SELECT {FUNDING_COLUMNS} FROM funding_lines f {} WHERE f.plan_id = $1 \
         ORDER BY f.position, f.id",
        funding_version_join!("'infinity'")
    ))
    .bind(plan_id)
    .fetch_all(db)
    .await
}

/// The versions of a line, latest in force first.
pub async fn history(db: &PgPool, id: i64) -> sqlx::Result<Vec<FundingVersion>> {
    sqlx::query_as(
        "SELECT v.effective_on, v.recorded_at, u.display_name AS recorded_by, v.source, \
         v.source_kind, v.planned, v.mobilised FROM funding_line_versions v \
         LEFT JOIN users u ON u.id = v.recorded_by WHERE v.funding_line_id = $1 \
         ORDER BY v.effective_on DESC, v.recorded_at DESC, v.id DESC",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// Who saves, for the version and the audit row.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub user_id: i64,
    pub agency_id: i64,
}

/// Adds a line to the plan (in force from `on`) or changes `existing` with
/// effect from `on` (a new version, the earlier ones kept), with its audit
/// row, in one transaction.
pub async fn save(
    db: &PgPool,
    plan_id: i64,
    existing: Option<&FundingLine>,
    fields: &FundingFields,
    on: NaiveDate,
    author: Author,
) -> sqlx::Result<Saved> {
    let mut tx = crate::db::begin(db).await?;
    let written = match existing {
        None => insert(&mut tx, plan_id, fields, on, Some(author.user_id)).await,
        Some(line) => write(&mut tx, line.id, fields, on, Some(author.user_id))
            .await
            .map(|()| line.id),
    };
    let id = match written {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Ok(Saved::NameTaken),
        Err(error) => return Err(error),
    };
    let mut after = to_json(fields)?;
    if let serde_json::Value::Object(object) = &mut after {
        object.insert("effective_on".into(), on.to_string().into());
        object.insert("plan_id".into(), plan_id.into());
    }
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(author.user_id),
            action: if existing.is_some() {
                "funding.update"
            } else {
                "funding.create"
            },
            object_type: "funding_line",
            object_id: Some(id),
            agency_id: Some(author.agency_id),
            before: existing
                .map(|line| to_json(&FundingFields::from(line)))
                .transpose()?,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Saved::Line(id))
}

/// Inserts a line at the end of the plan, in force from `added_on`; its
/// first version is written by the table's trigger, then given its author.
pub(in crate::store) async fn insert(
    conn: &mut PgConnection,
    plan_id: i64,
    fields: &FundingFields,
    added_on: NaiveDate,
    recorded_by: Option<i64>,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO funding_lines (plan_id, position, source, source_kind, planned, mobilised, \
         added_on) VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM funding_lines \
         WHERE plan_id = $1), $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(plan_id)
    .bind(&fields.source)
    .bind(fields.source_kind)
    .bind(fields.planned)
    .bind(fields.mobilised)
    .bind(added_on)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE funding_line_versions SET recorded_by = $2 WHERE funding_line_id = $1")
        .bind(id)
        .bind(recorded_by)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Changes a line with effect from `effective_on`: a new version; the copy
/// in `funding_lines` follows the latest version, which a correction dated
/// in the past leaves as it was.
pub(in crate::store) async fn write(
    conn: &mut PgConnection,
    id: i64,
    fields: &FundingFields,
    effective_on: NaiveDate,
    recorded_by: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO funding_line_versions (funding_line_id, effective_on, recorded_by, source, \
         source_kind, planned, mobilised) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(effective_on)
    .bind(recorded_by)
    .bind(&fields.source)
    .bind(fields.source_kind)
    .bind(fields.planned)
    .bind(fields.mobilised)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE funding_lines f SET source = v.source, source_kind = v.source_kind, \
         planned = v.planned, mobilised = v.mobilised \
         FROM (SELECT * FROM funding_line_versions WHERE funding_line_id = $1 \
         ORDER BY effective_on DESC, recorded_at DESC, id DESC LIMIT 1) v WHERE f.id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
