//! Saved mappings for agencies' own files: the user's choices in the preview
//! kept under a name, and found again for a file of the same shape (its
//! headers as Suivi reads them before any choice).

use sqlx::PgPool;

use super::layout::{self, Choices, Kind};
use super::read_workbook;
use crate::store::import_mappings;

/// The kind as the mappings table names it.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Progress => "progress",
        Kind::Plan | Kind::Indicators => "plan",
    }
}

/// The shape of a file: its table's headers, before any choice; `None` when
/// Suivi finds no table in it.
pub async fn shape_of(bytes: &[u8], kind: Kind) -> Option<String> {
    let workbook = read_workbook(bytes).await.ok()?;
    layout::detect(&workbook, kind, &Choices::default()).map(|l| l.shape())
}

/// The agency's saved mapping for a file like this one: its name and choices.
pub async fn offer(
    db: &PgPool,
    agency_id: i64,
    kind: Kind,
    bytes: &[u8],
) -> sqlx::Result<Option<(String, Choices)>> {
    let Some(shape) = shape_of(bytes, kind).await else {
        return Ok(None);
    };
    let found = import_mappings::for_shape(db, agency_id, kind_name(kind), &shape).await?;
    Ok(found.and_then(|m| {
        serde_json::from_value(m.choices)
            .ok()
            .map(|choices| (m.name, choices))
    }))
}

/// The agency's mapping of that name.
pub async fn by_name(db: &PgPool, agency_id: i64, name: &str) -> sqlx::Result<Option<Choices>> {
    let found = import_mappings::by_name(db, agency_id, name).await?;
    Ok(found.and_then(|m| serde_json::from_value(m.choices).ok()))
}

/// Saves the choices under a name for files of this one's shape.
pub async fn save(
    db: &PgPool,
    agency_id: i64,
    kind: Kind,
    name: &str,
    bytes: &[u8],
    choices: &Choices,
    user_id: i64,
) -> sqlx::Result<bool> {
    let Some(shape) = shape_of(bytes, kind).await else {
        return Ok(false);
    };
    let json = serde_json::to_value(choices).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    import_mappings::save(db, agency_id, name, kind_name(kind), &shape, &json, user_id).await?;
    Ok(true)
}
