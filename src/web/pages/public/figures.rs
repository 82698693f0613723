//! The figures a public page shows, as one value that the page, its CSV and
//! its JSON all come from ("open data of the same"). Only what may be made
//! public goes in: figures, titles, codes, regions and units, never a staff
//! name, and the updates' comments and attachments only where the publisher
//! chose to show them (`with_comments`, `with_attachments`). Rates are exact (numerator and
//! denominator) with their rounded percentage beside them.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::{
    Direction, FundingSourceKind, PlanKind, ResolutionStatus, SessionKind, Status,
};
use crate::performance::{Ratio, Summary};
use crate::store::attachments::AttachmentRow;
use crate::store::plans::{FundingLine, Plan};
use crate::store::sessions::Resolution;
use crate::web::pages::views::{IndicatorView, PlanTree};

/// A rate as the open data gives it: exact, and rounded for display.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rate {
    pub numerator: i128,
    pub denominator: i128,
    pub percent: i128,
}

impl Rate {
    fn of(ratio: Option<Ratio>) -> Option<Rate> {
        ratio.map(|r| Rate {
            numerator: r.numerator(),
            denominator: r.denominator(),
            percent: r.percent_rounded(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub planned: u64,
    pub done: u64,
    pub in_progress: u64,
    pub not_started: u64,
    pub postponed: u64,
    pub abandoned: u64,
    pub above_target: u64,
    pub execution_rate: Option<Rate>,
    /// In the plan's currency (`OpenData::currency`), no decimals.
    pub budget: i128,
    pub spent: i128,
    pub budget_execution_rate: Option<Rate>,
    /// For the page's own formatting.
    #[serde(skip)]
    pub summary: Summary,
}

impl Figures {
    fn of(summary: Summary) -> Figures {
        Figures {
            planned: summary.planned,
            done: summary.done,
            in_progress: summary.in_progress,
            not_started: summary.not_started,
            postponed: summary.postponed,
            abandoned: summary.abandoned,
            above_target: summary.above_target,
            execution_rate: Rate::of(summary.execution_rate()),
            budget: summary.budget,
            spent: summary.spent,
            budget_execution_rate: Rate::of(summary.budget_execution_rate()),
            summary,
        }
    }
}

/// A priority action (the level the board reads by) or a region.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub code: String,
    pub title: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub baseline: Option<Decimal>,
    pub target: Option<Decimal>,
    pub latest_value: Option<Decimal>,
    pub latest_period_end: Option<NaiveDate>,
    pub progress: Option<Rate>,
    #[serde(skip)]
    pub progress_ratio: Option<Ratio>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Funding {
    pub source: String,
    pub kind: FundingSourceKind,
    pub planned: i64,
    pub mobilised: i64,
    pub mobilisation_rate: Option<Rate>,
    #[serde(skip)]
    pub rate_ratio: Option<Ratio>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub code: String,
    pub title: String,
    /// The code of the node it belongs to.
    pub node: String,
    pub region_code: String,
    pub region: String,
    pub responsible_unit: Option<String>,
    pub status: Status,
    /// The date of the progress these figures come from.
    pub status_as_of: Option<NaiveDate>,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub achieved: Option<Decimal>,
    pub achievement_rate: Option<Rate>,
    pub budget: i64,
    pub spent: Option<i64>,
    /// The comment of the update these figures come from, where the page
    /// shows comments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The evidence attached to that update, where the page shows it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<PublicAttachment>,
    /// That update, to find its comment and attachments.
    #[serde(skip)]
    pub update_id: Option<i64>,
}

/// A piece of evidence as a public page shows it: its title, and where to
/// get it (the public page's own download for a file, the address of a link).
#[derive(Debug, Clone, Serialize)]
pub struct PublicAttachment {
    pub id: i64,
    pub title: String,
    /// `file` or `link`.
    pub kind: &'static str,
    pub href: String,
}

/// A resolution and its follow-up: its status and the date of the latest
/// follow-up, not the note (staff write those for each other).
#[derive(Debug, Clone, Serialize)]
pub struct PublicResolution {
    pub session_number: i32,
    pub session_kind: SessionKind,
    pub text: String,
    pub responsible_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ResolutionStatus,
    pub followed_up_on: Option<NaiveDate>,
}

impl PublicResolution {
    pub fn of(number: i32, kind: SessionKind, resolution: Resolution) -> PublicResolution {
        PublicResolution {
            session_number: number,
            session_kind: kind,
            text: resolution.text,
            responsible_unit: resolution.responsible_unit,
            due_on: resolution.due_on,
            status: resolution.status,
            followed_up_on: resolution.noted_on,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AgencyRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRef {
    pub code: String,
    pub title: String,
    pub kind: PlanKind,
    pub years: String,
    /// True where titles, budgets and values were invented for the demo.
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRef {
    pub number: i32,
    pub kind: SessionKind,
    pub held_on: NaiveDate,
    pub cutoff: NaiveDate,
    /// The BLAKE2b digest of the sealed figures these come from.
    pub seal_digest: String,
}

/// Everything a public page shows.
#[derive(Debug, Clone, Serialize)]
pub struct OpenData {
    pub agency: AgencyRef,
    pub plan: PlanRef,
    pub session: Option<SessionRef>,
    pub as_of: NaiveDate,
    /// The plan's currency (ISO 4217: XOF shows as FCFA); every amount
    /// here is in it.
    pub currency: String,
    pub headline: Figures,
    /// The name of the level `by_level` is at ("Action prioritaire").
    pub level_name: String,
    pub by_level: Vec<Group>,
    pub by_region: Vec<Group>,
    pub indicators: Vec<Indicator>,
    pub funding: Vec<Funding>,
    pub activities: Vec<Activity>,
    pub resolutions: Vec<PublicResolution>,
    /// Whether the publisher chose to show the updates' comments.
    #[serde(skip)]
    pub shows_comments: bool,
}

impl OpenData {
    pub fn build(
        plan: &Plan,
        tree: &PlanTree,
        indicators: Vec<IndicatorView>,
        funding: Vec<FundingLine>,
        as_of: NaiveDate,
    ) -> OpenData {
        let node_code = |id: i64| {
            tree.nodes
                .iter()
                .find(|n| n.node.id == id)
                .map_or_else(String::new, |n| n.node.code.clone())
        };
        OpenData {
            agency: AgencyRef {
                code: plan.agency_code.clone(),
                name: plan.agency_name.clone(),
            },
            plan: PlanRef {
                code: plan.code.clone(),
                title: plan.title.clone(),
                kind: plan.kind,
                years: plan.years(),
                illustrative: plan.illustrative,
            },
            session: None,
            as_of,
            currency: plan.currency.clone(),
            headline: Figures::of(tree.total),
            level_name: tree.leaf_level_name().to_owned(),
            by_level: tree
                .leaf_nodes()
                .map(|n| Group {
                    code: n.node.code.clone(),
                    title: n.node.title.clone(),
                    figures: Figures::of(n.summary),
                })
                .collect(),
            by_region: tree
                .by_region(as_of)
                .into_iter()
                .map(|g| Group {
                    code: g.key,
                    title: g.label,
                    figures: Figures::of(g.summary),
                })
                .collect(),
            indicators: indicators
                .into_iter()
                .map(|i| Indicator {
                    latest_value: i.latest_value(),
                    latest_period_end: i.latest.map(|(end, _)| end),
                    progress: Rate::of(i.progress),
                    progress_ratio: i.progress,
                    code: i.indicator.code,
                    title: i.indicator.title,
                    unit: i.indicator.unit,
                    direction: i.indicator.direction,
                    baseline: i.indicator.baseline,
                    target: i.indicator.target,
                })
                .collect(),
            funding: funding
                .into_iter()
                .map(|f| Funding {
                    mobilisation_rate: Rate::of(f.mobilisation_rate()),
                    rate_ratio: f.mobilisation_rate(),
                    source: f.source,
                    kind: f.source_kind,
                    planned: f.planned,
                    mobilised: f.mobilised,
                })
                .collect(),
            activities: tree
                .activities()
                .map(|v| Activity {
                    code: v.activity.code.clone(),
                    title: v.activity.title.clone(),
                    node: node_code(v.activity.node_id),
                    region_code: v.activity.region_code.clone(),
                    region: v.activity.region_name.clone(),
                    responsible_unit: v.activity.responsible_unit.clone(),
                    status: v.status(),
                    status_as_of: v.activity.latest.as_of,
                    target: v.activity.target,
                    unit: v.activity.unit.clone(),
                    achieved: v.activity.latest.achieved,
                    achievement_rate: Rate::of(v.achievement_rate()),
                    budget: v.activity.budget,
                    spent: v.activity.latest.spent,
                    comment: None,
                    attachments: Vec::new(),
                    update_id: v.activity.latest.id,
                })
                .collect(),
            resolutions: Vec::new(),
            shows_comments: false,
        }
    }

    /// Adds the updates' comments, from `comments` by update id.
    pub fn with_comments(mut self, comments: &HashMap<i64, String>) -> OpenData {
        self.shows_comments = true;
        for activity in &mut self.activities {
            activity.comment = activity.update_id.and_then(|id| comments.get(&id)).cloned();
        }
        self
    }

    /// Adds the attachments (not withdrawn) of the updates the figures come
    /// from: files downloaded under `base` (the public page's path), links
    /// as they are.
    pub fn with_attachments(mut self, stored: &[AttachmentRow], base: &str) -> OpenData {
        for activity in &mut self.activities {
            let Some(update_id) = activity.update_id else {
                continue;
            };
            activity.attachments = stored
                .iter()
                .filter(|a| a.update_id == update_id && !a.is_withdrawn())
                .filter_map(|a| {
                    let (kind, href) = match (&a.url, a.file_type) {
                        (Some(url), _) => ("link", url.clone()),
                        (None, Some(_)) => ("file", format!("{base}/attachments/{}", a.id)),
                        (None, None) => return None,
                    };
                    Some(PublicAttachment {
                        id: a.id,
                        title: a.title().to_owned(),
                        kind,
                        href,
                    })
                })
                .collect();
        }
        self
    }

    /// Whether the page lists this attachment as a file to download.
    pub fn lists_file(&self, attachment_id: i64) -> bool {
        self.activities
            .iter()
            .flat_map(|a| &a.attachments)
            .any(|a| a.id == attachment_id && a.kind == "file")
    }

    /// The activities with evidence shown, for the page.
    pub fn with_evidence(&self) -> Vec<&Activity> {
        self.activities
            .iter()
            .filter(|a| !a.attachments.is_empty())
            .collect()
    }

    /// The update ids the figures come from.
    pub fn update_ids(&self) -> Vec<i64> {
        self.activities.iter().filter_map(|a| a.update_id).collect()
    }

    /// The activities whose update has a comment, for the page.
    pub fn commented(&self) -> Vec<&Activity> {
        self.activities
            .iter()
            .filter(|a| a.comment.is_some())
            .collect()
    }
}
