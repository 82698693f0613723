//! What the import preview shows of an agency's own file, and the user's
//! corrections it sends back: the sheet, each column's meaning (a select),
//! the statuses left to settle, and the name to save the mapping under.
//! The choices travel in the preview's forms (hidden in the apply form), so
//! that what is applied is what was last previewed.

use crate::domain::Status;
use crate::i18n::Lang;
use crate::imports::layout::progress::ProgressRow;
use crate::imports::layout::{words::CHOICES, Choices, Layout, Meaning};
use crate::imports::own_file::Understood;

/// An agency's own file as the preview shows it.
pub struct Reading {
    /// A plan file: everything understood.
    pub plan: Option<Box<Understood>>,
    /// A progress file: where its table is.
    pub layout: Option<Layout>,
    /// The workbook's sheets.
    pub sheets: Vec<String>,
    /// Progress rows whose status is for the user to settle.
    pub left: Vec<ProgressRow>,
    pub choices: Choices,
    /// The saved mapping the file was read with, if one fitted it.
    pub mapping: Option<String>,
    /// The kept upload, to preview again or apply.
    pub token: String,
}

impl Reading {
    pub fn layout(&self) -> Option<&Layout> {
        self.plan
            .as_ref()
            .map(|u| &u.layout)
            .or(self.layout.as_ref())
    }

    /// Every meaning a column may be given, as (key, label): the fixed
    /// ones, the four quarters, the years the file names.
    pub fn options(&self, lang: &Lang) -> Vec<(String, String)> {
        let mut options: Vec<(String, String)> = CHOICES
            .iter()
            .map(|m| (m.key(), lang.t(m.label_key()).into_owned()))
            .collect();
        for q in 1..=4 {
            let m = Meaning::Quarter(q);
            options.push((m.key(), format!("{} {q}", lang.t(m.label_key()))));
        }
        let years = self
            .plan
            .as_ref()
            .map(|u| u.year_choices())
            .unwrap_or_default();
        for y in years {
            let m = Meaning::Year(y);
            options.push((m.key(), format!("{} {y}", lang.t(m.label_key()))));
        }
        options
    }

    /// The name of the level a node is at.
    pub fn level_name(&self, depth: &usize) -> String {
        self.plan
            .as_ref()
            .and_then(|u| u.plan.level_names.get(*depth).cloned())
            .unwrap_or_default()
    }

    /// The rows not read as part of the plan, with their reason.
    pub fn ignored(&self) -> &[crate::imports::layout::plan::Ignored] {
        self.plan
            .as_ref()
            .map_or(&[], |u| u.plan.ignored.as_slice())
    }

    pub fn statuses(&self) -> &'static [Status] {
        Status::ALL
    }

    /// Whether the column's meaning is this key (for the select).
    pub fn is_meaning(&self, column: &crate::imports::layout::Column, key: &str) -> bool {
        column.meaning.key() == key
    }

    /// A schedule as one line: `T1, T2 (250)`, `2022: 15 000 000, 2023: PM`.
    pub fn schedule(
        &self,
        lang: &Lang,
        periods: &[crate::imports::layout::plan::Period],
    ) -> String {
        periods
            .iter()
            .map(|p| {
                let name = match (p.quarter, p.year) {
                    (Some(q), _) => format!("T{q}"),
                    (None, Some(y)) => y.to_string(),
                    _ => String::new(),
                };
                match (p.target, p.cost, p.pm) {
                    (Some(t), _, _) => format!("{name} ({})", lang.quantity(t)),
                    (_, Some(c), _) => format!("{name} : {}", lang.integer(c)),
                    (_, _, true) => format!("{name} : PM"),
                    _ => name,
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Funding sources as one line.
    pub fn funding(&self, sources: &[crate::imports::layout::plan::Funding]) -> String {
        sources
            .iter()
            .map(|f| f.text.clone())
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The choices as the form's fields: (name, value).
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        if let Some(layout) = self.layout() {
            fields.push(("sheet".to_owned(), layout.sheet.clone()));
            fields.push(("header_line".to_owned(), layout.header_line.to_string()));
            for column in &layout.columns {
                fields.push((format!("col_{}", column.letter), column.meaning.key()));
            }
        }
        for (line, status) in &self.choices.settled {
            fields.push((format!("settle_{line}"), status.clone()));
        }
        fields
    }
}

/// The choices a preview form sends: `sheet`, `header_line`, `col_H` = a
/// meaning key, `settle_12` = a status key. Anything else is left alone,
/// an unknown value ignored (the guess stands).
pub fn choices_from(fields: &[(String, String)]) -> Choices {
    let mut choices = Choices::default();
    let value_of = |wanted: &str| {
        fields
            .iter()
            .find(|(n, _)| n == wanted)
            .map(|(_, v)| v.as_str())
    };
    // Another sheet: its header and columns are found afresh.
    let new_sheet = value_of("sheet").is_some_and(|s| Some(s) != value_of("from_sheet"))
        && value_of("from_sheet").is_some();
    for (name, value) in fields {
        if new_sheet && (name == "header_line" || name.starts_with("col_")) {
            continue;
        }
        if name == "sheet" && !value.is_empty() {
            choices.sheet = Some(value.clone());
        } else if name == "header_line" {
            choices.header_line = value.parse().ok();
        } else if let Some(letter) = name.strip_prefix("col_") {
            if Meaning::parse(value).is_some() && letter.chars().all(|c| c.is_ascii_uppercase()) {
                choices.meanings.push((letter.to_owned(), value.clone()));
            }
        } else if let Some(line) = name.strip_prefix("settle_") {
            let known = Status::ALL.iter().any(|s| s.as_str() == value);
            if let (Ok(line), true) = (line.parse(), known) {
                choices.settled.push((line, value.clone()));
            }
        }
    }
    choices
}
