//! The M&E unit's validation queue: the updates staff submitted in the
//! agencies a validator validates (filtered by plan, node, author and date),
//! each with its evidence, validated or rejected with a reason one by one or
//! in bulk. Only validated updates count in the figures; a rejected one shows
//! its reason to its author on the activity and the grid.

use super::query::present;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{parse_date_param, render};
use crate::store::attachments::{self, AttachmentRow};
use crate::store::reviews::{self, DecideOutcome, Decision, QueueFilter, Submitted};
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Id;
use crate::web::{AppError, AppState, Ctx};

/// The filters as typed in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueQuery {
    pub plan: Option<String>,
    pub node: Option<String>,
    pub author: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn positive_id(value: &Option<String>) -> Result<Option<i64>, AppError> {
    match present(value) {
        None => Ok(None),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or(AppError::bad_request("validation.bad_filter")),
    }
}

impl QueueQuery {
    fn filter(&self, user: &CurrentUser) -> Result<QueueFilter, AppError> {
        let from = parse_date_param(self.from.as_deref())?;
        let to = parse_date_param(self.to.as_deref())?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(AppError::bad_request("validation.bad_range"));
            }
        }
        Ok(QueueFilter {
            agencies: user.validating_filter().map(<[i64]>::to_vec),
            plan_id: positive_id(&self.plan)?,
            node_id: positive_id(&self.node)?,
            author_id: positive_id(&self.author)?,
            from,
            to,
        })
    }
}

/// Refuses (403) anyone who validates nowhere.
fn ensure_validator(user: &CurrentUser) -> Result<(), AppError> {
    if user.validates_anywhere() {
        Ok(())
    } else {
        Err(AppError::forbidden("validation.forbidden"))
    }
}

#[derive(Template)]
#[template(path = "validation.html")]
struct QueuePage {
    ctx: Ctx,
    query: QueueQuery,
    rows: Vec<Submitted>,
    total: i64,
    authors: Vec<(i64, String)>,
    /// A bulk decision that could not be made, with what was typed.
    refused: Option<Refused>,
}

impl QueuePage {
    fn author_selected(&self, id: &i64) -> bool {
        present(&self.query.author) == Some(id.to_string().as_str())
    }

    fn checked(&self, id: &i64) -> bool {
        self.refused
            .as_ref()
            .is_some_and(|r| r.selected.contains(id))
    }
}

/// Why a decision was not made, and what to show again.
#[derive(Debug, Clone, Default)]
struct Refused {
    message: &'static str,
    reason: String,
    selected: Vec<i64>,
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> Result<Response, AppError> {
    ensure_validator(&user)?;
    queue_page(&state, ctx, &user, query, None, StatusCode::OK).await
}

async fn queue_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    query: QueueQuery,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let filter = query.filter(user)?;
    let (rows, total) = reviews::queue(&state.db, &filter).await?;
    let authors = reviews::authors(&state.db, user.validating_filter()).await?;
    let page = QueuePage {
        ctx,
        query,
        rows,
        total,
        authors,
        refused,
    };
    Ok((status, render(&page)?).into_response())
}

/// A decision as posted: `validate` or `reject` (with its reason).
fn decision_of(fields: &[(String, String)]) -> Result<Decision, (&'static str, String)> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    };
    let reason = value("reason").trim().to_owned();
    match value("decision") {
        "validate" => Ok(Decision::Validate),
        "reject" if reason.chars().count() < 3 => Err(("validation.reason_needed", reason)),
        "reject" if reason.chars().count() > reviews::REASON_MAX => {
            Err(("validation.reason_too_long", reason))
        }
        "reject" => Ok(Decision::Reject { reason }),
        _ => Err(("validation.bad_decision", reason)),
    }
}

/// Decides the updates ticked in the queue, all or none.
pub async fn decide_many(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ensure_validator(&user)?;
    let mut selected = Vec::new();
    for (key, value) in &fields {
        if key == "update" {
            let id = value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or(AppError::bad_request("validation.bad_filter"))?;
            selected.push(id);
        }
    }
    let refuse = |message, reason: String, selected: Vec<i64>| Refused {
        message,
        reason,
        selected,
    };
    let decision = match decision_of(&fields) {
        Ok(decision) => decision,
        Err((message, reason)) => {
            let refused = refuse(message, reason, selected);
            return queue_page(
                &state,
                ctx,
                &user,
                query,
                Some(refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if selected.is_empty() {
        let refused = refuse(
            "validation.none_selected",
            decision_reason(&decision),
            selected,
        );
        return queue_page(
            &state,
            ctx,
            &user,
            query,
            Some(refused),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let outcome = reviews::decide(
        &state.db,
        &selected,
        &decision,
        user.user.id,
        user.validating_filter(),
    )
    .await?;
    match outcome {
        DecideOutcome::Decided(_) => Ok(Redirect::to(&back_to_queue(&query)).into_response()),
        DecideOutcome::Refused { not_waiting } => {
            let still: Vec<i64> = selected
                .into_iter()
                .filter(|id| !not_waiting.contains(id))
                .collect();
            let refused = refuse("validation.not_waiting", decision_reason(&decision), still);
            queue_page(
                &state,
                ctx,
                &user,
                query,
                Some(refused),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

fn decision_reason(decision: &Decision) -> String {
    match decision {
        Decision::Validate => String::new(),
        Decision::Reject { reason } => reason.clone(),
    }
}

/// The queue with the same filters.
fn back_to_queue(query: &QueueQuery) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("plan", &query.plan),
        ("node", &query.node),
        ("author", &query.author),
        ("from", &query.from),
        ("to", &query.to),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, present(value)?)))
    .collect();
    match serde_urlencoded::to_string(pairs).unwrap_or_default() {
        query if query.is_empty() => "/validation".to_owned(),
        query => format!("/validation?{query}"),
    }
}

#[derive(Template)]
#[template(path = "validation_update.html")]
struct UpdatePage {
    ctx: Ctx,
    update: Submitted,
    evidence: Vec<AttachmentRow>,
    refused: Option<Refused>,
}

/// A submitted update this user may decide, or 404 (decided already, or
/// never submitted) / 403 (another agency's).
async fn submitted_for(
    state: &AppState,
    user: &CurrentUser,
    update_id: i64,
) -> Result<Submitted, AppError> {
    let update = reviews::find_submitted(&state.db, update_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.can_validate(update.agency_id) {
        return Err(AppError::forbidden("validation.forbidden"));
    }
    Ok(update)
}

async fn update_page(
    state: &AppState,
    ctx: Ctx,
    update: Submitted,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let evidence = attachments::for_activity(&state.db, update.activity_id)
        .await?
        .into_iter()
        .filter(|a| a.update_id == update.update_id && !a.is_withdrawn())
        .collect();
    let page = UpdatePage {
        ctx,
        update,
        evidence,
        refused,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Id(update_id): Id,
) -> Result<Response, AppError> {
    let update = submitted_for(&state, &user, update_id).await?;
    update_page(&state, ctx, update, None, StatusCode::OK).await
}

/// Decides one update from its page.
pub async fn decide_one(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Id(update_id): Id,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let update = submitted_for(&state, &user, update_id).await?;
    let decision = match decision_of(&fields) {
        Ok(decision) => decision,
        Err((message, reason)) => {
            let refused = Refused {
                message,
                reason,
                selected: vec![update_id],
            };
            return update_page(
                &state,
                ctx,
                update,
                Some(refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match reviews::decide(
        &state.db,
        &[update_id],
        &decision,
        user.user.id,
        user.validating_filter(),
    )
    .await?
    {
        DecideOutcome::Decided(_) => Ok(Redirect::to("/validation").into_response()),
        // Decided by someone else since the page was loaded.
        DecideOutcome::Refused { .. } => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_rejection_needs_a_reason_and_a_decision_must_be_named() {
        assert_eq!(
            decision_of(&fields(&[("decision", "validate")])),
            Ok(Decision::Validate)
        );
        assert_eq!(
            decision_of(&fields(&[("decision", "reject"), ("reason", "  ok ")])),
            Err(("validation.reason_needed", "ok".to_owned()))
        );
        assert_eq!(
            decision_of(&fields(&[
                ("decision", "reject"),
                ("reason", "Photo floue")
            ])),
            Ok(Decision::Reject {
                reason: "Photo floue".to_owned()
            })
        );
        assert!(decision_of(&fields(&[("decision", "approve")])).is_err());
    }

    #[test]
    fn the_queue_comes_back_with_its_filters() {
        let query = QueueQuery {
            plan: Some("3".into()),
            from: Some(" ".into()),
            ..QueueQuery::default()
        };
        assert_eq!(back_to_queue(&query), "/validation?plan=3");
        assert_eq!(back_to_queue(&QueueQuery::default()), "/validation");
    }
}
