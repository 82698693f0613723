//! The plan file written out: a plan's levels, activities, indicators and
//! funding lines with their current progress (CSV or XLSX), and the empty
//! template with its example rows and instructions.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use sqlx::PgPool;

use super::plan_file::{self, COLUMNS, LEVEL_SEPARATOR};
use crate::i18n::Lang;
use crate::performance::plan_tree::Tree;
use crate::reports::csv::CsvWriter;
use crate::reports::Separator;
use crate::schedule;
use crate::store::activities;
use crate::store::funding;
use crate::store::plans::{self, Plan};
use crate::store::structure;

/// A plan's file as text cells: the plan sheet (its header, then a row per
/// activity in force) and the indicator sheet's rows (under
/// [`plan_file::INDICATOR_COLUMNS`]).
struct PlanSheets {
    header: Vec<String>,
    /// How many of the header's columns are the plan's levels.
    levels: usize,
    activities: Vec<Vec<String>>,
    indicators: Vec<Vec<String>>,
    /// Under [`plan_file::FUNDING_COLUMNS`].
    funding: Vec<Vec<String>>,
}

/// A quantity as the file writes it: no trailing zeros, a decimal comma.
fn quantity(value: Option<Decimal>) -> String {
    value
        .map(|q| q.normalize().to_string().replace('.', ","))
        .unwrap_or_default()
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The plan's levels and its activities and indicators in force today, each
/// activity with its current progress and the version it was exported from.
async fn plan_sheets(db: &PgPool, plan: &Plan, today: NaiveDate) -> sqlx::Result<PlanSheets> {
    let structure = structure::load(db, plan.id).await?;
    let current: HashMap<i64, plans::ActivityRow> = plans::activities_as_of(db, plan.id, today)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let bases = activities::latest_recorded_for_plan(db, plan.id).await?;
    let tree = Tree::new(structure.nodes);
    let levels = tree
        .nodes()
        .iter()
        .map(|n| n.depth as usize + 1)
        .max()
        .unwrap_or(1);
    let mut header: Vec<String> = (0..levels)
        .map(|d| plan.level_name(d as i32).to_owned())
        .collect();
    header.extend(
        COLUMNS
            .iter()
            .map(|(_, f)| plan_file::title_in(f, &plan.currency)),
    );
    let in_force = structure
        .activities
        .iter()
        .filter(|a| a.retired_on.is_none());
    let mut rows = Vec::new();
    for activity in in_force {
        let mut row: Vec<String> = tree
            .path(activity.node_id)
            .iter()
            .map(|n| format!("{}{LEVEL_SEPARATOR}{}", n.code, n.title))
            .collect();
        row.resize(levels, String::new());
        let latest = current.get(&activity.id).map(|a| &a.latest);
        row.extend([
            activity.code.clone(),
            activity.title.clone(),
            quantity(activity.target),
            text(activity.unit.as_ref()),
            activity.budget.to_string(),
            text(activity.responsible_unit.as_ref()),
            activity.region_code.clone(),
            text(activity.planned_start),
            text(activity.planned_end),
            text(
                latest
                    .and_then(|l| l.status)
                    .map(|s| Lang::Fr.t(s.label_key())),
            ),
            quantity(latest.and_then(|l| l.achieved)),
            text(latest.and_then(|l| l.spent)),
            text(latest.and_then(|l| l.as_of)),
            text(current.get(&activity.id).and_then(|a| a.comment.as_ref())),
            text(bases.get(&activity.id)),
            text(activity.funding_source.as_ref()),
            text(activity.associated_units.as_ref()),
            schedule::file_text(activity.periods(), (plan.start_year, plan.end_year)),
        ]);
        rows.push(row);
    }
    let indicators = structure
        .indicators
        .iter()
        .filter(|i| i.retired_on.is_none())
        .map(|indicator| {
            vec![
                text(indicator.node_id.and_then(|n| tree.get(n)).map(|n| &n.code)),
                indicator.code.clone(),
                indicator.title.clone(),
                text(indicator.unit.as_ref()),
                quantity(indicator.baseline),
                text(indicator.baseline_year),
                quantity(indicator.target),
                text(indicator.target_year),
                Lang::Fr.t(indicator.direction.label_key()).into_owned(),
            ]
        })
        .collect();
    // The lines as they stand in their latest version, as the activities.
    let funding = funding::latest(db, plan.id)
        .await?
        .into_iter()
        .map(|line| {
            vec![
                line.source,
                Lang::Fr.t(line.source_kind.label_key()).into_owned(),
                line.planned.to_string(),
                line.mobilised.to_string(),
            ]
        })
        .collect();
    Ok(PlanSheets {
        header,
        levels,
        activities: rows,
        indicators,
        funding,
    })
}

/// The plan file as CSV (`;`, UTF-8 with BOM, decimal comma): the plan sheet
/// only, as a CSV file holds one table.
pub async fn export_csv(db: &PgPool, plan: &Plan, today: NaiveDate) -> sqlx::Result<Vec<u8>> {
    let sheets = plan_sheets(db, plan, today).await?;
    let mut writer = CsvWriter::new(Separator::Semicolon);
    for row in std::iter::once(&sheets.header).chain(&sheets.activities) {
        for cell in row {
            writer.text(cell);
        }
        writer.end_row();
    }
    Ok(writer.into_bytes())
}

/// Adds a sheet of text cells: a bold header, then the rows; `width` gives
/// each column's width.
fn text_sheet<'a, C: AsRef<str>>(
    workbook: &'a mut Workbook,
    name: &str,
    header: &[impl AsRef<str>],
    rows: &[impl AsRef<[C]>],
    width: impl Fn(usize) -> f64,
) -> Result<&'a mut Worksheet, XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    for (column, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, title.as_ref(), &bold)?;
        sheet.set_column_width(column as u16, width(column))?;
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, cell) in row.as_ref().iter().enumerate() {
            sheet.write_string(index as u32 + 1, column as u16, cell.as_ref())?;
        }
    }
    Ok(sheet)
}

/// The plan file as XLSX: the plan sheet with frozen header and filters, and
/// the indicator sheet.
pub async fn export_xlsx(db: &PgPool, plan: &Plan, today: NaiveDate) -> anyhow::Result<Vec<u8>> {
    let sheets = plan_sheets(db, plan, today).await?;
    let mut workbook = Workbook::new();
    let level_width = |column| if column < sheets.levels { 30.0 } else { 14.0 };
    let sheet = text_sheet(
        &mut workbook,
        "Plan",
        &sheets.header,
        &sheets.activities,
        level_width,
    )?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        sheets.activities.len() as u32,
        sheets.header.len() as u16 - 1,
    )?;
    let sheet = text_sheet(
        &mut workbook,
        plan_file::INDICATOR_SHEET,
        &indicator_header(),
        &sheets.indicators,
        |column| if column == 2 { 40.0 } else { 14.0 },
    )?;
    sheet.set_freeze_panes(1, 0)?;
    let sheet = text_sheet(
        &mut workbook,
        plan_file::FUNDING_SHEET,
        &funding_header(&plan.currency),
        &sheets.funding,
        |column| if column == 0 { 40.0 } else { 18.0 },
    )?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

fn funding_header(currency: &str) -> Vec<String> {
    plan_file::FUNDING_COLUMNS
        .iter()
        .map(|(_, title)| plan_file::title_in(title, currency))
        .collect()
}

fn indicator_header() -> Vec<&'static str> {
    plan_file::INDICATOR_COLUMNS
        .iter()
        .map(|(_, title)| *title)
        .collect()
}

/// The instructions sheet of the template, one paragraph a line.
const INSTRUCTIONS: [&str; 11] = [
    "Modèle de fichier de plan pour Suivi : remplissez la feuille « Plan » (une ligne par activité) et, si vous le souhaitez, la feuille « Indicateurs ».",
    "Colonnes de niveaux : toutes les colonnes avant « Code » sont les niveaux du plan, du plus haut au plus bas ; leur en-tête est le nom du niveau (par exemple Objectif stratégique, Action prioritaire). Écrivez « CODE · Intitulé » la première fois qu’un niveau apparaît, puis le code seul suffit.",
    "Code : le code de l’activité, unique dans le plan, sans espace (B1.01). C’est par ce code que Suivi retrouve l’activité lors d’un nouvel import.",
    "Nombres : la virgule décimale est acceptée (12,5) ; les montants sont dans la monnaie du plan (FCFA, ou celle que nomme l’en-tête : Budget (USD)), sans décimales, espaces permis (1 500 000).",
    "Région : le code (KAY) ou le nom (Kayes) d’une région du Mali, ou NAT pour une activité nationale.",
    "Structures associées : les structures qui exécutent l’activité avec la structure responsable. Chronogramme : les périodes prévues, T1 à T4 pour un plan annuel, les années (2023 2024) ou un trimestre avec son année (2024-T2) pour un plan pluriannuel ; les quantités par période restent celles de Suivi.",
    "Dates : AAAA-MM-JJ ou JJ/MM/AAAA.",
    "Avancement (Statut, Réalisation, Dépensé, À la date du, Commentaire) : laissez vide pour un nouveau plan. Pour mettre à jour l’avancement, exportez le plan depuis Suivi, modifiez ces colonnes et importez « l’avancement » : seules les lignes modifiées sont enregistrées, et une ligne modifiée dans Suivi depuis l’export n’est pas écrasée. Ne modifiez pas la colonne « Version ».",
    "Indicateurs : Niveau (code) vide pour un indicateur de tout le plan ; Sens « à la hausse » ou « à la baisse ».",
    "Financement : une ligne par source (Budget d’État, Partenaires ou Ressources propres) avec les montants prévu et mobilisé ; la colonne « Source de financement » de la feuille « Plan » nomme la source d’une activité, telle qu’écrite dans la feuille « Financement » (ou vide).",
    "Suivi vérifie tout le fichier avant d’écrire : chaque problème est signalé avec sa ligne et sa colonne, et rien n’est enregistré tant qu’il en reste.",
];

/// The plan file template: the two sheets with their headers and an example,
/// and a sheet of instructions in French.
pub fn template_xlsx() -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let levels = ["Objectif stratégique", "Action prioritaire"];
    let header: Vec<&str> = levels
        .iter()
        .copied()
        .chain(COLUMNS.iter().map(|(_, f)| *f))
        .collect();
    let example: [[&str; 18]; 2] = [
        [
            "OS1 · Améliorer la sécurité routière",
            "AP1 · Former les usagers",
            "B1.01",
            "Campagne de sensibilisation radio",
            "12",
            "spots",
            "1 500 000",
            "Direction de la communication",
            "KAY",
            "2027-01-15",
            "2027-06-30",
            "",
            "",
            "",
            "",
            "",
            "",
            "Budget national",
        ],
        [
            "OS1",
            "AP1",
            "B1.02",
            "Formation des moniteurs d’auto-école",
            "4,5",
            "sessions",
            "800 000",
            "Direction technique",
            "BKO",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    let sheet = text_sheet(&mut workbook, "Plan", &header, &example, |column| {
        if column < levels.len() {
            34.0
        } else {
            16.0
        }
    })?;
    sheet.set_freeze_panes(1, 0)?;
    let indicator = [[
        "AP1",
        "IND-1",
        "Nombre de tués sur les routes",
        "tués",
        "600",
        "2026",
        "450",
        "2027",
        "à la baisse",
    ]];
    text_sheet(
        &mut workbook,
        plan_file::INDICATOR_SHEET,
        &indicator_header(),
        &indicator,
        |column| if column == 2 { 40.0 } else { 16.0 },
    )?;
    let funding = [
        ["Budget national", "Budget d’État", "1 500 000", "0"],
        ["PNUD", "Partenaires", "800 000", "0"],
    ];
    text_sheet(
        &mut workbook,
        plan_file::FUNDING_SHEET,
        &funding_header("XOF"),
        &funding,
        |column| if column == 0 { 40.0 } else { 18.0 },
    )?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("Instructions")?;
    sheet.set_column_width(0, 120)?;
    let wrap = Format::new().set_text_wrap();
    for (row, line) in INSTRUCTIONS.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, *line, &wrap)?;
    }
    Ok(workbook.save_to_buffer()?)
}
