//! What the edit forms share: field errors as message keys by field name, the
//! parsing of optional text and dates with their messages, and `save`, the
//! end of every form post (write what was validated, then go on, or show the
//! form again with its messages).

use std::collections::BTreeMap;

use axum::response::Redirect;
use chrono::NaiveDate;

use crate::store::{sessions, structure};
use crate::web::AppError;

/// A message key per field name, for the fields that are wrong.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, &'static str>);

impl FieldErrors {
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.get(field).copied()
    }

    /// Keeps the first message for a field: the most basic problem.
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

/// What a store write comes to, as a form shows it: saved, or the field and
/// message of a rule the write found broken (a code or a number already
/// taken, a node that cannot go there): the store turns such constraint
/// errors into outcomes, inside its transaction.
pub trait FormOutcome {
    /// What the redirect after saving is built from (the new row's id).
    type Saved;

    fn into_form(self) -> Result<Self::Saved, (&'static str, &'static str)>;
}

/// A write that no rule refuses.
impl FormOutcome for () {
    type Saved = ();

    fn into_form(self) -> Result<(), (&'static str, &'static str)> {
        Ok(())
    }
}

/// A write that no rule refuses and that gives the new row's id.
impl FormOutcome for i64 {
    type Saved = i64;

    fn into_form(self) -> Result<i64, (&'static str, &'static str)> {
        Ok(self)
    }
}

impl FormOutcome for sessions::SaveOutcome {
    type Saved = i64;

    fn into_form(self) -> Result<i64, (&'static str, &'static str)> {
        match self {
            sessions::SaveOutcome::Saved(id) => Ok(id),
            sessions::SaveOutcome::DuplicateNumber => {
                Err(("number", "boards.error.duplicate_number"))
            }
            // Sealed since the form was shown (the page refuses a sealed one).
            sessions::SaveOutcome::Sealed => Err(("status", "boards.error.sealed")),
        }
    }
}

impl FormOutcome for structure::Outcome {
    type Saved = i64;

    fn into_form(self) -> Result<i64, (&'static str, &'static str)> {
        match self {
            structure::Outcome::Saved(id) => Ok(id),
            structure::Outcome::Refused(refusal) => Err((refusal.field(), refusal.key())),
        }
    }
}

/// The end of a form post: when `validated` holds the fields, `write`s them
/// and answers the redirect (303) to `saved_to`; otherwise, or when the write
/// refuses a field, the messages to show the form again with (422, see
/// [`FieldErrors::status`]). Nothing is written unless every field is right.
pub async fn save<F, O: FormOutcome, E>(
    validated: Result<F, FieldErrors>,
    write: impl AsyncFnOnce(F) -> Result<O, E>,
    saved_to: impl FnOnce(O::Saved) -> String,
) -> Result<Result<Redirect, FieldErrors>, AppError>
where
    AppError: From<E>,
{
    let fields = match validated {
        Ok(fields) => fields,
        Err(errors) => return Ok(Err(errors)),
    };
    Ok(match write(fields).await?.into_form() {
        Ok(saved) => Ok(Redirect::to(&saved_to(saved))),
        Err((field, key)) => {
            let mut errors = FieldErrors::default();
            errors.set(field, key);
            Err(errors)
        }
    })
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
