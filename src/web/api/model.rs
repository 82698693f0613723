//! The shapes the API answers with that several resources share: money
//! (an integer with its currency), exact rates (numerator, denominator and
//! a rounded percentage), the figures of a set of activities, one activity
//! with its state as of a date, the `as_of` query parameter, and the plans,
//! sessions, tree nodes, funding lines and indicators that appear inside
//! other resources (a session holds its plans' trees and indicators).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problem::ApiError;
use crate::domain;
use crate::performance::plan_tree::Tree;
use crate::performance::{self, IndicatorPlan, Ratio, Summary};
use crate::store::plans::{ActivityRow, FundingLine, IndicatorRow, NodeRow, Plan};
use crate::store::sessions::BoardSession;

/// The currency of figures that add up several plans' money: the franc CFA.
/// Only FCFA plans' amounts are added into them; the others are totalled
/// per currency beside them, never converted nor added in.
pub const CONSOLIDATED_CURRENCY: &str = "XOF";

/// An amount of money: an integer in the unit of its plan's currency
/// (without decimals), never converted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Money {
    #[schema(value_type = i64)]
    pub amount: i128,
    /// ISO 4217: `XOF` (franc CFA, most plans), `USD`, `EUR`.
    pub currency: String,
}

impl Money {
    pub fn new(amount: impl Into<i128>, currency: &str) -> Money {
        Money {
            amount: amount.into(),
            currency: currency.to_owned(),
        }
    }
}

/// A rate kept exact: `numerator / denominator` (reduced, denominator > 0),
/// with its percentage rounded half away from zero for display.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"numerator": 32, "denominator": 49, "percent": 65}))]
pub struct Rate {
    #[schema(value_type = i64)]
    pub numerator: i128,
    #[schema(value_type = i64)]
    pub denominator: i128,
    #[schema(value_type = i64)]
    pub percent: i128,
}

impl Rate {
    pub fn of(ratio: Option<Ratio>) -> Option<Rate> {
        ratio.map(|r| Rate {
            numerator: r.numerator(),
            denominator: r.denominator(),
            percent: r.percent_rounded(),
        })
    }
}

/// The figures of a set of activities (a plan, a node, an agency) as of a
/// date: counts by status, the physical execution rate (done / planned),
/// the budget and what was spent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    pub planned: u64,
    pub done: u64,
    pub in_progress: u64,
    pub not_started: u64,
    pub postponed: u64,
    pub abandoned: u64,
    /// Done activities whose achievement rate is above 100 %.
    pub above_target: u64,
    /// Not done (nor abandoned) past their planned end.
    pub late: u64,
    /// Done over planned; null when nothing is planned.
    pub execution_rate: Option<Rate>,
    pub budget: Money,
    pub spent: Money,
    /// Spent over budgeted; null without a budget.
    pub budget_execution_rate: Option<Rate>,
}

impl Figures {
    /// The figures of a summary whose money is in `currency`.
    pub fn of(s: &Summary, currency: &str) -> Figures {
        Figures {
            planned: s.planned,
            done: s.done,
            in_progress: s.in_progress,
            not_started: s.not_started,
            postponed: s.postponed,
            abandoned: s.abandoned,
            above_target: s.above_target,
            late: s.late,
            execution_rate: Rate::of(s.execution_rate()),
            budget: Money::new(s.budget, currency),
            spent: Money::new(s.spent, currency),
            budget_execution_rate: Rate::of(s.budget_execution_rate()),
        }
    }
}

/// A quantity as exact decimal text (`"12.5"`), never a float.
pub fn quantity(value: Option<Decimal>) -> Option<String> {
    value.map(|v| v.normalize().to_string())
}

/// One activity with its plan as in force at the date, and its state then:
/// its latest progress update dated on or before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    pub plan_id: i64,
    pub node_id: i64,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    /// The planned quantity, as exact decimal text.
    pub target: Option<String>,
    pub budget: Money,
    pub responsible_unit: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    /// The date the state is read as of.
    pub as_of: NaiveDate,
    /// `not_started`, `in_progress`, `done`, `postponed` or `abandoned`.
    pub status: String,
    /// The quantity reached, as exact decimal text.
    pub achieved: Option<String>,
    pub spent: Money,
    /// The update the state comes from (none: not started).
    pub update_id: Option<i64>,
    pub update_as_of: Option<NaiveDate>,
    /// Achieved over target; null without a target.
    pub achievement_rate: Option<Rate>,
    pub above_target: bool,
    pub late: bool,
}

impl Activity {
    /// The activity of a plan whose money is in `currency`.
    pub fn of(row: &ActivityRow, as_of: NaiveDate, currency: &str) -> Activity {
        let figures = row.figures();
        Activity {
            id: row.id,
            plan_id: row.plan_id,
            node_id: row.node_id,
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            target: quantity(row.target),
            budget: Money::new(row.budget, currency),
            responsible_unit: row.responsible_unit.clone(),
            region_code: row.region_code.clone(),
            region_name: row.region_name.clone(),
            planned_start: row.planned_start,
            planned_end: row.planned_end,
            as_of,
            status: figures.status.as_str().to_owned(),
            achieved: quantity(figures.achieved),
            spent: Money::new(figures.spent, currency),
            update_id: row.latest.id,
            update_as_of: row.latest.as_of,
            achievement_rate: Rate::of(figures.achievement_rate()),
            above_target: figures.is_above_target(),
            late: figures.is_late(as_of),
        }
    }
}

/// `?as_of=YYYY-MM-DD`: the date figures are read as of (today by default).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// ISO 8601 date; today when absent.
    #[param(value_type = Option<String>, format = Date, example = "2025-11-30")]
    pub as_of: Option<String>,
}

impl AsOfQuery {
    pub fn date(&self, today: NaiveDate) -> Result<NaiveDate, ApiError> {
        match self.as_of.as_deref().map(str::trim) {
            None | Some("") => Ok(today),
            Some(text) => {
                domain::parse_iso_date(text).ok_or(ApiError::BadRequest("error.bad_date"))
            }
        }
    }
}

/// A plan as listed (its figures: `GET /api/v1/plans/{plan}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i64,
    pub agency_code: String,
    pub code: String,
    pub title: String,
    /// `annual` or `multiyear`.
    pub kind: String,
    pub start_year: i32,
    pub end_year: i32,
    pub status: String,
    /// Names and figures made up for the demonstration.
    pub illustrative: bool,
    /// ISO 4217: the currency of every amount of the plan (`XOF` mostly).
    pub currency: String,
}

impl From<&Plan> for PlanSummary {
    fn from(p: &Plan) -> PlanSummary {
        PlanSummary {
            id: p.id,
            agency_code: p.agency_code.clone(),
            code: p.code.clone(),
            title: p.title.clone(),
            kind: p.kind.as_str().to_owned(),
            start_year: p.start_year,
            end_year: p.end_year,
            status: p.status.as_str().to_owned(),
            illustrative: p.illustrative,
            currency: p.currency.clone(),
        }
    }
}

/// A session as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    pub id: i64,
    pub agency_code: String,
    pub number: i32,
    /// `ordinary` or `extraordinary`.
    pub kind: String,
    pub held_on: NaiveDate,
    /// The date the figures stop at.
    pub cutoff: NaiveDate,
    /// `planned` or `held`.
    pub status: String,
    pub place: Option<String>,
    pub chair: Option<String>,
    pub reviewed_plan_id: Option<i64>,
    pub adopted_plan_id: Option<i64>,
    /// Held, and its figures sealed.
    pub sealed: bool,
    pub illustrative: bool,
}

impl From<&BoardSession> for SessionSummary {
    fn from(s: &BoardSession) -> SessionSummary {
        SessionSummary {
            id: s.id,
            agency_code: s.agency_code.clone(),
            number: s.number,
            kind: s.kind.as_str().to_owned(),
            held_on: s.held_on,
            cutoff: s.cutoff,
            status: s.status.as_str().to_owned(),
            place: s.place.clone(),
            chair: s.chair.clone(),
            reviewed_plan_id: s.reviewed_plan_id,
            adopted_plan_id: s.adopted_plan_id,
            sealed: s.is_sealed(),
            illustrative: s.illustrative,
        }
    }
}

/// A node of the plan's tree (an axis, an objective, a priority action),
/// with the figures of the activities under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// 0 for the roots.
    pub depth: i32,
    pub code: String,
    pub title: String,
    /// The name the plan gives its level (`Action prioritaire`).
    pub level_name: String,
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingOut {
    pub source: String,
    /// `state`, `partner` or `own`.
    pub source_kind: String,
    pub planned: Money,
    pub mobilised: Money,
}

impl FundingOut {
    /// A funding line of a plan whose money is in `currency`.
    pub fn of(f: &FundingLine, currency: &str) -> FundingOut {
        FundingOut {
            source: f.source.clone(),
            source_kind: f.source_kind.as_str().to_owned(),
            planned: Money::new(f.planned, currency),
            mobilised: Money::new(f.mobilised, currency),
        }
    }
}

/// The tree's nodes with the figures of their activities, in reading order.
pub fn nodes_with_figures(
    plan: &Plan,
    tree: &Tree<NodeRow>,
    activities: &[ActivityRow],
    as_of: NaiveDate,
) -> Vec<Node> {
    let figures: Vec<_> = activities
        .iter()
        .map(|a| (a.node_id, a.figures()))
        .collect();
    let totals = tree.rollup(figures.iter().map(|(node, f)| (*node, f)), as_of);
    tree.nodes()
        .iter()
        .map(|n| Node {
            id: n.id,
            parent_id: n.parent_id,
            depth: n.depth,
            code: n.code.clone(),
            title: n.title.clone(),
            level_name: plan.level_name(n.depth).to_owned(),
            figures: Figures::of(
                &totals.get(&n.id).copied().unwrap_or_default(),
                &plan.currency,
            ),
        })
        .collect()
}

/// One value of an indicator, for the period ending on `period_end`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub period_end: NaiveDate,
    /// Exact decimal text.
    pub value: String,
}

/// An indicator with its baseline and target in force at the date, its
/// values, the latest value by then and how far it has gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    pub id: i64,
    pub plan_id: i64,
    pub node_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub unit: Option<String>,
    pub baseline: Option<String>,
    pub baseline_year: Option<i32>,
    pub target: Option<String>,
    pub target_year: Option<i32>,
    /// `increase` (up is good) or `decrease` (down is good).
    pub direction: String,
    pub as_of: NaiveDate,
    /// The latest value for a period ending on or before the date.
    pub current: Option<IndicatorValue>,
    /// (current − baseline) / (target − baseline), exact.
    pub progress: Option<Rate>,
    /// Whether the current value reaches the target in the good direction.
    pub target_met: Option<bool>,
    /// Every value, oldest first.
    pub values: Vec<IndicatorValue>,
}

impl Indicator {
    pub fn of(row: &IndicatorRow, as_of: NaiveDate) -> Indicator {
        let current = performance::indicator_value_as_of(&row.values, as_of);
        let plan = IndicatorPlan {
            baseline: row.baseline,
            target: row.target,
            direction: row.direction,
        };
        Indicator {
            id: row.id,
            plan_id: row.plan_id,
            node_id: row.node_id,
            code: row.code.clone(),
            title: row.title.clone(),
            unit: row.unit.clone(),
            baseline: quantity(row.baseline),
            baseline_year: row.baseline_year,
            target: quantity(row.target),
            target_year: row.target_year,
            direction: row.direction.as_str().to_owned(),
            as_of,
            current: current.map(|(period_end, value)| IndicatorValue {
                period_end,
                value: value.normalize().to_string(),
            }),
            progress: Rate::of(current.and_then(|(_, v)| plan.progress(v))),
            target_met: current.and_then(|(_, v)| plan.is_met(v)),
            values: row
                .values
                .iter()
                .map(|(period_end, value)| IndicatorValue {
                    period_end: *period_end,
                    value: value.normalize().to_string(),
                })
                .collect(),
        }
    }
}
