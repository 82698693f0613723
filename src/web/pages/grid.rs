//! The bulk entry grid: every activity of a plan (or of one node) on one page,
//! editable in place, for the agency's editors. One submit saves the changed
//! rows in one transaction under the rules of the single-activity form: a row
//! someone else saved meanwhile is listed, not overwritten, and the others are
//! saved; any invalid row keeps everything unsaved and shows its messages.

use crate::i18n::Lang;
use crate::schedule::{self, PlannedPeriod};
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::activities::{blank_values, entry_date, recorder, validate, FieldErrors, ProgressInput};
use super::render;
use super::views::PlanTree;
use crate::domain::{Review, Status};
use crate::store::activities::{self, ActivityDetail, BatchRow, ProgressRow, RecordOutcome};
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
    /// The latest update waits for validation or was rejected (with why).
    pub review: Option<(Review, Option<String>)>,
    /// Its planned periods, shown beside its title ("T1 T3").
    pub schedule: Vec<PlannedPeriod>,
}

impl GridRow {
    pub fn schedule_label(&self, lang: Lang) -> String {
        schedule::label(&self.schedule, lang)
    }
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
    let mut reviews = activities::uncounted_latest_for_plan(&state.db, plan.id).await?;
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
                a.latest.update().map(|u| (u.status, u.achieved, u.spent)),
                bases.get(&a.id).copied(),
                entry_date(plan.end_year, today),
            );
            let mut row = typed(a.id, shown.clone());
            row.code.clone_from(&a.code);
            row.title.clone_from(&a.title);
            row.unit.clone_from(&a.unit);
            row.current = a.latest.update().map(|u| (u.status, u.as_of));
            row.review = reviews.remove(&a.id);
            row.schedule = a.periods().to_vec();
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
        review: None,
        schedule: Vec::new(),
    }
}

impl GridPage {
    /// The grid as first shown: nothing saved, nothing refused.
    fn new(
        ctx: Ctx,
        plan: Plan,
        node: Option<String>,
        lines: Vec<GridLine>,
        today: NaiveDate,
    ) -> GridPage {
        GridPage {
            ctx,
            plan,
            node,
            lines,
            today,
            statuses: Status::ALL,
            saved: None,
            invalid: false,
            conflicts: 0,
        }
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
    let page = GridPage {
        saved: query.saved.and_then(|s| s.parse().ok()),
        ..GridPage::new(ctx, plan, node, lines, state.today())
    };
    Ok(render(&page)?.into_response())
}

/// The submitted grid by activity id: what was typed, and the fingerprint
/// of what was shown.
type Submitted = BTreeMap<i64, (ProgressInput, String)>;

/// The submitted grid: `{activity id}.{field}` → value.
fn rows_of(fields: Vec<(String, String)>) -> Submitted {
    let mut rows = Submitted::new();
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

/// Saves the rows that changed, all or none checked first: back to the grid
/// when every one is recorded, else the grid again with the rows refused.
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
    let details = activities::details_for_plan(&state.db, plan.id).await?;
    let batch = match changed_rows(&submitted, details, today)? {
        Ok(batch) => batch,
        Err(errors) => return invalid_page(&state, ctx, plan, node, submitted, errors).await,
    };
    let outcomes = activities::record_batch(&state.db, &batch, recorder(&user)).await?;
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, RecordOutcome::Recorded(_)))
        .count();
    tracing::info!(plan = plan.id, saved, rows = batch.len(), "grid saved");
    let refused = refused_rows(&batch, outcomes, &submitted);
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
    refused_page(&state, ctx, plan, node, refused, saved).await
}

/// The rows that changed, checked under the rules of the single-activity
/// form: the updates to record, or each bad row's messages (one bad value
/// saves nothing). A row of another plan, or a base that is no id, comes
/// from no form of ours: 400.
fn changed_rows(
    submitted: &Submitted,
    details: Vec<ActivityDetail>,
    today: NaiveDate,
) -> Result<Result<Vec<BatchRow>, HashMap<i64, FieldErrors>>, AppError> {
    let mut details: HashMap<i64, ActivityDetail> =
        details.into_iter().map(|d| (d.id, d)).collect();
    let mut batch = Vec::new();
    let mut errors: HashMap<i64, FieldErrors> = HashMap::new();
    for (id, (input, shown)) in submitted {
        if fingerprint(input) == *shown {
            continue;
        }
        let activity = details
            .remove(id)
            .ok_or(AppError::bad_request("error.bad_request"))?;
        let base = match input.base.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::bad_request("error.bad_request"))?,
            ),
        };
        match validate(input, &activity, today) {
            Ok(update) => batch.push(BatchRow {
                activity,
                base,
                update,
            }),
            Err(row_errors) => {
                errors.insert(*id, row_errors);
            }
        }
    }
    Ok(if errors.is_empty() {
        Ok(batch)
    } else {
        Err(errors)
    })
}

/// The rows the store did not record (someone saved meanwhile, or a board
/// session froze the date), with what the user typed, now based on the
/// latest update so that a resubmit is a deliberate choice.
fn refused_rows(
    batch: &[BatchRow],
    outcomes: Vec<RecordOutcome>,
    submitted: &Submitted,
) -> HashMap<i64, GridRow> {
    let mut refused = HashMap::new();
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
        refused.insert(id, grid_row);
    }
    refused
}

/// The grid again as typed, with each bad row's messages (422).
async fn invalid_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    node: Option<String>,
    mut typed: Submitted,
    mut errors: HashMap<i64, FieldErrors>,
) -> Result<Response, AppError> {
    let lines = build_lines(state, &plan, node.as_deref(), |id, stored| {
        let (input, shown) = typed.remove(&id).unwrap_or((stored, String::new()));
        GridRow {
            errors: errors.remove(&id).unwrap_or_default(),
            shown,
            ..plain_row(id, input)
        }
    })
    .await?;
    let page = GridPage {
        invalid: true,
        ..GridPage::new(ctx, plan, node, lines, state.today())
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The grid after a save that recorded `saved` rows and refused the others:
/// 409 when someone saved meanwhile, else 422 (frozen dates).
async fn refused_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    node: Option<String>,
    mut refused: HashMap<i64, GridRow>,
    saved: usize,
) -> Result<Response, AppError> {
    let conflicts = refused.values().filter(|r| r.conflict.is_some()).count();
    let lines = build_lines(state, &plan, node.as_deref(), |id, stored| {
        match refused.remove(&id) {
            // Shown as stored now; the user's values differ, so a resubmit
            // saves them.
            Some(row) => GridRow {
                shown: fingerprint(&stored),
                ..row
            },
            None => plain_row(id, stored),
        }
    })
    .await?;
    let page = GridPage {
        saved: Some(saved),
        conflicts,
        ..GridPage::new(ctx, plan, node, lines, state.today())
    };
    let status = if conflicts > 0 {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(id: i64) -> ActivityDetail {
        ActivityDetail {
            id,
            code: format!("A{id}"),
            title: format!("Activité {id}"),
            target: None,
            unit: None,
            budget: 0,
            plan_id: 1,
            plan_code: "PAP-2026".into(),
            plan_title: "PAP 2026".into(),
            start_year: 2026,
            end_year: 2026,
            agency_id: 1,
            agency_code: "ANASER".into(),
        }
    }

    #[test]
    fn only_changed_rows_of_the_plan_are_checked_and_saved() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let shown = blank_values(None, None, today);
        let typed = ProgressInput {
            status: "done".into(),
            ..shown.clone()
        };
        let plan = || vec![activity(1), activity(2)];
        let mut submitted = Submitted::new();
        submitted.insert(1, (shown.clone(), fingerprint(&shown)));
        submitted.insert(2, (typed.clone(), fingerprint(&shown)));
        let batch = changed_rows(&submitted, plan(), today).unwrap().unwrap();
        assert_eq!(batch.len(), 1, "the untouched row is left alone");
        assert_eq!(batch[0].activity.id, 2);

        let bad = ProgressInput {
            achieved: "beaucoup".into(),
            ..typed.clone()
        };
        submitted.insert(2, (bad, fingerprint(&shown)));
        let errors = changed_rows(&submitted, plan(), today)
            .unwrap()
            .unwrap_err();
        assert!(errors[&2].achieved.is_some());

        submitted.insert(3, (typed, fingerprint(&shown)));
        assert!(matches!(
            changed_rows(&submitted, plan(), today),
            Err(AppError::BadRequest {
                key: "error.bad_request"
            })
        ));
    }
}
