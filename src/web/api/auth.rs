//! Who calls the API: the bearer token (`ApiUser`: checked, its use and
//! rate counted by `store::api_tokens`), and the typed path extractors that
//! load the row a path names and check the token user's right on its
//! agency, in the order the pages use: 401 without a live token, 404 for a
//! path that names nothing, 403 without the right (or a read-only token
//! for a write).

use std::future::Future;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header;
use axum::http::request::Parts;

use super::problem::ApiError;
use crate::names::{id_of, ItemName, PlanName, SessionName};
use crate::store::activities::{self, ActivityDetail};
use crate::store::agencies::{self, Agency};
use crate::store::api_tokens::{self, Scope};
use crate::store::plans::{self, IndicatorRow, Plan};
use crate::store::sessions::{self, BoardSession};
use crate::store::{structure, users};
use crate::web::auth::CurrentUser;
use crate::web::AppState;

/// The user a live token stands for, with the token's scope.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub user: CurrentUser,
    pub scope: Scope,
    pub token_id: i64,
}

/// The secret of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| secret.trim())
        .filter(|s| !s.is_empty())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Extracted once per request (a handler may take it twice through
        // its path extractors): one use counted.
        if let Some(user) = parts.extensions.get::<ApiUser>() {
            return Ok(user.clone());
        }
        let secret = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let limit = state.config.api_rate_limit;
        let found = api_tokens::use_token(&state.db, secret, limit)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if found.window_requests > limit.requests {
            tracing::warn!(token = found.token_id, "API rate limit reached");
            return Err(ApiError::TooManyRequests {
                retry_after_seconds: found.window_left_seconds,
            });
        }
        let users::SessionUser {
            user,
            roles,
            readable,
            validating,
        } = users::for_session(&state.db, found.user_id, found.session_generation)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let api_user = ApiUser {
            user: CurrentUser {
                user,
                roles: roles.0,
                readable,
                validating,
            },
            scope: Scope::parse(&found.scope).unwrap_or(Scope::Read),
            token_id: found.token_id,
        };
        parts.extensions.insert(api_user.clone());
        Ok(api_user)
    }
}

/// A row that a path parameter of the API names, by id or by code.
pub trait ApiPath: Sized + Send {
    const PARAM: &'static str;

    fn load(
        state: &AppState,
        param: &str,
    ) -> impl Future<Output = Result<Option<Self>, ApiError>> + Send;

    fn agency_id(&self) -> i64;

    /// The message when the token's user may read but not change the row.
    const FORBIDDEN_CHANGE: &'static str = "error.forbidden_change";
}

/// The row the path names, for a token whose user may read its agency.
#[derive(Debug)]
pub struct ApiReadable<T>(pub T, pub ApiUser);

/// The row the path names, for a read+write token whose user may change it.
#[derive(Debug)]
pub struct ApiEditable<T>(pub T, pub ApiUser);

async fn named<T: ApiPath>(parts: &mut Parts, state: &AppState) -> Result<T, ApiError> {
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|_| ApiError::BadRequest("error.bad_request"))?;
    let text = params
        .iter()
        .find(|(key, _)| *key == T::PARAM)
        .map(|(_, value)| value.to_owned())
        .ok_or(ApiError::NotFound)?;
    T::load(state, &text).await?.ok_or(ApiError::NotFound)
}

impl<T: ApiPath> FromRequestParts<AppState> for ApiReadable<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = ApiUser::from_request_parts(parts, state).await?;
        let row = named::<T>(parts, state).await?;
        if !user.user.can_read(row.agency_id()) {
            return Err(ApiError::Forbidden("error.forbidden_read"));
        }
        Ok(ApiReadable(row, user))
    }
}

impl<T: ApiPath> FromRequestParts<AppState> for ApiEditable<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = ApiUser::from_request_parts(parts, state).await?;
        let row = named::<T>(parts, state).await?;
        if !user.user.can_read(row.agency_id()) {
            return Err(ApiError::Forbidden("error.forbidden_read"));
        }
        if !user.user.can_edit(row.agency_id()) {
            return Err(ApiError::Forbidden(T::FORBIDDEN_CHANGE));
        }
        if user.scope != Scope::Write {
            return Err(ApiError::Forbidden("api.error.read_only"));
        }
        Ok(ApiEditable(row, user))
    }
}

/// An agency by its id or its code (`ANASER`).
impl ApiPath for Agency {
    const PARAM: &'static str = "agency";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, ApiError> {
        Ok(match id_of(param) {
            Some(id) => agencies::find(&state.db, id).await?,
            None => agencies::find_by_code(&state.db, param).await?,
        })
    }

    fn agency_id(&self) -> i64 {
        self.id
    }
}

/// A plan by its id or as `AGENCY:CODE` (`ANASER:PAP-2025`), as
/// `crate::names` reads them.
impl ApiPath for Plan {
    const PARAM: &'static str = "plan";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, ApiError> {
        let name = PlanName::parse(param).ok_or(ApiError::BadRequest("api.error.bad_plan_code"))?;
        Ok(plans::find_named(&state.db, name).await?)
    }

    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// An activity by its id or as `AGENCY:PLAN:CODE` (`ANASER:PAP-2025:A1.01`).
impl ApiPath for ActivityDetail {
    const PARAM: &'static str = "activity";
    const FORBIDDEN_CHANGE: &'static str = "error.forbidden_edit";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, ApiError> {
        let name =
            ItemName::parse(param).ok_or(ApiError::BadRequest("api.error.bad_activity_code"))?;
        Ok(activities::find_named(&state.db, name).await?)
    }

    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// A session by its id, as `AGENCY:NUMBER` for an ordinary session
/// (`ANASER:30`), or as `AGENCY:extraordinary:NUMBER`.
impl ApiPath for BoardSession {
    const PARAM: &'static str = "session";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, ApiError> {
        let name =
            SessionName::parse(param).ok_or(ApiError::BadRequest("api.error.bad_session_code"))?;
        Ok(sessions::find_named(&state.db, name).await?)
    }

    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// An indicator with its plan, by its id or as `AGENCY:PLAN:CODE`
/// (`ANASER:PAP-2025:IND1`).
impl ApiPath for (Plan, IndicatorRow) {
    const PARAM: &'static str = "indicator";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, ApiError> {
        let name =
            ItemName::parse(param).ok_or(ApiError::BadRequest("api.error.bad_indicator_code"))?;
        let Some((plan_id, indicator)) = structure::find_indicator_named(&state.db, name).await?
        else {
            return Ok(None);
        };
        Ok(plans::find(&state.db, plan_id)
            .await?
            .map(|plan| (plan, indicator)))
    }

    fn agency_id(&self) -> i64 {
        self.0.agency_id
    }
}
