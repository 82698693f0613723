//! Publishing a plan or a sealed session on the public pages, and taking it
//! off: admins always, the agency's editors when an admin allowed them
//! (`agencies.editors_may_publish`, on `/admin/publications`). The private
//! plan and session pages show the button to those who may.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::store::agencies::Agency;
use crate::store::audit::Actor;
use crate::store::plans::Plan;
use crate::store::publications::{self, AgencySetting, Published, Target};
use crate::store::sessions::BoardSession;
use crate::web::auth::{Admin, CurrentUser};
use crate::web::csrf::CsrfForm;
use crate::web::extract::Readable;
use crate::web::pages::render;
use crate::web::{AppError, AppState, Ctx};

/// Whether the user may publish the agency's plans and sessions.
pub async fn may_publish(
    state: &AppState,
    user: &CurrentUser,
    agency_id: i64,
) -> Result<bool, AppError> {
    Ok(user.user.is_admin
        || (user.can_edit(agency_id)
            && publications::editors_may_publish(&state.db, agency_id).await?))
}

/// What the private page needs to show its publication button.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicationState {
    pub may_publish: bool,
    pub published: bool,
}

impl PublicationState {
    pub async fn of(
        state: &AppState,
        user: &CurrentUser,
        agency_id: i64,
        target: Target,
    ) -> Result<PublicationState, AppError> {
        Ok(PublicationState {
            may_publish: may_publish(state, user, agency_id).await?,
            published: publications::is_published(&state.db, target).await?,
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct PublishInput {
    /// `true` to publish, `false` to take off.
    #[serde(default)]
    publish: String,
    /// A ticked box (`on`): the public page shows the updates' comments.
    show_comments: Option<String>,
}

async fn apply(
    state: &AppState,
    user: &CurrentUser,
    agency_id: i64,
    target: Target,
    input: &PublishInput,
) -> Result<(), AppError> {
    if !may_publish(state, user, agency_id).await? {
        return Err(AppError::forbidden("public.forbidden_publish"));
    }
    let actor = Actor::User(user.user.id);
    match input.publish.as_str() {
        "true" => {
            let comments = input.show_comments.is_some();
            publications::publish(&state.db, target, agency_id, comments, actor).await?
        }
        "false" => publications::unpublish(&state.db, target, agency_id, actor).await?,
        _ => return Err(AppError::bad_request("error.bad_request")),
    };
    Ok(())
}

pub async fn plan(
    State(state): State<AppState>,
    Readable(plan, user): Readable<Plan>,
    CsrfForm(input): CsrfForm<PublishInput>,
) -> Result<Response, AppError> {
    apply(&state, &user, plan.agency_id, Target::Plan(plan.id), &input).await?;
    Ok(Redirect::to(&format!("/plans/{}", plan.id)).into_response())
}

pub async fn session(
    State(state): State<AppState>,
    Readable(session, user): Readable<BoardSession>,
    CsrfForm(input): CsrfForm<PublishInput>,
) -> Result<Response, AppError> {
    // Only sealed figures go public: a planned session's would still move.
    if input.publish == "true" && !session.is_sealed() {
        if !may_publish(&state, &user, session.agency_id).await? {
            return Err(AppError::forbidden("public.forbidden_publish"));
        }
        return Err(AppError::Conflict {
            key: "public.not_sealed",
        });
    }
    let target = Target::Session(session.id);
    apply(&state, &user, session.agency_id, target, &input).await?;
    Ok(Redirect::to(&format!("/sessions/{}", session.id)).into_response())
}

#[derive(Template)]
#[template(path = "admin/publications.html")]
struct AdminPage {
    ctx: Ctx,
    agencies: Vec<AgencySetting>,
    published: Vec<Published>,
}

/// The admin page: what is published, and which agencies' editors may.
pub async fn admin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
) -> Result<Response, AppError> {
    let page = AdminPage {
        ctx,
        agencies: publications::settings(&state.db).await?,
        published: publications::index(&state.db).await?,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct SettingInput {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    editors_may_publish: String,
}

pub async fn admin_set(
    State(state): State<AppState>,
    Admin(admin): Admin,
    CsrfForm(input): CsrfForm<SettingInput>,
) -> Result<Response, AppError> {
    let agency: Option<Agency> =
        crate::store::agencies::find_by_code(&state.db, input.agency.trim()).await?;
    let agency = agency.ok_or(AppError::BadField {
        key: "public.error.agency",
        field: "agency".to_owned(),
    })?;
    let allowed = match input.editors_may_publish.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::bad_request("error.bad_request")),
    };
    publications::set_editors_may_publish(&state.db, agency.id, allowed, admin.user.id).await?;
    Ok(Redirect::to("/admin/publications").into_response())
}
