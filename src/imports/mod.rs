//! Plans in and out as spreadsheets, for the browser and the command line
//! alike: the plan file (see `plan_file`) exported and read back; a plan
//! import that first says what it would create or change, or lists every
//! problem by line and column, and then applies everything in one
//! transaction; and the progress import, the round trip through Excel, which
//! records only the rows that changed under the same conflict rule as the
//! browser. A file is read once, off the async runtime and within the
//! limits of `limits`, so that no upload can stall or kill the service.

pub mod command;
pub mod limits;
pub mod plan_file;
pub mod table;

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::Status;
use crate::reports::csv::CsvWriter;
use crate::reports::Separator;
use crate::store::activities::{self, BatchRow, NewProgress, RecordOutcome, Recorder};
use crate::store::imports::{self, NewPlan, PlanChange};
use crate::store::plans::{self, Plan};
use crate::store::structure::{self, ActivityFields, IndicatorFields, NodeFields};
use plan_file::{Context, PlanFile, Problem, COLUMNS, LEVEL_SEPARATOR};
use table::{Sheets, TableError};

/// Where a plan import goes: an existing plan, or a new one of the agency.
pub enum Target {
    Existing(Plan),
    New(NewPlan),
}

/// What a plan import would do.
#[derive(Debug)]
pub struct PlanImport {
    pub changes: Vec<PlanChange>,
    /// Rows (nodes and activities) already as in the file.
    pub unchanged: usize,
    /// Whether the plan had activities before: then what the import adds is
    /// in force from today, and past figures stand.
    pub had_activities: bool,
    /// The file's level columns: a new plan's level names.
    pub level_names: Vec<String>,
}

fn unreadable(error: TableError) -> Vec<Problem> {
    vec![Problem {
        line: 1,
        column: String::new(),
        key: error.key(),
        value: error.value().to_owned(),
    }]
}

/// Reads the file on a blocking thread: a workbook may take a second of CPU
/// (within the limits), which must not hold up the requests that share the
/// runtime's threads. A panic of the reader on a malformed file is an
/// unreadable file, not a failed request.
///
/// At most [`READERS`] files are read at once per instance: each may take
/// about 130 MB at the limits, so a burst of uploads queues instead of
/// exhausting memory.
async fn read_file(bytes: &[u8], sheet_name: Option<&'static str>) -> Result<Sheets, TableError> {
    static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READERS);
    let _slot = SLOTS.acquire().await.map_err(|_| TableError::Unreadable)?;
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || table::read(&bytes, sheet_name))
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "the spreadsheet reader failed");
            Err(TableError::Unreadable)
        })
}

/// Spreadsheets read at the same time; see `read_file`.
const READERS: usize = 2;

async fn regions(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    Ok(structure::regions(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}

/// Reads and checks the file against the plan: the changes to make, or
/// every problem.
pub async fn prepare_plan_import(
    db: &PgPool,
    bytes: &[u8],
    target: &Target,
    today: NaiveDate,
) -> sqlx::Result<Result<PlanImport, Vec<Problem>>> {
    let sheets = match read_file(bytes, Some(plan_file::INDICATOR_SHEET)).await {
        Ok(sheets) => sheets,
        Err(error) => return Ok(Err(unreadable(error))),
    };
    let regions = regions(db).await?;
    let (level_names, years) = match target {
        Target::Existing(plan) => (
            Some(plan.level_names.as_slice()),
            (plan.start_year, plan.end_year),
        ),
        Target::New(new) => (None, (new.year, new.year)),
    };
    let context = Context {
        regions: &regions,
        level_names,
        today,
        years,
        with_progress: false,
    };
    let mut file = match plan_file::parse(&sheets.first, &context) {
        Ok(file) => file,
        Err(problems) => return Ok(Err(problems)),
    };
    let existing = match target {
        Target::Existing(plan) => Some(structure::load(db, plan.id).await?),
        Target::New(_) => None,
    };
    if let Some(sheet) = &sheets.named {
        let mut node_codes: Vec<String> = file.nodes.iter().map(|n| n.code.clone()).collect();
        if let Some(existing) = &existing {
            node_codes.extend(existing.nodes.iter().map(|n| n.code.clone()));
        }
        match plan_file::parse_indicators(sheet, &node_codes) {
            Ok(indicators) => file.indicators = indicators,
            Err(problems) => return Ok(Err(problems)),
        }
    }
    Ok(Ok(diff(&file, existing.as_ref())))
}

/// The changes that bring the plan to what the file says, parents first.
fn diff(file: &PlanFile, existing: Option<&structure::Structure>) -> PlanImport {
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let empty = structure::Structure {
        nodes: Vec::new(),
        activities: Vec::new(),
        indicators: Vec::new(),
    };
    let existing = existing.unwrap_or(&empty);
    let node_code: HashMap<i64, &str> = existing
        .nodes
        .iter()
        .map(|n| (n.id, n.code.as_str()))
        .collect();
    for node in &file.nodes {
        let fields = NodeFields {
            code: node.code.clone(),
            title: node.title.clone(),
        };
        match existing.nodes.iter().find(|n| n.code == node.code) {
            None => changes.push(PlanChange::CreateNode {
                fields,
                parent_code: node.parent.clone(),
            }),
            Some(known) => {
                let known_parent = known.parent_id.and_then(|p| node_code.get(&p).copied());
                if known.title != node.title || known_parent != node.parent.as_deref() {
                    changes.push(PlanChange::UpdateNode {
                        id: known.id,
                        fields,
                        parent_code: node.parent.clone(),
                    });
                } else {
                    unchanged += 1;
                }
            }
        }
    }
    for activity in &file.activities {
        let fields = ActivityFields {
            code: activity.code.clone(),
            title: activity.title.clone(),
            unit: activity.unit.clone(),
            target: activity.target,
            budget: activity.budget,
            responsible_unit: activity.responsible_unit.clone(),
            region_code: activity.region_code.clone(),
            planned_start: activity.planned_start,
            planned_end: activity.planned_end,
        };
        match existing.activities.iter().find(|a| a.code == activity.code) {
            None => changes.push(PlanChange::CreateActivity {
                fields,
                node_code: activity.node.clone(),
            }),
            Some(known) => {
                let current = ActivityFields::from(known);
                let same_node =
                    node_code.get(&known.node_id).copied() == Some(activity.node.as_str());
                let same_target =
                    current.target.map(|t| t.normalize()) == fields.target.map(|t| t.normalize());
                let rest_same = (ActivityFields {
                    target: fields.target,
                    ..current
                }) == fields;
                if same_node && same_target && rest_same {
                    unchanged += 1;
                } else {
                    changes.push(PlanChange::UpdateActivity {
                        id: known.id,
                        fields,
                        node_code: activity.node.clone(),
                    });
                }
            }
        }
    }
    for indicator in &file.indicators {
        let fields = IndicatorFields {
            code: indicator.code.clone(),
            title: indicator.title.clone(),
            unit: indicator.unit.clone(),
            baseline: indicator.baseline.map(|d| d.normalize()),
            baseline_year: indicator.baseline_year,
            target: indicator.target.map(|d| d.normalize()),
            target_year: indicator.target_year,
            direction: indicator.direction,
        };
        match existing
            .indicators
            .iter()
            .find(|i| i.code == indicator.code)
        {
            None => changes.push(PlanChange::CreateIndicator {
                fields,
                node_code: indicator.node.clone(),
            }),
            Some(known) => {
                let mut current = IndicatorFields::from(known);
                current.baseline = current.baseline.map(|d| d.normalize());
                current.target = current.target.map(|d| d.normalize());
                let known_node = known.node_id.and_then(|n| node_code.get(&n).copied());
                if current == fields && known_node == indicator.node.as_deref() {
                    unchanged += 1;
                } else {
                    changes.push(PlanChange::UpdateIndicator {
                        id: known.id,
                        fields,
                        node_code: indicator.node.clone(),
                    });
                }
            }
        }
    }
    PlanImport {
        changes,
        unchanged,
        had_activities: !existing.activities.is_empty(),
        level_names: file.level_names.clone(),
    }
}

/// Applies a prepared import in one transaction; returns the plan's id. A
/// new plan takes the file's level names. The upload of `upload` (its
/// token), when the file came from the browser, is used up in the same
/// transaction: `None` if another request used it first.
pub async fn apply_plan_import(
    db: &PgPool,
    target: &Target,
    import: &PlanImport,
    today: NaiveDate,
    user_id: i64,
    upload: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    let new_plan;
    let (plan, agency_id) = match target {
        Target::Existing(plan) => (Ok(plan.id), plan.agency_id),
        Target::New(new) => {
            new_plan = NewPlan {
                level_names: import.level_names.clone(),
                ..new.clone()
            };
            (Err(&new_plan), new.agency_id)
        }
    };
    let added_on = import.had_activities.then_some(today);
    imports::apply(
        db,
        plan,
        &import.changes,
        added_on,
        user_id,
        agency_id,
        upload,
    )
    .await
}

/// What a progress import did.
#[derive(Debug, Default)]
pub struct ProgressImport {
    pub recorded: Vec<String>,
    /// Rows whose activity was updated since the file was exported: (line, code).
    pub conflicts: Vec<(usize, String)>,
    /// Rows dated within a held board session's frozen figures.
    pub frozen: Vec<(usize, String)>,
    pub unchanged: usize,
}

/// The progress rows of a file that differ from the plan's current state,
/// ready to record.
#[derive(Debug)]
pub struct ProgressPlan {
    pub batch: Vec<BatchRow>,
    /// (line, code) of each row of `batch`.
    pub lines: Vec<(usize, String)>,
    pub unchanged: usize,
}

/// Records the progress rows of the file that differ from the plan's current
/// state, each under the browser's rules; nothing when the file has problems.
pub async fn import_progress(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    recorder: Recorder<'_>,
    today: NaiveDate,
) -> sqlx::Result<Result<ProgressImport, Vec<Problem>>> {
    match prepare_progress(db, plan, bytes, today).await? {
        Ok(prepared) => Ok(Ok(record_progress(db, prepared, recorder, None)
            .await?
            .unwrap_or_default())),
        Err(problems) => Ok(Err(problems)),
    }
}

/// Records prepared rows in one transaction; conflicts and frozen rows are
/// reported, not written. With the token of the kept upload, the upload is
/// used up in that same transaction; `None` if another apply used it first.
pub async fn record_progress(
    db: &PgPool,
    prepared: ProgressPlan,
    recorder: Recorder<'_>,
    upload_token: Option<&str>,
) -> sqlx::Result<Option<ProgressImport>> {
    let mut result = ProgressImport {
        unchanged: prepared.unchanged,
        ..ProgressImport::default()
    };
    let mut tx = db.begin().await?;
    if let Some(token) = upload_token {
        if !crate::store::imports::use_up_upload_in(&mut tx, token).await? {
            return Ok(None);
        }
    }
    let outcomes = activities::record_batch_in(&mut tx, &prepared.batch, recorder).await?;
    tx.commit().await?;
    for ((line, code), outcome) in prepared.lines.into_iter().zip(outcomes) {
        match outcome {
            RecordOutcome::Recorded(_) => result.recorded.push(code),
            RecordOutcome::Conflict { .. } => result.conflicts.push((line, code)),
            RecordOutcome::Frozen { .. } => result.frozen.push((line, code)),
        }
    }
    Ok(Some(result))
}

/// Reads the file and finds the rows that changed, writing nothing.
pub async fn prepare_progress(
    db: &PgPool,
    plan: &Plan,
    bytes: &[u8],
    today: NaiveDate,
) -> sqlx::Result<Result<ProgressPlan, Vec<Problem>>> {
    let sheets = match read_file(bytes, None).await {
        Ok(sheets) => sheets,
        Err(error) => return Ok(Err(unreadable(error))),
    };
    let regions = regions(db).await?;
    let context = Context {
        regions: &regions,
        level_names: Some(&plan.level_names),
        today,
        years: (plan.start_year, plan.end_year),
        with_progress: true,
    };
    let file = match plan_file::parse(&sheets.first, &context) {
        Ok(file) => file,
        Err(problems) => return Ok(Err(problems)),
    };
    let details: HashMap<String, activities::ActivityDetail> =
        activities::details_for_plan(db, plan.id)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
    let current: HashMap<String, plans::ActivityRow> = plans::activities_as_of(db, plan.id, today)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
    let unknown: Vec<Problem> = file
        .activities
        .iter()
        .filter(|a| !details.contains_key(&a.code))
        .map(|a| Problem {
            line: a.line,
            column: "Code".into(),
            key: "imports.error.unknown_activity",
            value: a.code.clone(),
        })
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let mut unchanged = 0;
    let mut batch = Vec::new();
    let mut lines = Vec::new();
    for row in &file.activities {
        let Some(progress) = &row.progress else {
            unchanged += 1;
            continue;
        };
        let now = &current[&row.code];
        let same = now.latest.status == Some(progress.status)
            && now.latest.achieved.map(|a| a.normalize())
                == progress.achieved.map(|a| a.normalize())
            && now.latest.spent == progress.spent
            && now.latest.as_of == Some(progress.as_of)
            && now.comment == progress.comment;
        let untouched_new = now.latest.status.is_none() && progress.status == Status::NotStarted;
        if same || untouched_new {
            unchanged += 1;
            continue;
        }
        batch.push(BatchRow {
            activity: details[&row.code].clone(),
            base: progress.base,
            update: NewProgress {
                as_of: progress.as_of,
                status: progress.status,
                achieved: progress.achieved,
                spent: progress.spent,
                comment: progress.comment.clone(),
            },
        });
        lines.push((row.line, row.code.clone()));
    }
    Ok(Ok(ProgressPlan {
        batch,
        lines,
        unchanged,
    }))
}

/// The plan file's rows for a plan: its levels and activities in force
/// today, with their current progress and the version it was exported from.
async fn export_rows(
    db: &PgPool,
    plan: &Plan,
    today: NaiveDate,
) -> sqlx::Result<(Vec<String>, Vec<Vec<String>>)> {
    let structure = structure::load(db, plan.id).await?;
    let current: HashMap<i64, plans::ActivityRow> = plans::activities_as_of(db, plan.id, today)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let bases = activities::latest_recorded_for_plan(db, plan.id).await?;
    let depth = structure
        .nodes
        .iter()
        .map(|n| n.depth as usize + 1)
        .max()
        .unwrap_or(1);
    let mut header: Vec<String> = (0..depth)
        .map(|d| plan.level_name(d as i32).to_owned())
        .collect();
    header.extend(COLUMNS.iter().map(|(_, f)| (*f).to_owned()));
    let mut rows = Vec::new();
    for activity in structure
        .activities
        .iter()
        .filter(|a| a.retired_on.is_none())
    {
        // The path from the root down to the activity's node.
        let mut path = Vec::new();
        let mut node = structure.nodes.iter().find(|n| n.id == activity.node_id);
        while let Some(n) = node {
            path.push(format!("{}{LEVEL_SEPARATOR}{}", n.code, n.title));
            node = n
                .parent_id
                .and_then(|p| structure.nodes.iter().find(|x| x.id == p));
        }
        path.reverse();
        path.resize(depth, String::new());
        let state = current.get(&activity.id);
        let quantity = |q: Option<rust_decimal::Decimal>| {
            q.map(|q| q.normalize().to_string().replace('.', ","))
                .unwrap_or_default()
        };
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let status = state.and_then(|s| s.latest.status);
        let mut row = path;
        row.extend([
            activity.code.clone(),
            activity.title.clone(),
            quantity(activity.target),
            activity.unit.clone().unwrap_or_default(),
            activity.budget.to_string(),
            activity.responsible_unit.clone().unwrap_or_default(),
            activity.region_code.clone(),
            date(activity.planned_start),
            date(activity.planned_end),
            status
                .map(|s| crate::i18n::Lang::Fr.t(s.label_key()).into_owned())
                .unwrap_or_default(),
            quantity(state.and_then(|s| s.latest.achieved)),
            state
                .and_then(|s| s.latest.spent)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            date(state.and_then(|s| s.latest.as_of)),
            state.and_then(|s| s.comment.clone()).unwrap_or_default(),
            bases
                .get(&activity.id)
                .map(|b| b.to_string())
                .unwrap_or_default(),
        ]);
        rows.push(row);
    }
    Ok((header, rows))
}

/// The plan file as CSV (`;`, UTF-8 with BOM, decimal comma).
pub async fn export_csv(db: &PgPool, plan: &Plan, today: NaiveDate) -> sqlx::Result<Vec<u8>> {
    let (header, rows) = export_rows(db, plan, today).await?;
    let mut writer = CsvWriter::new(Separator::Semicolon);
    for row in std::iter::once(&header).chain(&rows) {
        for cell in row {
            writer.text(cell);
        }
        writer.end_row();
    }
    Ok(writer.into_bytes())
}

/// The plan file as XLSX: one sheet, text cells, frozen header, filters.
pub async fn export_xlsx(db: &PgPool, plan: &Plan, today: NaiveDate) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let (header, rows) = export_rows(db, plan, today).await?;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Plan")?;
    let bold = Format::new().set_bold();
    for (column, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, title, &bold)?;
        sheet.set_column_width(
            column as u16,
            if column < header.len() - COLUMNS.len() {
                30
            } else {
                14
            },
        )?;
    }
    for (index, row) in rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            sheet.write_string(index as u32 + 1, column as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;

    let structure = structure::load(db, plan.id).await?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(plan_file::INDICATOR_SHEET)?;
    for (column, (_, title)) in plan_file::INDICATOR_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        sheet.set_column_width(column as u16, if column == 2 { 40 } else { 14 })?;
    }
    let quantity = |q: Option<rust_decimal::Decimal>| {
        q.map(|q| q.normalize().to_string().replace('.', ","))
            .unwrap_or_default()
    };
    let in_force = structure
        .indicators
        .iter()
        .filter(|i| i.retired_on.is_none());
    for (index, indicator) in in_force.enumerate() {
        let node = indicator
            .node_id
            .and_then(|n| structure.nodes.iter().find(|x| x.id == n))
            .map(|n| n.code.clone())
            .unwrap_or_default();
        let cells = [
            node,
            indicator.code.clone(),
            indicator.title.clone(),
            indicator.unit.clone().unwrap_or_default(),
            quantity(indicator.baseline),
            indicator
                .baseline_year
                .map(|y| y.to_string())
                .unwrap_or_default(),
            quantity(indicator.target),
            indicator
                .target_year
                .map(|y| y.to_string())
                .unwrap_or_default(),
            crate::i18n::Lang::Fr
                .t(indicator.direction.label_key())
                .into_owned(),
        ];
        for (column, cell) in cells.iter().enumerate() {
            sheet.write_string(index as u32 + 1, column as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// The instructions sheet of the template, one paragraph a line.
const INSTRUCTIONS: [&str; 9] = [
    "Modèle de fichier de plan pour Suivi : remplissez la feuille « Plan » (une ligne par activité) et, si vous le souhaitez, la feuille « Indicateurs ».",
    "Colonnes de niveaux : toutes les colonnes avant « Code » sont les niveaux du plan, du plus haut au plus bas ; leur en-tête est le nom du niveau (par exemple Objectif stratégique, Action prioritaire). Écrivez « CODE · Intitulé » la première fois qu’un niveau apparaît, puis le code seul suffit.",
    "Code : le code de l’activité, unique dans le plan, sans espace (B1.01). C’est par ce code que Suivi retrouve l’activité lors d’un nouvel import.",
    "Nombres : la virgule décimale est acceptée (12,5) ; les montants sont en FCFA, sans décimales, espaces permis (1 500 000).",
    "Région : le code (KAY) ou le nom (Kayes) d’une région du Mali, ou NAT pour une activité nationale.",
    "Dates : AAAA-MM-JJ ou JJ/MM/AAAA.",
    "Avancement (Statut, Réalisation, Dépensé, À la date du, Commentaire) : laissez vide pour un nouveau plan. Pour mettre à jour l’avancement, exportez le plan depuis Suivi, modifiez ces colonnes et importez « l’avancement » : seules les lignes modifiées sont enregistrées, et une ligne modifiée dans Suivi depuis l’export n’est pas écrasée. Ne modifiez pas la colonne « Version ».",
    "Indicateurs : Niveau (code) vide pour un indicateur de tout le plan ; Sens « à la hausse » ou « à la baisse ».",
    "Suivi vérifie tout le fichier avant d’écrire : chaque problème est signalé avec sa ligne et sa colonne, et rien n’est enregistré tant qu’il en reste.",
];

/// The plan file template: the two sheets with their headers and an example,
/// and a sheet of instructions in French.
pub fn template_xlsx() -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let levels = ["Objectif stratégique", "Action prioritaire"];
    let example: [[&str; 17]; 2] = [
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
        ],
    ];
    let sheet = workbook.add_worksheet();
    sheet.set_name("Plan")?;
    let header = levels
        .iter()
        .copied()
        .chain(COLUMNS.iter().map(|(_, f)| *f));
    for (column, title) in header.enumerate() {
        sheet.write_string_with_format(0, column as u16, title, &bold)?;
        sheet.set_column_width(column as u16, if column < 2 { 34 } else { 16 })?;
    }
    for (row, cells) in example.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            sheet.write_string(row as u32 + 1, column as u16, *cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(plan_file::INDICATOR_SHEET)?;
    for (column, (_, title)) in plan_file::INDICATOR_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        sheet.set_column_width(column as u16, if column == 2 { 40 } else { 16 })?;
    }
    let indicator = [
        "AP1",
        "IND-1",
        "Nombre de tués sur les routes",
        "tués",
        "600",
        "2026",
        "450",
        "2027",
        "à la baisse",
    ];
    for (column, cell) in indicator.iter().enumerate() {
        sheet.write_string(1, column as u16, *cell)?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("Instructions")?;
    sheet.set_column_width(0, 120)?;
    let wrap = Format::new().set_text_wrap();
    for (row, line) in INSTRUCTIONS.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, *line, &wrap)?;
    }
    Ok(workbook.save_to_buffer()?)
}
