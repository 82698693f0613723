//! The funding plan of a plan (plan de mobilisation des fonds), edited by
//! the agency's editors and admins: its lines (source, kind, planned,
//! mobilised), each change in force from its date as a new version, under
//! the rules of the other dated attributes (not before the plan, not within
//! a held session's figures unless admin), and each line's history.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::forms::{self, FieldErrors, FormOutcome};
use super::render;
use super::structure::{effective_date, with_effective};
use crate::domain::{Fcfa, FundingSourceKind};
use crate::store::funding::{self, Author, FundingFields, FundingVersion, Saved};
use crate::store::plans::{FundingLine, Plan};
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Editable;
use crate::web::{AppError, AppState, Ctx};

/// As long as the column allows.
const SOURCE_MAX: usize = 200;

impl FormOutcome for Saved {
    type Saved = i64;

    fn into_form(self) -> Result<i64, (&'static str, &'static str)> {
        match self {
            Saved::Line(id) => Ok(id),
            Saved::NameTaken => Err(("source", "funding.error.source_taken")),
        }
    }
}

impl FundingVersion {
    /// A line's first version from before any plan (1900): in force "from
    /// the start", which the history says rather than show that date.
    pub fn is_from_start(&self) -> bool {
        chrono::Datelike::year(&self.effective_on) < 1901
    }
}

fn funding_link(plan: &Plan) -> String {
    format!("/plans/{}/funding", plan.id)
}

#[derive(Template)]
#[template(path = "funding.html")]
struct FundingPage {
    ctx: Ctx,
    plan: Plan,
    lines: Vec<FundingLine>,
}

/// The plan's lines as they stand in their latest version, to edit.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let lines = funding::latest(&state.db, plan.id).await?;
    Ok(render(&FundingPage { ctx, plan, lines })?.into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FundingInput {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_kind: String,
    #[serde(default)]
    pub planned: String,
    #[serde(default)]
    pub mobilised: String,
    /// When the line (or its change) takes effect; empty means today.
    #[serde(default)]
    pub effective_on: String,
}

impl FundingInput {
    fn of(line: &FundingLine) -> FundingInput {
        FundingInput {
            source: line.source.clone(),
            source_kind: line.source_kind.as_str().to_owned(),
            planned: line.planned.to_string(),
            mobilised: line.mobilised.to_string(),
            effective_on: String::new(),
        }
    }
}

/// An amount in the plan's currency, required (0 written as such), as
/// everywhere a typed amount: spaces (and a "FCFA" suffix) accepted, never
/// negative.
fn amount(errors: &mut FieldErrors, field: &'static str, text: &str) -> i64 {
    if text.trim().is_empty() {
        errors.set(field, "error.value.empty");
        return 0;
    }
    Fcfa::parse(text)
        .map(|f| f.0)
        .map_err(|e| errors.set(field, e.key()))
        .unwrap_or(0)
}

fn validate(input: &FundingInput) -> Result<FundingFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let source = input.source.trim().to_owned();
    if source.is_empty() {
        errors.set("source", "error.value.empty");
    } else if source.chars().count() > SOURCE_MAX {
        errors.set("source", "funding.error.source_long");
    }
    let source_kind = input.source_kind.trim().parse::<FundingSourceKind>();
    if source_kind.is_err() {
        errors.set("source_kind", "funding.error.kind");
    }
    let planned = amount(&mut errors, "planned", &input.planned);
    let mobilised = amount(&mut errors, "mobilised", &input.mobilised);
    match source_kind {
        Ok(source_kind) if errors.is_empty() => Ok(FundingFields {
            source,
            source_kind,
            planned,
            mobilised,
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "funding_line.html")]
struct LinePage {
    ctx: Ctx,
    plan: Plan,
    line_id: Option<i64>,
    form: FundingInput,
    errors: FieldErrors,
    kinds: &'static [FundingSourceKind],
    history: Vec<FundingVersion>,
}

async fn line_page(
    state: &AppState,
    ctx: Ctx,
    plan: Plan,
    line_id: Option<i64>,
    form: FundingInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let history = match line_id {
        Some(id) => funding::history(&state.db, id).await?,
        None => Vec::new(),
    };
    let status = errors.status();
    let page = LinePage {
        ctx,
        plan,
        line_id,
        form,
        errors,
        kinds: FundingSourceKind::ALL,
        history,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, _): Editable<Plan>,
) -> Result<Response, AppError> {
    let form = FundingInput {
        source_kind: FundingSourceKind::State.as_str().to_owned(),
        effective_on: state.today().to_string(),
        ..FundingInput::default()
    };
    line_page(&state, ctx, plan, None, form, FieldErrors::default()).await
}

async fn save_line(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    plan: Plan,
    existing: Option<FundingLine>,
    input: FundingInput,
) -> Result<Response, AppError> {
    // A new line too is dated: added after a held session's cutoff, it is
    // not part of that session's funding.
    let effective = effective_date(state, user, &plan, &input.effective_on).await?;
    let author = Author {
        user_id: user.user.id,
        agency_id: plan.agency_id,
    };
    let saved = forms::save(
        with_effective(validate(&input), effective),
        async |(fields, on)| {
            funding::save(&state.db, plan.id, existing.as_ref(), &fields, on, author).await
        },
        |_| funding_link(&plan),
    )
    .await?;
    match saved {
        Ok(done) => Ok(done.into_response()),
        Err(errors) => {
            let id = existing.as_ref().map(|line| line.id);
            line_page(state, ctx, plan, id, input, errors).await
        }
    }
}

pub async fn create_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    CsrfForm(input): CsrfForm<FundingInput>,
) -> Result<Response, AppError> {
    save_line(&state, ctx, &user, plan, None, input).await
}

pub async fn edit_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, line), _): Editable<(Plan, FundingLine)>,
) -> Result<Response, AppError> {
    let form = FundingInput {
        effective_on: state.today().to_string(),
        ..FundingInput::of(&line)
    };
    line_page(
        &state,
        ctx,
        plan,
        Some(line.id),
        form,
        FieldErrors::default(),
    )
    .await
}

pub async fn update_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable((plan, line), user): Editable<(Plan, FundingLine)>,
    CsrfForm(input): CsrfForm<FundingInput>,
) -> Result<Response, AppError> {
    save_line(&state, ctx, &user, plan, Some(line), input).await
}
