//! One module per area of the site, plus the helpers they share.

pub mod account;
pub mod activities;
pub mod admin;
pub mod agencies;
pub mod assets;
pub mod drilldown;
mod forms;
pub mod grid;
pub mod health;
pub mod home;
pub mod imports;
pub mod lang;
pub mod login;
pub mod plans;
pub mod reports;
pub mod session_editing;
pub mod sessions;
pub mod structure;
mod views;

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;

use super::AppError;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Renders a page; a template error becomes the error page, never a panic.
fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// The plan, for a user who may change it (its agency's editors, admins).
async fn editable_plan(
    state: &super::AppState,
    user: &super::auth::CurrentUser,
    plan_id: i64,
) -> Result<crate::store::plans::Plan, AppError> {
    let plan = crate::store::plans::find(&state.db, plan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.ensure_can_edit(plan.agency_id)?;
    Ok(plan)
}

/// The agency with that code, for a user who may change its data.
async fn editable_agency(
    state: &super::AppState,
    user: &super::auth::CurrentUser,
    code: &str,
) -> Result<crate::store::agencies::Agency, AppError> {
    let agency = crate::store::agencies::find_by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    user.ensure_can_edit(agency.id)?;
    Ok(agency)
}

/// The list of a plan's activities as of a date, to which pages add a filter.
fn drilldown_link(plan_id: i64, as_of: NaiveDate) -> String {
    format!("/plans/{plan_id}/activities?as_of={as_of}")
}

/// A numeric id from the URL; anything else names no page, hence 404.
fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// An optional `YYYY-MM-DD` date from the query string; empty means absent.
fn parse_date_param(raw: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => crate::domain::parse_iso_date(text)
            .map(Some)
            .ok_or(AppError::bad_request("error.bad_date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_dates_from_urls() {
        assert_eq!(parse_id("42").ok(), Some(42));
        assert!(matches!(parse_id("abc"), Err(AppError::NotFound)));
        assert!(matches!(parse_id("-1"), Err(AppError::NotFound)));
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
