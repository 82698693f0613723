//! Who is signed in, and what they may do: the `CurrentUser` extractor (the
//! user, their roles and the agencies they read, in one statement on each
//! request so that a changed role applies at once) and the rights derived from the roles.
//! The login session itself lives in PostgreSQL (tower-sessions); it stays
//! signed in while the account is enabled and its password unchanged since
//! the sign-in (the session generation, `store::users`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use tower_sessions::Session;

use super::{AppError, AppState};
use crate::domain::Role;
use crate::store::users::{self, AgencyRole, User};

/// Session keys: the user's id, their name for the page header, and whether
/// the header shows the link to the admin pages (a hint only: the admin pages
/// check the account itself).
pub const USER_KEY: &str = "user_id";
pub const USER_NAME_KEY: &str = "user_name";
pub const USER_ADMIN_KEY: &str = "user_is_admin";
/// The account's session generation at sign-in (or at the session's own
/// password change). Sessions from before generations have none: 0.
pub const USER_GENERATION_KEY: &str = "user_generation";

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub roles: Vec<AgencyRole>,
    /// Agencies read through a role in them or in an agency above them
    /// (sorted; unused for admins, who read everything).
    pub readable: Vec<i64>,
    /// Agencies whose updates this user validates (sorted; unused for admins).
    pub validating: Vec<i64>,
}

impl CurrentUser {
    pub fn role_in(&self, agency_id: i64) -> Option<Role> {
        self.roles
            .iter()
            .find(|r| r.agency_id == agency_id)
            .map(|r| r.role)
    }

    /// Any role in the agency, or in an agency above it, lets one read it;
    /// admins read everything.
    pub fn can_read(&self, agency_id: i64) -> bool {
        self.user.is_admin || self.readable.binary_search(&agency_id).is_ok()
    }

    /// The agencies this user may read, or `None` for all of them (admins):
    /// the filter to hand to queries that span agencies.
    pub fn readable_filter(&self) -> Option<&[i64]> {
        (!self.user.is_admin).then_some(self.readable.as_slice())
    }

    /// Refuses with the 403 page unless the user may read the agency.
    pub fn ensure_can_read(&self, agency_id: i64) -> Result<(), AppError> {
        if self.can_read(agency_id) {
            Ok(())
        } else {
            Err(AppError::forbidden("error.forbidden_read"))
        }
    }

    /// Refuses with the 403 page unless the user may change the agency's data.
    pub fn ensure_can_edit(&self, agency_id: i64) -> Result<(), AppError> {
        if self.can_edit(agency_id) {
            Ok(())
        } else {
            Err(AppError::forbidden("error.forbidden_change"))
        }
    }

    /// The M&E unit of the agency or of one above it (and admins) validate
    /// its staff's updates.
    pub fn can_validate(&self, agency_id: i64) -> bool {
        self.user.is_admin || self.validating.binary_search(&agency_id).is_ok()
    }

    /// Whether this user validates anywhere: the validation queue is theirs.
    pub fn validates_anywhere(&self) -> bool {
        self.user.is_admin || !self.validating.is_empty()
    }

    /// The agencies whose updates this user validates, or `None` for all of
    /// them (admins).
    pub fn validating_filter(&self) -> Option<&[i64]> {
        (!self.user.is_admin).then_some(self.validating.as_slice())
    }

    /// Only the agency's editors (and admins) record progress.
    pub fn can_edit(&self, agency_id: i64) -> bool {
        self.user.is_admin || self.role_in(agency_id) == Some(Role::Editor)
    }

    /// The user of the request's session, if someone is signed in.
    pub async fn from_session(
        session: &Session,
        state: &AppState,
    ) -> Result<Option<CurrentUser>, AppError> {
        let Some(id) = session.get::<i64>(USER_KEY).await? else {
            return Ok(None);
        };
        let generation = session.get::<i64>(USER_GENERATION_KEY).await?.unwrap_or(0);
        let Some(users::SessionUser {
            user,
            roles,
            readable,
            validating,
        }) = users::for_session(&state.db, id, generation).await?
        else {
            // The account is gone or disabled, or its password changed
            // since this session signed in: forget the session rather than
            // loop.
            session.flush().await?;
            return Ok(None);
        };
        // A name or admin flag changed since sign-in shows in the header from
        // the next page on.
        if session.get::<bool>(USER_ADMIN_KEY).await? != Some(user.is_admin) {
            session.insert(USER_ADMIN_KEY, user.is_admin).await?;
        }
        if session.get::<String>(USER_NAME_KEY).await?.as_ref() != Some(&user.display_name) {
            session.insert(USER_NAME_KEY, &user.display_name).await?;
        }
        Ok(Some(CurrentUser {
            user,
            roles: roles.0,
            readable,
            validating,
        }))
    }
}

/// The request's session; the session layer is always there in `web::app`.
pub fn session(parts: &Parts) -> Result<Session, AppError> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session(parts)?;
        match CurrentUser::from_session(&session, state).await? {
            Some(user) => Ok(user),
            // A page to read sends to the login form and back; a form posted
            // without a session is refused (its data cannot survive a redirect).
            None if parts.method == Method::GET => Err(AppError::LoginRequired {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned()),
            }),
            None => Err(AppError::forbidden("error.login_required")),
        }
    }
}

/// A signed-in admin: the admin pages take this, so that anyone else is
/// refused before the handler runs (anonymous readers go to the login form).
#[derive(Debug, Clone)]
pub struct Admin(pub CurrentUser);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.user.is_admin {
            Ok(Admin(user))
        } else {
            Err(AppError::forbidden("admin.forbidden"))
        }
    }
}

/// The signed-in user if any, for pages that anyone may read but that show
/// more (an entry form) to some.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session(parts)?;
        Ok(MaybeUser(CurrentUser::from_session(&session, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(is_admin: bool, roles: &[(i64, Role)]) -> CurrentUser {
        CurrentUser {
            user: User {
                id: 1,
                login: "u".into(),
                display_name: "U".into(),
                is_admin,
            },
            roles: roles
                .iter()
                .map(|(agency_id, role)| AgencyRole {
                    agency_id: *agency_id,
                    agency_code: format!("A{agency_id}"),
                    role: *role,
                })
                .collect(),
            readable: roles.iter().map(|(agency_id, _)| *agency_id).collect(),
            validating: roles
                .iter()
                .filter(|(_, role)| *role == Role::Validator)
                .map(|(agency_id, _)| *agency_id)
                .collect(),
        }
    }

    #[test]
    fn rights_follow_roles() {
        let editor = user(false, &[(1, Role::Editor), (2, Role::Viewer)]);
        assert!(editor.can_edit(1) && editor.can_read(1));
        assert!(!editor.can_edit(2) && editor.can_read(2));
        assert!(!editor.can_read(3));
        let board = user(false, &[(1, Role::Board)]);
        assert!(board.can_read(1) && !board.can_edit(1));
        let validator = user(false, &[(1, Role::Validator)]);
        assert!(validator.can_validate(1) && validator.can_read(1) && !validator.can_edit(1));
        assert!(!editor.can_validate(1) && !board.can_validate(1));
        let admin = user(true, &[]);
        assert!(admin.can_edit(42) && admin.can_read(42) && admin.can_validate(42));
    }
}
