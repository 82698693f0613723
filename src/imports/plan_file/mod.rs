//! The plan file: one row per activity, the tree's levels first (one column
//! per level, headed by the plan's own level names, each cell `CODE · Title`),
//! then the activity's fields and its progress. Suivi writes it (export, the
//! template) and reads it back (plan import, progress import): what an admin
//! edits in Excel comes back cell for cell. Its indicators are on a sheet
//! of their own ([`indicators`]), its funding lines too ([`funding`]).

mod funding;
mod indicators;

use crate::schedule::{self, PlannedPeriod};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

pub use funding::{kind_of, parse_funding, FileFunding, FUNDING_COLUMNS, FUNDING_SHEET};
pub use indicators::{parse_indicators, FileIndicator, INDICATOR_COLUMNS, INDICATOR_SHEET};

use super::table::Table;
use crate::domain::{self, Fcfa, Status};
use crate::i18n::{currency_label, Lang};
use crate::imports::layout::amount::Currency;
use crate::store::structure::ActivityFields;

/// Between a level's code and its title in a level cell.
pub const LEVEL_SEPARATOR: &str = " · ";

/// The activity columns, after the level columns: (key, French header).
pub const COLUMNS: [(&str, &str); 18] = [
    ("code", "Code"),
    ("title", "Activité"),
    ("target", "Cible"),
    ("unit", "Unité"),
    ("budget", "Budget (FCFA)"),
    ("responsible", "Responsable"),
    ("region", "Région"),
    ("start", "Début prévu"),
    ("end", "Fin prévue"),
    ("status", "Statut"),
    ("achieved", "Réalisation"),
    ("spent", "Dépensé (FCFA)"),
    ("as_of", "À la date du"),
    ("comment", "Commentaire"),
    ("base", "Version (ne pas modifier)"),
    // Last, so that files written before them keep their columns' places.
    ("funding", "Source de financement"),
    ("associated", "Structures associées"),
    ("schedule", "Chronogramme"),
];

/// A level of the tree as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileNode {
    pub depth: usize,
    pub code: String,
    pub title: String,
    pub parent: Option<String>,
}

/// A row of the plan sheet: an activity as the editor would write it, in
/// the node the file names by code, with the progress columns if read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileActivity {
    /// The line in the file (the header is line 1).
    pub line: usize,
    /// The code of the deepest level the row fills.
    pub node: String,
    pub fields: ActivityFields,
    pub progress: Option<FileProgress>,
    /// Its schedule, when the file has a chronogramme (an agency's own file,
    /// or Suivi's with its "Chronogramme" column); `None` leaves the
    /// activity's schedule as it is.
    pub schedule: Option<Vec<PlannedPeriod>>,
}

/// The progress columns of a row, when its status is filled.
#[derive(Debug, Clone, PartialEq)]
pub struct FileProgress {
    pub status: Status,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
    pub as_of: NaiveDate,
    pub comment: Option<String>,
    /// The update the export was made from (the conflict check's base).
    pub base: Option<i64>,
}

/// One thing wrong in the file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub key: &'static str,
    pub value: String,
}

#[derive(Debug, Default)]
pub struct PlanFile {
    pub level_names: Vec<String>,
    pub nodes: Vec<FileNode>,
    pub activities: Vec<FileActivity>,
    pub indicators: Vec<FileIndicator>,
    pub funding: Vec<FileFunding>,
    /// Whether the plan sheet has the "Source de financement" column: a file
    /// without it (made before it existed, or by hand) leaves the
    /// activities' sources as they are.
    pub has_funding_column: bool,
    /// Whether it has the "Structures associées" column: a file without it
    /// leaves the activities' associated units as they are.
    pub has_associated_column: bool,
}

/// What the file is checked against.
pub struct Context<'a> {
    /// Region codes and names.
    pub regions: &'a [(String, String)],
    /// The plan's level names, when the plan exists (a new plan takes the file's).
    pub level_names: Option<&'a [String]>,
    pub today: NaiveDate,
    pub years: (i32, i32),
    /// Whether the progress columns are read (progress import) or left
    /// alone (plan import: a file exported from last year's plan may seed
    /// this year's).
    pub with_progress: bool,
}

/// A column's title in a plan's file: a money column names the plan's
/// currency, `Budget (FCFA)`, `Budget (USD)`.
pub fn title_in(french: &str, currency: &str) -> String {
    match french.strip_suffix(" (FCFA)") {
        Some(name) => format!("{name} ({})", currency_label(currency)),
        None => french.to_owned(),
    }
}

/// A header as compared with a column's title: normalised, the currency
/// in brackets after a money column's name left aside (`Budget (USD)` is
/// the budget column; [`money_currency`] says in which currency).
fn header_key(text: &str) -> String {
    let folded = normalize(text);
    match folded.rsplit_once(" (") {
        Some((name, rest)) if rest.ends_with(')') && Currency::named_in(rest).is_some() => {
            name.to_owned()
        }
        _ => folded,
    }
}

/// Whether a header is the column of that key and French title.
fn is_column(header: &str, (key, french): (&str, &str)) -> bool {
    header_key(header) == header_key(french) || normalize(header) == key
}

/// The currency the plan sheet's money columns name (`Budget (USD)`), if
/// they name one: a file's amounts must be in its plan's currency.
pub fn money_currency(table: &Table) -> Option<Currency> {
    let header = table.first()?;
    COLUMNS
        .iter()
        .filter(|(_, french)| french.ends_with("(FCFA)"))
        .find_map(|column| {
            let title = header.iter().find(|h| is_column(h, *column))?;
            Currency::named_in(title)
        })
}

/// Lowercase, no accents, single spaces: how headers and statuses are matched.
fn normalize(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '’' => '\'',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status_of(text: &str) -> Option<Status> {
    let wanted = normalize(text);
    Status::ALL.iter().copied().find(|s| {
        wanted == s.as_str()
            || wanted == normalize(&Lang::Fr.t(s.label_key()))
            || wanted == normalize(&Lang::En.t(s.label_key()))
    })
}

/// Reads and checks the whole file: every problem is reported, by line and
/// column, and the file is only usable when there is none.
pub fn parse(table: &Table, context: &Context) -> Result<PlanFile, Vec<Problem>> {
    let mut problems = Vec::new();
    let Some(header) = table.first() else {
        return Err(vec![Problem {
            line: 1,
            column: String::new(),
            key: "imports.error.empty",
            value: String::new(),
        }]);
    };
    let find = |key: &str, french: &str| header.iter().position(|h| is_column(h, (key, french)));
    let Some(code_column) = find("code", "Code") else {
        return Err(vec![Problem {
            line: 1,
            column: "Code".into(),
            key: "imports.error.no_code_column",
            value: String::new(),
        }]);
    };
    let level_names: Vec<String> = header[..code_column].to_vec();
    if level_names.is_empty() {
        problems.push(Problem {
            line: 1,
            column: "Code".into(),
            key: "imports.error.no_levels",
            value: String::new(),
        });
    }
    if let Some(known) = context.level_names {
        for name in &level_names {
            if !known.iter().any(|k| normalize(k) == normalize(name)) {
                problems.push(Problem {
                    line: 1,
                    column: name.clone(),
                    key: "imports.error.unknown_level",
                    value: name.clone(),
                });
            }
        }
    }
    let columns: Vec<Option<usize>> = COLUMNS.iter().map(|(k, f)| find(k, f)).collect();
    for ((_, french), found) in COLUMNS.iter().zip(&columns) {
        if found.is_none() && matches!(*french, "Activité" | "Région") {
            problems.push(Problem {
                line: 1,
                column: (*french).into(),
                key: "imports.error.missing_column",
                value: String::new(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut file = PlanFile {
        level_names: level_names.clone(),
        has_funding_column: find("funding", "Source de financement").is_some(),
        has_associated_column: find("associated", "Structures associées").is_some(),
        ..PlanFile::default()
    };
    // Without the column (a file made before it), schedules stay as they are.
    let has_schedule_column = find("schedule", "Chronogramme").is_some();
    for (index, row) in table.iter().enumerate().skip(1) {
        let line = index + 1;
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let column = |name: &str| -> usize {
            COLUMNS
                .iter()
                .position(|(k, _)| *k == name)
                .unwrap_or_default()
        };
        let field = |name: &str| cell(columns[column(name)]);

        // The levels: from the top, each under the one before.
        let mut parent: Option<String> = None;
        let mut gap = false;
        for (depth, name) in level_names.iter().enumerate() {
            let text = cell(Some(depth));
            if text.is_empty() {
                gap = true;
                continue;
            }
            if gap {
                problems.push(Problem {
                    line,
                    column: name.clone(),
                    key: "imports.error.level_gap",
                    value: text.to_owned(),
                });
            }
            let (code, title) = match text.split_once(LEVEL_SEPARATOR.trim()) {
                Some((code, title)) => (code.trim().to_owned(), title.trim().to_owned()),
                None => (text.to_owned(), String::new()),
            };
            match file.nodes.iter().find(|n| n.code == code) {
                Some(known)
                    if known.parent != parent
                        || known.depth != depth
                        || (!title.is_empty() && title != known.title) =>
                {
                    problems.push(Problem {
                        line,
                        column: name.clone(),
                        key: "imports.error.level_conflict",
                        value: text.to_owned(),
                    });
                }
                Some(_) => {}
                None => file.nodes.push(FileNode {
                    depth,
                    code: code.clone(),
                    title: if title.is_empty() {
                        code.clone()
                    } else {
                        title
                    },
                    parent: parent.clone(),
                }),
            }
            parent = Some(code);
        }
        let Some(node) = parent else {
            problems.push(Problem {
                line,
                column: level_names.first().cloned().unwrap_or_default(),
                key: "imports.error.no_level",
                value: String::new(),
            });
            continue;
        };
        let mut problem = |name: &str, key: &'static str, value: &str| {
            problems.push(Problem {
                line,
                column: COLUMNS[column(name)].1.to_owned(),
                key,
                value: value.to_owned(),
            });
        };

        let code = field("code").to_owned();
        if code.is_empty() {
            problem("code", "imports.error.missing_code", "");
        } else if code.chars().count() > 64 || code.contains(char::is_whitespace) {
            problem("code", "structure.error.code", &code);
        } else if file.activities.iter().any(|a| a.fields.code == code) {
            problem("code", "imports.error.duplicate_code", &code);
        }
        let title = field("title").to_owned();
        if title.is_empty() {
            problem("title", "error.value.empty", "");
        }
        let schedule = if has_schedule_column {
            match schedule::parse_file_text(field("schedule"), context.years) {
                Ok(periods) => Some(periods),
                Err(word) => {
                    problem("schedule", "imports.error.schedule", &word);
                    None
                }
            }
        } else {
            None
        };
        let quantity = |text: &str| -> Result<Option<Decimal>, &'static str> {
            if text.is_empty() {
                Ok(None)
            } else {
                domain::parse_quantity(text).map(Some).map_err(|e| e.key())
            }
        };
        let money = |text: &str| -> Result<Option<i64>, &'static str> {
            if text.is_empty() {
                Ok(None)
            } else {
                Fcfa::parse(text).map(|f| Some(f.0)).map_err(|e| e.key())
            }
        };
        let date = |text: &str| -> Result<Option<NaiveDate>, &'static str> {
            if text.is_empty() {
                Ok(None)
            } else {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
                    .ok()
                    .filter(crate::domain::is_usable_date)
                    .map(Some)
                    .ok_or("error.bad_date")
            }
        };
        let target = quantity(field("target")).unwrap_or_else(|key| {
            problem("target", key, field("target"));
            None
        });
        let budget = money(field("budget")).unwrap_or_else(|key| {
            problem("budget", key, field("budget"));
            None
        });
        let region_text = field("region");
        let region_code = context
            .regions
            .iter()
            .find(|(code, name)| {
                code.eq_ignore_ascii_case(region_text) || normalize(name) == normalize(region_text)
            })
            .map(|(code, _)| code.clone());
        if region_code.is_none() {
            problem("region", "imports.error.unknown_region", region_text);
        }
        let planned_start = date(field("start")).unwrap_or_else(|key| {
            problem("start", key, field("start"));
            None
        });
        let planned_end = date(field("end")).unwrap_or_else(|key| {
            problem("end", key, field("end"));
            None
        });
        if let (Some(start), Some(end)) = (planned_start, planned_end) {
            if end < start {
                problem("end", "structure.error.end_before_start", field("end"));
            }
        }

        let progress = if !context.with_progress || field("status").is_empty() {
            None
        } else {
            let status = status_of(field("status"));
            if status.is_none() {
                problem("status", "error.bad_status", field("status"));
            }
            let achieved = quantity(field("achieved")).unwrap_or_else(|key| {
                problem("achieved", key, field("achieved"));
                None
            });
            let spent = money(field("spent")).unwrap_or_else(|key| {
                problem("spent", key, field("spent"));
                None
            });
            let as_of = match date(field("as_of")) {
                Ok(Some(d)) if d > context.today => {
                    problem("as_of", "error.progress.future", field("as_of"));
                    None
                }
                Ok(Some(d))
                    if d.year_ce().1 as i32 > context.years.1
                        || (d.year_ce().1 as i32) < context.years.0 =>
                {
                    problem("as_of", "imports.error.outside_plan", field("as_of"));
                    None
                }
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    problem("as_of", "error.value.empty", "");
                    None
                }
                Err(key) => {
                    problem("as_of", key, field("as_of"));
                    None
                }
            };
            let comment = field("comment");
            if comment.chars().count() > 2000 {
                problem("comment", "error.progress.comment_too_long", "");
            }
            let base = match field("base") {
                "" => None,
                text => text.parse::<i64>().ok(),
            };
            match (status, as_of) {
                (Some(status), Some(as_of)) => Some(FileProgress {
                    status,
                    achieved,
                    spent,
                    as_of,
                    comment: (!comment.is_empty()).then(|| comment.to_owned()),
                    base,
                }),
                _ => None,
            }
        };
        file.activities.push(FileActivity {
            line,
            node,
            fields: ActivityFields {
                code,
                title,
                target,
                unit: Some(field("unit").to_owned()).filter(|u| !u.is_empty()),
                budget: budget.unwrap_or(0),
                responsible_unit: Some(field("responsible").to_owned()).filter(|u| !u.is_empty()),
                associated_units: Some(field("associated").to_owned()).filter(|u| !u.is_empty()),
                region_code: region_code.unwrap_or_default(),
                planned_start,
                planned_end,
                // Checked against the plan's lines by the import.
                funding_source: Some(field("funding").to_owned()).filter(|f| !f.is_empty()),
            },
            progress,
            schedule,
        });
    }
    if file.activities.is_empty() && problems.is_empty() {
        problems.push(Problem {
            line: 2,
            column: "Code".into(),
            key: "imports.error.no_rows",
            value: String::new(),
        });
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context<'static> {
        static REGIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
        let regions = REGIONS.get_or_init(|| {
            vec![
                ("NAT".into(), "National".into()),
                ("KAY".into(), "Kayes".into()),
            ]
        });
        Context {
            regions,
            level_names: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            years: (2026, 2026),
            with_progress: true,
        }
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    fn header() -> Vec<String> {
        let mut h = row(&["Objectif", "Action prioritaire"]);
        h.extend(COLUMNS.iter().map(|(_, f)| (*f).to_owned()));
        h
    }

    #[test]
    fn reads_the_tree_and_the_activities() {
        let table = vec![
            header(),
            row(&[
                "OS1 · Sécurité",
                "AP1 · Digitaliser",
                "B1.01",
                "Plateforme",
                "12,5",
                "plateforme",
                "1 500 000",
                "DSI",
                "Kayes",
                "2026-01-01",
                "31/12/2026",
                "En cours",
                "3",
                "",
                "2026-11-20",
                "",
                "17",
            ]),
            row(&[
                "OS1",
                "AP2 · Former",
                "B2.01",
                "Atelier",
                "",
                "",
                "",
                "",
                "NAT",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]),
        ];
        let file = parse(&table, &context()).unwrap();
        assert_eq!(file.level_names, ["Objectif", "Action prioritaire"]);
        assert_eq!(file.nodes.len(), 3);
        assert_eq!(file.nodes[1].parent.as_deref(), Some("OS1"));
        let first = &file.activities[0];
        assert_eq!(first.node, "AP1");
        assert_eq!(first.fields.target, Some(Decimal::new(125, 1)));
        assert_eq!(first.fields.budget, 1_500_000);
        assert_eq!(first.fields.region_code, "KAY");
        assert_eq!(
            first.fields.planned_end,
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        let progress = first.progress.as_ref().unwrap();
        assert_eq!(progress.status, Status::InProgress);
        assert_eq!(progress.base, Some(17));
        assert_eq!(file.activities[1].progress, None);
    }

    #[test]
    fn reports_every_problem_with_its_line_and_column() {
        let table = vec![
            header(),
            row(&["OS1 · A", "AP1 · B", "", "Sans code", "", "", "", "", "NAT"]),
            row(&["OS1", "AP1", "B1", "Cible", "douze", "", "", "", "NAT"]),
            row(&["OS1", "AP1", "B1", "Doublon", "", "", "", "", "NAT"]),
            row(&[
                "OS1",
                "AP1",
                "B2",
                "Région",
                "",
                "",
                "",
                "",
                "Tombouctou-Nord",
            ]),
        ];
        let problems = parse(&table, &context()).unwrap_err();
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.key))
            .collect();
        assert_eq!(
            found,
            [
                (2, "Code", "imports.error.missing_code"),
                (3, "Cible", "error.value.not_a_number"),
                (4, "Code", "imports.error.duplicate_code"),
                (5, "Région", "imports.error.unknown_region"),
            ]
        );
    }
}
