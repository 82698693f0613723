//! Agencies on the admin pages: the list, a new agency, and editing one's
//! code, name and parent (no cycle: an agency cannot sit under itself or under
//! one of the agencies below it).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{required_text, FieldErrors};
use crate::store::admin::{self, AgencyFields, AgencySave};
use crate::store::agencies::{self, Agency};
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Id;
use crate::web::pages::render;
use crate::web::{AppError, AppState, Ctx};

/// Longest agency name, as in the schema.
const NAME_MAX: usize = 300;
/// Longest agency code, as in the schema.
const CODE_MAX: usize = 32;

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct ListPage {
    ctx: Ctx,
    agencies: Vec<Agency>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    Ok(render(&ListPage { ctx, agencies })?.into_response())
}

/// The agency form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgencyInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: String,
    /// A ticked checkbox sends `1`; an unticked one sends nothing.
    #[serde(default)]
    pub requires_validation: String,
}

impl AgencyInput {
    fn of(agency: &Agency) -> AgencyInput {
        AgencyInput {
            code: agency.code.clone(),
            name: agency.name.clone(),
            parent: agency
                .parent_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            requires_validation: if agency.requires_validation {
                "1".to_owned()
            } else {
                String::new()
            },
        }
    }
}

/// An agency code: a letter or digit, then letters, digits, `.`, `_`, `-`.
fn is_valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && code.len() <= CODE_MAX
}

fn validate(input: &AgencyInput, agencies: &[Agency]) -> Result<AgencyFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = input.code.trim();
    if code.is_empty() {
        errors.set("code", "error.value.empty");
    } else if !is_valid_code(code) {
        errors.set("code", "admin.error.agency_code");
    }
    let name = required_text(&mut errors, "name", &input.name, NAME_MAX);
    let parent_id = match input.parent.trim() {
        "" => None,
        text => {
            let id = text
                .parse::<i64>()
                .ok()
                .filter(|id| agencies.iter().any(|a| a.id == *id));
            if id.is_none() {
                errors.set("parent", "admin.error.parent_unknown");
            }
            id
        }
    };
    match name {
        Some(name) if errors.is_empty() => Ok(AgencyFields {
            code: code.to_owned(),
            name,
            parent_id,
            requires_validation: !input.requires_validation.trim().is_empty(),
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "admin/agency_form.html")]
struct FormPage {
    ctx: Ctx,
    /// The agency being edited; `None` for a new one.
    agency_id: Option<i64>,
    form: AgencyInput,
    errors: FieldErrors,
    /// The choices of parent: every agency but the one edited.
    parents: Vec<Agency>,
}

impl FormPage {
    fn action(&self) -> String {
        match self.agency_id {
            Some(id) => format!("/admin/agencies/{id}"),
            None => "/admin/agencies".to_owned(),
        }
    }
}

fn form_page(
    ctx: Ctx,
    agency_id: Option<i64>,
    form: AgencyInput,
    errors: FieldErrors,
    mut parents: Vec<Agency>,
) -> Result<Response, AppError> {
    let status = errors.status();
    parents.retain(|a| Some(a.id) != agency_id);
    let page = FormPage {
        ctx,
        agency_id,
        form,
        errors,
        parents,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    form_page(
        ctx,
        None,
        AgencyInput::default(),
        FieldErrors::default(),
        agencies,
    )
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(admin): Admin,
    CsrfForm(input): CsrfForm<AgencyInput>,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    let fields = match validate(&input, &agencies) {
        Ok(fields) => fields,
        Err(errors) => return form_page(ctx, None, input, errors, agencies),
    };
    let outcome = admin::create_agency(&state.db, &fields, admin.user.id).await?;
    answer(ctx, None, input, outcome, agencies)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
    Id(id): Id,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    let agency = agencies
        .iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    let input = AgencyInput::of(agency);
    form_page(ctx, Some(id), input, FieldErrors::default(), agencies)
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(admin): Admin,
    Id(id): Id,
    CsrfForm(input): CsrfForm<AgencyInput>,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    if !agencies.iter().any(|a| a.id == id) {
        return Err(AppError::NotFound);
    }
    let fields = match validate(&input, &agencies) {
        Ok(fields) => fields,
        Err(errors) => return form_page(ctx, Some(id), input, errors, agencies),
    };
    let outcome = admin::update_agency(&state.db, id, &fields, admin.user.id).await?;
    answer(ctx, Some(id), input, outcome, agencies)
}

/// Back to the list once saved; otherwise the form again, with the reason on
/// its field.
fn answer(
    ctx: Ctx,
    agency_id: Option<i64>,
    input: AgencyInput,
    outcome: AgencySave,
    agencies: Vec<Agency>,
) -> Result<Response, AppError> {
    let (field, key) = match outcome {
        AgencySave::Saved(_) => return Ok(Redirect::to("/admin/agencies").into_response()),
        AgencySave::NotFound => return Err(AppError::NotFound),
        AgencySave::CodeTaken => ("code", "admin.error.code_taken"),
        AgencySave::ParentCycle => ("parent", "admin.error.parent_cycle"),
        AgencySave::ParentMissing => ("parent", "admin.error.parent_unknown"),
    };
    let mut errors = FieldErrors::default();
    errors.set(field, key);
    form_page(ctx, agency_id, input, errors, agencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes_follow_the_schema() {
        assert!(is_valid_code("ANASER"));
        assert!(is_valid_code("Apex-Mali"));
        assert!(is_valid_code("PNUD.GD_2"));
        assert!(!is_valid_code("-ANASER"));
        assert!(!is_valid_code("AN ASER"));
        assert!(!is_valid_code("ÉTAT"));
        assert!(!is_valid_code(&"A".repeat(33)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = AgencyInput {
            code: "bad code".into(),
            name: " ".into(),
            parent: "99".into(),
            requires_validation: "1".into(),
        };
        let errors = validate(&input, &[]).unwrap_err();
        assert_eq!(errors.get("code"), Some("admin.error.agency_code"));
        assert_eq!(errors.get("name"), Some("error.value.empty"));
        assert_eq!(errors.get("parent"), Some("admin.error.parent_unknown"));
    }
}
