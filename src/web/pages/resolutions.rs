//! A board session's resolutions and the dated follow-up of each: entered by
//! the agency's editors and admins, read by its readers. Forms come back with
//! a message next to each bad field and what was typed (422); nothing is
//! written until every field is right.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::forms::{self, optional_text, required_date, FieldErrors};
use super::render;
use super::session_editing::SHORT_TEXT_MAX;
use crate::domain::ResolutionStatus;
use crate::store::sessions::{self, BoardSession, FollowUp, ResolutionDetail, ResolutionFields};
use crate::web::csrf::CsrfForm;
use crate::web::extract::{Editable, Readable};
use crate::web::{AppError, AppState, Ctx};

/// Longest resolution text or follow-up note, as in the schema.
const NOTE_MAX: usize = 2000;

// ---- Resolutions ----

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolutionInput {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub responsible_unit: String,
    #[serde(default)]
    pub due_on: String,
}

fn validate_resolution(input: &ResolutionInput) -> Result<ResolutionFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = optional_text(&mut errors, "text", &input.text, NOTE_MAX);
    if text.is_none() {
        errors.set("text", "error.value.empty");
    }
    let responsible_unit = optional_text(
        &mut errors,
        "responsible_unit",
        &input.responsible_unit,
        SHORT_TEXT_MAX,
    );
    let due_on = match input.due_on.trim() {
        "" => None,
        _ => required_date(&mut errors, "due_on", &input.due_on),
    };
    match text {
        Some(text) if errors.is_empty() => Ok(ResolutionFields {
            text,
            responsible_unit,
            due_on,
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "resolution_form.html")]
struct ResolutionFormPage {
    ctx: Ctx,
    session: BoardSession,
    /// The resolution being edited; `None` for a new one.
    resolution_id: Option<i64>,
    form: ResolutionInput,
    errors: FieldErrors,
}

impl ResolutionFormPage {
    fn action(&self) -> String {
        match self.resolution_id {
            Some(id) => format!("/resolutions/{id}/edit"),
            None => format!("/sessions/{}/resolutions", self.session.id),
        }
    }
}

fn resolution_form(
    ctx: Ctx,
    session: BoardSession,
    resolution_id: Option<i64>,
    form: ResolutionInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let status = errors.status();
    let page = ResolutionFormPage {
        ctx,
        session,
        resolution_id,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_resolution(
    ctx: Ctx,
    Editable(session, _): Editable<BoardSession>,
) -> Result<Response, AppError> {
    resolution_form(
        ctx,
        session,
        None,
        ResolutionInput::default(),
        FieldErrors::default(),
    )
}

pub async fn create_resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(session, user): Editable<BoardSession>,
    CsrfForm(input): CsrfForm<ResolutionInput>,
) -> Result<Response, AppError> {
    let saved = forms::save(
        validate_resolution(&input),
        async |fields| sessions::add_resolution(&state.db, &session, &fields, user.user.id).await,
        |_| format!("/sessions/{}#resolutions", session.id),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => resolution_form(ctx, session, None, input, errors),
    }
}

pub async fn edit_resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(resolution, _): Editable<ResolutionDetail>,
) -> Result<Response, AppError> {
    let session = sessions::find(&state.db, resolution.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = ResolutionInput {
        text: resolution.text.clone(),
        responsible_unit: resolution.responsible_unit.clone().unwrap_or_default(),
        due_on: resolution.due_on.map(|d| d.to_string()).unwrap_or_default(),
    };
    resolution_form(
        ctx,
        session,
        Some(resolution.id),
        form,
        FieldErrors::default(),
    )
}

pub async fn update_resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(resolution, user): Editable<ResolutionDetail>,
    CsrfForm(input): CsrfForm<ResolutionInput>,
) -> Result<Response, AppError> {
    let saved = forms::save(
        validate_resolution(&input),
        async |fields| {
            sessions::update_resolution(&state.db, &resolution, &fields, user.user.id).await
        },
        |()| format!("/resolutions/{}", resolution.id),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => {
            let session = sessions::find(&state.db, resolution.session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            resolution_form(ctx, session, Some(resolution.id), input, errors)
        }
    }
}

// ---- Follow-up ----

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FollowUpInput {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub noted_on: String,
    #[serde(default)]
    pub note: String,
}

fn validate_follow_up(
    input: &FollowUpInput,
    today: NaiveDate,
) -> Result<(ResolutionStatus, NaiveDate, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let status = input.status.parse::<ResolutionStatus>().ok();
    if status.is_none() {
        errors.set("status", "boards.error.choice");
    }
    let noted_on = required_date(&mut errors, "noted_on", &input.noted_on);
    if noted_on.is_some_and(|d| d > today) {
        errors.set("noted_on", "error.progress.future");
    }
    let note = optional_text(&mut errors, "note", &input.note, NOTE_MAX);
    if note.is_none() {
        errors.set("note", "error.value.empty");
    }
    match (status, noted_on, note) {
        (Some(status), Some(noted_on), Some(note)) if errors.is_empty() => {
            Ok((status, noted_on, note))
        }
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "resolution.html")]
struct ResolutionPage {
    ctx: Ctx,
    resolution: ResolutionDetail,
    follow_ups: Vec<FollowUp>,
    /// The follow-up form, for those who may add one.
    form: Option<FollowUpInput>,
    errors: FieldErrors,
    statuses: &'static [ResolutionStatus],
}

impl ResolutionPage {
    /// The status today: the latest follow-up's, else the one adopted.
    fn current_status(&self) -> ResolutionStatus {
        self.follow_ups
            .last()
            .map_or(self.resolution.status, |f| f.status)
    }
}

async fn resolution_page(
    state: &AppState,
    ctx: Ctx,
    resolution: ResolutionDetail,
    form: Option<FollowUpInput>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let follow_ups = sessions::follow_ups(&state.db, resolution.id).await?;
    let status = errors.status();
    let page = ResolutionPage {
        ctx,
        resolution,
        follow_ups,
        form,
        errors,
        statuses: ResolutionStatus::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show_resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(resolution, user): Readable<ResolutionDetail>,
) -> Result<Response, AppError> {
    let form = user.can_edit(resolution.agency_id).then(|| FollowUpInput {
        status: String::new(),
        noted_on: state.today().to_string(),
        note: String::new(),
    });
    resolution_page(&state, ctx, resolution, form, FieldErrors::default()).await
}

pub async fn add_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(resolution, user): Editable<ResolutionDetail>,
    CsrfForm(input): CsrfForm<FollowUpInput>,
) -> Result<Response, AppError> {
    let saved = forms::save(
        validate_follow_up(&input, state.today()),
        async |(status, noted_on, note)| {
            sessions::add_follow_up(
                &state.db,
                &resolution,
                noted_on,
                status,
                &note,
                user.user.id,
                &user.user.display_name,
            )
            .await
            // The follow-up shows on the resolution's page, where the
            // redirect goes.
            .map(|_| ())
        },
        |()| format!("/resolutions/{}", resolution.id),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => resolution_page(&state, ctx, resolution, Some(input), errors).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_need_a_note_and_a_date_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let errors = validate_follow_up(
            &FollowUpInput {
                status: "done".into(),
                noted_on: "2026-12-01".into(),
                note: "  ".into(),
            },
            today,
        )
        .unwrap_err();
        assert_eq!(errors.get("noted_on"), Some("error.progress.future"));
        assert_eq!(errors.get("note"), Some("error.value.empty"));
        let (status, noted_on, note) = validate_follow_up(
            &FollowUpInput {
                status: "in_progress".into(),
                noted_on: "2026-11-20".into(),
                note: "Marché lancé".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!(status, ResolutionStatus::InProgress);
        assert_eq!(noted_on, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        assert_eq!(note, "Marché lancé");
    }
}
