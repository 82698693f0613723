//! The pages about mail: "Mot de passe oublié" (ask for a link, then use it
//! once), the signed-in user's mail settings (address, language, the kinds
//! turned off), and the admins' mail page: the outbox, and how many days
//! before a cutoff each agency's editors are reminded. Messages themselves are
//! queued in `store::mail` and sent by `mail`.

use std::time::Instant;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::forms::FieldErrors;
use super::login::with_cookie;
use super::render;
use crate::passwords;
use crate::store::mail::{
    self as store, OutboxRow, ReminderSetting, SettingsSave, OPTIONAL_KINDS, REMINDER_DAYS,
};
use crate::web::auth::{Admin, CurrentUser};
use crate::web::client_address::ClientAddress;
use crate::web::csrf::{self, CsrfForm};
use crate::web::{AppError, AppState, Ctx};

#[derive(Template)]
#[template(path = "mail/forgot.html")]
struct ForgotPage {
    ctx: Ctx,
    sent: bool,
}

pub async fn forgot_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let token = csrf::form_token(&session, &headers, state.config.secure_cookies).await?;
    ctx.csrf = Some(token.token);
    let page = render(&ForgotPage { ctx, sent: false })?;
    Ok(with_cookie(page.into_response(), token.cookie))
}

#[derive(Debug, Deserialize)]
pub struct ForgotInput {
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address is known (nothing tells a
/// visitor which addresses have accounts); limited per address and per
/// account (`store::mail::request_reset`).
pub async fn forgot_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddress(address): ClientAddress,
    CsrfForm(input): CsrfForm<ForgotInput>,
) -> Result<Response, AppError> {
    state
        .reset_limiter
        .check(address, Instant::now())
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let email = input.email.trim();
    if email.contains('@') && email.len() <= 254 {
        let token = csrf::random_token()?;
        let digest = crate::dashboard::digest_of(&token);
        store::request_reset(&state.db, email, &token, &digest).await?;
    }
    Ok(render(&ForgotPage { ctx, sent: true })?.into_response())
}

#[derive(Template)]
#[template(path = "mail/reset.html")]
struct ResetPage {
    ctx: Ctx,
    token: String,
    /// The link is unknown, used or expired.
    invalid: bool,
    done: bool,
    errors: FieldErrors,
}

fn reset_page(
    ctx: Ctx,
    token: String,
    invalid: bool,
    done: bool,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let status = if invalid {
        StatusCode::GONE
    } else {
        errors.status()
    };
    let page = ResetPage {
        ctx,
        token,
        invalid,
        done,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn reset_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let valid = store::reset_is_valid(&state.db, &crate::dashboard::digest_of(&token)).await?;
    let form = csrf::form_token(&session, &headers, state.config.secure_cookies).await?;
    ctx.csrf = Some(form.token);
    let page = reset_page(ctx, token, !valid, false, FieldErrors::default())?;
    Ok(with_cookie(page, form.cookie))
}

#[derive(Debug, Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(input): CsrfForm<ResetInput>,
) -> Result<Response, AppError> {
    let digest = crate::dashboard::digest_of(&token);
    if !store::reset_is_valid(&state.db, &digest).await? {
        return reset_page(ctx, token, true, false, FieldErrors::default());
    }
    let mut errors = FieldErrors::default();
    if let Err(key) = passwords::check_new(&input.new) {
        errors.set("new", key);
    }
    if input.new != input.confirm {
        errors.set("confirm", "error.password.mismatch");
    }
    if !errors.is_empty() {
        return reset_page(ctx, token, false, false, errors);
    }
    let new = input.new;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&new))
        .await
        .map_err(|error| AppError::Internal(error.into()))??;
    // Used meanwhile by another request: the link is spent all the same.
    let done = store::reset_password(&state.db, &digest, &hash).await?;
    reset_page(ctx, token, !done, done, FieldErrors::default())
}

#[derive(Template)]
#[template(path = "mail/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    email: String,
    lang: String,
    off: Vec<String>,
    kinds: [&'static str; 4],
    saved: bool,
    errors: FieldErrors,
}

impl SettingsPage {
    fn is_on(&self, kind: &str) -> bool {
        !self.off.iter().any(|k| k == kind)
    }
}

pub async fn settings_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    session: Session,
    user: CurrentUser,
) -> Result<Response, AppError> {
    ctx.csrf = Some(csrf::token(&session).await?);
    let settings = store::settings(&state.db, user.user.id).await?;
    let page = SettingsPage {
        ctx,
        email: settings.email.unwrap_or_default(),
        lang: settings.lang,
        off: settings.off,
        kinds: OPTIONAL_KINDS,
        saved: false,
        errors: FieldErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct SettingsInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    lang: String,
    reminder: Option<String>,
    sealed: Option<String>,
    digest: Option<String>,
    rejection: Option<String>,
}

pub async fn settings_submit(
    State(state): State<AppState>,
    mut ctx: Ctx,
    session: Session,
    user: CurrentUser,
    CsrfForm(input): CsrfForm<SettingsInput>,
) -> Result<Response, AppError> {
    ctx.csrf = Some(csrf::token(&session).await?);
    let mut errors = FieldErrors::default();
    let email = input.email.trim();
    let valid_email = email.is_empty()
        || (email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.contains('@')
                    && !email.chars().any(char::is_whitespace)
            }));
    if !valid_email {
        errors.set("email", "mail.settings.bad_email");
    }
    let lang = match input.lang.as_str() {
        "fr" | "en" => input.lang.clone(),
        _ => {
            errors.set("lang", "error.value.unknown");
            "fr".to_owned()
        }
    };
    let chosen = [
        ("reminder", &input.reminder),
        ("sealed", &input.sealed),
        ("digest", &input.digest),
        ("rejection", &input.rejection),
    ];
    let off: Vec<&str> = chosen
        .iter()
        .filter(|(_, on)| on.is_none())
        .map(|(kind, _)| *kind)
        .collect();
    if errors.is_empty() {
        let address = (!email.is_empty()).then_some(email);
        if store::save_settings(&state.db, user.user.id, address, &lang, &off).await?
            == SettingsSave::AddressTaken
        {
            errors.set("email", "mail.settings.email_taken");
        }
    }
    let status = errors.status();
    let page = SettingsPage {
        saved: errors.is_empty(),
        ctx,
        email: email.to_owned(),
        lang,
        off: off.iter().map(|k| (*k).to_owned()).collect(),
        kinds: OPTIONAL_KINDS,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    ctx: Ctx,
    sends: bool,
    rows: Vec<OutboxRow>,
    agencies: Vec<ReminderSetting>,
    /// The agency whose days were refused, with what was typed.
    refused: Option<(String, String)>,
    errors: FieldErrors,
}

impl OutboxPage {
    /// The days shown in an agency's field: what was typed if refused.
    fn days_of(&self, agency: &ReminderSetting) -> String {
        match &self.refused {
            Some((code, typed)) if *code == agency.code => typed.clone(),
            _ => agency.reminder_days.to_string(),
        }
    }

    fn is_refused(&self, agency: &ReminderSetting) -> bool {
        self.refused
            .as_ref()
            .is_some_and(|(code, _)| *code == agency.code)
    }

    fn min_days(&self) -> i32 {
        *REMINDER_DAYS.start()
    }

    fn max_days(&self) -> i32 {
        *REMINDER_DAYS.end()
    }
}

async fn outbox_page(
    state: &AppState,
    ctx: Ctx,
    refused: Option<(String, String)>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let status = errors.status();
    let page = OutboxPage {
        ctx,
        sends: state.config.mail_sends,
        rows: store::recent(&state.db, 200).await?,
        agencies: store::reminder_settings(&state.db).await?,
        refused,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn outbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
) -> Result<Response, AppError> {
    outbox_page(&state, ctx, None, FieldErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct ReminderInput {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    reminder_days: String,
}

/// An admin sets how many days before a cutoff an agency's reminder goes.
pub async fn set_reminder_days(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(admin): Admin,
    CsrfForm(input): CsrfForm<ReminderInput>,
) -> Result<Response, AppError> {
    let agency = crate::store::agencies::find_by_code(&state.db, input.agency.trim())
        .await?
        .ok_or(AppError::BadField {
            key: "mail.error.agency",
            field: "agency".to_owned(),
        })?;
    let days = input
        .reminder_days
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|days| REMINDER_DAYS.contains(days));
    let Some(days) = days else {
        let mut errors = FieldErrors::default();
        errors.set("reminder_days", "mail.error.reminder_days");
        let refused = Some((agency.code, input.reminder_days));
        return outbox_page(&state, ctx, refused, errors).await;
    };
    store::set_reminder_days(&state.db, agency.id, days, admin.user.id).await?;
    Ok(Redirect::to("/admin/mail#reminders").into_response())
}
