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

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use chrono::{Datelike, Days, Local, NaiveDate, Weekday};
use sqlx::{PgConnection, PgPool};

use crate::domain::{
    Direction, FundingSourceKind, PlanKind, PlanStatus, ResolutionStatus, SessionKind,
    SessionStatus, Status,
};

/// The prefix of every generated agency code; its presence blocks a second run.
pub const CODE_PREFIX: &str = "GEN-";

/// Objectives per plan and priority actions per objective.
const OBJECTIVES: u32 = 2;
const ACTIONS_PER_OBJECTIVE: u32 = 5;
const INDICATORS_PER_PLAN: usize = 5;
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
    let mut tx = pool.begin().await?;

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
    sqlx::query(&format!("ANALYZE {all_tables}"))
        .execute(pool)
        .await?;

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

/// The tables written, in an order where every row's parents come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Agencies,
    Plans,
    PlanNodes,
    Activities,
    ProgressUpdates,
    Indicators,
    IndicatorValues,
    BoardSessions,
    Resolutions,
    FundingLines,
}

const TABLES: [Table; 10] = [
    Table::Agencies,
    Table::Plans,
    Table::PlanNodes,
    Table::Activities,
    Table::ProgressUpdates,
    Table::Indicators,
    Table::IndicatorValues,
    Table::BoardSessions,
    Table::Resolutions,
    Table::FundingLines,
];

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Agencies => "agencies",
            Table::Plans => "plans",
            Table::PlanNodes => "plan_nodes",
            Table::Activities => "activities",
            Table::ProgressUpdates => "progress_updates",
            Table::Indicators => "indicators",
            Table::IndicatorValues => "indicator_values",
            Table::BoardSessions => "board_sessions",
            Table::Resolutions => "resolutions",
            Table::FundingLines => "funding_lines",
        }
    }

    /// The columns each row supplies, in the order the writers below emit them.
    fn columns(self) -> &'static str {
        match self {
            Table::Agencies => "id, code, name, parent_id",
            Table::Plans => {
                "id, agency_id, code, title, kind, start_year, end_year, status, level_names, \
                 illustrative"
            }
            Table::PlanNodes => "id, plan_id, parent_id, depth, position, code, title",
            Table::Activities => {
                "id, plan_id, node_id, position, code, title, target, unit, budget, \
                 responsible_unit, region_code, planned_start, planned_end"
            }
            Table::ProgressUpdates => {
                "id, activity_id, as_of, status, achieved, spent, comment, author, recorded_at"
            }
            Table::Indicators => {
                "id, plan_id, node_id, position, code, title, unit, baseline, baseline_year, \
                 target, target_year, direction"
            }
            Table::IndicatorValues => {
                "id, indicator_id, period_label, period_end, value, recorded_at"
            }
            Table::BoardSessions => {
                "id, agency_id, number, kind, held_on, cutoff, place, chair, reviewed_plan_id, \
                 adopted_plan_id, status, illustrative"
            }
            Table::Resolutions => {
                "id, session_id, position, text, responsible_unit, due_on, status"
            }
            Table::FundingLines => "id, plan_id, position, source, source_kind, planned, mobilised",
        }
    }
}

/// The next id to hand out per table, and where this run started.
struct Ids {
    start: [i64; 10],
    next: [i64; 10],
}

impl Ids {
    /// Starts after both the sequence and the largest id present, because rows
    /// may have been inserted with explicit ids and sequences may have been moved
    /// by rolled-back inserts. Only sound under the table lock taken above.
    async fn reserve(conn: &mut PgConnection) -> anyhow::Result<Ids> {
        let mut start = [0; 10];
        for table in TABLES {
            let name = table.name();
            let sql = format!(
                "SELECT GREATEST(
                     COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{name}', 'id')::regclass), 0),
                     COALESCE((SELECT max(id) FROM {name}), 0)) + 1"
            );
            start[table as usize] = sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&mut *conn)
                .await
                .with_context(|| format!("reading the id sequence of {name}"))?;
        }
        Ok(Ids { start, next: start })
    }

    fn take(&mut self, table: Table) -> i64 {
        let id = self.next[table as usize];
        self.next[table as usize] += 1;
        id
    }

    /// Moves each sequence onto the last id used, so the next ordinary insert
    /// gets the id after it.
    async fn advance_sequences(&self, conn: &mut PgConnection) -> anyhow::Result<()> {
        for table in TABLES {
            let i = table as usize;
            if self.next[i] == self.start[i] {
                continue;
            }
            let name = table.name();
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'id'), $1)"
            ))
            .bind(self.next[i] - 1)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("moving the id sequence of {name}"))?;
        }
        Ok(())
    }
}

/// COPY text-format rows waiting to be sent, per table.
#[derive(Default)]
struct Batch {
    buffers: [Vec<u8>; 10],
    /// Rows generated so far, per table.
    generated: [u64; 10],
    /// Rows PostgreSQL acknowledged, per table.
    written: [u64; 10],
}

impl Batch {
    fn row(&mut self, table: Table) -> Row<'_> {
        self.generated[table as usize] += 1;
        Row {
            buffer: &mut self.buffers[table as usize],
            first: true,
        }
    }

    fn bytes(&self) -> usize {
        self.buffers.iter().map(Vec::len).sum()
    }

    /// Sends every buffered table, parents first so that foreign keys hold at the
    /// end of each COPY statement.
    async fn flush(&mut self, conn: &mut PgConnection) -> anyhow::Result<()> {
        for table in TABLES {
            let i = table as usize;
            if self.buffers[i].is_empty() {
                continue;
            }
            let statement = format!(
                "COPY {} ({}) FROM STDIN (FORMAT text)",
                table.name(),
                table.columns()
            );
            let mut copy = conn.copy_in_raw(&statement).await?;
            // Dropping `copy` on error aborts the COPY; the transaction then rolls back.
            copy.send(self.buffers[i].as_slice()).await?;
            self.written[i] += copy
                .finish()
                .await
                .with_context(|| format!("copying into {}", table.name()))?;
            self.buffers[i].clear();
        }
        Ok(())
    }
}

/// One row in COPY text format: fields separated by tabs, `\N` for NULL.
struct Row<'a> {
    buffer: &'a mut Vec<u8>,
    first: bool,
}

impl Row<'_> {
    fn field(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.buffer.push(b'\t');
        }
        self.first = false;
        self.buffer
    }

    fn int(mut self, value: i64) -> Self {
        push_int(self.field(), value);
        self
    }

    fn opt_int(self, value: Option<i64>) -> Self {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    fn null(mut self) -> Self {
        self.field().extend_from_slice(b"\\N");
        self
    }

    fn text(mut self, value: &str) -> Self {
        push_escaped(self.field(), value);
        self
    }

    fn opt_text(self, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    fn bool(mut self, value: bool) -> Self {
        self.field().push(if value { b't' } else { b'f' });
        self
    }

    fn date(mut self, value: NaiveDate) -> Self {
        push_date(self.field(), value);
        self
    }

    /// A UTC timestamp on `date` at `hour`:00.
    fn timestamp(mut self, date: NaiveDate, hour: u32) -> Self {
        let buffer = self.field();
        push_date(buffer, date);
        buffer.push(b' ');
        push_padded(buffer, u64::from(hour), 2);
        buffer.extend_from_slice(b":00:00+00");
        self
    }

    /// A NUMERIC(18, 3) quantity held as thousandths.
    fn quantity(mut self, thousandths: i64) -> Self {
        let buffer = self.field();
        if thousandths < 0 {
            buffer.push(b'-');
        }
        let magnitude = thousandths.unsigned_abs();
        push_u64(buffer, magnitude / 1000);
        if !magnitude.is_multiple_of(1000) {
            buffer.push(b'.');
            push_padded(buffer, magnitude % 1000, 3);
        }
        self
    }

    fn opt_quantity(self, thousandths: Option<i64>) -> Self {
        match thousandths {
            Some(value) => self.quantity(value),
            None => self.null(),
        }
    }

    fn end(self) {
        self.buffer.push(b'\n');
    }
}

fn push_u64(buffer: &mut Vec<u8>, value: u64) {
    push_padded(buffer, value, 0);
}

fn push_int(buffer: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buffer.push(b'-');
    }
    push_u64(buffer, value.unsigned_abs());
}

/// `value` left-padded with zeros to `width` digits, without allocating: this
/// runs several times per row.
fn push_padded(buffer: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    let start = at.min(digits.len().saturating_sub(width));
    buffer.extend_from_slice(&digits[start..]);
}

fn push_date(buffer: &mut Vec<u8>, date: NaiveDate) {
    push_padded(buffer, date.year().unsigned_abs().into(), 4);
    buffer.push(b'-');
    push_padded(buffer, date.month().into(), 2);
    buffer.push(b'-');
    push_padded(buffer, date.day().into(), 2);
}

/// Escapes what COPY text format gives a meaning to: backslash, tab, newline, CR.
fn push_escaped(buffer: &mut Vec<u8>, value: &str) {
    for &byte in value.as_bytes() {
        match byte {
            b'\\' => buffer.extend_from_slice(b"\\\\"),
            b'\t' => buffer.extend_from_slice(b"\\t"),
            b'\n' => buffer.extend_from_slice(b"\\n"),
            b'\r' => buffer.extend_from_slice(b"\\r"),
            _ => buffer.push(byte),
        }
    }
}

/// SplitMix64: tiny and statistically sound for synthetic data; no crate needed.
struct Rng(u64);

impl Rng {
    /// An independent stream for one (seed, a, b), e.g. one agency-year.
    fn stream(seed: u64, a: u64, b: u64) -> Rng {
        Rng(mix(seed
            ^ mix(a ^ 0x243F_6A88_85A3_08D3).rotate_left(21)
            ^ mix(b ^ 0x1319_8A2E_0370_7344)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by multiply-shift: bias is negligible.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    fn chance(&mut self, per_mille: i64) -> bool {
        (self.below(1000) as i64) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `count` distinct indexes below `len` (all of them if fewer), in random
    /// order: a partial Fisher-Yates shuffle.
    fn distinct(&mut self, len: usize, count: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..len).collect();
        let count = count.min(len);
        for i in 0..count {
            let j = i + self.below((len - i) as u64) as usize;
            order.swap(i, j);
        }
        order.truncate(count);
        order
    }

    fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len() as u64) as usize]
    }
}

/// The SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `value` rounded to the nearest multiple of `step`.
fn round_to(value: i64, step: i64) -> i64 {
    (value + step / 2) / step * step
}

/// `value × per_mille / 1000`, without overflow for our magnitudes.
fn per_mille(value: i64, per_mille: i64) -> i64 {
    (i128::from(value) * i128::from(per_mille) / 1000) as i64
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

/// Day arithmetic within one year, as offsets from 1 January.
struct Calendar {
    year: i32,
    first_day: NaiveDate,
    days: u32,
    /// The last day (offset) on which something may be recorded: the end of the
    /// year, or `today` if earlier; `None` for a year that has not started.
    recorded_until: Option<u32>,
    today: NaiveDate,
}

impl Calendar {
    fn new(year: i32, today: NaiveDate) -> anyhow::Result<Calendar> {
        let first_day = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).context("year out of range")?;
        let days = (next - first_day).num_days() as u32;
        let elapsed = (today - first_day).num_days();
        let recorded_until = (elapsed >= 0).then(|| elapsed.min(i64::from(days) - 1) as u32);
        Ok(Calendar {
            year,
            first_day,
            days,
            recorded_until,
            today,
        })
    }

    fn date(&self, offset: u32) -> NaiveDate {
        self.first_day + Days::new(u64::from(offset))
    }

    fn last(&self) -> u32 {
        self.days - 1
    }

    /// Share of the year already past, in thousandths.
    fn elapsed_per_mille(&self) -> i64 {
        self.recorded_until.map_or(0, |until| {
            i64::from(until + 1) * 1000 / i64::from(self.days)
        })
    }

    fn ymd(&self, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, month, day).context("invalid date")
    }
}

struct PlanContext<'a> {
    agency_id: i64,
    plan_id: i64,
    /// Adopted at this year's December session.
    next_plan_id: Option<i64>,
    ministry_name: &'a str,
    calendar: &'a Calendar,
    done_per_mille: i64,
}

/// What an activity ends the year as (or is at `today`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    NotStarted,
    InProgress,
    Done,
    Postponed,
    Abandoned,
}

impl Fate {
    fn status(self) -> Status {
        match self {
            Fate::NotStarted => Status::NotStarted,
            Fate::InProgress => Status::InProgress,
            Fate::Done => Status::Done,
            Fate::Postponed => Status::Postponed,
            Fate::Abandoned => Status::Abandoned,
        }
    }
}

fn write_plan_year(
    context: &Context<'_>,
    plan: &PlanContext<'_>,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    // The tree: objectives, each with its priority actions.
    // Titles differ within a plan (there are at least as many as nodes).
    let objective_titles = rng.distinct(OBJECTIVE_TITLES.len(), OBJECTIVES as usize);
    let action_titles = rng.distinct(
        ACTION_TITLES.len(),
        (OBJECTIVES * ACTIONS_PER_OBJECTIVE) as usize,
    );
    let mut objective_ids = Vec::with_capacity(OBJECTIVES as usize);
    let mut action_nodes = Vec::with_capacity((OBJECTIVES * ACTIONS_PER_OBJECTIVE) as usize);
    for objective in 1..=OBJECTIVES {
        let objective_id = ids.take(Table::PlanNodes);
        objective_ids.push(objective_id);
        batch
            .row(Table::PlanNodes)
            .int(objective_id)
            .int(plan.plan_id)
            .null()
            .int(0)
            .int(i64::from(objective - 1))
            .text(&format!("OS{objective}"))
            .text(
                OBJECTIVE_TITLES
                    [objective_titles[(objective - 1) as usize % objective_titles.len()]],
            )
            .end();
        for action in 1..=ACTIONS_PER_OBJECTIVE {
            let action_id = ids.take(Table::PlanNodes);
            let title = ACTION_TITLES[action_titles[action_nodes.len() % action_titles.len()]];
            action_nodes.push((action_id, objective, action));
            batch
                .row(Table::PlanNodes)
                .int(action_id)
                .int(plan.plan_id)
                .int(objective_id)
                .int(1)
                .int(i64::from(action - 1))
                .text(&format!("AP{objective}.{action}"))
                .text(title)
                .end();
        }
    }

    let mut total_budget = 0i64;
    for position in 0..context.options.activities {
        // Round robin keeps the priority actions evenly filled.
        let (node_id, objective, action) = action_nodes[position as usize % action_nodes.len()];
        let rank = position / (OBJECTIVES * ACTIONS_PER_OBJECTIVE) + 1;
        total_budget += write_activity(
            context,
            plan,
            rng,
            ids,
            batch,
            ActivitySlot {
                node_id,
                position,
                code: format!("A{objective}.{action}.{rank:02}"),
            },
        );
    }

    write_indicators(plan, &objective_ids, rng, ids, batch)?;
    write_funding(plan, total_budget, rng, ids, batch);
    Ok(())
}

struct ActivitySlot {
    node_id: i64,
    position: u32,
    code: String,
}

/// Writes one activity and its updates; returns its budget.
fn write_activity(
    context: &Context<'_>,
    plan: &PlanContext<'_>,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
    slot: ActivitySlot,
) -> i64 {
    let calendar = plan.calendar;
    let kind = rng.pick(ACTIVITY_KINDS);
    let regions = context.regions;
    let region = match rng.below(100) {
        0..=24 => &regions[0],
        25..=44 if regions.len() > 1 => &regions[1],
        _ => rng.pick(regions),
    };
    let title = if region.0 == regions[0].0 {
        kind.title.to_owned()
    } else {
        format!("{} ({})", kind.title, region.1)
    };
    // A few activities have no quantified target ("—" on dashboards).
    let target = (!rng.chance(30)).then(|| {
        let whole = rng.range(kind.min, kind.max) * 1000;
        if kind.step < 1000 && kind.max > kind.min {
            whole + rng.below((1000 / kind.step) as u64) as i64 * kind.step
        } else {
            whole
        }
    });
    // Skewed towards small amounts, as most activities are.
    let budget = 50_000 * rng.range(1, 60) * rng.range(1, 50);

    let last = calendar.last();
    let planned_start = rng.below(240) as u32;
    let planned_end = planned_start + 20 + rng.below(u64::from(last - planned_start - 20)) as u32;

    let activity_id = ids.take(Table::Activities);
    batch
        .row(Table::Activities)
        .int(activity_id)
        .int(plan.plan_id)
        .int(slot.node_id)
        .int(i64::from(slot.position))
        .text(&slot.code)
        .text(&title)
        .opt_quantity(target)
        .text(kind.unit)
        .int(budget)
        .text(rng.word(UNITS))
        .text(&region.0)
        .date(calendar.date(planned_start))
        .date(calendar.date(planned_end))
        .end();

    let Some(until) = calendar.recorded_until else {
        // Nothing can be recorded for a year that has not started.
        return budget;
    };

    let rest = 1000 - plan.done_per_mille;
    let draw = rng.below(1000) as i64;
    let mut fate = if draw < plan.done_per_mille {
        Fate::Done
    } else if draw < plan.done_per_mille + rest / 2 {
        Fate::InProgress
    } else if draw < plan.done_per_mille + rest * 7 / 10 {
        Fate::Postponed
    } else if draw < plan.done_per_mille + rest * 9 / 10 {
        Fate::NotStarted
    } else {
        Fate::Abandoned
    };

    let first = (planned_start + rng.below(30) as u32).min(last);
    let finish = (i64::from(planned_end) + rng.range(-30, 40))
        .clamp(i64::from(first), i64::from(last)) as u32;
    // What has not happened by `today` has not happened yet.
    if matches!(fate, Fate::Done | Fate::Postponed | Fate::Abandoned) && finish > until {
        fate = Fate::InProgress;
    }
    if fate == Fate::InProgress && first > until {
        fate = Fate::NotStarted;
    }

    // Final achievement in thousandths of the target, and spending in thousandths
    // of the budget.
    let (achieved_per_mille, spent_per_mille) = match fate {
        Fate::NotStarted => (0, 0),
        Fate::InProgress => {
            let share = rng.range(100, 900);
            (share, per_mille(share, rng.range(800, 1100)))
        }
        Fate::Done => {
            let share = match rng.below(10) {
                // About three in ten done activities beat their target.
                0..=2 => rng.range(1010, 1600),
                3 => rng.range(800, 990),
                _ => 1000,
            };
            (share, rng.range(850, 1050))
        }
        Fate::Postponed => {
            let share = rng.range(0, 400);
            (share, per_mille(share, rng.range(600, 1000)))
        }
        Fate::Abandoned => {
            let share = rng.range(0, 300);
            (share, per_mille(share, rng.range(600, 1000)))
        }
    };
    let final_achieved =
        target.map(|target| round_to(per_mille(target, achieved_per_mille), kind.step));
    let final_spent = round_to(per_mille(budget, spent_per_mille), 1000);

    // Dates of the updates, strictly increasing, all within [first, last_update].
    let last_update = match fate {
        // The last report of the year (or before `today`) says it has not started.
        Fate::NotStarted => until.saturating_sub(rng.below(60) as u32),
        Fate::InProgress => until.saturating_sub(rng.below(60) as u32).max(first),
        _ => finish,
    };
    let first = first.min(last_update);
    let wanted = if fate == Fate::NotStarted {
        1
    } else {
        1 + rng.below(4) as usize
    };
    let mut dates = Vec::with_capacity(wanted);
    if wanted > 1 && last_update > first {
        dates.push(first);
        for _ in 2..wanted {
            let gap = u64::from(last_update - first - 1);
            if gap > 0 {
                dates.push(first + 1 + rng.below(gap) as u32);
            }
        }
    }
    dates.push(last_update);
    dates.sort_unstable();
    dates.dedup();

    // One focal point follows an activity through the year.
    let author = rng.word(AUTHORS);
    let count = dates.len() as i64;
    for (index, &day) in dates.iter().enumerate() {
        let is_last = index + 1 == dates.len();
        let step = index as i64 + 1;
        let (status, achieved, spent) = if is_last {
            (fate.status(), final_achieved, final_spent)
        } else {
            (
                Status::InProgress,
                final_achieved.map(|value| round_to(value * step / count, kind.step)),
                round_to(final_spent * step / count, 1000),
            )
        };
        let comment = if is_last {
            fate_comment(fate, target, achieved, rng)
        } else {
            None
        };
        let as_of = calendar.date(day);
        batch
            .row(Table::ProgressUpdates)
            .int(ids.take(Table::ProgressUpdates))
            .int(activity_id)
            .date(as_of)
            .text(status.as_str())
            .opt_quantity(achieved)
            .int(spent)
            .opt_text(comment)
            .text(author)
            .timestamp(as_of, 17)
            .end();
    }
    budget
}

fn fate_comment(
    fate: Fate,
    target: Option<i64>,
    achieved: Option<i64>,
    rng: &mut Rng,
) -> Option<&'static str> {
    match fate {
        Fate::Postponed => Some(rng.word(&[
            "Reportée faute de financement",
            "Reportée à l'exercice suivant",
            "Reportée en raison de la situation sécuritaire",
        ])),
        Fate::Abandoned => Some(rng.word(&[
            "Abandonnée : activité reprise par un partenaire",
            "Abandonnée après arbitrage budgétaire",
        ])),
        Fate::Done if achieved > target => Some("Cible dépassée grâce à l'appui des partenaires"),
        _ if rng.chance(150) => Some(rng.word(&[
            "RAS",
            "Données provisoires",
            "En attente des pièces justificatives",
        ])),
        _ => None,
    }
}

fn write_indicators(
    plan: &PlanContext<'_>,
    objective_ids: &[i64],
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    let calendar = plan.calendar;
    let year = i64::from(calendar.year);
    let chosen = rng.distinct(INDICATOR_KINDS.len(), INDICATORS_PER_PLAN);
    for (position, &kind_index) in chosen.iter().enumerate() {
        let kind = &INDICATOR_KINDS[kind_index];
        let indicator_id = ids.take(Table::Indicators);
        let baseline = round_to(
            rng.range(kind.baseline.0, kind.baseline.1) * 1000,
            kind.step,
        );
        let change = per_mille(baseline, rng.range(kind.change.0, kind.change.1));
        let target = match kind.direction {
            Direction::Increase => baseline + change,
            Direction::Decrease => baseline - change,
        };
        let target = round_to(target.clamp(0, kind.ceiling * 1000), kind.step);
        batch
            .row(Table::Indicators)
            .int(indicator_id)
            .int(plan.plan_id)
            .int(objective_ids[position % objective_ids.len()])
            .int(position as i64)
            .text(&format!("IND-{}", position + 1))
            .text(kind.title)
            .text(kind.unit)
            .quantity(baseline)
            .int(year - 1)
            .quantity(target)
            .int(year)
            .text(kind.direction.as_str())
            .end();

        // Quarterly values drift from the baseline towards the target, some
        // indicators faster than planned, some slower, with noise.
        let pace = rng.range(600, 1200);
        let spread = (target - baseline).abs().max(kind.step);
        for quarter in 1..=4u32 {
            let end = quarter_end(calendar, quarter)?;
            if end > calendar.today {
                break;
            }
            let planned = baseline + (target - baseline) * i64::from(quarter) / 4;
            let value = baseline
                + per_mille(planned - baseline, pace)
                + per_mille(spread, rng.range(-60, 60));
            let value = round_to(value.clamp(0, kind.ceiling * 1000), kind.step);
            let recorded = (end + Days::new(15)).min(calendar.today);
            batch
                .row(Table::IndicatorValues)
                .int(ids.take(Table::IndicatorValues))
                .int(indicator_id)
                .text(&format!("T{quarter} {}", calendar.year))
                .date(end)
                .quantity(value)
                .timestamp(recorded, 10)
                .end();
        }
    }
    Ok(())
}

fn quarter_end(calendar: &Calendar, quarter: u32) -> anyhow::Result<NaiveDate> {
    match quarter {
        1 => calendar.ymd(3, 31),
        2 => calendar.ymd(6, 30),
        3 => calendar.ymd(9, 30),
        _ => calendar.ymd(12, 31),
    }
}

fn write_funding(
    plan: &PlanContext<'_>,
    total_budget: i64,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) {
    // The three sources share the activities' budget exactly.
    let state_share = rng.range(500, 700);
    let partner_share = rng.range(150, 950 - state_share);
    let state = round_to(per_mille(total_budget, state_share), 1000).min(total_budget);
    let partner = round_to(per_mille(total_budget, partner_share), 1000).min(total_budget - state);
    let own = total_budget - state - partner;
    let elapsed = plan.calendar.elapsed_per_mille();
    let lines = [
        ("Budget national", FundingSourceKind::State, state),
        (rng.word(PARTNERS), FundingSourceKind::Partner, partner),
        ("Ressources propres", FundingSourceKind::Own, own),
    ];
    for (position, (source, kind, planned)) in lines.into_iter().enumerate() {
        let mobilised = round_to(
            per_mille(per_mille(planned, elapsed), rng.range(600, 1000)),
            1000,
        );
        batch
            .row(Table::FundingLines)
            .int(ids.take(Table::FundingLines))
            .int(plan.plan_id)
            .int(position as i64)
            .text(source)
            .text(kind.as_str())
            .int(planned)
            .int(mobilised)
            .end();
    }
}

/// Two ordinary sessions a year: a mid-year review in late June and the
/// year-end session in December that reviews the year and adopts the next plan.
fn write_sessions(
    plan: &PlanContext<'_>,
    session_number: &mut i64,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    let calendar = plan.calendar;
    for (month, first_day, adopted) in [(6, 20, None), (12, 15, plan.next_plan_id)] {
        *session_number += 1;
        let day = first_day + rng.below(9) as u32;
        let held_on = weekday_on_or_before(calendar.ymd(month, day)?);
        // As in the ANASER example (held 26 December, figures at 30 November):
        // the figures stop at the end of the previous month.
        let cutoff = calendar
            .ymd(month, 1)?
            .pred_opt()
            .context("invalid cutoff date")?;
        let held = held_on <= calendar.today;
        let status = if held {
            SessionStatus::Held
        } else {
            SessionStatus::Planned
        };
        let session_id = ids.take(Table::BoardSessions);
        let chair = if rng.chance(700) {
            format!("Ministre de tutelle ({})", plan.ministry_name)
        } else {
            "Président du Conseil d'administration".to_owned()
        };
        batch
            .row(Table::BoardSessions)
            .int(session_id)
            .int(plan.agency_id)
            .int(*session_number)
            .text(SessionKind::Ordinary.as_str())
            .date(held_on)
            .date(cutoff)
            .text("Salle de conférence du siège, Bamako")
            .text(&chair)
            .int(plan.plan_id)
            .opt_int(adopted)
            .text(status.as_str())
            .bool(true)
            .end();
        if !held {
            // A board decides nothing before it meets.
            continue;
        }
        let count = rng.range(2, 3) as usize;
        for (position, text) in rng
            .distinct(RESOLUTIONS.len(), count)
            .into_iter()
            .enumerate()
        {
            let due_on = held_on + Days::new(60 + rng.below(120));
            let status = if due_on <= calendar.today {
                match rng.below(20) {
                    0..=13 => ResolutionStatus::Done,
                    14..=16 => ResolutionStatus::InProgress,
                    17 => ResolutionStatus::Dropped,
                    _ => ResolutionStatus::Pending,
                }
            } else if rng.chance(500) {
                ResolutionStatus::InProgress
            } else {
                ResolutionStatus::Pending
            };
            batch
                .row(Table::Resolutions)
                .int(ids.take(Table::Resolutions))
                .int(session_id)
                .int(position as i64)
                .text(RESOLUTIONS[text])
                .text(rng.word(UNITS))
                .date(due_on)
                .text(status.as_str())
                .end();
        }
    }
    Ok(())
}

/// Boards meet on working days: a weekend date moves back to the Friday.
fn weekday_on_or_before(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Days::new(1),
        Weekday::Sun => date - Days::new(2),
        _ => date,
    }
}

struct ActivityKind {
    title: &'static str,
    unit: &'static str,
    /// Target range in whole units.
    min: i64,
    max: i64,
    /// Granularity of quantities in thousandths: 1000 for counts, 100 for km.
    step: i64,
}

const fn kind(
    title: &'static str,
    unit: &'static str,
    min: i64,
    max: i64,
    step: i64,
) -> ActivityKind {
    ActivityKind {
        title,
        unit,
        min,
        max,
        step,
    }
}

const ACTIVITY_KINDS: &[ActivityKind] = &[
    kind(
        "Organiser des séances de sensibilisation sur la sécurité routière",
        "séances",
        5,
        60,
        1000,
    ),
    kind(
        "Former les agents des services techniques",
        "agents formés",
        10,
        200,
        1000,
    ),
    kind(
        "Réaliser des missions de supervision",
        "missions",
        2,
        24,
        1000,
    ),
    kind(
        "Élaborer le rapport annuel de performance",
        "rapport",
        1,
        1,
        1000,
    ),
    kind(
        "Tenir les réunions du comité de pilotage",
        "réunions",
        2,
        12,
        1000,
    ),
    kind(
        "Acquérir du matériel informatique",
        "ordinateurs",
        5,
        80,
        1000,
    ),
    kind("Réhabiliter des pistes et voiries", "km", 3, 120, 100),
    kind(
        "Conduire des campagnes de contrôle routier",
        "contrôles",
        50,
        2000,
        1000,
    ),
    kind(
        "Organiser des ateliers régionaux de validation",
        "ateliers",
        1,
        8,
        1000,
    ),
    kind(
        "Produire et diffuser des spots radio en langues nationales",
        "spots",
        10,
        300,
        1000,
    ),
    kind(
        "Mettre à jour la base de données statistique",
        "mises à jour",
        1,
        12,
        1000,
    ),
    kind(
        "Recruter du personnel technique",
        "agents recrutés",
        1,
        20,
        1000,
    ),
    kind(
        "Faire auditer les comptes de l'exercice",
        "audit",
        1,
        1,
        1000,
    ),
    kind(
        "Installer des panneaux de signalisation",
        "panneaux",
        20,
        500,
        1000,
    ),
    kind(
        "Numériser les archives administratives",
        "%",
        100,
        100,
        1000,
    ),
    kind(
        "Interconnecter les plateformes numériques de l'administration",
        "plateformes",
        1,
        20,
        1000,
    ),
];

const OBJECTIVE_TITLES: &[&str] = &[
    "Améliorer la sécurité du transport routier",
    "Réduire le nombre de personnes tuées ou gravement blessées",
    "Renforcer la gouvernance et la redevabilité",
    "Renforcer les capacités institutionnelles",
    "Moderniser l'administration par le numérique",
    "Améliorer la qualité des services rendus aux usagers",
];

const ACTION_TITLES: &[&str] = &[
    "Sensibilisation et communication",
    "Contrôle et sanction",
    "Formation et renforcement des capacités",
    "Infrastructures et équipements",
    "Suivi-évaluation et statistiques",
    "Gestion des ressources humaines",
    "Mobilisation des ressources financières",
    "Transformation numérique",
    "Partenariats et coopération",
    "Décentralisation et ancrage régional",
];

const UNITS: &[&str] = &[
    "Direction administrative et financière",
    "Cellule de suivi-évaluation",
    "Département des études et de la planification",
    "Département de la communication",
    "Direction des opérations",
    "Services régionaux",
];

const AUTHORS: &[&str] = &[
    "Point focal DAF",
    "Point focal DEP",
    "Point focal communication",
    "Point focal opérations",
    "Cellule de suivi-évaluation",
];

const PARTNERS: &[&str] = &[
    "PNUD",
    "Banque mondiale",
    "Union européenne",
    "Banque africaine de développement",
    "Coopération suisse",
    "Agence française de développement",
];

const RESOLUTIONS: &[&str] = &[
    "Accélérer l'exécution des activités en retard",
    "Renforcer la mobilisation des ressources auprès des partenaires",
    "Transmettre le rapport d'exécution au ministère de tutelle",
    "Mettre en place un dispositif de suivi des recommandations",
    "Améliorer la qualité des données de suivi-évaluation",
    "Finaliser le plan de développement des ressources humaines",
    "Présenter un point sur la situation des régions à la prochaine session",
    "Sécuriser les données et assurer la traçabilité des opérations",
];

struct IndicatorKind {
    title: &'static str,
    unit: &'static str,
    direction: Direction,
    /// Baseline range in whole units.
    baseline: (i64, i64),
    /// Planned change, in thousandths of the baseline.
    change: (i64, i64),
    /// Largest meaningful value in whole units (100 for percentages).
    ceiling: i64,
    step: i64,
}

const INDICATOR_KINDS: &[IndicatorKind] = &[
    IndicatorKind {
        title: "Nombre de personnes tuées dans les accidents de la route",
        unit: "personnes",
        direction: Direction::Decrease,
        baseline: (300, 900),
        change: (50, 150),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Nombre de blessés graves",
        unit: "personnes",
        direction: Direction::Decrease,
        baseline: (1000, 5000),
        change: (50, 150),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Taux d'exécution physique du programme",
        unit: "%",
        direction: Direction::Increase,
        baseline: (45, 75),
        change: (100, 300),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Taux d'exécution financière",
        unit: "%",
        direction: Direction::Increase,
        baseline: (40, 75),
        change: (100, 300),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Taux de mobilisation des ressources",
        unit: "%",
        direction: Direction::Increase,
        baseline: (50, 80),
        change: (50, 200),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre d'agents formés",
        unit: "agents",
        direction: Direction::Increase,
        baseline: (50, 400),
        change: (100, 500),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Délai moyen de traitement des dossiers",
        unit: "jours",
        direction: Direction::Decrease,
        baseline: (10, 60),
        change: (100, 400),
        ceiling: 1000,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre de plateformes numériques interconnectées",
        unit: "plateformes",
        direction: Direction::Increase,
        baseline: (2, 20),
        change: (200, 1000),
        ceiling: 1000,
        step: 1000,
    },
    IndicatorKind {
        title: "Taux de satisfaction des usagers",
        unit: "%",
        direction: Direction::Increase,
        baseline: (40, 80),
        change: (50, 200),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre de contrôles routiers effectués",
        unit: "contrôles",
        direction: Direction::Increase,
        baseline: (1000, 20000),
        change: (50, 300),
        ceiling: 10_000_000,
        step: 1000,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::postgres::PgPoolOptions;

    fn small() -> GenerateOptions {
        GenerateOptions {
            agencies: 3,
            activities: 20,
            years: 2,
            first_year: 2024,
            seed: 7,
            // Mid-December: the December 2025 sessions are still planned.
            today: NaiveDate::from_ymd_opt(2025, 12, 10).unwrap(),
        }
    }

    async fn count(pool: &PgPool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    }

    /// Figures that any difference in the generated rows would change.
    async fn fingerprint(pool: &PgPool) -> Vec<String> {
        let queries = [
            "SELECT count(*)::text FROM activities a
             WHERE (SELECT status FROM progress_updates p WHERE p.activity_id = a.id
                    ORDER BY as_of DESC, id DESC LIMIT 1) = 'done'",
            "SELECT sum(budget)::text FROM activities",
            "SELECT md5(string_agg(concat_ws('|', id, plan_id, node_id, code, title, target,
                 unit, budget, responsible_unit, region_code, planned_start, planned_end),
                 ',' ORDER BY id)) FROM activities",
            "SELECT md5(string_agg(concat_ws('|', id, activity_id, as_of, status, achieved,
                 spent, comment, author, recorded_at), ',' ORDER BY id)) FROM progress_updates",
            "SELECT md5(string_agg(concat_ws('|', id, indicator_id, period_end, value),
                 ',' ORDER BY id)) FROM indicator_values",
            "SELECT md5(string_agg(concat_ws('|', r.id, r.text, r.due_on, r.status, s.held_on),
                 ',' ORDER BY r.id)) FROM resolutions r JOIN board_sessions s ON s.id = r.session_id",
        ];
        let mut figures = Vec::new();
        for sql in queries {
            figures.push(sqlx::query_scalar(sql).fetch_one(pool).await.unwrap());
        }
        figures
    }

    #[sqlx::test]
    async fn generates_a_consistent_small_set(pool: PgPool) {
        let options = small();
        let mut lines = Vec::new();
        let report = generate(&pool, &options, &mut |p| lines.push(p.to_string()))
            .await
            .unwrap();
        assert_eq!(lines.len(), 3 + 2);
        assert!(lines[0].starts_with("agences 1/3 (33 %)"), "{}", lines[0]);

        // Exact counts: 3 agencies + 1 ministry; per agency-year one plan with
        // 2 + 10 nodes, 20 activities, 5 indicators, 2 sessions, 3 funding lines.
        assert_eq!(report.agencies, 4);
        assert_eq!(report.ministries, 1);
        assert_eq!(report.plans, 6);
        assert_eq!(report.plan_nodes, 72);
        assert_eq!(report.activities, 120);
        assert_eq!(report.indicators, 30);
        assert_eq!(report.board_sessions, 12);
        assert_eq!(report.funding_lines, 18);
        // Quarters up to 10 December 2025: 4 + 3 per indicator.
        assert_eq!(report.indicator_values, 15 * 4 + 15 * 3);
        assert_eq!(count(&pool, "SELECT count(*) FROM agencies").await, 4);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM plans WHERE illustrative").await,
            6
        );
        assert_eq!(count(&pool, "SELECT count(*) FROM activities").await, 120);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM board_sessions").await,
            12
        );
        assert_eq!(
            count(&pool, "SELECT count(*) FROM progress_updates").await,
            report.progress_updates as i64
        );
        assert!(report.progress_updates >= 120 && report.progress_updates <= 480);

        // Every activity has at least one update, dated within its year and not
        // after `today`.
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM activities a WHERE NOT EXISTS
                 (SELECT 1 FROM progress_updates p WHERE p.activity_id = a.id)"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM progress_updates p
                 JOIN activities a ON a.id = p.activity_id JOIN plans l ON l.id = a.plan_id
                 WHERE extract(year FROM p.as_of) <> l.start_year OR p.as_of > '2025-12-10'"
            )
            .await,
            0
        );

        // Foreign keys point where they should.
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM plans p JOIN agencies a ON a.id = p.agency_id
                 WHERE a.code NOT LIKE 'GEN-0%' OR a.parent_id IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM activities a JOIN plan_nodes n ON n.id = a.node_id
                 WHERE n.plan_id <> a.plan_id OR n.depth <> 1"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM plan_nodes c JOIN plan_nodes p ON p.id = c.parent_id
                 WHERE p.plan_id <> c.plan_id"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM board_sessions s
                 JOIN plans r ON r.id = s.reviewed_plan_id
                 LEFT JOIN plans d ON d.id = s.adopted_plan_id
                 WHERE r.agency_id <> s.agency_id OR d.agency_id <> s.agency_id
                    OR r.start_year <> extract(year FROM s.held_on)"
            )
            .await,
            0
        );
        // Sessions are numbered 1…4 per agency; past ones are held, with resolutions.
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM (SELECT agency_id FROM board_sessions
                 GROUP BY agency_id HAVING array_agg(number ORDER BY held_on) = '{1,2,3,4}') x"
            )
            .await,
            3
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM board_sessions WHERE status = 'planned'"
            )
            .await,
            3
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM board_sessions s WHERE status = 'held' AND
                 (SELECT count(*) FROM resolutions r WHERE r.session_id = s.id) NOT IN (2, 3)"
            )
            .await,
            0
        );
        // Funding lines add up to the plan's activity budget.
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM plans p WHERE
                 (SELECT sum(planned) FROM funding_lines f WHERE f.plan_id = p.id)
                 <> (SELECT sum(budget) FROM activities a WHERE a.plan_id = p.id)"
            )
            .await,
            0
        );
        // Some done activities beat their target, as in the ANASER report.
        assert!(
            count(
                &pool,
                "SELECT count(*) FROM progress_updates p JOIN activities a ON a.id = p.activity_id
                 WHERE p.status = 'done' AND p.achieved > a.target"
            )
            .await
                > 0
        );

        // The sequences moved past the generated ids: ordinary inserts work.
        let agency: i64 = sqlx::query_scalar(
            "INSERT INTO agencies (code, name) VALUES ('APRES', 'Après génération') RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(agency, 5);
        let plan: i64 = sqlx::query_scalar(
            "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names)
             VALUES ($1, 'PAP-2026', 'PAP 2026', 'annual', 2026, 2026, '{Action}') RETURNING id",
        )
        .bind(agency)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(plan, 7);
        let node: i64 = sqlx::query_scalar(
            "INSERT INTO plan_nodes (plan_id, depth, code, title) VALUES ($1, 0, 'A', 'A')
             RETURNING id",
        )
        .bind(plan)
        .fetch_one(&pool)
        .await
        .unwrap();
        let activity: i64 = sqlx::query_scalar(
            "INSERT INTO activities (plan_id, node_id, code, title) VALUES ($1, $2, 'X', 'X')
             RETURNING id",
        )
        .bind(plan)
        .bind(node)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(activity, 121);
        let update: i64 = sqlx::query_scalar(
            "INSERT INTO progress_updates (activity_id, as_of, status, author)
             VALUES ($1, '2026-01-05', 'in_progress', 'test') RETURNING id",
        )
        .bind(activity)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(update, report.progress_updates as i64 + 1);

        // A second run refuses rather than mixing two data sets.
        let error = generate(&pool, &options, &mut |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("GEN-"), "{error}");
        assert_eq!(count(&pool, "SELECT count(*) FROM activities").await, 121);
    }

    #[sqlx::test]
    async fn same_seed_same_data_in_a_fresh_database(pool: PgPool) {
        let options = small();
        generate(&pool, &options, &mut |_| {}).await.unwrap();
        let first = fingerprint(&pool).await;

        // A second fresh database on the same server, migrated the same way.
        let name = format!("suivi_generate_twin_{}", std::process::id());
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        let twin = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(pool.connect_options().as_ref().clone().database(&name))
            .await
            .unwrap();
        sqlx::migrate!().run(&twin).await.unwrap();
        generate(&twin, &options, &mut |_| {}).await.unwrap();
        let second = fingerprint(&twin).await;
        twin.close().await;
        // The server may not have ended the closed connections yet.
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&pool)
            .await
            .unwrap();

        assert_eq!(first, second);
        // The figures are not trivially equal: some but not all activities are done.
        let done: i64 = first[0].parse().unwrap();
        assert!(done > 0 && done < 120, "{done}");

        // Another seed gives other data.
        let other = GenerateOptions { seed: 8, ..options };
        let name = format!("{name}_b");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        let twin = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(pool.connect_options().as_ref().clone().database(&name))
            .await
            .unwrap();
        sqlx::migrate!().run(&twin).await.unwrap();
        generate(&twin, &other, &mut |_| {}).await.unwrap();
        let third = fingerprint(&twin).await;
        twin.close().await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&pool)
            .await
            .unwrap();
        assert_ne!(first[3], third[3]);
    }

    #[sqlx::test]
    async fn future_years_have_plans_but_nothing_recorded(pool: PgPool) {
        let options = GenerateOptions {
            agencies: 1,
            activities: 5,
            years: 1,
            first_year: 2030,
            ..small()
        };
        let report = generate(&pool, &options, &mut |_| {}).await.unwrap();
        assert_eq!(report.activities, 5);
        assert_eq!(report.progress_updates, 0);
        assert_eq!(report.indicator_values, 0);
        assert_eq!(report.resolutions, 0);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM plans WHERE status = 'adopted'").await,
            1
        );
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM board_sessions WHERE status = 'planned'"
            )
            .await,
            2
        );
        assert_eq!(
            count(&pool, "SELECT sum(mobilised)::bigint FROM funding_lines").await,
            0
        );
    }

    #[test]
    fn copy_text_fields_are_escaped_and_formatted() {
        let mut batch = Batch::default();
        batch
            .row(Table::Resolutions)
            .int(-12)
            .text("a\tb\\c\nd")
            .null()
            .quantity(12_500)
            .quantity(3_000)
            .quantity(7)
            .date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
            .timestamp(NaiveDate::from_ymd_opt(987, 11, 30).unwrap(), 7)
            .bool(false)
            .end();
        assert_eq!(
            String::from_utf8(batch.buffers[Table::Resolutions as usize].clone()).unwrap(),
            "-12\ta\\tb\\\\c\\nd\t\\N\t12.500\t3\t0.007\t2025-03-01\t0987-11-30 07:00:00+00\tf\n"
        );
        assert_eq!(batch.generated[Table::Resolutions as usize], 1);
    }

    #[test]
    fn random_streams_are_reproducible_and_bounded() {
        let draw = |seed| {
            let mut rng = Rng::stream(seed, 3, 2025);
            (0..1000).map(|_| rng.range(-5, 5)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
        let values = draw(1);
        assert!(values.iter().all(|v| (-5..=5).contains(v)));
        assert!((-5..=5).all(|v| values.contains(&v)));
    }

    #[test]
    fn progress_lines_read_in_french() {
        let line = GenerateProgress {
            stage: Stage::Agencies,
            agencies_done: 120,
            agencies_total: 300,
            rows: 1_234_567,
            elapsed: Duration::from_millis(12_340),
        };
        assert_eq!(
            line.to_string(),
            "agences 120/300 (40 %), 1 234 567 lignes, 12,3 s"
        );
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1 000");
    }

    #[test]
    fn options_are_checked() {
        let mut options = small();
        assert!(options.validate().is_ok());
        options.agencies = 0;
        assert!(options.validate().is_err());
        let options = GenerateOptions::new(300, 200, 10, 1);
        assert_eq!(options.last_year(), Local::now().year());
        assert_eq!(options.ministries(), 10);
    }

    /// Measures a national-scale run:
    /// `GEN_AGENCIES=300 GEN_ACTIVITIES=200 GEN_YEARS=10 cargo test --release --lib
    /// generate::tests::measure -- --ignored --nocapture`.
    /// With `GEN_DATABASE_URL` it writes into that (migrated) database instead of
    /// the throwaway test database, to keep the data for inspection.
    #[sqlx::test]
    #[ignore]
    async fn measure(pool: PgPool) {
        let pool = match std::env::var("GEN_DATABASE_URL") {
            Ok(url) => PgPool::connect(&url).await.unwrap(),
            Err(_) => pool,
        };
        let env = |name: &str, default: u32| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.parse().ok())
                .unwrap_or(default)
        };
        let options = GenerateOptions::new(
            env("GEN_AGENCIES", 300),
            env("GEN_ACTIVITIES", 200),
            env("GEN_YEARS", 10),
            42,
        );
        let mut last_print = Instant::now();
        let report = generate(&pool, &options, &mut |p| {
            if p.stage != Stage::Agencies
                || p.agencies_done == p.agencies_total
                || last_print.elapsed() > Duration::from_secs(10)
            {
                eprintln!("{p}");
                last_print = Instant::now();
            }
        })
        .await
        .unwrap();
        println!("{report}");
        let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&pool)
            .await
            .unwrap();
        println!("database size: {} MB", size / 1_000_000);
        for table in TABLES {
            let bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size($1::regclass)")
                .bind(table.name())
                .fetch_one(&pool)
                .await
                .unwrap();
            println!("  {:<18} {:>6} MB", table.name(), bytes / 1_000_000);
        }
        let done = count(
            &pool,
            "SELECT count(*) FROM activities a
             WHERE (SELECT status FROM progress_updates p WHERE p.activity_id = a.id
                    ORDER BY as_of DESC, id DESC LIMIT 1) = 'done'",
        )
        .await;
        println!("activities done (latest status): {done}");
    }
}
