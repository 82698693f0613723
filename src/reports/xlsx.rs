//! The report as an Excel workbook (rust_xlsxwriter): sheets Synthèse,
//! Activités, Indicateurs and Financement, headers in the reader's language,
//! money as whole numbers with a grouping format beside its currency, rates as real
//! percentage cells (the exact fraction, shown rounded), dates as date cells
//! in the reader's short date format, a frozen header row, filters and set
//! column widths on every table sheet.
//!
//! The activities sheet is written in "constant memory" mode: rows go to a
//! temporary file as they come, so a workbook of 600 000 activities does not
//! hold them all. The summary is written last, once every activity is counted
//! (sheets keep their order whatever the order of writing).

use std::io::Write;

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Worksheet, XlsxError};

use super::cells::{self, CellWriter};
use super::csv::{
    period_header, CURRENCY_FUNDING_COLUMNS, FUNDING_COLUMNS, INDICATOR_COLUMNS, SUMMARY_COLUMNS,
};
use super::figures::{GroupLine, Synthesis, Tally};
use super::{ReportData, ReportError};
use crate::i18n::{currency_label, Lang};
use crate::performance::{ActivityFigures, Ratio};
use crate::store::reports::ReportActivity;

const SUMMARY_SHEET: usize = 0;
const ACTIVITY_SHEET: usize = 1;
const INDICATOR_SHEET: usize = 2;
const FUNDING_SHEET: usize = 3;
/// Rows of a worksheet, the header included.
const MAX_ROWS: u32 = 1_048_576;

/// The kind of a column: how its cells are written.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Money,
    Percent,
    Date,
}

/// The activities sheet's columns: catalog key, width (characters), kind.
const ACTIVITY_COLUMNS: [(&str, f64, Kind); 21] = [
    ("report.col.agency", 10.0, Kind::Text),
    ("report.col.plan", 12.0, Kind::Text),
    ("report.col.node_code", 11.0, Kind::Text),
    ("report.col.node_title", 32.0, Kind::Text),
    ("report.col.code", 10.0, Kind::Text),
    ("report.col.activity", 50.0, Kind::Text),
    ("report.col.unit", 14.0, Kind::Text),
    ("report.col.target", 10.0, Kind::Number),
    ("report.col.achieved", 11.0, Kind::Number),
    ("report.col.achievement_rate", 12.0, Kind::Percent),
    ("report.col.status", 14.0, Kind::Text),
    ("report.col.status_date", 13.0, Kind::Date),
    ("report.col.budget", 15.0, Kind::Money),
    ("report.col.spent", 15.0, Kind::Money),
    ("report.col.currency", 8.0, Kind::Text),
    ("report.col.responsible", 22.0, Kind::Text),
    ("report.col.region", 18.0, Kind::Text),
    ("report.col.planned_start", 12.0, Kind::Date),
    ("report.col.planned_end", 12.0, Kind::Date),
    ("report.col.late", 10.0, Kind::Text),
    ("report.col.comment", 40.0, Kind::Text),
];

struct Formats {
    header: Format,
    title: Format,
    section: Format,
    money: Format,
    percent: Format,
    date: Format,
    bold: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(0xDCE6F1)
                .set_border_bottom(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
            section: Format::new().set_bold().set_font_size(12),
            // Built-in formats, which every spreadsheet knows. 3 is `#,##0`:
            // Excel groups digits the reader's way (12 500 000 in French).
            money: Format::new().set_num_format_index(3),
            // 9 is `0%`: the exact rate in the cell, 65 % on screen.
            percent: Format::new().set_num_format_index(9),
            // Built-in format 14: the reader's short date (30/11/2025 in French).
            date: Format::new().set_num_format_index(14),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

pub struct Workbook {
    book: rust_xlsxwriter::Workbook,
    formats: Formats,
    lang: Lang,
    as_of: NaiveDate,
    tally: Tally,
    /// The next row of the activities sheet.
    next_row: u32,
}

impl Workbook {
    /// A workbook adding up money in `currency` (the report's).
    pub fn new(lang: Lang, as_of: NaiveDate, currency: &str) -> Result<Workbook, ReportError> {
        let formats = Formats::new();
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name(lang.t("report.sheet.summary"))?;
        let activities = book.add_worksheet_with_constant_memory()?;
        activities.set_name(lang.t("report.sheet.activities"))?;
        for (column, (key, width, _)) in ACTIVITY_COLUMNS.iter().enumerate() {
            let column = column_index(column);
            activities.set_column_width(column, *width)?;
            activities.write_string_with_format(0, column, lang.t(key), &formats.header)?;
        }
        activities.set_freeze_panes(1, 0)?;
        book.add_worksheet()
            .set_name(lang.t("report.sheet.indicators"))?;
        book.add_worksheet()
            .set_name(lang.t("report.sheet.funding"))?;
        Ok(Workbook {
            book,
            formats,
            lang,
            as_of,
            tally: Tally::new(currency),
            next_row: 1,
        })
    }

    /// Writes one activity and counts it.
    pub fn activity(&mut self, row: &ReportActivity) -> Result<(), ReportError> {
        if self.next_row >= MAX_ROWS {
            return Err(ReportError::TooManyRows(u64::from(self.next_row)));
        }
        let figures = row.activity.figures();
        self.tally.add(row, &figures, self.as_of);
        let (lang, as_of, line) = (self.lang, self.as_of, self.next_row);
        let sheet = self.book.worksheet_from_index(ACTIVITY_SHEET)?;
        write_activity(sheet, &self.formats, line, row, &figures, lang, as_of)?;
        self.next_row += 1;
        Ok(())
    }

    /// Writes the other sheets, then the workbook into `out`.
    pub fn finish(mut self, data: &ReportData, out: &mut std::fs::File) -> Result<(), ReportError> {
        let last_row = self.next_row - 1;
        let activities = self.book.worksheet_from_index(ACTIVITY_SHEET)?;
        activities.autofilter(0, 0, last_row, column_index(ACTIVITY_COLUMNS.len() - 1))?;
        let synthesis = Synthesis::new(data, self.tally);
        write_summary(
            self.book.worksheet_from_index(SUMMARY_SHEET)?,
            &self.formats,
            data,
            &synthesis,
        )?;
        write_indicators(
            self.book.worksheet_from_index(INDICATOR_SHEET)?,
            &self.formats,
            data,
        )?;
        write_funding(
            self.book.worksheet_from_index(FUNDING_SHEET)?,
            &self.formats,
            data,
        )?;
        let title = format!("{} — {}", data.heading.title(), data.heading.subject_line());
        for (index, table) in [
            (SUMMARY_SHEET, false),
            (ACTIVITY_SHEET, true),
            (INDICATOR_SHEET, true),
            (FUNDING_SHEET, true),
        ] {
            print_setup(self.book.worksheet_from_index(index)?, &title, table)?;
        }
        let properties = rust_xlsxwriter::DocProperties::new()
            .set_title(data.heading.title())
            .set_subject(data.heading.subject_line())
            .set_company("Suivi");
        self.book.set_properties(&properties);
        // Straight to the file: a workbook of 600 000 activities is tens of
        // megabytes, which need not sit in memory too.
        let mut writer = std::io::BufWriter::new(out);
        self.book.save_to_writer(&mut writer)?;
        writer.flush()?;
        Ok(())
    }
}

fn column_index(column: usize) -> u16 {
    u16::try_from(column).unwrap_or(u16::MAX)
}

fn write_activity(
    sheet: &mut Worksheet,
    formats: &Formats,
    line: u32,
    row: &ReportActivity,
    figures: &ActivityFigures,
    lang: Lang,
    as_of: NaiveDate,
) -> Result<(), XlsxError> {
    cells::activity(
        &mut Cells::new(sheet, formats, line),
        row,
        figures,
        lang,
        as_of,
    )
}

/// Writes a row left to right; empty values leave the cell empty.
struct Cells<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    row: u32,
    column: u16,
}

impl<'a> Cells<'a> {
    fn new(sheet: &'a mut Worksheet, formats: &'a Formats, row: u32) -> Cells<'a> {
        Cells {
            sheet,
            formats,
            row,
            column: 0,
        }
    }

    fn next(&mut self) -> u16 {
        let column = self.column;
        self.column += 1;
        column
    }

    fn skip(&mut self) -> Result<(), XlsxError> {
        self.next();
        Ok(())
    }

    fn styled_text(&mut self, text: &str, format: &Format) -> Result<(), XlsxError> {
        let column = self.next();
        self.sheet
            .write_string_with_format(self.row, column, text, format)?;
        Ok(())
    }

    fn year(&mut self, value: Option<i32>) -> Result<(), XlsxError> {
        let column = self.next();
        if let Some(value) = value {
            self.sheet
                .write_number(self.row, column, f64::from(value))?;
        }
        Ok(())
    }

    /// Yes, no, or an empty cell when there is no answer.
    fn optional_yes_no(&mut self, lang: Lang, value: Option<bool>) -> Result<(), XlsxError> {
        match value {
            Some(value) => self.yes_no(lang, value),
            None => self.skip(),
        }
    }
}

impl CellWriter for Cells<'_> {
    type Error = XlsxError;

    fn text(&mut self, text: &str) -> Result<(), XlsxError> {
        let column = self.next();
        if !text.is_empty() {
            self.sheet.write_string(self.row, column, text)?;
        }
        Ok(())
    }

    fn decimal(&mut self, value: Option<Decimal>) -> Result<(), XlsxError> {
        let column = self.next();
        if let Some(value) = value.and_then(|v| v.to_f64()) {
            self.sheet.write_number(self.row, column, value)?;
        }
        Ok(())
    }

    fn count(&mut self, value: u64) -> Result<(), XlsxError> {
        let column = self.next();
        // Counts of activities stay far below 2^53: exact as a float.
        self.sheet.write_number(self.row, column, value as f64)?;
        Ok(())
    }

    fn money(&mut self, amount: i128) -> Result<(), XlsxError> {
        let column = self.next();
        // Amounts are capped at `Fcfa::MAX`, below 2^53: exact as a float,
        // and so are the totals of any real plan.
        self.sheet.write_number_with_format(
            self.row,
            column,
            amount as f64,
            &self.formats.money,
        )?;
        Ok(())
    }

    fn percent(&mut self, rate: Option<Ratio>) -> Result<(), XlsxError> {
        let column = self.next();
        if let Some(rate) = rate {
            let value = rate.numerator() as f64 / rate.denominator() as f64;
            self.sheet
                .write_number_with_format(self.row, column, value, &self.formats.percent)?;
        }
        Ok(())
    }

    fn date(&mut self, date: Option<NaiveDate>) -> Result<(), XlsxError> {
        let column = self.next();
        if let Some(date) = date {
            let cell = excel_date(date)?;
            self.sheet
                .write_datetime_with_format(self.row, column, &cell, &self.formats.date)?;
        }
        Ok(())
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year())
        .map_err(|_| XlsxError::DateTimeRangeError(format!("year {} out of range", date.year())))?;
    // Month and day always fit.
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

/// A header row of catalog keys (and extra titles) from column 0.
fn header_row(
    sheet: &mut Worksheet,
    formats: &Formats,
    lang: Lang,
    row: u32,
    keys: &[&str],
    extra: &[String],
) -> Result<u16, XlsxError> {
    let mut cells = Cells::new(sheet, formats, row);
    for key in keys {
        // An empty key leaves a column of the header blank.
        let title = if key.is_empty() {
            "".into()
        } else {
            lang.t(key)
        };
        cells.styled_text(&title, &formats.header)?;
    }
    for title in extra {
        cells.styled_text(title, &formats.header)?;
    }
    Ok(cells.column)
}

fn set_widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (column, width) in widths.iter().enumerate() {
        sheet.set_column_width(column_index(column), *width)?;
    }
    Ok(())
}

/// The width of the summary's wrapped title column, in characters.
const TITLE_WIDTH: f64 = 40.0;

/// The height in points of a row whose `text` wraps in a column `width`
/// characters wide (15 points a line, Excel's default for 11 pt text).
fn wrapped_height(text: &str, width: f64) -> f64 {
    let chars = text.chars().count() as f64;
    15.0 * (chars / (width - 2.0)).ceil().max(1.0)
}

/// Printing: A4 landscape, one page wide, the header row repeated (for a
/// table), the report's title and the page number in the footer.
fn print_setup(sheet: &mut Worksheet, title: &str, header_row: bool) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_gridlines(header_row)
        // `&` starts a code in Excel's header language: a title keeps its own.
        .set_footer(format!("&L{}&R&P / &N", title.replace('&', "&&")));
    if header_row {
        sheet.set_repeat_rows(0, 0)?;
    }
    Ok(())
}

/// A table with a frozen header row and filters.
fn table_sheet(sheet: &mut Worksheet, rows: usize, columns: u16) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows).unwrap_or(MAX_ROWS - 1);
    sheet.autofilter(0, 0, last_row, columns.saturating_sub(1))?;
    Ok(())
}

/// Key figures, then the plans' trees, the regions and the agencies.
fn write_summary(
    sheet: &mut Worksheet,
    formats: &Formats,
    data: &ReportData,
    synthesis: &Synthesis,
) -> Result<(), XlsxError> {
    let lang = data.heading.lang;
    set_widths(
        sheet,
        &[
            34.0,
            14.0,
            20.0,
            TITLE_WIDTH,
            40.0,
            10.0,
            10.0,
            10.0,
            12.0,
            10.0,
            11.0,
            11.0,
            10.0,
            12.0,
            8.0,
            15.0,
            15.0,
            12.0,
            15.0,
            15.0,
            12.0,
        ],
    )?;
    sheet.write_string_with_format(0, 0, data.heading.title(), &formats.title)?;
    sheet.write_string_with_format(1, 0, data.heading.subject_line(), &formats.bold)?;
    sheet.write_string(2, 0, data.heading.as_of_line())?;
    sheet.write_string(
        3,
        0,
        lang.t_with(
            "figures.as_of_sentence",
            &[("date", &lang.date(data.heading.as_of))],
        ),
    )?;
    let mut row = 4;
    if data.is_illustrative() {
        sheet.write_string(row, 0, lang.t("demo.illustrative"))?;
        row += 1;
    }
    row += 1;
    header_row(
        sheet,
        formats,
        lang,
        row,
        &["report.headline.title", "report.value"],
        &[],
    )?;
    row += 1;
    let total = &synthesis.total;
    let counts = [
        ("report.headline.planned", total.planned),
        ("report.headline.done", total.done),
        ("report.headline.in_progress", total.in_progress),
        ("report.headline.not_started", total.not_started),
        ("report.headline.postponed", total.postponed),
        ("report.headline.abandoned", total.abandoned),
        ("report.headline.above_target", total.above_target),
        ("report.headline.late", total.late),
    ];
    for (key, count) in counts {
        let mut cells = Cells::new(sheet, formats, row);
        cells.text(&lang.t(key))?;
        cells.count(count)?;
        row += 1;
    }
    let rates = [
        ("report.headline.execution_rate", total.execution_rate()),
        ("report.headline.budget_rate", total.budget_execution_rate()),
        (
            "report.headline.funding_rate",
            synthesis.mobilisation_rate(),
        ),
    ];
    // The key amounts say their currency in their label.
    let amounts = [
        ("report.headline.budget", total.budget),
        ("report.headline.spent", total.spent),
        ("report.headline.funding_planned", synthesis.funding_planned),
        (
            "report.headline.funding_mobilised",
            synthesis.funding_mobilised,
        ),
    ];
    for (key, rate) in rates {
        let mut cells = Cells::new(sheet, formats, row);
        cells.text(&lang.t(key))?;
        cells.percent(rate)?;
        row += 1;
    }
    let currency = currency_label(&synthesis.currency);
    for (key, amount) in amounts {
        let mut cells = Cells::new(sheet, formats, row);
        cells.text(&lang.t_with(key, &[("currency", currency)]))?;
        cells.money(amount)?;
        row += 1;
    }

    if !synthesis.nodes.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, lang.t("report.section.tree"), &formats.section)?;
        row += 1;
        let mut keys = vec![
            "report.col.level",
            "report.col.plan",
            "report.col.code",
            "report.col.item",
        ];
        keys.extend(SUMMARY_COLUMNS);
        header_row(sheet, formats, lang, row, &keys, &[])?;
        row += 1;
        for node in &synthesis.nodes {
            let mut cells = Cells::new(sheet, formats, row);
            if node.depth == 0 {
                cells.styled_text(&node.level_name, &formats.bold)?;
            } else {
                cells.text(&node.level_name)?;
            }
            cells.text(&node.plan_code)?;
            cells.text(&node.code)?;
            cells.styled_text(&node.title, &formats.wrap)?;
            cells::summary(&mut cells, &node.summary, &synthesis.currency)?;
            // Excel does not grow a row for its wrapped text by itself: a
            // row of default height lets a long title spill over the next.
            sheet.set_row_height(row, wrapped_height(&node.title, TITLE_WIDTH))?;
            row += 1;
        }
    }
    let groups = [
        (
            "report.section.regions",
            "report.col.region",
            &synthesis.regions,
            true,
        ),
        (
            "report.section.agencies",
            "report.col.agency",
            &synthesis.agencies,
            data.spans_agencies(),
        ),
    ];
    for (title_key, label_key, groups, shown) in groups {
        if shown {
            row += 1;
            row = write_groups(
                sheet,
                formats,
                (lang, &synthesis.currency),
                row,
                (title_key, label_key),
                groups,
            )?;
        }
    }
    if !synthesis.currencies.is_empty() {
        row += 1;
        write_currencies(sheet, formats, lang, row, synthesis)?;
    }
    Ok(())
}

/// Each currency's own figures, its money never added to another's.
fn write_currencies(
    sheet: &mut Worksheet,
    formats: &Formats,
    lang: Lang,
    mut row: u32,
    synthesis: &Synthesis,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(
        row,
        0,
        lang.t("report.section.currencies"),
        &formats.section,
    )?;
    row += 1;
    let mut keys = vec!["report.col.currency", "", "report.col.code", ""];
    keys.extend(SUMMARY_COLUMNS);
    keys.extend(CURRENCY_FUNDING_COLUMNS);
    header_row(sheet, formats, lang, row, &keys, &[])?;
    row += 1;
    for line in &synthesis.currencies {
        let mut cells = Cells::new(sheet, formats, row);
        cells.text(currency_label(&line.currency))?;
        cells.skip()?;
        cells.text(&line.currency)?;
        cells.skip()?;
        cells::currency(&mut cells, line)?;
        row += 1;
    }
    Ok(row)
}

fn write_groups(
    sheet: &mut Worksheet,
    formats: &Formats,
    (lang, currency): (Lang, &str),
    mut row: u32,
    (title_key, label_key): (&str, &str),
    groups: &[GroupLine],
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(row, 0, lang.t(title_key), &formats.section)?;
    row += 1;
    // Same columns as the tree above, so that the figures line up.
    let mut keys = vec![label_key, "", "report.col.code", ""];
    keys.extend(SUMMARY_COLUMNS);
    header_row(sheet, formats, lang, row, &keys, &[])?;
    row += 1;
    for group in groups {
        let mut cells = Cells::new(sheet, formats, row);
        cells.text(&group.label)?;
        cells.skip()?;
        cells.text(&group.code)?;
        cells.skip()?;
        cells::summary(&mut cells, &group.summary, currency)?;
        row += 1;
    }
    Ok(row)
}

fn write_indicators(
    sheet: &mut Worksheet,
    formats: &Formats,
    data: &ReportData,
) -> Result<(), XlsxError> {
    let lang = data.heading.lang;
    let periods: Vec<String> = data
        .periods
        .iter()
        .map(|period| period_header(lang, *period))
        .collect();
    let columns = header_row(sheet, formats, lang, 0, &INDICATOR_COLUMNS, &periods)?;
    let mut widths = vec![
        10.0, 12.0, 10.0, 45.0, 14.0, 16.0, 11.0, 11.0, 11.0, 11.0, 12.0, 13.0, 12.0, 10.0,
    ];
    widths.extend(periods.iter().map(|_| 14.0));
    set_widths(sheet, &widths)?;
    for (index, line) in data.indicators.iter().enumerate() {
        let indicator = &line.indicator;
        let mut cells = Cells::new(sheet, formats, row_index(index + 1));
        cells.text(&line.agency_code)?;
        cells.text(&line.plan_code)?;
        cells.text(&indicator.code)?;
        cells.text(&indicator.title)?;
        cells.optional_text(indicator.unit.as_deref())?;
        cells.text(&lang.t(indicator.direction.label_key()))?;
        cells.decimal(indicator.baseline)?;
        cells.year(indicator.baseline_year)?;
        cells.decimal(indicator.target)?;
        cells.year(indicator.target_year)?;
        cells.decimal(line.latest.map(|(_, value)| value))?;
        cells.date(line.latest.map(|(date, _)| date))?;
        cells.percent(line.progress)?;
        cells.optional_yes_no(lang, line.met)?;
        for period in &data.periods {
            cells.decimal(line.value_at(*period))?;
        }
    }
    table_sheet(sheet, data.indicators.len(), columns)
}

fn write_funding(
    sheet: &mut Worksheet,
    formats: &Formats,
    data: &ReportData,
) -> Result<(), XlsxError> {
    let lang = data.heading.lang;
    let columns = header_row(sheet, formats, lang, 0, &FUNDING_COLUMNS, &[])?;
    set_widths(sheet, &[10.0, 12.0, 36.0, 20.0, 8.0, 16.0, 16.0, 14.0])?;
    for (index, line) in data.funding.iter().enumerate() {
        let mut cells = Cells::new(sheet, formats, row_index(index + 1));
        cells.text(&line.agency_code)?;
        cells.text(&line.plan_code)?;
        cells.text(&line.source)?;
        cells.text(&lang.t(line.source_kind.label_key()))?;
        cells.text(currency_label(&line.currency))?;
        cells.money(line.planned.into())?;
        cells.money(line.mobilised.into())?;
        cells.percent(Ratio::new(
            i128::from(line.mobilised),
            i128::from(line.planned),
        ))?;
    }
    table_sheet(sheet, data.funding.len(), columns)
}

fn row_index(row: usize) -> u32 {
    u32::try_from(row).unwrap_or(MAX_ROWS - 1)
}
