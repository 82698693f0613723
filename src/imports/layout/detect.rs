//! Where the table is: the sheet that holds it (a cover or an instructions
//! sheet may come first), its header row under a title block, a second
//! header row under groups ("Chronogramme" over T1..T4, "Coût" over the
//! years), and each column's meaning from its header. The user's choices
//! (another sheet, another header row, another meaning) win over the guess.

use serde::{Deserialize, Serialize};

use super::folding::fold;
use super::words::{meaning_of, Meaning};
use crate::imports::limits::cell_name;
use crate::imports::table::{Row, Sheet};

/// What a table is for: its rows are a plan, progress or indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plan,
    Progress,
    Indicators,
}

/// A column of the table and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// 0 is column A.
    pub index: usize,
    /// `H`
    pub letter: String,
    /// The header as written, a group's header first: `Chronogramme › T1`.
    pub header: String,
    #[serde(serialize_with = "as_key")]
    pub meaning: Meaning,
    /// What Suivi understood by itself, before the user's choice.
    #[serde(skip)]
    pub guessed: Meaning,
}

fn as_key<S: serde::Serializer>(meaning: &Meaning, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&meaning.key())
}

impl Column {
    /// How problems name the column: `H (Coût (FCFA))`.
    pub fn name(&self) -> String {
        format!("{} ({})", self.letter, self.header)
    }
}

/// Where the table is and what its columns hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub sheet: String,
    /// The header's (first) line.
    pub header_line: usize,
    /// 1, or 2 for a header with groups over it.
    pub header_lines: usize,
    pub columns: Vec<Column>,
    /// The text of the rows above the header (the title block).
    pub title_block: Vec<String>,
}

impl Layout {
    /// The first column of a meaning.
    pub fn column(&self, meaning: Meaning) -> Option<&Column> {
        self.columns.iter().find(|c| c.meaning == meaning)
    }

    pub fn has(&self, meaning: Meaning) -> bool {
        self.column(meaning).is_some()
    }

    /// The headers, folded: files with the same shape take the same mapping.
    pub fn shape(&self) -> String {
        let headers: Vec<String> = self.columns.iter().map(|c| fold(&c.header)).collect();
        headers.join("|")
    }

    /// The first line after the header.
    pub fn first_data_line(&self) -> usize {
        self.header_line + self.header_lines
    }
}

/// What the user chose in the preview (or a saved mapping holds): each
/// overrides the guess. Columns are named by letter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    pub sheet: Option<String>,
    pub header_line: Option<usize>,
    /// (column letter, meaning key)
    pub meanings: Vec<(String, String)>,
    /// Progress rows whose status the user settled: (line, status key).
    #[serde(default)]
    pub settled: Vec<(usize, String)>,
}

/// The letters of a column: 0 is `A`.
pub fn letter(index: usize) -> String {
    let name = cell_name(0, index as u32);
    name.trim_end_matches('1').to_owned()
}

/// The rows to look for a header in: a header lies near the top.
const HEADER_SEARCH: usize = 40;

/// The table of the first sheet that best holds one of `kind` (the one the
/// user chose, if any), or `None` when no sheet has a header Suivi reads.
pub fn detect(sheets: &[Sheet], kind: Kind, choices: &Choices) -> Option<Layout> {
    let chosen = choices.sheet.as_deref();
    let mut best: Option<(usize, Layout)> = None;
    for sheet in sheets.iter().filter(|s| chosen.is_none_or(|c| c == s.name)) {
        let Some((score, layout)) = detect_in(sheet, kind, choices.header_line) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, layout));
        }
    }
    let (_, mut layout) = best?;
    for (letter, key) in &choices.meanings {
        let Some(meaning) = Meaning::parse(key) else {
            continue;
        };
        if let Some(column) = layout.columns.iter_mut().find(|c| &c.letter == letter) {
            column.meaning = meaning;
        }
    }
    Some(layout)
}

/// Whether a header of these meanings holds a table of `kind`.
fn fits(meanings: &[Meaning], kind: Kind) -> bool {
    let has = |m: Meaning| meanings.contains(&m);
    match kind {
        Kind::Plan => has(Meaning::Title) && meanings.len() >= 2,
        Kind::Progress => {
            (has(Meaning::Code) || has(Meaning::Title))
                && (has(Meaning::Status) || has(Meaning::Achieved) || has(Meaning::Rate))
        }
        Kind::Indicators => {
            has(Meaning::Indicator)
                && !has(Meaning::Title)
                && (has(Meaning::Baseline) || has(Meaning::Target) || has(Meaning::Direction))
        }
    }
}

fn detect_in(sheet: &Sheet, kind: Kind, header_line: Option<usize>) -> Option<(usize, Layout)> {
    let mut best: Option<(usize, Layout)> = None;
    for (index, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH) {
        if header_line.is_some_and(|l| l != row.line) {
            continue;
        }
        let next = sheet.rows.get(index + 1).filter(|n| n.line == row.line + 1);
        let sub = next.filter(|n| is_sub_header(n));
        let columns = columns_of(row, sub);
        let meanings: Vec<Meaning> = columns
            .iter()
            .map(|c| c.meaning)
            .filter(|m| *m != Meaning::NotImported)
            .collect();
        if !fits(&meanings, kind) {
            continue;
        }
        let score = meanings.len();
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            let title_block = sheet.rows[..index]
                .iter()
                .flat_map(|r| r.cells.iter().filter(|c| !c.is_empty()).cloned())
                .collect();
            best = Some((
                score,
                Layout {
                    sheet: sheet.name.clone(),
                    header_line: row.line,
                    header_lines: if sub.is_some() { 2 } else { 1 },
                    columns,
                    title_block,
                },
            ));
        }
    }
    best
}

/// A second header row: only quarters, years and short group words, at
/// least two quarters or years.
fn is_sub_header(row: &Row) -> bool {
    let filled: Vec<String> = row
        .cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| fold(c))
        .collect();
    let periods = filled
        .iter()
        .filter(|c| {
            matches!(
                meaning_of(c, "cout"),
                Meaning::Quarter(_) | Meaning::Year(_)
            )
        })
        .count();
    let short = [
        "prevu",
        "prevue",
        "realise",
        "realisee",
        "montant",
        "quantite",
        "qte",
        "cout",
        "total",
        "physique",
        "financier",
        "unite",
    ];
    periods >= 2
        && filled.iter().all(|c| {
            matches!(
                meaning_of(c, "cout"),
                Meaning::Quarter(_) | Meaning::Year(_)
            ) || short.contains(&c.as_str())
        })
}

/// The columns of a header row and the sub-header under it, if any. A
/// group's header (merged over several columns, so written in its first)
/// spans the columns to its right that have a sub-header and none of their own.
fn columns_of(row: &Row, sub: Option<&Row>) -> Vec<Column> {
    let width = row.cells.len().max(sub.map_or(0, |s| s.cells.len()));
    let mut columns = Vec::with_capacity(width);
    let mut group = String::new();
    let mut seen: Vec<Meaning> = Vec::new();
    for index in 0..width {
        let upper = row.cell(index);
        let lower = sub.map_or("", |s| s.cell(index));
        if !upper.is_empty() && !lower.is_empty() {
            group = upper.to_owned();
        } else if !upper.is_empty() || lower.is_empty() {
            group.clear();
        }
        let (header, mut meaning) = if lower.is_empty() {
            (upper.to_owned(), meaning_of(&fold(upper), ""))
        } else {
            let guess = meaning_of(&fold(lower), &fold(&group));
            let meaning = if guess == Meaning::NotImported {
                meaning_of(&fold(&group), "")
            } else {
                guess
            };
            let header = if group.is_empty() {
                lower.to_owned()
            } else {
                format!("{group} › {lower}")
            };
            (header, meaning)
        };
        if header.is_empty() {
            continue;
        }
        // A second column of a meaning that has one: the second
        // responsible is the associated, the rest is shown, not imported.
        let repeatable = matches!(meaning, Meaning::Level | Meaning::Comment);
        if !repeatable && seen.contains(&meaning) {
            meaning = if meaning == Meaning::Responsible && !seen.contains(&Meaning::Associated) {
                Meaning::Associated
            } else {
                Meaning::NotImported
            };
        }
        seen.push(meaning);
        columns.push(Column {
            index,
            letter: letter(index),
            header,
            meaning,
            guessed: meaning,
        });
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn a_header_under_a_title_block_with_a_group_over_the_quarters() {
        let cover = Sheet {
            name: "Page de garde".into(),
            rows: vec![
                row(1, &["AGENCE NATIONALE DE LA SÉCURITÉ ROUTIÈRE"]),
                row(3, &["Programme de travail annuel 2025"]),
            ],
        };
        let table = Sheet {
            name: "PTA 2025".into(),
            rows: vec![
                row(1, &["MINISTÈRE DES TRANSPORTS"]),
                row(2, &["PROGRAMME DE TRAVAIL ANNUEL 2025"]),
                row(
                    4,
                    &[
                        "N°",
                        "Actions prioritaires / Activités",
                        "Indicateurs",
                        "Cible 2025",
                        "Responsable",
                        "Chronogramme",
                        "",
                        "",
                        "",
                        "Coût (FCFA)",
                        "Source de financement",
                        "Observations",
                    ],
                ),
                row(5, &["", "", "", "", "", "T1", "T2", "T3", "T4"]),
                row(6, &["1", "Action prioritaire 1 : Sécuriser"]),
            ],
        };
        let layout = detect(&[cover, table], Kind::Plan, &Choices::default()).unwrap();
        assert_eq!(layout.sheet, "PTA 2025");
        assert_eq!((layout.header_line, layout.header_lines), (4, 2));
        assert_eq!(layout.first_data_line(), 6);
        let found: Vec<(&str, String)> = layout
            .columns
            .iter()
            .map(|c| (c.letter.as_str(), c.meaning.key()))
            .collect();
        assert_eq!(
            found,
            [
                ("A", "code".into()),
                ("B", "title".into()),
                ("C", "indicator".into()),
                ("D", "target".into()),
                ("E", "responsible".into()),
                ("F", "quarter:1".into()),
                ("G", "quarter:2".into()),
                ("H", "quarter:3".into()),
                ("I", "quarter:4".into()),
                ("J", "budget".into()),
                ("K", "funding".into()),
                ("L", "comment".into()),
            ]
        );
        assert_eq!(layout.columns[5].header, "Chronogramme › T1");
        assert_eq!(
            layout.title_block,
            [
                "MINISTÈRE DES TRANSPORTS",
                "PROGRAMME DE TRAVAIL ANNUEL 2025"
            ]
        );
    }

    #[test]
    fn the_users_choices_win_and_years_under_a_cost_group_are_costs() {
        let sheet = Sheet {
            name: "Plan".into(),
            rows: vec![
                row(1, &["Code", "Activités", "Coût (FCFA)", "", "", "Remarque"]),
                row(2, &["", "", "2022", "2023", "2024"]),
            ],
        };
        let guessed = detect(
            std::slice::from_ref(&sheet),
            Kind::Plan,
            &Choices::default(),
        )
        .unwrap();
        let keys: Vec<String> = guessed.columns.iter().map(|c| c.meaning.key()).collect();
        assert_eq!(
            keys,
            [
                "code",
                "title",
                "year:2022",
                "year:2023",
                "year:2024",
                "comment"
            ]
        );
        let choices = Choices {
            meanings: vec![("F".into(), "not_imported".into())],
            ..Choices::default()
        };
        let chosen = detect(&[sheet], Kind::Plan, &choices).unwrap();
        assert_eq!(chosen.columns[5].meaning, Meaning::NotImported);
        assert_eq!(chosen.columns[5].guessed, Meaning::Comment);
        assert_eq!(letter(0), "A");
        assert_eq!(letter(27), "AB");
    }
}
