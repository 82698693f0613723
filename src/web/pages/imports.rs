//! Plans and progress from spreadsheets in the browser: the plan file to
//! download (readers), and for the agency's editors an upload that is first
//! checked and previewed (what would be created or changed, or every problem
//! by line and column), then applied. The uploaded file waits in PostgreSQL
//! between the two steps, so what is applied is what was previewed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{parse_id, render};
use crate::imports::plan_file::Problem;
use crate::imports::{self, PlanImport, ProgressPlan, Target};
use crate::store::activities::Recorder;
use crate::store::imports::{self as store, PlanChange};
use crate::store::plans::{self, Plan};
use crate::web::auth::CurrentUser;
use crate::web::csrf::{random_token, CsrfForm, CsrfUpload};
use crate::web::{AppError, AppState, Ctx};

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The plan file, for anyone who may read the plan.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw_id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let plan = plans::find(&state.db, parse_id(&raw_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    user.ensure_can_read(plan.agency_id)?;
    let today = state.today();
    let (bytes, content_type, extension) = match query.format.as_deref() {
        None | Some("xlsx") => (
            imports::export_xlsx(&state.db, &plan, today).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Some("csv") => (
            imports::export_csv(&state.db, &plan, today).await?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        Some(_) => return Err(AppError::bad_request("error.bad_request")),
    };
    let disposition = format!("attachment; filename=\"{}-{today}.{extension}\"", plan.code);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The plan file template, with its instructions, for anyone signed in.
pub async fn template(_user: CurrentUser) -> Result<Response, AppError> {
    let bytes = imports::template_xlsx()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"modele-plan-suivi.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
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
    /// Set after applying: what was done, as a sentence.
    done: Option<String>,
}

impl ImportPage {
    fn change_label(&self, change: &PlanChange) -> (&'static str, String, String) {
        match change {
            PlanChange::CreateNode { fields, .. } => (
                "imports.create_node",
                fields.code.clone(),
                fields.title.clone(),
            ),
            PlanChange::UpdateNode { fields, .. } => (
                "imports.update_node",
                fields.code.clone(),
                fields.title.clone(),
            ),
            PlanChange::CreateActivity { fields, .. } => (
                "imports.create_activity",
                fields.code.clone(),
                fields.title.clone(),
            ),
            PlanChange::UpdateActivity { fields, .. } => (
                "imports.update_activity",
                fields.code.clone(),
                fields.title.clone(),
            ),
            PlanChange::CreateIndicator { fields, .. } => (
                "imports.create_indicator",
                fields.code.clone(),
                fields.title.clone(),
            ),
            PlanChange::UpdateIndicator { fields, .. } => (
                "imports.update_indicator",
                fields.code.clone(),
                fields.title.clone(),
            ),
        }
    }
}

async fn editable_plan(
    state: &AppState,
    user: &CurrentUser,
    raw_id: &str,
) -> Result<Plan, AppError> {
    let plan = plans::find(&state.db, parse_id(raw_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    user.ensure_can_edit(plan.agency_id)?;
    Ok(plan)
}

fn page(
    ctx: Ctx,
    plan: Plan,
    file_name: Option<String>,
    preview: Option<Preview>,
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
        done,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let plan = editable_plan(&state, &user, &raw_id).await?;
    page(ctx, plan, None, None, None)
}

/// Checks the uploaded file and previews it, writing nothing but the upload.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(raw_id): Path<String>,
    upload: Result<CsrfUpload, AppError>,
) -> Result<Response, AppError> {
    // Rights first: someone who may not import learns nothing from the form.
    let plan = editable_plan(&state, &user, &raw_id).await?;
    let upload = upload?;
    let kind = match upload.field("kind") {
        Some("plan") => "plan",
        Some("progress") => "progress",
        _ => return Err(AppError::bad_request("error.bad_request")),
    };
    let Some((file_name, bytes)) = upload.file else {
        return Err(AppError::bad_request("imports.error.no_file"));
    };
    let today = state.today();
    let preview = match kind {
        "plan" => {
            let target = Target::Existing(plan.clone());
            match imports::prepare_plan_import(&state.db, &bytes, &target, today).await? {
                Err(problems) => Preview::Problems(problems),
                Ok(import) => Preview::Plan {
                    import,
                    token: random_token()?,
                },
            }
        }
        _ => match imports::prepare_progress(&state.db, &plan, &bytes, today).await? {
            Err(problems) => Preview::Problems(problems),
            Ok(prepared) => Preview::Progress {
                prepared,
                token: random_token()?,
            },
        },
    };
    if let Preview::Plan { token, .. } | Preview::Progress { token, .. } = &preview {
        store::keep_upload(
            &state.db,
            token,
            user.user.id,
            plan.id,
            kind,
            &file_name,
            &bytes,
        )
        .await?;
    }
    page(ctx, plan, Some(file_name), Some(preview), None)
}

#[derive(Debug, Deserialize)]
pub struct ApplyForm {
    token: String,
}

/// Applies the previewed upload: the file kept at preview, checked again
/// against the plan as it is now.
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(raw_id): Path<String>,
    CsrfForm(form): CsrfForm<ApplyForm>,
) -> Result<Response, AppError> {
    let plan = editable_plan(&state, &user, &raw_id).await?;
    let Some((kind, file_name, bytes)) =
        store::take_upload(&state.db, &form.token, user.user.id, plan.id).await?
    else {
        return Err(AppError::bad_request("imports.error.expired"));
    };
    let today = state.today();
    let lang = ctx.lang;
    if kind == "plan" {
        let target = Target::Existing(plan.clone());
        return match imports::prepare_plan_import(&state.db, &bytes, &target, today).await? {
            Err(problems) => page(
                ctx,
                plan,
                Some(file_name),
                Some(Preview::Problems(problems)),
                None,
            ),
            Ok(import) => {
                imports::apply_plan_import(&state.db, &target, &import, today, user.user.id)
                    .await?;
                let done = lang.t_with(
                    "imports.plan_done",
                    &[("n", &import.changes.len().to_string())],
                );
                page(ctx, plan, Some(file_name), None, Some(done))
            }
        };
    }
    match imports::prepare_progress(&state.db, &plan, &bytes, today).await? {
        Err(problems) => page(
            ctx,
            plan,
            Some(file_name),
            Some(Preview::Problems(problems)),
            None,
        ),
        Ok(prepared) => {
            let recorder = Recorder {
                user_id: user.user.id,
                name: &user.user.display_name,
                is_admin: user.user.is_admin,
            };
            let result = imports::record_progress(&state.db, prepared, recorder).await?;
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
