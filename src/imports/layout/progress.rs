//! Progress rows in the officer's own words: a code, a status as people
//! write it ("Réalisée", "En cours d'exécution", "100 %"), an achieved
//! quantity, a rate, a date as text or a cell (or in the header:
//! "Réalisation au 30/09/2025"). A row whose status cannot be decided ("NR",
//! empty, "Suspendue") is kept aside for the user to settle, never guessed.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::amount::{self, Amount};
use super::detect::{Column, Layout};
use super::folding::fold;
use super::plan::{clean_code, Ignored};
use super::words::{self, Meaning};
use crate::domain::Status;
use crate::imports::plan_file::Problem;
use crate::imports::table::Sheet;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub line: usize,
    pub code: String,
    /// `None`: for the user to settle.
    pub status: Option<Status>,
    /// The status cell as written.
    pub status_text: String,
    pub achieved: Option<Decimal>,
    pub rate: Option<Decimal>,
    pub spent: Option<i64>,
    pub as_of: Option<NaiveDate>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProgressRows {
    pub rows: Vec<ProgressRow>,
    pub ignored: Vec<Ignored>,
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

impl ProgressRows {
    /// The rows left to the user: their status could not be decided.
    pub fn undecided(&self) -> impl Iterator<Item = &ProgressRow> {
        self.rows.iter().filter(|r| r.status.is_none())
    }
}

/// Reads the progress rows under the header of `layout`.
pub fn read(sheet: &Sheet, layout: &Layout) -> ProgressRows {
    let mut out = ProgressRows::default();
    let column = |m: Meaning| layout.column(m);
    // "Réalisation au 30/09/2025": the date of every row without its own.
    let header_date = layout
        .columns
        .iter()
        .filter(|c| {
            matches!(
                c.meaning,
                Meaning::Achieved | Meaning::Status | Meaning::Rate | Meaning::AsOf
            )
        })
        .find_map(|c| amount::date_in(&c.header))
        .or_else(|| layout.title_block.iter().find_map(|t| amount::date_in(t)));
    for row in sheet
        .rows
        .iter()
        .filter(|r| r.line >= layout.first_data_line())
    {
        let line = row.line;
        let text = |m: Meaning| column(m).map_or("", |c| row.cell(c.index)).to_owned();
        let code = clean_code(&text(Meaning::Code));
        let shown = row
            .cells
            .iter()
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_default();
        if words::is_total(&fold(&shown)) || words::is_total(&fold(&text(Meaning::Title))) {
            out.ignored.push(Ignored {
                line,
                text: shown,
                reason: "imports.ignored.total",
            });
            continue;
        }
        if code.is_empty() {
            out.ignored.push(Ignored {
                line,
                text: shown,
                reason: "imports.ignored.no_code",
            });
            continue;
        }
        if super::plan::section_of(&text(Meaning::Code)).is_some_and(|s| !s.is_activity) {
            out.ignored.push(Ignored {
                line,
                text: shown,
                reason: "imports.ignored.section",
            });
            continue;
        }
        let mut problem = |m: Meaning, key: &'static str, value: &str| {
            out.problems.push(Problem {
                line,
                column: column(m).map_or(String::new(), Column::name),
                key,
                value: value.to_owned(),
            });
        };
        let rate_text = text(Meaning::Rate);
        let rate = if rate_text.is_empty() {
            None
        } else {
            let rate = amount::rate(&rate_text).or_else(|| {
                // "75" in a "Taux (%)" column is 75 %.
                amount::quantity(&rate_text).map(|q| q / Decimal::ONE_HUNDRED)
            });
            if rate.is_none() {
                problem(Meaning::Rate, "error.value.not_a_number", &rate_text);
            }
            rate
        };
        let status_text = text(Meaning::Status);
        let status = if column(Meaning::Status).is_some() {
            words::status_of(&fold(&status_text))
        } else {
            // Without a status column, the rate says it.
            rate.map(words::status_of_rate)
        };
        let achieved_text = text(Meaning::Achieved);
        let achieved = if achieved_text.is_empty() {
            None
        } else {
            let q = amount::quantity(&achieved_text);
            if q.is_none() {
                problem(
                    Meaning::Achieved,
                    "error.value.not_a_number",
                    &achieved_text,
                );
            }
            q
        };
        let spent_text = text(Meaning::Spent);
        let spent = match amount::amount(&spent_text) {
            Ok(Amount::Whole(n)) => Some(n),
            Ok(_) => None,
            Err(key) => {
                problem(Meaning::Spent, key, &spent_text);
                None
            }
        };
        let as_of_text = text(Meaning::AsOf);
        let as_of = if as_of_text.is_empty() {
            header_date
        } else {
            let d = amount::date(&as_of_text);
            if d.is_none() {
                problem(Meaning::AsOf, "error.bad_date", &as_of_text);
            }
            d
        };
        out.rows.push(ProgressRow {
            line,
            code,
            status,
            status_text,
            achieved,
            rate,
            spent,
            as_of,
            comment: Some(text(Meaning::Comment)).filter(|c| !c.is_empty()),
        });
    }
    out
}
