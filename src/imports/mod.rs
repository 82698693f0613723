//! Plans in and out as spreadsheets, for the browser and the command line
//! alike: the plan file (see `plan_file`) exported and read back
//! ([`export`]); a plan import that first says what it would create or
//! change, or lists every problem by line and column, and then applies
//! everything in one transaction ([`plan_import`]); and the progress import,
//! the round trip through Excel, which records only the rows that changed
//! under the same conflict rule as the browser ([`progress_import`]). A file
//! is read once, off the async runtime and within the limits of `limits`,
//! so that no upload can stall or kill the service.

pub mod command;
pub mod export;
pub mod layout;
pub mod limits;
pub mod mappings;
pub mod own_file;
pub mod plan_file;
pub mod plan_import;
pub mod progress_import;
pub mod report;
pub mod table;

use sqlx::PgPool;

pub use export::{export_csv, export_xlsx, template_xlsx};
pub use plan_import::{
    apply_plan_import, prepare_plan_import, prepare_plan_import_with, PlanImport, Target,
};
pub use progress_import::{
    import_progress, prepare_progress, prepare_progress_with, record_progress, ProgressImport,
    ProgressPlan,
};

use crate::store::structure;
use plan_file::Problem;
use table::{Sheets, TableError};

/// An unreadable file, as the one problem it has.
fn unreadable(error: TableError) -> Vec<Problem> {
    vec![Problem {
        line: 1,
        column: String::new(),
        key: error.key(),
        value: error.value().to_owned(),
    }]
}

/// Reads the file on a blocking thread: a workbook may take a second of CPU
/// (within the limits), which must not hold up the requests that share the
/// runtime's threads. A panic of the reader on a malformed file is an
/// unreadable file, not a failed request.
///
/// At most [`READERS`] files are read at once per instance: each may take
/// about 130 MB at the limits, so a burst of uploads queues instead of
/// exhausting memory.
async fn read_file(
    bytes: &[u8],
    sheet_names: &'static [&'static str],
) -> Result<Sheets, TableError> {
    let _slot = SLOTS.acquire().await.map_err(|_| TableError::Unreadable)?;
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || table::read(&bytes, sheet_names))
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "the spreadsheet reader failed");
            Err(TableError::Unreadable)
        })
}

/// Every sheet of the file with its line numbers, for the layout detection;
/// on a blocking thread and within the same slots as [`read_file`].
async fn read_workbook(bytes: &[u8]) -> Result<Vec<table::Sheet>, TableError> {
    let _slot = SLOTS.acquire().await.map_err(|_| TableError::Unreadable)?;
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || table::read_all(&bytes))
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "the spreadsheet reader failed");
            Err(TableError::Unreadable)
        })
}

/// Spreadsheets read at the same time; see `read_file`.
const READERS: usize = 2;
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READERS);

/// The regions as (code, name), which a file may name either way.
async fn regions(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    Ok(structure::regions(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}
