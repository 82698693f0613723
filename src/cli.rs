//! The `suivi` command line: the list of commands, and the dispatch to the
//! module that owns each one's flags and work. Every option also comes from an
//! environment variable, so that a service manager or a container can
//! configure Suivi without flags.
//!
//! The commands speak French or English (`--lang`, see [`Cli::language`]),
//! through the same message catalog as the pages; the help texts are in
//! English.

use clap::{Parser, Subcommand};

use crate::accounts::UserCommand;
use crate::db::{Database, DatabaseArgs};
use crate::generate::command::GenerateArgs;
use crate::i18n::Lang;
use crate::imports::command::ImportCommand;
use crate::publishing::PublishCommand;
use crate::reports::command::ExportCommand;
use crate::serve::ServeArgs;
use crate::tokens::TokenCommand;

#[derive(Debug, Parser)]
#[command(
    name = "suivi",
    version,
    about = "Suivi: action-plan tracking for public institutions"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The language of the command's messages. Without it: SUIVI_LANG, else
    /// English if the locale (LC_ALL, LC_MESSAGES, LANG) is English, else
    /// French. (`suivi export --lang` is the report's own language.)
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        env = "SUIVI_LANG",
        global = true
    )]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The language the command speaks: `--lang` or `SUIVI_LANG`, else the
    /// locale's (`Lang::from_locale`).
    pub fn language(&self) -> Lang {
        self.lang.unwrap_or_else(|| {
            let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .into_iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
            Lang::from_locale(locale.as_deref())
        })
    }
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
    /// Personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write reports to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Read plans and progress from spreadsheets (XLSX or CSV).
    #[command(subcommand)]
    Import(ImportCommand),
    /// E-mail: `suivi mail test ADDRESS`, `suivi mail outbox`.
    #[command(subcommand)]
    Mail(crate::mail::MailCommand),
    /// The public pages: publish a plan or a sealed session, take it off,
    /// list what is published.
    #[command(subcommand)]
    Publish(PublishCommand),
    /// Recompute every sealed board session and compare it with its seal;
    /// exits with an error if any differs.
    Verify,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let lang = cli.language();
    let database = Database::open(&cli.database).await?;
    let outcome = run_command(cli.command, &database, lang).await;
    // Stop a private cluster even when the command failed.
    let closed = database.close().await;
    outcome.and(closed)
}

async fn run_command(command: Command, database: &Database, lang: Lang) -> anyhow::Result<()> {
    let db = &database.pool;
    match command {
        Command::Migrate => {
            println!("{}", lang.t("cli.migrated"));
            Ok(())
        }
        Command::Demo => {
            let key = match crate::demo::load(db).await? {
                crate::demo::DemoOutcome::Loaded => "cli.demo.loaded",
                crate::demo::DemoOutcome::AlreadyPresent => "cli.demo.present",
            };
            println!("{}", lang.t(key));
            Ok(())
        }
        Command::Generate(args) => crate::generate::command::run(db, &args).await,
        Command::Serve(args) => crate::serve::run(db, args).await,
        Command::User(command) => crate::accounts::run(db, command, lang).await,
        Command::Token(command) => crate::tokens::run(db, command, lang).await,
        Command::Export(command) => crate::reports::command::run(db, command).await,
        Command::Import(command) => crate::imports::command::run(db, command).await,
        Command::Verify => crate::verify::run(db, lang).await,
        Command::Mail(command) => crate::mail::run_command(db, command, lang).await,
        Command::Publish(command) => crate::publishing::run(db, command, lang).await,
    }
}
