//! The breakdowns of a report, added up as the activities stream by: the
//! whole, each node of each plan (rolled up its tree), each region, each
//! agency. Only counting here: every figure is a `performance::Summary`, and
//! rates come from its methods.
//!
//! Money is added up in the report's one currency only ([`ReportData::currency`]):
//! a consolidated report of FCFA and USD plans counts every activity in its
//! breakdowns but adds only the FCFA amounts there, and gives each currency's
//! own totals beside them ([`Synthesis::currencies`]), never one sum of both.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::ReportData;
use crate::performance::{ActivityFigures, Ratio, Summary};
use crate::store::plans::Plan;
use crate::store::reports::ReportActivity;

/// Running totals of a report's activities.
#[derive(Debug)]
pub struct Tally {
    /// The currency whose amounts the breakdowns add up.
    currency: String,
    total: Summary,
    /// Activities attached directly to each node.
    by_node: HashMap<i64, Summary>,
    /// By (region name, region code), in the order of the names.
    by_region: BTreeMap<(String, String), Summary>,
    by_agency: HashMap<i64, Summary>,
    /// Activities by the funding line they name.
    by_funding: HashMap<i64, Summary>,
    /// Every currency's activities with their own money, the report's
    /// currency included.
    by_currency: BTreeMap<String, Summary>,
}

impl Tally {
    /// Adds up money in `currency` (the report's): other amounts are kept
    /// apart, per currency.
    pub fn new(currency: &str) -> Tally {
        Tally {
            currency: currency.to_owned(),
            total: Summary::default(),
            by_node: HashMap::new(),
            by_region: BTreeMap::new(),
            by_agency: HashMap::new(),
            by_funding: HashMap::new(),
            by_currency: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, row: &ReportActivity, figures: &ActivityFigures, as_of: NaiveDate) {
        match self.by_currency.get_mut(&row.currency) {
            Some(summary) => summary.add(figures, as_of),
            None => {
                let mut summary = Summary::default();
                summary.add(figures, as_of);
                self.by_currency.insert(row.currency.clone(), summary);
            }
        }
        // A funding line is its plan's: in the activity's currency.
        if let Some(line) = row.activity.funding_line_id {
            self.by_funding.entry(line).or_default().add(figures, as_of);
        }
        // Counted everywhere, its money only in its own currency's totals.
        let without_money;
        let figures = if row.currency == self.currency {
            figures
        } else {
            without_money = ActivityFigures {
                budget: 0,
                spent: 0,
                ..figures.clone()
            };
            &without_money
        };
        self.total.add(figures, as_of);
        self.by_node
            .entry(row.activity.node_id)
            .or_default()
            .add(figures, as_of);
        // The key is built only for the first activity of a region.
        match self
            .by_region
            .iter_mut()
            .find(|((_, code), _)| *code == row.activity.region_code)
        {
            Some((_, summary)) => summary.add(figures, as_of),
            None => {
                let mut summary = Summary::default();
                summary.add(figures, as_of);
                self.by_region.insert(
                    (
                        row.activity.region_name.clone(),
                        row.activity.region_code.clone(),
                    ),
                    summary,
                );
            }
        }
        self.by_agency
            .entry(row.agency_id)
            .or_default()
            .add(figures, as_of);
    }

    /// How many activities were counted.
    pub fn rows(&self) -> u64 {
        self.total.planned
    }
}

/// A node of a plan's tree with the figures of everything under it.
#[derive(Debug, Clone)]
pub struct NodeLine {
    pub plan_code: String,
    /// The plan's own name for the node's level ("Action prioritaire").
    pub level_name: String,
    pub depth: i32,
    pub code: String,
    pub title: String,
    pub summary: Summary,
    /// At the deepest level that holds activities in its plan (the priority
    /// actions of a PAP): the level the board reads figures by.
    pub is_leaf_level: bool,
}

/// A region or an agency with its figures.
#[derive(Debug, Clone)]
pub struct GroupLine {
    pub code: String,
    pub label: String,
    pub summary: Summary,
}

/// One currency's activities and funding, with their money in it.
#[derive(Debug, Clone)]
pub struct CurrencyLine {
    /// ISO 4217 (`XOF`, `USD`).
    pub currency: String,
    pub summary: Summary,
    pub funding_planned: i128,
    pub funding_mobilised: i128,
}

impl CurrencyLine {
    pub fn mobilisation_rate(&self) -> Option<Ratio> {
        Ratio::new(self.funding_mobilised, self.funding_planned)
    }
}

/// Everything the summary sheet, the summary CSV and the PDF show.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// The currency of the money of the total and of every breakdown.
    pub currency: String,
    pub total: Summary,
    pub nodes: Vec<NodeLine>,
    pub regions: Vec<GroupLine>,
    pub agencies: Vec<GroupLine>,
    /// The funding lines in the report's currency.
    pub funding_planned: i128,
    pub funding_mobilised: i128,
    /// The activities of each funding line (by its id), for the execution
    /// per source.
    pub by_funding: HashMap<i64, Summary>,
    /// Each currency's own figures, in the order of their codes, when the
    /// report has more than one (empty otherwise: the total says it all).
    pub currencies: Vec<CurrencyLine>,
}

impl Synthesis {
    pub fn new(data: &ReportData, tally: Tally) -> Synthesis {
        let rolled = data.nodes.rollup_summaries(&tally.by_node);
        // Per plan, the deepest level at which activities are attached.
        let mut leaf_depth: HashMap<i64, i32> = HashMap::new();
        for node in data.nodes.nodes() {
            if tally.by_node.get(&node.id).is_some_and(|s| s.planned > 0) {
                let depth = leaf_depth.entry(node.plan_id).or_insert(node.depth);
                *depth = (*depth).max(node.depth);
            }
        }
        let plans: HashMap<i64, &Plan> = data.plans.iter().map(|plan| (plan.id, plan)).collect();
        let nodes = data
            .nodes
            .nodes()
            .iter()
            .filter_map(|node| {
                let plan = plans.get(&node.plan_id)?;
                Some(NodeLine {
                    plan_code: plan.code.clone(),
                    level_name: plan.level_name(node.depth).to_owned(),
                    depth: node.depth,
                    code: node.code.clone(),
                    title: node.title.clone(),
                    summary: rolled.get(&node.id).copied().unwrap_or_default(),
                    is_leaf_level: leaf_depth.get(&node.plan_id) == Some(&node.depth),
                })
            })
            .collect();
        let regions = tally
            .by_region
            .into_iter()
            .map(|((label, code), summary)| GroupLine {
                code,
                label,
                summary,
            })
            .collect();
        // Every agency with a plan this year, in the order of their codes, even
        // one whose plan has no activity yet.
        let mut agencies: Vec<GroupLine> = Vec::new();
        for plan in &data.plans {
            if agencies.last().map(|a| &a.code) != Some(&plan.agency_code) {
                agencies.push(GroupLine {
                    code: plan.agency_code.clone(),
                    label: plan.agency_name.clone(),
                    summary: tally
                        .by_agency
                        .get(&plan.agency_id)
                        .copied()
                        .unwrap_or_default(),
                });
            }
        }
        let mut funding: BTreeMap<&str, (i128, i128)> = BTreeMap::new();
        for line in &data.funding {
            let (planned, mobilised) = funding.entry(&line.currency).or_default();
            *planned += i128::from(line.planned);
            *mobilised += i128::from(line.mobilised);
        }
        let (funding_planned, funding_mobilised) = funding
            .get(tally.currency.as_str())
            .copied()
            .unwrap_or_default();
        let mut currencies: Vec<CurrencyLine> = tally
            .by_currency
            .into_iter()
            .map(|(currency, summary)| {
                let (planned, mobilised) =
                    funding.get(currency.as_str()).copied().unwrap_or_default();
                CurrencyLine {
                    currency,
                    summary,
                    funding_planned: planned,
                    funding_mobilised: mobilised,
                }
            })
            .collect();
        // A currency with funding lines but no activity yet.
        for (currency, (planned, mobilised)) in funding {
            if !currencies.iter().any(|line| line.currency == currency) {
                currencies.push(CurrencyLine {
                    currency: currency.to_owned(),
                    summary: Summary::default(),
                    funding_planned: planned,
                    funding_mobilised: mobilised,
                });
            }
        }
        currencies.sort_by(|a, b| a.currency.cmp(&b.currency));
        if currencies.len() < 2 {
            currencies.clear();
        }
        Synthesis {
            currency: tally.currency,
            total: tally.total,
            nodes,
            regions,
            agencies,
            funding_planned,
            funding_mobilised,
            by_funding: tally.by_funding,
            currencies,
        }
    }

    /// Money mobilised over money planned, all sources together.
    pub fn mobilisation_rate(&self) -> Option<Ratio> {
        Ratio::new(self.funding_mobilised, self.funding_planned)
    }

    pub fn leaf_nodes(&self) -> impl Iterator<Item = &NodeLine> {
        self.nodes.iter().filter(|node| node.is_leaf_level)
    }
}
