//! The bulk entry grid: the activities of a plan, editable in place, for the
//! agency's editors, filtered by node, status and lateness and shown a page
//! at a time. One submit saves the changed rows of the page shown, in one
//! transaction under the rules of the single-activity form: a row someone
//! else saved meanwhile is listed, not overwritten, and the others are saved;
//! any invalid row keeps everything unsaved and shows its messages. Rows not
//! shown are not in the form, so a filtered or paged save never touches them.

use super::query::{present, status_param};
use crate::i18n::Lang;
use crate::schedule::{self, PlannedPeriod};
use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::activities::{blank_values, entry_date, recorder, validate, FieldErrors, ProgressInput};
use super::paging::{page_param, Paging};
use super::render;
use super::views::{ActivityView, PlanTree};
use crate::domain::{Review, Status};
use crate::store::activities::{self, ActivityDetail, BatchRow, ProgressRow, RecordOutcome};
use crate::store::plans::Plan;
use crate::web::context::percent_encode;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

/// Rows a page: a national plan's 200 activities come in four pages, each a
/// form light enough for a metered phone connection.
const PER_PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub struct GridQuery {
    /// Only this node's subtree (its code, as in the drill-down links).
    node: Option<String>,
    /// Only the activities in this status today.
    status: Option<String>,
    /// `late`: only the activities past their planned end and not done.
    only: Option<String>,
    page: Option<String>,
    /// How many rows the last submit saved, for the confirmation.
    saved: Option<String>,
}

/// Which rows the grid shows: every part optional, combined with "and".
#[derive(Debug, Clone, Default)]
pub struct GridFilter {
    pub node: Option<String>,
    pub status: Option<Status>,
    pub late: bool,
    pub page: u32,
}

impl GridFilter {
    fn parse(query: &GridQuery) -> Result<GridFilter, AppError> {
        let status = status_param(&query.status)?;
        let late = match present(&query.only) {
            None => false,
            Some("late") => true,
            Some(_) => return Err(AppError::bad_request("error.bad_grid_filter")),
        };
        Ok(GridFilter {
            node: present(&query.node).map(str::to_owned),
            status,
            late,
            page: page_param(query.page.as_deref())?,
        })
    }

    /// The filter's query string without the page (`node=AP1&status=done`).
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(code) = &self.node {
            parts.push(format!("node={}", percent_encode(code)));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={}", status.as_str()));
        }
        if self.late {
            parts.push("only=late".to_owned());
        }
        parts.join("&")
    }

    /// The grid's URL with this filter, without the page.
    fn base(&self, plan_id: i64) -> String {
        match self.query() {
            query if query.is_empty() => format!("/plans/{plan_id}/grid"),
            query => format!("/plans/{plan_id}/grid?{query}"),
        }
    }

    /// The grid's URL with this filter and page (where a save comes back).
    fn href(&self, plan_id: i64) -> String {
        let base = self.base(plan_id);
        if self.page == 1 {
            return base;
        }
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}page={}", self.page)
    }

    fn is_filtered(&self) -> bool {
        self.status.is_some() || self.late
    }

    fn accepts(&self, view: &ActivityView, today: NaiveDate) -> bool {
        self.status.is_none_or(|s| view.status() == s)
            && (!self.late || view.figures.is_late(today))
    }
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
    filter: GridFilter,
    /// Every node of the plan (depth, code, title), for the filter's list.
    nodes: Vec<(i32, String, String)>,
    lines: Vec<GridLine>,
    paging: Paging,
    today: NaiveDate,
    statuses: &'static [Status],
    saved: Option<usize>,
    invalid: bool,
    conflicts: usize,
}

impl GridPage {
    fn action(&self) -> String {
        self.filter.href(self.plan.id)
    }

    fn status_selected(&self, status: &Status) -> bool {
        self.filter.status == Some(*status)
    }

    fn node_selected(&self, code: &str) -> bool {
        self.filter.node.as_deref() == Some(code)
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

/// An amount as the grid shows it: thousands grouped ("7 225 000") with
/// ordinary spaces, which `Fcfa::parse` reads back, as it reads "7225000"
/// and "7.225.000".
fn grouped(amount: &str) -> String {
    if amount.is_empty() || !amount.bytes().all(|b| b.is_ascii_digit()) {
        return amount.to_owned();
    }
    let digits = amount.as_bytes();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(char::from(*digit));
    }
    out
}

/// What the grid shows of a plan: its nodes (for the filter), the lines of
/// one page, and where that page sits in the filtered list.
struct GridContent {
    nodes: Vec<(i32, String, String)>,
    lines: Vec<GridLine>,
    paging: Paging,
}

/// The grid's lines as of today for `filter`, each row filled by `typed`
/// (the stored values, or what the user typed). Rows in `pinned` (refused
/// by a save) are shown whatever their status now, so that what was typed
/// is never lost from sight.
async fn build_lines(
    state: &AppState,
    plan: &Plan,
    filter: &GridFilter,
    pinned: &HashSet<i64>,
    mut typed: impl FnMut(i64, ProgressInput) -> GridRow,
) -> Result<GridContent, AppError> {
    let today = state.today();
    let tree = PlanTree::load(&state.db, plan, today).await?;
    if let Some(code) = &filter.node {
        if !tree.nodes.iter().any(|n| &n.node.code == code) {
            return Err(AppError::bad_request("error.bad_filter"));
        }
    }
    let in_node = |node_id: i64| {
        filter
            .node
            .as_ref()
            .is_none_or(|code| tree.is_under(node_id, code))
    };
    let shown: Vec<&ActivityView> = tree
        .nodes
        .iter()
        .filter(|view| in_node(view.node.id))
        .flat_map(|view| view.activities.iter())
        .filter(|a| filter.accepts(a, today) || pinned.contains(&a.activity.id))
        .collect();
    let paging = Paging::new(
        filter.page,
        PER_PAGE,
        shown.len() as u64,
        filter.base(plan.id),
    )?;
    let on_page: HashSet<i64> = shown[paging.range()]
        .iter()
        .map(|a| a.activity.id)
        .collect();
    // A node heads the page when one of the page's rows lies under it.
    let parents: HashMap<i64, Option<i64>> = tree
        .nodes
        .iter()
        .map(|n| (n.node.id, n.node.parent_id))
        .collect();
    let mut headed: HashSet<i64> = HashSet::new();
    for view in &tree.nodes {
        if view
            .activities
            .iter()
            .any(|a| on_page.contains(&a.activity.id))
        {
            let mut current = Some(view.node.id);
            while let Some(id) = current {
                if !headed.insert(id) {
                    break;
                }
                current = parents.get(&id).copied().flatten();
            }
        }
    }
    let bases = activities::latest_recorded_for_plan(&state.db, plan.id).await?;
    let mut reviews = activities::uncounted_latest_for_plan(&state.db, plan.id).await?;
    let mut lines = Vec::new();
    for view in &tree.nodes {
        if !headed.contains(&view.node.id) || !in_node(view.node.id) {
            continue;
        }
        lines.push(GridLine::Node {
            depth: view.node.depth,
            code: view.node.code.clone(),
            title: view.node.title.clone(),
            level: view.level_name.clone(),
        });
        for activity in view
            .activities
            .iter()
            .filter(|a| on_page.contains(&a.activity.id))
        {
            let a = &activity.activity;
            let mut shown = blank_values(
                a.latest.update().map(|u| (u.status, u.achieved, u.spent)),
                bases.get(&a.id).copied(),
                entry_date(plan.end_year, today),
            );
            shown.spent = grouped(&shown.spent);
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
    let nodes = tree
        .nodes
        .iter()
        .map(|n| (n.node.depth, n.node.code.clone(), n.node.title.clone()))
        .collect();
    Ok(GridContent {
        nodes,
        lines,
        paging,
    })
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
        filter: GridFilter,
        content: GridContent,
        today: NaiveDate,
    ) -> GridPage {
        GridPage {
            ctx,
            plan,
            filter,
            nodes: content.nodes,
            lines: content.lines,
            paging: content.paging,
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
    let filter = GridFilter::parse(&query)?;
    let content = build_lines(&state, &plan, &filter, &HashSet::new(), plain_row).await?;
    let page = GridPage {
        saved: query.saved.and_then(|s| s.parse().ok()),
        ..GridPage::new(ctx, plan, filter, content, state.today())
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
    let filter = GridFilter::parse(&query)?;
    let today = state.today();
    let submitted = rows_of(fields);
    let details = activities::details_for_plan(&state.db, plan.id).await?;
    let batch = match changed_rows(&submitted, details, today)? {
        Ok(batch) => batch,
        Err(errors) => return invalid_page(&state, ctx, plan, filter, submitted, errors).await,
    };
    let outcomes = activities::record_batch(&state.db, &batch, recorder(&user)).await?;
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, RecordOutcome::Recorded(_)))
        .count();
    tracing::info!(plan = plan.id, saved, rows = batch.len(), "grid saved");
    let refused = refused_rows(&batch, outcomes, &submitted);
    if refused.is_empty() {
        // Back to the same rows, unless the save moved them all out of the
        // filter (rows marked done leave "late"): then to its first page.
        let back = filter.href(plan.id);
        let separator = if back.contains('?') { '&' } else { '?' };
        return Ok(Redirect::to(&format!("{back}{separator}saved={saved}")).into_response());
    }
    refused_page(&state, ctx, plan, filter, refused, saved).await
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
    filter: GridFilter,
    mut typed: Submitted,
    mut errors: HashMap<i64, FieldErrors>,
) -> Result<Response, AppError> {
    let pinned: HashSet<i64> = typed.keys().copied().collect();
    let content = build_lines(state, &plan, &filter, &pinned, |id, stored| {
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
        ..GridPage::new(ctx, plan, filter, content, state.today())
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The grid after a save that recorded `saved` rows and refused the others:
/// 409 when someone saved meanwhile, else 422 (frozen dates).
async fn refused_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    filter: GridFilter,
    mut refused: HashMap<i64, GridRow>,
    saved: usize,
) -> Result<Response, AppError> {
    let conflicts = refused.values().filter(|r| r.conflict.is_some()).count();
    let pinned: HashSet<i64> = refused.keys().copied().collect();
    let content = build_lines(state, &plan, &filter, &pinned, |id, stored| {
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
        ..GridPage::new(ctx, plan, filter, content, state.today())
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
            responsible_unit: None,
            associated_units: None,
            plan_id: 1,
            plan_code: "PAP-2026".into(),
            plan_title: "PAP 2026".into(),
            start_year: 2026,
            end_year: 2026,
            currency: "XOF".into(),
            agency_id: 1,
            agency_code: "ANASER".into(),
        }
    }

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped("7225000"), "7 225 000");
        assert_eq!(grouped("725000"), "725 000");
        assert_eq!(grouped("1000"), "1 000");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped(""), "");
        assert_eq!(grouped("7 225 000"), "7 225 000", "already grouped");
        for shown in ["7225000", "1000000000"] {
            let back = crate::domain::Fcfa::parse(&grouped(shown)).map(|f| f.0.to_string());
            assert_eq!(back.as_deref(), Ok(shown), "what is shown reads back");
        }
    }

    #[test]
    fn filters_from_the_query_and_back() {
        let query = |node: &str, status: &str, only: &str, page: &str| GridQuery {
            node: Some(node.into()),
            status: Some(status.into()),
            only: Some(only.into()),
            page: Some(page.into()),
            saved: None,
        };
        let filter = GridFilter::parse(&query("AP 1", "done", "late", "2")).unwrap();
        assert_eq!(
            filter.href(7),
            "/plans/7/grid?node=AP%201&status=done&only=late&page=2"
        );
        let none = GridFilter::parse(&query("", " ", "", "")).unwrap();
        assert_eq!(none.href(7), "/plans/7/grid");
        assert!(!none.is_filtered());
        for (q, key) in [
            (query("", "finie", "", ""), "error.bad_status"),
            (query("", "", "soon", ""), "error.bad_grid_filter"),
            (query("", "", "", "0"), "error.bad_page"),
        ] {
            assert!(matches!(
                GridFilter::parse(&q),
                Err(AppError::BadRequest { key: k }) if k == key
            ));
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
