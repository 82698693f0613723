//! `suivi export report`: a yearly report written to a file, with the same
//! code as the downloads. The command reads everything (like an admin); the
//! file appears only once complete, so a failed run leaves nothing half
//! written. Progress goes to stderr on long work.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::{CsvTable, Format, Heading, Scope, Separator, Subject};
use crate::i18n::Lang;
use crate::store::agencies;

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
    #[arg(long, value_parser = year)]
    pub year: i32,
    /// The date of the figures (YYYY-MM-DD); by default the year's last day,
    /// or today while the year runs.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    #[arg(long, value_enum)]
    pub format: Format,
    /// The file to write (replaced only once the report is complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Language of headers, labels and the PDF.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Lang::Fr)]
    pub lang: Lang,
    /// CSV only: the field separator, semicolon (for French Excel) or comma.
    #[arg(long, value_enum, default_value_t = Separator::Semicolon)]
    pub sep: Separator,
    /// CSV only: the table to write.
    #[arg(long, value_enum, default_value_t = CsvTable::Activities)]
    pub table: CsvTable,
}

/// `--year`: a year plans may have, by the same rule as in URLs.
fn year(text: &str) -> Result<i32, String> {
    let years = crate::domain::PLAN_YEARS;
    crate::domain::parse_plan_year(text)
        .ok_or_else(|| format!("must lie between {} and {}", years.start(), years.end()))
}

pub async fn run(db: &PgPool, command: ExportCommand) -> anyhow::Result<()> {
    match command {
        ExportCommand::Report(args) => report(db, &args).await,
    }
}

async fn report(db: &PgPool, args: &ReportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let today = chrono::Local::now().date_naive();
    let as_of = args
        .as_of
        .unwrap_or_else(|| super::default_as_of(args.year, today));
    let (subject, scope) = match &args.agency {
        Some(code) => {
            let agency = agencies::find_by_code(db, code)
                .await?
                .ok_or_else(|| anyhow!("no agency has the code {code:?}"))?;
            let scope = Scope::Agency(agency.id);
            let subject = Subject::Agency {
                code: agency.code,
                name: agency.name,
            };
            (subject, scope)
        }
        None => (Subject::Consolidated, Scope::Agencies(None)),
    };
    let heading = Heading {
        subject,
        year: args.year,
        as_of,
        lang: args.lang,
    };
    eprintln!(
        "export: {} — {} — {}",
        heading.subject_line(),
        heading.title(),
        heading.as_of_line()
    );
    let report = super::open(db, scope, heading).await?;
    eprintln!("export: plans: {}", report.data.plans.len());
    let mut progress = |count: u64| eprintln!("export: {count} activities…");

    let partial = partial_path(&args.output);
    let written = match args.format {
        Format::Xlsx => {
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?;
            match super::xlsx(report, file, &mut progress).await {
                Ok(file) => file.metadata().map(|m| m.len()),
                Err(error) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(error.into());
                }
            }
        }
        Format::Pdf => {
            let bytes = super::pdf(report, &mut progress).await?;
            std::fs::write(&partial, &bytes).map(|()| bytes.len() as u64)
        }
        Format::Csv => write_csv(report, args.table, args.sep, &partial, progress).await?,
    };
    let written = match written {
        Ok(written) => written,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error).with_context(|| format!("cannot write {}", partial.display()));
        }
    };
    std::fs::rename(&partial, &args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!(
        "export: {} bytes in {:.1} s",
        written,
        started.elapsed().as_secs_f64()
    );
    println!("{}", args.output.display());
    Ok(())
}

/// `report.csv` → `report.csv.part`, beside it (same file system: the rename
/// at the end is atomic).
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    output.with_file_name(name)
}

/// Streams the CSV into the file as it is produced.
async fn write_csv(
    report: super::OpenReport,
    table: CsvTable,
    separator: Separator,
    path: &Path,
    mut progress: impl FnMut(u64) + Send + 'static,
) -> anyhow::Result<std::io::Result<u64>> {
    let (sender, mut receiver) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let producer =
        tokio::spawn(
            async move { super::csv(report, table, separator, &sender, &mut progress).await },
        );
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut file = std::io::BufWriter::new(file);
    let mut written = 0u64;
    while let Some(chunk) = receiver.recv().await {
        let chunk = chunk?;
        if let Err(error) = file.write_all(&chunk) {
            let _ = std::fs::remove_file(path);
            return Ok(Err(error));
        }
        written += chunk.len() as u64;
    }
    if let Err(error) = producer.await? {
        let _ = std::fs::remove_file(path);
        return Err(error.into());
    }
    Ok(file.flush().map(|()| written))
}
