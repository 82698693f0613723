//! Counting failed sign-ins, per account and per client address, in
//! PostgreSQL so that the limits hold across every instance on the database.
//! The policy (how many, over how long) is the caller's; this module only
//! counts, records and purges. Nothing here is audited: attempts change no data.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// How many failures are tolerated, over which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures for one login within the window before attempts are refused.
    pub per_account: i64,
    /// Failures from one address within the window before attempts are refused.
    pub per_address: i64,
    pub window_minutes: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_account: 5,
            per_address: 20,
            window_minutes: 15,
        }
    }
}

/// Longest login kept in a row: logins are at most 64 characters, anything
/// longer is counted under its first 100.
const LOGIN_KEY_MAX: usize = 100;

/// How long rows are kept after the window: a day of recent attempts helps
/// whoever looks into an incident; older ones are purged.
const KEEP_HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt may go on; its row (counted as a failure until
    /// `succeeded`) has this id.
    Allowed(i64),
    /// Too many recent failures: refused until `retry_at`. Nothing recorded.
    Refused { retry_at: DateTime<Utc> },
}

/// The key an attempt is counted under: the login as the form matches it.
pub fn login_key(login: &str) -> String {
    login
        .trim()
        .to_lowercase()
        .chars()
        .take(LOGIN_KEY_MAX)
        .collect()
}

/// Checks the limits for `login` (a `login_key`) and `address` and, if they
/// allow it, records the attempt as a failure. Attempts for one login, and
/// from one address, are serialised by advisory locks, so that a burst of
/// parallel attempts cannot all pass the check before any is recorded.
pub async fn begin(
    db: &PgPool,
    login: &str,
    address: Option<&str>,
    limits: Limits,
) -> sqlx::Result<Attempt> {
    let mut tx = db.begin().await?;
    // The login lock before the address lock, always: no deadlock.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtext('suivi.login_attempts.login'), hashtext($1))",
    )
    .bind(login)
    .execute(&mut *tx)
    .await?;
    if let Some(address) = address {
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtext('suivi.login_attempts.address'), hashtext($1))",
        )
        .bind(address)
        .execute(&mut *tx)
        .await?;
    }
    // The limit-th most recent failure still in the window, for the account
    // and for the address: while it is there, attempts are refused; once it
    // leaves the window fewer than `limit` remain.
    let (account_oldest, address_oldest): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        sqlx::query_as(
            "SELECT \
               (SELECT at FROM login_attempts \
                 WHERE login = $1 AND NOT account_cleared AND at > now() - make_interval(mins => $5) \
                 ORDER BY at DESC OFFSET $3 - 1 LIMIT 1), \
               (SELECT at FROM login_attempts \
                 WHERE $2::text IS NOT NULL AND address = $2 AND at > now() - make_interval(mins => $5) \
                 ORDER BY at DESC OFFSET $4 - 1 LIMIT 1)",
        )
        .bind(login)
        .bind(address)
        .bind(limits.per_account)
        .bind(limits.per_address)
        .bind(i32::try_from(limits.window_minutes).unwrap_or(i32::MAX))
        .fetch_one(&mut *tx)
        .await?;
    let window = chrono::Duration::minutes(limits.window_minutes);
    if let Some(oldest) = account_oldest.into_iter().chain(address_oldest).max() {
        return Ok(Attempt::Refused {
            retry_at: oldest + window,
        });
    }
    let id = sqlx::query_scalar(
        "INSERT INTO login_attempts (login, address) VALUES ($1, $2) RETURNING id",
    )
    .bind(login)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Attempt::Allowed(id))
}

/// The attempt `id` signed in: it was no failure, and the account's earlier
/// failures no longer count against it (they still count for the address).
pub async fn succeeded(db: &PgPool, id: i64, login: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM login_attempts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE login_attempts SET account_cleared = true WHERE login = $1 AND NOT account_cleared",
    )
    .bind(login)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Deletes the attempts older than a day; returns how many.
pub async fn purge(db: &PgPool) -> sqlx::Result<u64> {
    let done =
        sqlx::query("DELETE FROM login_attempts WHERE at < now() - make_interval(hours => $1)")
            .bind(i32::try_from(KEEP_HOURS).unwrap_or(i32::MAX))
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn logins_are_counted_as_the_form_matches_them() {
        assert_eq!(super::login_key("  Anaser.Editeur "), "anaser.editeur");
        assert_eq!(super::login_key(&"x".repeat(500)).len(), 100);
    }
}
