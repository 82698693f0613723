//! What a report is and what it is called: its format, its CSV table and
//! separator, as URLs and the command line give them; its subject, year and
//! date, which make its title and its file name.

use chrono::NaiveDate;

use crate::i18n::Lang;

// `ValueEnum` for `suivi export report --format`; URLs use `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Xlsx,
    Csv,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Xlsx, Format::Csv, Format::Pdf];

    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }
}

/// Which table a CSV holds: CSV has one table per file, so each table of the
/// workbook is its own download (`?table=`), the activities by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvTable {
    Activities,
    Summary,
    Indicators,
    Funding,
}

impl CsvTable {
    pub const ALL: [CsvTable; 4] = [
        CsvTable::Activities,
        CsvTable::Summary,
        CsvTable::Indicators,
        CsvTable::Funding,
    ];

    pub fn parse(text: Option<&str>) -> Option<CsvTable> {
        match text.map(str::trim).unwrap_or("") {
            "" | "activities" => Some(CsvTable::Activities),
            "summary" => Some(CsvTable::Summary),
            "indicators" => Some(CsvTable::Indicators),
            "funding" => Some(CsvTable::Funding),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CsvTable::Activities => "activities",
            CsvTable::Summary => "summary",
            CsvTable::Indicators => "indicators",
            CsvTable::Funding => "funding",
        }
    }

    /// The catalog key of the table's name (the sheet of the same content).
    pub fn label_key(self) -> &'static str {
        match self {
            CsvTable::Activities => "report.sheet.activities",
            CsvTable::Summary => "report.sheet.summary",
            CsvTable::Indicators => "report.sheet.indicators",
            CsvTable::Funding => "report.sheet.funding",
        }
    }
}

/// The CSV field separator: `;` by default, because French Excel reads `,` as
/// the decimal mark; `,` on request (`?sep=comma`), with `.` as decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Separator {
    // The aliases: `--sep ';'` has always been accepted, as in URLs.
    #[value(alias = ";")]
    Semicolon,
    #[value(alias = ",")]
    Comma,
}

impl Separator {
    pub fn parse(text: Option<&str>) -> Option<Separator> {
        match text.map(str::trim).unwrap_or("") {
            "" | "semicolon" | ";" => Some(Separator::Semicolon),
            "comma" | "," => Some(Separator::Comma),
            _ => None,
        }
    }
}

/// `2025.xlsx` → (2025, XLSX).
pub fn parse_file_name(name: &str) -> Result<(i32, Format), &'static str> {
    let (year, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let year = crate::domain::parse_plan_year(year).ok_or("error.bad_year")?;
    let format = Format::parse(extension).ok_or("report.bad_format")?;
    Ok((year, format))
}

/// A name fit for a `Content-Disposition` header and any file system: ASCII
/// letters, digits, `-`, `_` and `.` (agency codes are checked by the schema,
/// but a header is no place to trust that).
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A year is read as of its last day, or as of today while it runs.
pub fn default_as_of(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).map_or(today, |end| end.min(today))
}

/// What a report is about, for its title, its file name and what it shows.
#[derive(Debug, Clone)]
pub enum Subject {
    /// An agency and the agencies under it.
    Agency { code: String, name: String },
    /// Every agency the reader may read.
    Consolidated,
    /// A board session's dashboard: its reviewed plan as of its cutoff.
    Session(SessionHeading),
}

#[derive(Debug, Clone)]
pub struct SessionHeading {
    pub agency_code: String,
    pub agency_name: String,
    /// "30ᵉ session ordinaire", in the reader's language.
    pub title: String,
    pub number: i32,
    pub held_on: NaiveDate,
    pub place: Option<String>,
    pub chair: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub subject: Subject,
    pub year: i32,
    pub as_of: NaiveDate,
    pub lang: Lang,
}

impl Heading {
    pub fn is_consolidated(&self) -> bool {
        matches!(self.subject, Subject::Consolidated)
    }

    /// "Rapport annuel de performance 2025", or the session's title.
    pub fn title(&self) -> String {
        match &self.subject {
            Subject::Session(session) => session.title.clone(),
            _ => self
                .lang
                .t_with("report.title", &[("year", &self.year.to_string())]),
        }
    }

    /// Whose report it is: "Agence … (ANASER)" or "every agency you may read".
    pub fn subject_line(&self) -> String {
        match &self.subject {
            Subject::Agency { code, name } => format!("{name} ({code})"),
            Subject::Consolidated => self.lang.t("report.consolidated").into_owned(),
            Subject::Session(session) => {
                format!("{} ({})", session.agency_name, session.agency_code)
            }
        }
    }

    /// "Situation au 30 novembre 2025".
    pub fn as_of_line(&self) -> String {
        self.lang
            .t_with("report.as_of", &[("date", &self.lang.date(self.as_of))])
    }

    /// An ASCII file name: `rapport-ANASER-2025-au-2025-11-30.xlsx`; a CSV
    /// other than the activities names its table.
    pub fn file_name(&self, format: Format, table: CsvTable) -> String {
        let stem = match &self.subject {
            Subject::Agency { code, .. } => self.lang.t_with(
                "report.file.agency",
                &[("agency", code), ("year", &self.year.to_string())],
            ),
            Subject::Consolidated => self.lang.t_with(
                "report.file.consolidated",
                &[("year", &self.year.to_string())],
            ),
            Subject::Session(session) => self.lang.t_with(
                "report.file.session",
                &[
                    ("agency", &session.agency_code),
                    ("n", &session.number.to_string()),
                ],
            ),
        };
        let table = match (format, table) {
            (Format::Csv, table) if table != CsvTable::Activities => {
                format!("-{}", table.as_str())
            }
            _ => String::new(),
        };
        safe_file_name(&format!(
            "{stem}-{}{table}.{}",
            self.as_of,
            format.extension()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn file_names_from_urls() {
        assert_eq!(parse_file_name("2025.xlsx"), Ok((2025, Format::Xlsx)));
        assert_eq!(parse_file_name("2025.PDF"), Ok((2025, Format::Pdf)));
        assert_eq!(parse_file_name("2025.doc"), Err("report.bad_format"));
        assert_eq!(parse_file_name("2025"), Err("report.bad_format"));
        assert_eq!(parse_file_name("20x5.csv"), Err("error.bad_year"));
        assert_eq!(parse_file_name("1066.csv"), Err("error.bad_year"));
    }

    #[test]
    fn a_year_is_read_as_of_its_end_or_today() {
        let today = date(2026, 11, 25);
        assert_eq!(default_as_of(2025, today), date(2025, 12, 31));
        assert_eq!(default_as_of(2026, today), today);
    }

    #[test]
    fn parameters() {
        assert_eq!(Separator::parse(None), Some(Separator::Semicolon));
        assert_eq!(Separator::parse(Some("comma")), Some(Separator::Comma));
        assert_eq!(Separator::parse(Some("tab")), None);
        assert_eq!(CsvTable::parse(Some("")), Some(CsvTable::Activities));
        assert_eq!(CsvTable::parse(Some("funding")), Some(CsvTable::Funding));
        assert_eq!(CsvTable::parse(Some("all")), None);
    }

    #[test]
    fn file_names_are_plain_ascii() {
        let heading = Heading {
            subject: Subject::Agency {
                code: "ANASER".into(),
                name: "Agence".into(),
            },
            year: 2025,
            as_of: date(2025, 11, 30),
            lang: Lang::Fr,
        };
        assert_eq!(
            heading.file_name(Format::Xlsx, CsvTable::Activities),
            "rapport-ANASER-2025-au-2025-11-30.xlsx"
        );
        assert_eq!(
            heading.file_name(Format::Csv, CsvTable::Summary),
            "rapport-ANASER-2025-au-2025-11-30-summary.csv"
        );
        let english = Heading {
            subject: Subject::Consolidated,
            lang: Lang::En,
            ..heading
        };
        assert_eq!(
            english.file_name(Format::Pdf, CsvTable::Activities),
            "consolidated-report-2025-as-of-2025-11-30.pdf"
        );
    }
}
