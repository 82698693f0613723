//! Personal API tokens: creating one (its secret is returned once and only
//! its digest kept), listing a user's, revoking, and the check each API
//! request makes — the token is live, and its use and its rate-limit window
//! are counted in the same statement, so that several instances on one
//! database share one count.

use blake2::{Blake2b512, Digest};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgPool};

use super::audit::{self, Actor};
use super::to_json;

/// What a token lets its holder do, on top of its user's rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Reading only.
    Read,
    /// Reading, and the writes the user may make.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        match text.trim() {
            "read" => Some(Scope::Read),
            "write" | "read+write" => Some(Scope::Write),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Scope::Read => "tokens.scope.read",
            Scope::Write => "tokens.scope.write",
        }
    }
}

/// What every token starts with, so that one pasted in the wrong place (a
/// log, a repository) is recognised as such.
pub const PREFIX: &str = "suivi_";

/// A token as its owner's page lists it (never its secret).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub use_count: i64,
}

impl Token {
    pub fn scope(&self) -> Scope {
        Scope::parse(&self.scope).unwrap_or(Scope::Read)
    }

    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

const TOKEN_COLUMNS: &str =
    "SELECT id, user_id, label, scope, created_at, expires_at, revoked_at, \
     last_used_at, use_count FROM api_tokens";

/// The digest kept for a token's secret.
fn digest(secret: &str) -> Vec<u8> {
    Blake2b512::digest(secret.as_bytes()).to_vec()
}

/// A fresh secret: the prefix and 32 random bytes from the OS, in hex.
fn new_secret() -> sqlx::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| {
        sqlx::Error::Protocol(format!("no randomness for an API token: {error}"))
    })?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{PREFIX}{hex}"))
}

/// Creates a token for `user_id`; returns it with its secret, which is
/// nowhere else afterwards. Audited (`api_token.create`, without the secret).
pub async fn create(
    db: &PgPool,
    user_id: i64,
    label: &str,
    scope: Scope,
    expires_at: DateTime<Utc>,
    actor: Actor,
) -> sqlx::Result<(Token, String)> {
    let secret = new_secret()?;
    let mut tx = crate::db::begin(db).await?;
    let token: Token = sqlx::query_as(
        "INSERT INTO api_tokens (user_id, label, token_hash, scope, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id, user_id, label, scope, created_at, \
         expires_at, revoked_at, last_used_at, use_count",
    )
    .bind(user_id)
    .bind(label)
    .bind(digest(&secret))
    .bind(scope.as_str())
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: actor.user_id(),
            action: "api_token.create",
            object_type: "api_token",
            object_id: Some(token.id),
            agency_id: None,
            before: None,
            after: actor.mark(Some(to_json(&token)?)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret))
}

/// The user's tokens, the newest first.
pub async fn list_for_user(db: &PgPool, user_id: i64) -> sqlx::Result<Vec<Token>> {
    sqlx::query_as(&format!(
        "{TOKEN_COLUMNS} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

pub async fn find(db: &PgPool, id: i64) -> sqlx::Result<Option<Token>> {
    sqlx::query_as(&format!("{TOKEN_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Revokes the token (once: revoking it again changes nothing); audited
/// (`api_token.revoke`) with who did it.
pub async fn revoke(db: &PgPool, id: i64, by: i64) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let revoked: Option<Token> = sqlx::query_as(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 \
         WHERE id = $1 AND revoked_at IS NULL RETURNING id, user_id, label, scope, created_at, \
         expires_at, revoked_at, last_used_at, use_count",
    )
    .bind(id)
    .bind(by)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(token) = revoked else {
        return Ok(false);
    };
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(by),
            action: "api_token.revoke",
            object_type: "api_token",
            object_id: Some(token.id),
            agency_id: None,
            before: None,
            after: Some(to_json(&token)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A live token's holder, as one request found it.
#[derive(Debug, Clone, FromRow)]
pub struct TokenUse {
    pub token_id: i64,
    pub user_id: i64,
    pub scope: String,
    /// Requests in the current window, this one included.
    pub window_requests: i32,
    /// Whole seconds until the window ends (at least 1).
    pub window_left_seconds: i32,
    /// The account's session generation, to read it as a session does
    /// (`users::for_session`).
    pub session_generation: i64,
}

/// The rate limit: so many requests per token per fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: i32,
    pub window_seconds: i32,
}

impl Default for RateLimit {
    /// Two requests a second on average: more than a script that syncs a
    /// plan needs, little enough that a runaway loop does not load the server.
    fn default() -> RateLimit {
        RateLimit {
            requests: 120,
            window_seconds: 60,
        }
    }
}

/// The live token (not revoked, not expired, its account enabled) whose
/// secret this is, with its use counted: last use, use count, and the
/// request in the rate-limit window (a window over starts a new one).
/// `None` for any other secret.
pub async fn use_token(
    db: &PgPool,
    secret: &str,
    limit: RateLimit,
) -> sqlx::Result<Option<TokenUse>> {
    sqlx::query_as(
        "UPDATE api_tokens t SET last_used_at = now(), use_count = t.use_count + 1, \
         window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) \
           THEN now() ELSE t.window_started_at END, \
         window_requests = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) \
           THEN 1 ELSE t.window_requests + 1 END \
         FROM users u \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() \
           AND u.id = t.user_id AND u.disabled_at IS NULL \
         RETURNING t.id AS token_id, t.user_id, t.scope, t.window_requests, \
           u.session_generation, \
           greatest(1, ceil(extract(epoch FROM t.window_started_at \
             + make_interval(secs => $2) - now())))::int AS window_left_seconds",
    )
    .bind(digest(secret))
    .bind(f64::from(limit.window_seconds))
    .fetch_optional(db)
    .await
}

/// Every live token of every user with its owner's login, for the admins
/// (who may revoke any).
pub async fn list_live(db: &PgPool) -> sqlx::Result<Vec<(Token, String)>> {
    let rows: Vec<TokenWithOwner> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.label, t.scope, t.created_at, t.expires_at, t.revoked_at, \
         t.last_used_at, t.use_count, u.login AS owner FROM api_tokens t \
         JOIN users u ON u.id = t.user_id \
         WHERE t.revoked_at IS NULL AND t.expires_at > now() ORDER BY u.login, t.created_at DESC",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.token, r.owner)).collect())
}

#[derive(FromRow)]
struct TokenWithOwner {
    #[sqlx(flatten)]
    token: Token,
    owner: String,
}
