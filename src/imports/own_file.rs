//! An agency's own workbook as a plan import: the layout found in it (or
//! the one the user chose in the preview, or a saved mapping), its rows as
//! `layout::plan` reads them, the indicators of an indicator sheet, then the
//! same `PlanFile` Suivi's template gives, checked against the regions, so
//! that the rest of the import (the diff, the one transaction) is shared.
//! What the plan has no place for yet (schedule, funding sources, associated
//! units, remarks) stays in the preview and the JSON output, listed.

use serde::Serialize;

use super::layout::{self, amount::Currency, detect, Choices, Kind, Layout, Meaning};
use super::plan_file::{FileActivity, FileIndicator, FileNode, PlanFile, Problem};
use super::table::Sheet;
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

    /// Whether any activity has a schedule, funding source or associated
    /// unit: shown in the preview, not yet kept by the plan.
    pub fn has_unkept_fields(&self) -> bool {
        self.plan
            .activities
            .iter()
            .any(|a| !a.schedule.is_empty() || !a.funding.is_empty() || a.associated.is_some())
    }
}

/// Whether the table is Suivi's own plan file (the template, an export):
/// its first row has the template's `Code`, `Activité` and `Région`, which
/// `plan_file` reads exactly.
pub fn is_suivi_file(first_row: &[String]) -> bool {
    let folded: Vec<String> = first_row.iter().map(|h| layout::words::fold(h)).collect();
    ["code", "activite", "region"]
        .iter()
        .all(|h| folded.iter().any(|f| f == h))
}

/// Finds the plan table and reads it; `None` when no sheet holds one.
pub fn understand(sheets: &[Sheet], choices: &Choices) -> Option<Understood> {
    let layout = detect(sheets, Kind::Plan, choices)?;
    let sheet = sheets.iter().find(|s| s.name == layout.sheet)?;
    let plan = layout::plan::read(sheet, &layout);
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
) -> Result<PlanFile, Vec<Problem>> {
    let mut problems = understood.problems.clone();
    let rows = &understood.plan;
    let column = |m: Meaning| {
        understood
            .layout
            .column(m)
            .map_or(String::new(), layout::Column::name)
    };
    if rows.currency != Currency::Xof && rows.activities.iter().any(|a| a.budget.is_some()) {
        // Budgets are FCFA throughout Suivi (totals, reports, boards): a
        // plan in another currency would add dollars to francs.
        problems.push(Problem {
            line: understood.layout.header_line,
            column: column(Meaning::Budget),
            key: "imports.error.not_fcfa",
            value: rows.currency.symbol().to_owned(),
        });
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
    let mut activities = Vec::new();
    let mut indicators: Vec<FileIndicator> = Vec::new();
    for a in &rows.activities {
        let region_code = match &a.region {
            None => "NAT".to_owned(),
            Some(text) => {
                let folded = layout::words::fold(text);
                match regions.iter().find(|(code, name)| {
                    code.eq_ignore_ascii_case(text) || layout::words::fold(name) == folded
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
                region_code,
                planned_start: a.start,
                planned_end: a.end,
                // Funding sources are listed in the preview, not yet grouped
                // into the plan's lines.
                funding_source: None,
            },
            progress: None,
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
                        || layout::words::fold(&n.title) == layout::words::fold(text)
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
        funding: Vec::new(),
        has_funding_column: false,
    })
}
