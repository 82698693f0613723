//! The plan import: the changes that bring a plan (existing, or new for the
//! agency) to what its file says, checked and listed before anything is
//! written, then applied in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::layout::Choices;
use super::own_file::{self, Understood};
use super::plan_file::{self, Context, PlanFile, Problem};
use super::{read_file, read_workbook, regions, unreadable};
use crate::i18n::currency_label;
use crate::schedule;
use crate::store::funding::{self, FundingFields};
use crate::store::imports::{self, NewPlan, PlanChange};
use crate::store::plans::{FundingLine, Plan};
use crate::store::structure::{self, ActivityFields, IndicatorFields, NodeFields};

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
    /// What Suivi understood of an agency's own file (`None` for its own
    /// plan file, read exactly).
    pub understood: Option<Understood>,
}

/// Reads and checks the file against the plan: the changes to make, or
/// every problem.
pub async fn prepare_plan_import(
    db: &PgPool,
    bytes: &[u8],
    target: &Target,
    today: NaiveDate,
) -> sqlx::Result<Result<PlanImport, Vec<Problem>>> {
    Ok(
        match prepare_plan_import_with(db, bytes, target, today, &Choices::default()).await? {
            Ok(import) => Ok(import),
            Err((problems, _)) => Err(problems),
        },
    )
}

/// A refused plan file: its problems, and what Suivi understood of an
/// agency's own file (for the preview to show and the user to correct).
pub type Refusal = (Vec<Problem>, Option<Box<Understood>>);

/// Like [`prepare_plan_import`], with the user's choices for an agency's own
/// file (another sheet, header row or column meaning); Suivi's own plan file
/// is read exactly as before unless choices are given.
pub async fn prepare_plan_import_with(
    db: &PgPool,
    bytes: &[u8],
    target: &Target,
    today: NaiveDate,
    choices: &Choices,
) -> sqlx::Result<Result<PlanImport, Refusal>> {
    let workbook = match read_workbook(bytes).await {
        Ok(workbook) => workbook,
        Err(error) => return Ok(Err((unreadable(error), None))),
    };
    let suivi_file = workbook
        .first()
        .and_then(|s| s.rows.first())
        .is_some_and(|r| own_file::is_suivi_file(&r.cells));
    if suivi_file && *choices == Choices::default() {
        return Ok(prepare_suivi_file(db, bytes, target, today)
            .await?
            .map_err(|problems| (problems, None)));
    }
    let Some(understood) = own_file::understand(&workbook, choices) else {
        let problem = Problem {
            line: 1,
            column: String::new(),
            key: "imports.error.no_table",
            value: String::new(),
        };
        return Ok(Err((vec![problem], None)));
    };
    let regions = regions(db).await?;
    let year = match target {
        Target::Existing(plan) => plan.start_year,
        Target::New(new) => new.year,
    };
    let plan_currency = match target {
        Target::Existing(plan) => Some(plan.currency.as_str()),
        Target::New(_) => None,
    };
    let file = match own_file::to_plan_file(&understood, &regions, year, plan_currency) {
        Ok(file) => file,
        Err(problems) => return Ok(Err((problems, Some(Box::new(understood))))),
    };
    let existing = match target {
        Target::Existing(plan) => Some(structure::load(db, plan.id).await?),
        Target::New(_) => None,
    };
    let lines = match target {
        Target::Existing(plan) => funding::latest(db, plan.id).await?,
        Target::New(_) => Vec::new(),
    };
    let mut file = file;
    own_file::settle_funding(&mut file, &lines);
    let mut import = diff(&file, existing.as_ref(), &lines);
    let currency = own_file::currency_code(understood.plan.currency);
    set_new_plan_currency(&mut import, target, currency);
    import.understood = Some(understood);
    Ok(Ok(import))
}

/// Suivi's own plan file, cell for cell (`plan_file`).
async fn prepare_suivi_file(
    db: &PgPool,
    bytes: &[u8],
    target: &Target,
    today: NaiveDate,
) -> sqlx::Result<Result<PlanImport, Vec<Problem>>> {
    let sheets = match read_file(
        bytes,
        &[plan_file::INDICATOR_SHEET, plan_file::FUNDING_SHEET],
    )
    .await
    {
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
    // Its amounts are in the currency its money columns name (FCFA when
    // they name none): a plan's own, or a new plan's.
    let currency = plan_file::money_currency(&sheets.first).map_or("XOF", own_file::currency_code);
    if let Target::Existing(plan) = target {
        if plan.currency != currency {
            let budget = plan_file::COLUMNS
                .iter()
                .find(|(key, _)| *key == "budget")
                .map_or("", |(_, french)| french);
            return Ok(Err(vec![Problem {
                line: 1,
                column: budget.to_owned(),
                key: "imports.error.other_currency",
                value: currency_label(currency).to_owned(),
            }]));
        }
    }
    let existing = match target {
        Target::Existing(plan) => Some(structure::load(db, plan.id).await?),
        Target::New(_) => None,
    };
    if let Some(Some(sheet)) = sheets.named.first() {
        let mut node_codes: Vec<String> = file.nodes.iter().map(|n| n.code.clone()).collect();
        if let Some(existing) = &existing {
            node_codes.extend(existing.nodes.iter().map(|n| n.code.clone()));
        }
        match plan_file::parse_indicators(sheet, &node_codes) {
            Ok(indicators) => file.indicators = indicators,
            Err(problems) => return Ok(Err(problems)),
        }
    }
    if let Some(Some(sheet)) = sheets.named.get(1) {
        match plan_file::parse_funding(sheet) {
            Ok(lines) => file.funding = lines,
            Err(problems) => return Ok(Err(problems)),
        }
    }
    let lines = match target {
        Target::Existing(plan) => funding::latest(db, plan.id).await?,
        Target::New(_) => Vec::new(),
    };
    // A file that carries no funding line (a CSV holds one table) into a
    // plan that has none cannot name a source: the column is left aside
    // rather than refuse a copy of last year's plan.
    if file.funding.is_empty() && lines.is_empty() {
        file.has_funding_column = false;
        for activity in &mut file.activities {
            activity.fields.funding_source = None;
        }
    }
    let problems = unknown_sources(&file, &lines);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut import = diff(&file, existing.as_ref(), &lines);
    set_new_plan_currency(&mut import, target, currency);
    Ok(Ok(import))
}

/// A new plan takes the currency of its file's amounts (FCFA, the default,
/// needs no change): first, so that the plan is in its currency before its
/// amounts.
fn set_new_plan_currency(import: &mut PlanImport, target: &Target, currency: &str) {
    if matches!(target, Target::New(_)) && currency != "XOF" {
        import.changes.insert(
            0,
            PlanChange::SetCurrency {
                currency: currency.to_owned(),
            },
        );
    }
}

/// The activities whose "Source de financement" names no line of the plan
/// nor of the file's funding sheet.
fn unknown_sources(file: &PlanFile, lines: &[FundingLine]) -> Vec<Problem> {
    let column = plan_file::COLUMNS
        .iter()
        .find(|(key, _)| *key == "funding")
        .map_or("", |(_, french)| french);
    file.activities
        .iter()
        .filter_map(|activity| {
            let source = activity.fields.funding_source.as_deref()?;
            let known = file.funding.iter().any(|f| f.fields.source == source)
                || lines.iter().any(|l| l.source == source);
            (!known).then(|| Problem {
                line: activity.line,
                column: column.to_owned(),
                key: "funding.error.unknown_source",
                value: source.to_owned(),
            })
        })
        .collect()
}

/// The changes that bring the plan to what the file says, parents first
/// (and funding lines before the activities that name them).
fn diff(
    file: &PlanFile,
    existing: Option<&structure::Structure>,
    lines: &[FundingLine],
) -> PlanImport {
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
    let node_code_of = |id: i64| node_code.get(&id).copied();
    for node in &file.nodes {
        let fields = NodeFields {
            code: node.code.clone(),
            title: node.title.clone(),
        };
        let parent_code = node.parent.clone();
        match existing.nodes.iter().find(|n| n.code == node.code) {
            None => changes.push(PlanChange::CreateNode {
                fields,
                parent_code,
            }),
            Some(known)
                if known.title == node.title
                    && known.parent_id.and_then(node_code_of) == node.parent.as_deref() =>
            {
                unchanged += 1
            }
            Some(known) => changes.push(PlanChange::UpdateNode {
                id: known.id,
                fields,
                parent_code,
            }),
        }
    }
    // Lines are matched by their source's name, unique in a plan.
    for line in &file.funding {
        let fields = line.fields.clone();
        match lines.iter().find(|l| l.source == fields.source) {
            None => changes.push(PlanChange::CreateFunding { fields }),
            Some(known) if FundingFields::from(known) == fields => unchanged += 1,
            Some(known) => changes.push(PlanChange::UpdateFunding {
                id: known.id,
                fields,
            }),
        }
    }
    // Quantities compare by value: 12.500 in the database is 12,5 in a file.
    let normalized = |quantity: Option<Decimal>| quantity.map(|q| q.normalize());
    for activity in &file.activities {
        let mut fields = activity.fields.clone();
        let node_code = activity.node.clone();
        let known = existing.activities.iter().find(|a| a.code == fields.code);
        if !file.has_funding_column {
            fields.funding_source = known.and_then(|k| k.funding_source.clone());
        }
        if !file.has_associated_column {
            fields.associated_units = known.and_then(|k| k.associated_units.clone());
        }
        match known {
            None => changes.push(PlanChange::CreateActivity { fields, node_code }),
            Some(known)
                if node_code_of(known.node_id) == Some(activity.node.as_str())
                    && ActivityFields {
                        target: normalized(known.target),
                        ..ActivityFields::from(known)
                    } == ActivityFields {
                        target: normalized(fields.target),
                        ..fields.clone()
                    } =>
            {
                unchanged += 1
            }
            Some(known) => changes.push(PlanChange::UpdateActivity {
                id: known.id,
                fields,
                node_code,
            }),
        }
        // The schedule is its own dated attribute: written when the file
        // says another one than the activity has.
        if let Some(periods) = &activity.schedule {
            let now = known.map_or(&[][..], |k| k.periods());
            let periods = schedule::keeping_quantities(periods, now);
            if now != periods.as_slice() {
                changes.push(PlanChange::SetSchedule {
                    code: activity.fields.code.clone(),
                    periods,
                });
            }
        }
    }
    for indicator in &file.indicators {
        let fields = IndicatorFields {
            baseline: normalized(indicator.fields.baseline),
            target: normalized(indicator.fields.target),
            ..indicator.fields.clone()
        };
        let node_code = indicator.node.clone();
        match existing.indicators.iter().find(|i| i.code == fields.code) {
            None => changes.push(PlanChange::CreateIndicator { fields, node_code }),
            Some(known)
                if known.node_id.and_then(node_code_of) == indicator.node.as_deref()
                    && IndicatorFields {
                        baseline: normalized(known.baseline),
                        target: normalized(known.target),
                        ..IndicatorFields::from(known)
                    } == fields =>
            {
                unchanged += 1
            }
            Some(known) => changes.push(PlanChange::UpdateIndicator {
                id: known.id,
                fields,
                node_code,
            }),
        }
    }
    PlanImport {
        changes,
        unchanged,
        had_activities: !existing.activities.is_empty(),
        level_names: file.level_names.clone(),
        understood: None,
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
            // A multi-year file (an action plan 2022-2024) makes a
            // multi-year plan over its years.
            let years = import
                .understood
                .as_ref()
                .and_then(|u| u.plan.years)
                .filter(|(first, last)| last > first);
            new_plan = NewPlan {
                level_names: import.level_names.clone(),
                year: years.map_or(new.year, |(first, _)| first),
                end_year: years.map(|(_, last)| last).or(new.end_year),
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
