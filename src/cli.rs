//! The `suivi` command line: the list of commands, and the dispatch to the
//! module that owns each one's flags and work. Every option also comes from an
//! environment variable, so that a service manager or a container can
//! configure Suivi without flags.

use clap::{Parser, Subcommand};

use crate::accounts::UserCommand;
use crate::db::{Database, DatabaseArgs};
use crate::generate::command::GenerateArgs;
use crate::imports::command::ImportCommand;
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
    #[command(subcommand)]
    pub command: Command,
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
    /// E-mail: `suivi mail test ADDRESS`.
    #[command(subcommand)]
    Mail(crate::mail::MailCommand),
    /// Recompute every sealed board session and compare it with its seal;
    /// exits with an error if any differs.
    Verify,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database = Database::open(&cli.database).await?;
    let outcome = run_command(cli.command, &database).await;
    // Stop a private cluster even when the command failed.
    let closed = database.close().await;
    outcome.and(closed)
}

async fn run_command(command: Command, database: &Database) -> anyhow::Result<()> {
    let db = &database.pool;
    match command {
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            println!("{}", crate::demo::load(db).await?);
            Ok(())
        }
        Command::Generate(args) => crate::generate::command::run(db, &args).await,
        Command::Serve(args) => crate::serve::run(db, args).await,
        Command::User(command) => crate::accounts::run(db, command).await,
        Command::Token(command) => crate::tokens::run(db, command).await,
        Command::Export(command) => crate::reports::command::run(db, command).await,
        Command::Import(command) => crate::imports::command::run(db, command).await,
        Command::Verify => crate::verify::run(db).await,
        Command::Mail(command) => crate::mail::run_command(db, command).await,
    }
}
