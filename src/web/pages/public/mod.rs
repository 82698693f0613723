//! The public transparency pages, for anyone without signing in: the index
//! of what each agency published, a published plan's figures as of today, a
//! published sealed session's figures from its seal, and each as open data
//! (CSV, JSON). Anything not published (or a session no longer sealed) is a
//! 404 that says nothing more, exactly as an id that names nothing.
//!
//! These routes sit outside the login sessions (`web::app`): the pages are
//! the same for everyone, so they can be cached by anyone (`public_access`).

mod figures;
mod open_data;
pub mod publishing;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;

use self::figures::{OpenData, PublicResolution, SessionRef};
use super::views::{IndicatorView, PlanTree};
use crate::dashboard::Dashboard;
use crate::performance::plan_tree::Tree;
use crate::store::plans::{self, Plan};
use crate::store::publications::{self, Published, Target};
use crate::store::sessions::{self, BoardSession};
use crate::web::public_access::{cacheable, WithinLimit};
use crate::web::{AppError, AppState, Ctx};

const HTML: &str = "text/html; charset=utf-8";

#[derive(Template)]
#[template(path = "public/index.html")]
struct IndexPage {
    ctx: Ctx,
    /// Per agency (code, name), what it published.
    agencies: Vec<(String, String, Vec<Published>)>,
}

#[derive(Template)]
#[template(path = "public/figures.html")]
struct FiguresPage {
    ctx: Ctx,
    data: OpenData,
    /// The page's own path, to which the downloads add `/data.csv`.
    base: String,
    /// For a plan: its published sessions.
    sessions: Vec<Published>,
}

/// The reader's language only: nobody is signed in on these pages.
fn anonymous(ctx: Ctx) -> Ctx {
    Ctx::new(ctx.lang, &ctx.here)
}

pub async fn index(
    State(state): State<AppState>,
    _: WithinLimit,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let mut agencies: Vec<(String, String, Vec<Published>)> = Vec::new();
    for item in publications::index(&state.db).await? {
        match agencies.last_mut() {
            Some((code, _, items)) if *code == item.agency_code => items.push(item),
            _ => agencies.push((
                item.agency_code.clone(),
                item.agency_name.clone(),
                vec![item],
            )),
        }
    }
    let page = IndexPage {
        ctx: anonymous(ctx),
        agencies,
    };
    Ok(cacheable(&headers, HTML, None, page.render()?.into_bytes()))
}

/// The id in the URL; anything else names nothing public.
fn public_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// The published plan's figures as of today (a finished plan: its last day).
async fn plan_data(state: &AppState, raw_id: &str) -> Result<(OpenData, Vec<Published>), AppError> {
    let id = public_id(raw_id)?;
    let shows_comments = publications::shows_comments(&state.db, Target::Plan(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = plans::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = state.today();
    let as_of = NaiveDate::from_ymd_opt(plan.end_year, 12, 31).map_or(today, |end| end.min(today));
    let tree = PlanTree::load(&state.db, &plan, as_of).await?;
    let indicators = IndicatorView::build(
        plans::indicators(&mut *state.db.acquire().await?, id, as_of).await?,
        as_of,
    );
    let funding = plans::funding(&state.db, id, as_of).await?;
    let mut data = OpenData::build(&plan, &tree, indicators, funding, as_of);
    if shows_comments {
        data = with_comments(state, data).await?;
    }
    let sessions = publications::sessions_of_plan(&state.db, id).await?;
    for published in &sessions {
        let Some(session) = published.session_id else {
            continue;
        };
        if let Some(session) = sessions::find(&state.db, session).await? {
            data.resolutions
                .extend(resolutions_of(state, &session).await?);
        }
    }
    Ok((data, sessions))
}

/// The figures with the comments of the updates they come from.
async fn with_comments(state: &AppState, data: OpenData) -> Result<OpenData, AppError> {
    let comments = publications::update_comments(&state.db, &data.update_ids()).await?;
    Ok(data.with_comments(&comments))
}

async fn resolutions_of(
    state: &AppState,
    session: &BoardSession,
) -> Result<Vec<PublicResolution>, AppError> {
    // Followed up after the session by nature: as of today, as on its page.
    Ok(sessions::resolutions(&state.db, session.id, state.today())
        .await?
        .into_iter()
        .map(|r| PublicResolution::of(session.number, session.kind, r))
        .collect())
}

/// The published session's figures, from its seal; a session not sealed
/// (never, or reopened) has none to show.
async fn session_data(state: &AppState, raw_id: &str) -> Result<OpenData, AppError> {
    let id = public_id(raw_id)?;
    let shows_comments = publications::shows_comments(&state.db, Target::Session(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let session = sessions::find(&state.db, id)
        .await?
        .filter(BoardSession::is_sealed)
        .ok_or(AppError::NotFound)?;
    let Dashboard { figures, seal } = Dashboard::of(&state.db, &session).await?;
    let (Some(reviewed), Some(seal)) = (figures.reviewed, seal) else {
        return Err(AppError::NotFound);
    };
    let cutoff = figures.cutoff;
    let plan: Plan = reviewed.plan;
    let tree = PlanTree::build(
        &plan,
        Tree::new(reviewed.nodes),
        reviewed.activities,
        cutoff,
    );
    let indicators = IndicatorView::build(reviewed.indicators, cutoff);
    let mut data = OpenData::build(&plan, &tree, indicators, reviewed.funding, cutoff);
    data.session = Some(SessionRef {
        number: session.number,
        kind: session.kind,
        held_on: session.held_on,
        cutoff,
        seal_digest: seal.digest,
    });
    data.resolutions = resolutions_of(state, &session).await?;
    if shows_comments {
        data = with_comments(state, data).await?;
    }
    Ok(data)
}

pub async fn plan(
    State(state): State<AppState>,
    _: WithinLimit,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (data, sessions) = plan_data(&state, &id).await?;
    let page = FiguresPage {
        base: format!("/public/plans/{id}"),
        ctx: anonymous(ctx),
        data,
        sessions,
    };
    Ok(cacheable(&headers, HTML, None, page.render()?.into_bytes()))
}

pub async fn session(
    State(state): State<AppState>,
    _: WithinLimit,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let data = session_data(&state, &id).await?;
    let page = FiguresPage {
        base: format!("/public/sessions/{id}"),
        ctx: anonymous(ctx),
        data,
        sessions: Vec::new(),
    };
    Ok(cacheable(&headers, HTML, None, page.render()?.into_bytes()))
}

pub async fn plan_file(
    State(state): State<AppState>,
    _: WithinLimit,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let format = open_data::Format::of(&file)?;
    let (data, _) = plan_data(&state, &id).await?;
    let name = format!(
        "{}-{}.{}",
        data.agency.code,
        data.plan.code,
        format.extension()
    );
    open_data::answer(&headers, format, &name, &data, ctx.lang)
}

pub async fn session_file(
    State(state): State<AppState>,
    _: WithinLimit,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let format = open_data::Format::of(&file)?;
    let data = session_data(&state, &id).await?;
    let number = data.session.as_ref().map_or(0, |s| s.number);
    let name = format!(
        "{}-session-{number}.{}",
        data.agency.code,
        format.extension()
    );
    open_data::answer(&headers, format, &name, &data, ctx.lang)
}
