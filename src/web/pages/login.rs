//! Signing in and out. A failed login says the same thing whether the login or
//! the password was wrong, and takes the same time (a dummy hash is checked
//! for unknown logins), so that nobody can find out which accounts exist.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::lang::is_local_path;
use super::render;
use crate::passwords;
use crate::store::users;
use crate::web::auth::{USER_KEY, USER_NAME_KEY};
use crate::web::csrf::{self, CsrfForm};
use crate::web::{AppError, AppState, Ctx};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    login: String,
    next: String,
    failed: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(
    mut ctx: Ctx,
    session: Session,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    ctx.csrf = Some(csrf::token(&session).await?);
    Ok(render(&LoginPage {
        ctx,
        login: String::new(),
        next: local_or_home(query.next),
        failed: false,
    })?
    .into_response())
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
    mut ctx: Ctx,
    session: Session,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let login = form.login.trim().to_lowercase();
    let credentials = users::credentials_by_login(&state.db, &login).await?;
    let stored = credentials
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = form.password;
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password, &stored))
        .await
        .map_err(|error| AppError::Internal(error.into()))?;
    match credentials.filter(|_| matches) {
        Some(credentials) => {
            // A new session id at login: an id planted before cannot be reused.
            session.cycle_id().await?;
            session.insert(USER_KEY, credentials.user.id).await?;
            session
                .insert(USER_NAME_KEY, &credentials.user.display_name)
                .await?;
            csrf::rotate(&session).await?;
            tracing::info!(login = %credentials.user.login, "signed in");
            Ok(Redirect::to(&local_or_home(Some(form.next))).into_response())
        }
        None => {
            tracing::info!(%login, "failed login");
            ctx.csrf = Some(csrf::token(&session).await?);
            let page = render(&LoginPage {
                ctx,
                login: form.login,
                next: local_or_home(Some(form.next)),
                failed: true,
            })?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
    }
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
