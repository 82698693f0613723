//! `/api/v1/activities/{activity}`: one activity's state as of a date with
//! the history of its updates, and recording a new update through the same
//! checks and the same store function as the activity page's form
//! (`store::activities::record`: a stale base is a 409 with both versions,
//! frozen periods refused, the audit row in the same transaction).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::auth::{ApiEditable, ApiReadable};
use super::model::{quantity, Activity, AsOfQuery, Money};
use super::problem::{self, ApiError, FieldProblem, ProblemBody};
use crate::store::activities::{self, ActivityDetail, ProgressRow, RecordOutcome, Recorder};
use crate::store::plans;
use crate::web::pages::activities::{validate, ProgressInput};
use crate::web::AppState;

/// A recorded progress update.
#[derive(Debug, Serialize, ToSchema)]
pub struct Update {
    pub id: i64,
    pub activity_id: i64,
    /// The date the update speaks for.
    pub as_of: NaiveDate,
    pub status: String,
    pub achieved: Option<String>,
    pub spent: Option<Money>,
    pub comment: Option<String>,
    /// Who recorded it.
    pub author: String,
    pub recorded_at: DateTime<Utc>,
    /// Where it stands with the M&E unit: `none` (the agency needs no
    /// validation), `submitted` (waiting: not counted yet), `validated` or
    /// `rejected`. Only `none` and `validated` updates count in the figures.
    pub review: String,
    /// Why it was rejected.
    pub review_reason: Option<String>,
}

impl Update {
    /// An update of an activity whose plan's money is in `currency`.
    pub fn of(row: &ProgressRow, currency: &str) -> Update {
        Update {
            id: row.id,
            activity_id: row.activity_id,
            as_of: row.as_of,
            status: row.status.as_str().to_owned(),
            achieved: quantity(row.achieved),
            spent: row.spent.map(|spent| Money::new(spent, currency)),
            comment: row.comment.clone(),
            author: row.author.clone(),
            recorded_at: row.recorded_at,
            review: row.review.as_str().to_owned(),
            review_reason: row.review_reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDetailOut {
    #[serde(flatten)]
    pub activity: Activity,
    /// The most recently recorded update (whatever its date): the `base`
    /// a new update must name. Null when there is none.
    pub latest_recorded_id: Option<i64>,
    /// Every update, the most recently recorded first.
    pub history: Vec<Update>,
}

/// One activity, its state as of the date, and its history.
#[utoipa::path(get, path = "/api/v1/activities/{activity}", tag = "activities",
    params(("activity" = String, Path, description = "The activity's id, or AGENCY:PLAN:CODE (ANASER:PAP-2025:A1.01)", example = "ANASER:PAP-2025:A1.01"), AsOfQuery),
    responses(
        (status = 200, description = "The activity as of the date", body = ActivityDetailOut),
        (status = 400, description = "A malformed date or activity code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "No role in the activity's agency", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or not in force at the date", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ApiReadable(activity, _): ApiReadable<ActivityDetail>,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<ActivityDetailOut>, ApiError> {
    let as_of = query.date(state.today())?;
    let rows = plans::activities_as_of(&state.db, activity.plan_id, as_of).await?;
    let row = rows
        .iter()
        .find(|row| row.id == activity.id)
        .ok_or(ApiError::NotFound)?;
    let history = activities::history(&state.db, activity.id).await?;
    Ok(Json(ActivityDetailOut {
        activity: Activity::of(row, as_of, &activity.currency),
        latest_recorded_id: history.first().map(|u| u.id),
        history: history
            .iter()
            .map(|update| Update::of(update, &activity.currency))
            .collect(),
    }))
}

/// A new progress update, as the activity page's form takes it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({
    "base": null,
    "as_of": "2025-12-20",
    "status": "in_progress",
    "achieved": "3",
    "spent": 1500000,
    "comment": "Deux sessions de sensibilisation tenues à Kayes"
}))]
pub struct NewUpdate {
    /// The `latest_recorded_id` the client saw (null: no update yet). If
    /// someone recorded since, nothing is written and the answer is 409.
    #[serde(default)]
    pub base: Option<i64>,
    /// ISO 8601 date the update speaks for: not in the future, within the
    /// plan's years.
    #[schema(format = Date)]
    pub as_of: String,
    /// `not_started`, `in_progress`, `done`, `postponed` or `abandoned`.
    pub status: String,
    /// The quantity reached: a number or exact decimal text.
    #[serde(default, deserialize_with = "number_or_text")]
    #[schema(value_type = Option<String>)]
    pub achieved: Option<String>,
    /// The amount spent so far, in the plan's currency (its `currency`).
    #[serde(default)]
    pub spent: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A quantity sent as a JSON number or as text, kept as text for the same
/// parser as the forms (a decimal comma accepted, exact).
fn number_or_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Quantity {
        Number(serde_json::Number),
        Text(String),
    }
    Ok(
        Option::<Quantity>::deserialize(deserializer)?.map(|q| match q {
            Quantity::Number(n) => n.to_string(),
            Quantity::Text(t) => t,
        }),
    )
}

impl NewUpdate {
    fn as_form(&self) -> ProgressInput {
        ProgressInput {
            status: self.status.clone(),
            achieved: self.achieved.clone().unwrap_or_default(),
            spent: self.spent.map(|s| s.to_string()).unwrap_or_default(),
            as_of: self.as_of.clone(),
            comment: self.comment.clone().unwrap_or_default(),
            base: self.base.map(|b| b.to_string()).unwrap_or_default(),
        }
    }
}

/// Records a progress update (a read+write token of one of the agency's
/// editors, or of an admin).
#[utoipa::path(post, path = "/api/v1/activities/{activity}/progress", tag = "activities",
    params(("activity" = String, Path, description = "The activity's id, or AGENCY:PLAN:CODE (ANASER:PAP-2025:A1.01)", example = "ANASER:PAP-2025:A1.01")),
    request_body = NewUpdate,
    responses(
        (status = 201, description = "Recorded", body = Update),
        (status = 400, description = "A body that is not the JSON expected, or a malformed activity code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the agency, or a read-only token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such activity", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Someone recorded since `base`: both versions, nothing written", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Fields refused (a frozen period among them), nothing written", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    ApiEditable(activity, user): ApiEditable<ActivityDetail>,
    super::ApiJson(input): super::ApiJson<NewUpdate>,
) -> Result<(StatusCode, Json<Update>), ApiError> {
    let form = input.as_form();
    let update = validate(&form, &activity, state.today()).map_err(|errors| {
        ApiError::Invalid(
            errors
                .iter()
                .map(|(field, key)| FieldProblem {
                    field,
                    key,
                    values: vec![("years", years(&activity))],
                })
                .collect(),
        )
    })?;
    let recorder = Recorder {
        user_id: user.user.user.id,
        name: &user.user.user.display_name,
        is_admin: user.user.user.is_admin,
    };
    match activities::record(&state.db, &activity, input.base, &update, recorder).await? {
        RecordOutcome::Recorded(row) => {
            tracing::info!(
                activity = activity.id,
                update = row.id,
                token = user.token_id,
                "progress recorded through the API"
            );
            Ok((
                StatusCode::CREATED,
                Json(Update::of(&row, &activity.currency)),
            ))
        }
        RecordOutcome::Frozen {
            session_number,
            cutoff,
        } => Err(problem::frozen(session_number, cutoff)),
        RecordOutcome::Conflict { latest } => Err(ApiError::Conflict {
            latest: latest
                .as_ref()
                .map(|l| json!(Update::of(l, &activity.currency))),
            yours: json!(input),
        }),
    }
}

/// The plan's years, for the message about a date outside them.
fn years(activity: &ActivityDetail) -> String {
    if activity.start_year == activity.end_year {
        activity.start_year.to_string()
    } else {
        format!("{}-{}", activity.start_year, activity.end_year)
    }
}
