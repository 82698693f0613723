//! The HTTP face of Suivi: the module map, and `app`, which wraps the routes
//! (`routes`) in the layers every request goes through (sessions, CSRF, error
//! pages, headers). Handlers stay thin: read with `store`, compute with
//! `performance`, render a template.

pub mod api;
pub mod auth;
pub mod client_address;
mod context;
pub mod csrf;
mod download;
mod error;
mod etag;
mod extract;
mod flash;
pub mod housekeeping;
mod input;
mod pages;
pub mod public_access;
mod routes;
pub mod server;
mod session_store;
mod state;

pub use context::{Ctx, LANG_COOKIE};
pub use error::AppError;
pub use state::{AppState, AttachmentLimit, PublicRate, WebConfig};

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use axum::{middleware, Router};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "suivi_session";
/// A session unused this long is over (a working day, with margin).
const SESSION_IDLE_HOURS: i64 = 12;

/// Request bodies above this are refused with 413 before any handler runs
/// (but attachments: `WebConfig::max_attachment`).
const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // Sessions live in PostgreSQL (the table comes with the migrations), so
    // they survive a restart and are shared by every instance on the database.
    let sessions = SessionManagerLayer::new(session_store::LoginSessions::new(state.db.clone()))
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
    let upload_limit = state.config.max_attachment.body_bytes();
    let public = routes::public().with_state(state.clone());
    let api = api::router(state.clone());
    let pages = routes::router()
        // Inside the error pages, so that its plain-text 413 (a declared
        // length past the limit) becomes the page in the reader's language.
        // Around every route but the uploads of evidence, which have their
        // own, larger limit (the configured size of a file).
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .merge(routes::uploads(upload_limit))
        .with_state(state)
        .layer(middleware::from_fn(error::keep_reader_context))
        .layer(middleware::from_fn(flash::after_save))
        .layer(sessions)
        // Outside the login sessions: no session is read or cookie set, so
        // these answers can be kept by shared caches.
        .merge(public)
        .layer(middleware::from_fn(input::refuse_nul_in_url))
        // Behind the token of every form, a second line: browsers say where
        // a POST comes from, and a cross-site one is refused outright.
        .layer(CsrfLayer::new())
        .layer(middleware::from_fn(error::render_error_pages));
    // The API beside the pages, outside their sessions, CSRF check and HTML
    // error pages (`api`); the headers below are for both.
    api.merge(pages)
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
                // connect-src 'self': no script of ours runs (script-src falls
                // back to 'none'), but auditing tools fetch /robots.txt from
                // the page, and that fetch must not be refused.
                "default-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
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
