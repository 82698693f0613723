//! The JSON API under `/api/v1` (issue 15): one module per resource, the
//! bearer tokens and typed path extractors (`auth`), the shapes shared by
//! resources (`model`), its own error answers (`problem`, RFC 9457) and its
//! OpenAPI document (`docs`). It reads and writes through the same store
//! functions and checks as the pages.
//!
//! The API lies outside the pages' layers (sessions, CSRF, HTML error
//! pages): a token, not a cookie, says who calls, so there is no session
//! and no cross-site form to guard against.

pub mod activities;
pub mod agencies;
pub mod auth;
pub mod docs;
pub mod figures;
pub mod indicators;
pub mod model;
pub mod plans;
pub mod problem;
pub mod sessions;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{any, get, post};
use axum::{middleware, Router};
use serde::de::DeserializeOwned;
use tower_http::limit::RequestBodyLimitLayer;

use super::AppState;
use problem::ApiError;

/// The largest body the API takes: an update or a value is a few hundred bytes.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/openapi.json", get(docs::openapi_json))
        .route("/api/v1/agencies", get(agencies::list))
        .route("/api/v1/agencies/{agency}", get(agencies::show))
        .route(
            "/api/v1/agencies/{agency}/sessions",
            get(agencies::sessions),
        )
        .route("/api/v1/plans/{plan}", get(plans::show))
        .route("/api/v1/plans/{plan}/activities", get(plans::activities))
        .route("/api/v1/plans/{plan}/indicators", get(plans::indicators))
        .route("/api/v1/activities/{activity}", get(activities::show))
        .route(
            "/api/v1/activities/{activity}/progress",
            post(activities::record),
        )
        .route(
            "/api/v1/indicators/{indicator}/values",
            post(indicators::set_value),
        )
        .route("/api/v1/sessions/{session}", get(sessions::show))
        .route("/api/v1/figures/{year}", get(figures::year))
        // Any other path under the API is a problem, not the site's HTML 404.
        .route("/api/v1/{*rest}", any(not_found))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(problem::render_problems))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A JSON body; one that cannot be read is a problem with the API's message
/// (never axum's plain-text rejection).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError::BadRequest("api.error.json_expected"))
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::BadRequest("error.too_large"))
            }
            Err(_) => Err(ApiError::BadRequest("api.error.bad_json")),
        }
    }
}
