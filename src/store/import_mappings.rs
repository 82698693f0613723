//! Saved import mappings: how an agency reads its own spreadsheets (sheet,
//! header row, column meanings), under a name, found again by name (the
//! command line's `--mapping`) or by the file's shape (the browser offers it).

use serde_json::Value;
use sqlx::PgPool;

use super::audit;

/// A saved mapping: its name and its choices (as JSON, the import's `Choices`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mapping {
    pub name: String,
    pub choices: Value,
}

/// Saves the mapping under its name for the agency, replacing one of that
/// name, with its audit row in the same transaction.
pub async fn save(
    db: &PgPool,
    agency_id: i64,
    name: &str,
    kind: &str,
    shape: &str,
    choices: &Value,
    user_id: i64,
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(db).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_mappings (agency_id, name, kind, shape, choices, saved_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (agency_id, name) DO UPDATE SET kind = EXCLUDED.kind, shape = EXCLUDED.shape, \
         choices = EXCLUDED.choices, saved_by = EXCLUDED.saved_by, saved_at = now() \
         RETURNING id",
    )
    .bind(agency_id)
    .bind(name)
    .bind(kind)
    .bind(shape)
    .bind(choices)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "import_mapping.save",
            object_type: "import_mapping",
            object_id: Some(id),
            agency_id: Some(agency_id),
            before: None,
            after: Some(serde_json::json!({"name": name, "kind": kind, "choices": choices})),
        },
    )
    .await?;
    tx.commit().await
}

/// The agency's mapping of that name.
pub async fn by_name(db: &PgPool, agency_id: i64, name: &str) -> sqlx::Result<Option<Mapping>> {
    sqlx::query_as("SELECT name, choices FROM import_mappings WHERE agency_id = $1 AND name = $2")
        .bind(agency_id)
        .bind(name)
        .fetch_optional(db)
        .await
}

/// The agency's latest mapping for files of this kind and shape.
pub async fn for_shape(
    db: &PgPool,
    agency_id: i64,
    kind: &str,
    shape: &str,
) -> sqlx::Result<Option<Mapping>> {
    sqlx::query_as(
        "SELECT name, choices FROM import_mappings \
         WHERE agency_id = $1 AND kind = $2 AND shape = $3 ORDER BY saved_at DESC LIMIT 1",
    )
    .bind(agency_id)
    .bind(kind)
    .bind(shape)
    .fetch_optional(db)
    .await
}
