//! Signing in and out. A failed login says the same thing whether the login or
//! the password was wrong, and takes the same time (a dummy hash is checked
//! for unknown logins), so that nobody can find out which accounts exist.
//! Too many failures and attempts are refused (429, `Retry-After`) without
//! checking the password; which failures count, and where, is the policy of
//! `store::login_attempts` (per account and address, a growing delay for the
//! account, per address for logins not known there).

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::lang::is_local_path;
use super::render;
use crate::passwords;
use crate::store::login_attempts::{self, Attempt};
use crate::store::users;
use crate::web::auth::{USER_ADMIN_KEY, USER_GENERATION_KEY, USER_KEY, USER_NAME_KEY};
use crate::web::client_address::ClientAddress;
use crate::web::csrf::{self, CsrfForm};
use crate::web::{AppError, AppState, Ctx};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    login: String,
    next: String,
    failure: Option<Failure>,
}

/// Why the form is shown again: `reason` for machines, `message` for people.
struct Failure {
    reason: &'static str,
    message: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    // An anonymous visitor's token goes in a cookie, not in a session row.
    let token = csrf::form_token(&session, &headers, state.config.secure_cookies).await?;
    ctx.csrf = Some(token.token);
    let page = render(&LoginPage {
        ctx,
        login: String::new(),
        next: local_or_home(query.next),
        failure: None,
    })?;
    Ok(with_cookie(page.into_response(), token.cookie))
}

/// A wait in whole seconds, rounded up (at least 1).
pub(super) fn whole_seconds(wait: chrono::Duration) -> i64 {
    ((wait.num_milliseconds() + 999) / 1000).max(1)
}

/// How long to wait, as people read it: seconds under a minute, else minutes
/// rounded up ("15 min").
pub(super) fn wait_text(seconds: i64) -> String {
    if seconds < 60 {
        format!("{} s", seconds.max(1))
    } else {
        format!("{} min", (seconds + 59) / 60)
    }
}

/// A refusal's `Retry-After`, in seconds, for clients that read it.
pub(super) fn with_retry_after(mut response: Response, seconds: i64) -> Result<Response, AppError> {
    let value = HeaderValue::from_str(&seconds.max(1).to_string())
        .map_err(|error| AppError::Internal(error.into()))?;
    response.headers_mut().insert(header::RETRY_AFTER, value);
    Ok(response)
}

/// Adds a `Set-Cookie` to a response, next to the session layer's own.
pub(super) fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    CsrfForm(mut form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let again = Again {
        session: &session,
        headers: &headers,
        secure: state.config.secure_cookies,
    };
    let login = login_attempts::login_key(&form.login);
    let address = address.map(login_attempts::address_key);
    let limits = state.config.login_limits;
    let attempt = match login_attempts::begin(&state.db, &login, address.as_deref(), limits).await?
    {
        Attempt::Allowed(id) => id,
        Attempt::Refused { retry_after, rule } => {
            tracing::warn!(%login, ?address, ?rule, "sign-in refused: too many failures");
            let seconds = whole_seconds(retry_after);
            let message = ctx.t_with("login.too_many", &[("wait", &wait_text(seconds))]);
            let response = show_again(
                ctx,
                &again,
                form,
                StatusCode::TOO_MANY_REQUESTS,
                Failure {
                    reason: "too_many",
                    message,
                },
            )
            .await?;
            return with_retry_after(response, seconds);
        }
    };
    let credentials = users::credentials_by_login(&state.db, &login).await?;
    let stored = credentials
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = std::mem::take(&mut form.password);
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password, &stored))
        .await
        .map_err(|error| AppError::Internal(error.into()))?;
    match credentials.filter(|_| matches) {
        // The password proves who asks: saying the account is disabled
        // tells them nothing they could not know. It still counts as a
        // failure.
        Some(credentials) if credentials.disabled => {
            tracing::info!(%login, "sign-in to a disabled account");
            let message = ctx.t("login.disabled").into_owned();
            show_again(
                ctx,
                &again,
                form,
                StatusCode::FORBIDDEN,
                Failure {
                    reason: "disabled",
                    message,
                },
            )
            .await
        }
        Some(credentials) => {
            login_attempts::succeeded(&state.db, attempt, &login, address.as_deref()).await?;
            // A new session id at login: an id planted before cannot be reused.
            session.cycle_id().await?;
            session.insert(USER_KEY, credentials.user.id).await?;
            session
                .insert(USER_NAME_KEY, &credentials.user.display_name)
                .await?;
            session
                .insert(USER_ADMIN_KEY, credentials.user.is_admin)
                .await?;
            session
                .insert(USER_GENERATION_KEY, credentials.session_generation)
                .await?;
            csrf::rotate(&session).await?;
            tracing::info!(login = %credentials.user.login, "signed in");
            let redirect = Redirect::to(&local_or_home(Some(form.next))).into_response();
            // The session's token takes over from the anonymous one.
            let clear = csrf::clear_form_cookie(state.config.secure_cookies)?;
            Ok(with_cookie(redirect, Some(clear)))
        }
        None => {
            tracing::info!(%login, ?address, "failed login");
            let message = ctx.t("login.failed").into_owned();
            show_again(
                ctx,
                &again,
                form,
                StatusCode::UNAUTHORIZED,
                Failure {
                    reason: "wrong",
                    message,
                },
            )
            .await
        }
    }
}

/// What showing the form again needs to give it a token.
struct Again<'a> {
    session: &'a Session,
    headers: &'a HeaderMap,
    secure: bool,
}

/// The form again, with the login as typed (never the password), and the
/// same token (still anonymous: no session is stored for a failure).
async fn show_again(
    mut ctx: Ctx,
    again: &Again<'_>,
    form: LoginForm,
    status: StatusCode,
    failure: Failure,
) -> Result<Response, AppError> {
    let token = csrf::form_token(again.session, again.headers, again.secure).await?;
    ctx.csrf = Some(token.token);
    let page = render(&LoginPage {
        ctx,
        login: form.login,
        next: local_or_home(Some(form.next)),
        failure: Some(failure),
    })?;
    Ok(with_cookie((status, page).into_response(), token.cookie))
}

pub async fn logout(
    session: Session,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // Deletes the row in PostgreSQL and expires the cookie.
    session.flush().await?;
    Ok(Redirect::to("/").into_response())
}

fn local_or_home(next: Option<String>) -> String {
    next.filter(|n| is_local_path(n) && !n.starts_with("/login"))
        .unwrap_or_else(|| "/".to_owned())
}

/// A hash of nothing anyone can type, checked for unknown logins so that they
/// take as long as wrong passwords.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| passwords::hash("\u{0}unknown login\u{0}").unwrap_or_default())
}
