//! Editing a plan's structure, for the agency's editors and admins: nodes of
//! the tree, activities and indicators (add, rename, move, retire), and the
//! values of indicators per period. Forms come back with a message next to
//! each bad field and what was typed (422), and nothing is written until every
//! field is right.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::{self, optional_date, optional_text, required_date, FieldErrors};
use super::render;
use crate::domain::{self, Direction, Fcfa};
use crate::store::plans::{ActivityRow, IndicatorRow, NodeRow, Plan};
use crate::store::structure::{
    self, ActivityFields, Change, IndicatorFields, IndicatorValueRow, NodeFields, Outcome, Region,
    Retirable, Structure,
};
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

const CODE_MAX: usize = 64;
const TITLE_MAX: usize = 500;
const UNIT_MAX: usize = 64;
const RESPONSIBLE_MAX: usize = 200;
const PERIOD_LABEL_MAX: usize = 32;

/// The structure page, where every change goes back to.
fn structure_link(plan: &Plan) -> String {
    format!("/plans/{}/structure", plan.id)
}

fn change<'a>(user: &CurrentUser, plan: &Plan, action: &'a str) -> Change<'a> {
    Change {
        user_id: user.user.id,
        agency_id: plan.agency_id,
        action,
    }
}

/// A code: short, without spaces (it names the item in imports and links).
fn required_code(errors: &mut FieldErrors, text: &str) -> String {
    let code = text.trim();
    if code.is_empty() {
        errors.set("code", "error.value.empty");
    } else if code.chars().count() > CODE_MAX || code.contains(char::is_whitespace) {
        errors.set("code", "structure.error.code");
    }
    code.to_owned()
}

fn required_title(errors: &mut FieldErrors, text: &str) -> String {
    let title = optional_text(errors, "title", text, TITLE_MAX);
    if title.is_none() {
        errors.set("title", "error.value.empty");
    }
    title.unwrap_or_default()
}

/// An optional number with a decimal comma or point; never negative.
fn optional_quantity(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
) -> Option<rust_decimal::Decimal> {
    if text.trim().is_empty() {
        return None;
    }
    domain::parse_quantity(text)
        .map_err(|e| errors.set(field, e.key()))
        .ok()
}

fn optional_year(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let year = domain::parse_plan_year(text);
    if year.is_none() {
        errors.set(field, "error.bad_year");
    }
    year
}

/// A node of this plan still in force, chosen in a list.
fn node_of_plan(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    structure: &Structure,
) -> Option<i64> {
    let id = text.trim().parse::<i64>().ok().filter(|id| {
        structure
            .nodes
            .iter()
            .any(|n| n.id == *id && n.retired_on.is_none())
    });
    if id.is_none() {
        errors.set(field, "structure.error.node");
    }
    id
}

// ---- The structure page ----

#[derive(Template)]
#[template(path = "structure.html")]
struct StructurePage {
    ctx: Ctx,
    plan: Plan,
    structure: Structure,
}

impl StructurePage {
    fn activities_of(&self, node_id: &i64) -> Vec<&ActivityRow> {
        self.structure
            .activities
            .iter()
            .filter(|a| a.node_id == *node_id)
            .collect()
    }

    fn indicators_of(&self, node_id: &i64) -> Vec<&IndicatorRow> {
        self.structure
            .indicators
            .iter()
            .filter(|i| i.node_id == Some(*node_id))
            .collect()
    }

    fn plan_indicators(&self) -> Vec<&IndicatorRow> {
        self.structure
            .indicators
            .iter()
            .filter(|i| i.node_id.is_none())
            .collect()
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    Ok(render(&StructurePage {
        ctx,
        plan,
        structure,
    })?
    .into_response())
}

// ---- Nodes ----

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NodeInput {
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Template)]
#[template(path = "structure_node.html")]
struct NodePage {
    ctx: Ctx,
    plan: Plan,
    node_id: Option<i64>,
    form: NodeInput,
    errors: FieldErrors,
    /// The nodes it may go under.
    parents: Vec<NodeRow>,
}

/// The nodes `node` may be placed under: any node in force but itself and
/// its descendants (a node cannot go under its own branch).
fn possible_parents(structure: &Structure, node: Option<i64>) -> Vec<NodeRow> {
    let mut excluded: Vec<i64> = node.into_iter().collect();
    // Tree order: descendants follow their ancestor.
    for n in &structure.nodes {
        if n.parent_id.is_some_and(|p| excluded.contains(&p)) {
            excluded.push(n.id);
        }
    }
    structure
        .nodes
        .iter()
        .filter(|n| n.retired_on.is_none() && !excluded.contains(&n.id))
        .cloned()
        .collect()
}

/// The node's parent and fields; the rules of the tree (depth, cycles) are
/// the store's, checked when the node is written.
fn validate_node(
    input: &NodeInput,
    parents: &[NodeRow],
) -> Result<(Option<i64>, NodeFields), FieldErrors> {
    let mut errors = FieldErrors::default();
    let parent_id = match input.parent.trim() {
        "" => None,
        text => {
            let id = text
                .parse::<i64>()
                .ok()
                .filter(|id| parents.iter().any(|p| p.id == *id));
            if id.is_none() {
                errors.set("parent", "structure.error.parent");
            }
            id
        }
    };
    let code = required_code(&mut errors, &input.code);
    let title = required_title(&mut errors, &input.title);
    if errors.is_empty() {
        Ok((parent_id, NodeFields { code, title }))
    } else {
        Err(errors)
    }
}

fn node_page(
    ctx: Ctx,
    plan: Plan,
    node_id: Option<i64>,
    form: NodeInput,
    errors: FieldErrors,
    parents: Vec<NodeRow>,
) -> Result<Response, AppError> {
    let status = errors.status();
    let page = NodePage {
        ctx,
        plan,
        node_id,
        form,
        errors,
        parents,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let parents = possible_parents(&structure, None);
    node_page(
        ctx,
        plan,
        None,
        NodeInput::default(),
        FieldErrors::default(),
        parents,
    )
}

pub async fn create_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    CsrfForm(input): CsrfForm<NodeInput>,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let parents = possible_parents(&structure, None);
    let saved = forms::save(
        validate_node(&input, &parents),
        async |(parent_id, fields)| {
            structure::add_node(
                &state.db,
                plan.id,
                parent_id,
                &fields,
                state.today(),
                change(&user, &plan, "node.create"),
            )
            .await
        },
        |_| structure_link(&plan),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => node_page(ctx, plan, None, input, errors, parents),
    }
}

pub async fn edit_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, node), _): Editable<(Plan, NodeRow)>,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let parents = possible_parents(&structure, Some(node.id));
    let form = NodeInput {
        parent: node.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        code: node.code.clone(),
        title: node.title.clone(),
    };
    node_page(
        ctx,
        plan,
        Some(node.id),
        form,
        FieldErrors::default(),
        parents,
    )
}

pub async fn update_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, node), user): Editable<(Plan, NodeRow)>,
    CsrfForm(input): CsrfForm<NodeInput>,
) -> Result<Response, AppError> {
    let structure = structure::load(&state.db, plan.id).await?;
    let parents = possible_parents(&structure, Some(node.id));
    let saved = forms::save(
        validate_node(&input, &parents),
        async |(parent_id, fields)| {
            structure::update_node(
                &state.db,
                plan.id,
                node.id,
                parent_id,
                &fields,
                change(&user, &plan, "node.update"),
            )
            .await
        },
        |_| structure_link(&plan),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => node_page(ctx, plan, Some(node.id), input, errors, parents),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

pub async fn retire_node(
    State(state): State<AppState>,
    Editable((plan, node), user): Editable<(Plan, NodeRow)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let outcome = structure::retire(
        &state.db,
        Retirable::Node,
        node.id,
        state.today(),
        change(&user, &plan, "node.retire"),
    )
    .await?;
    // Checked by the store, in the retiring transaction.
    if let Outcome::Refused(refusal) = outcome {
        return Err(AppError::Conflict { key: refusal.key() });
    }
    Ok(Redirect::to(&structure_link(&plan)).into_response())
}

// ---- Activities ----

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
    pub region: String,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
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
            region: row.region_code.clone(),
            planned_start: row.planned_start.map(|d| d.to_string()).unwrap_or_default(),
            planned_end: row.planned_end.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

fn validate_activity(
    input: &ActivityInput,
    structure: &Structure,
    regions: &[Region],
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
    let region_code = input.region.trim().to_owned();
    if !regions.iter().any(|r| r.code == region_code) {
        errors.set("region", "structure.error.region");
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
                region_code,
                planned_start,
                planned_end,
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
    let id = existing.as_ref().map(|a| a.id);
    let action = if existing.is_some() {
        "activity.update"
    } else {
        "activity.create"
    };
    let saved = forms::save(
        validate_activity(&input, &structure, &regions),
        async |(node_id, fields)| {
            structure::save_activity(
                &state.db,
                plan.id,
                state.today(),
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
    let form = ActivityInput::of(&activity);
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

// ---- Indicators ----

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
    let saved = forms::save(
        validate_indicator(&input, &structure),
        async |(node_id, fields)| {
            structure::save_indicator(
                &state.db,
                plan.id,
                state.today(),
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
    let form = IndicatorInput::of(&indicator);
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

// ---- Indicator values ----

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ValueInput {
    #[serde(default)]
    pub period_label: String,
    #[serde(default)]
    pub period_end: String,
    #[serde(default)]
    pub value: String,
}

fn validate_value(input: &ValueInput) -> Result<IndicatorValueRow, FieldErrors> {
    let mut errors = FieldErrors::default();
    let period_label = optional_text(
        &mut errors,
        "period_label",
        &input.period_label,
        PERIOD_LABEL_MAX,
    );
    if period_label.is_none() {
        errors.set("period_label", "error.value.empty");
    }
    let period_end = required_date(&mut errors, "period_end", &input.period_end);
    // Values are levels (a count, a rate), entered like targets: decimal
    // comma, never negative, although the schema would store a negative one.
    let value = if input.value.trim().is_empty() {
        errors.set("value", "error.value.empty");
        None
    } else {
        optional_quantity(&mut errors, "value", &input.value)
    };
    match (period_label, period_end, value) {
        (Some(period_label), Some(period_end), Some(value)) if errors.is_empty() => {
            Ok(IndicatorValueRow {
                period_label,
                period_end,
                value,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "structure_values.html")]
struct ValuesPage {
    ctx: Ctx,
    plan: Plan,
    indicator: IndicatorRow,
    values: Vec<IndicatorValueRow>,
    form: ValueInput,
    errors: FieldErrors,
}

async fn values_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    indicator: IndicatorRow,
    form: ValueInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let values = structure::indicator_values(&state.db, indicator.id).await?;
    let status = errors.status();
    let page = ValuesPage {
        ctx,
        plan,
        indicator,
        values,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn values(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, indicator), _): Editable<(Plan, IndicatorRow)>,
) -> Result<Response, AppError> {
    values_page(
        &state,
        ctx,
        plan,
        indicator,
        ValueInput::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn set_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, indicator), user): Editable<(Plan, IndicatorRow)>,
    CsrfForm(input): CsrfForm<ValueInput>,
) -> Result<Response, AppError> {
    let saved = forms::save(
        validate_value(&input),
        async |value| {
            structure::set_indicator_value(
                &state.db,
                indicator.id,
                &value,
                change(&user, &plan, "indicator.value"),
            )
            .await
        },
        |()| format!("/indicators/{}/values", indicator.id),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => values_page(&state, ctx, plan, indicator, input, errors).await,
    }
}
