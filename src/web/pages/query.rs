//! Query-string parameters shared by the pages' filters: what counts as
//! absent, and the parameters several pages read the same way. A value that
//! does not parse is a 400 with a message, never a silently ignored filter.

use chrono::NaiveDate;

use crate::domain::Status;
use crate::web::AppError;

/// A parameter's value, trimmed; empty means absent (an empty select sends "").
pub fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// An optional activity status (`done`, `in_progress`…).
pub fn status_param(value: &Option<String>) -> Result<Option<Status>, AppError> {
    present(value)
        .map(|text| {
            text.parse::<Status>()
                .map_err(|_| AppError::bad_request("error.bad_status"))
        })
        .transpose()
}

/// An optional `YYYY-MM-DD` date; empty means absent.
pub fn date_param(raw: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => crate::domain::parse_iso_date(text)
            .map(Some)
            .ok_or(AppError::bad_request("error.bad_date")),
    }
}
