//! Creating and editing board sessions, and an admin's reopening of a sealed
//! one: for the agency's editors and admins (resolutions: `resolutions`).
//! Forms come back with a message next to each bad field and what was typed
//! (422); nothing is written until every field is right.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::{self, optional_text, required_date, FieldErrors};
use super::render;
use crate::dashboard;
use crate::domain::{SessionKind, SessionStatus};
use crate::store::agencies::Agency;
use crate::store::plans::{self, Plan};
use crate::store::sessions::{self, BoardSession, SessionFields};
use crate::store::{reviews, seals};
use crate::web::csrf::CsrfForm;
use crate::web::extract::{Editable, Managed};
use crate::web::{AppError, AppState, Ctx};

/// Longest place, chair or responsible unit, as in the schema.
pub(super) const SHORT_TEXT_MAX: usize = 200;
/// Longest agenda or list of attendees, as in the schema.
const LONG_TEXT_MAX: usize = 4000;

// ---- Sessions ----

/// The session form as typed: every field a string, so it can come back as is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub cutoff: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub chair: String,
    #[serde(default)]
    pub reviewed_plan: String,
    #[serde(default)]
    pub adopted_plan: String,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub status: String,
    /// Ticked to seal although updates before the cutoff still wait for
    /// validation.
    #[serde(default)]
    pub seal_anyway: String,
}

impl SessionInput {
    fn of(session: &BoardSession) -> SessionInput {
        let plan = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
        SessionInput {
            number: session.number.to_string(),
            kind: session.kind.as_str().to_owned(),
            held_on: session.held_on.to_string(),
            cutoff: session.cutoff.to_string(),
            place: session.place.clone().unwrap_or_default(),
            chair: session.chair.clone().unwrap_or_default(),
            reviewed_plan: plan(session.reviewed_plan_id),
            adopted_plan: plan(session.adopted_plan_id),
            agenda: session.agenda.clone().unwrap_or_default(),
            attendees: session.attendees.clone().unwrap_or_default(),
            status: session.status.as_str().to_owned(),
            seal_anyway: String::new(),
        }
    }

    fn blank() -> SessionInput {
        SessionInput {
            kind: SessionKind::Ordinary.as_str().to_owned(),
            status: SessionStatus::Planned.as_str().to_owned(),
            ..SessionInput::default()
        }
    }
}

/// Checks every field against the agency's plans, so all problems show at once.
fn validate_session(input: &SessionInput, plans: &[Plan]) -> Result<SessionFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let number = match input.number.trim().parse::<i32>() {
        Ok(n) if n > 0 => Some(n),
        _ if input.number.trim().is_empty() => {
            errors.set("number", "error.value.empty");
            None
        }
        _ => {
            errors.set("number", "boards.error.number");
            None
        }
    };
    let kind = input.kind.parse::<SessionKind>().ok();
    if kind.is_none() {
        errors.set("kind", "boards.error.choice");
    }
    let status = input.status.parse::<SessionStatus>().ok();
    if status.is_none() {
        errors.set("status", "boards.error.choice");
    }
    let held_on = required_date(&mut errors, "held_on", &input.held_on);
    let cutoff = required_date(&mut errors, "cutoff", &input.cutoff);
    if let (Some(held_on), Some(cutoff)) = (held_on, cutoff) {
        if cutoff > held_on {
            errors.set("cutoff", "boards.error.cutoff_after_session");
        }
    }
    let mut plan = |field: &'static str, text: &str| -> Option<i64> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let id = text
            .parse::<i64>()
            .ok()
            .filter(|id| plans.iter().any(|p| p.id == *id));
        if id.is_none() {
            errors.set(field, "boards.error.plan");
        }
        id
    };
    let reviewed_plan_id = plan("reviewed_plan", &input.reviewed_plan);
    let adopted_plan_id = plan("adopted_plan", &input.adopted_plan);
    let place = optional_text(&mut errors, "place", &input.place, SHORT_TEXT_MAX);
    let chair = optional_text(&mut errors, "chair", &input.chair, SHORT_TEXT_MAX);
    let agenda = optional_text(&mut errors, "agenda", &input.agenda, LONG_TEXT_MAX);
    let attendees = optional_text(&mut errors, "attendees", &input.attendees, LONG_TEXT_MAX);
    match (number, kind, held_on, cutoff, status) {
        (Some(number), Some(kind), Some(held_on), Some(cutoff), Some(status))
            if errors.is_empty() =>
        {
            Ok(SessionFields {
                number,
                kind,
                held_on,
                cutoff,
                place,
                chair,
                reviewed_plan_id,
                adopted_plan_id,
                agenda,
                attendees,
                status,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "session_form.html")]
struct SessionFormPage {
    ctx: Ctx,
    agency_code: String,
    agency_name: String,
    /// The session being edited; `None` for a new one.
    session_id: Option<i64>,
    form: SessionInput,
    errors: FieldErrors,
    plans: Vec<Plan>,
    kinds: &'static [SessionKind],
    statuses: &'static [SessionStatus],
    /// Updates before the cutoff still waiting for validation, when the
    /// form would seal the session without them: the warning to confirm.
    waiting: i64,
}

impl SessionFormPage {
    /// The kind alone, without the session's number.
    fn kind_label(&self, kind: &SessionKind) -> &'static str {
        match kind {
            SessionKind::Ordinary => "boards.kind.ordinary",
            SessionKind::Extraordinary => "boards.kind.extraordinary",
        }
    }

    fn action(&self) -> String {
        match self.session_id {
            Some(id) => format!("/sessions/{id}/edit"),
            None => format!("/agencies/{}/sessions", self.agency_code),
        }
    }
}

fn session_form(
    ctx: Ctx,
    agency: (&str, &str),
    session_id: Option<i64>,
    form: SessionInput,
    errors: FieldErrors,
    plans: Vec<Plan>,
) -> Result<Response, AppError> {
    let status = errors.status();
    let page = SessionFormPage {
        ctx,
        agency_code: agency.0.to_owned(),
        agency_name: agency.1.to_owned(),
        session_id,
        form,
        errors,
        plans,
        kinds: SessionKind::ALL,
        statuses: SessionStatus::ALL,
        waiting: 0,
    };
    Ok((status, render(&page)?).into_response())
}

/// The form again with the warning that sealing now leaves out `waiting`
/// updates, and the box to tick to seal anyway (nothing written).
fn waiting_warning(
    ctx: Ctx,
    agency: (&str, &str),
    session_id: Option<i64>,
    form: SessionInput,
    plans: Vec<Plan>,
    waiting: i64,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    errors.set("seal_anyway", "session.seal_anyway");
    let page = SessionFormPage {
        ctx,
        agency_code: agency.0.to_owned(),
        agency_name: agency.1.to_owned(),
        session_id,
        form,
        errors,
        plans,
        kinds: SessionKind::ALL,
        statuses: SessionStatus::ALL,
        waiting,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// How many updates the seal would leave out: those of the reviewed plan
/// dated by the cutoff and still waiting, unless the editor confirmed.
async fn waiting_at_sealing(
    state: &AppState,
    input: &SessionInput,
    plans: &[Plan],
) -> Result<i64, AppError> {
    let Ok(fields) = validate_session(input, plans) else {
        return Ok(0);
    };
    match fields.reviewed_plan_id {
        Some(plan_id)
            if fields.status == SessionStatus::Held && input.seal_anyway.trim().is_empty() =>
        {
            Ok(reviews::waiting_before(&state.db, plan_id, fields.cutoff).await?)
        }
        _ => Ok(0),
    }
}

pub async fn new_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(agency, _): Editable<Agency>,
) -> Result<Response, AppError> {
    let plans = plans::list_for_agency(&state.db, agency.id).await?;
    let agency_ref = (agency.code.as_str(), agency.name.as_str());
    session_form(
        ctx,
        agency_ref,
        None,
        SessionInput::blank(),
        FieldErrors::default(),
        plans,
    )
}

pub async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(agency, user): Editable<Agency>,
    CsrfForm(input): CsrfForm<SessionInput>,
) -> Result<Response, AppError> {
    let plans = plans::list_for_agency(&state.db, agency.id).await?;
    let waiting = waiting_at_sealing(&state, &input, &plans).await?;
    if waiting > 0 {
        let agency_ref = (agency.code.as_str(), agency.name.as_str());
        return waiting_warning(ctx, agency_ref, None, input, plans, waiting);
    }
    let saved = forms::save(
        validate_session(&input, &plans),
        async |fields| {
            // Created as held, it is sealed at once, as of the data now.
            let seal = dashboard::seal_for(&state.db, &fields.unsaved(&agency)).await?;
            sessions::create(&state.db, agency.id, &fields, user.user.id, seal.as_ref()).await
        },
        |id| format!("/sessions/{id}"),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => {
            let agency_ref = (agency.code.as_str(), agency.name.as_str());
            session_form(ctx, agency_ref, None, input, errors, plans)
        }
    }
}

pub async fn edit_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(session, _): Editable<BoardSession>,
) -> Result<Response, AppError> {
    refuse_if_sealed(&session)?;
    let plans = plans::list_for_agency(&state.db, session.agency_id).await?;
    session_form(
        ctx,
        (&session.agency_code, &session.agency_name),
        Some(session.id),
        SessionInput::of(&session),
        FieldErrors::default(),
        plans,
    )
}

pub async fn update_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(session, user): Editable<BoardSession>,
    CsrfForm(input): CsrfForm<SessionInput>,
) -> Result<Response, AppError> {
    refuse_if_sealed(&session)?;
    let plans = plans::list_for_agency(&state.db, session.agency_id).await?;
    let waiting = waiting_at_sealing(&state, &input, &plans).await?;
    if waiting > 0 {
        let agency_ref = (session.agency_code.as_str(), session.agency_name.as_str());
        return waiting_warning(ctx, agency_ref, Some(session.id), input, plans, waiting);
    }
    let saved = forms::save(
        validate_session(&input, &plans),
        async |fields| {
            // Marked held, it is sealed with its figures as of the new fields.
            let seal = dashboard::seal_for(&state.db, &fields.applied_to(&session)).await?;
            sessions::update(&state.db, &session, &fields, user.user.id, seal.as_ref()).await
        },
        |id| format!("/sessions/{id}"),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => {
            let agency_ref = (session.agency_code.as_str(), session.agency_name.as_str());
            session_form(ctx, agency_ref, Some(session.id), input, errors, plans)
        }
    }
}

/// A sealed session's fields are the minutes' own: nobody edits them until an
/// admin reopens the session.
fn refuse_if_sealed(session: &BoardSession) -> Result<(), AppError> {
    if session.is_sealed() {
        Err(AppError::forbidden("boards.error.sealed"))
    } else {
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct ReopenInput {
    #[serde(default)]
    reason: String,
}

/// An admin reopens a sealed session, saying why (kept, and shown on its
/// dashboard); saving it as held again seals it anew.
pub async fn reopen_session(
    State(state): State<AppState>,
    Managed(session, user): Managed<BoardSession>,
    CsrfForm(input): CsrfForm<ReopenInput>,
) -> Result<Response, AppError> {
    let reason = input.reason.trim();
    let length = reason.chars().count();
    if !(10..=2000).contains(&length) {
        return Err(AppError::BadField {
            key: "boards.error.reopen_reason",
            field: "reason".to_owned(),
        });
    }
    if !seals::reopen(
        &state.db,
        session.id,
        session.agency_id,
        user.user.id,
        reason,
    )
    .await?
    {
        return Err(AppError::Conflict {
            key: "boards.error.not_sealed",
        });
    }
    Ok(Redirect::to(&format!("/sessions/{}", session.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64) -> Plan {
        Plan {
            id,
            agency_id: 1,
            agency_code: "ANASER".into(),
            agency_name: "ANASER".into(),
            code: "PAP-2026".into(),
            title: "PAP 2026".into(),
            kind: crate::domain::PlanKind::ALL[0],
            start_year: 2026,
            end_year: 2026,
            status: crate::domain::PlanStatus::ALL[0],
            level_names: vec!["Action prioritaire".into()],
            illustrative: false,
            currency: "XOF".into(),
        }
    }

    fn input() -> SessionInput {
        SessionInput {
            number: "31".into(),
            kind: "ordinary".into(),
            held_on: "2026-06-26".into(),
            cutoff: "2026-05-31".into(),
            place: "  Bamako ".into(),
            chair: String::new(),
            reviewed_plan: "7".into(),
            adopted_plan: String::new(),
            agenda: "1. Bilan\n2. Divers".into(),
            attendees: String::new(),
            status: "planned".into(),
            seal_anyway: String::new(),
        }
    }

    #[test]
    fn a_good_session_form_gives_its_fields() {
        let fields = validate_session(&input(), &[plan(7)]).unwrap();
        assert_eq!(fields.number, 31);
        assert_eq!(fields.place.as_deref(), Some("Bamako"));
        assert_eq!(fields.chair, None);
        assert_eq!(fields.reviewed_plan_id, Some(7));
        assert_eq!(fields.adopted_plan_id, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = SessionInput {
            number: "-3".into(),
            kind: "secret".into(),
            held_on: "2026-06-26".into(),
            cutoff: "2026-07-31".into(),
            reviewed_plan: "8".into(),
            place: "x".repeat(201),
            status: "closed".into(),
            ..input()
        };
        let errors = validate_session(&bad, &[plan(7)]).unwrap_err();
        assert_eq!(errors.get("number"), Some("boards.error.number"));
        assert_eq!(errors.get("kind"), Some("boards.error.choice"));
        assert_eq!(errors.get("status"), Some("boards.error.choice"));
        assert_eq!(
            errors.get("cutoff"),
            Some("boards.error.cutoff_after_session")
        );
        assert_eq!(errors.get("reviewed_plan"), Some("boards.error.plan"));
        assert_eq!(errors.get("place"), Some("boards.error.too_long"));
        assert_eq!(errors.get("held_on"), None);
    }
}
