//! The `suivi token` command: creating a personal API token for an account
//! from the server's shell (for scripts, and the API checks of CI). The
//! secret is printed once on standard output; the store writes the audit
//! row under `Actor::CommandLine`. Messages in the command line's language.

use anyhow::{anyhow, bail};
use chrono::{Duration, Utc};
use clap::{Subcommand, ValueEnum};
use sqlx::PgPool;

use crate::i18n::Lang;

use crate::store::api_tokens::{self, Scope};
use crate::store::audit::Actor;
use crate::store::users;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    /// Reading only.
    Read,
    /// Reading and writing (recording progress, indicator values).
    Write,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account; prints the token (shown only once).
    Create {
        /// The account's login.
        login: String,
        #[arg(long, value_enum, default_value = "read")]
        scope: ScopeArg,
        /// Days until it expires.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=365))]
        days: u16,
        /// What the token is for, as its owner's page lists it.
        #[arg(long, default_value = "suivi token create")]
        label: String,
    },
}

pub async fn run(db: &PgPool, command: TokenCommand, lang: Lang) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            login,
            scope,
            days,
            label,
        } => {
            let user = users::find_by_login(db, &login)
                .await?
                .ok_or_else(|| anyhow!(lang.t_with("cli.no_account", &[("login", &login)])))?;
            let label = label.trim();
            if label.is_empty() || label.chars().count() > 100 {
                bail!(lang.t("cli.token.bad_label").into_owned());
            }
            let scope = match scope {
                ScopeArg::Read => Scope::Read,
                ScopeArg::Write => Scope::Write,
            };
            let expires_at = Utc::now() + Duration::days(i64::from(days));
            let (token, secret) =
                api_tokens::create(db, user.id, label, scope, expires_at, Actor::CommandLine)
                    .await?;
            // On standard error: standard output is the secret alone, for scripts.
            eprintln!(
                "{}",
                lang.t_with(
                    "cli.token.created",
                    &[
                        ("id", &token.id.to_string()),
                        ("login", &login),
                        ("scope", &lang.t(scope.label_key())),
                        ("until", &lang.date(token.expires_at.date_naive())),
                    ]
                )
            );
            println!("{secret}");
            Ok(())
        }
    }
}
