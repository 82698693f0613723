//! The nodes of a plan's tree: add one, rename or move it (with its branch),
//! retire it once it holds nothing in force.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::forms::{self, FieldErrors};
use super::super::render;
use super::{change, possible_parents, required_code, required_title, structure_link, NoFields};
use crate::store::plans::{NodeRow, Plan};
use crate::store::structure::{self, NodeFields, Outcome, Retirable};
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

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
