//! The indicators of a plan (of a node, or of the plan as a whole): add one,
//! change its fields, retire it.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::forms::{self, optional_text, FieldErrors};
use super::super::render;
use super::activities::{effective_date, with_effective};
use super::{
    change, node_of_plan, optional_quantity, optional_year, possible_parents, required_code,
    required_title, structure_link, NoFields, UNIT_MAX,
};
use crate::domain::Direction;
use crate::store::plans::{IndicatorRow, NodeRow, Plan};
use crate::store::structure::{self, IndicatorFields, Retirable, Structure};
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct IndicatorInput {
    #[serde(default)]
    pub node: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub baseline_year: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub target_year: String,
    #[serde(default)]
    pub direction: String,
    /// When a change of the baseline or target takes effect (an existing
    /// indicator only); empty means today.
    #[serde(default)]
    pub effective_on: String,
}

impl IndicatorInput {
    fn of(row: &IndicatorRow) -> IndicatorInput {
        let quantity = |q: Option<rust_decimal::Decimal>| {
            q.map(|q| q.normalize().to_string()).unwrap_or_default()
        };
        let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
        IndicatorInput {
            node: row.node_id.map(|n| n.to_string()).unwrap_or_default(),
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone().unwrap_or_default(),
            baseline: quantity(row.baseline),
            baseline_year: year(row.baseline_year),
            target: quantity(row.target),
            target_year: year(row.target_year),
            direction: row.direction.as_str().to_owned(),
            effective_on: String::new(),
        }
    }
}

fn validate_indicator(
    input: &IndicatorInput,
    structure: &Structure,
) -> Result<(Option<i64>, IndicatorFields), FieldErrors> {
    let mut errors = FieldErrors::default();
    // An indicator may measure the whole plan (no node).
    let node_id = match input.node.trim() {
        "" => None,
        text => node_of_plan(&mut errors, "node", text, structure),
    };
    let code = required_code(&mut errors, &input.code);
    let title = required_title(&mut errors, &input.title);
    let unit = optional_text(&mut errors, "unit", &input.unit, UNIT_MAX);
    let baseline = optional_quantity(&mut errors, "baseline", &input.baseline);
    let baseline_year = optional_year(&mut errors, "baseline_year", &input.baseline_year);
    let target = optional_quantity(&mut errors, "target", &input.target);
    let target_year = optional_year(&mut errors, "target_year", &input.target_year);
    let direction = input.direction.parse::<Direction>().ok();
    if direction.is_none() {
        errors.set("direction", "boards.error.choice");
    }
    match direction {
        Some(direction) if errors.is_empty() => Ok((
            node_id,
            IndicatorFields {
                code,
                title,
                unit,
                baseline,
                baseline_year,
                target,
                target_year,
                direction,
            },
        )),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "structure_indicator.html")]
struct IndicatorPage {
    ctx: Ctx,
    plan: Plan,
    indicator_id: Option<i64>,
    form: IndicatorInput,
    errors: FieldErrors,
    nodes: Vec<NodeRow>,
    directions: &'static [Direction],
}

async fn indicator_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    indicator_id: Option<i64>,
    form: IndicatorInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let status = errors.status();
    let page = IndicatorPage {
        ctx,
        plan,
        indicator_id,
        form,
        errors,
        nodes: possible_parents(&structure, None),
        directions: Direction::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let form = IndicatorInput {
        direction: Direction::Increase.as_str().to_owned(),
        ..IndicatorInput::default()
    };
    indicator_page(&state, ctx, plan, None, form, FieldErrors::default()).await
}

async fn save_indicator(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    plan: Plan,
    existing: Option<IndicatorRow>,
    input: IndicatorInput,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let id = existing.as_ref().map(|i| i.id);
    let action = if existing.is_some() {
        "indicator.update"
    } else {
        "indicator.create"
    };
    let effective = match &existing {
        None => Ok(state.today()),
        Some(_) => effective_date(state, user, &plan, &input.effective_on).await?,
    };
    let saved = forms::save(
        with_effective(validate_indicator(&input, &structure), effective),
        async |((node_id, fields), on)| {
            structure::save_indicator(
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
        Err(errors) => indicator_page(state, ctx, plan, id, input, errors).await,
    }
}

pub async fn create_indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    CsrfForm(input): CsrfForm<IndicatorInput>,
) -> Result<Response, AppError> {
    save_indicator(&state, ctx, &user, plan, None, input).await
}

pub async fn edit_indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, indicator), _): Editable<(Plan, IndicatorRow)>,
) -> Result<Response, AppError> {
    let form = IndicatorInput {
        effective_on: state.today().to_string(),
        ..IndicatorInput::of(&indicator)
    };
    indicator_page(
        &state,
        ctx,
        plan,
        Some(indicator.id),
        form,
        FieldErrors::default(),
    )
    .await
}

pub async fn update_indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, indicator), user): Editable<(Plan, IndicatorRow)>,
    CsrfForm(input): CsrfForm<IndicatorInput>,
) -> Result<Response, AppError> {
    save_indicator(&state, ctx, &user, plan, Some(indicator), input).await
}

pub async fn retire_indicator(
    State(state): State<AppState>,
    Editable((plan, indicator), user): Editable<(Plan, IndicatorRow)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    structure::retire(
        &state.db,
        Retirable::Indicator,
        indicator.id,
        state.today(),
        change(&user, &plan, "indicator.retire"),
    )
    .await?;
    Ok(Redirect::to(&structure_link(&plan)).into_response())
}
