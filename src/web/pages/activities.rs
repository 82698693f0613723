//! One activity: its current state, the history of its updates with the
//! evidence attached to each (`attachments`), and for its agency's editors
//! the form that records a new update. Saving refuses, with a 409 page
//! showing both versions, when someone else saved since the form was loaded:
//! progress is never overwritten silently.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::evidence::{EvidencePanel, Refusal};
use super::render;
use crate::domain::{self, Fcfa, Status};
use crate::performance;
use crate::store::activities::{
    self, ActivityDetail, NewProgress, ProgressRow, RecordOutcome, Recorder,
};
use crate::store::attachments::UpdateRef;
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::{Editable, Readable};
use crate::web::{AppError, AppState, Ctx};

/// The longest comment kept (the column's CHECK says the same).
const COMMENT_MAX_CHARS: usize = 2000;

/// What the user typed, kept as text so that a refused form shows it again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgressInput {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub achieved: String,
    #[serde(default)]
    pub spent: String,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub comment: String,
    /// The id of the latest update when the form was loaded; empty for none.
    #[serde(default)]
    pub base: String,
}

impl ProgressInput {
    /// False for a typed status that is not one of ours (kept in the form so
    /// the user sees what was refused).
    pub fn status_is_known(&self) -> bool {
        self.status.parse::<Status>().is_ok()
    }
}

/// A catalog key per field that was refused.
#[derive(Debug, Default)]
pub struct FieldErrors {
    pub status: Option<&'static str>,
    pub achieved: Option<&'static str>,
    pub spent: Option<&'static str>,
    pub as_of: Option<&'static str>,
    pub comment: Option<&'static str>,
}

impl FieldErrors {
    /// Each refused field with its message key, in the form's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        [
            ("status", self.status),
            ("achieved", self.achieved),
            ("spent", self.spent),
            ("as_of", self.as_of),
            ("comment", self.comment),
        ]
        .into_iter()
        .filter_map(|(field, key)| Some((field, key?)))
    }

    fn any(&self) -> bool {
        self.status.is_some()
            || self.achieved.is_some()
            || self.spent.is_some()
            || self.as_of.is_some()
            || self.comment.is_some()
    }
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    ctx: Ctx,
    activity: ActivityDetail,
    /// The state as of today: the latest update dated today or before.
    current: Option<ProgressRow>,
    history: Vec<ProgressRow>,
    /// The files and links attached to the updates of the history.
    evidence: EvidencePanel,
    /// The entry form, for those who may edit.
    form: Option<ProgressInput>,
    errors: FieldErrors,
    /// On a conflict: the update saved meanwhile by someone else (none when
    /// the one the form was loaded with is gone).
    conflict: Option<Option<ProgressRow>>,
    statuses: &'static [Status],
    today: NaiveDate,
}

impl ActivityPage {
    /// The most recent update, when it is not counted (waiting or rejected):
    /// what its author must know about first.
    fn latest_uncounted(&self) -> Option<&ProgressRow> {
        self.history.first().filter(|u| !u.counted())
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(activity, user): Readable<ActivityDetail>,
) -> Result<Response, AppError> {
    let history = activities::history(&state.db, activity.id).await?;
    let evidence = EvidencePanel::load(&state, activity.id, activity.agency_id, &user).await?;
    let today = state.today();
    let form = user
        .can_edit(activity.agency_id)
        .then(|| blank_form(&history, entry_date(activity.end_year, today)));
    let page = ActivityPage::new(ctx, activity, history, evidence, form, today);
    Ok(render(&page)?.into_response())
}

/// The page again after a refused evidence form (attaching to `update`, or
/// withdrawing one of its attachments), with its message beside that form.
pub(super) async fn refused_evidence(
    state: &AppState,
    ctx: Ctx,
    update: &UpdateRef,
    user: &CurrentUser,
    refusal: Refusal,
    status: StatusCode,
) -> Result<Response, AppError> {
    let activity = activities::find(&state.db, update.activity_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = activities::history(&state.db, activity.id).await?;
    let mut evidence = EvidencePanel::load(state, activity.id, activity.agency_id, user).await?;
    evidence.refused = Some(refusal);
    let today = state.today();
    let form = Some(blank_form(&history, entry_date(activity.end_year, today)));
    let page = ActivityPage::new(ctx, activity, history, evidence, form, today);
    Ok((status, render(&page)?).into_response())
}

pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(activity, user): Editable<ActivityDetail>,
    CsrfForm(input): CsrfForm<ProgressInput>,
) -> Result<Response, AppError> {
    let today = state.today();
    let base = match input.base.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::bad_request("error.bad_request"))?,
        ),
    };
    let update = match validate(&input, &activity, today) {
        Ok(update) => update,
        Err(errors) => {
            let history = activities::history(&state.db, activity.id).await?;
            let evidence =
                EvidencePanel::load(&state, activity.id, activity.agency_id, &user).await?;
            let mut page = ActivityPage::new(ctx, activity, history, evidence, Some(input), today);
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let outcome = activities::record(&state.db, &activity, base, &update, recorder(&user)).await?;
    match outcome {
        RecordOutcome::Recorded(row) => {
            tracing::info!(activity = activity.id, update = row.id, "progress recorded");
            Ok(Redirect::to(&format!("/activities/{}", activity.id)).into_response())
        }
        RecordOutcome::Frozen { .. } => {
            let history = activities::history(&state.db, activity.id).await?;
            let evidence =
                EvidencePanel::load(&state, activity.id, activity.agency_id, &user).await?;
            let mut page = ActivityPage::new(ctx, activity, history, evidence, Some(input), today);
            page.errors.as_of = Some("error.progress.frozen");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        RecordOutcome::Conflict { latest } => {
            let history = activities::history(&state.db, activity.id).await?;
            let evidence =
                EvidencePanel::load(&state, activity.id, activity.agency_id, &user).await?;
            // Their values again, now based on what is saved, so that a
            // resubmit is a deliberate choice over the newer update.
            let retry = ProgressInput {
                base: latest
                    .as_ref()
                    .map(|l| l.id.to_string())
                    .unwrap_or_default(),
                ..input
            };
            let mut page = ActivityPage::new(ctx, activity, history, evidence, Some(retry), today);
            page.conflict = Some(latest);
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
    }
}

impl ActivityPage {
    fn new(
        ctx: Ctx,
        activity: ActivityDetail,
        history: Vec<ProgressRow>,
        evidence: EvidencePanel,
        form: Option<ProgressInput>,
        today: NaiveDate,
    ) -> ActivityPage {
        let current = current_state(&history, today).cloned();
        ActivityPage {
            ctx,
            activity,
            current,
            history,
            evidence,
            form,
            errors: FieldErrors::default(),
            conflict: None,
            statuses: Status::ALL,
            today,
        }
    }

    /// The plan's years, for the message about a date outside them.
    fn years(&self) -> String {
        if self.activity.start_year == self.activity.end_year {
            self.activity.start_year.to_string()
        } else {
            format!("{}-{}", self.activity.start_year, self.activity.end_year)
        }
    }
}

/// The signed-in user as the author of progress updates (the form, the grid
/// and the progress import alike).
pub(super) fn recorder(user: &CurrentUser) -> Recorder<'_> {
    Recorder {
        user_id: user.user.id,
        name: &user.user.display_name,
        is_admin: user.user.is_admin,
    }
}

/// The state as of `today`: the latest counted update dated on or before
/// it (one waiting for validation, or rejected, is not the state yet).
fn current_state(history: &[ProgressRow], today: NaiveDate) -> Option<&ProgressRow> {
    let counted: Vec<&ProgressRow> = history.iter().filter(|u| u.counted()).collect();
    performance::latest_as_of(&counted, today, |u| (u.as_of, u.id)).copied()
}

/// The date a new update gets by default: today, or the plan's last day for
/// a plan that is over (a late entry for it must fall within its years).
pub(super) fn entry_date(plan_end_year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(plan_end_year, 12, 31).map_or(today, |end| end.min(today))
}

/// The form as first shown: the current values, dated `as_of`, based on the
/// most recently recorded update. After a rejection or while one waits, the
/// form starts from that update instead, so that its author corrects it
/// rather than types it again.
fn blank_form(history: &[ProgressRow], as_of: NaiveDate) -> ProgressInput {
    let latest = history.first().filter(|u| !u.counted());
    let current = latest
        .or_else(|| current_state(history, as_of))
        .map(|c| (c.status, c.achieved, c.spent));
    let mut form = blank_values(current, history.first().map(|u| u.id), as_of);
    if let Some(comment) = latest.and_then(|u| u.comment.clone()) {
        form.comment = comment;
    }
    form
}

/// A form filled with the current state (status, achieved, spent), dated
/// today, based on the update `base`; the bulk grid fills its rows alike.
pub(super) fn blank_values(
    current: Option<(Status, Option<rust_decimal::Decimal>, Option<i64>)>,
    base: Option<i64>,
    today: NaiveDate,
) -> ProgressInput {
    let (status, achieved, spent) = current.unwrap_or((Status::NotStarted, None, None));
    ProgressInput {
        status: status.as_str().to_owned(),
        achieved: achieved
            .map(|a| a.normalize().to_string())
            .unwrap_or_default(),
        spent: spent.map(|s| s.to_string()).unwrap_or_default(),
        as_of: today.to_string(),
        comment: String::new(),
        base: base.map(|id| id.to_string()).unwrap_or_default(),
    }
}

/// Checks every field, so that all the problems show at once (the form,
/// the grid, and the API with the same messages).
pub(crate) fn validate(
    input: &ProgressInput,
    activity: &ActivityDetail,
    today: NaiveDate,
) -> Result<NewProgress, FieldErrors> {
    let mut errors = FieldErrors::default();
    let status = input.status.parse::<Status>().map_err(|e| e.key());
    let achieved = optional(&input.achieved, domain::parse_quantity);
    let spent = optional(&input.spent, |text| Fcfa::parse(text).map(|f| f.0));
    let as_of = match domain::parse_iso_date(&input.as_of) {
        None if input.as_of.trim().is_empty() => Err("error.value.empty"),
        None => Err("error.bad_date"),
        Some(date) if date > today => Err("error.progress.future"),
        Some(date) if date.year() < activity.start_year || date.year() > activity.end_year => {
            Err("error.progress.outside_plan")
        }
        Some(date) => Ok(date),
    };
    let comment = input.comment.trim();
    if comment.chars().count() > COMMENT_MAX_CHARS {
        errors.comment = Some("error.progress.comment_too_long");
    }
    errors.status = status.err();
    errors.achieved = achieved.err();
    errors.spent = spent.err();
    errors.as_of = as_of.err();
    match (status, achieved, spent, as_of) {
        (Ok(status), Ok(achieved), Ok(spent), Ok(as_of)) if !errors.any() => Ok(NewProgress {
            as_of,
            status,
            achieved,
            spent,
            comment: (!comment.is_empty()).then(|| comment.to_owned()),
        }),
        _ => Err(errors),
    }
}

/// An optional number: empty means "not given".
fn optional<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, domain::ParseError>,
) -> Result<Option<T>, &'static str> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some).map_err(|e| e.key())
    }
}
