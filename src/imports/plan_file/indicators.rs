//! The indicator sheet of the plan file (XLSX only: a CSV file holds one
//! table): one row per indicator, naming its node by code.

use rust_decimal::Decimal;

use super::{normalize, Problem};
use crate::domain::{self, Direction};
use crate::i18n::Lang;
use crate::imports::table::Table;
use crate::store::structure::IndicatorFields;

/// The sheet of indicators (XLSX only: a CSV file holds one table).
pub const INDICATOR_SHEET: &str = "Indicateurs";

/// The indicator columns: (key, French header).
pub const INDICATOR_COLUMNS: [(&str, &str); 9] = [
    ("node", "Niveau (code)"),
    ("code", "Code"),
    ("title", "Indicateur"),
    ("unit", "Unité"),
    ("baseline", "Référence"),
    ("baseline_year", "Année de référence"),
    ("target", "Cible"),
    ("target_year", "Année cible"),
    ("direction", "Sens"),
];

/// A row of the indicator sheet: an indicator as the editor would write it,
/// of the node the file names by code (none: of the whole plan).
#[derive(Debug, Clone, PartialEq)]
pub struct FileIndicator {
    pub line: usize,
    pub node: Option<String>,
    pub fields: IndicatorFields,
}

/// Reads the sheet of indicators: every problem by line and column, the
/// column named `Indicateurs › header`.
pub fn parse_indicators(
    table: &Table,
    node_codes: &[String],
) -> Result<Vec<FileIndicator>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut indicators: Vec<FileIndicator> = Vec::new();
    let Some(header) = table.first() else {
        return Ok(indicators);
    };
    let columns: Vec<Option<usize>> = INDICATOR_COLUMNS
        .iter()
        .map(|(key, french)| {
            header
                .iter()
                .position(|h| normalize(h) == normalize(french) || normalize(h) == *key)
        })
        .collect();
    let column_name = |key: &str| {
        let french = INDICATOR_COLUMNS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, f)| f);
        format!("{INDICATOR_SHEET} › {french}")
    };
    for (index, row) in table.iter().enumerate().skip(1) {
        let line = index + 1;
        let field = |key: &str| {
            let position = INDICATOR_COLUMNS.iter().position(|(k, _)| *k == key);
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
        let node = Some(field("node").to_owned()).filter(|n| !n.is_empty());
        if let Some(node) = &node {
            if !node_codes.contains(node) {
                problem("node", "imports.error.unknown_node", node);
            }
        }
        let code = field("code").to_owned();
        if code.is_empty() {
            problem("code", "imports.error.missing_code", "");
        } else if indicators.iter().any(|i| i.fields.code == code) {
            problem("code", "imports.error.duplicate_code", &code);
        }
        let title = field("title").to_owned();
        if title.is_empty() {
            problem("title", "error.value.empty", "");
        }
        let mut quantity = |key: &str| -> Option<Decimal> {
            let text = field(key);
            if text.is_empty() {
                return None;
            }
            domain::parse_quantity(text)
                .map_err(|e| problem(key, e.key(), text))
                .ok()
        };
        let baseline = quantity("baseline");
        let target = quantity("target");
        let mut year = |key: &str| -> Option<i32> {
            let text = field(key);
            if text.is_empty() {
                return None;
            }
            let year = domain::parse_plan_year(text);
            if year.is_none() {
                problems.push(Problem {
                    line,
                    column: column_name(key),
                    key: "error.bad_year",
                    value: text.to_owned(),
                });
            }
            year
        };
        let baseline_year = year("baseline_year");
        let target_year = year("target_year");
        let direction_text = field("direction");
        let direction = Direction::ALL.iter().copied().find(|d| {
            normalize(direction_text) == d.as_str()
                || normalize(direction_text) == normalize(&Lang::Fr.t(d.label_key()))
        });
        if direction.is_none() {
            problems.push(Problem {
                line,
                column: column_name("direction"),
                key: "imports.error.direction",
                value: direction_text.to_owned(),
            });
        }
        indicators.push(FileIndicator {
            line,
            node,
            fields: IndicatorFields {
                code,
                title,
                unit: Some(field("unit").to_owned()).filter(|u| !u.is_empty()),
                baseline,
                baseline_year,
                target,
                target_year,
                direction: direction.unwrap_or(Direction::Increase),
            },
        });
    }
    if problems.is_empty() {
        Ok(indicators)
    } else {
        Err(problems)
    }
}
