//! View models shared by pages: store rows combined with `performance` figures,
//! shaped for templates (which only format).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::Status;
use crate::performance::plan_tree::Tree;
use crate::performance::{self, ActivityFigures, IndicatorPlan, Ratio, Summary};
use sqlx::PgPool;

use crate::store::plans::{self, ActivityRow, FundingLine, IndicatorRow, NodeRow, Plan};

pub struct ActivityView {
    pub activity: ActivityRow,
    pub figures: ActivityFigures,
}

impl ActivityView {
    pub fn status(&self) -> Status {
        self.figures.status
    }

    pub fn achievement_rate(&self) -> Option<Ratio> {
        self.figures.achievement_rate()
    }
}

pub struct NodeView {
    pub node: NodeRow,
    pub level_name: String,
    pub summary: Summary,
    pub activities: Vec<ActivityView>,
    /// True for nodes at the deepest level that holds activities (the priority
    /// actions of a PAP): the level the board reads figures by.
    pub is_leaf_level: bool,
}

/// The plan's tree in reading order, each node with the roll-up of everything
/// under it as of `as_of`.
pub struct PlanTree {
    pub nodes: Vec<NodeView>,
    pub total: Summary,
}

impl PlanTree {
    pub fn build(
        plan: &Plan,
        nodes: Tree<NodeRow>,
        activities: Vec<ActivityRow>,
        as_of: NaiveDate,
    ) -> PlanTree {
        let views: Vec<ActivityView> = activities
            .into_iter()
            .map(|activity| ActivityView {
                figures: activity.figures(),
                activity,
            })
            .collect();
        let rollups = nodes.rollup(
            views.iter().map(|v| (v.activity.node_id, &v.figures)),
            as_of,
        );
        let total = Summary::of(views.iter().map(|v| &v.figures), as_of);
        let leaf_depth = nodes.leaf_depth(|id| views.iter().any(|v| v.activity.node_id == id));

        let mut by_node: HashMap<i64, Vec<ActivityView>> = HashMap::new();
        for view in views {
            by_node.entry(view.activity.node_id).or_default().push(view);
        }
        let nodes = nodes
            .into_nodes()
            .into_iter()
            .map(|node| NodeView {
                level_name: plan.level_name(node.depth).to_owned(),
                summary: rollups.get(&node.id).copied().unwrap_or_default(),
                activities: by_node.remove(&node.id).unwrap_or_default(),
                is_leaf_level: Some(node.depth) == leaf_depth,
                node,
            })
            .collect();
        PlanTree { nodes, total }
    }

    /// Reads the plan's tree and its activities as of `as_of`, and builds it.
    pub async fn load(db: &PgPool, plan: &Plan, as_of: NaiveDate) -> sqlx::Result<PlanTree> {
        let nodes = plans::nodes(db, plan.id, as_of).await?;
        let activities = plans::activities_as_of(db, plan.id, as_of).await?;
        Ok(PlanTree::build(plan, nodes, activities, as_of))
    }

    /// [`PlanTree::load`] with the updates still waiting for validation
    /// counted as if validated.
    pub async fn load_with_pending(
        db: &PgPool,
        plan: &Plan,
        as_of: NaiveDate,
    ) -> sqlx::Result<PlanTree> {
        let nodes = plans::nodes(db, plan.id, as_of).await?;
        let activities = plans::activities_with_pending_as_of(db, plan.id, as_of).await?;
        Ok(PlanTree::build(plan, nodes, activities, as_of))
    }

    pub fn leaf_nodes(&self) -> impl Iterator<Item = &NodeView> {
        self.nodes.iter().filter(|n| n.is_leaf_level)
    }

    /// Whether the node `node_id` is the node coded `code` or lies under it.
    pub fn is_under(&self, node_id: i64, code: &str) -> bool {
        let mut current = Some(node_id);
        // Bounded by the tree's size, whatever the data.
        for _ in 0..=self.nodes.len() {
            let Some(node) = current.and_then(|id| self.nodes.iter().find(|n| n.node.id == id))
            else {
                return false;
            };
            if node.node.code == code {
                return true;
            }
            current = node.node.parent_id;
        }
        false
    }

    /// The name of the level the board reads figures by ("Action prioritaire").
    pub fn leaf_level_name(&self) -> &str {
        self.leaf_nodes()
            .next()
            .map_or("", |n| n.level_name.as_str())
    }

    pub fn activities(&self) -> impl Iterator<Item = &ActivityView> {
        self.nodes.iter().flat_map(|n| n.activities.iter())
    }

    /// Figures per region, in the order of the regions' names.
    pub fn by_region(&self, as_of: NaiveDate) -> Vec<GroupRow> {
        performance::summarize_by(
            self.activities().map(|v| {
                let region = (
                    v.activity.region_name.clone(),
                    v.activity.region_code.clone(),
                );
                (region, &v.figures)
            }),
            as_of,
        )
        .into_iter()
        .map(|((label, key), summary)| GroupRow {
            label,
            key,
            summary,
        })
        .collect()
    }

    /// Figures per responsible unit, in alphabetical order; activities with no
    /// unit are left out.
    pub fn by_unit(&self, as_of: NaiveDate) -> Vec<GroupRow> {
        performance::summarize_by(
            self.activities()
                .filter_map(|v| Some((v.activity.responsible_unit.clone()?, &v.figures))),
            as_of,
        )
        .into_iter()
        .map(|(unit, summary)| GroupRow {
            label: unit.clone(),
            key: unit,
            summary,
        })
        .collect()
    }
}

/// The figures of a group of activities (a region, a unit): `key` is what the
/// drill-down filters on, `label` what readers see.
pub struct GroupRow {
    pub label: String,
    pub key: String,
    pub summary: Summary,
}

pub struct IndicatorView {
    pub indicator: IndicatorRow,
    pub latest: Option<(NaiveDate, Decimal)>,
    pub progress: Option<Ratio>,
    pub met: Option<bool>,
}

impl IndicatorView {
    pub fn build(indicators: Vec<IndicatorRow>, as_of: NaiveDate) -> Vec<IndicatorView> {
        indicators
            .into_iter()
            .map(|indicator| {
                let latest = performance::indicator_value_as_of(&indicator.values, as_of);
                let plan = IndicatorPlan {
                    baseline: indicator.baseline,
                    target: indicator.target,
                    direction: indicator.direction,
                };
                let progress = latest.and_then(|(_, value)| plan.progress(value));
                let met = latest.and_then(|(_, value)| plan.is_met(value));
                IndicatorView {
                    indicator,
                    latest,
                    progress,
                    met,
                }
            })
            .collect()
    }

    pub fn latest_value(&self) -> Option<Decimal> {
        self.latest.map(|(_, value)| value)
    }

    /// True when the latest value moved away from the target.
    pub fn is_regressing(&self) -> bool {
        self.progress.is_some_and(|p| p.numerator() < 0)
    }
}

impl FundingLine {
    /// Money mobilised over money planned for this source.
    pub fn mobilisation_rate(&self) -> Option<Ratio> {
        Ratio::new(i128::from(self.mobilised), i128::from(self.planned))
    }
}

/// A funding line with the execution of the activities it pays for, as of
/// the same date (their budget, what they spent, the rate).
pub struct FundingView {
    pub line: FundingLine,
    pub activities: Summary,
}

/// The funding plan as pages show it: each line with its activities'
/// execution, and the activities that name no line (or a line not in
/// force at the date).
pub struct FundingPlan {
    pub lines: Vec<FundingView>,
    pub unassigned: Summary,
}

impl FundingPlan {
    pub fn build(lines: Vec<FundingLine>, tree: &PlanTree, as_of: NaiveDate) -> FundingPlan {
        let mut by_line = performance::summarize_by(
            tree.activities()
                .map(|v| (v.activity.funding_line_id, &v.figures)),
            as_of,
        );
        let lines: Vec<FundingView> = lines
            .into_iter()
            .map(|line| FundingView {
                activities: by_line.remove(&Some(line.id)).unwrap_or_default(),
                line,
            })
            .collect();
        let mut unassigned = Summary::default();
        for summary in by_line.values() {
            unassigned.merge(summary);
        }
        FundingPlan { lines, unassigned }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether any activity names a line: only then is the execution per
    /// source worth its columns.
    pub fn has_sources(&self) -> bool {
        self.lines.iter().any(|l| l.activities.planned > 0)
    }
}
