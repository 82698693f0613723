//! The funding sheet of the plan file (XLSX only: a CSV file holds one
//! table): one row per funding line of the plan (plan de mobilisation des
//! fonds), named by its source, which the activities' "Source de
//! financement" column names in turn.

use super::{is_column, normalize, Problem};
use crate::domain::{Fcfa, FundingSourceKind};
use crate::i18n::Lang;
use crate::imports::table::Table;
use crate::store::funding::FundingFields;

/// The sheet of funding lines.
pub const FUNDING_SHEET: &str = "Financement";

/// The funding columns: (key, French header).
pub const FUNDING_COLUMNS: [(&str, &str); 4] = [
    ("source", "Source"),
    ("kind", "Nature"),
    ("planned", "Prévu (FCFA)"),
    ("mobilised", "Mobilisé (FCFA)"),
];

/// A row of the funding sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFunding {
    pub line: usize,
    pub fields: FundingFields,
}

/// The kind as a file may write it: its code or its label in either
/// language ("Budget d’État", "Partenaires", "own"…).
pub fn kind_of(text: &str) -> Option<FundingSourceKind> {
    let wanted = normalize(text);
    FundingSourceKind::ALL.iter().copied().find(|kind| {
        wanted == kind.as_str()
            || wanted == normalize(&Lang::Fr.t(kind.label_key()))
            || wanted == normalize(&Lang::En.t(kind.label_key()))
    })
}

/// Reads the funding sheet: every problem by line and column, the column
/// named `Financement › header`.
pub fn parse_funding(table: &Table) -> Result<Vec<FileFunding>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut lines: Vec<FileFunding> = Vec::new();
    let Some(header) = table.first() else {
        return Ok(lines);
    };
    let columns: Vec<Option<usize>> = FUNDING_COLUMNS
        .iter()
        .map(|(key, french)| header.iter().position(|h| is_column(h, (key, french))))
        .collect();
    let column_name = |key: &str| {
        let french = FUNDING_COLUMNS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, f)| f);
        format!("{FUNDING_SHEET} › {french}")
    };
    for (index, row) in table.iter().enumerate().skip(1) {
        let line = index + 1;
        let field = |key: &str| {
            let position = FUNDING_COLUMNS.iter().position(|(k, _)| *k == key);
            position
                .and_then(|p| columns[p])
                .and_then(|i| row.get(i))
                .map_or("", |s| s.trim())
        };
        let mut problem = |key: &str, message: &'static str, value: &str| {
            problems.push(Problem {
                line,
                column: column_name(key),
                key: message,
                value: value.to_owned(),
            });
        };
        let source = field("source").to_owned();
        if source.is_empty() {
            problem("source", "error.value.empty", "");
        } else if source.chars().count() > 200 {
            problem("source", "funding.error.source_long", "");
        } else if lines.iter().any(|l| l.fields.source == source) {
            problem("source", "funding.error.source_taken", &source);
        }
        let kind = kind_of(field("kind"));
        if kind.is_none() {
            problem("kind", "funding.error.kind", field("kind"));
        }
        let mut amount = |key: &str| -> i64 {
            let text = field(key);
            if text.is_empty() {
                return 0;
            }
            Fcfa::parse(text)
                .map(|f| f.0)
                .map_err(|e| problem(key, e.key(), text))
                .unwrap_or(0)
        };
        let planned = amount("planned");
        let mobilised = amount("mobilised");
        if let Some(source_kind) = kind {
            lines.push(FileFunding {
                line,
                fields: FundingFields {
                    source,
                    source_kind,
                    planned,
                    mobilised,
                },
            });
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        rows.iter()
            .map(|row| row.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn a_funding_sheet_reads_kinds_in_either_language_and_amounts_as_typed() {
        let lines = parse_funding(&table(&[
            &["Source", "Nature", "Prévu (FCFA)", "Mobilisé (FCFA)"],
            &[
                "Budget national",
                "Budget d’État",
                "12 500 000",
                "10 000 000",
            ],
            &["PNUD", "partners", "3 000 000", ""],
        ]))
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].fields.source_kind, FundingSourceKind::State);
        assert_eq!(lines[0].fields.planned, 12_500_000);
        assert_eq!(lines[1].fields.source_kind, FundingSourceKind::Partner);
        assert_eq!(lines[1].fields.mobilised, 0);
        assert_eq!(lines[1].line, 3);
    }

    #[test]
    fn a_bad_funding_row_names_its_line_and_column() {
        let problems = parse_funding(&table(&[
            &["Source", "Nature", "Prévu (FCFA)", "Mobilisé (FCFA)"],
            &["PNUD", "partner", "-5", "1"],
            &["PNUD", "own", "1", "1"],
            &["Mairie", "don", "1", "1"],
        ]))
        .unwrap_err();
        let at: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.key))
            .collect();
        assert!(at.contains(&(4, "Financement › Nature", "funding.error.kind")));
        assert!(at
            .iter()
            .any(|(l, c, _)| *l == 2 && *c == "Financement › Prévu (FCFA)"));
        assert!(at.contains(&(3, "Financement › Source", "funding.error.source_taken")));
    }
}
