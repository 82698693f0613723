//! The bulk entry grid: every activity of a plan (or of one node) on one page,
//! editable in place, for the agency's editors. One submit saves the changed
//! rows in one transaction under the rules of the single-activity form: a row
//! someone else saved meanwhile is listed, not overwritten, and the others are
//! saved; any invalid row keeps everything unsaved and shows its messages.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::activities::{blank_values, entry_date, validate, FieldErrors, ProgressInput};
use super::render;
use super::views::PlanTree;
use crate::domain::Status;
use crate::store::activities::{
    self, ActivityDetail, BatchRow, ProgressRow, RecordOutcome, Recorder,
};
use crate::store::plans::Plan;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Deserialize)]
pub struct GridQuery {
    /// Only this node's subtree (its code, as in the drill-down links).
    node: Option<String>,
    /// How many rows the last submit saved, for the confirmation.
    saved: Option<String>,
}

/// One activity's row as shown and as typed.
pub struct GridRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    /// The state as of today, shown beside the inputs.
    pub current: Option<(Status, NaiveDate)>,
    pub input: ProgressInput,
    /// The values first shown, to tell a changed row from an untouched one.
    pub shown: String,
    pub errors: FieldErrors,
    /// Someone saved this activity after the grid was loaded: their update.
    pub conflict: Option<Option<ProgressRow>>,
}

/// A heading row for each node, then its activities.
pub enum GridLine {
    Node {
        depth: i32,
        code: String,
        title: String,
        level: String,
    },
    Activity(Box<GridRow>),
}

#[derive(Template)]
#[template(path = "grid.html")]
struct GridPage {
    ctx: Ctx,
    plan: Plan,
    node: Option<String>,
    lines: Vec<GridLine>,
    today: NaiveDate,
    statuses: &'static [Status],
    saved: Option<usize>,
    invalid: bool,
    conflicts: usize,
}

impl GridPage {
    fn action(&self) -> String {
        match &self.node {
            Some(code) => format!(
                "/plans/{}/grid?node={}",
                self.plan.id,
                self.ctx.query_value(code)
            ),
            None => format!("/plans/{}/grid", self.plan.id),
        }
    }

    fn years(&self) -> String {
        self.plan.years()
    }
}

/// What identifies a row's values: a row is changed when what comes back
/// differs from what was shown.
fn fingerprint(input: &ProgressInput) -> String {
    [
        input.status.trim(),
        input.achieved.trim(),
        input.spent.trim(),
        input.as_of.trim(),
        input.comment.trim(),
    ]
    .join("\u{1f}")
}

/// The grid's lines as of today, each row filled by `input_of` (the stored
/// values, or what the user typed).
async fn build_lines(
    state: &AppState,
    plan: &Plan,
    node: Option<&str>,
    mut typed: impl FnMut(i64, ProgressInput) -> GridRow,
) -> Result<Vec<GridLine>, AppError> {
    let today = state.today();
    let tree = PlanTree::load(&state.db, plan, today).await?;
    if let Some(code) = node {
        if !tree.nodes.iter().any(|n| n.node.code == code) {
            return Err(AppError::bad_request("error.bad_filter"));
        }
    }
    let bases = activities::latest_recorded_for_plan(&state.db, plan.id).await?;
    let mut lines = Vec::new();
    for view in &tree.nodes {
        if node.is_some_and(|code| !tree.is_under(view.node.id, code)) {
            continue;
        }
        lines.push(GridLine::Node {
            depth: view.node.depth,
            code: view.node.code.clone(),
            title: view.node.title.clone(),
            level: view.level_name.clone(),
        });
        for activity in &view.activities {
            let a = &activity.activity;
            let shown = blank_values(
                a.latest_update().map(|u| (u.status, a.achieved, a.spent)),
                bases.get(&a.id).copied(),
                entry_date(plan.end_year, today),
            );
            let mut row = typed(a.id, shown.clone());
            row.code.clone_from(&a.code);
            row.title.clone_from(&a.title);
            row.unit.clone_from(&a.unit);
            row.current = a.latest_update().map(|u| (u.status, u.as_of));
            if row.shown.is_empty() {
                row.shown = fingerprint(&shown);
            }
            lines.push(GridLine::Activity(Box::new(row)));
        }
    }
    Ok(lines)
}

fn plain_row(id: i64, input: ProgressInput) -> GridRow {
    GridRow {
        id,
        code: String::new(),
        title: String::new(),
        unit: None,
        current: None,
        input,
        shown: String::new(),
        errors: FieldErrors::default(),
        conflict: None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
    Query(query): Query<GridQuery>,
) -> Result<Response, AppError> {
    let node = query.node.filter(|n| !n.trim().is_empty());
    let lines = build_lines(&state, &plan, node.as_deref(), plain_row).await?;
    let saved = query.saved.and_then(|s| s.parse().ok());
    let page = GridPage {
        ctx,
        plan,
        node,
        lines,
        today: state.today(),
        statuses: Status::ALL,
        saved,
        invalid: false,
        conflicts: 0,
    };
    Ok(render(&page)?.into_response())
}

/// The submitted grid: `{activity id}.{field}` → value.
fn rows_of(fields: Vec<(String, String)>) -> BTreeMap<i64, (ProgressInput, String)> {
    let mut rows: BTreeMap<i64, (ProgressInput, String)> = BTreeMap::new();
    for (name, value) in fields {
        let Some((id, field)) = name.split_once('.') else {
            continue;
        };
        let Ok(id) = id.parse::<i64>() else { continue };
        let (input, shown) = rows.entry(id).or_default();
        match field {
            "status" => input.status = value,
            "achieved" => input.achieved = value,
            "spent" => input.spent = value,
            "as_of" => input.as_of = value,
            "comment" => input.comment = value,
            "base" => input.base = value,
            "shown" => *shown = value,
            _ => {}
        }
    }
    rows
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    Query(query): Query<GridQuery>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let node = query.node.filter(|n| !n.trim().is_empty());
    let today = state.today();
    let submitted = rows_of(fields);
    let details: HashMap<i64, ActivityDetail> = activities::details_for_plan(&state.db, plan.id)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();

    // Validate every changed row first: one bad value saves nothing.
    let mut batch = Vec::new();
    let mut errors: HashMap<i64, FieldErrors> = HashMap::new();
    for (id, (input, shown)) in &submitted {
        if fingerprint(input) == *shown {
            continue;
        }
        // A row of another plan (a forged form) names nothing here.
        let activity = details
            .get(id)
            .ok_or(AppError::bad_request("error.bad_request"))?;
        let base = match input.base.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::bad_request("error.bad_request"))?,
            ),
        };
        match validate(input, activity, today) {
            Ok(update) => batch.push(BatchRow {
                activity: activity.clone(),
                base,
                update,
            }),
            Err(row_errors) => {
                errors.insert(*id, row_errors);
            }
        }
    }
    if !errors.is_empty() {
        let mut typed_rows = submitted;
        let lines = build_lines(&state, &plan, node.as_deref(), |id, stored| {
            let (input, shown) = typed_rows.remove(&id).unwrap_or((stored, String::new()));
            GridRow {
                errors: errors.remove(&id).unwrap_or_default(),
                shown,
                ..plain_row(id, input)
            }
        })
        .await?;
        let page = GridPage {
            ctx,
            plan,
            node,
            lines,
            today,
            statuses: Status::ALL,
            saved: None,
            invalid: true,
            conflicts: 0,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }

    let recorder = Recorder {
        user_id: user.user.id,
        name: &user.user.display_name,
        is_admin: user.user.is_admin,
    };
    let outcomes = activities::record_batch(&state.db, &batch, recorder).await?;
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, RecordOutcome::Recorded(_)))
        .count();
    tracing::info!(plan = plan.id, saved, rows = batch.len(), "grid saved");
    // Rows not saved come back with what the user typed, now based on the
    // latest update, so that a resubmit is a deliberate choice.
    let mut refused: HashMap<i64, (ProgressInput, GridRow)> = HashMap::new();
    for (row, outcome) in batch.iter().zip(outcomes) {
        let id = row.activity.id;
        let Some((input, _)) = submitted.get(&id) else {
            continue;
        };
        let mut grid_row = plain_row(id, input.clone());
        match outcome {
            RecordOutcome::Recorded(_) => continue,
            RecordOutcome::Conflict { latest } => {
                grid_row.input.base = latest
                    .as_ref()
                    .map(|l| l.id.to_string())
                    .unwrap_or_default();
                grid_row.conflict = Some(latest);
            }
            RecordOutcome::Frozen { .. } => {
                grid_row.errors.as_of = Some("error.progress.frozen");
            }
        }
        refused.insert(id, (input.clone(), grid_row));
    }
    if refused.is_empty() {
        let back = match &node {
            Some(code) => format!(
                "/plans/{}/grid?node={}&saved={saved}",
                plan.id,
                ctx.query_value(code)
            ),
            None => format!("/plans/{}/grid?saved={saved}", plan.id),
        };
        return Ok(Redirect::to(&back).into_response());
    }
    let conflicts = refused
        .values()
        .filter(|(_, r)| r.conflict.is_some())
        .count();
    let lines = build_lines(&state, &plan, node.as_deref(), |id, stored| {
        match refused.remove(&id) {
            // Shown as stored now; the user's values differ, so a resubmit
            // saves them.
            Some((_, row)) => GridRow {
                shown: fingerprint(&stored),
                ..row
            },
            None => plain_row(id, stored),
        }
    })
    .await?;
    let page = GridPage {
        ctx,
        plan,
        node,
        lines,
        today,
        statuses: Status::ALL,
        saved: Some(saved),
        invalid: false,
        conflicts,
    };
    let status = if conflicts > 0 {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}
