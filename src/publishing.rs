//! The `suivi publish` commands: publishing a plan or a sealed board session
//! on the public pages from the server's shell, taking it off (`--off`), and
//! listing what is published. The rules and the store functions are the
//! pages' (`web::pages::public::publishing`): only a sealed session goes
//! public, and each change is one row with its audit row, written under
//! `Actor::CommandLine`. Plans and sessions are named as in the API
//! (`crate::names`). Messages in the command line's language.

use anyhow::{anyhow, bail};
use clap::Subcommand;
use sqlx::PgPool;

use crate::i18n::Lang;
use crate::names::{PlanName, SessionName};
use crate::store::audit::Actor;
use crate::store::plans;
use crate::store::publications::{self, Published, Target};
use crate::store::sessions::{self, BoardSession};

#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Publish a plan: its id or AGENCY:CODE (ANASER:PAP-2025).
    Plan {
        name: String,
        /// Take it off the public pages instead.
        #[arg(long)]
        off: bool,
        /// Show the updates' comments on its public page (off unless chosen).
        #[arg(long, conflicts_with = "off")]
        with_comments: bool,
    },
    /// Publish a sealed board session: its id, AGENCY:NUMBER for an
    /// ordinary session (ANASER:30) or AGENCY:extraordinary:NUMBER.
    Session {
        name: String,
        /// Take it off the public pages instead.
        #[arg(long)]
        off: bool,
        /// Show the updates' comments on its public page (off unless chosen).
        #[arg(long, conflicts_with = "off")]
        with_comments: bool,
    },
    /// List what is published, by agency, with the public page of each.
    List,
}

pub async fn run(db: &PgPool, command: PublishCommand, lang: Lang) -> anyhow::Result<()> {
    match command {
        PublishCommand::Plan {
            name,
            off,
            with_comments,
        } => {
            let parsed = PlanName::parse(&name)
                .ok_or_else(|| anyhow!(lang.t("api.error.bad_plan_code").into_owned()))?;
            let plan = plans::find_named(db, parsed)
                .await?
                .ok_or_else(|| anyhow!(lang.t_with("cli.publish.no_plan", &[("name", &name)])))?;
            let what = lang.t_with(
                "cli.publish.plan",
                &[
                    ("code", &format!("{}:{}", plan.agency_code, plan.code)),
                    ("title", &plan.title),
                ],
            );
            let path = format!("/public/plans/{}", plan.id);
            let target = Target::Plan(plan.id);
            let choice = Choice { off, with_comments };
            change(db, target, plan.agency_id, choice, &what, &path, lang).await
        }
        PublishCommand::Session {
            name,
            off,
            with_comments,
        } => {
            let parsed = SessionName::parse(&name)
                .ok_or_else(|| anyhow!(lang.t("api.error.bad_session_code").into_owned()))?;
            let session = sessions::find_named(db, parsed).await?.ok_or_else(|| {
                anyhow!(lang.t_with("cli.publish.no_session", &[("name", &name)]))
            })?;
            let what = session_name(&session, lang);
            // Only sealed figures go public: a planned session's would still move.
            if !off && !session.is_sealed() {
                bail!(lang.t_with("cli.publish.not_sealed", &[("session", &what)]));
            }
            let path = format!("/public/sessions/{}", session.id);
            let target = Target::Session(session.id);
            let choice = Choice { off, with_comments };
            change(db, target, session.agency_id, choice, &what, &path, lang).await
        }
        PublishCommand::List => {
            print!("{}", listing(&publications::index(db).await?, lang));
            Ok(())
        }
    }
}

/// What the command asks: to take off, or to publish with or without the
/// updates' comments.
struct Choice {
    off: bool,
    with_comments: bool,
}

/// Publishes or takes off, and says which it did (or that nothing changed).
async fn change(
    db: &PgPool,
    target: Target,
    agency_id: i64,
    choice: Choice,
    what: &str,
    path: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    let values = [("what", what), ("path", path)];
    let key = if choice.off {
        match publications::unpublish(db, target, agency_id, Actor::CommandLine).await? {
            true => "cli.publish.unpublished",
            false => "cli.publish.not_published",
        }
    } else {
        let comments = choice.with_comments;
        match publications::publish(db, target, agency_id, comments, Actor::CommandLine).await? {
            true => "cli.publish.published",
            false => "cli.publish.already",
        }
    };
    println!("{}", lang.t_with(key, &values));
    Ok(())
}

/// `ANASER 30ᵉ session ordinaire du conseil d’administration`.
fn session_name(session: &BoardSession, lang: Lang) -> String {
    let number = lang.ordinal(session.number);
    format!(
        "{} {}",
        session.agency_code,
        lang.t_with(session.kind.label_key(), &[("n", &number)])
    )
}

/// The public index as lines: agency, what, date or years, public page;
/// tab-separated.
fn listing(published: &[Published], lang: Lang) -> String {
    if published.is_empty() {
        return format!("{}\n", lang.t("cli.publish.nothing"));
    }
    let mut out = String::new();
    for item in published {
        let line = match (item.plan_id, item.session_id, item.session_kind) {
            (Some(id), _, _) => [
                item.agency_code.clone(),
                item.plan_title.clone().unwrap_or_default(),
                item.plan_years.clone().unwrap_or_default(),
                format!("/public/plans/{id}"),
            ],
            (None, Some(id), Some(kind)) => [
                item.agency_code.clone(),
                lang.t_with(
                    kind.label_key(),
                    &[("n", &lang.ordinal(item.session_number.unwrap_or(0)))],
                ),
                item.session_held_on
                    .map(|d| lang.date(d))
                    .unwrap_or_default(),
                format!("/public/sessions/{id}"),
            ],
            _ => continue,
        };
        out.push_str(&line.join("\t"));
        out.push('\n');
    }
    out
}
