//! `suivi serve`: its flags, and the start and stop around the web application
//! (demo data on request, the housekeeping task, SIGINT/SIGTERM). The accept
//! loop is `web::server`; the router is `web::app`.

use std::net::SocketAddr;

use anyhow::Context;
use clap::builder::BoolishValueParser;
use clap::Args;
use sqlx::PgPool;

use crate::web::{self, AppState, AttachmentLimit, WebConfig};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SUIVI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Load the demo data first if it is not there yet.
    #[arg(long, env = "SUIVI_DEMO", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub demo: bool,
    /// Mark the session cookie Secure: set it when users reach Suivi over HTTPS.
    #[arg(long, env = "SUIVI_SECURE_COOKIES", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub secure_cookies: bool,
    /// Take the client's address (for limiting sign-in attempts) from the
    /// X-Forwarded-For header that a reverse proxy in front of Suivi adds: set
    /// it only behind such a proxy, otherwise clients could pick their address.
    #[arg(long, env = "SUIVI_TRUST_PROXY", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub trust_proxy: bool,
    /// The largest file that may be attached to a progress update, in MB.
    /// Uploads are held in memory while they are checked, hence the ceiling.
    #[arg(long, env = "SUIVI_MAX_ATTACHMENT_MB", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attachment_mb: u32,
    /// Requests per minute one address may make to the public pages.
    #[arg(long, env = "SUIVI_PUBLIC_REQUESTS_PER_MINUTE", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_requests_per_minute: u32,
    #[command(flatten)]
    pub mail: crate::mail::MailArgs,
    /// Requests each API token may make per minute before getting 429.
    #[arg(long, env = "SUIVI_API_RATE_PER_MINUTE", default_value_t = 120, value_parser = clap::value_parser!(i32).range(1..=100_000))]
    pub api_rate_per_minute: i32,
}

/// Serves until SIGINT or SIGTERM. The first line on stdout is the address
/// served (`Suivi: http://…/`), which scripts and tests read to find the port.
pub async fn run(db: &PgPool, args: ServeArgs) -> anyhow::Result<()> {
    if args.demo {
        let outcome = crate::demo::load(db).await?;
        tracing::info!(%outcome, "demo data");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let mailer = crate::mail::Mailer::new(&args.mail)?;
    let state = AppState::new(
        db.clone(),
        WebConfig {
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            max_attachment: AttachmentLimit {
                megabytes: args.max_attachment_mb,
            },
            public_rate: web::PublicRate {
                per_minute: args.public_requests_per_minute,
            },
            mail_sends: mailer.sends(),
            api_rate_limit: crate::store::api_tokens::RateLimit {
                requests: args.api_rate_per_minute,
                window_seconds: 60,
            },
            ..WebConfig::default()
        },
    );
    let sender = tokio::spawn(crate::mail::run(db.clone(), mailer, || {
        chrono::Local::now().date_naive()
    }));
    let housekeeping = tokio::spawn(web::housekeeping::run(
        db.clone(),
        web::housekeeping::PERIOD,
    ));
    println!("Suivi: http://{address}/");
    web::server::serve(
        listener,
        web::app(state),
        web::server::ConnectionLimits::default(),
        shutdown_signal(),
    )
    .await;
    housekeeping.abort();
    sender.abort();
    tracing::info!("stopped serving");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (service managers, container stops).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
