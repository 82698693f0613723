//! What the admin pages read and change: agencies (code, name, parent),
//! accounts (name, admin flag, disabled) and their roles per agency. Every
//! change writes its audit row in the same transaction. Validation of what
//! was typed is the web layer's; the rules that need the database (a code or
//! login taken, a parent that would make a cycle) are checked here, inside
//! the transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{FromRow, PgConnection, PgPool};

use super::users::{AccountFields, AgencyRole};
use super::{audit, to_json};
use crate::domain::Role;

// ---- Agencies ----

/// An agency as the admin pages set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyFields {
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub requires_validation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencySave {
    Saved(i64),
    /// Another agency has this code (ignoring case); nothing written.
    CodeTaken,
    /// The parent is the agency itself or one under it; nothing written.
    ParentCycle,
    /// The parent does not exist (any more); nothing written.
    ParentMissing,
    /// The agency to edit does not exist.
    NotFound,
}

/// Whether `code` is taken by an agency other than `except`, ignoring case
/// (`anaser` beside `ANASER` would only confuse).
async fn code_taken(tx: &mut PgConnection, code: &str, except: Option<i64>) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM agencies WHERE lower(code) = lower($1) \
         AND id IS DISTINCT FROM $2)",
    )
    .bind(code)
    .bind(except)
    .fetch_one(tx)
    .await
}

/// Serialises changes to the agency tree (and to codes) across instances, so
/// two edits cannot each pass the cycle check and together make a cycle.
async fn lock_agency_tree(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('suivi.agency_tree'))")
        .execute(tx)
        .await?;
    Ok(())
}

async fn parent_exists(tx: &mut PgConnection, parent_id: Option<i64>) -> sqlx::Result<bool> {
    match parent_id {
        None => Ok(true),
        Some(id) => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agencies WHERE id = $1)")
                .bind(id)
                .fetch_one(tx)
                .await
        }
    }
}

/// The agency's fields as the audit log shows them: the parent by code too.
async fn agency_json(
    tx: &mut PgConnection,
    fields: &AgencyFields,
) -> sqlx::Result<serde_json::Value> {
    let parent_code: Option<String> = match fields.parent_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar("SELECT code FROM agencies WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
    };
    let mut value = to_json(fields)?;
    value["parent_code"] = json!(parent_code);
    Ok(value)
}

pub async fn agency_exists(db: &PgPool, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agencies WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

pub async fn create_agency(
    db: &PgPool,
    fields: &AgencyFields,
    by_user: i64,
) -> sqlx::Result<AgencySave> {
    let mut tx = crate::db::begin(db).await?;
    lock_agency_tree(&mut tx).await?;
    if code_taken(&mut tx, &fields.code, None).await? {
        return Ok(AgencySave::CodeTaken);
    }
    if !parent_exists(&mut tx, fields.parent_id).await? {
        return Ok(AgencySave::ParentMissing);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (code, name, parent_id, requires_validation) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&fields.code)
    .bind(&fields.name)
    .bind(fields.parent_id)
    .bind(fields.requires_validation)
    .fetch_one(&mut *tx)
    .await?;
    let after = agency_json(&mut tx, fields).await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by_user),
            action: "agency.create",
            object_type: "agency",
            object_id: Some(id),
            agency_id: Some(id),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(AgencySave::Saved(id))
}

pub async fn update_agency(
    db: &PgPool,
    id: i64,
    fields: &AgencyFields,
    by_user: i64,
) -> sqlx::Result<AgencySave> {
    let mut tx = crate::db::begin(db).await?;
    lock_agency_tree(&mut tx).await?;
    let current: Option<(String, String, Option<i64>, bool)> = sqlx::query_as(
        "SELECT code, name, parent_id, requires_validation FROM agencies WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((code, name, parent_id, requires_validation)) = current else {
        return Ok(AgencySave::NotFound);
    };
    let before = AgencyFields {
        code,
        name,
        parent_id,
        requires_validation,
    };
    if code_taken(&mut tx, &fields.code, Some(id)).await? {
        return Ok(AgencySave::CodeTaken);
    }
    if !parent_exists(&mut tx, fields.parent_id).await? {
        return Ok(AgencySave::ParentMissing);
    }
    if let Some(parent_id) = fields.parent_id {
        // The agency and everything under it may not become its parent.
        let cycle: bool = sqlx::query_scalar(
            "WITH RECURSIVE below(id) AS ( \
                 SELECT $1::bigint \
                 UNION \
                 SELECT g.id FROM agencies g JOIN below b ON g.parent_id = b.id \
             ) SELECT EXISTS (SELECT 1 FROM below WHERE id = $2)",
        )
        .bind(id)
        .bind(parent_id)
        .fetch_one(&mut *tx)
        .await?;
        if cycle {
            return Ok(AgencySave::ParentCycle);
        }
    }
    if before == *fields {
        return Ok(AgencySave::Saved(id));
    }
    sqlx::query(
        "UPDATE agencies SET code = $2, name = $3, parent_id = $4, requires_validation = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&fields.code)
    .bind(&fields.name)
    .bind(fields.parent_id)
    .bind(fields.requires_validation)
    .execute(&mut *tx)
    .await?;
    let before = agency_json(&mut tx, &before).await?;
    let after = agency_json(&mut tx, fields).await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by_user),
            action: "agency.update",
            object_type: "agency",
            object_id: Some(id),
            agency_id: Some(id),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(AgencySave::Saved(id))
}

// ---- Accounts ----

/// An account as the admin pages list it.
#[derive(Debug, Clone, FromRow)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

const ACCOUNT_COLUMNS: &str = "SELECT id, login, display_name, is_admin, \
     disabled_at IS NOT NULL AS disabled, created_at FROM users";

pub async fn accounts(db: &PgPool) -> sqlx::Result<Vec<Account>> {
    sqlx::query_as(&format!("{ACCOUNT_COLUMNS} ORDER BY login"))
        .fetch_all(db)
        .await
}

/// The condition of the accounts list's filter: words found in the login or
/// the name, whatever their case (`strpos`, so that `%` and `_` are plain
/// characters); an empty filter keeps every account.
const ACCOUNT_FILTER: &str = " WHERE $1 = '' OR strpos(lower(login), lower($1)) > 0 \
     OR strpos(lower(display_name), lower($1)) > 0";

/// How many accounts match `words` (see `ACCOUNT_FILTER`).
pub async fn count_accounts(db: &PgPool, words: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT count(*) FROM users{ACCOUNT_FILTER}"))
        .bind(words)
        .fetch_one(db)
        .await
}

/// One page of the accounts matching `words`, by login.
pub async fn accounts_page(
    db: &PgPool,
    words: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Account>> {
    sqlx::query_as(&format!(
        "{ACCOUNT_COLUMNS}{ACCOUNT_FILTER} ORDER BY login LIMIT $2 OFFSET $3"
    ))
    .bind(words)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

pub async fn account(db: &PgPool, id: i64) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(&format!("{ACCOUNT_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every role of the accounts `users`, by account then agency code.
pub async fn roles_of(db: &PgPool, users: &[i64]) -> sqlx::Result<Vec<(i64, AgencyRole)>> {
    #[derive(FromRow)]
    struct Row {
        user_id: i64,
        #[sqlx(flatten)]
        role: AgencyRole,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.user_id, r.agency_id, g.code AS agency_code, r.role FROM user_roles r \
         JOIN agencies g ON g.id = r.agency_id WHERE r.user_id = ANY($1) \
         ORDER BY r.user_id, g.code",
    )
    .bind(users)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.role)).collect())
}

impl AccountFields {
    fn of(account: &Account) -> AccountFields {
        AccountFields {
            login: account.login.clone(),
            display_name: account.display_name.clone(),
            is_admin: account.is_admin,
            disabled: account.disabled,
        }
    }
}

async fn account_for_update(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(&format!("{ACCOUNT_COLUMNS} WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(tx)
        .await
}

async fn audit_account(
    tx: &mut PgConnection,
    by_user: i64,
    action: &str,
    user_id: i64,
    before: Option<&AccountFields>,
    after: &AccountFields,
) -> sqlx::Result<()> {
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by_user),
            action,
            object_type: "user",
            object_id: Some(user_id),
            agency_id: None,
            before: before.map(to_json).transpose()?,
            after: Some(to_json(after)?),
        },
    )
    .await?;
    Ok(())
}

/// Creates an account; `None` when the login is taken (nothing written).
pub async fn create_account(
    db: &PgPool,
    login: &str,
    display_name: &str,
    password_hash: &str,
    is_admin: bool,
    by_user: i64,
) -> sqlx::Result<Option<i64>> {
    let mut tx = crate::db::begin(db).await?;
    let Some(id) =
        super::users::create(&mut *tx, login, display_name, password_hash, is_admin).await?
    else {
        return Ok(None);
    };
    let after = AccountFields {
        login: login.to_owned(),
        display_name: display_name.to_owned(),
        is_admin,
        disabled: false,
    };
    audit_account(&mut tx, by_user, "user.create", id, None, &after).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Sets the account's name, admin flag and whether it is disabled; false when
/// there is no such account. Unchanged values write nothing.
pub async fn update_account(
    db: &PgPool,
    id: i64,
    display_name: &str,
    is_admin: bool,
    disabled: bool,
    by_user: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let Some(account) = account_for_update(&mut tx, id).await? else {
        return Ok(false);
    };
    let before = AccountFields::of(&account);
    let after = AccountFields {
        display_name: display_name.to_owned(),
        is_admin,
        disabled,
        ..before.clone()
    };
    if before == after {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE users SET display_name = $2, is_admin = $3, \
         disabled_at = CASE WHEN NOT $4 THEN NULL ELSE coalesce(disabled_at, now()) END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(display_name)
    .bind(is_admin)
    .bind(disabled)
    .execute(&mut *tx)
    .await?;
    let action = match (before.disabled, after.disabled) {
        (false, true) => "user.disable",
        (true, false) => "user.enable",
        _ => "user.update",
    };
    audit_account(&mut tx, by_user, action, id, Some(&before), &after).await?;
    tx.commit().await?;
    Ok(true)
}

/// What the audit log keeps of a role change.
#[derive(Serialize)]
struct RoleJson<'a> {
    login: &'a str,
    agency_code: &'a str,
    role: Role,
}

/// Gives `role` in the agency (replacing the account's role there); false when
/// the account or the agency does not exist.
pub async fn grant_role(
    db: &PgPool,
    user_id: i64,
    agency_id: i64,
    role: Role,
    by_user: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let Some(account) = account_for_update(&mut tx, user_id).await? else {
        return Ok(false);
    };
    let Some(agency_code): Option<String> =
        sqlx::query_scalar("SELECT code FROM agencies WHERE id = $1")
            .bind(agency_id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(false);
    };
    let previous: Option<Role> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 AND agency_id = $2")
            .bind(user_id)
            .bind(agency_id)
            .fetch_optional(&mut *tx)
            .await?;
    if previous == Some(role) {
        return Ok(true);
    }
    super::users::set_role(&mut *tx, user_id, agency_id, role).await?;
    let json = |role| {
        to_json(&RoleJson {
            login: &account.login,
            agency_code: &agency_code,
            role,
        })
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by_user),
            action: "user.role_grant",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: Some(agency_id),
            before: previous.map(json).transpose()?,
            after: Some(json(role)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Takes away the account's role in the agency; false when it had none.
pub async fn revoke_role(
    db: &PgPool,
    user_id: i64,
    agency_id: i64,
    by_user: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let removed: Option<(Role, String, String)> = sqlx::query_as(
        "DELETE FROM user_roles r USING users u, agencies g \
         WHERE r.user_id = $1 AND r.agency_id = $2 AND u.id = r.user_id AND g.id = r.agency_id \
         RETURNING r.role, u.login, g.code",
    )
    .bind(user_id)
    .bind(agency_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((role, login, agency_code)) = removed else {
        return Ok(false);
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by_user),
            action: "user.role_revoke",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: Some(agency_id),
            before: Some(to_json(&RoleJson {
                login: &login,
                agency_code: &agency_code,
                role,
            })?),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
