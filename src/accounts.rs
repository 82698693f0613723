//! The `suivi user` commands: create accounts and set passwords from the
//! command line. The password comes from `SUIVI_PASSWORD` or standard input.
//! The store writes the audit rows, under `Actor::CommandLine`.

use std::io::BufRead;

use anyhow::{bail, Context};
use clap::Subcommand;
use sqlx::PgPool;

use crate::domain::Role;
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

pub async fn run(db: &PgPool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            login,
            name,
            admin,
            roles,
        } => add(db, &login, &name, admin, &roles).await,
        UserCommand::SetPassword { login } => set_password(db, &login).await,
    }
}

async fn add(
    db: &PgPool,
    login: &str,
    name: &str,
    is_admin: bool,
    roles: &[String],
) -> anyhow::Result<()> {
    // Check everything before asking for a password or writing anything.
    let mut agency_roles = Vec::new();
    for spec in roles {
        let (code, role) = spec.split_once(':').with_context(|| {
            format!("role {spec:?}: expected AGENCY:editor|board|viewer|validator")
        })?;
        let role: Role = role.parse().map_err(|_| {
            anyhow::anyhow!("role {spec:?}: the role is editor, board, viewer or validator")
        })?;
        let agency = agencies::find_by_code(db, code)
            .await?
            .with_context(|| format!("role {spec:?}: no agency {code}"))?;
        agency_roles.push(AgencyRole {
            agency_id: agency.id,
            agency_code: agency.code,
            role,
        });
    }
    let password = read_password()?;
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
    .context("cannot create the account (the login allows a-z, 0-9, '.', '_', '-')")?;
    if created.is_none() {
        bail!("the login {login} is taken");
    }
    println!("account {login} created");
    Ok(())
}

async fn set_password(db: &PgPool, login: &str) -> anyhow::Result<()> {
    let user = users::find_by_login(db, login)
        .await?
        .with_context(|| format!("no account {login}"))?;
    let password = read_password()?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&password)).await??;
    users::change_password(db, user.id, &hash, Actor::CommandLine)
        .await?
        .with_context(|| format!("no account {login}"))?;
    println!("password of {login} changed");
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let password = match std::env::var(PASSWORD_VAR) {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    if let Err(key) = passwords::check_new(&password) {
        bail!(
            "password refused ({key}): between {} and {} characters",
            passwords::MIN_LENGTH,
            passwords::MAX_LENGTH
        );
    }
    Ok(password)
}
