//! An agency's own workbook as a plan import: the layout found in it (or
//! the one the user chose in the preview, or a saved mapping), its rows as
//! `layout::plan` reads them, the indicators of an indicator sheet, then the
//! same `PlanFile` Suivi's template gives, checked against the regions, so
//! that the rest of the import (the diff, the one transaction) is shared.
//! What the plan has no place for (remarks, columns Suivi does not use)
//! stays in the preview and the JSON output, listed.

use serde::Serialize;

use super::layout::{self, amount::Currency, detect, Choices, Kind, Layout, Meaning};
use std::collections::HashMap;

use super::plan_file::{FileActivity, FileFunding, FileIndicator, FileNode, PlanFile, Problem};
use super::table::Sheet;
use rust_decimal::prelude::ToPrimitive;

use crate::domain::FundingSourceKind;
use crate::i18n::Lang;
use crate::schedule::{self, PlannedPeriod};
use crate::store::funding::FundingFields;
use crate::store::plans::FundingLine;
use crate::store::structure::{ActivityFields, IndicatorFields};

/// Everything Suivi understood of a file, for the preview and `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Understood {
    /// The workbook's sheets, to choose another one.
    pub sheets: Vec<String>,
    pub layout: Layout,
    pub plan: layout::plan::PlanRows,
    pub indicator_sheet: Option<String>,
    pub indicators: Vec<layout::indicators::Indicator>,
    /// What stops the import, by line and column.
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

impl Understood {
    /// The workbook's sheets, to choose another one.
    pub fn sheets_of(understood: &Understood) -> Vec<String> {
        understood.sheets.clone()
    }

    /// The columns Suivi does not import, for the preview to list.
    pub fn not_imported(&self) -> impl Iterator<Item = &layout::Column> {
        self.layout
            .columns
            .iter()
            .filter(|c| c.meaning == Meaning::NotImported)
    }

    /// The years the file's schedule columns name, for the meanings the
    /// preview offers.
    pub fn year_choices(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self
            .layout
            .columns
            .iter()
            .filter_map(|c| match c.guessed {
                Meaning::Year(y) => Some(y),
                _ => None,
            })
            .collect();
        if let Some((a, b)) = self.plan.years {
            years.extend(a..=b);
        }
        years.sort_unstable();
        years.dedup();
        years
    }

    /// Whether any activity has associated units: shown in the preview,
    /// not yet kept by the plan (its schedule and funding source are).
    pub fn has_unkept_fields(&self) -> bool {
        self.plan.activities.iter().any(|a| a.associated.is_some())
    }
}

/// Whether the table is Suivi's own plan file (the template, an export):
/// its first row has the template's `Code`, `Activité` and `Région`, which
/// `plan_file` reads exactly.
pub fn is_suivi_file(first_row: &[String]) -> bool {
    let folded: Vec<String> = first_row.iter().map(|h| layout::folding::fold(h)).collect();
    ["code", "activite", "region"]
        .iter()
        .all(|h| folded.iter().any(|f| f == h))
}

/// Finds the plan table and reads it; `None` when no sheet holds one.
pub fn understand(sheets: &[Sheet], choices: &Choices) -> Option<Understood> {
    let layout = detect(sheets, Kind::Plan, choices)?;
    let sheet = sheets.iter().find(|s| s.name == layout.sheet)?;
    let mut plan = layout::plan::read(sheet, &layout);
    // An activity is linked to one funding line: its other sources are
    // said, not dropped silently.
    let funding_column = layout
        .column(Meaning::Funding)
        .map_or(String::new(), layout::Column::name);
    for a in &plan.activities {
        let first = a.funding.first().map(line_of);
        let others: Vec<&str> = a
            .funding
            .iter()
            .skip(1)
            .filter(|f| Some(line_of(f)) != first)
            .map(|f| f.text.as_str())
            .collect();
        if !others.is_empty() {
            plan.notes.push(Problem {
                line: a.line,
                column: funding_column.clone(),
                key: "imports.note.more_sources",
                value: others.join(", "),
            });
        }
    }
    let mut problems = plan.problems.clone();
    let mut indicators = Vec::new();
    let mut indicator_sheet = None;
    for other in sheets.iter().filter(|s| s.name != layout.sheet) {
        if let Some(found) = detect(
            std::slice::from_ref(other),
            Kind::Indicators,
            &Choices::default(),
        ) {
            let (read, read_problems) = layout::indicators::read(other, &found);
            problems.extend(read_problems.into_iter().map(|p| Problem {
                column: format!("{} › {}", other.name, p.column),
                ..p
            }));
            indicators = read;
            indicator_sheet = Some(other.name.clone());
            break;
        }
    }
    Some(Understood {
        sheets: sheets.iter().map(|s| s.name.clone()).collect(),
        layout,
        plan,
        indicator_sheet,
        indicators,
        problems,
    })
}

/// The plan file the rows make: regions found by code or name (none is
/// national), indicators from the indicator column and sheet, every problem.
pub fn to_plan_file(
    understood: &Understood,
    regions: &[(String, String)],
    year: i32,
    plan_currency: Option<&str>,
) -> Result<PlanFile, Vec<Problem>> {
    let mut problems = understood.problems.clone();
    let rows = &understood.plan;
    let column = |m: Meaning| {
        understood
            .layout
            .column(m)
            .map_or(String::new(), layout::Column::name)
    };
    // A plan has one currency: amounts in another one than the plan's
    // would be added to its own.
    if let Some(plan_currency) = plan_currency {
        if currency_code(rows.currency) != plan_currency
            && rows.activities.iter().any(|a| a.budget.is_some())
        {
            problems.push(Problem {
                line: understood.layout.header_line,
                column: column(Meaning::Budget),
                key: "imports.error.other_currency",
                value: rows.currency.symbol().to_owned(),
            });
        }
    }
    let nodes: Vec<FileNode> = rows
        .nodes
        .iter()
        .map(|n| FileNode {
            depth: n.depth,
            code: n.code.clone(),
            title: n.title.clone(),
            parent: n.parent.clone(),
        })
        .collect();
    let (funding, sources) = group_funding(rows);
    let mut activities = Vec::new();
    let mut indicators: Vec<FileIndicator> = Vec::new();
    for a in &rows.activities {
        let region_code = match &a.region {
            None => "NAT".to_owned(),
            Some(text) => {
                let folded = layout::folding::fold(text);
                match regions.iter().find(|(code, name)| {
                    code.eq_ignore_ascii_case(text) || layout::folding::fold(name) == folded
                }) {
                    Some((code, _)) => code.clone(),
                    None => {
                        problems.push(Problem {
                            line: a.line,
                            column: column(Meaning::Region),
                            key: "imports.error.unknown_region",
                            value: text.clone(),
                        });
                        String::new()
                    }
                }
            }
        };
        if a.code.chars().count() > 64 {
            problems.push(Problem {
                line: a.line,
                column: column(Meaning::Code),
                key: "structure.error.code",
                value: a.code.clone(),
            });
        }
        activities.push(FileActivity {
            line: a.line,
            node: a.parent.clone(),
            fields: ActivityFields {
                code: a.code.clone(),
                title: a.title.clone(),
                unit: a.unit.clone(),
                target: a.target,
                budget: a.budget.unwrap_or(0),
                responsible_unit: a.responsible.clone(),
                associated_units: a.associated.clone(),
                region_code,
                planned_start: a.start,
                planned_end: a.end,
                funding_source: sources.get(&a.line).cloned(),
            },
            progress: None,
            schedule: Some(schedule_of(a, year)),
        });
        // An indicator written beside the activity measures its level.
        if let Some(title) = &a.indicator {
            let known = indicators
                .iter()
                .any(|i| i.node.as_deref() == Some(a.parent.as_str()) && &i.fields.title == title);
            if !known {
                indicators.push(FileIndicator {
                    line: a.line,
                    node: Some(a.parent.clone()),
                    fields: IndicatorFields {
                        code: format!("IND-{}", a.code),
                        title: title.clone(),
                        unit: None,
                        baseline: None,
                        baseline_year: None,
                        target: None,
                        target_year: None,
                        direction: layout::words::direction_of("", title)
                            .unwrap_or(crate::domain::Direction::Increase),
                    },
                });
            }
        }
    }
    for i in &understood.indicators {
        // The level it measures: named by code, by number or by title.
        let node = match &i.node {
            None => None,
            Some(text) => {
                let code = layout::plan::clean_code(text);
                let found = rows.nodes.iter().find(|n| {
                    n.code == code
                        || n.number.as_deref() == Some(code.as_str())
                        || layout::folding::fold(&n.title) == layout::folding::fold(text)
                });
                if found.is_none() {
                    problems.push(Problem {
                        line: i.line,
                        column: understood.indicator_sheet.clone().unwrap_or_default(),
                        key: "imports.error.unknown_node",
                        value: text.clone(),
                    });
                }
                found.map(|n| n.code.clone())
            }
        };
        indicators.push(FileIndicator {
            line: i.line,
            node,
            fields: IndicatorFields {
                code: i.code.clone(),
                title: i.title.clone(),
                unit: i.unit.clone(),
                baseline: i.baseline,
                baseline_year: i.baseline_year,
                target: i.target,
                target_year: i.target_year,
                direction: i.direction,
            },
        });
    }
    if activities.is_empty() {
        problems.push(Problem {
            line: understood.layout.first_data_line(),
            column: column(Meaning::Title),
            key: "imports.error.no_rows",
            value: String::new(),
        });
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    Ok(PlanFile {
        level_names: rows.level_names.clone(),
        nodes,
        activities,
        indicators,
        funding,
        has_funding_column: understood.layout.column(Meaning::Funding).is_some(),
        has_associated_column: understood.layout.column(Meaning::Associated).is_some(),
    })
}

/// The ISO code a plan stores for the file's currency.
pub fn currency_code(currency: Currency) -> &'static str {
    match currency {
        Currency::Xof => "XOF",
        Currency::Usd => "USD",
        Currency::Eur => "EUR",
    }
}

/// The planned periods of a row: its quarters in the plan's `year` (a PTA
/// is one year's), or its years. A quantity per period is kept when whole
/// (a period's target is a count of things done).
fn schedule_of(activity: &layout::plan::Activity, year: i32) -> Vec<PlannedPeriod> {
    let periods = activity
        .schedule
        .iter()
        .filter_map(|p| {
            let (year, quarter) = match (p.year, p.quarter) {
                (Some(y), q) => (y, q),
                (None, Some(q)) => (year, Some(q)),
                (None, None) => return None,
            };
            Some(PlannedPeriod {
                year,
                quarter,
                target: p
                    .target
                    .filter(|t| t.fract().is_zero())
                    .and_then(|t| t.to_i64()),
                cost: p.cost,
            })
        })
        .collect();
    schedule::normalized(periods)
}

/// The name of the funding line a source written in a file belongs to: the
/// spellings of the State budget ("Budget d'État", "BE", "Etat"), of own
/// resources, and the generic words for partners ("PTF", "Partenaires") are
/// one line each, named as Suivi names the kind; a named partner ("PNUD",
/// "Union européenne") or a source Suivi does not know is a line of its own,
/// as first written.
fn line_of(funding: &layout::plan::Funding) -> (String, FundingSourceKind) {
    let generic_partner = [
        "ptf",
        "partenaire",
        "partenaires",
        "partenaires techniques et financiers",
        "bailleur",
        "bailleurs",
        "partners",
        "donor",
        "donors",
    ];
    let folded = layout::folding::fold(&funding.text);
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
    match funding.kind {
        Some(kind @ (FundingSourceKind::State | FundingSourceKind::Own)) => {
            (Lang::Fr.t(kind.label_key()).into_owned(), kind)
        }
        Some(FundingSourceKind::Partner) if generic_partner.contains(&folded) => (
            Lang::Fr
                .t(FundingSourceKind::Partner.label_key())
                .into_owned(),
            FundingSourceKind::Partner,
        ),
        // A source of unknown kind is most often an outside fund ("FER",
        // "Fonds routier"): the user can change its kind on the funding
        // plan's page.
        kind => (
            funding.text.clone(),
            kind.unwrap_or(FundingSourceKind::Partner),
        ),
    }
}

/// The plan's funding lines from the activities' sources, and the line of
/// each activity (by its line in the file): an activity is linked to its
/// first source (Suivi links an activity to one line; the others are noted
/// in the preview), and a line plans the budgets of its activities.
fn group_funding(rows: &layout::plan::PlanRows) -> (Vec<FileFunding>, HashMap<usize, String>) {
    let mut lines: Vec<FileFunding> = Vec::new();
    let mut sources = HashMap::new();
    for a in &rows.activities {
        let Some(first) = a.funding.first() else {
            continue;
        };
        let (source, source_kind) = line_of(first);
        let budget = a.budget.unwrap_or(0);
        match lines
            .iter_mut()
            .find(|l| layout::folding::fold(&l.fields.source) == layout::folding::fold(&source))
        {
            Some(line) => line.fields.planned += budget,
            None => lines.push(FileFunding {
                line: a.line,
                fields: FundingFields {
                    source: source.clone(),
                    source_kind,
                    planned: budget,
                    mobilised: 0,
                },
            }),
        }
        sources.insert(a.line, source);
    }
    (lines, sources)
}

/// Links the file's lines to the plan's lines of the same source (spelled
/// the same, accents and case aside): the plan keeps its line as it is, and
/// the activities name it as the plan spells it.
pub fn settle_funding(file: &mut PlanFile, existing: &[FundingLine]) {
    let fold = |s: &str| layout::folding::fold(s);
    file.funding.retain(|line| {
        let Some(known) = existing
            .iter()
            .find(|l| fold(&l.source) == fold(&line.fields.source))
        else {
            return true;
        };
        for activity in &mut file.activities {
            if activity.fields.funding_source.as_deref() == Some(line.fields.source.as_str()) {
                activity.fields.funding_source = Some(known.source.clone());
            }
        }
        false
    });
}
