//! The API's one error type and its answer: `application/problem+json`
//! (RFC 9457) in the reader's language (`Accept-Language`), with the same
//! catalog messages as the forms. A handler returns `Err(ApiError)`; its
//! response carries a [`Problem`] marker, and the `render_problems`
//! middleware, which knows the language, writes the body. Any other error
//! response of the API (axum's own rejections: a malformed JSON body, a
//! wrong method) gets a problem body too, never an HTML page.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use crate::i18n::Lang;
use crate::web::context::request_lang;
use crate::web::AppError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug)]
pub enum ApiError {
    /// No token, or one that is unknown, revoked or expired.
    Unauthorized,
    /// The token's user lacks the right; `key` says which.
    Forbidden(&'static str),
    NotFound,
    /// A query parameter or body that cannot be read at all.
    BadRequest(&'static str),
    /// Fields refused, each with its message key (and the values the
    /// message names).
    Invalid(Vec<FieldProblem>),
    /// Someone recorded an update since the one the client based theirs on:
    /// both versions, nothing written.
    Conflict {
        latest: Option<Value>,
        yours: Value,
    },
    /// Too many requests with this token in the window.
    TooManyRequests {
        retry_after_seconds: i32,
    },
    /// Anything the web layer's error says (database, internal).
    App(AppError),
}

/// One refused field.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    pub field: &'static str,
    pub key: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl FieldProblem {
    pub fn new(field: &'static str, key: &'static str) -> FieldProblem {
        FieldProblem {
            field,
            key,
            values: Vec::new(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        match error {
            AppError::NotFound => ApiError::NotFound,
            AppError::BadRequest { key } => ApiError::BadRequest(key),
            AppError::Forbidden { key } => ApiError::Forbidden(key),
            other => ApiError::App(other),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        ApiError::App(AppError::Database(error))
    }
}

/// What the middleware writes the body from.
#[derive(Debug, Clone)]
struct Problem {
    key: &'static str,
    fields: Vec<FieldProblem>,
    extra: Map<String, Value>,
}

/// The body of every error of the API (the schema the document gives it).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// Always `about:blank`: `code` names the problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of error in the reader's language (`Accept-Language`).
    pub title: String,
    pub status: u16,
    /// What went wrong, in the reader's language.
    pub detail: String,
    /// The message's catalog key, the same whatever the language.
    pub code: String,
    /// The fields refused, for a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On a 409: the latest update as recorded, and the one sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub latest: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub yours: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, key, fields, extra) = match self {
            ApiError::App(error) => {
                // The web layer logs the cause and sets its headers (a 503's
                // Retry-After); the body is ours, with the default message.
                let mut response = error.into_response();
                if response.status().is_redirection() {
                    *response.status_mut() = StatusCode::UNAUTHORIZED;
                }
                return response;
            }
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "api.error.unauthorized",
                Vec::new(),
                Map::new(),
            ),
            ApiError::Forbidden(key) => (StatusCode::FORBIDDEN, key, Vec::new(), Map::new()),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "api.error.not_found",
                Vec::new(),
                Map::new(),
            ),
            ApiError::BadRequest(key) => (StatusCode::BAD_REQUEST, key, Vec::new(), Map::new()),
            ApiError::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "api.error.invalid",
                fields,
                Map::new(),
            ),
            ApiError::Conflict { latest, yours } => {
                let mut extra = Map::new();
                extra.insert("latest".into(), latest.unwrap_or(Value::Null));
                extra.insert("yours".into(), yours);
                (
                    StatusCode::CONFLICT,
                    "progress.conflict.explain",
                    Vec::new(),
                    extra,
                )
            }
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => {
                let mut response = problem_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "api.error.too_many",
                    Vec::new(),
                    Map::new(),
                );
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                return response;
            }
        };
        let mut response = problem_response(status, key, fields, extra);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"suivi\""),
            );
        }
        response
    }
}

fn problem_response(
    status: StatusCode,
    key: &'static str,
    fields: Vec<FieldProblem>,
    extra: Map<String, Value>,
) -> Response {
    let mut response = status.into_response();
    response
        .extensions_mut()
        .insert(Problem { key, fields, extra });
    response
}

/// The message for an error status without a more precise one.
fn default_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "api.error.unauthorized",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::NOT_FOUND => "api.error.not_found",
        StatusCode::METHOD_NOT_ALLOWED => "error.method_not_allowed",
        StatusCode::CONFLICT => "error.conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "api.error.json_expected",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "api.error.bad_json",
        StatusCode::TOO_MANY_REQUESTS => "api.error.too_many",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable_detail",
        status if status.is_client_error() => "error.bad_request",
        _ => "error.internal",
    }
}

/// The title of a status: the one the error pages give it.
fn title_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "api.title.unauthorized",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::CONFLICT => "error.conflict",
        StatusCode::TOO_MANY_REQUESTS => "api.title.too_many",
        StatusCode::UNPROCESSABLE_ENTITY => "api.title.invalid",
        StatusCode::SERVICE_UNAVAILABLE => "error.unavailable",
        status if status.is_client_error() => "error.bad_request",
        _ => "error.internal",
    }
}

/// The message of `key` with the values it names.
fn message(lang: Lang, key: &str, values: &[(&'static str, String)]) -> String {
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    lang.t_with(key, &values)
}

/// Writes the problem body of every error response of the API in the
/// reader's language, and keeps API answers out of every cache.
pub async fn render_problems(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let marker = response.extensions_mut().remove::<Problem>();
    if is_problem && marker.is_none() {
        return response;
    }
    let Problem { key, fields, extra } = marker.unwrap_or(Problem {
        key: default_key(status),
        fields: Vec::new(),
        extra: Map::new(),
    });
    let body = ProblemBody {
        kind: "about:blank".into(),
        title: lang.t(title_key(status)).into_owned(),
        status: status.as_u16(),
        detail: lang.t(key).into_owned(),
        code: key.to_owned(),
        errors: fields
            .iter()
            .map(|f| FieldError {
                field: f.field.to_owned(),
                code: f.key.to_owned(),
                detail: message(lang, f.key, &f.values),
            })
            .collect(),
        latest: extra.get("latest").cloned(),
        yours: extra.get("yours").cloned(),
    };
    let text = serde_json::to_string(&body)
        .unwrap_or_else(|_| json!({"type": "about:blank", "status": status.as_u16()}).to_string());
    let headers = std::mem::take(response.headers_mut());
    let mut rewritten = Response::new(Body::from(text));
    *rewritten.status_mut() = status;
    for (name, value) in &headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    rewritten.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    rewritten
}

/// The frozen-period refusal of a progress update, as a field problem.
pub fn frozen(session_number: i32, cutoff: NaiveDate) -> ApiError {
    let _ = (session_number, cutoff);
    ApiError::Invalid(vec![FieldProblem::new("as_of", "error.progress.frozen")])
}
