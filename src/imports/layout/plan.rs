//! A plan's rows, however the file writes its tree: section rows opened by a
//! level word ("Action prioritaire 1 : …", "Axe 1 : …", "OS 1.1 - …",
//! "Effet 1", "Produit 1.1" all in one column), numbering in a "N°" column
//! (1, 1.1, 1.1.1, or 4,3), or rows with only a code and a title. Every
//! other row is an activity with its fields and its schedule, or is ignored
//! and listed with the reason (totals, notes, signatures). Pure: the rows in,
//! what they say out.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::amount::{self, Amount, Currency};
use super::detect::{Column, Layout};
use super::folding::fold;
use super::words::{self, Meaning};
use crate::domain::FundingSourceKind;
use crate::i18n::Lang;
use crate::imports::plan_file::Problem;
use crate::imports::table::{Row, Sheet};

/// A node of the tree as the file gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub line: usize,
    pub depth: usize,
    pub code: String,
    pub title: String,
    pub parent: Option<String>,
    /// Its number as written (`1.2`), to find the activities under it.
    #[serde(skip)]
    pub number: Option<String>,
}

/// A planned period of an activity: a quarter (of the plan's year) or a
/// year, with its target or cost if the file gives one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub quarter: Option<u8>,
    pub year: Option<i32>,
    pub target: Option<Decimal>,
    pub cost: Option<i64>,
    /// `PM`: planned, not costed.
    pub pm: bool,
}

/// A funding source as written, and its kind when Suivi recognises it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funding {
    pub text: String,
    pub kind: Option<FundingSourceKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub line: usize,
    pub code: String,
    /// Whether Suivi made the code up (the file has none for the row).
    pub code_made: bool,
    pub title: String,
    pub parent: String,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub budget: Option<i64>,
    pub pm: bool,
    pub responsible: Option<String>,
    pub associated: Option<String>,
    pub region: Option<String>,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub schedule: Vec<Period>,
    pub funding: Vec<Funding>,
    pub indicator: Option<String>,
    pub comment: Option<String>,
}

/// A row that is not part of the plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    pub line: usize,
    pub text: String,
    /// The catalog key of the reason.
    pub reason: &'static str,
}

/// What the plan's rows say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlanRows {
    pub level_names: Vec<String>,
    pub nodes: Vec<Node>,
    pub activities: Vec<Activity>,
    pub ignored: Vec<Ignored>,
    /// What stops the import, by line and column.
    #[serde(skip)]
    pub problems: Vec<Problem>,
    /// What Suivi did about a value it could not take as it is (the import
    /// goes on): a text target kept as its unit, a date it could not read.
    #[serde(skip)]
    pub notes: Vec<Problem>,
    pub currency: Currency,
    /// The plan's years, from its year columns or its title block.
    pub years: Option<(i32, i32)>,
}

/// A section row: a level word and a number, or a code and a title alone.
pub(super) struct Section {
    /// The level's name as the file writes it (`Action prioritaire`).
    level: Option<String>,
    number: Option<String>,
    title: String,
    pub(super) is_activity: bool,
}

/// A code as Suivi keeps it: no spaces, a decimal comma as a point, no
/// trailing point (`4,3` → `4.3`, `1.` → `1`, `OS 1.1` → `OS1.1`).
pub fn clean_code(text: &str) -> String {
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    code.trim_end_matches(['.', ')', ':', '-']).to_owned()
}

/// Numbering: `1`, `1.2`, `1.2.3`, `4.3`, roman `IV`, also `a)`.
fn is_numbering(code: &str) -> bool {
    !code.is_empty()
        && (code
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            || code
                .chars()
                .all(|c| matches!(c, 'I' | 'V' | 'X' | 'i' | 'v' | 'x')))
}

/// A level word, then a number or a colon: "Action prioritaire 1 : Titre".
pub(super) fn section_of(text: &str) -> Option<Section> {
    let folded = fold(text);
    let (length, is_activity) = words::level_word(&folded)?;
    let original: Vec<char> = text.trim().chars().collect();
    // Folding keeps one character for one (accents) on these words.
    let level: String = original.iter().take(length).collect();
    let rest: String = original.iter().skip(length).collect();
    let rest = rest.trim_start();
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'I' | 'V' | 'X'))
        .collect();
    let after = rest[number.len()..].trim_start();
    let colon = after.starts_with([':', '-', '–', '—', ')', '.']);
    let number = clean_code(&number);
    if number.is_empty() && !colon {
        return None;
    }
    let title = after
        .trim_start_matches([':', '-', '–', '—', ')', '.', ' '])
        .trim()
        .to_owned();
    Some(Section {
        level: Some(level.trim().to_owned()),
        number: Some(number).filter(|n| !n.is_empty()),
        title,
        is_activity,
    })
}

/// The initials of a level name, for the code of a section without one:
/// `Action prioritaire` 1 → `AP1`, `Effet` 1 → `E1`.
fn initials(level: &str) -> String {
    let letters: String = level
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    letters
}

/// The meanings that make a row an activity rather than a section.
fn is_field(meaning: Meaning) -> bool {
    matches!(
        meaning,
        Meaning::Target
            | Meaning::Unit
            | Meaning::Budget
            | Meaning::Responsible
            | Meaning::Associated
            | Meaning::Funding
            | Meaning::Start
            | Meaning::End
            | Meaning::Region
            | Meaning::Quarter(_)
            | Meaning::Year(_)
    )
}

fn years_in(text: &str) -> Vec<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .collect()
}

/// Reads the plan's rows under the header of `layout`.
pub fn read(sheet: &Sheet, layout: &Layout) -> PlanRows {
    let mut out = PlanRows::default();
    let cell = |row: &Row, meaning: Meaning| -> String {
        layout
            .column(meaning)
            .map_or(String::new(), |c| row.cell(c.index).to_owned())
    };
    let fields: Vec<&Column> = layout
        .columns
        .iter()
        .filter(|c| is_field(c.meaning))
        .collect();
    let problem = |out: &mut PlanRows,
                   line: usize,
                   column: Option<&Column>,
                   key: &'static str,
                   value: &str| {
        out.problems.push(Problem {
            line,
            column: column.map_or(String::new(), Column::name),
            key,
            value: value.to_owned(),
        });
    };
    // The currency: named in a money header, else in the cells, else FCFA.
    let money_columns: Vec<&Column> = layout
        .columns
        .iter()
        .filter(|c| matches!(c.meaning, Meaning::Budget | Meaning::Year(_)))
        .collect();
    let mut currencies: Vec<Currency> = money_columns
        .iter()
        .filter_map(|c| Currency::named_in(&c.header))
        .collect();
    let years: Vec<i32> = layout
        .columns
        .iter()
        .filter_map(|c| match c.meaning {
            Meaning::Year(y) => Some(y),
            _ => None,
        })
        .collect();
    out.years = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) => Some((*a, *b)),
        _ => {
            let found: Vec<i32> = layout
                .title_block
                .iter()
                .chain(layout.columns.iter().map(|c| &c.header))
                .flat_map(|t| years_in(t))
                .collect();
            found
                .iter()
                .min()
                .zip(found.iter().max())
                .map(|(a, b)| (*a, *b))
        }
    };

    let mut depth_of_level: Vec<String> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut numbered_sections: Vec<usize> = Vec::new();
    let mut made_codes: HashMap<String, usize> = HashMap::new();
    for row in sheet
        .rows
        .iter()
        .filter(|r| r.line >= layout.first_data_line())
    {
        let line = row.line;
        let code_text = cell(row, Meaning::Code);
        let title_text = cell(row, Meaning::Title);
        let first_text = row
            .cells
            .iter()
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_default();
        let shown = if title_text.is_empty() {
            first_text.clone()
        } else {
            title_text.clone()
        };
        let has_fields = fields.iter().any(|c| !row.cell(c.index).is_empty());
        if words::is_total(&fold(&title_text))
            || words::is_total(&fold(&code_text))
            || words::is_total(&fold(&first_text)) && title_text.is_empty()
        {
            out.ignored.push(Ignored {
                line,
                text: shown,
                reason: "imports.ignored.total",
            });
            continue;
        }
        if code_text.is_empty() && title_text.is_empty() {
            out.ignored.push(Ignored {
                line,
                reason: if has_fields && !words::is_note(&fold(&first_text)) {
                    "imports.ignored.no_title"
                } else {
                    "imports.ignored.note"
                },
                text: first_text,
            });
            continue;
        }
        if code_text.is_empty() && words::is_note(&fold(&title_text)) {
            out.ignored.push(Ignored {
                line,
                text: shown,
                reason: "imports.ignored.note",
            });
            continue;
        }
        // A level word opens a section, in the title or in the code column.
        let section = section_of(&title_text).or_else(|| {
            section_of(&code_text).map(|s| Section {
                title: if s.title.is_empty() {
                    title_text.clone()
                } else {
                    s.title
                },
                ..s
            })
        });
        let code = clean_code(&code_text);
        let numbered_alone =
            section.is_none() && !has_fields && is_numbering(&code) && !title_text.is_empty();
        match section {
            Some(section) if !section.is_activity => {
                let level = section.level.clone().unwrap_or_default();
                let depth = match depth_of_level.iter().position(|l| fold(l) == fold(&level)) {
                    Some(depth) => depth,
                    None => {
                        depth_of_level.push(level.clone());
                        depth_of_level.len() - 1
                    }
                };
                let code = if !code.is_empty() && code != clean_code(&level) {
                    code
                } else {
                    format!(
                        "{}{}",
                        initials(&level),
                        section
                            .number
                            .clone()
                            .unwrap_or_else(|| (out.nodes.len() + 1).to_string())
                    )
                };
                let number = section
                    .number
                    .clone()
                    .or_else(|| is_numbering(&code).then(|| code.clone()));
                push_node(
                    &mut out,
                    &mut open,
                    line,
                    depth,
                    code,
                    section.title,
                    number,
                    &title_text,
                );
            }
            _ if numbered_alone => {
                let depth = code.split('.').count() - 1;
                numbered_sections.push(out.nodes.len());
                push_node(
                    &mut out,
                    &mut open,
                    line,
                    depth,
                    code.clone(),
                    title_text.clone(),
                    Some(code),
                    &title_text,
                );
            }
            section => {
                let (title, number) = match section {
                    Some(s) => (
                        if s.title.is_empty() {
                            title_text.clone()
                        } else {
                            s.title
                        },
                        s.number,
                    ),
                    None => (title_text.clone(), None),
                };
                let title = if title.is_empty() {
                    code_text.clone()
                } else {
                    title
                };
                let parent = parent_of(&out.nodes, &open, number.as_deref().unwrap_or(&code));
                let Some(parent) = parent else {
                    out.activities.push(activity(
                        row,
                        layout,
                        line,
                        String::new(),
                        false,
                        title,
                        String::new(),
                        &mut out.notes,
                        &mut out.problems,
                    ));
                    continue;
                };
                let parent_code = out.nodes[parent].code.clone();
                let (code, made) = if !code.is_empty() {
                    (code, false)
                } else if let Some(number) = number {
                    (number, false)
                } else {
                    let n = made_codes.entry(parent_code.clone()).or_insert(0);
                    *n += 1;
                    (format!("{parent_code}.{n}"), true)
                };
                let mut problems = Vec::new();
                let a = activity(
                    row,
                    layout,
                    line,
                    code,
                    made,
                    title,
                    parent_code,
                    &mut out.notes,
                    &mut problems,
                );
                out.problems.extend(problems);
                out.activities.push(a);
            }
        }
    }
    // A numbered row with only a code and a title and nothing under it is
    // an activity without fields, not a level.
    for index in numbered_sections.into_iter().rev() {
        let code = out.nodes[index].code.clone();
        let has_children = out.nodes.iter().any(|n| n.parent.as_deref() == Some(&code))
            || out.activities.iter().any(|a| a.parent == code);
        if has_children {
            continue;
        }
        let node = out.nodes.remove(index);
        let at = out
            .activities
            .iter()
            .position(|a| a.line > node.line)
            .unwrap_or(out.activities.len());
        let mut a = activity(
            &Row::default(),
            layout,
            node.line,
            node.code,
            false,
            node.title,
            node.parent.clone().unwrap_or_default(),
            &mut Vec::new(),
            &mut Vec::new(),
        );
        a.line = node.line;
        out.activities.insert(at, a);
    }
    // Activities before any section have no level to go under: the plan's
    // tree is the file's, never made up.
    for a in out.activities.iter().filter(|a| a.parent.is_empty()) {
        out.problems.push(Problem {
            line: a.line,
            column: layout
                .column(Meaning::Title)
                .map_or(String::new(), Column::name),
            key: "imports.error.no_level",
            value: a.title.clone(),
        });
    }
    let deepest = out.nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
    out.level_names = (0..deepest)
        .map(|depth| {
            depth_of_level.get(depth).cloned().unwrap_or_else(|| {
                Lang::Fr.t_with("imports.layout.level_n", &[("n", &(depth + 1).to_string())])
            })
        })
        .collect();
    // Codes are unique within the plan, nodes and activities each.
    let mut duplicate = Vec::new();
    let mut seen_nodes = std::collections::HashSet::new();
    for n in &out.nodes {
        if !seen_nodes.insert(n.code.clone()) {
            duplicate.push((n.line, n.code.clone()));
        }
    }
    let mut seen_activities = std::collections::HashSet::new();
    for a in &out.activities {
        if !seen_activities.insert(a.code.clone()) {
            duplicate.push((a.line, a.code.clone()));
        }
    }
    for (line, code) in duplicate {
        problem(
            &mut out,
            line,
            layout.column(Meaning::Code),
            "imports.error.duplicate_code",
            &code,
        );
    }
    // Amounts in cells may name the currency the headers do not.
    for row in sheet
        .rows
        .iter()
        .filter(|r| r.line >= layout.first_data_line())
    {
        for c in &money_columns {
            if let Some(currency) = Currency::named_in(row.cell(c.index)) {
                currencies.push(currency);
            }
        }
    }
    currencies.sort_by_key(|c| c.symbol());
    currencies.dedup();
    match currencies.as_slice() {
        [] => {}
        [one] => out.currency = *one,
        several => {
            let names: Vec<&str> = several.iter().map(|c| c.symbol()).collect();
            problem(
                &mut out,
                layout.header_line,
                money_columns.first().copied(),
                "imports.error.currencies",
                &names.join(", "),
            );
        }
    }
    out.problems.sort_by_key(|p| p.line);
    out
}

#[allow(clippy::too_many_arguments)]
fn push_node(
    out: &mut PlanRows,
    open: &mut Vec<usize>,
    line: usize,
    depth: usize,
    code: String,
    title: String,
    number: Option<String>,
    raw_title: &str,
) {
    open.truncate(depth);
    let parent = open.last().map(|&i| out.nodes[i].code.clone());
    // A level deeper than the one above it by more than one: under the last.
    let depth = open.len();
    let title = if title.is_empty() {
        raw_title.to_owned()
    } else {
        title
    };
    out.nodes.push(Node {
        line,
        depth,
        code,
        title,
        parent,
        number,
    });
    open.push(out.nodes.len() - 1);
}

/// The node an activity goes under: the one its number continues (`1.2.3`
/// under `1.2`), else the deepest section open above it.
fn parent_of(nodes: &[Node], open: &[usize], number: &str) -> Option<usize> {
    if is_numbering(number) {
        let mut prefix = number;
        while let Some((head, _)) = prefix.rsplit_once('.') {
            if let Some(i) = open
                .iter()
                .rev()
                .find(|&&i| nodes[i].number.as_deref() == Some(head))
            {
                return Some(*i);
            }
            prefix = head;
        }
    }
    open.last().copied()
}

/// An activity's fields from its row.
#[allow(clippy::too_many_arguments)]
fn activity(
    row: &Row,
    layout: &Layout,
    line: usize,
    code: String,
    code_made: bool,
    title: String,
    parent: String,
    notes: &mut Vec<Problem>,
    problems: &mut Vec<Problem>,
) -> Activity {
    let text = |meaning: Meaning| -> Option<String> {
        layout
            .column(meaning)
            .map(|c| row.cell(c.index).to_owned())
            .filter(|t| !t.is_empty())
    };
    let column = |meaning: Meaning| layout.column(meaning).map_or(String::new(), Column::name);
    let mut unit = text(Meaning::Unit);
    let target = match text(Meaning::Target) {
        None => None,
        Some(t) => match amount::quantity_and_unit(&t) {
            Some((q, u)) => {
                if unit.is_none() {
                    unit = u;
                }
                Some(q)
            }
            None => {
                // "Rapport validé": a target in words, kept as its unit.
                notes.push(Problem {
                    line,
                    column: column(Meaning::Target),
                    key: "imports.note.target_text",
                    value: t.clone(),
                });
                if unit.is_none() {
                    unit = Some(t);
                }
                None
            }
        },
    };
    let mut pm = false;
    let mut budget = match text(Meaning::Budget) {
        None => None,
        Some(t) => match amount::amount(&t) {
            Ok(Amount::Whole(n)) => Some(n),
            Ok(Amount::Pm) => {
                pm = true;
                None
            }
            Ok(Amount::Empty) => None,
            Err(key) => {
                problems.push(Problem {
                    line,
                    column: column(Meaning::Budget),
                    key,
                    value: t,
                });
                None
            }
        },
    };
    let mut schedule = Vec::new();
    for c in &layout.columns {
        let value = row.cell(c.index);
        if value.is_empty() {
            continue;
        }
        match c.meaning {
            Meaning::Quarter(q) => {
                let folded = fold(value);
                if matches!(
                    folded.as_str(),
                    "x" | "xx" | "✓" | "✔" | "•" | "oui" | "yes" | "*"
                ) {
                    schedule.push(Period {
                        quarter: Some(q),
                        year: None,
                        target: None,
                        cost: None,
                        pm: false,
                    });
                } else if let Some(quantity) = amount::quantity(value) {
                    if !quantity.is_zero() {
                        schedule.push(Period {
                            quarter: Some(q),
                            year: None,
                            target: Some(quantity),
                            cost: None,
                            pm: false,
                        });
                    }
                } else if folded != "-" {
                    notes.push(Problem {
                        line,
                        column: c.name(),
                        key: "imports.note.period_text",
                        value: value.to_owned(),
                    });
                }
            }
            Meaning::Year(y) => {
                let folded = fold(value);
                if folded == "x" {
                    schedule.push(Period {
                        quarter: None,
                        year: Some(y),
                        target: None,
                        cost: None,
                        pm: false,
                    });
                    continue;
                }
                match amount::amount(value) {
                    Ok(Amount::Whole(0)) | Ok(Amount::Empty) => {}
                    Ok(Amount::Whole(n)) => schedule.push(Period {
                        quarter: None,
                        year: Some(y),
                        target: None,
                        cost: Some(n),
                        pm: false,
                    }),
                    Ok(Amount::Pm) => schedule.push(Period {
                        quarter: None,
                        year: Some(y),
                        target: None,
                        cost: None,
                        pm: true,
                    }),
                    Err(key) => problems.push(Problem {
                        line,
                        column: c.name(),
                        key,
                        value: value.to_owned(),
                    }),
                }
            }
            _ => {}
        }
    }
    if budget.is_none() && schedule.iter().any(|p| p.cost.is_some()) {
        budget = Some(schedule.iter().filter_map(|p| p.cost).sum());
    }
    if budget.is_none() && schedule.iter().any(|p| p.pm) {
        pm = true;
    }
    let funding = text(Meaning::Funding)
        .map(|t| {
            t.split(['/', ',', ';', '+', '\n'])
                .flat_map(|part| part.split(" et "))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Funding {
                    text: p.to_owned(),
                    kind: words::funding_kind(&fold(p)),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut date = |meaning: Meaning| {
        let t = text(meaning)?;
        let date = amount::date(&t);
        if date.is_none() {
            notes.push(Problem {
                line,
                column: column(meaning),
                key: "imports.note.date_text",
                value: t,
            });
        }
        date
    };
    let start = date(Meaning::Start);
    let end = date(Meaning::End);
    let comments: Vec<String> = layout
        .columns
        .iter()
        .filter(|c| c.meaning == Meaning::Comment)
        .map(|c| row.cell(c.index).to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    Activity {
        line,
        code,
        code_made,
        title,
        parent,
        target,
        unit,
        budget,
        pm,
        responsible: text(Meaning::Responsible),
        associated: text(Meaning::Associated),
        region: text(Meaning::Region),
        start,
        end,
        schedule,
        funding,
        indicator: text(Meaning::Indicator),
        comment: Some(comments.join("\n")).filter(|c| !c.is_empty()),
    }
}
