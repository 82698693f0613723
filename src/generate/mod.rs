//! Synthetic national-scale data for benchmarks and tests: `GEN-0001`… agencies
//! under a few `GEN-MIN-01`… ministries, each with one annual plan (PAP) per year,
//! its activities and their dated progress updates, indicators with quarterly
//! values, two ordinary board sessions a year with their resolutions, and a
//! funding plan. Titles, budgets and values are invented: plans and sessions are
//! marked `illustrative`.
//!
//! Choices, and why:
//! - **Speed.** Rows are written as PostgreSQL `COPY … FROM STDIN (FORMAT text)`
//!   streams, buffered a few megabytes at a time and flushed table by table in
//!   foreign-key order, so memory stays flat whatever the size asked for.
//! - **Ids.** `COPY` writes the ids we supply even to `GENERATED ALWAYS` identity
//!   columns, so ids are allocated here: the tables are locked in `EXCLUSIVE`
//!   mode (reads go on, other writers wait), ids continue after both the sequence
//!   and the largest existing id, and each sequence is moved past the last id
//!   used before commit, so later ordinary inserts keep working.
//! - **One transaction.** Everything is written in a single transaction: a failed
//!   or interrupted run leaves nothing behind (at most a gap in the sequences), so
//!   the restart story is simply "run it again".
//! - **Refuse, don't append.** If any `GEN-` agency exists the run stops with an
//!   error before writing anything: the codes would collide, and appending
//!   under new numbers would mix two runs (perhaps two seeds) whose figures
//!   could no longer be told apart or reproduced.
//! - **Deterministic.** A SplitMix64 generator seeded from (seed, agency, year)
//!   gives each agency-year its own stream: the same seed and options (including
//!   `today`) give the same rows, and an agency's data does not depend on how
//!   many other agencies are generated.
//! - **Time.** `today` splits the past from the future: no progress update or
//!   indicator value is dated after it, sessions after it are `planned` (and have
//!   no resolutions yet), and activities whose end falls after it are still in
//!   progress. Years that have not started get plans and activities but no
//!   updates.

pub mod command;
mod plans;
mod rng;
mod sessions;
#[cfg(test)]
mod tests;
mod words;
mod writer;

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use chrono::{Datelike, Local, NaiveDate};
use sqlx::{PgConnection, PgPool};

use crate::domain::{PlanKind, PlanStatus};
use plans::{write_plan_year, Calendar, PlanContext};
use rng::Rng;
use sessions::write_sessions;
use writer::{Batch, Ids, Table, TABLES};

/// The prefix of every generated agency code; its presence blocks a second run.
pub const CODE_PREFIX: &str = "GEN-";

/// Objectives per plan and priority actions per objective.
const OBJECTIVES: u32 = 2;
const ACTIONS_PER_OBJECTIVE: u32 = 5;
const INDICATORS_PER_PLAN: usize = 5;
/// Updates per started activity unless asked otherwise: a year of monthly
/// reporting, give or take, as the benchmarks should see it.
pub const DEFAULT_UPDATES_PER_ACTIVITY: u32 = 10;
/// Agencies per parent ministry.
const AGENCIES_PER_MINISTRY: u32 = 30;
/// Buffered bytes that trigger a flush: large enough that COPY round trips do not
/// matter, small enough to keep memory flat.
const FLUSH_BYTES: usize = 8 << 20;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub agencies: u32,
    /// Activities per agency per year.
    pub activities: u32,
    /// Progress updates of each activity that has started (fewer when its
    /// year is too short for that many distinct dates); one for the others.
    pub updates_per_activity: u32,
    pub years: u32,
    pub first_year: i32,
    pub seed: u64,
    /// The date the data describes: nothing is recorded after it. Tests fix it so
    /// that runs on different days give the same rows.
    pub today: NaiveDate,
}

impl GenerateOptions {
    /// Options ending with the current year, as of today.
    pub fn new(agencies: u32, activities: u32, years: u32, seed: u64) -> GenerateOptions {
        let today = Local::now().date_naive();
        let span = i32::try_from(years).unwrap_or(i32::MAX).saturating_sub(1);
        GenerateOptions {
            agencies,
            activities,
            updates_per_activity: DEFAULT_UPDATES_PER_ACTIVITY,
            years,
            first_year: today.year().saturating_sub(span),
            seed,
            today,
        }
    }

    pub fn last_year(&self) -> i32 {
        let span = i32::try_from(self.years)
            .unwrap_or(i32::MAX)
            .saturating_sub(1);
        self.first_year.saturating_add(span)
    }

    /// Number of `GEN-MIN-nn` parent ministries.
    pub fn ministries(&self) -> u32 {
        self.agencies.div_ceil(AGENCIES_PER_MINISTRY).clamp(1, 99)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(1..=9_999).contains(&self.agencies) {
            bail!("agencies must be between 1 and 9 999 (codes are GEN-0001…GEN-9999)");
        }
        if self.activities > 10_000 {
            bail!("activities must be at most 10 000 per agency per year");
        }
        if !(1..=366).contains(&self.updates_per_activity) {
            bail!("updates per activity must be between 1 and 366 (one a day at most)");
        }
        if !(1..=50).contains(&self.years) {
            bail!("years must be between 1 and 50");
        }
        if self.first_year < 1960 || self.last_year() > 2199 {
            bail!("plan years must lie between 1960 and 2199");
        }
        Ok(())
    }
}

/// Where a run stands; `Display` gives the line the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Agencies written so far (including their plans, activities…).
    Agencies,
    /// Moving the sequences past the generated ids and committing.
    Committing,
    /// Refreshing planner statistics after the commit.
    Analyzing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateProgress {
    pub stage: Stage,
    pub agencies_done: u32,
    pub agencies_total: u32,
    /// Rows generated so far, all tables together.
    pub rows: u64,
    pub elapsed: Duration,
}

impl fmt::Display for GenerateProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = seconds(self.elapsed);
        match self.stage {
            Stage::Agencies => {
                let percent =
                    u64::from(self.agencies_done) * 100 / u64::from(self.agencies_total.max(1));
                write!(
                    f,
                    "agences {}/{} ({percent} %), {} lignes, {seconds} s",
                    self.agencies_done,
                    self.agencies_total,
                    group_thousands(self.rows)
                )
            }
            Stage::Committing => write!(f, "validation de la transaction…, {seconds} s"),
            Stage::Analyzing => write!(f, "mise à jour des statistiques (ANALYZE)…, {seconds} s"),
        }
    }
}

/// Rows written per table, and how long it took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateReport {
    pub first_year: i32,
    pub last_year: i32,
    /// Includes the parent ministries.
    pub agencies: u64,
    pub ministries: u64,
    pub plans: u64,
    pub plan_nodes: u64,
    pub activities: u64,
    pub progress_updates: u64,
    pub indicators: u64,
    pub indicator_values: u64,
    pub board_sessions: u64,
    pub resolutions: u64,
    pub funding_lines: u64,
    /// From the first statement to the commit.
    pub elapsed: Duration,
    /// The ANALYZE that follows the commit.
    pub analyze_elapsed: Duration,
}

impl GenerateReport {
    pub fn total_rows(&self) -> u64 {
        self.agencies
            + self.plans
            + self.plan_nodes
            + self.activities
            + self.progress_updates
            + self.indicators
            + self.indicator_values
            + self.board_sessions
            + self.resolutions
            + self.funding_lines
    }
}

impl fmt::Display for GenerateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = group_thousands;
        writeln!(f, "années {}–{}", self.first_year, self.last_year)?;
        writeln!(
            f,
            "agences {} (dont {} ministère(s) de tutelle)",
            g(self.agencies),
            g(self.ministries)
        )?;
        writeln!(f, "plans {}, nœuds {}", g(self.plans), g(self.plan_nodes))?;
        writeln!(
            f,
            "activités {}, mises à jour {}",
            g(self.activities),
            g(self.progress_updates)
        )?;
        writeln!(
            f,
            "indicateurs {}, valeurs {}",
            g(self.indicators),
            g(self.indicator_values)
        )?;
        writeln!(
            f,
            "sessions {}, résolutions {}, lignes de financement {}",
            g(self.board_sessions),
            g(self.resolutions),
            g(self.funding_lines)
        )?;
        write!(
            f,
            "{} lignes en {} s (+ ANALYZE {} s)",
            g(self.total_rows()),
            seconds(self.elapsed),
            seconds(self.analyze_elapsed)
        )
    }
}

/// `12.34 s` → `12,3` (French decimal comma).
fn seconds(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64()).replace('.', ",")
}

/// `1234567` → `1 234 567` (French grouping, with a plain space for terminals).
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Generates the data described by `options` in one transaction, calling
/// `progress` after each agency and at each later stage.
///
/// Fails without writing anything if `GEN-` agencies already exist.
pub async fn generate(
    pool: &PgPool,
    options: &GenerateOptions,
    progress: &mut dyn FnMut(GenerateProgress),
) -> anyhow::Result<GenerateReport> {
    options.validate()?;
    let started = Instant::now();
    let mut tx = crate::db::begin(pool).await?;

    // Waiting forever behind a long transaction would look like a hang.
    sqlx::query("SET LOCAL lock_timeout = '30s'")
        .execute(&mut *tx)
        .await?;
    let all_tables = TABLES.map(Table::name).join(", ");
    sqlx::query(&format!("LOCK TABLE {all_tables} IN EXCLUSIVE MODE"))
        .execute(&mut *tx)
        .await
        .context("could not lock the tables (is another write running?)")?;

    let existing: i64 =
        sqlx::query_scalar("SELECT count(*) FROM agencies WHERE starts_with(code, $1)")
            .bind(CODE_PREFIX)
            .fetch_one(&mut *tx)
            .await?;
    if existing > 0 {
        bail!(
            "{existing} generated agencies ({CODE_PREFIX}…) already exist: generate into a \
             fresh database, or delete them first"
        );
    }

    let regions: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM regions ORDER BY position, code")
            .fetch_all(&mut *tx)
            .await?;
    if regions.is_empty() {
        bail!("the regions table is empty: run the migrations first");
    }

    let mut ids = Ids::reserve(&mut tx).await?;
    let mut batch = Batch::default();
    let ministries = write_ministries(options, &mut ids, &mut batch);
    let context = Context {
        options,
        regions: &regions,
        ministries: &ministries,
    };

    for number in 1..=options.agencies {
        write_agency(&context, number, &mut ids, &mut batch, &mut tx).await?;
        progress(GenerateProgress {
            stage: Stage::Agencies,
            agencies_done: number,
            agencies_total: options.agencies,
            rows: batch.generated.iter().sum(),
            elapsed: started.elapsed(),
        });
    }
    batch.flush(&mut tx).await?;

    progress(GenerateProgress {
        stage: Stage::Committing,
        agencies_done: options.agencies,
        agencies_total: options.agencies,
        rows: batch.generated.iter().sum(),
        elapsed: started.elapsed(),
    });
    ids.advance_sequences(&mut tx).await?;
    tx.commit().await?;
    let elapsed = started.elapsed();

    progress(GenerateProgress {
        stage: Stage::Analyzing,
        agencies_done: options.agencies,
        agencies_total: options.agencies,
        rows: batch.generated.iter().sum(),
        elapsed,
    });
    // Benchmarks usually run right after generation; without fresh statistics the
    // planner would still think the tables are empty.
    // activity_state too: the trigger on progress_updates filled it.
    sqlx::query(&format!("ANALYZE {all_tables}, activity_state"))
        .execute(pool)
        .await?;

    // Held sessions are sealed as any held session is, once their data is in.
    crate::dashboard::seal_never_sealed(pool).await?;
    let written = |table: Table| batch.written[table as usize];
    Ok(GenerateReport {
        first_year: options.first_year,
        last_year: options.last_year(),
        agencies: written(Table::Agencies),
        ministries: ministries.len() as u64,
        plans: written(Table::Plans),
        plan_nodes: written(Table::PlanNodes),
        activities: written(Table::Activities),
        progress_updates: written(Table::ProgressUpdates),
        indicators: written(Table::Indicators),
        indicator_values: written(Table::IndicatorValues),
        board_sessions: written(Table::BoardSessions),
        resolutions: written(Table::Resolutions),
        funding_lines: written(Table::FundingLines),
        elapsed,
        analyze_elapsed: started.elapsed() - elapsed,
    })
}

struct Context<'a> {
    options: &'a GenerateOptions,
    /// (code, name), in display order; the first two (national, Bamako) are
    /// weighted more, as most activities happen there.
    regions: &'a [(String, String)],
    /// (id, name) of the parent ministries.
    ministries: &'a [(i64, String)],
}

fn write_ministries(
    options: &GenerateOptions,
    ids: &mut Ids,
    batch: &mut Batch,
) -> Vec<(i64, String)> {
    (1..=options.ministries())
        .map(|number| {
            let id = ids.take(Table::Agencies);
            let name = format!("Ministère synthétique {number:02}");
            batch
                .row(Table::Agencies)
                .int(id)
                .text(&format!("{CODE_PREFIX}MIN-{number:02}"))
                .text(&name)
                .null()
                .end();
            (id, name)
        })
        .collect()
}

/// Writes one agency with all its years, flushing between years when the buffers
/// are full (its plans are written first, so later years' rows never point to
/// an unsent plan).
async fn write_agency(
    context: &Context<'_>,
    number: u32,
    ids: &mut Ids,
    batch: &mut Batch,
    conn: &mut PgConnection,
) -> anyhow::Result<()> {
    let options = context.options;
    let mut rng = Rng::stream(options.seed, u64::from(number), 0);
    let agency_id = ids.take(Table::Agencies);
    let agency_name = format!("Agence synthétique {number:04}");
    let (ministry_id, ministry_name) =
        &context.ministries[(number as usize - 1) % context.ministries.len()];
    batch
        .row(Table::Agencies)
        .int(agency_id)
        .text(&format!("{CODE_PREFIX}{number:04}"))
        .text(&agency_name)
        .int(*ministry_id)
        .end();

    // How well this agency executes its programmes: the share of activities done
    // by the end of a year, so dashboards differ from one agency to the next.
    let done_per_mille = rng.range(450, 820);

    let years: Vec<i32> = (options.first_year..=options.last_year()).collect();
    let plan_ids: Vec<i64> = years.iter().map(|_| ids.take(Table::Plans)).collect();
    for (&year, &plan_id) in years.iter().zip(&plan_ids) {
        let status = match year.cmp(&options.today.year()) {
            std::cmp::Ordering::Less => PlanStatus::Closed,
            std::cmp::Ordering::Equal => PlanStatus::InProgress,
            std::cmp::Ordering::Greater => PlanStatus::Adopted,
        };
        batch
            .row(Table::Plans)
            .int(plan_id)
            .int(agency_id)
            .text(&format!("PAP-{year}"))
            .text(&format!(
                "Projet Annuel de Performance {year} — {agency_name} (illustratif)"
            ))
            .text(PlanKind::Annual.as_str())
            .int(i64::from(year))
            .int(i64::from(year))
            .text(status.as_str())
            .text("{\"Objectif stratégique\",\"Action prioritaire\"}")
            .bool(true)
            .end();
    }

    let mut session_number = 0;
    for (index, (&year, &plan_id)) in years.iter().zip(&plan_ids).enumerate() {
        let calendar = Calendar::new(year, options.today)?;
        let mut rng = Rng::stream(options.seed, u64::from(number), year as u64);
        let plan = PlanContext {
            agency_id,
            plan_id,
            next_plan_id: plan_ids.get(index + 1).copied(),
            ministry_name,
            calendar: &calendar,
            done_per_mille,
        };
        write_plan_year(context, &plan, &mut rng, ids, batch)?;
        write_sessions(&plan, &mut session_number, &mut rng, ids, batch)?;
        if batch.bytes() >= FLUSH_BYTES {
            batch.flush(conn).await?;
        }
    }
    Ok(())
}
