//! What the edit forms share: field errors as message keys by field name, and
//! the parsing of optional text and dates with their messages.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// A message key per field name, for the fields that are wrong.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, &'static str>);

impl FieldErrors {
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.get(field).copied()
    }

    pub fn set(&mut self, field: &'static str, key: &'static str) {
        self.0.entry(field).or_insert(key);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The status of a form page: 422 when it comes back with messages.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// Optional free text: trimmed, empty means absent, `max` characters at most.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    max: usize,
) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > max {
        errors.set(field, "boards.error.too_long");
    }
    (!text.is_empty()).then(|| text.to_owned())
}

pub fn required_date(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        errors.set(field, "error.value.empty");
        return None;
    }
    let date = crate::domain::parse_iso_date(text);
    if date.is_none() {
        errors.set(field, "error.bad_date");
    }
    date
}

/// An optional date: empty means absent.
pub fn optional_date(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        None
    } else {
        required_date(errors, field, text)
    }
}
