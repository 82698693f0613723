//! The yearly performance report ("rapport annuel de performance") of an
//! agency or of every agency one may read, as XLSX, CSV or PDF, and a board
//! session's dashboard as PDF.
//!
//! Data flows as everywhere else: `store::reports` reads the rows inside one
//! snapshot, `performance` computes every figure ([`figures`] only adds them
//! up as rows stream by), and the format modules lay them out. Activities are
//! streamed, never collected, except for the PDF of one agency (whose table
//! lists them): a CSV of 600 000 activities goes out with flat memory, and the
//! XLSX keeps its activities sheet in a temporary file ("constant memory").
//!
//! Not here: the plan file for import and round trip (`crate::imports`) and
//! HTTP (`web::pages::reports`); the command line is [`command`].

pub mod cells;
pub mod command;
pub mod csv;
pub mod figures;
pub mod heading;
pub mod pdf;
pub mod xlsx;

use chrono::{Datelike, NaiveDate};
use futures_util::stream::BoxStream;
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::PgPool;
use tokio::sync::mpsc;

use crate::i18n::Lang;
use crate::performance::plan_tree::Tree;
use crate::performance::{self, IndicatorPlan, Ratio, Summary};
use crate::store::plans::{IndicatorRow, NodeRow, Plan};
use crate::store::reports::{
    self as rows, ReportActivity, ReportFunding, ReportIndicator, Snapshot,
};
use crate::store::sessions::{self, BoardSession};
use figures::{Synthesis, Tally};
pub use heading::{
    default_as_of, parse_file_name, safe_file_name, CsvTable, Format, Heading, Separator,
    SessionHeading, Subject,
};

/// How often long work reports its progress, in activities.
pub const PROGRESS_EVERY: u64 = 50_000;

/// Which plans a report covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// The plans covering the year of the agency and of every agency under it.
    Agency(i64),
    /// The plans covering the year of these agencies (`None`: all of them).
    Agencies(Option<Vec<i64>>),
    /// One plan (a session's reviewed plan).
    Plan(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("{0} activities: more than a worksheet holds")]
    TooManyRows(u64),
    #[error("spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Fonts(String),
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("the reader of the export went away")]
    Cancelled,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("export task: {0}")]
    Task(String),
}

impl From<tokio::task::JoinError> for ReportError {
    fn from(error: tokio::task::JoinError) -> ReportError {
        ReportError::Task(error.to_string())
    }
}

/// An indicator with its agency, its plan and its figures as of the
/// report's date.
#[derive(Debug, Clone)]
pub struct IndicatorLine {
    pub agency_code: String,
    pub plan_code: String,
    pub indicator: IndicatorRow,
    pub latest: Option<(NaiveDate, Decimal)>,
    pub progress: Option<Ratio>,
    pub met: Option<bool>,
}

impl IndicatorLine {
    fn new(row: ReportIndicator, as_of: NaiveDate) -> IndicatorLine {
        let ReportIndicator {
            agency_code,
            plan_code,
            indicator,
        } = row;
        let latest = performance::indicator_value_as_of(&indicator.values, as_of);
        let plan = IndicatorPlan {
            baseline: indicator.baseline,
            target: indicator.target,
            direction: indicator.direction,
        };
        IndicatorLine {
            progress: latest.and_then(|(_, value)| plan.progress(value)),
            met: latest.and_then(|(_, value)| plan.is_met(value)),
            latest,
            agency_code,
            plan_code,
            indicator,
        }
    }

    /// The value recorded for the period ending on `period_end`, if any.
    pub fn value_at(&self, period_end: NaiveDate) -> Option<Decimal> {
        self.indicator
            .values
            .iter()
            .find(|(end, _)| *end == period_end)
            .map(|(_, value)| *value)
    }
}

/// Everything of a report but its activities: small, read first.
#[derive(Debug)]
pub struct ReportData {
    pub heading: Heading,
    pub plans: Vec<Plan>,
    /// Each plan's tree in reading order (each node before its children);
    /// empty for consolidated reports, which break down by agency instead.
    pub nodes: Tree<NodeRow>,
    pub indicators: Vec<IndicatorLine>,
    /// The period ends of indicator values on or before the date, oldest
    /// first: one column each in the indicators sheet.
    pub periods: Vec<NaiveDate>,
    pub funding: Vec<ReportFunding>,
}

impl ReportData {
    pub fn is_illustrative(&self) -> bool {
        self.plans.iter().any(|plan| plan.illustrative)
    }

    /// The currency the report adds money up in: its plans' one currency, or
    /// FCFA when they have several (the others are totalled apart, never
    /// added in).
    pub fn currency(&self) -> &str {
        match self.plans.split_first() {
            Some((first, rest)) if rest.iter().all(|plan| plan.currency == first.currency) => {
                &first.currency
            }
            _ => "XOF",
        }
    }

    /// More than one agency's plans: the report breaks down by agency.
    pub fn spans_agencies(&self) -> bool {
        self.plans
            .windows(2)
            .any(|pair| pair[0].agency_id != pair[1].agency_id)
    }
}

/// A report being read: its snapshot, still open for the activities.
pub struct OpenReport {
    snapshot: Snapshot,
    plan_ids: Vec<i64>,
    pub data: ReportData,
}

/// Opens a snapshot and reads everything but the activities.
pub async fn open(db: &PgPool, scope: Scope, heading: Heading) -> Result<OpenReport, ReportError> {
    let mut snapshot = rows::snapshot(db).await?;
    let plans = match scope {
        Scope::Agency(agency_id) => {
            let agencies = rows::agency_subtree(&mut snapshot, agency_id).await?;
            rows::plans_for_year(&mut snapshot, heading.year, Some(&agencies)).await?
        }
        Scope::Agencies(readable) => {
            rows::plans_for_year(&mut snapshot, heading.year, readable.as_deref()).await?
        }
        Scope::Plan(plan_id) => rows::plan(&mut snapshot, plan_id)
            .await?
            .into_iter()
            .collect(),
    };
    let plan_ids: Vec<i64> = plans.iter().map(|plan| plan.id).collect();
    let nodes = if heading.is_consolidated() {
        Tree::default()
    } else {
        rows::nodes(&mut snapshot, &plan_ids, heading.as_of).await?
    };
    let as_of = heading.as_of;
    let indicators: Vec<IndicatorLine> = rows::indicators(&mut snapshot, &plan_ids, as_of)
        .await?
        .into_iter()
        .map(|indicator| IndicatorLine::new(indicator, as_of))
        .collect();
    let mut periods: Vec<NaiveDate> = indicators
        .iter()
        .flat_map(|line| line.indicator.values.iter().map(|(end, _)| *end))
        .filter(|end| *end <= as_of)
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let funding = rows::funding(&mut snapshot, &plan_ids, as_of).await?;
    Ok(OpenReport {
        snapshot,
        plan_ids,
        data: ReportData {
            heading,
            plans,
            nodes,
            indicators,
            periods,
            funding,
        },
    })
}

impl OpenReport {
    /// The activities, streamed from the snapshot.
    pub fn activities(&mut self) -> BoxStream<'_, sqlx::Result<ReportActivity>> {
        rows::activities(&mut self.snapshot, &self.plan_ids, self.data.heading.as_of)
    }

    /// The figures of the same plans at another date, from the same snapshot.
    pub async fn summary_as_of(&mut self, as_of: NaiveDate) -> Result<Summary, ReportError> {
        let mut summary = Summary::default();
        let mut activities = rows::activities(&mut self.snapshot, &self.plan_ids, as_of);
        while let Some(row) = activities.try_next().await? {
            summary.add(&row.activity.figures(), as_of);
        }
        Ok(summary)
    }

    /// Closes the snapshot (it only read) and hands back the rest.
    pub async fn finish(self) -> Result<ReportData, ReportError> {
        self.snapshot.rollback().await?;
        Ok(self.data)
    }

    /// Adds up every activity without keeping any.
    pub async fn tally(
        mut self,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(ReportData, Tally), ReportError> {
        let as_of = self.data.heading.as_of;
        let mut tally = Tally::new(self.data.currency());
        {
            let mut activities = self.activities();
            while let Some(row) = activities.try_next().await? {
                tally.add(&row, &row.activity.figures(), as_of);
                if tally.rows().is_multiple_of(PROGRESS_EVERY) {
                    progress(tally.rows());
                }
            }
        }
        Ok((self.finish().await?, tally))
    }
}

/// Writes the XLSX workbook of a report into `out` and hands the file back.
/// The activities go to a writer thread as they stream in, so that neither
/// side waits for the whole.
pub async fn xlsx(
    mut report: OpenReport,
    mut out: std::fs::File,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<std::fs::File, ReportError> {
    let (lang, as_of) = (report.data.heading.lang, report.data.heading.as_of);
    let currency = report.data.currency().to_owned();
    let (sender, mut receiver) = mpsc::channel::<ReportActivity>(1024);
    let writer = tokio::task::spawn_blocking(move || {
        let mut book = xlsx::Workbook::new(lang, as_of, &currency)?;
        while let Some(row) = receiver.blocking_recv() {
            book.activity(&row)?;
        }
        Ok::<_, ReportError>(book)
    });
    let streamed: Result<(), ReportError> = async {
        let mut activities = report.activities();
        let mut count = 0;
        while let Some(row) = activities.try_next().await? {
            if sender.send(row).await.is_err() {
                // The writer stopped; its error is the one to report.
                break;
            }
            count += 1;
            if count % PROGRESS_EVERY == 0 {
                progress(count);
            }
        }
        Ok(())
    }
    .await;
    drop(sender);
    let book = writer.await??;
    streamed?;
    let data = report.finish().await?;
    tokio::task::spawn_blocking(move || {
        book.finish(&data, &mut out)?;
        Ok(out)
    })
    .await?
}

/// The PDF of a report: one agency's lists its activities; the consolidated
/// one gives the breakdowns only (its activities are in the XLSX and CSV).
pub async fn pdf(
    mut report: OpenReport,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Vec<u8>, ReportError> {
    let as_of = report.data.heading.as_of;
    let keep = !report.data.heading.is_consolidated();
    let mut tally = Tally::new(report.data.currency());
    let mut kept = Vec::new();
    {
        let mut activities = report.activities();
        while let Some(row) = activities.try_next().await? {
            let figures = row.activity.figures();
            tally.add(&row, &figures, as_of);
            if keep {
                kept.push((row, figures));
            }
            if tally.rows().is_multiple_of(PROGRESS_EVERY) {
                progress(tally.rows());
            }
        }
    }
    let data = report.finish().await?;
    tokio::task::spawn_blocking(move || {
        let synthesis = Synthesis::new(&data, tally);
        pdf::report(&data, &synthesis, &kept, None)
    })
    .await?
}

/// Streams a CSV table into `out`, a chunk at a time; the caller sends an
/// error after the chunks if this fails, so that the reader sees a broken
/// download rather than a short file. Stops with [`ReportError::Cancelled`]
/// when the receiver is gone.
pub async fn csv(
    mut report: OpenReport,
    table: CsvTable,
    separator: Separator,
    out: &mpsc::Sender<std::io::Result<Vec<u8>>>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), ReportError> {
    let (lang, as_of) = (report.data.heading.lang, report.data.heading.as_of);
    let mut writer = csv::CsvWriter::new(separator);
    match table {
        CsvTable::Activities => {
            csv::activities_header(&mut writer, lang);
            let mut activities = report.activities();
            let mut count = 0;
            while let Some(row) = activities.try_next().await? {
                csv::activity_row(&mut writer, &row, &row.activity.figures(), lang, as_of);
                if let Some(chunk) = writer.take_chunk() {
                    out.send(Ok(chunk))
                        .await
                        .map_err(|_| ReportError::Cancelled)?;
                }
                count += 1;
                if count % PROGRESS_EVERY == 0 {
                    progress(count);
                }
            }
            drop(activities);
            report.finish().await?;
        }
        CsvTable::Summary => {
            let (data, tally) = report.tally(progress).await?;
            csv::summary(&mut writer, &data, &Synthesis::new(&data, tally));
        }
        CsvTable::Indicators => csv::indicators(&mut writer, &report.finish().await?),
        CsvTable::Funding => csv::funding(&mut writer, &report.finish().await?),
    }
    out.send(Ok(writer.into_bytes()))
        .await
        .map_err(|_| ReportError::Cancelled)
}

/// A board session's dashboard as PDF, from the session's figures: its
/// seal's when it is sealed (`dashboard`), so that the PDF never moves
/// either, or the figures of the data now for a session not yet held.
pub async fn session_pdf(
    db: &PgPool,
    session: &BoardSession,
    lang: Lang,
    today: NaiveDate,
) -> Result<Vec<u8>, ReportError> {
    let cutoff = session.cutoff;
    let heading = Heading {
        subject: Subject::Session(SessionHeading {
            agency_code: session.agency_code.clone(),
            agency_name: session.agency_name.clone(),
            title: lang.t_with(
                session.kind.label_key(),
                &[("n", &lang.ordinal(session.number))],
            ),
            number: session.number,
            held_on: session.held_on,
            place: session.place.clone(),
            chair: session.chair.clone(),
        }),
        year: cutoff.year(),
        as_of: cutoff,
        lang,
    };
    let figures = crate::dashboard::Dashboard::of(db, session).await?.figures;
    let mut data = ReportData {
        heading,
        plans: Vec::new(),
        nodes: Tree::default(),
        indicators: Vec::new(),
        periods: Vec::new(),
        funding: Vec::new(),
    };
    let currency = figures
        .reviewed
        .as_ref()
        .map_or("XOF", |reviewed| reviewed.plan.currency.as_str());
    let mut tally = Tally::new(currency);
    let mut kept = Vec::new();
    // A session that reviewed no plan gets its title page and resolutions.
    if let Some(reviewed) = figures.reviewed {
        let plan = reviewed.plan;
        let nodes = Tree::new(reviewed.nodes);
        for activity in reviewed.activities {
            let (node_code, node_title) = nodes
                .get(activity.node_id)
                .map(|n| (n.code.clone(), n.title.clone()))
                .unwrap_or_default();
            let row = ReportActivity {
                agency_id: plan.agency_id,
                agency_code: plan.agency_code.clone(),
                plan_code: plan.code.clone(),
                currency: plan.currency.clone(),
                node_code,
                node_title,
                activity,
            };
            let figures = row.activity.figures();
            tally.add(&row, &figures, cutoff);
            kept.push((row, figures));
        }
        data.indicators = reviewed
            .indicators
            .into_iter()
            .map(|indicator| {
                let row = ReportIndicator {
                    agency_code: plan.agency_code.clone(),
                    plan_code: plan.code.clone(),
                    indicator,
                };
                IndicatorLine::new(row, cutoff)
            })
            .collect();
        data.periods = data
            .indicators
            .iter()
            .flat_map(|line| line.indicator.values.iter().map(|(end, _)| *end))
            .filter(|end| *end <= cutoff)
            .collect();
        data.periods.sort_unstable();
        data.periods.dedup();
        data.funding = reviewed
            .funding
            .into_iter()
            .map(|line| ReportFunding {
                id: line.id,
                plan_id: plan.id,
                agency_code: plan.agency_code.clone(),
                plan_code: plan.code.clone(),
                currency: plan.currency.clone(),
                source: line.source,
                source_kind: line.source_kind,
                planned: line.planned,
                mobilised: line.mobilised,
            })
            .collect();
        data.nodes = nodes;
        data.plans = vec![plan];
    }
    let previous = figures.previous.map(|previous| {
        let title = lang.t_with(
            previous.session.kind.label_key(),
            &[("n", &lang.ordinal(previous.session.number))],
        );
        (title, previous.summary)
    });
    let extras = pdf::SessionExtras {
        previous,
        resolutions: sessions::resolutions(db, session.id, today).await?,
        adopted: figures.adopted,
        open_earlier: figures.open_earlier,
    };
    tokio::task::spawn_blocking(move || {
        let synthesis = Synthesis::new(&data, tally);
        pdf::report(&data, &synthesis, &kept, Some(&extras))
    })
    .await?
}
