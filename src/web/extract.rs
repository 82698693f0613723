//! Typed path extractors: a handler says in its signature what the URL must
//! name and what the reader must be allowed to do with it
//! (`Readable<Plan>`, `Editable<BoardSession>`, `Managed<Account>`), and gets
//! the row with the signed-in user, loaded and checked once, before its body
//! runs.
//!
//! The checks come in the order every page had: nobody signed in first (the
//! login form for a page, 403 for a form), then a parameter that names no row
//! (404), then the missing right (403, with the message of that right). A
//! refused request gets the error page, which names nothing of the row.
//!
//! What is checked is the reader's right on the row's agency (`OfAgency`);
//! which rows there are and how they load is `store`'s.

use std::future::Future;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use super::auth::{Admin, CurrentUser};
use super::{AppError, AppState};
use crate::store::activities::{self, ActivityDetail};
use crate::store::admin::{self, Account};
use crate::store::agencies::{self, Agency};
use crate::store::funding;
use crate::store::plans::{self, ActivityRow, FundingLine, IndicatorRow, NodeRow, Plan};
use crate::store::sessions::{self, BoardSession, ResolutionDetail};
use crate::store::structure;

/// A row that a route parameter (`{id}`, `{code}`) names.
pub trait FromPath: Sized + Send {
    /// The parameter's name in the route.
    const PARAM: &'static str;

    /// The row the parameter's text names, if any.
    fn load(
        state: &AppState,
        param: &str,
    ) -> impl Future<Output = Result<Option<Self>, AppError>> + Send;
}

/// A row of an agency: the reader's roles there say what they may do with it.
pub trait OfAgency {
    fn agency_id(&self) -> i64;

    /// Refuses (403) a reader who may not change it: by default anyone but
    /// the agency's editors and the admins.
    fn ensure_editable(&self, user: &CurrentUser) -> Result<(), AppError> {
        user.ensure_can_edit(self.agency_id())
    }
}

/// The row the URL names, for a signed-in user who may read its agency.
#[derive(Debug)]
pub struct Readable<T>(pub T, pub CurrentUser);

/// The row the URL names, for a signed-in user who may change it.
#[derive(Debug)]
pub struct Editable<T>(pub T, pub CurrentUser);

/// The row the URL names, for an admin (the admin pages).
#[derive(Debug)]
pub struct Managed<T>(pub T, pub CurrentUser);

/// The positive number in the URL's `{id}`, for pages that load the row
/// themselves; anything else names no page: 404.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<T: FromPath + OfAgency> FromRequestParts<AppState> for Readable<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let row = named_row::<T>(parts, state).await?;
        user.ensure_can_read(row.agency_id())?;
        Ok(Readable(row, user))
    }
}

impl<T: FromPath + OfAgency> FromRequestParts<AppState> for Editable<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let row = named_row::<T>(parts, state).await?;
        row.ensure_editable(&user)?;
        Ok(Editable(row, user))
    }
}

impl<T: FromPath> FromRequestParts<AppState> for Managed<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Admin(admin) = Admin::from_request_parts(parts, state).await?;
        let row = named_row::<T>(parts, state).await?;
        Ok(Managed(row, admin))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        parse_id(&param(parts, "id").await?).map(Id)
    }
}

/// The row named by `T::PARAM`; 404 when it names none.
async fn named_row<T: FromPath>(parts: &mut Parts, state: &AppState) -> Result<T, AppError> {
    let text = param(parts, T::PARAM).await?;
    T::load(state, &text).await?.ok_or(AppError::NotFound)
}

/// The text of one route parameter, percent-decoded.
async fn param(parts: &mut Parts, name: &str) -> Result<String, AppError> {
    // Bytes that are no UTF-8 once decoded: a 400, as axum's `Path` answers.
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|_| AppError::bad_request("error.bad_request"))?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no {{{name}}} in the route")))
}

/// A numeric id from the URL; anything else names no page, hence 404.
fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// The plan of a row found with its plan's id (a node, an activity or an
/// indicator of the structure editor).
async fn with_plan<R>(
    state: &AppState,
    found: Option<(i64, R)>,
) -> Result<Option<(Plan, R)>, AppError> {
    let Some((plan_id, row)) = found else {
        return Ok(None);
    };
    Ok(plans::find(&state.db, plan_id)
        .await?
        .map(|plan| (plan, row)))
}

impl FromPath for Plan {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(plans::find(&state.db, parse_id(param)?).await?)
    }
}

impl OfAgency for Plan {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// Agencies are named by their code in URLs (`/agencies/ANASER`).
impl FromPath for Agency {
    const PARAM: &'static str = "code";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(agencies::find_by_code(&state.db, param).await?)
    }
}

impl OfAgency for Agency {
    fn agency_id(&self) -> i64 {
        self.id
    }
}

impl FromPath for BoardSession {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(sessions::find(&state.db, parse_id(param)?).await?)
    }
}

impl OfAgency for BoardSession {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

impl FromPath for ResolutionDetail {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(sessions::find_resolution(&state.db, parse_id(param)?).await?)
    }
}

impl OfAgency for ResolutionDetail {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }

    /// A resolution's page is for its agency's readers: one who may not even
    /// read it is told that, rather than that they may not change it.
    fn ensure_editable(&self, user: &CurrentUser) -> Result<(), AppError> {
        user.ensure_can_read(self.agency_id)?;
        user.ensure_can_edit(self.agency_id)
    }
}

/// An activity as its page shows it, where progress is recorded.
impl FromPath for ActivityDetail {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(activities::find(&state.db, parse_id(param)?).await?)
    }
}

impl OfAgency for ActivityDetail {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }

    /// Changing an activity's page means recording its progress: the
    /// message says who may do that.
    fn ensure_editable(&self, user: &CurrentUser) -> Result<(), AppError> {
        if user.can_edit(self.agency_id) {
            Ok(())
        } else {
            Err(AppError::forbidden("error.forbidden_edit"))
        }
    }
}

/// A node of the structure editor, with its plan.
impl FromPath for (Plan, NodeRow) {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        with_plan(
            state,
            structure::find_node(&state.db, parse_id(param)?).await?,
        )
        .await
    }
}

/// An activity of the structure editor, with its plan.
impl FromPath for (Plan, ActivityRow) {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        with_plan(
            state,
            structure::find_activity(&state.db, parse_id(param)?).await?,
        )
        .await
    }
}

/// An indicator of the structure editor, with its plan.
impl FromPath for (Plan, IndicatorRow) {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        with_plan(
            state,
            structure::find_indicator(&state.db, parse_id(param)?).await?,
        )
        .await
    }
}

/// A funding line of the funding editor, with its plan.
impl FromPath for (Plan, FundingLine) {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        with_plan(state, funding::find(&state.db, parse_id(param)?).await?).await
    }
}

/// A structure row belongs to its plan's agency.
impl<R> OfAgency for (Plan, R) {
    fn agency_id(&self) -> i64 {
        self.0.agency_id
    }
}

impl FromPath for Account {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        Ok(admin::account(&state.db, parse_id(param)?).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_urls() {
        assert_eq!(parse_id("42").ok(), Some(42));
        assert!(matches!(parse_id("abc"), Err(AppError::NotFound)));
        assert!(matches!(parse_id("-1"), Err(AppError::NotFound)));
    }
}
