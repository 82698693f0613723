//! Counting failed sign-ins in PostgreSQL, so that the limits hold across
//! every instance on the database, and remembering where each account signed
//! in lately. The numbers are the caller's (`Limits`); the rules are here,
//! because they are read in the same transaction as the counts:
//!
//! - per (account, address) pair: `per_pair` failures within the window and
//!   that pair is refused until the oldest of them leaves it. One client
//!   cannot guess on, and nobody else is hindered by it.
//! - per account, from anywhere: past `account_free` failures, each attempt
//!   waits a delay that doubles with every further failure (up to
//!   `max_delay_seconds`). Not a lock: it slows down guessing from many
//!   addresses, and an address the account is known at (a sign-in from there
//!   within 60 days: the office, home) is not slowed at all, so a stranger
//!   cannot keep its owner out.
//! - per address: `per_address` failures within the window on logins not
//!   known there (unknown logins, other people's accounts) and the address is
//!   refused for such logins; the accounts known there still sign in, so one
//!   person behind a ministry's NAT cannot lock out their colleagues.
//!
//! An IPv6 client counts by its /64, which one household or office gets.
//! Nothing here is audited: attempts change no data.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

/// How many failures are tolerated, over which window, and how fast the
/// account's delay grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures for one login from one address within the window before that
    /// pair is refused.
    pub per_pair: i64,
    /// Failures for one login, from anywhere, within the window before the
    /// attempts from addresses it is not known at are delayed.
    pub account_free: i64,
    /// The first delay; each further failure doubles it.
    pub first_delay_seconds: i64,
    pub max_delay_seconds: i64,
    /// Failures from one address within the window, on logins not known at
    /// it, before it is refused for such logins.
    pub per_address: i64,
    pub window_minutes: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_pair: 5,
            account_free: 5,
            first_delay_seconds: 1,
            max_delay_seconds: 5 * 60,
            per_address: 20,
            window_minutes: 15,
        }
    }
}

impl Limits {
    /// The wait imposed on the account after `failures` in the window.
    fn account_delay(&self, failures: i64) -> Option<Duration> {
        let past = failures - self.account_free;
        if past < 0 {
            return None;
        }
        let doubled = self
            .first_delay_seconds
            .saturating_mul(1i64 << past.min(40));
        Some(Duration::seconds(doubled.min(self.max_delay_seconds)))
    }
}

/// Longest login kept in a row: logins are at most 64 characters, anything
/// longer is counted under its first 100.
const LOGIN_KEY_MAX: usize = 100;

/// How long rows are kept after the window: a day of recent attempts helps
/// whoever looks into an incident; older ones are purged.
const KEEP_HOURS: i64 = 24;

/// How long a successful sign-in makes its address known for the account:
/// long enough to cover holidays, short enough not to keep old addresses.
const KNOWN_FOR_DAYS: i32 = 60;

/// Which rule refused an attempt (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Pair,
    AccountDelay,
    Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt may go on; its row (counted as a failure until
    /// `succeeded`) has this id.
    Allowed(i64),
    /// Refused for `retry_after`. Nothing recorded.
    Refused { retry_after: Duration, rule: Rule },
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

/// The key an address is counted under: an IPv4 address itself, an IPv6
/// address its /64 (a client usually holds a whole /64, and could otherwise
/// take a new address for each attempt).
pub fn address_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The counts an attempt is judged on, read in one statement.
#[derive(sqlx::FromRow)]
struct Counts {
    now: DateTime<Utc>,
    known: bool,
    pair_oldest: Option<DateTime<Utc>>,
    account_failures: i64,
    account_latest: Option<DateTime<Utc>>,
    address_oldest: Option<DateTime<Utc>>,
}

/// Checks the limits for `login` (a `login_key`) from `address` (an
/// `address_key`) and, if they allow it, records the attempt as a failure.
/// Attempts for one login, and from one address, are serialised by advisory
/// locks, so that a burst of parallel attempts cannot all pass the check
/// before any is recorded.
pub async fn begin(
    db: &PgPool,
    login: &str,
    address: Option<&str>,
    limits: Limits,
) -> sqlx::Result<Attempt> {
    let mut tx = crate::db::begin(db).await?;
    // The login lock before the address lock, always: no deadlock.
    lock(&mut tx, "suivi.login_attempts.login", login).await?;
    if let Some(address) = address {
        lock(&mut tx, "suivi.login_attempts.address", address).await?;
    }
    // For the pair and the address, the limit-th most recent failure still in
    // the window: while it is there, attempts are refused; once it leaves the
    // window fewer than `limit` remain. A pair counts its failures since its
    // own last success, not since the account's: the owner signing in at home
    // gives the stranger at another address no new guesses. A client whose
    // address is unknown (NULL) counts as one address for the pair (cleared
    // by any success), and has no address limit.
    let counts: Counts = sqlx::query_as(
        "WITH recent AS ( \
             SELECT login, address, at, account_cleared FROM login_attempts \
             WHERE at > now() - make_interval(mins => $5) \
         ), known AS ( \
             SELECT login, address FROM login_known_addresses \
             WHERE last_success_at > now() - make_interval(days => $6) \
         ) SELECT now() AS now, \
           EXISTS (SELECT 1 FROM known WHERE login = $1 AND address = $2) AS known, \
           (SELECT at FROM recent \
             WHERE login = $1 AND address IS NOT DISTINCT FROM $2 \
               AND CASE WHEN $2::text IS NULL THEN NOT account_cleared \
                   ELSE at > coalesce((SELECT last_success_at FROM login_known_addresses \
                                        WHERE login = $1 AND address = $2), '-infinity') END \
             ORDER BY at DESC OFFSET $3 - 1 LIMIT 1) AS pair_oldest, \
           (SELECT count(*) FROM recent WHERE login = $1 AND NOT account_cleared) \
             AS account_failures, \
           (SELECT max(at) FROM recent WHERE login = $1 AND NOT account_cleared) \
             AS account_latest, \
           (SELECT r.at FROM recent r \
             WHERE $2::text IS NOT NULL AND r.address = $2 \
               AND NOT EXISTS (SELECT 1 FROM known k \
                               WHERE k.login = r.login AND k.address = r.address) \
             ORDER BY r.at DESC OFFSET $4 - 1 LIMIT 1) AS address_oldest",
    )
    .bind(login)
    .bind(address)
    .bind(limits.per_pair)
    .bind(limits.per_address)
    .bind(i32::try_from(limits.window_minutes).unwrap_or(i32::MAX))
    .bind(KNOWN_FOR_DAYS)
    .fetch_one(&mut *tx)
    .await?;
    let window = Duration::minutes(limits.window_minutes);
    let mut until = vec![(counts.pair_oldest.map(|at| at + window), Rule::Pair)];
    // A known address is its owner's: only the pair's own limit holds there.
    if !counts.known {
        let delayed = limits
            .account_delay(counts.account_failures)
            .zip(counts.account_latest)
            .map(|(delay, latest)| latest + delay);
        until.push((delayed, Rule::AccountDelay));
        until.push((counts.address_oldest.map(|at| at + window), Rule::Address));
    }
    let refusal = until
        .into_iter()
        .filter_map(|(until, rule)| until.filter(|u| *u > counts.now).map(|u| (u, rule)))
        .max_by_key(|(until, _)| *until);
    if let Some((until, rule)) = refusal {
        return Ok(Attempt::Refused {
            retry_after: until - counts.now,
            rule,
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

/// The attempt `id` had the right password: it was no failure, the account's
/// earlier failures no longer count for its delay (those from other
/// addresses still count for their pairs and addresses), and `address` is
/// known for it from now.
pub async fn succeeded(
    db: &PgPool,
    id: i64,
    login: &str,
    address: Option<&str>,
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(db).await?;
    // The same login lock as `begin`: two sign-ins to one account at once
    // would otherwise update the same rows in different orders (a deadlock).
    lock(&mut tx, "suivi.login_attempts.login", login).await?;
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
    if let Some(address) = address {
        sqlx::query(
            "INSERT INTO login_known_addresses (login, address) VALUES ($1, $2) \
             ON CONFLICT (login, address) DO UPDATE SET last_success_at = now()",
        )
        .bind(login)
        .bind(address)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Serialises, until the transaction ends, the attempts that share `key`
/// within `space` (one login, one address).
async fn lock(tx: &mut sqlx::PgConnection, space: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))")
        .bind(space)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Deletes the attempts older than a day and the addresses not signed in
/// from for 60 days; returns how many rows.
pub async fn purge(db: &PgPool) -> sqlx::Result<u64> {
    let attempts =
        sqlx::query("DELETE FROM login_attempts WHERE at < now() - make_interval(hours => $1)")
            .bind(i32::try_from(KEEP_HOURS).unwrap_or(i32::MAX))
            .execute(db)
            .await?;
    let known = sqlx::query(
        "DELETE FROM login_known_addresses WHERE last_success_at < now() - make_interval(days => $1)",
    )
    .bind(KNOWN_FOR_DAYS)
    .execute(db)
    .await?;
    Ok(attempts.rows_affected() + known.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_counted_as_the_form_matches_them() {
        assert_eq!(login_key("  Anaser.Editeur "), "anaser.editeur");
        assert_eq!(login_key(&"x".repeat(500)).len(), 100);
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let key = |text: &str| address_key(text.parse().unwrap());
        assert_eq!(key("41.73.1.2"), "41.73.1.2");
        assert_eq!(key("::ffff:41.73.1.2"), "41.73.1.2");
        assert_eq!(key("2001:db8:1:2::7"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), key("2001:db8:1:2::7"));
        assert_ne!(key("2001:db8:1:3::7"), key("2001:db8:1:2::7"));
        let longest = key("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert!(longest.len() <= 64, "fits the column");
    }

    #[test]
    fn the_accounts_delay_doubles_up_to_its_cap() {
        let limits = Limits::default();
        let delay = |failures| limits.account_delay(failures).map(|d| d.num_seconds());
        assert_eq!(delay(4), None);
        assert_eq!(delay(5), Some(1));
        assert_eq!(delay(6), Some(2));
        assert_eq!(delay(10), Some(32));
        assert_eq!(delay(14), Some(300));
        assert_eq!(delay(10_000), Some(300));
    }
}
