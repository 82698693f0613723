//! The `suivi user` commands: create accounts and set passwords from the
//! command line. The password comes from `SUIVI_PASSWORD` or standard input.
//! The store writes the audit rows, under `Actor::CommandLine`. Messages
//! in the command line's language.

use std::io::BufRead;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use sqlx::PgPool;

use crate::domain::Role;
use crate::i18n::Lang;
use crate::passwords;
use crate::store::agencies;
use crate::store::audit::Actor;
use crate::store::users::{self, AgencyRole};

/// The environment variable a script can pass the password in.
pub const PASSWORD_VAR: &str = "SUIVI_PASSWORD";

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
        /// A role in an agency, as AGENCY:editor, AGENCY:board, AGENCY:viewer or AGENCY:validator;
        /// repeat for several agencies.
        #[arg(long = "role", value_name = "AGENCY:ROLE")]
        roles: Vec<String>,
    },
    /// Replace an account's password.
    SetPassword { login: String },
}

pub async fn run(db: &PgPool, command: UserCommand, lang: Lang) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            login,
            name,
            admin,
            roles,
        } => add(db, &login, &name, admin, &roles, lang).await,
        UserCommand::SetPassword { login } => set_password(db, &login, lang).await,
    }
}

async fn add(
    db: &PgPool,
    login: &str,
    name: &str,
    is_admin: bool,
    roles: &[String],
    lang: Lang,
) -> anyhow::Result<()> {
    // Check everything before asking for a password or writing anything.
    let mut agency_roles = Vec::new();
    for spec in roles {
        let (code, role) = spec
            .split_once(':')
            .ok_or_else(|| anyhow!(lang.t_with("cli.user.role_spec", &[("spec", spec)])))?;
        let role: Role = role
            .parse()
            .map_err(|_| anyhow!(lang.t_with("cli.user.role_unknown", &[("spec", spec)])))?;
        let agency = agencies::find_by_code(db, code).await?.ok_or_else(|| {
            anyhow!(lang.t_with("cli.user.no_agency", &[("spec", spec), ("code", code)]))
        })?;
        agency_roles.push(AgencyRole {
            agency_id: agency.id,
            agency_code: agency.code,
            role,
        });
    }
    let password = read_password(lang)?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&password)).await??;
    let created = users::add(
        db,
        login,
        name,
        &hash,
        is_admin,
        &agency_roles,
        Actor::CommandLine,
    )
    .await
    .map_err(|error| anyhow!(error).context(lang.t("cli.user.cannot_create").into_owned()))?;
    if created.is_none() {
        bail!(lang.t_with("cli.user.taken", &[("login", login)]));
    }
    println!("{}", lang.t_with("cli.user.created", &[("login", login)]));
    Ok(())
}

async fn set_password(db: &PgPool, login: &str, lang: Lang) -> anyhow::Result<()> {
    let no_account = || anyhow!(lang.t_with("cli.no_account", &[("login", login)]));
    let user = users::find_by_login(db, login)
        .await?
        .ok_or_else(no_account)?;
    let password = read_password(lang)?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&password)).await??;
    users::change_password(db, user.id, &hash, Actor::CommandLine)
        .await?
        .ok_or_else(no_account)?;
    println!(
        "{}",
        lang.t_with("cli.user.password_changed", &[("login", login)])
    );
    Ok(())
}

fn read_password(lang: Lang) -> anyhow::Result<String> {
    let password = match std::env::var(PASSWORD_VAR) {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|error| {
                    anyhow!(error).context(lang.t("cli.user.password_unreadable").into_owned())
                })?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    if passwords::check_new(&password).is_err() {
        bail!(lang.t_with(
            "cli.user.password_refused",
            &[
                ("min", &passwords::MIN_LENGTH.to_string()),
                ("max", &passwords::MAX_LENGTH.to_string()),
            ]
        ));
    }
    Ok(password)
}
