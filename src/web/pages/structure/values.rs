//! An indicator's values, one per period: the list, and setting one.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::super::forms::{self, optional_text, required_date, FieldErrors};
use super::super::render;
use super::{change, optional_quantity, PERIOD_LABEL_MAX};
use crate::store::plans::{IndicatorRow, Plan};
use crate::store::structure::{self, IndicatorValueRevision, IndicatorValueRow};
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ValueInput {
    #[serde(default)]
    pub period_label: String,
    #[serde(default)]
    pub period_end: String,
    #[serde(default)]
    pub value: String,
}

/// [`validate_value`] for the API: the refused fields with their message
/// keys, the same as the form shows.
pub(crate) fn validate_value_fields(
    input: &ValueInput,
) -> Result<IndicatorValueRow, Vec<(&'static str, &'static str)>> {
    validate_value(input).map_err(|errors| {
        ["period_label", "period_end", "value"]
            .into_iter()
            .filter_map(|field| Some((field, errors.get(field)?)))
            .collect()
    })
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
    /// The values corrections replaced, shown beside the value of their
    /// period.
    revisions: Vec<IndicatorValueRevision>,
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
    let revisions = structure::indicator_value_revisions(&state.db, indicator.id).await?;
    let status = errors.status();
    let page = ValuesPage {
        ctx,
        plan,
        indicator,
        values,
        revisions,
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
