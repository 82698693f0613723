//! Editing a plan's structure, for the agency's editors and admins: nodes of
//! the tree, activities and indicators (add, rename, move, retire), and the
//! values of indicators per period. Forms come back with a message next to
//! each bad field and what was typed (422), and nothing is written until every
//! field is right.
//!
//! This module holds the structure page and what the item forms share (the
//! checks of codes, titles, quantities and years, the nodes an item may go
//! under); each item has its file: `nodes`, `activities`, `indicators`, and
//! `values` (an indicator's values per period).

mod activities;
mod confirm;
mod indicators;
mod nodes;
mod values;

pub use activities::{
    create_activity, edit_activity, new_activity, retire_activity, update_activity,
};
pub(in crate::web::pages) use activities::{effective_date, with_effective};
pub use confirm::{confirm_retire_activity, confirm_retire_indicator, confirm_retire_node};
pub use indicators::{
    create_indicator, edit_indicator, new_indicator, retire_indicator, update_indicator,
};
pub use nodes::{create_node, edit_node, new_node, retire_node, update_node};
pub use values::{set_value, values};
pub(crate) use values::{validate_value_fields, ValueInput};

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::forms::{optional_text, FieldErrors};
use super::render;
use crate::domain;
use crate::store::plans::{ActivityRow, IndicatorRow, NodeRow, Plan};
use crate::store::structure::{self, Change, Structure};
use crate::web::auth::CurrentUser;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

const CODE_MAX: usize = 64;
const TITLE_MAX: usize = 500;
const UNIT_MAX: usize = 64;
const RESPONSIBLE_MAX: usize = 200;
/// Several units, as the database allows.
const ASSOCIATED_MAX: usize = 500;
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

/// The form of the retire buttons: the CSRF token alone.
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}
