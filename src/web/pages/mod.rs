//! One module per area of the site, plus the helpers they share.

pub mod account;
pub mod activities;
pub mod admin;
pub mod agencies;
pub mod assets;
pub mod attachments;
pub mod confirm;
pub mod drilldown;
pub mod evidence;
mod forms;
pub mod funding;
pub mod grid;
pub mod health;
pub mod home;
pub mod imports;
pub mod imports_reading;
pub mod lang;
pub mod login;
pub mod mail;
mod paging;
pub mod plans;
pub mod public;
pub(crate) mod query;
pub mod reports;
pub mod resolutions;
pub mod search;
pub mod session_editing;
pub mod sessions;
pub mod structure;
pub mod tokens;
pub mod validation;
mod views;

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;

use super::AppError;
use query::date_param as parse_date_param;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Renders a page; a template error becomes the error page, never a panic.
fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// The list of a plan's activities as of a date, to which pages add a filter.
fn drilldown_link(plan_id: i64, as_of: NaiveDate) -> String {
    format!("/plans/{plan_id}/activities?as_of={as_of}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_urls() {
        assert_eq!(
            parse_date_param(Some("2025-11-30")).ok().flatten(),
            NaiveDate::from_ymd_opt(2025, 11, 30)
        );
        assert_eq!(parse_date_param(Some("")).ok(), Some(None));
        // chrono reads it, PostgreSQL could not store it.
        assert!(matches!(
            parse_date_param(Some("-5000-01-01")),
            Err(AppError::BadRequest {
                key: "error.bad_date"
            })
        ));
        assert!(matches!(
            parse_date_param(Some("2025-13-45")),
            Err(AppError::BadRequest {
                key: "error.bad_date"
            })
        ));
    }
}
