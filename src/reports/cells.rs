//! The rows the CSV and the XLSX share, written once: an activity's line and
//! a summary's figures, cell after cell. Each format says how it writes a
//! text, a quantity, a count, an amount, a rate, a date and a yes or no
//! ([`CellWriter`]); which cells make a row is said only here, so the two
//! downloads cannot drift apart.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::figures::CurrencyLine;
use crate::i18n::{currency_label, Lang};
use crate::performance::{ActivityFigures, Ratio, Summary};
use crate::store::reports::ReportActivity;

/// A row of a table being written, one cell after the other.
pub trait CellWriter {
    type Error;

    fn text(&mut self, text: &str) -> Result<(), Self::Error>;
    fn decimal(&mut self, value: Option<Decimal>) -> Result<(), Self::Error>;
    fn count(&mut self, value: u64) -> Result<(), Self::Error>;
    fn money(&mut self, amount: i128) -> Result<(), Self::Error>;
    fn percent(&mut self, rate: Option<Ratio>) -> Result<(), Self::Error>;
    fn date(&mut self, date: Option<NaiveDate>) -> Result<(), Self::Error>;

    fn optional_text(&mut self, text: Option<&str>) -> Result<(), Self::Error> {
        self.text(text.unwrap_or(""))
    }

    fn yes_no(&mut self, lang: Lang, value: bool) -> Result<(), Self::Error> {
        self.text(&lang.t(if value { "report.yes" } else { "report.no" }))
    }
}

/// One activity, its plan and its state as of `as_of`, under the activity
/// columns of either format.
pub fn activity<W: CellWriter>(
    cells: &mut W,
    row: &ReportActivity,
    figures: &ActivityFigures,
    lang: Lang,
    as_of: NaiveDate,
) -> Result<(), W::Error> {
    let activity = &row.activity;
    cells.text(&row.agency_code)?;
    cells.text(&row.plan_code)?;
    cells.text(&row.node_code)?;
    cells.text(&row.node_title)?;
    cells.text(&activity.code)?;
    cells.text(&activity.title)?;
    cells.optional_text(activity.unit.as_deref())?;
    cells.decimal(activity.target)?;
    cells.decimal(figures.achieved)?;
    cells.percent(figures.achievement_rate())?;
    cells.text(&lang.t(figures.status.label_key()))?;
    cells.date(activity.latest.as_of)?;
    cells.money(figures.budget.into())?;
    cells.money(figures.spent.into())?;
    cells.text(currency_label(&row.currency))?;
    cells.optional_text(activity.responsible_unit.as_deref())?;
    cells.text(&activity.region_name)?;
    cells.date(activity.planned_start)?;
    cells.date(activity.planned_end)?;
    cells.yes_no(lang, figures.is_late(as_of))?;
    cells.optional_text(activity.comment.as_deref())
}

/// A summary's figures, its money in `currency`, under the summary columns
/// of either format.
pub fn summary<W: CellWriter>(
    cells: &mut W,
    summary: &Summary,
    currency: &str,
) -> Result<(), W::Error> {
    for count in [
        summary.planned,
        summary.done,
        summary.in_progress,
        summary.not_started,
        summary.postponed,
        summary.abandoned,
        summary.above_target,
        summary.late,
    ] {
        cells.count(count)?;
    }
    cells.percent(summary.execution_rate())?;
    cells.text(currency_label(currency))?;
    cells.money(summary.budget)?;
    cells.money(summary.spent)?;
    cells.percent(summary.budget_execution_rate())
}

/// One currency's figures and funding: the summary columns, then the
/// funding ones.
pub fn currency<W: CellWriter>(cells: &mut W, line: &CurrencyLine) -> Result<(), W::Error> {
    summary(cells, &line.summary, &line.currency)?;
    cells.money(line.funding_planned)?;
    cells.money(line.funding_mobilised)?;
    cells.percent(line.mobilisation_rate())
}
