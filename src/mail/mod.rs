//! E-mail: the SMTP settings, the sender that each instance runs over the
//! outbox (`store::mail`), the planner that queues the reminders due and the validators'
//! daily digest, and
//! the `suivi mail test` and `suivi mail outbox` commands. Without an SMTP URL
//! nothing is sent and nothing fails: messages wait in the outbox, which
//! admins see (on `/admin/mail`, or with `suivi mail outbox`).
//!
//! Several instances may run the sender on one database: each takes one
//! message at a time with `FOR UPDATE SKIP LOCKED` and keeps it locked while
//! it talks to the server, so no message is sent twice. A failed message is
//! tried again later, each time twice as late (from a minute to six hours),
//! and given up after `MAX_ATTEMPTS` with its last error kept.

mod messages;

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;

use crate::i18n::Lang;
use crate::store::mail::{self as outbox, NewMail, OutboxRow, Queued};

/// The mail settings of `suivi serve` and `suivi mail`.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The SMTP server: `smtp://[user:password@]host[:port]` (plain SMTP to
    /// a relay, port 25 by default), `smtp://…?tls=required` (STARTTLS, 587),
    /// `smtp://…?tls=opportunistic` or `smtps://…` (TLS, 465). Without it,
    /// mail stays in the outbox.
    #[arg(long, env = "SUIVI_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender's address.
    #[arg(
        long,
        env = "SUIVI_MAIL_FROM",
        default_value = "Suivi <suivi@localhost>"
    )]
    pub mail_from: String,
    /// The address users reach Suivi at, for the links in messages.
    #[arg(long, env = "SUIVI_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send a test message to ADDRESS now, through the outbox, in the
    /// command's language.
    Test {
        address: String,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// List the outbox, newest first: what waits, what went, what failed.
    Outbox {
        /// How many messages to list.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
}

/// Given up after this many failures.
pub const MAX_ATTEMPTS: i32 = 8;
/// How often the sender looks for work.
pub const PERIOD: Duration = Duration::from_secs(30);

/// The sender's side of the settings, checked once.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    base_url: String,
}

impl Mailer {
    pub fn new(args: &MailArgs) -> anyhow::Result<Mailer> {
        let from: Mailbox = args
            .mail_from
            .parse()
            .map_err(|error| anyhow::anyhow!("--mail-from {:?}: {error}", args.mail_from))?;
        let transport = args.smtp_url.as_deref().map(transport_of).transpose()?;
        Ok(Mailer {
            transport,
            from,
            base_url: args.base_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn sends(&self) -> bool {
        self.transport.is_some()
    }
}

/// The schemes `--smtp-url` takes, as lettre reads them: `smtp://` plain SMTP
/// to a relay (port 25), `smtp://…?tls=required` STARTTLS or fail (587),
/// `smtp://…?tls=opportunistic` STARTTLS when offered (587), `smtps://` TLS
/// from the first byte (465); `user:password@` before the host, URL-encoded.
/// Certificates are checked against the system's roots (`SSL_CERT_FILE`
/// adds or replaces them, as for OpenSSL).
fn transport_of(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
        anyhow::bail!("--smtp-url must start with smtp:// or smtps://");
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|error| anyhow::anyhow!("--smtp-url: {error}"))?;
    Ok(builder.timeout(Some(Duration::from_secs(20))).build())
}

/// What one pass of the sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: a minute, doubled each time, at
/// most six hours; `None` once given up.
fn retry_delay(attempts_done: i32) -> Option<chrono::Duration> {
    (attempts_done < MAX_ATTEMPTS)
        .then(|| chrono::Duration::minutes((1_i64 << (attempts_done - 1).clamp(0, 20)).min(360)))
}

/// Sends every message due at `now`, one at a time, until none is left that
/// another sender does not hold. A message that fails is not tried again in
/// this pass (its next attempt is later).
pub async fn send_due(db: &PgPool, mailer: &Mailer, now: DateTime<Utc>) -> sqlx::Result<Sent> {
    let mut done = Sent::default();
    let Some(transport) = &mailer.transport else {
        return Ok(done);
    };
    loop {
        let mut tx = crate::db::begin(db).await?;
        let Some(queued) = outbox::claim(&mut tx, now).await? else {
            break;
        };
        match send_one(transport, mailer, &queued).await {
            Ok(()) => {
                outbox::mark_sent(&mut tx, queued.id, now).await?;
                done.sent += 1;
            }
            Err(error) => {
                let attempts = queued.attempts + 1;
                let retry_at = retry_delay(attempts).map(|delay| now + delay);
                tracing::warn!(id = queued.id, attempts, %error, "mail not sent");
                outbox::mark_failed(&mut tx, queued.id, now, &error.to_string(), retry_at).await?;
                done.failed += 1;
            }
        }
        tx.commit().await?;
        if done.failed > 0 && done.sent == 0 {
            // The server is likely down: leave the rest for the next pass.
            break;
        }
    }
    Ok(done)
}

async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    mailer: &Mailer,
    queued: &Queued,
) -> anyhow::Result<()> {
    let lang = crate::i18n::Lang::from_code(&queued.lang).unwrap_or(crate::i18n::Lang::Fr);
    let rendered = messages::render(&queued.kind, lang, &queued.params, &mailer.base_url)?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(queued.recipient.parse()?)
        .subject(rendered.subject)
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))?;
    transport.send(message).await?;
    Ok(())
}

/// The sender and the reminder planner of one instance, until aborted.
pub async fn run(db: PgPool, mailer: Mailer, today: impl Fn() -> chrono::NaiveDate) {
    if !mailer.sends() {
        tracing::info!("no --smtp-url: mail stays in the outbox");
    }
    let mut ticks = tokio::time::interval(PERIOD);
    loop {
        ticks.tick().await;
        if let Err(error) = outbox::queue_reminders(&db, today()).await {
            tracing::warn!(%error, "reminders not queued");
        }
        // Once a day per validator: the outbox's key makes a second pass, or
        // another instance's, queue nothing more.
        if let Err(error) = outbox::queue_digests(&db, today()).await {
            tracing::warn!(%error, "validation digests not queued");
        }
        match send_due(&db, &mailer, Utc::now()).await {
            Ok(Sent { sent: 0, failed: 0 }) => {}
            Ok(sent) => tracing::info!(?sent, "mail"),
            Err(error) => tracing::warn!(%error, "mail sender"),
        }
    }
}

/// `suivi mail test ADDRESS`: queues a test message and sends what is due;
/// `suivi mail outbox`: lists the outbox.
pub async fn run_command(db: &PgPool, command: MailCommand, lang: Lang) -> anyhow::Result<()> {
    match command {
        MailCommand::Outbox { limit } => {
            print!("{}", outbox_table(&outbox::recent(db, limit).await?, lang));
            Ok(())
        }
        MailCommand::Test { address, mail } => {
            let mailer = Mailer::new(&mail)?;
            if address.parse::<Mailbox>().is_err() {
                anyhow::bail!(lang.t_with("cli.mail.bad_address", &[("address", &address)]));
            }
            outbox::enqueue(
                db,
                &NewMail {
                    kind: "test",
                    dedupe_key: None,
                    user_id: None,
                    recipient: &address,
                    lang: lang.code(),
                    params: serde_json::json!({}),
                },
            )
            .await?;
            if !mailer.sends() {
                println!(
                    "{}",
                    lang.t_with("cli.mail.queued", &[("address", &address)])
                );
                return Ok(());
            }
            let sent = send_due(db, &mailer, Utc::now()).await?;
            println!(
                "{}",
                lang.t_with(
                    "cli.mail.sent",
                    &[
                        ("sent", &sent.sent.to_string()),
                        ("failed", &sent.failed.to_string())
                    ]
                )
            );
            if sent.failed > 0 {
                anyhow::bail!(lang.t("cli.mail.failed").into_owned());
            }
            Ok(())
        }
    }
}

/// The outbox as the admins' page shows it, one tab-separated line per
/// message under a heading line, or a line saying it is empty.
fn outbox_table(rows: &[OutboxRow], lang: Lang) -> String {
    if rows.is_empty() {
        return format!("{}\n", lang.t("mail.outbox.empty"));
    }
    let when = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    let heading = [
        "mail.outbox.kind",
        "mail.outbox.to",
        "mail.outbox.queued",
        "mail.outbox.state",
        "mail.outbox.attempts",
        "mail.outbox.error",
    ]
    .map(|key| lang.t(key).into_owned());
    let mut out = heading.join("\t") + "\n";
    for row in rows {
        let state = match (row.sent_at, row.failed_at) {
            (Some(at), _) => format!("{} {}", lang.t("mail.outbox.sent"), when(at)),
            (None, Some(_)) => lang.t("mail.outbox.failed").into_owned(),
            (None, None) => lang.t("mail.outbox.waiting").into_owned(),
        };
        let line = [
            lang.t(&format!("mail.kind.{}", row.kind)).into_owned(),
            row.recipient.clone(),
            when(row.created_at),
            state,
            row.attempts.to_string(),
            // One line per message, whatever the server answered.
            row.last_error
                .as_deref()
                .unwrap_or("")
                .replace(['\t', '\n', '\r'], " "),
        ];
        out.push_str(&line.join("\t"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_give_up() {
        assert_eq!(retry_delay(1), Some(chrono::Duration::minutes(1)));
        assert_eq!(retry_delay(2), Some(chrono::Duration::minutes(2)));
        assert_eq!(retry_delay(7), Some(chrono::Duration::minutes(64)));
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
    }

    #[test]
    fn smtp_urls() {
        assert!(transport_of("smtp://relay.example:2525").is_ok());
        assert!(transport_of("smtp://user:secret@relay.example").is_ok());
        assert!(transport_of("smtp://relay.example?tls=required").is_ok());
        assert!(transport_of("smtp://relay.example:587?tls=opportunistic").is_ok());
        assert!(transport_of("smtps://user:s%40cret@relay.example").is_ok());
        assert!(transport_of("smtp://relay.example?tls=sometimes").is_err());
        assert!(transport_of("http://relay.example").is_err());
        assert!(transport_of("smtp://:25").is_err());
    }
}
