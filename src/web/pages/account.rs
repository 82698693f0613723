//! The signed-in user's own account: changing their password (the current one
//! is required, so a session left open on a shared office PC is not enough).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::render;
use crate::passwords;
use crate::store::{audit, users};
use crate::web::auth::CurrentUser;
use crate::web::csrf::{self, CsrfForm};
use crate::web::{AppError, AppState, Ctx};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    ctx: Ctx,
    login: String,
    errors: PasswordErrors,
    changed: bool,
}

#[derive(Default)]
struct PasswordErrors {
    current: Option<&'static str>,
    new: Option<&'static str>,
    confirm: Option<&'static str>,
}

impl PasswordErrors {
    fn any(&self) -> bool {
        self.current.is_some() || self.new.is_some() || self.confirm.is_some()
    }
}

pub async fn form(mut ctx: Ctx, session: Session, user: CurrentUser) -> Result<Response, AppError> {
    ctx.csrf = Some(csrf::token(&session).await?);
    Ok(render(&PasswordPage {
        ctx,
        login: user.user.login,
        errors: PasswordErrors::default(),
        changed: false,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let credentials = users::credentials(&state.db, user.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = PasswordErrors {
        new: passwords::check_new(&form.new).err(),
        confirm: (form.new != form.confirm).then_some("error.password.mismatch"),
        ..PasswordErrors::default()
    };
    let current = form.current;
    let stored = credentials.password_hash;
    let current_ok = tokio::task::spawn_blocking(move || passwords::verify(&current, &stored))
        .await
        .map_err(|error| AppError::Internal(error.into()))?;
    if !current_ok {
        errors.current = Some("error.password.wrong_current");
    }
    if errors.any() {
        let page = render(&PasswordPage {
            ctx,
            login: user.user.login,
            errors,
            changed: false,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new = form.new;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&new))
        .await
        .map_err(|error| AppError::Internal(error.into()))??;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut *tx, user.user.id, &hash).await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user.user.id),
            action: "user.password_changed",
            object_type: "user",
            object_id: Some(user.user.id),
            agency_id: None,
            // Never the hashes: the log is read by more people than the table.
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(render(&PasswordPage {
        ctx,
        login: user.user.login,
        errors: PasswordErrors::default(),
        changed: true,
    })?
    .into_response())
}
