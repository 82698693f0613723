//! The activities of a plan: add one under a node, change its fields or move
//! it, retire it.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::super::forms::{self, optional_date, optional_text, FieldErrors};
use super::super::render;
use super::{
    change, node_of_plan, optional_quantity, possible_parents, required_code, required_title,
    structure_link, NoFields, ASSOCIATED_MAX, RESPONSIBLE_MAX, UNIT_MAX,
};
use crate::domain::Fcfa;
use crate::store::funding;
use crate::store::plans::{ActivityRow, FundingLine, NodeRow, Plan};
use crate::store::structure::{self, ActivityFields, Region, Retirable, Structure};
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityInput {
    #[serde(default)]
    pub node: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub responsible_unit: String,
    #[serde(default)]
    pub associated_units: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
    /// When a change takes effect (an existing activity only); empty means
    /// today.
    #[serde(default)]
    pub effective_on: String,
    /// The name of the plan's funding line that pays for it; empty for none.
    #[serde(default)]
    pub funding_source: String,
}

impl ActivityInput {
    fn of(row: &ActivityRow) -> ActivityInput {
        ActivityInput {
            node: row.node_id.to_string(),
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone().unwrap_or_default(),
            target: row
                .target
                .map(|t| t.normalize().to_string())
                .unwrap_or_default(),
            budget: row.budget.to_string(),
            responsible_unit: row.responsible_unit.clone().unwrap_or_default(),
            associated_units: row.associated_units.clone().unwrap_or_default(),
            region: row.region_code.clone(),
            planned_start: row.planned_start.map(|d| d.to_string()).unwrap_or_default(),
            planned_end: row.planned_end.map(|d| d.to_string()).unwrap_or_default(),
            effective_on: String::new(),
            funding_source: row.funding_source.clone().unwrap_or_default(),
        }
    }
}

/// The validated fields with the date they take effect, or every message of
/// both.
pub(in crate::web::pages) fn with_effective<F>(
    validated: Result<F, FieldErrors>,
    effective: Result<NaiveDate, &'static str>,
) -> Result<(F, NaiveDate), FieldErrors> {
    match (validated, effective) {
        (Ok(valid), Ok(on)) => Ok((valid, on)),
        (Ok(_), Err(key)) => {
            let mut errors = FieldErrors::default();
            errors.set("effective_on", key);
            Err(errors)
        }
        (Err(mut errors), Err(key)) => {
            errors.set("effective_on", key);
            Err(errors)
        }
        (Err(errors), Ok(_)) => Err(errors),
    }
}

/// The date a change of an existing activity or indicator takes effect, or the message
/// saying why not: never before the plan starts, and not on or before the
/// cutoff of a held board session on the plan unless by an admin, as for
/// progress updates, since that would move the figures the board saw.
pub(in crate::web::pages) async fn effective_date(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    text: &str,
) -> Result<Result<NaiveDate, &'static str>, AppError> {
    let on = if text.trim().is_empty() {
        state.today()
    } else {
        match crate::domain::parse_iso_date(text) {
            Some(on) => on,
            None => return Ok(Err("error.bad_date")),
        }
    };
    if NaiveDate::from_ymd_opt(plan.start_year, 1, 1).is_some_and(|start| on < start) {
        return Ok(Err("structure.error.effective_before_plan"));
    }
    if !user.user.is_admin
        && structure::freezing_session(&state.db, plan.id, on)
            .await?
            .is_some()
    {
        return Ok(Err("structure.error.effective_frozen"));
    }
    Ok(Ok(on))
}

fn validate_activity(
    input: &ActivityInput,
    structure: &Structure,
    regions: &[Region],
    lines: &[FundingLine],
) -> Result<(i64, ActivityFields), FieldErrors> {
    let mut errors = FieldErrors::default();
    let node_id = node_of_plan(&mut errors, "node", &input.node, structure);
    let code = required_code(&mut errors, &input.code);
    let title = required_title(&mut errors, &input.title);
    let unit = optional_text(&mut errors, "unit", &input.unit, UNIT_MAX);
    let target = optional_quantity(&mut errors, "target", &input.target);
    let budget = if input.budget.trim().is_empty() {
        0
    } else {
        Fcfa::parse(&input.budget)
            .map(|f| f.0)
            .map_err(|e| errors.set("budget", e.key()))
            .unwrap_or(0)
    };
    let responsible_unit = optional_text(
        &mut errors,
        "responsible_unit",
        &input.responsible_unit,
        RESPONSIBLE_MAX,
    );
    let associated_units = optional_text(
        &mut errors,
        "associated_units",
        &input.associated_units,
        ASSOCIATED_MAX,
    );
    let region_code = input.region.trim().to_owned();
    if !regions.iter().any(|r| r.code == region_code) {
        errors.set("region", "structure.error.region");
    }
    let funding_source = Some(input.funding_source.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(source) = &funding_source {
        if !lines.iter().any(|line| line.source == *source) {
            errors.set("funding_source", "funding.error.unknown_source");
        }
    }
    let planned_start = optional_date(&mut errors, "planned_start", &input.planned_start);
    let planned_end = optional_date(&mut errors, "planned_end", &input.planned_end);
    if let (Some(start), Some(end)) = (planned_start, planned_end) {
        if end < start {
            errors.set("planned_end", "structure.error.end_before_start");
        }
    }
    match node_id {
        Some(node_id) if errors.is_empty() => Ok((
            node_id,
            ActivityFields {
                code,
                title,
                unit,
                target,
                budget,
                responsible_unit,
                associated_units,
                region_code,
                planned_start,
                planned_end,
                funding_source,
            },
        )),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "structure_activity.html")]
struct ActivityPage {
    ctx: Ctx,
    plan: Plan,
    activity_id: Option<i64>,
    form: ActivityInput,
    errors: FieldErrors,
    nodes: Vec<NodeRow>,
    regions: Vec<Region>,
    /// The plan's funding lines an activity may name.
    lines: Vec<FundingLine>,
}

async fn activity_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    activity_id: Option<i64>,
    form: ActivityInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let status = errors.status();
    let page = ActivityPage {
        lines: funding::latest(&state.db, plan.id).await?,
        ctx,
        plan,
        activity_id,
        form,
        errors,
        nodes: possible_parents(&structure, None),
        regions: structure::regions(&state.db).await?,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let form = ActivityInput {
        region: "NAT".into(),
        ..ActivityInput::default()
    };
    activity_page(&state, ctx, plan, None, form, FieldErrors::default()).await
}

async fn save_activity(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    plan: Plan,
    existing: Option<ActivityRow>,
    input: ActivityInput,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let regions = structure::regions(&state.db).await?;
    let lines = funding::latest(&state.db, plan.id).await?;
    let id = existing.as_ref().map(|a| a.id);
    let action = if existing.is_some() {
        "activity.update"
    } else {
        "activity.create"
    };
    let effective = match &existing {
        None => Ok(state.today()),
        Some(_) => effective_date(state, user, &plan, &input.effective_on).await?,
    };
    let validated = with_effective(
        validate_activity(&input, &structure, &regions, &lines),
        effective,
    );
    let saved = forms::save(
        validated,
        async |((node_id, fields), on)| {
            structure::save_activity(
                &state.db,
                plan.id,
                on,
                existing.as_ref(),
                node_id,
                &fields,
                change(user, &plan, action),
            )
            .await
        },
        |_| structure_link(&plan),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => activity_page(state, ctx, plan, id, input, errors).await,
    }
}

pub async fn create_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    CsrfForm(input): CsrfForm<ActivityInput>,
) -> Result<Response, AppError> {
    save_activity(&state, ctx, &user, plan, None, input).await
}

pub async fn edit_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, activity), _): Editable<(Plan, ActivityRow)>,
) -> Result<Response, AppError> {
    let form = ActivityInput {
        effective_on: state.today().to_string(),
        ..ActivityInput::of(&activity)
    };
    activity_page(
        &state,
        ctx,
        plan,
        Some(activity.id),
        form,
        FieldErrors::default(),
    )
    .await
}

pub async fn update_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, activity), user): Editable<(Plan, ActivityRow)>,
    CsrfForm(input): CsrfForm<ActivityInput>,
) -> Result<Response, AppError> {
    save_activity(&state, ctx, &user, plan, Some(activity), input).await
}

pub async fn retire_activity(
    State(state): State<AppState>,
    Editable((plan, activity), user): Editable<(Plan, ActivityRow)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    structure::retire(
        &state.db,
        Retirable::Activity,
        activity.id,
        state.today(),
        change(&user, &plan, "activity.retire"),
    )
    .await?;
    Ok(Redirect::to(&structure_link(&plan)).into_response())
}
