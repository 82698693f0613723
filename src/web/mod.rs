//! The HTTP face of Suivi: the router, shared state, errors and one file per area.
//! Handlers stay thin: read with `store`, compute with `performance`, render a
//! template.

pub mod auth;
pub mod client_address;
mod context;
pub mod csrf;
mod error;
pub mod housekeeping;
mod input;
mod pages;
pub mod server;

pub use context::{Ctx, LANG_COOKIE};
pub use error::AppError;

use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{middleware, Router};
use sqlx::PgPool;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// What every handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<WebConfig>,
}

/// Settings of the web layer, validated once at start.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Today's date is read from the clock unless fixed here (tests fix it so
    /// that figures "as of today" are reproducible).
    pub today: Option<chrono::NaiveDate>,
    /// Mark the session cookie `Secure` (served over HTTPS, perhaps behind a
    /// proxy, so Suivi cannot tell by itself).
    pub secure_cookies: bool,
    /// Believe the client address a reverse proxy writes in `X-Forwarded-For`
    /// (only behind such a proxy: otherwise clients could pick their address).
    pub trust_proxy: bool,
    /// The sign-in limits: per (account, address) pair, a growing delay per
    /// account, per address for logins not known there (`login_attempts`).
    pub login_limits: crate::store::login_attempts::Limits,
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "suivi_session";
/// A session unused this long is over (a working day, with margin).
const SESSION_IDLE_HOURS: i64 = 12;

impl AppState {
    pub fn new(db: PgPool, config: WebConfig) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// Request bodies above this are refused with 413 before any handler runs.
const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // Sessions live in PostgreSQL (the table comes with the migrations), so
    // they survive a restart and are shared by every instance on the database.
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::hours(SESSION_IDLE_HOURS)));
    // Served over HTTPS (that is what secure cookies say): browsers are told
    // to never try plain HTTP again, for a year.
    let hsts = state
        .config
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000"));
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
        .route("/nodes/{id}/retire", post(pages::structure::retire_node))
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
            post(pages::structure::retire_activity),
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
            post(pages::structure::retire_indicator),
        )
        .route(
            "/indicators/{id}/values",
            get(pages::structure::values).post(pages::structure::set_value),
        )
        .route(
            "/plans/{id}/grid",
            get(pages::grid::show).post(pages::grid::save),
        )
        .route("/sessions/{id}", get(pages::sessions::show))
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
            get(pages::session_editing::new_resolution),
        )
        .route(
            "/sessions/{id}/resolutions",
            post(pages::session_editing::create_resolution),
        )
        .route(
            "/resolutions/{id}",
            get(pages::session_editing::show_resolution),
        )
        .route(
            "/resolutions/{id}/edit",
            get(pages::session_editing::edit_resolution)
                .post(pages::session_editing::update_resolution),
        )
        .route(
            "/resolutions/{id}/follow-ups",
            post(pages::session_editing::add_follow_up),
        )
        .route("/activities/{id}", get(pages::activities::show))
        .route("/activities/{id}/progress", post(pages::activities::record))
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
            post(pages::admin::accounts::set_status),
        )
        .route(
            "/admin/users/{id}/roles",
            post(pages::admin::accounts::grant_role),
        )
        .route(
            "/admin/users/{id}/roles/revoke",
            post(pages::admin::accounts::revoke_role),
        )
        .route("/admin/audit", get(pages::admin::audit::list))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/account/password",
            get(pages::account::form).post(pages::account::submit),
        )
        .route("/lang/{code}", get(pages::lang::switch))
        .route("/static/suivi.css", get(pages::assets::stylesheet))
        .route("/healthz", get(pages::health::check))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(middleware::from_fn(error::keep_reader_context))
        .layer(sessions)
        .layer(middleware::from_fn(input::refuse_nul_in_url))
        // Behind the token of every form, a second line: browsers say where
        // a POST comes from, and a cross-site one is refused outright.
        .layer(CsrfLayer::new())
        // Inside the error pages, so that its plain-text 413 (a declared
        // length past the limit) becomes the page in the reader's language.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(error::render_error_pages))
        .layer(
            CompressionLayer::new().compress_when(
                // XLSX files are zips and PDFs compress their streams already:
                // gzip again would only cost the server time.
                DefaultPredicate::new()
                    .and(NotForContentType::new("application/pdf"))
                    .and(NotForContentType::new("application/vnd.openxmlformats")),
            ),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            |response: &Response| private_pages_not_stored(response),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| hsts.clone(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                 frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Pages and downloads hold an agency's figures or a user's details: a shared
/// cache (a ministry's proxy) must never keep them. Stylesheets set their own
/// caching and are left alone.
fn private_pages_not_stored(response: &Response) -> Option<HeaderValue> {
    let headers = response.headers();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let is_download = headers.contains_key(header::CONTENT_DISPOSITION);
    (is_page || is_download).then(|| HeaderValue::from_static("private, no-store"))
}
