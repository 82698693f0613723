//! The signed-in user's own account: changing their password (the current one
//! is required, so a session left open on a shared office PC is not enough).
//! Wrong current passwords count like failed sign-ins, under the same limits
//! (`store::login_attempts`): an open session is no way around them. A new
//! password ends the account's other sessions; this one stays signed in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::login::{wait_text, whole_seconds, with_retry_after};
use super::render;
use crate::passwords;
use crate::store::audit::Actor;
use crate::store::login_attempts::{self, Attempt};
use crate::store::users;
use crate::web::auth::{CurrentUser, USER_GENERATION_KEY};
use crate::web::client_address::ClientAddress;
use crate::web::csrf::{self, CsrfForm};
use crate::web::{AppError, AppState, Ctx};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    ctx: Ctx,
    login: String,
    errors: PasswordErrors,
    changed: bool,
    /// Refused before checking anything: too many wrong current passwords.
    too_many: Option<String>,
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
        too_many: None,
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
    session: Session,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let login = login_attempts::login_key(&user.user.login);
    let address = address.map(login_attempts::address_key);
    let limits = state.config.login_limits;
    let attempt = match login_attempts::begin(&state.db, &login, address.as_deref(), limits).await?
    {
        Attempt::Allowed(id) => id,
        Attempt::Refused { retry_after, rule } => {
            tracing::warn!(%login, ?address, ?rule, "password change refused: too many failures");
            let seconds = whole_seconds(retry_after);
            let message = ctx.t_with(
                "account.password.too_many",
                &[("wait", &wait_text(seconds))],
            );
            let page = render(&PasswordPage {
                ctx,
                login: user.user.login,
                errors: PasswordErrors::default(),
                changed: false,
                too_many: Some(message),
            })?;
            return with_retry_after(
                (StatusCode::TOO_MANY_REQUESTS, page).into_response(),
                seconds,
            );
        }
    };
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
    if current_ok {
        login_attempts::succeeded(&state.db, attempt, &login, address.as_deref()).await?;
    } else {
        // The attempt's row stays: a failure, as for a sign-in.
        tracing::info!(%login, ?address, "wrong current password");
        errors.current = Some("error.password.wrong_current");
    }
    if errors.any() {
        let page = render(&PasswordPage {
            ctx,
            login: user.user.login,
            errors,
            changed: false,
            too_many: None,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new = form.new;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&new))
        .await
        .map_err(|error| AppError::Internal(error.into()))??;
    let generation =
        users::change_password(&state.db, user.user.id, &hash, Actor::User(user.user.id))
            .await?
            .ok_or(AppError::NotFound)?;
    // Every other session of the account is over at its next request; this
    // one goes on under the new generation, with a new id all the same.
    session.cycle_id().await?;
    session.insert(USER_GENERATION_KEY, generation).await?;
    tracing::info!(%login, "password changed, other sessions ended");
    Ok(render(&PasswordPage {
        ctx,
        login: user.user.login,
        errors: PasswordErrors::default(),
        changed: true,
        too_many: None,
    })?
    .into_response())
}
