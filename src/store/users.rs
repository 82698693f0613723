//! Accounts and their per-agency roles. Password hashes are stored and read
//! here; hashing itself is `crate::passwords`. So is each account's session
//! generation, which a session must match to stay signed in (a new password
//! moves it on, ending the account's other sessions). `add` and
//! `change_password` write their audit rows; `create` and `set_role` are the
//! bare rows, for callers that audit in their own transaction (`store::admin`)
//! and for the demo and test fixtures.

use serde::Serialize;
use serde_json::json;
use sqlx::{FromRow, PgExecutor, PgPool};

use super::audit::{self, Actor};
use super::to_json;
use crate::domain::Role;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub is_admin: bool,
}

/// A user with the hash to check a password against (login only).
#[derive(Debug, FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
    /// A disabled account cannot sign in, whatever the password.
    pub disabled: bool,
    /// What a session opened now is stamped with.
    pub session_generation: i64,
}

/// What the audit log keeps of an account: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountFields {
    pub login: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
}

#[derive(Debug, Clone, FromRow, serde::Deserialize)]
pub struct AgencyRole {
    pub agency_id: i64,
    pub agency_code: String,
    pub role: Role,
}

/// Creates an account; `None` when the login is taken.
pub async fn create(
    db: impl PgExecutor<'_>,
    login: &str,
    display_name: &str,
    password_hash: &str,
    is_admin: bool,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO users (login, display_name, password_hash, is_admin) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (login) DO NOTHING RETURNING id",
    )
    .bind(login)
    .bind(display_name)
    .bind(password_hash)
    .bind(is_admin)
    .fetch_optional(db)
    .await
}

/// Gives `role` in the agency, replacing the user's previous role there.
pub async fn set_role(
    db: impl PgExecutor<'_>,
    user_id: i64,
    agency_id: i64,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, agency_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(user_id)
    .bind(agency_id)
    .bind(role)
    .execute(db)
    .await?;
    Ok(())
}

/// Creates an account with its roles in one transaction, with the audit rows
/// the admin pages write for the same (`user.create`, `user.role_grant`);
/// `None` when the login is taken (nothing written).
pub async fn add(
    db: &PgPool,
    login: &str,
    display_name: &str,
    password_hash: &str,
    is_admin: bool,
    roles: &[AgencyRole],
    actor: Actor,
) -> sqlx::Result<Option<i64>> {
    let mut tx = crate::db::begin(db).await?;
    let Some(id) = create(&mut *tx, login, display_name, password_hash, is_admin).await? else {
        return Ok(None);
    };
    let account = AccountFields {
        login: login.to_owned(),
        display_name: display_name.to_owned(),
        is_admin,
        disabled: false,
    };
    let created = audit::Entry {
        user_id: actor.user_id(),
        action: "user.create",
        object_type: "user",
        object_id: Some(id),
        agency_id: None,
        before: None,
        after: actor.mark(Some(to_json(&account)?)),
    };
    audit::record(&mut *tx, &created).await?;
    for grant in roles {
        set_role(&mut *tx, id, grant.agency_id, grant.role).await?;
        let after = json!({
            "login": login,
            "agency_code": grant.agency_code,
            "role": grant.role,
        });
        let granted = audit::Entry {
            action: "user.role_grant",
            agency_id: Some(grant.agency_id),
            after: actor.mark(Some(after)),
            ..created.clone()
        };
        audit::record(&mut *tx, &granted).await?;
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// Replaces the password hash and moves the account's session generation on,
/// so that every session opened before is over (from the command line too: a
/// password is reset because it may be known to someone else), with its audit
/// row; returns the new generation (to stamp the session that made the
/// change), `None` when no such user.
pub async fn change_password(
    db: &PgPool,
    user_id: i64,
    password_hash: &str,
    actor: Actor,
) -> sqlx::Result<Option<i64>> {
    let mut tx = crate::db::begin(db).await?;
    let generation = sqlx::query_scalar(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1 \
         WHERE id = $1 RETURNING session_generation",
    )
    .bind(user_id)
    .bind(password_hash)
    .fetch_optional(&mut *tx)
    .await?;
    if generation.is_none() {
        return Ok(None);
    }
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: actor.user_id(),
            action: "user.password_changed",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: None,
            // Never the hashes: the log is read by more people than the table.
            before: None,
            after: actor.mark(None),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(generation)
}

pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as("SELECT id, login, display_name, is_admin FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The user of a session opened at `generation`, with their roles and the
/// agencies they read: `None` when the account is gone or disabled, or its
/// password changed since. One statement, as every signed-in request runs
/// it: the roles come back as JSON, the readable agencies (those where the
/// user holds a role, and every agency below them: a ministry's board reads
/// the agencies under it) and those they validate as arrays.
pub async fn for_session(
    db: impl PgExecutor<'_>,
    id: i64,
    generation: i64,
) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as(
        "WITH RECURSIVE u AS ( \
             SELECT id, login, display_name, is_admin FROM users \
             WHERE id = $1 AND disabled_at IS NULL AND session_generation = $2 \
         ), readable(id, validates) AS ( \
             SELECT r.agency_id, r.role = 'validator' FROM user_roles r JOIN u ON u.id = r.user_id \
             UNION \
             SELECT g.id, r.validates FROM agencies g JOIN readable r ON g.parent_id = r.id \
         ) SELECT u.id, u.login, u.display_name, u.is_admin, \
             COALESCE((SELECT json_agg(json_build_object('agency_id', r.agency_id, \
                 'agency_code', g.code, 'role', r.role) ORDER BY g.code) \
               FROM user_roles r JOIN agencies g ON g.id = r.agency_id \
               WHERE r.user_id = u.id), '[]') AS roles, \
             ARRAY(SELECT DISTINCT id FROM readable ORDER BY id) AS readable, \
             ARRAY(SELECT id FROM readable GROUP BY id HAVING bool_or(validates) ORDER BY id) \
               AS validating \
         FROM u",
    )
    .bind(id)
    .bind(generation)
    .fetch_optional(db)
    .await
}

/// A signed-in user as [`for_session`] reads them.
#[derive(Debug, FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: User,
    /// Sorted by agency code.
    pub roles: sqlx::types::Json<Vec<AgencyRole>>,
    /// Sorted.
    pub readable: Vec<i64>,
    /// The agencies whose updates they validate (a validator's role there or
    /// above it: the M&E unit of a ministry validates for its agencies), sorted.
    pub validating: Vec<i64>,
}

pub async fn find_by_login(db: impl PgExecutor<'_>, login: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as("SELECT id, login, display_name, is_admin FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(db)
        .await
}

pub async fn credentials_by_login(
    db: impl PgExecutor<'_>,
    login: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as(
        "SELECT id, login, display_name, is_admin, password_hash, \
         disabled_at IS NOT NULL AS disabled, session_generation FROM users WHERE login = $1",
    )
    .bind(login)
    .fetch_optional(db)
    .await
}

pub async fn credentials(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as(
        "SELECT id, login, display_name, is_admin, password_hash, \
         disabled_at IS NOT NULL AS disabled, session_generation FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn roles(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Vec<AgencyRole>> {
    sqlx::query_as(
        "SELECT r.agency_id, g.code AS agency_code, r.role FROM user_roles r \
         JOIN agencies g ON g.id = r.agency_id WHERE r.user_id = $1 ORDER BY g.code",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}
