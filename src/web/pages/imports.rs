//! Plans and progress from spreadsheets in the browser: the plan file to
//! download (readers), and for the agency's editors an upload that is first
//! checked and previewed (what would be created or changed, or every problem
//! by line and column), then applied. The uploaded file waits in PostgreSQL
//! between the two steps, so what is applied is what was previewed; the
//! apply uses it up only when it succeeds.

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::forms::FieldErrors;
use super::imports_reading::{choices_from, Reading};
use super::render;
use crate::i18n::Lang;
use crate::imports::layout::{Choices, Kind};
use crate::imports::plan_file::Problem;
use crate::imports::{self, PlanImport, ProgressPlan, Target};
use crate::reports::Format;
use crate::schedule;
use crate::store::agencies::Agency;
use crate::store::imports::{self as store, NewPlan, PlanChange};
use crate::store::plans::Plan;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{random_token, CsrfForm, CsrfUpload};
use crate::web::download::attachment;
use crate::web::extract::{Editable, Readable};
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The plan file, for anyone who may read the plan.
pub async fn export(
    State(state): State<AppState>,
    Readable(plan, _): Readable<Plan>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let today = state.today();
    let (bytes, format) = match query.format.as_deref() {
        None | Some("xlsx") => (
            imports::export_xlsx(&state.db, &plan, today).await?,
            Format::Xlsx,
        ),
        Some("csv") => (
            imports::export_csv(&state.db, &plan, today).await?,
            Format::Csv,
        ),
        Some(_) => return Err(AppError::bad_request("error.bad_request")),
    };
    let name = format!("{}-{today}.{}", plan.code, format.extension());
    Ok(attachment(format, &name, Body::from(bytes)))
}

/// The plan file template, with its instructions, for anyone signed in.
pub async fn template(_user: CurrentUser) -> Result<Response, AppError> {
    let bytes = imports::template_xlsx()?;
    Ok(attachment(
        Format::Xlsx,
        "modele-plan-suivi.xlsx",
        Body::from(bytes),
    ))
}

/// What the page shows after an upload.
pub enum Preview {
    Problems(Vec<Problem>),
    Plan {
        import: PlanImport,
        token: String,
    },
    Progress {
        prepared: ProgressPlan,
        token: String,
    },
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportPage {
    ctx: Ctx,
    plan: Plan,
    file_name: Option<String>,
    preview: Option<Preview>,
    /// What Suivi understood of an agency's own file.
    reading: Option<Reading>,
    /// Set after applying: what was done, as a sentence.
    done: Option<String>,
}

impl ImportPage {
    fn change_label(&self, change: &PlanChange) -> (&'static str, String, String) {
        describe(change, self.ctx.lang)
    }
}

fn page(
    ctx: Ctx,
    plan: Plan,
    file_name: Option<String>,
    preview: Option<Preview>,
    done: Option<String>,
) -> Result<Response, AppError> {
    page_reading(ctx, plan, file_name, preview, None, done)
}

fn page_reading(
    ctx: Ctx,
    plan: Plan,
    file_name: Option<String>,
    preview: Option<Preview>,
    reading: Option<Reading>,
    done: Option<String>,
) -> Result<Response, AppError> {
    let status = match &preview {
        Some(Preview::Problems(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let page = ImportPage {
        ctx,
        plan,
        file_name,
        preview,
        reading,
        done,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn form(ctx: Ctx, Editable(plan, _): Editable<Plan>) -> Result<Response, AppError> {
    page(ctx, plan, None, None, None)
}

/// Checks the uploaded file and previews it, writing nothing but the upload.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    // Rights first (the extractors run in this order): someone who may not
    // import learns nothing from the form.
    Editable(plan, user): Editable<Plan>,
    upload: CsrfUpload,
) -> Result<Response, AppError> {
    let kind = match upload.field("kind") {
        Some("plan") => "plan",
        Some("progress") => "progress",
        _ => return Err(AppError::bad_request("error.bad_request")),
    };
    let Some((file_name, bytes)) = upload.file else {
        return Err(AppError::bad_request("imports.error.no_file"));
    };
    // A saved mapping for files of this shape is offered: read with it.
    let layout_kind = if kind == "plan" {
        Kind::Plan
    } else {
        Kind::Progress
    };
    let offered =
        crate::imports::mappings::offer(&state.db, plan.agency_id, layout_kind, &bytes).await?;
    let (mapping, choices) = match offered {
        Some((name, choices)) => (Some(name), choices),
        None => (None, Choices::default()),
    };
    let token = random_token()?;
    let (preview, reading) =
        prepare_preview(&state, &plan, kind, &bytes, &choices, mapping, &token).await?;
    if !matches!(preview, Preview::Problems(_)) || reading.is_some() {
        store::keep_upload(
            &state.db,
            &token,
            user.user.id,
            plan.id,
            kind,
            &file_name,
            &bytes,
        )
        .await?;
    }
    page_reading(ctx, plan, Some(file_name), Some(preview), reading, None)
}

/// Reads the file with the choices: the preview, and what Suivi
/// understood of an agency's own file (`None` for Suivi's plan file).
async fn prepare_preview(
    state: &AppState,
    plan: &Plan,
    kind: &str,
    bytes: &[u8],
    choices: &Choices,
    mapping: Option<String>,
    token: &str,
) -> Result<(Preview, Option<Reading>), AppError> {
    let today = state.today();
    let reading = |plan_understood: Option<Box<Understood>>,
                   layout: Option<crate::imports::layout::Layout>,
                   left| {
        let sheets = plan_understood
            .as_deref()
            .map(Understood::sheets_of)
            .unwrap_or_default();
        Reading {
            plan: plan_understood,
            layout,
            sheets,
            left,
            choices: choices.clone(),
            mapping: mapping.clone(),
            token: token.to_owned(),
        }
    };
    if kind == "plan" {
        let target = Target::Existing(plan.clone());
        let prepared =
            imports::prepare_plan_import_with(&state.db, bytes, &target, today, choices).await?;
        return Ok(match prepared {
            Err((problems, understood)) => (
                Preview::Problems(problems),
                understood.map(|u| reading(Some(u), None, Vec::new())),
            ),
            Ok(mut import) => {
                let understood = import.understood.take().map(Box::new);
                let shown = understood.map(|u| reading(Some(u), None, Vec::new()));
                (
                    Preview::Plan {
                        import,
                        token: token.to_owned(),
                    },
                    shown,
                )
            }
        });
    }
    let prepared = imports::prepare_progress_with(&state.db, plan, bytes, today, choices).await?;
    Ok(match prepared {
        Err(problems) => (Preview::Problems(problems), None),
        Ok(mut prepared) => {
            let shown = prepared
                .understood
                .take()
                .map(|(layout, _)| reading(None, Some(layout), std::mem::take(&mut prepared.left)));
            (
                Preview::Progress {
                    prepared,
                    token: token.to_owned(),
                },
                shown,
            )
        }
    })
}

type Understood = crate::imports::own_file::Understood;

#[derive(Debug, Deserialize)]
pub struct ApplyForm {
    token: String,
}

/// Applies the previewed upload: the file kept at preview, checked again
/// against the plan as it is now.
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(plan, user): Editable<Plan>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let form = ApplyForm {
        token: field("token").ok_or(AppError::bad_request("error.bad_request"))?,
    };
    let choices = choices_from(&fields);
    let Some((kind, file_name, bytes)) =
        store::find_upload(&state.db, &form.token, user.user.id, plan.id).await?
    else {
        return Err(AppError::bad_request("imports.error.expired"));
    };
    let today = state.today();
    let lang = ctx.lang;
    // "Read again": the same upload with the user's corrections, and the
    // mapping saved under a name if one is given.
    if field("action").as_deref() == Some("preview") {
        let layout_kind = if kind == "plan" {
            Kind::Plan
        } else {
            Kind::Progress
        };
        let mut mapping = None;
        if let Some(name) = field("mapping_name").filter(|n| !n.is_empty()) {
            if name.chars().count() > 100 {
                return Err(AppError::bad_request("boards.error.too_long"));
            }
            crate::imports::mappings::save(
                &state.db,
                plan.agency_id,
                layout_kind,
                &name,
                &bytes,
                &choices,
                user.user.id,
            )
            .await?;
            mapping = Some(name);
        }
        let (preview, reading) =
            prepare_preview(&state, &plan, &kind, &bytes, &choices, mapping, &form.token).await?;
        return page_reading(ctx, plan, Some(file_name), Some(preview), reading, None);
    }
    if kind == "plan" {
        let target = Target::Existing(plan.clone());
        return match imports::prepare_plan_import_with(&state.db, &bytes, &target, today, &choices)
            .await?
        {
            Err((problems, _)) => page(
                ctx,
                plan,
                Some(file_name),
                Some(Preview::Problems(problems)),
                None,
            ),
            Ok(import) => {
                imports::apply_plan_import(
                    &state.db,
                    &target,
                    &import,
                    today,
                    user.user.id,
                    Some(&form.token),
                )
                .await?
                .ok_or(AppError::bad_request("imports.error.expired"))?;
                let done = lang.t_with(
                    "imports.plan_done",
                    &[("n", &import.changes.len().to_string())],
                );
                page(ctx, plan, Some(file_name), None, Some(done))
            }
        };
    }
    match imports::prepare_progress_with(&state.db, &plan, &bytes, today, &choices).await? {
        Err(problems) => page(
            ctx,
            plan,
            Some(file_name),
            Some(Preview::Problems(problems)),
            None,
        ),
        Ok(prepared) => {
            let recorder = super::activities::recorder(&user);
            let result = imports::record_progress(&state.db, prepared, recorder, Some(&form.token))
                .await?
                .ok_or(AppError::bad_request("imports.error.expired"))?;
            let conflicts: Vec<String> = result
                .conflicts
                .iter()
                .chain(&result.frozen)
                .map(|(line, code)| format!("{code} ({line})"))
                .collect();
            let done = lang.t_with(
                "imports.progress_done",
                &[
                    ("n", &result.recorded.len().to_string()),
                    ("refused", &conflicts.len().to_string()),
                    ("rows", &conflicts.join(", ")),
                ],
            );
            page(ctx, plan, Some(file_name), None, Some(done))
        }
    }
}

// ---- A new plan from a file ----

#[derive(Template)]
#[template(path = "new_plan_import.html")]
struct NewPlanPage {
    ctx: Ctx,
    agency: crate::store::agencies::Agency,
    code: String,
    title: String,
    year: String,
    errors: FieldErrors,
    file_name: Option<String>,
    preview: Option<Preview>,
}

impl NewPlanPage {
    fn change_label(&self, change: &PlanChange) -> (&'static str, String, String) {
        describe(change, self.ctx.lang)
    }
}

/// A change as the preview lists it: its kind, code and title.
fn describe(change: &PlanChange, lang: Lang) -> (&'static str, String, String) {
    let (key, code, title) = match change {
        PlanChange::CreateNode { fields, .. } => {
            ("imports.create_node", &fields.code, &fields.title)
        }
        PlanChange::UpdateNode { fields, .. } => {
            ("imports.update_node", &fields.code, &fields.title)
        }
        PlanChange::CreateActivity { fields, .. } => {
            ("imports.create_activity", &fields.code, &fields.title)
        }
        PlanChange::UpdateActivity { fields, .. } => {
            ("imports.update_activity", &fields.code, &fields.title)
        }
        PlanChange::CreateIndicator { fields, .. } => {
            ("imports.create_indicator", &fields.code, &fields.title)
        }
        PlanChange::UpdateIndicator { fields, .. } => {
            ("imports.update_indicator", &fields.code, &fields.title)
        }
        PlanChange::CreateFunding { fields } => {
            return (
                "imports.create_funding",
                fields.source.clone(),
                String::new(),
            );
        }
        PlanChange::UpdateFunding { fields, .. } => {
            return (
                "imports.update_funding",
                fields.source.clone(),
                String::new(),
            );
        }
        PlanChange::SetCurrency { currency } => {
            return ("imports.set_currency", currency.clone(), String::new());
        }
        PlanChange::SetSchedule { code, periods } => {
            return (
                "imports.set_schedule",
                code.clone(),
                schedule::label(periods, lang),
            );
        }
    };
    (key, code.clone(), title.clone())
}

pub async fn new_plan_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(agency, _): Editable<Agency>,
) -> Result<Response, AppError> {
    let year = (chrono::Datelike::year(&state.today()) + 1).to_string();
    let page = NewPlanPage {
        ctx,
        agency,
        code: String::new(),
        title: String::new(),
        year,
        errors: FieldErrors::default(),
        file_name: None,
        preview: None,
    };
    Ok(render(&page)?.into_response())
}

/// Checks the new plan's code, title and year, then the file.
pub async fn new_plan_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(agency, user): Editable<Agency>,
    upload: CsrfUpload,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let plan_code = upload.field("code").unwrap_or("").trim().to_owned();
    if plan_code.is_empty() {
        errors.set("code", "error.value.empty");
    } else if plan_code.chars().count() > 64 || plan_code.contains(char::is_whitespace) {
        errors.set("code", "structure.error.code");
    } else if store::plan_by_code(&state.db, agency.id, &plan_code)
        .await?
        .is_some()
    {
        errors.set("code", "imports.error.plan_exists");
    }
    let title = upload.field("title").unwrap_or("").trim().to_owned();
    if title.is_empty() {
        errors.set("title", "error.value.empty");
    } else if title.chars().count() > 300 {
        errors.set("title", "boards.error.too_long");
    }
    let year_text = upload.field("year").unwrap_or("").trim().to_owned();
    let year = crate::domain::parse_plan_year(&year_text);
    if year.is_none() {
        errors.set("year", "error.bad_year");
    }
    if upload.file.is_none() {
        errors.set("file", "imports.error.no_file");
    }
    let mut page = NewPlanPage {
        ctx,
        agency,
        code: plan_code,
        title,
        year: year_text,
        errors,
        file_name: None,
        preview: None,
    };
    let (Some(year), Some((file_name, bytes)), true) = (year, upload.file, page.errors.is_empty())
    else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let mut new_plan = NewPlan {
        agency_id: page.agency.id,
        code: page.code.clone(),
        title: page.title.clone(),
        year,
        level_names: Vec::new(),
        end_year: None,
    };
    let target = Target::New(new_plan.clone());
    let preview =
        match imports::prepare_plan_import(&state.db, &bytes, &target, state.today()).await? {
            Err(problems) => Preview::Problems(problems),
            Ok(import) => {
                let token = random_token()?;
                new_plan.level_names = import.level_names.clone();
                store::keep_new_plan_upload(
                    &state.db,
                    &token,
                    user.user.id,
                    &new_plan,
                    &file_name,
                    &bytes,
                )
                .await?;
                Preview::Plan { import, token }
            }
        };
    let status = if matches!(preview, Preview::Problems(_)) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page.file_name = Some(file_name);
    page.preview = Some(preview);
    Ok((status, render(&page)?).into_response())
}

/// Creates the previewed plan from the file kept at preview.
pub async fn new_plan_apply(
    State(state): State<AppState>,
    Editable(agency, user): Editable<Agency>,
    CsrfForm(form): CsrfForm<ApplyForm>,
) -> Result<Response, AppError> {
    let Some((new_plan, _, bytes)) =
        store::find_new_plan_upload(&state.db, &form.token, user.user.id, agency.id).await?
    else {
        return Err(AppError::bad_request("imports.error.expired"));
    };
    if store::plan_by_code(&state.db, agency.id, &new_plan.code)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict {
            key: "imports.error.plan_exists",
        });
    }
    let target = Target::New(new_plan);
    let today = state.today();
    match imports::prepare_plan_import(&state.db, &bytes, &target, today).await? {
        Err(_) => Err(AppError::bad_request("imports.error.expired")),
        Ok(import) => {
            let applied = imports::apply_plan_import(
                &state.db,
                &target,
                &import,
                today,
                user.user.id,
                Some(&form.token),
            )
            .await;
            // Checked above, but another apply of the same code may have
            // created the plan since: the database's unique key decides.
            let id = match applied {
                Err(error) if crate::store::is_unique_violation(&error) => {
                    return Err(AppError::Conflict {
                        key: "imports.error.plan_exists",
                    })
                }
                other => other?.ok_or(AppError::bad_request("imports.error.expired"))?,
            };
            Ok(axum::response::Redirect::to(&format!("/plans/{id}")).into_response())
        }
    }
}
