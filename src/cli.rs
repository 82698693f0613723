//! The `suivi` command line: every option also comes from an environment variable,
//! so that a service manager or a container can configure Suivi without flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};

use crate::db::Database;
use crate::generate::{GenerateOptions, GenerateProgress};
use crate::web::{self, AppState, WebConfig};

#[derive(Debug, Parser)]
#[command(
    name = "suivi",
    version,
    about = "Suivi: action-plan tracking for public institutions"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL server to use. Without it, Suivi runs its own private cluster in
    /// --data-dir, from the PostgreSQL server binaries installed on the machine.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the private cluster lives (ignored with DATABASE_URL).
    #[arg(long, env = "SUIVI_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Directory of the PostgreSQL server binaries (initdb, pg_ctl); searched on
    /// PATH and under /usr/lib/postgresql/*/bin when absent.
    #[arg(long, env = "PG_BIN", global = true)]
    pub pg_bin: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application.
    Serve(ServeArgs),
    /// Apply the database migrations and exit (every command applies them anyway).
    Migrate,
    /// Load the demo data (ANASER, CRSS, PNUD) unless already loaded.
    Demo,
    /// Create synthetic national-scale data for benchmarks and tests.
    Generate(GenerateArgs),
    /// Manage accounts (the first admin is created this way).
    #[command(subcommand)]
    User(UserCommand),
    /// Write reports to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Read plans and progress from spreadsheets (XLSX or CSV).
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Create or update an agency's plan from a plan file (see the template).
    Plan(ImportPlanArgs),
    /// Record the progress rows of a plan file that changed since its export.
    Progress(ImportProgressArgs),
}

#[derive(Debug, Args)]
pub struct ImportPlanArgs {
    /// The plan file: XLSX, or CSV with `;` or `,`, UTF-8 or Windows-1252.
    pub file: PathBuf,
    /// The agency's code.
    #[arg(long)]
    pub agency: String,
    /// The plan's code; a plan the agency does not have yet is created.
    #[arg(long)]
    pub plan: String,
    /// The title of a plan to create.
    #[arg(long)]
    pub title: Option<String>,
    /// The year of a plan to create.
    #[arg(long)]
    pub year: Option<i32>,
    /// The account the change is recorded under (in the audit log).
    #[arg(long = "as", value_name = "LOGIN")]
    pub login: String,
    /// Check the file and say what would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportProgressArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub agency: String,
    #[arg(long)]
    pub plan: String,
    /// The account the updates are recorded under.
    #[arg(long = "as", value_name = "LOGIN")]
    pub login: String,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The yearly performance report of an agency and the agencies under it,
    /// or of every agency without --agency.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The agency's code; without it, the consolidated report of every agency.
    #[arg(long)]
    pub agency: Option<String>,
    /// The year of the plans.
    #[arg(long)]
    pub year: i32,
    /// The date of the figures (YYYY-MM-DD); by default the year's last day,
    /// or today while the year runs.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write (replaced only once the report is complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Language of headers, labels and the PDF: fr or en.
    #[arg(long, default_value = "fr")]
    pub lang: String,
    /// CSV only: the field separator, semicolon (for French Excel) or comma.
    #[arg(long, default_value = "semicolon")]
    pub sep: String,
    /// CSV only: the table to write: activities, summary, indicators or funding.
    #[arg(long, default_value = "activities")]
    pub table: String,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Pdf,
}

/// The password is read from `SUIVI_PASSWORD` or else from the first line of
/// standard input, never from a flag (flags show in `ps` and shell history).
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        /// The identifier typed at login (lowercase letters, digits, `.`, `_`, `-`).
        login: String,
        /// The name shown in the history of updates.
        #[arg(long)]
        name: String,
        /// Every right in every agency.
        #[arg(long)]
        admin: bool,
        /// A role in an agency, as AGENCY:editor, AGENCY:board or AGENCY:viewer;
        /// repeat for several agencies.
        #[arg(long = "role", value_name = "AGENCY:ROLE")]
        roles: Vec<String>,
    },
    /// Replace an account's password.
    SetPassword { login: String },
}

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
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of synthetic agencies.
    #[arg(long, env = "SUIVI_GENERATE_AGENCIES", default_value_t = 300)]
    pub agencies: u32,
    /// Activities per agency and per year.
    #[arg(long, env = "SUIVI_GENERATE_ACTIVITIES", default_value_t = 200)]
    pub activities: u32,
    /// Number of years (one annual plan per agency and year).
    #[arg(long, env = "SUIVI_GENERATE_YEARS", default_value_t = 10)]
    pub years: u32,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, env = "SUIVI_GENERATE_SEED", default_value_t = 2025)]
    pub seed: u64,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = Database::open(&cli.database).await?;
    let outcome = run_command(cli.command, &database).await;
    // Stop a private cluster even when the command failed.
    let closed = database.close().await;
    outcome.and(closed)
}

async fn run_command(command: Command, database: &Database) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            let outcome = crate::demo::load(&database.pool).await?;
            println!("{outcome}");
            Ok(())
        }
        Command::Generate(args) => generate(database, &args).await,
        Command::Serve(args) => serve(database, args).await,
        Command::User(command) => crate::accounts::run(&database.pool, command).await,
        Command::Export(ExportCommand::Report(args)) => {
            crate::reports::command::run(&database.pool, &args).await
        }
        Command::Import(command) => crate::imports::command::run(&database.pool, command).await,
    }
}

async fn serve(database: &Database, args: ServeArgs) -> anyhow::Result<()> {
    if args.demo {
        let outcome = crate::demo::load(&database.pool).await?;
        tracing::info!(%outcome, "demo data");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let state = AppState::new(
        database.pool.clone(),
        WebConfig {
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            ..WebConfig::default()
        },
    );
    let housekeeping = tokio::spawn(web::housekeeping::run(
        database.pool.clone(),
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

async fn generate(database: &Database, args: &GenerateArgs) -> anyhow::Result<()> {
    let options = GenerateOptions::new(args.agencies, args.activities, args.years, args.seed);
    // Progress goes to stderr, one line per step, so that a redirect of stdout
    // keeps only the final report.
    let mut last_percent = None;
    let mut show = |progress: GenerateProgress| {
        let percent =
            u64::from(progress.agencies_done) * 100 / u64::from(progress.agencies_total.max(1));
        if last_percent != Some((progress.stage, percent)) {
            last_percent = Some((progress.stage, percent));
            eprintln!("{progress}");
        }
    };
    let report = crate::generate::generate(&database.pool, &options, &mut show).await?;
    println!("{report}");
    Ok(())
}
