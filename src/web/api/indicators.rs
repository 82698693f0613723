//! `/api/v1/indicators/{indicator}/values`: entering the value of a period,
//! with the structure editor's checks and store function (a value already
//! entered for that period end is corrected, the old one kept, audited).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiEditable;
use super::model::Indicator;
use super::problem::{ApiError, FieldProblem, ProblemBody};
use crate::store::plans::{self, IndicatorRow, Plan};
use crate::store::structure::{self, Change};
use crate::web::pages::structure::{validate_value_fields, ValueInput};
use crate::web::AppState;

/// The value of an indicator for one period.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({"period_label": "2025", "period_end": "2025-12-31", "value": "640"}))]
pub struct NewValue {
    /// How the period is named (`2025`, `T3 2025`).
    pub period_label: String,
    /// ISO 8601 date the period ends on.
    #[schema(format = Date)]
    pub period_end: String,
    /// The value: a number or exact decimal text, never negative.
    #[serde(deserialize_with = "number_or_text")]
    #[schema(value_type = String)]
    pub value: String,
}

fn number_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Quantity {
        Number(serde_json::Number),
        Text(String),
    }
    Ok(match Quantity::deserialize(deserializer)? {
        Quantity::Number(n) => n.to_string(),
        Quantity::Text(t) => t,
    })
}

/// Enters (or corrects) the value of a period (a read+write token of one of
/// the agency's editors, or of an admin); answers with the indicator.
#[utoipa::path(post, path = "/api/v1/indicators/{indicator}/values", tag = "indicators",
    params(("indicator" = String, Path, description = "The indicator's id, or AGENCY:PLAN:CODE (ANASER:PAP-2025:IND1)", example = "ANASER:PAP-2025:IND1")),
    request_body = NewValue,
    responses(
        (status = 200, description = "Saved: the indicator with its values, as of the period's end", body = Indicator),
        (status = 400, description = "A body that is not the JSON expected", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No live token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the agency, or a read-only token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such indicator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Fields refused, nothing written", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn set_value(
    State(state): State<AppState>,
    ApiEditable((plan, indicator), user): ApiEditable<(Plan, IndicatorRow)>,
    super::ApiJson(input): super::ApiJson<NewValue>,
) -> Result<Json<Indicator>, ApiError> {
    let form = ValueInput {
        period_label: input.period_label,
        period_end: input.period_end,
        value: input.value,
    };
    let value = validate_value_fields(&form).map_err(|fields| {
        ApiError::Invalid(
            fields
                .into_iter()
                .map(|(field, key)| FieldProblem::new(field, key))
                .collect(),
        )
    })?;
    let change = Change {
        user_id: user.user.user.id,
        agency_id: plan.agency_id,
        action: "indicator.value",
    };
    structure::set_indicator_value(&state.db, indicator.id, &value, change).await?;
    let indicators =
        plans::indicators(&mut *state.db.acquire().await?, plan.id, value.period_end).await?;
    // An indicator retired by the period's end is not in force then: it
    // comes back as it was loaded.
    let saved = indicators
        .iter()
        .find(|i| i.id == indicator.id)
        .unwrap_or(&indicator);
    Ok(Json(Indicator::of(saved, value.period_end)))
}
