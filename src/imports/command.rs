//! `suivi import plan` and `suivi import progress`: the browser's imports from
//! the command line. Problems are printed by line and column (in English, like
//! every command's messages; the column is the file's own header) and the
//! command fails without writing anything; what was done is printed at the end.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use sqlx::PgPool;

use super::plan_file::Problem;
use super::{PlanImport, Target};
use crate::i18n::Lang;
use crate::store::activities::Recorder;
use crate::store::agencies::{self, Agency};
use crate::store::imports::NewPlan;
use crate::store::users::{self, User};
use crate::store::{imports, plans};

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

fn print_problems(problems: &[Problem]) {
    for problem in problems {
        eprintln!(
            "line {}, column \"{}\": {}{}",
            problem.line,
            problem.column,
            Lang::En.t(problem.key),
            if problem.value.is_empty() {
                String::new()
            } else {
                format!(" ({})", problem.value)
            }
        );
    }
}

fn summary(import: &PlanImport) -> String {
    use crate::store::imports::PlanChange::*;
    let count = |f: fn(&crate::store::imports::PlanChange) -> bool| {
        import.changes.iter().filter(|c| f(c)).count()
    };
    format!(
        "{} level(s) created, {} updated; {} activity(ies) created, {} updated; {} indicator(s) created or updated; {} line(s) unchanged",
        count(|c| matches!(c, CreateNode { .. })),
        count(|c| matches!(c, UpdateNode { .. })),
        count(|c| matches!(c, CreateActivity { .. })),
        count(|c| matches!(c, UpdateActivity { .. })),
        count(|c| matches!(c, CreateIndicator { .. } | UpdateIndicator { .. })),
        import.unchanged
    )
}

/// What both imports start from: the file's bytes, the agency, the account.
async fn open(
    db: &PgPool,
    file: &Path,
    agency: &str,
    login: &str,
) -> anyhow::Result<(Vec<u8>, Agency, User)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let agency = agencies::find_by_code(db, agency)
        .await?
        .ok_or_else(|| anyhow!("no agency with code {agency}"))?;
    let user = users::find_by_login(db, login)
        .await?
        .ok_or_else(|| anyhow!("no account {login}"))?;
    Ok((bytes, agency, user))
}

pub async fn run(db: &PgPool, command: ImportCommand) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    match command {
        ImportCommand::Plan(args) => {
            let (bytes, agency, user) = open(db, &args.file, &args.agency, &args.login).await?;
            let target = match imports::plan_by_code(db, agency.id, &args.plan).await? {
                Some(id) => Target::Existing(plans::find(db, id).await?.context("plan vanished")?),
                None => {
                    let (Some(title), Some(year)) = (args.title.clone(), args.year) else {
                        bail!(
                            "{} has no plan {}: give --title and --year to create it",
                            args.agency,
                            args.plan
                        );
                    };
                    Target::New(NewPlan {
                        agency_id: agency.id,
                        code: args.plan.clone(),
                        title,
                        year,
                        level_names: Vec::new(),
                    })
                }
            };
            eprintln!("reading {}…", args.file.display());
            let import = match super::prepare_plan_import(db, &bytes, &target, today).await? {
                Ok(import) => import,
                Err(problems) => {
                    print_problems(&problems);
                    bail!("{} problem(s): nothing was written", problems.len());
                }
            };
            if args.dry_run {
                println!("dry run: {}", summary(&import));
                return Ok(());
            }
            let plan_id = super::apply_plan_import(db, &target, &import, today, user.id, None)
                .await?
                .context("the import was not applied")?;
            println!("plan {plan_id}: {}", summary(&import));
            Ok(())
        }
        ImportCommand::Progress(args) => {
            let (bytes, agency, user) = open(db, &args.file, &args.agency, &args.login).await?;
            let plan_id = imports::plan_by_code(db, agency.id, &args.plan)
                .await?
                .ok_or_else(|| anyhow!("{} has no plan {}", args.agency, args.plan))?;
            let plan = plans::find(db, plan_id).await?.context("plan vanished")?;
            let recorder = Recorder {
                user_id: user.id,
                name: &user.display_name,
                is_admin: user.is_admin,
            };
            match super::import_progress(db, &plan, &bytes, recorder, today).await? {
                Err(problems) => {
                    print_problems(&problems);
                    bail!("{} problem(s): nothing was written", problems.len());
                }
                Ok(result) => {
                    for (line, code) in &result.conflicts {
                        eprintln!("line {line} ({code}): changed since the export, not recorded");
                    }
                    for (line, code) in &result.frozen {
                        eprintln!("line {line} ({code}): figures frozen by a held board session, not recorded");
                    }
                    println!(
                        "{} update(s) recorded, {} conflict(s), {} frozen, {} unchanged",
                        result.recorded.len(),
                        result.conflicts.len(),
                        result.frozen.len(),
                        result.unchanged
                    );
                    Ok(())
                }
            }
        }
    }
}
