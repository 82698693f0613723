//! E-mail: the SMTP settings, the sender that each instance runs over the
//! outbox (`store::mail`), the planner that queues the reminders due, and
//! the `suivi mail test` command. Without an SMTP URL nothing is sent and
//! nothing fails: messages wait in the outbox, which admins see.
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
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;

use crate::store::mail::{self as outbox, NewMail, Queued};

/// The mail settings of `suivi serve` and `suivi mail`.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The SMTP server: `smtp://[user:password@]host[:port]` (plain SMTP to
    /// a relay, port 25 by default). Without it, mail stays in the outbox.
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
    /// Send a test message to ADDRESS now, through the outbox.
    Test {
        address: String,
        #[command(flatten)]
        mail: MailArgs,
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

/// `smtp://[user:password@]host[:port]`.
fn transport_of(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| anyhow::anyhow!("--smtp-url must start with smtp://"))?;
    let rest = rest.trim_end_matches('/');
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((user_password, host_port)) => (Some(user_password), host_port),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>()?),
        None => (host_port, 25),
    };
    if host.is_empty() {
        anyhow::bail!("--smtp-url names no host");
    }
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(20)));
    if let Some(user_password) = credentials {
        let (user, password) = user_password.split_once(':').unwrap_or((user_password, ""));
        builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
    }
    Ok(builder.build())
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
        let mut tx = db.begin().await?;
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
        match send_due(&db, &mailer, Utc::now()).await {
            Ok(Sent { sent: 0, failed: 0 }) => {}
            Ok(sent) => tracing::info!(?sent, "mail"),
            Err(error) => tracing::warn!(%error, "mail sender"),
        }
    }
}

/// `suivi mail test ADDRESS`: queues a test message and sends what is due.
pub async fn run_command(db: &PgPool, command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Test { address, mail } => {
            let mailer = Mailer::new(&mail)?;
            let _: Mailbox = address.parse()?;
            outbox::enqueue(
                db,
                &NewMail {
                    kind: "test",
                    dedupe_key: None,
                    user_id: None,
                    recipient: &address,
                    lang: "fr",
                    params: serde_json::json!({}),
                },
            )
            .await?;
            if !mailer.sends() {
                println!("queued for {address}; no --smtp-url, so it stays in the outbox");
                return Ok(());
            }
            let sent = send_due(db, &mailer, Utc::now()).await?;
            println!("sent {}, failed {}", sent.sent, sent.failed);
            if sent.failed > 0 {
                anyhow::bail!("a message could not be sent (see the outbox on /admin/mail)");
            }
            Ok(())
        }
    }
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
        assert!(transport_of("http://relay.example").is_err());
        assert!(transport_of("smtp://:25").is_err());
    }
}
