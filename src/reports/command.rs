//! `suivi export report`: a yearly report written to a file, with the same
//! code as the downloads. The command reads everything (like an admin); the
//! file appears only once complete, so a failed run leaves nothing half
//! written. Progress goes to stderr on long work.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::{CsvTable, Format, Heading, Scope, Separator, Subject};
use crate::cli::{ExportFormat, ReportArgs};
use crate::i18n::Lang;
use crate::store::agencies;

pub async fn run(db: &PgPool, args: &ReportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let lang = Lang::from_code(&args.lang)
        .ok_or_else(|| anyhow!("--lang must be fr or en, not {:?}", args.lang))?;
    if super::parse_year(&args.year.to_string()).is_none() {
        bail!("--year must lie between 1960 and 2200");
    }
    let separator = Separator::parse(Some(&args.sep))
        .ok_or_else(|| anyhow!("--sep must be semicolon or comma, not {:?}", args.sep))?;
    let table = CsvTable::parse(Some(&args.table)).ok_or_else(|| {
        anyhow!(
            "--table must be activities, summary, indicators or funding, not {:?}",
            args.table
        )
    })?;
    let format = match args.format {
        ExportFormat::Xlsx => Format::Xlsx,
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Pdf => Format::Pdf,
    };
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
        lang,
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
    let written = match format {
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
        Format::Csv => write_csv(report, table, separator, &partial, progress).await?,
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
