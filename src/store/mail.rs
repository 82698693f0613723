//! Mail in the database: the outbox (every message, queued in the
//! transaction of its event and taken by one sender at a time with `FOR
//! UPDATE SKIP LOCKED`), who gets which kind (an address, a language and the
//! kinds turned off, per account), the reminders due and how many days
//! before a cutoff each agency wants them, and password-reset links. What a message says is rendered when it is sent (`mail`).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};

use super::audit;

/// The kinds a user may turn off (a reset link or a test always goes).
pub const OPTIONAL_KINDS: [&str; 4] = ["reminder", "sealed", "digest", "rejection"];

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub kind: &'static str,
    /// Queued once per key: a second message with the same key is dropped.
    pub dedupe_key: Option<String>,
    pub user_id: Option<i64>,
    pub recipient: &'a str,
    pub lang: &'a str,
    pub params: Value,
}

/// Queues a message; `false` when one with its key was queued before.
pub async fn enqueue(db: impl PgExecutor<'_>, mail: &NewMail<'_>) -> sqlx::Result<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO mail_outbox (kind, dedupe_key, user_id, recipient, lang, params) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(mail.kind)
    .bind(mail.dedupe_key.as_deref())
    .bind(mail.user_id)
    .bind(mail.recipient)
    .bind(mail.lang)
    .bind(&mail.params)
    .fetch_optional(db)
    .await?;
    Ok(id.is_some())
}

/// A message taken for sending.
#[derive(Debug, Clone, FromRow)]
pub struct Queued {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub lang: String,
    pub params: Value,
    pub attempts: i32,
}

/// The oldest message due at `now` that no other sender holds, locked for
/// the caller's transaction: another instance skips it until that ends.
pub async fn claim(tx: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<Option<Queued>> {
    sqlx::query_as(
        "SELECT id, kind, recipient, lang, params, attempts FROM mail_outbox \
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
}

/// Sent: a reset link's token is not kept past its sending.
pub async fn mark_sent(tx: &mut PgConnection, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL, \
         params = CASE WHEN kind = 'password_reset' THEN '{}'::jsonb ELSE params END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A failed attempt: tried again at `retry_at`, or given up (`None`).
pub async fn mark_failed(
    tx: &mut PgConnection,
    id: i64,
    now: DateTime<Utc>,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, \
         next_attempt_at = coalesce($4, next_attempt_at), \
         failed_at = CASE WHEN $4::timestamptz IS NULL THEN $2 END WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(error)
    .bind(retry_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A row of the outbox as admins see it (never the message's parameters:
/// a reset link is in them until sent).
#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub async fn recent(db: &PgPool, limit: i64) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, kind, recipient, created_at, attempts, next_attempt_at, sent_at, failed_at, \
         last_error FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The fewest and most days before a cutoff an agency's reminder may go
/// (as the schema's check).
pub const REMINDER_DAYS: std::ops::RangeInclusive<i32> = 1..=90;

/// An agency's reminder setting, for the admins' mail page.
#[derive(Debug, Clone, FromRow)]
pub struct ReminderSetting {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub reminder_days: i32,
}

pub async fn reminder_settings(db: &PgPool) -> sqlx::Result<Vec<ReminderSetting>> {
    sqlx::query_as("SELECT id, code, name, reminder_days FROM agencies ORDER BY code")
        .fetch_all(db)
        .await
}

/// Sets how many days before a session's cutoff the agency's editors are
/// reminded (`days` within [`REMINDER_DAYS`]), audited as
/// `agency.reminder_days`; `false` when nothing changes.
pub async fn set_reminder_days(
    db: &PgPool,
    agency_id: i64,
    days: i32,
    admin_id: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let before: Option<i32> =
        sqlx::query_scalar("SELECT reminder_days FROM agencies WHERE id = $1 FOR UPDATE")
            .bind(agency_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(before) = before.filter(|b| *b != days) else {
        return Ok(false);
    };
    sqlx::query("UPDATE agencies SET reminder_days = $2 WHERE id = $1")
        .bind(agency_id)
        .bind(days)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(admin_id),
            action: "agency.reminder_days",
            object_type: "agency",
            object_id: Some(agency_id),
            agency_id: Some(agency_id),
            before: Some(json!({ "reminder_days": before })),
            after: Some(json!({ "reminder_days": days })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Someone who gets a kind of mail.
#[derive(Debug, Clone, FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub lang: String,
}

/// The enabled accounts with `role` in the agency and an address, who did
/// not turn `kind` off.
pub async fn recipients(
    db: impl PgExecutor<'_>,
    agency_id: i64,
    role: &str,
    kind: &str,
) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.email, u.mail_lang AS lang FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.agency_id = $1 AND r.role = $2 \
         WHERE u.email IS NOT NULL AND u.disabled_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM mail_opt_outs o WHERE o.user_id = u.id AND o.kind = $3) \
         ORDER BY u.id",
    )
    .bind(agency_id)
    .bind(role)
    .bind(kind)
    .fetch_all(db)
    .await
}

/// Queues the board members' notice that a session is sealed, in the
/// sealing transaction.
pub async fn queue_sealed_notice(
    tx: &mut PgConnection,
    session_id: i64,
    agency_id: i64,
    seal_id: i64,
) -> sqlx::Result<()> {
    let (agency, number, kind, held_on): (String, i32, String, NaiveDate) = sqlx::query_as(
        "SELECT g.name, s.number, s.kind, s.held_on FROM board_sessions s \
         JOIN agencies g ON g.id = s.agency_id WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *tx)
    .await?;
    for r in recipients(&mut *tx, agency_id, "board", "sealed").await? {
        enqueue(
            &mut *tx,
            &NewMail {
                kind: "sealed",
                dedupe_key: Some(format!("sealed:{seal_id}:{}", r.user_id)),
                user_id: Some(r.user_id),
                recipient: &r.email,
                lang: &r.lang,
                params: json!({
                    "agency": agency, "session_id": session_id, "number": number,
                    "session_kind": kind, "held_on": held_on,
                }),
            },
        )
        .await?;
    }
    Ok(())
}

/// Queues the notice to an update's author that a validator sent it back,
/// with the reason, in the decision's transaction.
pub async fn queue_rejection_notice(
    tx: &mut PgConnection,
    update_id: i64,
    reason: &str,
) -> sqlx::Result<()> {
    #[derive(FromRow)]
    struct Author {
        user_id: i64,
        email: String,
        lang: String,
        activity_id: i64,
        code: String,
        title: String,
        as_of: NaiveDate,
        agency: String,
    }
    let author: Option<Author> = sqlx::query_as(
        "SELECT us.id AS user_id, us.email, us.mail_lang AS lang, a.id AS activity_id, a.code, \
             a.title, u.as_of, g.name AS agency \
             FROM progress_updates u JOIN users us ON us.id = u.user_id \
             JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
             JOIN agencies g ON g.id = pl.agency_id \
             WHERE u.id = $1 AND us.email IS NOT NULL AND us.disabled_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM mail_opt_outs o WHERE o.user_id = us.id \
                             AND o.kind = 'rejection')",
    )
    .bind(update_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(Author {
        user_id,
        email,
        lang,
        activity_id,
        code,
        title,
        as_of,
        agency,
    }) = author
    else {
        return Ok(());
    };
    enqueue(
        &mut *tx,
        &NewMail {
            kind: "rejection",
            dedupe_key: Some(format!("rejection:{update_id}")),
            user_id: Some(user_id),
            recipient: &email,
            lang: &lang,
            params: json!({
                "agency": agency, "activity_id": activity_id, "code": code, "title": title,
                "as_of": as_of, "reason": reason,
            }),
        },
    )
    .await?;
    Ok(())
}

/// A planned session whose reminder is due: its cutoff is at most the
/// agency's `reminder_days` away.
#[derive(Debug, Clone, FromRow)]
struct DueSession {
    id: i64,
    agency_id: i64,
    agency: String,
    number: i32,
    kind: String,
    cutoff: NaiveDate,
    plan_id: i64,
    previous_cutoff: Option<NaiveDate>,
}

/// An activity with no progress since the previous session's cutoff.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Stale {
    pub id: i64,
    pub code: String,
    pub title: String,
}

/// Queues the reminders due on `today`: for each planned session whose
/// cutoff is `reminder_days` away or less (and not past), each editor of its
/// agency gets the list of the reviewed plan's activities with no progress
/// dated after the previous session's cutoff (none at all if there was no
/// previous session). Once per session and editor, however often it runs;
/// returns how many were queued.
pub async fn queue_reminders(db: &PgPool, today: NaiveDate) -> sqlx::Result<usize> {
    let due: Vec<DueSession> = sqlx::query_as(
        "SELECT s.id, s.agency_id, g.name AS agency, s.number, s.kind, s.cutoff, \
         s.reviewed_plan_id AS plan_id, \
         (SELECT max(p.cutoff) FROM board_sessions p WHERE p.agency_id = s.agency_id \
          AND p.status = 'held' AND p.cutoff < s.cutoff) AS previous_cutoff \
         FROM board_sessions s JOIN agencies g ON g.id = s.agency_id \
         WHERE s.status = 'planned' AND s.reviewed_plan_id IS NOT NULL \
         AND s.cutoff >= $1 AND s.cutoff - g.reminder_days <= $1",
    )
    .bind(today)
    .fetch_all(db)
    .await?;
    let mut queued = 0;
    for session in due {
        let stale: Vec<Stale> = sqlx::query_as(
            "SELECT a.id, a.code, a.title FROM activities a WHERE a.plan_id = $1 \
             AND (a.retired_on IS NULL OR a.retired_on > $2) \
             AND NOT EXISTS (SELECT 1 FROM progress_updates u WHERE u.activity_id = a.id \
                 AND ($3::date IS NULL OR u.as_of > $3)) \
             ORDER BY a.position, a.code",
        )
        .bind(session.plan_id)
        .bind(today)
        .bind(session.previous_cutoff)
        .fetch_all(db)
        .await?;
        if stale.is_empty() {
            continue;
        }
        let mut tx = crate::db::begin(db).await?;
        for r in recipients(&mut *tx, session.agency_id, "editor", "reminder").await? {
            let fresh = enqueue(
                &mut *tx,
                &NewMail {
                    kind: "reminder",
                    dedupe_key: Some(format!("reminder:{}:{}", session.id, r.user_id)),
                    user_id: Some(r.user_id),
                    recipient: &r.email,
                    lang: &r.lang,
                    params: json!({
                        "agency": session.agency, "session_id": session.id,
                        "number": session.number, "session_kind": session.kind,
                        "cutoff": session.cutoff, "previous_cutoff": session.previous_cutoff,
                        "activities": stale,
                    }),
                },
            )
            .await?;
            queued += usize::from(fresh);
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// An update waiting for a validator, as the digest lists it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Waiting {
    pub update_id: i64,
    pub agency: String,
    pub code: String,
    pub title: String,
    pub as_of: NaiveDate,
}

/// At most this many updates listed in one digest (the oldest first); the
/// message says how many wait in all.
const DIGEST_ITEMS: i64 = 50;

/// Queues the M&E validators' digest of `today`: each enabled validator
/// with an address who did not turn digests off, and with submitted updates
/// waiting in the agencies they validate (where they hold the role, and the
/// agencies below), gets one message listing them. Once per validator and
/// day, however often and on however many instances it runs (the outbox's
/// unique key `digest:USER:DAY`); returns how many were queued.
pub async fn queue_digests(db: &PgPool, today: NaiveDate) -> sqlx::Result<usize> {
    let validators: Vec<Recipient> = sqlx::query_as(
        "SELECT DISTINCT u.id AS user_id, u.email, u.mail_lang AS lang FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.role = 'validator' \
         WHERE u.email IS NOT NULL AND u.disabled_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM mail_opt_outs o WHERE o.user_id = u.id \
                         AND o.kind = 'digest') \
         AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.dedupe_key = \
                         'digest:' || u.id || ':' || $1::date) \
         ORDER BY u.id",
    )
    .bind(today)
    .fetch_all(db)
    .await?;
    let mut queued = 0;
    for validator in validators {
        let mut tx = crate::db::begin(db).await?;
        let (total, waiting) = waiting_for(&mut tx, validator.user_id).await?;
        if total == 0 {
            continue;
        }
        let fresh = enqueue(
            &mut *tx,
            &NewMail {
                kind: "digest",
                dedupe_key: Some(format!("digest:{}:{today}", validator.user_id)),
                user_id: Some(validator.user_id),
                recipient: &validator.email,
                lang: &validator.lang,
                params: json!({ "day": today, "total": total, "updates": waiting }),
            },
        )
        .await?;
        tx.commit().await?;
        queued += usize::from(fresh);
    }
    Ok(queued)
}

/// How many submitted updates wait for this validator, and the oldest of
/// them.
async fn waiting_for(tx: &mut PgConnection, user_id: i64) -> sqlx::Result<(i64, Vec<Waiting>)> {
    const VALIDATED: &str = "WITH RECURSIVE validated(id) AS ( \
             SELECT agency_id FROM user_roles WHERE user_id = $1 AND role = 'validator' \
             UNION SELECT g.id FROM agencies g JOIN validated v ON g.parent_id = v.id) ";
    const FROM: &str = " FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
             JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id \
             WHERE u.review = 'submitted' AND pl.agency_id IN (SELECT id FROM validated)";
    let total: i64 = sqlx::query_scalar(&format!("{VALIDATED}SELECT count(*){FROM}"))
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    let waiting = sqlx::query_as(&format!(
        "{VALIDATED}SELECT u.id AS update_id, g.code AS agency, a.code, a.title, u.as_of{FROM} \
         ORDER BY u.recorded_at, u.id LIMIT $2"
    ))
    .bind(user_id)
    .bind(DIGEST_ITEMS)
    .fetch_all(&mut *tx)
    .await?;
    Ok((total, waiting))
}

/// An account's mail settings.
#[derive(Debug, Clone, FromRow)]
pub struct Settings {
    pub email: Option<String>,
    pub lang: String,
    #[sqlx(skip)]
    pub off: Vec<String>,
}

pub async fn settings(db: &PgPool, user_id: i64) -> sqlx::Result<Settings> {
    let mut settings: Settings =
        sqlx::query_as("SELECT email, mail_lang AS lang FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(db)
            .await?;
    settings.off = sqlx::query_scalar("SELECT kind FROM mail_opt_outs WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    Ok(settings)
}

/// What saving the settings did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsSave {
    Saved,
    /// Another account has this address; nothing written.
    AddressTaken,
}

/// Replaces the account's address, language and the kinds turned off, with
/// the audit row, in one transaction.
pub async fn save_settings(
    db: &PgPool,
    user_id: i64,
    email: Option<&str>,
    lang: &str,
    off: &[&str],
) -> sqlx::Result<SettingsSave> {
    let mut tx = crate::db::begin(db).await?;
    let saved = sqlx::query("UPDATE users SET email = $2, mail_lang = $3 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .bind(lang)
        .execute(&mut *tx)
        .await;
    match saved {
        Err(error) if super::is_unique_violation(&error) => return Ok(SettingsSave::AddressTaken),
        other => other?,
    };
    sqlx::query("DELETE FROM mail_opt_outs WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for kind in off {
        sqlx::query("INSERT INTO mail_opt_outs (user_id, kind) VALUES ($1, $2)")
            .bind(user_id)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "user.mail_settings",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: None,
            before: None,
            after: Some(json!({ "email": email, "lang": lang, "off": off })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SettingsSave::Saved)
}

/// Links asked for one account within an hour, at most.
const RESETS_PER_HOUR: i64 = 3;

/// Queues a reset link for the enabled account with this address, if any
/// and not asked too often; the caller answers the same either way.
/// `token_hash` is kept, `token` only goes in the message.
pub async fn request_reset(
    db: &PgPool,
    email: &str,
    token: &str,
    token_hash: &str,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let user: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT id, email, mail_lang FROM users WHERE lower(email) = lower($1) \
         AND disabled_at IS NULL FOR UPDATE",
    )
    .bind(email.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, address, lang)) = user else {
        return Ok(false);
    };
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM password_resets WHERE user_id = $1 \
         AND created_at > now() - interval '1 hour'",
    )
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= RESETS_PER_HOUR {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO password_resets (user_id, token_hash, expires_at) \
         VALUES ($1, $2, now() + interval '1 hour')",
    )
    .bind(user_id)
    .bind(token_hash)
    .execute(&mut *tx)
    .await?;
    enqueue(
        &mut *tx,
        &NewMail {
            kind: "password_reset",
            dedupe_key: None,
            user_id: Some(user_id),
            recipient: &address,
            lang: &lang,
            params: json!({ "token": token }),
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: None,
            action: "user.password_reset_requested",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether the link is one that can still be used.
pub async fn reset_is_valid(db: &PgPool, token_hash: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM password_resets WHERE token_hash = $1 \
         AND used_at IS NULL AND expires_at > now())",
    )
    .bind(token_hash)
    .fetch_one(db)
    .await
}

/// Sets the new password through a link, once: the link and every other
/// of the account's links are used up, and the account's session generation
/// moves on, so that every session it had is over. `false` when the link is
/// unknown, used or expired (nothing written).
pub async fn reset_password(
    db: &PgPool,
    token_hash: &str,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(db).await?;
    let user_id: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL \
         AND expires_at > now() FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1 \
         WHERE id = $1",
    )
    .bind(user_id)
    .bind(password_hash)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "user.password_reset",
            object_type: "user",
            object_id: Some(user_id),
            agency_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
