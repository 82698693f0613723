//! The one error type of the web layer, and the error pages.
//!
//! A handler returns `Err(AppError)`; its `IntoResponse` logs internal causes and
//! leaves an [`ErrorPage`] marker on an empty response. The `render_error_pages`
//! middleware, which knows the reader's language, turns every marked or bare
//! error response (axum's own rejections included) into the error template. The
//! user sees a message and a reference; the details stay in the log.

use std::sync::atomic::{AtomicU64, Ordering};

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tracing::Instrument;

use super::context::{request_lang, Ctx};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Bad input in a URL or query string; `key` names the message.
    #[error("bad request: {key}")]
    BadRequest { key: &'static str },
    /// Signed in but without the right, or a form without its CSRF token;
    /// `key` names the message.
    #[error("forbidden: {key}")]
    Forbidden { key: &'static str },
    /// The request is right but the data's state does not allow it (a node
    /// that still holds items cannot be retired); `key` names the message.
    #[error("conflict: {key}")]
    Conflict { key: &'static str },
    /// A form field the handler cannot take at all (a NUL byte): `key` names
    /// the message, which names `field`.
    #[error("bad field {field}: {key}")]
    BadField { key: &'static str, field: String },
    /// A body past the router's limit; `key` names the message.
    #[error("too large: {key}")]
    TooLarge { key: &'static str },
    /// A page that needs a signed-in user, reached without one: reading pages
    /// send the reader to the login form, then back to `next`.
    /// Too many requests from one address to the public pages: try again
    /// in `retry_after` seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("login required")]
    LoginRequired { next: String },
    #[error(transparent)]
    Session(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Marks a response whose body the error middleware should write.
#[derive(Debug, Clone)]
struct ErrorPage {
    message_key: &'static str,
    /// The form field the message is about, if any.
    field: Option<String>,
}

/// How long a reader is asked to wait while the database does not answer.
const RETRY_AFTER_SECONDS: &str = "10";

impl AppError {
    pub fn bad_request(key: &'static str) -> AppError {
        AppError::BadRequest { key }
    }

    pub fn forbidden(key: &'static str) -> AppError {
        AppError::Forbidden { key }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::BadField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(error) => database_status(error),
            // The session store is the database: when it fails, so does it.
            AppError::Session(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Template(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired { next } = &self {
            let target = format!("/login?next={}", super::context::percent_encode(next));
            return Redirect::to(&target).into_response();
        }
        let status = self.status();
        let message_key = match &self {
            AppError::BadRequest { key }
            | AppError::Forbidden { key }
            | AppError::Conflict { key }
            | AppError::TooLarge { key }
            | AppError::BadField { key, .. } => key,
            AppError::TooManyRequests { .. } => "public.too_many",
            _ if status == StatusCode::SERVICE_UNAVAILABLE => "error.unavailable_detail",
            _ => default_message_key(status),
        };
        // The request span carries the request id shown to the user.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %self, "database unavailable");
        } else if status.is_server_error() {
            tracing::error!(error = %self, cause = ?self, "request failed");
        } else if matches!(self, AppError::Database(_)) {
            tracing::warn!(error = %self, "input refused by the database");
        }
        let retry_after = match &self {
            AppError::TooManyRequests { retry_after } => Some(*retry_after),
            _ => None,
        };
        let field = match self {
            AppError::BadField { field, .. } => Some(field),
            _ => None,
        };
        let mut response = status.into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
            .extensions_mut()
            .insert(ErrorPage { message_key, field });
        response
    }
}

/// A database that cannot be reached is a 503 (try again soon), not a bug;
/// a value the database refuses as data (class 22: NUL byte, date or number
/// out of range) is bad input that slipped past parsing, hence a 400, not a
/// 500. Anything else is ours to fix.
fn database_status(error: &sqlx::Error) -> StatusCode {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StatusCode::SERVICE_UNAVAILABLE,
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // Connection exceptions, and the server shutting down or starting.
            Some(code) if code.starts_with("08") || code.starts_with("57P") => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Some(code) if code.starts_with("22") => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn default_message_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::METHOD_NOT_ALLOWED => "error.method_not_allowed",
        StatusCode::CONFLICT => "error.conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable",
        status if status.is_client_error() => "error.bad_request",
        _ => "error.internal",
    }
}

/// The sentence under the title when the handler gave none: the title again
/// but where a second sentence says more.
fn default_detail_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error.not_found_detail",
        status => default_message_key(status),
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorTemplate<'a> {
    ctx: Ctx,
    status: u16,
    title_key: &'static str,
    message: String,
    request_id: &'a str,
}

fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    format!("{start:x}-{:06x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Runs inside the session layer: hands the reader's context (their name for
/// the header, the CSRF token of its logout form) to `render_error_pages`,
/// which runs outside it, so that an error page still shows who is signed in.
pub async fn keep_reader_context(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // Load the session once, here: if the store (PostgreSQL) does not answer,
    // the reader gets the 503 after one acquire timeout, rather than after
    // one per session read that the extractors and the handler would retry.
    if let Some(session) = parts.extensions.get::<tower_sessions::Session>() {
        if let Err(error) = session.get::<String>(super::auth::USER_NAME_KEY).await {
            return AppError::Session(error).into_response();
        }
    }
    let ctx = match Ctx::from_request_parts(&mut parts, &()).await {
        Ok(ctx) => ctx,
        Err(never) => match never {},
    };
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if response.status().as_u16() >= 400 {
        response.extensions_mut().insert(ctx);
    }
    response
}

/// Gives each request an id and a tracing span, and renders error pages in the
/// reader's language.
pub async fn render_error_pages(request: Request, next: Next) -> Response {
    let request_id = next_request_id();
    let lang = request_lang(request.headers());
    let here = request.uri().path().to_owned();
    let span =
        tracing::info_span!("request", id = %request_id, method = %request.method(), path = %here);
    let mut response = next.run(request).instrument(span.clone()).await;

    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let marker = response.extensions_mut().remove::<ErrorPage>();
    if status.as_u16() >= 400 && (marker.is_some() || !is_html) {
        let ctx = match response.extensions_mut().remove::<Ctx>() {
            Some(ctx) => ctx,
            None => Ctx::new(lang, &here),
        };
        let message = match marker {
            Some(ErrorPage {
                message_key,
                field: Some(field),
            }) => ctx.t_with(message_key, &[("field", &field)]),
            Some(ErrorPage { message_key, .. }) => ctx.t(message_key).into_owned(),
            None => ctx.t(default_detail_key(status)).into_owned(),
        };
        let page = ErrorTemplate {
            ctx,
            status: status.as_u16(),
            title_key: default_message_key(status),
            message,
            request_id: &request_id,
        };
        let body = page.render().unwrap_or_else(|error| {
            span.in_scope(|| tracing::error!(%error, "error page failed to render"));
            format!(
                "Erreur {} / Error {} ({request_id})",
                status.as_u16(),
                status.as_u16()
            )
        });
        let headers = std::mem::take(response.headers_mut());
        response = (status, Html(body)).into_response();
        for (name, value) in &headers {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                response.headers_mut().insert(name, value.clone());
            }
        }
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
