//! SQL, one file per concern. The store returns rows; it knows nothing of HTTP
//! and computes no figures: `performance` does that from the rows.

pub mod activities;
pub mod admin;
pub mod agencies;
pub mod api_tokens;
pub mod attachments;
pub mod audit;
pub mod funding;
pub mod import_mappings;
pub mod imports;
pub mod login_attempts;
pub mod mail;
pub mod plans;
pub mod publications;
pub mod reports;
pub mod reviews;
pub mod schedules;
pub mod seals;
pub mod search;
pub mod sessions;
pub mod structure;
pub mod users;

/// A row as JSON for the audit log; a value serde cannot write is an encode
/// error like any other.
pub(crate) fn to_json(value: &impl serde::Serialize) -> sqlx::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|error| sqlx::Error::Encode(Box::new(error)))
}

/// Whether a write failed on a UNIQUE constraint (a code or number taken),
/// which forms show next to the field rather than as an error page.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.code().as_deref() == Some("23505"))
}

/// SQL condition: the row of `$table` (a node, an activity or an indicator)
/// is in force on the date `$date_param`: added on or before it (or from the
/// start), not retired on or before it. Figures as of a date count only these.
macro_rules! in_force {
    ($table:literal, $date_param:literal) => {
        concat!(
            " (",
            $table,
            ".added_on IS NULL OR ",
            $table,
            ".added_on <= ",
            $date_param,
            ") AND (",
            $table,
            ".retired_on IS NULL OR ",
            $table,
            ".retired_on > ",
            $date_param,
            ") "
        )
    };
}
pub(crate) use in_force;
