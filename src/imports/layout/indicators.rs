//! An indicator sheet of an agency's own workbook: code, title, baseline and
//! its year, target and its year, unit, direction ("à la baisse"), and the
//! level it measures, with years taken from headers such as "Valeur de
//! référence (2024)" or "Cible 2026" when there is no year column.

use rust_decimal::Decimal;
use serde::Serialize;

use super::amount;
use super::detect::{Column, Layout};
use super::folding::fold;
use super::words::{self, Meaning};
use crate::domain::Direction;
use crate::imports::plan_file::Problem;
use crate::imports::table::Sheet;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub line: usize,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<Decimal>,
    pub baseline_year: Option<i32>,
    pub target: Option<Decimal>,
    pub target_year: Option<i32>,
    pub direction: Direction,
    /// The level it measures, as the file names it (a code or a title).
    pub node: Option<String>,
}

fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .find(|y| (1990..=2100).contains(y))
}

/// Reads the indicators under the header of `layout`; problems by line and column.
pub fn read(sheet: &Sheet, layout: &Layout) -> (Vec<Indicator>, Vec<Problem>) {
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut problems = Vec::new();
    let column = |m: Meaning| layout.column(m);
    let header_year = |m: Meaning| column(m).and_then(|c| year_in(&c.header));
    for row in sheet
        .rows
        .iter()
        .filter(|r| r.line >= layout.first_data_line())
    {
        let text = |m: Meaning| column(m).map_or("", |c| row.cell(c.index)).to_owned();
        let title = text(Meaning::Indicator);
        if title.is_empty() || words::is_total(&fold(&title)) || words::is_note(&fold(&title)) {
            continue;
        }
        let line = row.line;
        let mut problem = |m: Meaning, key: &'static str, value: &str| {
            problems.push(Problem {
                line,
                column: column(m).map_or(String::new(), Column::name),
                key,
                value: value.to_owned(),
            });
        };
        let mut quantity = |m: Meaning| {
            let t = text(m);
            if t.is_empty() || t == "-" || fold(&t) == "nd" {
                return None;
            }
            let q = amount::quantity(t.trim_end_matches('%').trim());
            if q.is_none() {
                problem(m, "error.value.not_a_number", &t);
            }
            q
        };
        let baseline = quantity(Meaning::Baseline);
        let target = quantity(Meaning::Target);
        let year =
            |m: Meaning, fallback: Meaning| year_in(&text(m)).or_else(|| header_year(fallback));
        let direction_text = fold(&text(Meaning::Direction));
        let direction = words::direction_of(&direction_text, &title);
        if direction.is_none() {
            problem(
                Meaning::Direction,
                "imports.error.direction",
                &text(Meaning::Direction),
            );
        }
        let code = super::plan::clean_code(&text(Meaning::Code));
        let code = if code.is_empty() {
            format!("IND{}", indicators.len() + 1)
        } else {
            code
        };
        if indicators.iter().any(|i| i.code == code) {
            problem(Meaning::Code, "imports.error.duplicate_code", &code);
        }
        indicators.push(Indicator {
            line,
            code,
            unit: Some(text(Meaning::Unit)).filter(|u| !u.is_empty()),
            baseline,
            baseline_year: year(Meaning::BaselineYear, Meaning::Baseline),
            target,
            target_year: year(Meaning::TargetYear, Meaning::Target),
            direction: direction.unwrap_or(Direction::Increase),
            node: Some(text(Meaning::Level)).filter(|n| !n.is_empty()),
            title,
        });
    }
    (indicators, problems)
}
