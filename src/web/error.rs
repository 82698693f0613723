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
    /// A page that needs a signed-in user, reached without one: reading pages
    /// send the reader to the login form, then back to `next`.
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
#[derive(Debug, Clone, Copy)]
struct ErrorPage {
    message_key: &'static str,
}

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
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Database(_)
            | AppError::Template(_)
            | AppError::Internal(_)
            | AppError::Session(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
            | AppError::Conflict { key } => key,
            _ => default_message_key(status),
        };
        if status.is_server_error() {
            // The request span carries the request id shown to the user.
            tracing::error!(error = %self, cause = ?self, "request failed");
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { message_key });
        response
    }
}

fn default_message_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::METHOD_NOT_ALLOWED => "error.method_not_allowed",
        StatusCode::CONFLICT => "error.conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        status if status.is_client_error() => "error.bad_request",
        _ => "error.internal",
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorTemplate<'a> {
    ctx: Ctx,
    status: u16,
    title_key: &'static str,
    message_key: &'a str,
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
    let marker = response.extensions().get::<ErrorPage>().copied();
    if status.as_u16() >= 400 && (marker.is_some() || !is_html) {
        let message_key = marker.map_or_else(|| default_message_key(status), |m| m.message_key);
        let ctx = match response.extensions_mut().remove::<Ctx>() {
            Some(ctx) => ctx,
            None => Ctx::new(lang, &here),
        };
        let page = ErrorTemplate {
            ctx,
            status: status.as_u16(),
            title_key: default_message_key(status),
            message_key,
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
