//! A board session's page: the reviewed plan's figures as of the session's
//! cutoff (never today's), by priority action and by region, with indicators,
//! budget, resolutions, the change since the previous session and the
//! programme adopted.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::reports::ReportLinks;
use super::views::{GroupRow, IndicatorView, PlanTree};
use super::{drilldown_link, render};
use crate::charts::{self, Bar};
use crate::dashboard::{Adopted, Dashboard, Previous};
use crate::domain::Status;
use crate::performance::plan_tree::Tree;
use crate::performance::{Ratio, Summary};
use crate::store::plans::{FundingLine, Plan};
use crate::store::seals::{self, CorrectionsSince, Reopening, Seal};
use crate::store::sessions::{self, BoardSession, OpenResolution, Resolution};
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

pub struct Reviewed {
    pub plan: Plan,
    pub tree: PlanTree,
    pub by_region: Vec<GroupRow>,
    pub by_unit: Vec<GroupRow>,
    pub indicators: Vec<IndicatorView>,
    pub funding: Vec<FundingLine>,
    pub drill: String,
    /// SVG: execution rate per priority action, and the statuses at the cutoff.
    pub chart_by_node: String,
    pub chart_statuses: String,
    /// SVG: each indicator with two values or more up to the cutoff, over time.
    pub trends: Vec<String>,
}

/// An indicator's values up to the cutoff as a line, when there are at least
/// two points to join.
fn trend_chart(indicator: &IndicatorView, cutoff: chrono::NaiveDate, ctx: &Ctx) -> Option<String> {
    let points: Vec<(String, rust_decimal::Decimal)> = indicator
        .indicator
        .values
        .iter()
        .filter(|(period_end, _)| *period_end <= cutoff)
        .map(|(period_end, value)| (period_label(*period_end), *value))
        .collect();
    (points.len() >= 2).then(|| {
        charts::trend_line(
            &format!("trend-{}", indicator.indicator.id),
            &indicator.indicator.title,
            &points,
            indicator.indicator.baseline,
            indicator.indicator.target,
            ctx.lang,
        )
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
    seal: Option<Seal>,
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
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(session, user): Readable<BoardSession>,
) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let cutoff = session.cutoff;
    let Dashboard { figures, seal } = Dashboard::of(db, &session).await?;

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
            funding: reviewed.funding,
            tree,
            plan,
        }
    });

    // The session's own resolutions are followed up to today; the figures
    // stay as of the cutoff.
    let resolutions = sessions::resolutions(db, session.id, state.today()).await?;
    let reopenings = seals::reopenings(db, session.id).await?;
    let corrected = match (&seal, session.reviewed_plan_id) {
        (Some(seal), Some(plan_id)) => {
            seals::corrections_since(db, plan_id, cutoff, seal.sealed_at).await?
        }
        _ => CorrectionsSince::default(),
    };
    let report = ReportLinks::agency(
        &session.agency_code,
        chrono::Datelike::year(&cutoff),
        Some(cutoff),
    );
    render(&SessionPage {
        report,
        can_edit: user.can_edit(session.agency_id),
        can_reopen: user.user.is_admin && session.is_sealed(),
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
