//! A board session's page: the reviewed plan's figures as of the session's
//! cutoff (never today's), by priority action and by region, with indicators,
//! budget, resolutions, the change since the previous session and the
//! programme adopted.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::reports::ReportLinks;
use super::views::{FundingPlan, GroupRow, IndicatorView, PlanTree};
use super::{drilldown_link, render};
use crate::charts::{self, Bar};
use crate::dashboard::{Adopted, Dashboard, Previous};
use crate::domain::Status;
use crate::performance::plan_tree::Tree;
use crate::performance::{Ratio, Summary};
use crate::store::plans::Plan;
use crate::store::seals::{self, CorrectionsSince, Reopening, SealHeader};
use crate::store::sessions::{self, BoardSession, OpenResolution, Resolution};
use crate::web::extract::Readable;
use crate::web::{etag, AppError, AppState, Ctx};

pub struct Reviewed {
    pub plan: Plan,
    pub tree: PlanTree,
    pub by_region: Vec<GroupRow>,
    pub by_unit: Vec<GroupRow>,
    pub indicators: Vec<IndicatorView>,
    pub funding: FundingPlan,
    pub drill: String,
    /// SVG: execution rate per priority action, and the statuses at the cutoff.
    pub chart_by_node: String,
    pub chart_statuses: String,
    /// SVG: each indicator with two values or more up to the cutoff, over time.
    pub trends: Vec<Trend>,
}

/// An indicator's trend chart with the title shown above it (the SVG's own
/// title is for screen readers, and a printed page needs one on paper).
pub struct Trend {
    pub title: String,
    pub detail: String,
    pub svg: String,
}

/// An indicator's values up to the cutoff as a line, when there are at least
/// two points to join.
fn trend_chart(indicator: &IndicatorView, cutoff: chrono::NaiveDate, ctx: &Ctx) -> Option<Trend> {
    let points: Vec<(String, rust_decimal::Decimal)> = indicator
        .indicator
        .values
        .iter()
        .filter(|(period_end, _)| *period_end <= cutoff)
        .map(|(period_end, value)| (period_label(*period_end), *value))
        .collect();
    (points.len() >= 2).then(|| {
        let i = &indicator.indicator;
        let mut detail = format!("{} · {}", i.code, ctx.t(i.direction.label_key()));
        if let Some(unit) = &i.unit {
            detail.push_str(" · ");
            detail.push_str(unit);
        }
        Trend {
            title: i.title.clone(),
            detail,
            svg: charts::trend_line(
                &format!("trend-{}", i.id),
                &i.title,
                &points,
                i.baseline,
                i.target,
                ctx.lang,
            ),
        }
    })
}

/// A period named by its end: the year for a year, else month/year.
fn period_label(period_end: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if (period_end.month(), period_end.day()) == (12, 31) {
        period_end.year().to_string()
    } else {
        period_end.format("%m/%Y").to_string()
    }
}

/// The CSS class that colours a status, in tables and charts alike.
fn status_class(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "status-not_started",
        Status::InProgress => "status-in_progress",
        Status::Done => "status-done",
        Status::Postponed => "status-postponed",
        Status::Abandoned => "status-abandoned",
    }
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    ctx: Ctx,
    session: BoardSession,
    /// The seal the figures come from, when the session is sealed.
    seal: Option<SealHeader>,
    /// Earlier seals ended by an admin, with the reason.
    reopenings: Vec<Reopening>,
    /// What was corrected, for the period the sealed figures cover, since
    /// they were sealed.
    corrected: CorrectionsSince,
    reviewed: Option<Reviewed>,
    previous: Option<Previous>,
    adopted: Option<Adopted>,
    resolutions: Vec<Resolution>,
    open_earlier: Vec<OpenResolution>,
    /// The agency's yearly report as of the session's cutoff.
    report: ReportLinks,
    can_edit: bool,
    can_reopen: bool,
    publication: super::public::publishing::PublicationState,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Readable(session, user): Readable<BoardSession>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let cutoff = session.cutoff;
    // The session's own resolutions are followed up to today; the figures
    // stay as of the cutoff.
    let resolutions = sessions::resolutions(db, session.id, state.today()).await?;
    let reopenings = seals::reopenings(db, session.id).await?;
    let can_edit = user.can_edit(session.agency_id);
    let can_reopen = user.user.is_admin && session.is_sealed();
    // What was counted after the seal for the period it covers (its
    // "corrigé depuis" note) moves with later writes: part of the tag.
    let seal = match session.seal_id {
        Some(seal_id) => seals::header(db, seal_id).await?,
        None => None,
    };
    let corrected = match (&seal, session.reviewed_plan_id) {
        (Some(seal), Some(plan_id)) => {
            seals::corrections_since(db, plan_id, cutoff, seal.sealed_at).await?
        }
        _ => CorrectionsSince::default(),
    };
    // Its button (publish or take off) is on the page: part of the tag.
    let publication = super::public::publishing::PublicationState::of(
        &state,
        &user,
        session.agency_id,
        crate::store::publications::Target::Session(session.id),
    )
    .await?;
    // A seal never changes (a reopened session gets a new one): with it,
    // the page is fixed by what is read live and by who reads it, so a
    // repeat visit is answered before the seal is even read.
    let tag = seal.as_ref().map(|seal| {
        etag::of(&(
            &seal.digest,
            &session,
            &resolutions,
            &reopenings,
            &corrected,
            can_edit,
            can_reopen,
            publication,
            &ctx,
        ))
    });
    if let Some(tag) = &tag {
        if etag::matches(&headers, tag) {
            return Ok(etag::not_modified(tag.clone()));
        }
        if let Some(page) = etag::rendered(tag) {
            return Ok(etag::with(Html(page.to_string()), tag.clone()));
        }
    }
    let Dashboard { figures, seal } = match seal {
        Some(seal) => Dashboard::sealed(db, seal).await?,
        None => Dashboard::of(db, &session).await?,
    };

    let reviewed = figures.reviewed.map(|reviewed| {
        let plan = reviewed.plan;
        let tree = PlanTree::build(
            &plan,
            Tree::new(reviewed.nodes),
            reviewed.activities,
            cutoff,
        );
        let bars: Vec<Bar> = tree
            .leaf_nodes()
            .map(|n| Bar {
                label: format!("{} {}", n.node.code, n.node.title),
                rate: n.summary.execution_rate(),
                detail: format!("{} / {}", n.summary.done, n.summary.planned),
            })
            .collect();
        let title = ctx.t_with("session.by_level", &[("level", tree.leaf_level_name())]);
        let chart_by_node = charts::bar_chart("chart-by-node", &title, &bars, ctx.lang);
        let parts: Vec<(String, &str, u64)> = Status::ALL
            .iter()
            .map(|s| {
                (
                    ctx.t(s.label_key()).into_owned(),
                    status_class(*s),
                    tree.total.count(*s),
                )
            })
            .collect();
        let chart_statuses = charts::status_distribution(
            "chart-statuses",
            &ctx.t("session.statuses"),
            &parts,
            ctx.lang,
        );
        let indicators = IndicatorView::build(reviewed.indicators, cutoff);
        let trends = indicators
            .iter()
            .filter_map(|i| trend_chart(i, cutoff, &ctx))
            .collect();
        Reviewed {
            chart_by_node,
            chart_statuses,
            trends,
            by_region: tree.by_region(cutoff),
            by_unit: tree.by_unit(cutoff),
            drill: drilldown_link(plan.id, cutoff),
            indicators,
            funding: FundingPlan::build(reviewed.funding, &tree, cutoff),
            tree,
            plan,
        }
    });

    let report = ReportLinks::agency(
        &session.agency_code,
        chrono::Datelike::year(&cutoff),
        Some(cutoff),
    );
    let page = render(&SessionPage {
        publication,
        report,
        can_edit,
        can_reopen,
        ctx,
        session,
        seal,
        reopenings,
        corrected,
        reviewed,
        previous: figures.previous,
        adopted: figures.adopted,
        resolutions,
        open_earlier: figures.open_earlier,
    })?;
    Ok(match tag {
        Some(tag) => {
            etag::keep(&tag, &page.0);
            etag::with(page, tag)
        }
        None => page.into_response(),
    })
}

impl SessionPage {
    /// "Corrigé depuis : …", in the reader's language.
    fn corrected_note(&self) -> String {
        let ctx = &self.ctx;
        let mut what = Vec::new();
        if self.corrected.updates > 0 {
            let n = self.corrected.updates.to_string();
            what.push(ctx.t_with("session.corrected_updates", [("n", n.as_str())].as_slice()));
        }
        if self.corrected.attributes > 0 {
            let n = self.corrected.attributes.to_string();
            what.push(ctx.t_with(
                "session.corrected_attributes",
                [("n", n.as_str())].as_slice(),
            ));
        }
        let date = self
            .corrected
            .latest
            .map(|at| ctx.date(at.date_naive()))
            .unwrap_or_default();
        ctx.t_with(
            "session.corrected_since",
            [("what", what.join(", ").as_str()), ("date", date.as_str())].as_slice(),
        )
    }
}

impl Previous {
    pub fn rate_change(&self, now: &Summary) -> Option<Ratio> {
        Some(now.execution_rate()?.minus(self.summary.execution_rate()?))
    }

    pub fn done_change(&self, now: &Summary) -> i64 {
        now.done as i64 - self.summary.done as i64
    }
}
