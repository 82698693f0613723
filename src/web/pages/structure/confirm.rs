//! The confirmation pages of "Retirer": `GET /nodes/{id}/retire` (and the
//! same for activities and indicators) shows what will be retired with a
//! POST form; only that form retires (`nodes`, `activities`, `indicators`).

use axum::response::Html;

use super::structure_link;
use crate::store::plans::{ActivityRow, IndicatorRow, NodeRow, Plan};
use crate::web::extract::Editable;
use crate::web::pages::confirm::ConfirmPage;
use crate::web::pages::render;
use crate::web::{AppError, Ctx};

fn retire_page(
    ctx: Ctx,
    plan: &Plan,
    item: String,
    action: String,
) -> Result<Html<String>, AppError> {
    render(&ConfirmPage {
        ctx,
        heading_key: "structure.retire_confirm",
        item,
        explain_key: "structure.retire_explain",
        action,
        button_key: "structure.retire",
        back: structure_link(plan),
        fields: Vec::new(),
    })
}

pub async fn confirm_retire_node(
    ctx: Ctx,
    Editable((plan, node), _): Editable<(Plan, NodeRow)>,
) -> Result<Html<String>, AppError> {
    let item = format!(
        "{} {} · {}",
        plan.level_name(node.depth),
        node.code,
        node.title
    );
    retire_page(ctx, &plan, item, format!("/nodes/{}/retire", node.id))
}

pub async fn confirm_retire_activity(
    ctx: Ctx,
    Editable((plan, activity), _): Editable<(Plan, ActivityRow)>,
) -> Result<Html<String>, AppError> {
    let item = format!("{} · {}", activity.code, activity.title);
    retire_page(
        ctx,
        &plan,
        item,
        format!("/activities/{}/retire", activity.id),
    )
}

pub async fn confirm_retire_indicator(
    ctx: Ctx,
    Editable((plan, indicator), _): Editable<(Plan, IndicatorRow)>,
) -> Result<Html<String>, AppError> {
    let item = format!("{} · {}", indicator.code, indicator.title);
    retire_page(
        ctx,
        &plan,
        item,
        format!("/indicators/{}/retire", indicator.id),
    )
}
