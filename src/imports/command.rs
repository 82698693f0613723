//! `suivi import plan` and `suivi import progress`: the browser's imports from
//! the command line. Problems are printed by line and column (in English, like
//! every command's messages; the column is the file's own header) and the
//! command fails without writing anything; what was done is printed at the end.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use sqlx::PgPool;

use super::layout::Choices;
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
    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// How an agency's own file is read, and how the command reports it.
#[derive(Debug, Args)]
pub struct ReadingArgs {
    /// Print what Suivi understood of the file as JSON (on standard output).
    #[arg(long)]
    pub json: bool,
    /// Read the file with the agency's mapping of that name (saved from the
    /// preview in the browser).
    #[arg(long, value_name = "NAME")]
    pub mapping: Option<String>,
    /// Read this sheet rather than the one Suivi finds.
    #[arg(long)]
    pub sheet: Option<String>,
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
    /// Check the file and say what would be recorded, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub reading: ReadingArgs,
}

/// The choices a command reads a file with: a saved mapping, a sheet.
async fn choices(db: &PgPool, agency: &Agency, reading: &ReadingArgs) -> anyhow::Result<Choices> {
    let mut choices = match &reading.mapping {
        None => Choices::default(),
        Some(name) => super::mappings::by_name(db, agency.id, name)
            .await?
            .ok_or_else(|| anyhow!("{} has no import mapping named {name}", agency.code))?,
    };
    if let Some(sheet) = &reading.sheet {
        choices.sheet = Some(sheet.clone());
    }
    Ok(choices)
}

fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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
                        end_year: None,
                    })
                }
            };
            eprintln!("reading {}…", args.file.display());
            let choices = choices(db, &agency, &args.reading).await?;
            let prepared =
                super::prepare_plan_import_with(db, &bytes, &target, today, &choices).await?;
            let import = match prepared {
                Ok(import) => import,
                Err((problems, understood)) => {
                    if args.reading.json {
                        print_json(&match &understood {
                            Some(understood) => super::report::plan_json(understood, &problems),
                            None => super::report::problems_only_json(&problems),
                        })?;
                    }
                    print_problems(&problems);
                    bail!("{} problem(s): nothing was written", problems.len());
                }
            };
            if args.reading.json {
                let mut json = match &import.understood {
                    Some(understood) => super::report::plan_json(understood, &[]),
                    None => serde_json::json!({"format": "suivi"}),
                };
                json["summary"] = summary(&import).into();
                json["dry_run"] = args.dry_run.into();
                print_json(&json)?;
            }
            if args.dry_run {
                eprintln!("dry run: {}", summary(&import));
                if !args.reading.json {
                    println!("dry run: {}", summary(&import));
                }
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
            let choices = choices(db, &agency, &args.reading).await?;
            let prepared =
                match super::prepare_progress_with(db, &plan, &bytes, today, &choices).await? {
                    Err(problems) => {
                        if args.reading.json {
                            print_json(&super::report::problems_only_json(&problems))?;
                        }
                        print_problems(&problems);
                        bail!("{} problem(s): nothing was written", problems.len());
                    }
                    Ok(prepared) => prepared,
                };
            if args.reading.json {
                let mut json = match &prepared.understood {
                    Some((layout, rows)) => super::report::progress_json(layout, rows, &[]),
                    None => serde_json::json!({"format": "suivi"}),
                };
                json["to_record"] = prepared
                    .lines
                    .iter()
                    .map(|(line, code)| serde_json::json!({"line": line, "code": code}))
                    .collect();
                json["dry_run"] = args.dry_run.into();
                print_json(&json)?;
            }
            for row in &prepared.left {
                eprintln!(
                    "line {} ({}): status \"{}\" cannot be decided, not recorded: settle it in the preview",
                    row.line, row.code, row.status_text
                );
            }
            if args.dry_run {
                eprintln!(
                    "dry run: {} update(s) to record, {} left to settle, {} unchanged",
                    prepared.batch.len(),
                    prepared.left.len(),
                    prepared.unchanged
                );
                return Ok(());
            }
            match super::record_progress(db, prepared, recorder, None).await? {
                None => bail!("the import was not applied"),
                Some(result) => {
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
