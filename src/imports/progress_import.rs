//! The progress import, the round trip through Excel: the rows of an
//! exported plan file whose progress columns changed since, recorded under
//! the browser's rules (the conflict check, held sessions' freezes).

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgPool;

use super::layout::{self, progress::ProgressRow, Choices, Kind, Layout};
use super::plan_file::{self, Context, Problem};
use super::{own_file, read_file, read_workbook, regions, unreadable};
use crate::domain::Status;
use crate::store::activities::{self, BatchRow, NewProgress, RecordOutcome, Recorder};
use crate::store::plans::{self, Plan};

/// What a progress import did.
#[derive(Debug, Default)]
pub struct ProgressImport {
    pub recorded: Vec<String>,
    /// Rows whose activity was updated since the file was exported: (line, code).
    pub conflicts: Vec<(usize, String)>,
    /// Rows dated within a held board session's frozen figures.
    pub frozen: Vec<(usize, String)>,
    pub unchanged: usize,
}

/// The progress rows of a file that differ from the plan's current state,
/// ready to record.
#[derive(Debug)]
pub struct ProgressPlan {
    pub batch: Vec<BatchRow>,
    /// (line, code) of each row of `batch`.
    pub lines: Vec<(usize, String)>,
    pub unchanged: usize,
    /// For an agency's own report: where its table is and what it read.
    pub understood: Option<(Layout, layout::progress::ProgressRows)>,
    /// Rows whose status Suivi could not decide ("NR", empty, "Suspendue"):
    /// not recorded until the user settles them.
    pub left: Vec<ProgressRow>,
}

/// Records the progress rows of the file that differ from the plan's current
/// state, each under the browser's rules; nothing when the file has problems.
pub async fn import_progress(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    recorder: Recorder<'_>,
    today: NaiveDate,
) -> sqlx::Result<Result<ProgressImport, Vec<Problem>>> {
    match prepare_progress(db, plan, bytes, today).await? {
        Ok(prepared) => Ok(Ok(record_progress(db, prepared, recorder, None)
            .await?
            .unwrap_or_default())),
        Err(problems) => Ok(Err(problems)),
    }
}

/// Records prepared rows in one transaction; conflicts and frozen rows are
/// reported, not written. With the token of the kept upload, the upload is
/// used up in that same transaction; `None` if another apply used it first.
pub async fn record_progress(
    db: &PgPool,
    prepared: ProgressPlan,
    recorder: Recorder<'_>,
    upload_token: Option<&str>,
) -> sqlx::Result<Option<ProgressImport>> {
    let mut result = ProgressImport {
        unchanged: prepared.unchanged,
        ..ProgressImport::default()
    };
    let mut tx = crate::db::begin(db).await?;
    if let Some(token) = upload_token {
        if !crate::store::imports::use_up_upload_in(&mut tx, token).await? {
            return Ok(None);
        }
    }
    let outcomes = activities::record_batch_in(&mut tx, &prepared.batch, recorder).await?;
    tx.commit().await?;
    for ((line, code), outcome) in prepared.lines.into_iter().zip(outcomes) {
        match outcome {
            RecordOutcome::Recorded(_) => result.recorded.push(code),
            RecordOutcome::Conflict { .. } => result.conflicts.push((line, code)),
            RecordOutcome::Frozen { .. } => result.frozen.push((line, code)),
        }
    }
    Ok(Some(result))
}

/// Reads the file and finds the rows that changed, writing nothing.
pub async fn prepare_progress(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    today: NaiveDate,
) -> sqlx::Result<Result<ProgressPlan, Vec<Problem>>> {
    prepare_progress_with(db, plan, bytes, today, &Choices::default()).await
}

/// Like [`prepare_progress`], for Suivi's own file or an agency's own
/// report, with the user's choices (columns, settled statuses).
pub async fn prepare_progress_with(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    today: NaiveDate,
    choices: &Choices,
) -> sqlx::Result<Result<ProgressPlan, Vec<Problem>>> {
    let workbook = match read_workbook(bytes).await {
        Ok(workbook) => workbook,
        Err(error) => return Ok(Err(unreadable(error))),
    };
    let suivi_file = workbook
        .first()
        .and_then(|s| s.rows.first())
        .is_some_and(|r| own_file::is_suivi_file(&r.cells));
    if suivi_file && *choices == Choices::default() {
        return prepare_suivi_progress(db, plan, bytes, today).await;
    }
    let Some(found) = layout::detect(&workbook, Kind::Progress, choices) else {
        return Ok(Err(vec![Problem {
            line: 1,
            column: String::new(),
            key: "imports.error.no_progress_table",
            value: String::new(),
        }]));
    };
    let Some(sheet) = workbook.iter().find(|s| s.name == found.sheet) else {
        return Ok(Err(unreadable(super::table::TableError::Empty)));
    };
    let mut rows = layout::progress::read(sheet, &found);
    for row in rows.rows.iter_mut().filter(|r| r.status.is_none()) {
        row.status = choices
            .settled
            .iter()
            .find(|(line, _)| *line == row.line)
            .and_then(|(_, key)| Status::ALL.iter().copied().find(|s| s.as_str() == key));
    }
    let state = PlanState::load(db, plan, today).await?;
    let mut problems = rows.problems.clone();
    let code_column = found
        .column(layout::Meaning::Code)
        .map_or(String::new(), layout::Column::name);
    let date_column = found
        .column(layout::Meaning::AsOf)
        .map_or(String::new(), layout::Column::name);
    let mut prepared = ProgressPlan {
        batch: Vec::new(),
        lines: Vec::new(),
        unchanged: 0,
        understood: None,
        left: Vec::new(),
    };
    for row in &rows.rows {
        let Some((detail, now)) = state.get(&row.code) else {
            problems.push(Problem {
                line: row.line,
                column: code_column.clone(),
                key: "imports.error.unknown_activity",
                value: row.code.clone(),
            });
            continue;
        };
        let Some(status) = row.status else {
            prepared.left.push(row.clone());
            continue;
        };
        let as_of = row.as_of.unwrap_or(today);
        if as_of > today {
            problems.push(Problem {
                line: row.line,
                column: date_column.clone(),
                key: "error.progress.future",
                value: as_of.to_string(),
            });
            continue;
        }
        let year = chrono::Datelike::year(&as_of);
        if year < plan.start_year || year > plan.end_year {
            problems.push(Problem {
                line: row.line,
                column: date_column.clone(),
                key: "imports.error.outside_plan",
                value: as_of.to_string(),
            });
            continue;
        }
        // A rate without a quantity: the share of the target, exactly.
        let achieved = row
            .achieved
            .or_else(|| Some(row.rate? * detail.target?).map(|a| a.normalize()));
        let update = NewProgress {
            as_of,
            status,
            achieved,
            spent: row.spent.or(now.latest.spent),
            comment: row.comment.clone(),
        };
        if is_current(now, &update) {
            prepared.unchanged += 1;
            continue;
        }
        prepared.batch.push(BatchRow {
            activity: detail.clone(),
            base: None,
            update,
        });
        prepared.lines.push((row.line, row.code.clone()));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Ok(Err(problems));
    }
    rows.problems.clear();
    prepared.understood = Some((found, rows));
    Ok(Ok(prepared))
}

/// Suivi's own plan file with its progress columns, cell for cell.
async fn prepare_suivi_progress(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    today: NaiveDate,
) -> sqlx::Result<Result<ProgressPlan, Vec<Problem>>> {
    let sheets = match read_file(bytes, &[]).await {
        Ok(sheets) => sheets,
        Err(error) => return Ok(Err(unreadable(error))),
    };
    let regions = regions(db).await?;
    let context = Context {
        regions: &regions,
        level_names: Some(&plan.level_names),
        today,
        years: (plan.start_year, plan.end_year),
        with_progress: true,
    };
    let file = match plan_file::parse(&sheets.first, &context) {
        Ok(file) => file,
        Err(problems) => return Ok(Err(problems)),
    };
    let state = PlanState::load(db, plan, today).await?;
    let unknown: Vec<Problem> = file
        .activities
        .iter()
        .filter(|a| state.get(&a.fields.code).is_none())
        .map(|a| Problem {
            line: a.line,
            column: "Code".into(),
            key: "imports.error.unknown_activity",
            value: a.fields.code.clone(),
        })
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let mut unchanged = 0;
    let mut batch = Vec::new();
    let mut lines = Vec::new();
    for row in &file.activities {
        let (Some(progress), Some((detail, now))) = (&row.progress, state.get(&row.fields.code))
        else {
            unchanged += 1;
            continue;
        };
        let update = NewProgress {
            as_of: progress.as_of,
            status: progress.status,
            achieved: progress.achieved,
            spent: progress.spent,
            comment: progress.comment.clone(),
        };
        let untouched_new = now.latest.status.is_none() && progress.status == Status::NotStarted;
        if is_current(now, &update) || untouched_new {
            unchanged += 1;
            continue;
        }
        batch.push(BatchRow {
            activity: detail.clone(),
            base: progress.base,
            update,
        });
        lines.push((row.line, row.fields.code.clone()));
    }
    Ok(Ok(ProgressPlan {
        batch,
        lines,
        unchanged,
        understood: None,
        left: Vec::new(),
    }))
}

/// The plan's activities by code, as a progress row is checked against
/// them: what recording needs (rights, years, freezes) and their state now.
struct PlanState {
    details: HashMap<String, activities::ActivityDetail>,
    current: HashMap<String, plans::ActivityRow>,
}

impl PlanState {
    async fn load(db: &PgPool, plan: &Plan, today: NaiveDate) -> sqlx::Result<PlanState> {
        let details = activities::details_for_plan(db, plan.id)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
        let current = plans::activities_as_of(db, plan.id, today)
            .await?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect();
        Ok(PlanState { details, current })
    }

    /// The activity of that code in force today, with its state.
    fn get(&self, code: &str) -> Option<(&activities::ActivityDetail, &plans::ActivityRow)> {
        Some((self.details.get(code)?, self.current.get(code)?))
    }
}

/// The update says what the activity's latest one says already: nothing to
/// record (quantities compared as numbers, `12.50` as `12.5`).
fn is_current(now: &plans::ActivityRow, update: &NewProgress) -> bool {
    now.latest.status == Some(update.status)
        && now.latest.achieved.map(|a| a.normalize()) == update.achieved.map(|a| a.normalize())
        && now.latest.spent == update.spent
        && now.latest.as_of == Some(update.as_of)
        && now.comment == update.comment
}
