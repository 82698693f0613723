//! CSV as French Excel opens it: UTF-8 with a byte-order mark, `;` between
//! fields and `,` as decimal mark (or `,` and `.` on request), one table per
//! file. Numbers carry no grouping so that spreadsheets read them as numbers;
//! dates are ISO (`2025-11-30`), which Excel reads in every language; rates
//! are percentages with one decimal.
//!
//! The writer is a few lines rather than a crate: quoting is the only rule,
//! and a writer that hands out chunks of bytes fits streaming directly.

use std::convert::Infallible;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cells::{self, CellWriter};
use super::figures::Synthesis;
use super::{ReportData, Separator};
use crate::i18n::{currency_label, Lang};
use crate::performance::{ActivityFigures, Ratio, Summary};
use crate::store::reports::ReportActivity;

/// Chunks handed out while streaming: large enough for few sends, small
/// enough for flat memory.
const CHUNK_BYTES: usize = 64 * 1024;
const BOM: &[u8] = "\u{feff}".as_bytes();

pub struct CsvWriter {
    separator: u8,
    decimal_mark: char,
    buffer: Vec<u8>,
    /// No separator before the first field of a row.
    row_started: bool,
}

impl CsvWriter {
    /// A writer whose output starts with the byte-order mark.
    pub fn new(separator: Separator) -> CsvWriter {
        let (separator, decimal_mark) = match separator {
            Separator::Semicolon => (b';', ','),
            Separator::Comma => (b',', '.'),
        };
        let mut buffer = Vec::with_capacity(CHUNK_BYTES + 4096);
        buffer.extend_from_slice(BOM);
        CsvWriter {
            separator,
            decimal_mark,
            buffer,
            row_started: false,
        }
    }

    fn start_field(&mut self) {
        if self.row_started {
            self.buffer.push(self.separator);
        }
        self.row_started = true;
    }

    /// A text field, quoted when it holds a separator, a quote or a line
    /// break. Text that a spreadsheet would take for a formula (`=`, `+`,
    /// `-`, `@` first) gets a leading apostrophe, so that opening an export
    /// never runs what someone typed into a title.
    pub fn text(&mut self, text: &str) {
        self.start_field();
        let formula_like = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let needs_quotes = text
            .bytes()
            .any(|b| b == self.separator || b == b'"' || b == b'\n' || b == b'\r');
        if needs_quotes {
            self.buffer.push(b'"');
        }
        if formula_like {
            self.buffer.push(b'\'');
        }
        for part in text.split_inclusive('"') {
            self.buffer.extend_from_slice(part.as_bytes());
            if part.ends_with('"') {
                self.buffer.push(b'"');
            }
        }
        if needs_quotes {
            self.buffer.push(b'"');
        }
    }

    pub fn optional_text(&mut self, text: Option<&str>) {
        self.text(text.unwrap_or(""));
    }

    pub fn empty(&mut self) {
        self.start_field();
    }

    pub fn integer(&mut self, value: impl Into<i128>) {
        let value: i128 = value.into();
        self.start_field();
        self.buffer.extend_from_slice(value.to_string().as_bytes());
    }

    pub fn count(&mut self, value: u64) {
        self.start_field();
        self.buffer.extend_from_slice(value.to_string().as_bytes());
    }

    pub fn optional_integer(&mut self, value: Option<i32>) {
        match value {
            Some(value) => self.integer(i64::from(value)),
            None => self.empty(),
        }
    }

    /// A quantity with its decimals, trailing zeros dropped.
    pub fn decimal(&mut self, value: Option<Decimal>) {
        self.start_field();
        if let Some(value) = value {
            let text = value.normalize().to_string();
            self.push_number(&text);
        }
    }

    /// A rate as a percentage with one decimal: 32/49 gives `65,3`.
    pub fn percent(&mut self, rate: Option<Ratio>) {
        self.start_field();
        if let Some(rate) = rate {
            let tenths = rate.per_mille_rounded();
            let sign = if tenths < 0 { "-" } else { "" };
            let text = format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10);
            self.push_number(&text);
        }
    }

    pub fn date(&mut self, date: Option<NaiveDate>) {
        self.start_field();
        if let Some(date) = date {
            self.buffer.extend_from_slice(date.to_string().as_bytes());
        }
    }

    fn push_number(&mut self, text: &str) {
        for c in text.chars() {
            let c = if c == '.' { self.decimal_mark } else { c };
            let mut bytes = [0; 4];
            self.buffer
                .extend_from_slice(c.encode_utf8(&mut bytes).as_bytes());
        }
    }

    pub fn end_row(&mut self) {
        // CRLF, as RFC 4180 and Excel write it.
        self.buffer.extend_from_slice(b"\r\n");
        self.row_started = false;
    }

    /// The bytes written so far once they make a chunk worth sending.
    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        (self.buffer.len() >= CHUNK_BYTES)
            .then(|| std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES + 4096)))
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buffer
    }

    fn header(&mut self, lang: Lang, keys: &[&str]) {
        for key in keys {
            self.text(&lang.t(key));
        }
    }
}

/// A CSV cell cannot fail: the bytes go to memory.
impl CellWriter for CsvWriter {
    type Error = Infallible;

    fn text(&mut self, text: &str) -> Result<(), Infallible> {
        CsvWriter::text(self, text);
        Ok(())
    }

    fn decimal(&mut self, value: Option<Decimal>) -> Result<(), Infallible> {
        CsvWriter::decimal(self, value);
        Ok(())
    }

    fn count(&mut self, value: u64) -> Result<(), Infallible> {
        CsvWriter::count(self, value);
        Ok(())
    }

    fn money(&mut self, amount: i128) -> Result<(), Infallible> {
        self.integer(amount);
        Ok(())
    }

    fn percent(&mut self, rate: Option<Ratio>) -> Result<(), Infallible> {
        CsvWriter::percent(self, rate);
        Ok(())
    }

    fn date(&mut self, date: Option<NaiveDate>) -> Result<(), Infallible> {
        CsvWriter::date(self, date);
        Ok(())
    }
}

/// One activity, its plan and its state as of `as_of`.
pub fn activity_row(
    writer: &mut CsvWriter,
    row: &ReportActivity,
    figures: &ActivityFigures,
    lang: Lang,
    as_of: NaiveDate,
) {
    let Ok(()) = cells::activity(writer, row, figures, lang, as_of);
    writer.end_row();
}

const ACTIVITY_COLUMNS: [&str; 21] = [
    "report.col.agency",
    "report.col.plan",
    "report.col.node_code",
    "report.col.node_title",
    "report.col.code",
    "report.col.activity",
    "report.col.unit",
    "report.col.target",
    "report.col.achieved",
    "report.col.achievement_rate",
    "report.col.status",
    "report.col.status_date",
    "report.col.budget",
    "report.col.spent",
    "report.col.currency",
    "report.col.responsible",
    "report.col.region",
    "report.col.planned_start",
    "report.col.planned_end",
    "report.col.late",
    "report.col.comment",
];

pub fn activities_header(writer: &mut CsvWriter, lang: Lang) {
    writer.header(lang, &ACTIVITY_COLUMNS);
    writer.end_row();
}

/// The summary columns shared by every breakdown.
pub const SUMMARY_COLUMNS: [&str; 13] = [
    "report.col.planned",
    "report.col.done",
    "report.col.in_progress",
    "report.col.not_started",
    "report.col.postponed",
    "report.col.abandoned",
    "report.col.above_target",
    "report.col.late",
    "report.col.execution_rate",
    "report.col.currency",
    "report.col.budget",
    "report.col.spent",
    "report.col.budget_rate",
];

/// The columns a currency's line adds after the summary ones.
pub const CURRENCY_FUNDING_COLUMNS: [&str; 3] = [
    "report.col.funding_planned",
    "report.col.mobilised",
    "report.col.mobilisation_rate",
];

fn summary_cells(writer: &mut CsvWriter, summary: &Summary, currency: &str) {
    let Ok(()) = cells::summary(writer, summary, currency);
}

/// The summary as one table: a line for the whole, then one per node of
/// each plan, per region and per agency, the first column saying which;
/// then, when the plans have several currencies, one per currency (with its
/// funding in the last columns).
pub fn summary(writer: &mut CsvWriter, data: &ReportData, synthesis: &Synthesis) {
    let lang = data.heading.lang;
    writer.header(
        lang,
        &[
            "report.col.section",
            "report.col.plan",
            "report.col.level",
            "report.col.code",
            "report.col.item",
        ],
    );
    writer.header(lang, &SUMMARY_COLUMNS);
    if !synthesis.currencies.is_empty() {
        writer.header(lang, &CURRENCY_FUNDING_COLUMNS);
    }
    writer.end_row();

    let currency = synthesis.currency.as_str();
    writer.text(&lang.t("report.section.total"));
    writer.empty();
    writer.empty();
    writer.empty();
    writer.text(&data.heading.subject_line());
    summary_cells(writer, &synthesis.total, currency);
    writer.end_row();
    for node in &synthesis.nodes {
        writer.text(&lang.t("report.section.tree"));
        writer.text(&node.plan_code);
        writer.text(&node.level_name);
        writer.text(&node.code);
        writer.text(&node.title);
        summary_cells(writer, &node.summary, currency);
        writer.end_row();
    }
    for (section, groups) in [
        ("report.section.regions", &synthesis.regions),
        ("report.section.agencies", &synthesis.agencies),
    ] {
        for group in groups {
            writer.text(&lang.t(section));
            writer.empty();
            writer.empty();
            writer.text(&group.code);
            writer.text(&group.label);
            summary_cells(writer, &group.summary, currency);
            writer.end_row();
        }
    }
    for line in &synthesis.currencies {
        writer.text(&lang.t("report.section.currencies"));
        writer.empty();
        writer.empty();
        writer.text(&line.currency);
        writer.text(currency_label(&line.currency));
        let Ok(()) = cells::currency(writer, line);
        writer.end_row();
    }
}

pub const INDICATOR_COLUMNS: [&str; 14] = [
    "report.col.agency",
    "report.col.plan",
    "report.col.code",
    "report.col.indicator",
    "report.col.unit",
    "report.col.direction",
    "report.col.baseline",
    "report.col.baseline_year",
    "report.col.target",
    "report.col.target_year",
    "report.col.latest",
    "report.col.latest_date",
    "report.col.progress",
    "report.col.met",
];

/// The title of an indicator sheet's column for the values of one period.
pub fn period_header(lang: Lang, period_end: NaiveDate) -> String {
    lang.t_with("report.col.value_at", &[("date", &lang.date(period_end))])
}

pub fn indicators(writer: &mut CsvWriter, data: &ReportData) {
    let lang = data.heading.lang;
    writer.header(lang, &INDICATOR_COLUMNS);
    for period in &data.periods {
        writer.text(&period_header(lang, *period));
    }
    writer.end_row();
    for line in &data.indicators {
        let indicator = &line.indicator;
        writer.text(&line.agency_code);
        writer.text(&line.plan_code);
        writer.text(&indicator.code);
        writer.text(&indicator.title);
        writer.optional_text(indicator.unit.as_deref());
        writer.text(&lang.t(indicator.direction.label_key()));
        writer.decimal(indicator.baseline);
        writer.optional_integer(indicator.baseline_year);
        writer.decimal(indicator.target);
        writer.optional_integer(indicator.target_year);
        writer.decimal(line.latest.map(|(_, value)| value));
        writer.date(line.latest.map(|(date, _)| date));
        writer.percent(line.progress);
        match line.met {
            Some(met) => {
                let Ok(()) = CellWriter::yes_no(writer, lang, met);
            }
            None => writer.empty(),
        }
        for period in &data.periods {
            writer.decimal(line.value_at(*period));
        }
        writer.end_row();
    }
}

pub const FUNDING_COLUMNS: [&str; 8] = [
    "report.col.agency",
    "report.col.plan",
    "report.col.source",
    "report.col.source_kind",
    "report.col.currency",
    "report.col.funding_planned",
    "report.col.mobilised",
    "report.col.mobilisation_rate",
];

pub fn funding(writer: &mut CsvWriter, data: &ReportData) {
    let lang = data.heading.lang;
    writer.header(lang, &FUNDING_COLUMNS);
    writer.end_row();
    for line in &data.funding {
        writer.text(&line.agency_code);
        writer.text(&line.plan_code);
        writer.text(&line.source);
        writer.text(&lang.t(line.source_kind.label_key()));
        writer.text(currency_label(&line.currency));
        writer.integer(line.planned);
        writer.integer(line.mobilised);
        writer.percent(Ratio::new(
            i128::from(line.mobilised),
            i128::from(line.planned),
        ));
        writer.end_row();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(separator: Separator, fill: impl FnOnce(&mut CsvWriter)) -> String {
        let mut writer = CsvWriter::new(separator);
        fill(&mut writer);
        let bytes = writer.into_bytes();
        assert!(bytes.starts_with(BOM));
        String::from_utf8(bytes[BOM.len()..].to_vec()).unwrap()
    }

    #[test]
    fn quotes_only_what_needs_it() {
        let text = written(Separator::Semicolon, |w| {
            w.text("Sensibilisation; routes");
            w.text("dit \"stop\"");
            w.text("deux\nlignes");
            w.text("a,b");
            w.end_row();
        });
        assert_eq!(
            text,
            "\"Sensibilisation; routes\";\"dit \"\"stop\"\"\";\"deux\nlignes\";a,b\r\n"
        );
        let text = written(Separator::Comma, |w| {
            w.text("a,b");
            w.text("a;b");
            w.end_row();
        });
        assert_eq!(text, "\"a,b\",a;b\r\n");
    }

    #[test]
    fn numbers_follow_the_separator() {
        let text = written(Separator::Semicolon, |w| {
            w.decimal(Some(Decimal::new(12_500, 3)));
            w.percent(Ratio::new(32, 49));
            w.integer(12_500_000);
            w.decimal(None);
            w.date(NaiveDate::from_ymd_opt(2025, 11, 30));
            w.end_row();
        });
        assert_eq!(text, "12,5;65,3;12500000;;2025-11-30\r\n");
        let text = written(Separator::Comma, |w| {
            w.decimal(Some(Decimal::new(12_500, 3)));
            w.percent(Ratio::new(-1, 2));
            w.end_row();
        });
        assert_eq!(text, "12.5,-50.0\r\n");
    }

    #[test]
    fn formulas_are_never_formulas() {
        let text = written(Separator::Semicolon, |w| {
            w.text("=HYPERLINK(\"x\")");
            w.text("@SUM(A1)");
            w.end_row();
        });
        assert_eq!(text, "\"'=HYPERLINK(\"\"x\"\")\";'@SUM(A1)\r\n");
    }

    #[test]
    fn chunks_come_out_once_large_enough() {
        let mut writer = CsvWriter::new(Separator::Semicolon);
        writer.text("small");
        assert!(writer.take_chunk().is_none());
        while writer.buffer.len() < CHUNK_BYTES {
            writer.text("0123456789");
        }
        let chunk = writer.take_chunk().expect("a chunk");
        assert!(chunk.starts_with(BOM));
        assert!(writer.buffer.is_empty());
    }
}
