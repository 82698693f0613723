//! Every route of the site: which handler answers which method and path.
//! Only the table lives here; the layers around it (sessions, CSRF, error
//! pages, headers) are in `web::app`. Tests read the routes from this
//! source (the authorization matrix, the fuzz test), so each stays one call
//! with its path first, then `get(handler)` and/or `post(handler)`.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use super::pages;
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::show))
        .route("/agencies/{code}", get(pages::agencies::show))
        .route("/plans/{id}", get(pages::plans::show))
        .route("/plans/{id}/activities", get(pages::drilldown::list))
        .route("/plans/{id}/structure", get(pages::structure::show))
        .route("/plans/{id}/export", get(pages::imports::export))
        .route("/import-template", get(pages::imports::template))
        .route(
            "/agencies/{code}/plans/import",
            get(pages::imports::new_plan_form).post(pages::imports::new_plan_upload),
        )
        .route(
            "/agencies/{code}/plans/import/apply",
            post(pages::imports::new_plan_apply),
        )
        .route(
            "/plans/{id}/import",
            get(pages::imports::form).post(pages::imports::upload),
        )
        .route("/plans/{id}/import/apply", post(pages::imports::apply))
        .route(
            "/plans/{id}/nodes/new",
            get(pages::structure::new_node).post(pages::structure::create_node),
        )
        .route(
            "/nodes/{id}/edit",
            get(pages::structure::edit_node).post(pages::structure::update_node),
        )
        .route(
            "/nodes/{id}/retire",
            get(pages::structure::confirm_retire_node).post(pages::structure::retire_node),
        )
        .route(
            "/plans/{id}/activities/new",
            get(pages::structure::new_activity).post(pages::structure::create_activity),
        )
        .route(
            "/activities/{id}/edit",
            get(pages::structure::edit_activity).post(pages::structure::update_activity),
        )
        .route(
            "/activities/{id}/retire",
            get(pages::structure::confirm_retire_activity).post(pages::structure::retire_activity),
        )
        .route(
            "/plans/{id}/indicators/new",
            get(pages::structure::new_indicator).post(pages::structure::create_indicator),
        )
        .route(
            "/indicators/{id}/edit",
            get(pages::structure::edit_indicator).post(pages::structure::update_indicator),
        )
        .route(
            "/indicators/{id}/retire",
            get(pages::structure::confirm_retire_indicator)
                .post(pages::structure::retire_indicator),
        )
        .route(
            "/indicators/{id}/values",
            get(pages::structure::values).post(pages::structure::set_value),
        )
        .route("/plans/{id}/funding", get(pages::funding::show))
        .route(
            "/plans/{id}/funding/new",
            get(pages::funding::new_line).post(pages::funding::create_line),
        )
        .route(
            "/funding/{id}/edit",
            get(pages::funding::edit_line).post(pages::funding::update_line),
        )
        .route(
            "/plans/{id}/grid",
            get(pages::grid::show).post(pages::grid::save),
        )
        .route("/sessions/{id}", get(pages::sessions::show))
        .route(
            "/sessions/{id}/reopen",
            post(pages::session_editing::reopen_session),
        )
        .route(
            "/sessions/{id}/dashboard.pdf",
            get(pages::reports::session_pdf),
        )
        .route(
            "/agencies/{code}/report/{file}",
            get(pages::reports::agency),
        )
        .route("/report/{file}", get(pages::reports::consolidated))
        .route(
            "/agencies/{code}/sessions/new",
            get(pages::session_editing::new_session),
        )
        .route(
            "/agencies/{code}/sessions",
            post(pages::session_editing::create_session),
        )
        .route(
            "/sessions/{id}/edit",
            get(pages::session_editing::edit_session).post(pages::session_editing::update_session),
        )
        .route(
            "/sessions/{id}/resolutions/new",
            get(pages::resolutions::new_resolution),
        )
        .route(
            "/sessions/{id}/resolutions",
            post(pages::resolutions::create_resolution),
        )
        .route(
            "/resolutions/{id}",
            get(pages::resolutions::show_resolution),
        )
        .route(
            "/resolutions/{id}/edit",
            get(pages::resolutions::edit_resolution).post(pages::resolutions::update_resolution),
        )
        .route(
            "/resolutions/{id}/follow-ups",
            post(pages::resolutions::add_follow_up),
        )
        .route(
            "/validation",
            get(pages::validation::queue).post(pages::validation::decide_many),
        )
        .route(
            "/validation/{id}",
            get(pages::validation::show).post(pages::validation::decide_one),
        )
        .route("/search", get(pages::search::show))
        .route("/activities/{id}", get(pages::activities::show))
        .route("/activities/{id}/progress", post(pages::activities::record))
        .route("/attachments/{id}", get(pages::attachments::download))
        .route(
            "/attachments/{id}/withdraw",
            post(pages::attachments::withdraw),
        )
        .route("/admin", get(pages::admin::index))
        .route(
            "/admin/agencies",
            get(pages::admin::agencies::list).post(pages::admin::agencies::create),
        )
        .route("/admin/agencies/new", get(pages::admin::agencies::new))
        .route(
            "/admin/agencies/{id}",
            get(pages::admin::agencies::edit).post(pages::admin::agencies::update),
        )
        .route(
            "/admin/users",
            get(pages::admin::accounts::list).post(pages::admin::accounts::create),
        )
        .route("/admin/users/new", get(pages::admin::accounts::new))
        .route(
            "/admin/users/{id}",
            get(pages::admin::accounts::show).post(pages::admin::accounts::update),
        )
        .route(
            "/admin/users/{id}/status",
            get(pages::admin::accounts::confirm_disable).post(pages::admin::accounts::set_status),
        )
        .route(
            "/admin/users/{id}/roles",
            post(pages::admin::accounts::grant_role),
        )
        .route(
            "/admin/users/{id}/roles/revoke",
            get(pages::admin::accounts::confirm_revoke_role)
                .post(pages::admin::accounts::revoke_role),
        )
        .route("/admin/audit", get(pages::admin::audit::list))
        .route(
            "/admin/publications",
            get(pages::public::publishing::admin_page).post(pages::public::publishing::admin_set),
        )
        .route(
            "/plans/{id}/publication",
            post(pages::public::publishing::plan),
        )
        .route(
            "/sessions/{id}/publication",
            post(pages::public::publishing::session),
        )
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/account/password",
            get(pages::account::form).post(pages::account::submit),
        )
        .route(
            "/account/mail",
            get(pages::mail::settings_form).post(pages::mail::settings_submit),
        )
        .route(
            "/password/forgot",
            get(pages::mail::forgot_form).post(pages::mail::forgot_submit),
        )
        .route(
            "/password/reset/{token}",
            get(pages::mail::reset_form).post(pages::mail::reset_submit),
        )
        .route(
            "/admin/mail",
            get(pages::mail::outbox).post(pages::mail::set_reminder_days),
        )
        .route("/lang/{code}", get(pages::lang::switch))
        .route("/static/suivi.css", get(pages::assets::stylesheet))
        .route("/favicon.svg", get(pages::assets::icon))
        .route("/robots.txt", get(pages::assets::robots))
        .route("/healthz", get(pages::health::check))
        .route("/api", get(super::api::docs::page))
        .route(
            "/account/tokens",
            get(pages::tokens::list).post(pages::tokens::create),
        )
        .route(
            "/account/tokens/{id}/revoke",
            get(pages::tokens::confirm_revoke).post(pages::tokens::revoke),
        )
        .fallback(pages::not_found)
}

/// The public pages, for anyone without signing in. `web::app` keeps them
/// outside the login sessions: what they answer is the same for everyone.
pub fn public() -> Router<AppState> {
    Router::new()
        .route("/public", get(pages::public::index))
        .route("/public/plans/{id}", get(pages::public::plan))
        .route("/public/plans/{id}/{file}", get(pages::public::plan_file))
        .route("/public/sessions/{id}", get(pages::public::session))
        .route(
            "/public/sessions/{id}/{file}",
            get(pages::public::session_file),
        )
}

/// The routes that take a file larger than the router's 2 MB: attaching
/// evidence to a progress update, up to `max_body_bytes` (the configured
/// size of a file, plus the form around it). `web::app` keeps them out of
/// the 2 MB limit.
pub fn uploads(max_body_bytes: usize) -> Router<AppState> {
    Router::new().route(
        "/updates/{id}/attachments",
        post(pages::attachments::upload).layer(DefaultBodyLimit::max(max_body_bytes)),
    )
}
