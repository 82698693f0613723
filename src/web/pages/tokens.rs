//! The signed-in user's personal API tokens (`/account/tokens`): the list
//! with each token's use, a form to create one (its secret shown once, on
//! the answer to that form), and revoking. Admins also see every live
//! token and may revoke any.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use tower_sessions::Session;

use super::confirm::ConfirmPage;
use super::render;
use crate::store::api_tokens::{self, Scope, Token};
use crate::store::audit::Actor;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{self, CsrfForm};
use crate::web::extract::Id;
use crate::web::{AppError, AppState, Ctx};

/// The longest a token may live; tokens do not last forever.
const MAX_DAYS: i64 = 365;
const LABEL_MAX: usize = 100;

#[derive(Debug, Clone, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

impl Default for TokenForm {
    fn default() -> TokenForm {
        TokenForm {
            label: String::new(),
            scope: "read".into(),
            days: "90".into(),
        }
    }
}

#[derive(Default)]
struct TokenErrors {
    label: Option<&'static str>,
    scope: Option<&'static str>,
    days: Option<&'static str>,
}

struct TokenRow {
    token: Token,
    owner: String,
    state_key: &'static str,
}

struct TokenTable {
    id: &'static str,
    with_owner: bool,
    rows: Vec<TokenRow>,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: Ctx,
    created: Option<String>,
    form: TokenForm,
    errors: TokenErrors,
    tables: Vec<TokenTable>,
}

fn state_key(token: &Token) -> &'static str {
    if token.revoked_at.is_some() {
        "tokens.revoked"
    } else if token.expires_at <= Utc::now() {
        "tokens.expired"
    } else {
        "tokens.live"
    }
}

async fn page(
    state: &AppState,
    mut ctx: Ctx,
    session: &Session,
    user: &CurrentUser,
    created: Option<String>,
    form: TokenForm,
    errors: TokenErrors,
) -> Result<String, AppError> {
    ctx.csrf = Some(csrf::token(session).await?);
    let own = api_tokens::list_for_user(&state.db, user.user.id).await?;
    let mut tables = vec![TokenTable {
        id: "tokens",
        with_owner: false,
        rows: own
            .into_iter()
            .map(|token| TokenRow {
                state_key: state_key(&token),
                owner: user.user.login.clone(),
                token,
            })
            .collect(),
    }];
    if user.user.is_admin {
        let all = api_tokens::list_live(&state.db).await?;
        tables.push(TokenTable {
            id: "all-tokens",
            with_owner: true,
            rows: all
                .into_iter()
                .filter(|(token, _)| token.user_id != user.user.id)
                .map(|(token, owner)| TokenRow {
                    state_key: state_key(&token),
                    owner,
                    token,
                })
                .collect(),
        });
    }
    Ok(render(&TokensPage {
        ctx,
        created,
        form,
        errors,
        tables,
    })?
    .0)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let html = page(
        &state,
        ctx,
        &session,
        &user,
        None,
        TokenForm::default(),
        TokenErrors::default(),
    )
    .await?;
    Ok(axum::response::Html(html).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    let mut errors = TokenErrors::default();
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > LABEL_MAX {
        errors.label = Some("tokens.error.label");
    }
    let scope = Scope::parse(&form.scope);
    if scope.is_none() {
        errors.scope = Some("tokens.error.scope");
    }
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d));
    if days.is_none() {
        errors.days = Some("tokens.error.days");
    }
    let (Some(scope), Some(days), None) = (scope, days, errors.label) else {
        let html = page(&state, ctx, &session, &user, None, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::response::Html(html)).into_response());
    };
    let expires_at = Utc::now() + Duration::days(days);
    let (token, secret) = api_tokens::create(
        &state.db,
        user.user.id,
        label,
        scope,
        expires_at,
        Actor::User(user.user.id),
    )
    .await?;
    tracing::info!(token = token.id, user = user.user.id, "API token created");
    // Shown once, on this answer (not a redirect): it is kept nowhere.
    let html = page(
        &state,
        ctx,
        &session,
        &user,
        Some(secret),
        TokenForm::default(),
        TokenErrors::default(),
    )
    .await?;
    Ok(axum::response::Html(html).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {}

/// A token the signed-in user may revoke: their own, or any for an admin;
/// someone else's is refused as if it were not there to see.
async fn revocable(state: &AppState, user: &CurrentUser, id: i64) -> Result<Token, AppError> {
    let token = api_tokens::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if token.user_id != user.user.id && !user.user.is_admin {
        return Err(AppError::forbidden("tokens.forbidden"));
    }
    Ok(token)
}

/// The confirmation page of revoking a token (a revoked token cannot be
/// brought back): the list links here, only its form revokes.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let token = revocable(&state, &user, id).await?;
    let page = ConfirmPage {
        heading_key: "tokens.revoke_confirm",
        item: format!("{} · {}", token.label, ctx.t(token.scope().label_key())),
        explain_key: "tokens.revoke_explain",
        action: format!("/account/tokens/{}/revoke", token.id),
        button_key: "tokens.revoke",
        back: "/account/tokens".into(),
        fields: Vec::new(),
        ctx,
    };
    Ok(render(&page)?.into_response())
}

/// Revokes a token (see `revocable` for whose).
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<RevokeForm>,
) -> Result<Response, AppError> {
    let token = revocable(&state, &user, id).await?;
    api_tokens::revoke(&state.db, token.id, user.user.id).await?;
    tracing::info!(token = token.id, by = user.user.id, "API token revoked");
    Ok(Redirect::to("/account/tokens").into_response())
}
