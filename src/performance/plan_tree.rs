//! A plan's tree as read from its rows, and the roll-up of figures up a tree.
//!
//! [`Tree`] puts rows that name their parent in reading order, each node
//! followed by its descendants, with one rule for the rows whose parent is
//! missing; it answers what lies under a node and the path down to it. The
//! roll-up walk ([`rollup`]) gives each node the figures of everything under
//! it; it serves the agency tree of the home page as well. Pure: rows are
//! known only through [`TreeNode`], and the store hands them in.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::NaiveDate;

use super::{ActivityFigures, Summary};

/// What a tree needs of a row: its id and its parent's (`None` for a root).
pub trait TreeNode {
    fn id(&self) -> i64;
    fn parent_id(&self) -> Option<i64>;
}

/// Nodes in reading order: each node followed by its descendants, siblings
/// in the order they came in (the store gives them by position). The rows
/// of several plans make a forest in the same order.
#[derive(Debug, Clone)]
pub struct Tree<N> {
    nodes: Vec<N>,
    /// Each node's parent among the nodes (`None` for a root, or when the
    /// parent is not among them).
    parents: HashMap<i64, Option<i64>>,
}

impl<N> Default for Tree<N> {
    fn default() -> Tree<N> {
        Tree {
            nodes: Vec::new(),
            parents: HashMap::new(),
        }
    }
}

impl<N: TreeNode> Tree<N> {
    /// Puts the rows in reading order. The one rule for a row whose parent is
    /// not among them (a node in force on a date whose parent was added
    /// later, or is retired): it starts a branch of its own, where it comes,
    /// as a root does. Nothing is ever dropped: rows that only a cycle in bad
    /// data leaves unreached come last, each followed by what is under it.
    pub fn new(rows: Vec<N>) -> Tree<N> {
        let ids: HashSet<i64> = rows.iter().map(TreeNode::id).collect();
        let parents: HashMap<i64, Option<i64>> = rows
            .iter()
            .map(|row| (row.id(), row.parent_id().filter(|p| ids.contains(p))))
            .collect();
        let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut starts = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            match parents[&row.id()] {
                Some(parent) => children.entry(parent).or_default().push(index),
                None => starts.push(index),
            }
        }
        let mut seen = vec![false; rows.len()];
        let mut order = Vec::with_capacity(rows.len());
        for start in starts.into_iter().chain(0..rows.len()) {
            let mut stack = vec![start];
            while let Some(index) = stack.pop() {
                if std::mem::replace(&mut seen[index], true) {
                    continue;
                }
                order.push(index);
                if let Some(kids) = children.get(&rows[index].id()) {
                    stack.extend(kids.iter().rev());
                }
            }
        }
        let mut slots: Vec<Option<N>> = rows.into_iter().map(Some).collect();
        let nodes = order
            .into_iter()
            .filter_map(|index| slots[index].take())
            .collect();
        Tree { nodes, parents }
    }

    /// The nodes in reading order.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    pub fn into_nodes(self) -> Vec<N> {
        self.nodes
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, id: i64) -> Option<&N> {
        self.nodes.iter().find(|node| node.id() == id)
    }

    /// The node `id` and everything under it, in reading order (empty for
    /// a node not in the tree).
    pub fn branch(&self, id: i64) -> &[N] {
        let Some(start) = self.nodes.iter().position(|node| node.id() == id) else {
            return &[];
        };
        // A branch is contiguous in reading order: it ends at the first node
        // whose parent is not in it.
        let mut inside = HashSet::from([id]);
        let mut end = start + 1;
        while let Some(node) = self.nodes.get(end) {
            match self.parents[&node.id()] {
                Some(parent) if inside.contains(&parent) => {
                    inside.insert(node.id());
                    end += 1;
                }
                _ => break,
            }
        }
        &self.nodes[start..end]
    }

    /// From the root down to the node `id` (empty for a node not in the tree).
    pub fn path(&self, id: i64) -> Vec<&N> {
        let mut path = Vec::new();
        let mut current = Some(id);
        while let Some(node) = current.and_then(|id| self.get(id)) {
            // A node met again: a cycle in bad data, which must not hang us.
            if path.iter().any(|seen: &&N| seen.id() == node.id()) {
                break;
            }
            path.push(node);
            current = self.parents[&node.id()];
        }
        path.reverse();
        path
    }

    /// Each node's figures covering the activities attached to it and to all
    /// its descendants; nodes without any get an empty summary.
    pub fn rollup<'a>(
        &self,
        activities: impl IntoIterator<Item = (i64, &'a ActivityFigures)>,
        as_of: NaiveDate,
    ) -> HashMap<i64, Summary> {
        rollup_tree(&self.parents, activities, as_of)
    }

    /// Each node's total covering its own summary and those of all its
    /// descendants, for callers that count activities as they stream by.
    pub fn rollup_summaries(&self, own: &HashMap<i64, Summary>) -> HashMap<i64, Summary> {
        rollup(
            &self.parents,
            own.iter().map(|(&node, summary)| (node, *summary)),
        )
    }
}

/// Rolls activity figures up a tree: each node's summary covers the activities
/// attached to it and to all its descendants. `parents` maps every node to its
/// parent (`None` for roots); nodes without activities get an empty summary.
pub fn rollup_tree<'a, K: Copy + Eq + Hash>(
    parents: &HashMap<K, Option<K>>,
    activities: impl IntoIterator<Item = (K, &'a ActivityFigures)>,
    as_of: NaiveDate,
) -> HashMap<K, Summary> {
    let mut own: HashMap<K, Summary> = HashMap::new();
    for (node, activity) in activities {
        own.entry(node).or_default().add(activity, as_of);
    }
    rollup(parents, own)
}

/// The roll-up walk: each node's total covers its own summary and those of
/// all its descendants. `parents` maps every node to its parent (`None` for
/// roots); a node without a summary of its own gets what is under it.
pub fn rollup<K: Copy + Eq + Hash>(
    parents: &HashMap<K, Option<K>>,
    own: impl IntoIterator<Item = (K, Summary)>,
) -> HashMap<K, Summary> {
    let mut totals: HashMap<K, Summary> = parents
        .keys()
        .map(|&node| (node, Summary::default()))
        .collect();
    for (node, summary) in own {
        let mut current = Some(node);
        // Bounded by the number of nodes, so that a cycle in bad data cannot hang us.
        for _ in 0..=parents.len() {
            let Some(id) = current else {
                break;
            };
            totals.entry(id).or_default().merge(&summary);
            current = parents.get(&id).copied().flatten();
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Row(i64, Option<i64>);

    impl TreeNode for Row {
        fn id(&self) -> i64 {
            self.0
        }
        fn parent_id(&self) -> Option<i64> {
            self.1
        }
    }

    fn ids(rows: &[Row]) -> Vec<i64> {
        rows.iter().map(|row| row.0).collect()
    }

    #[test]
    fn trees_read_depth_first() {
        // As the store gives them: by depth, then position.
        let tree = Tree::new(vec![
            Row(1, None),
            Row(2, None),
            Row(3, Some(1)),
            Row(4, Some(2)),
            Row(5, Some(1)),
            Row(6, Some(3)),
        ]);
        assert_eq!(ids(tree.nodes()), [1, 3, 6, 5, 2, 4]);
        assert_eq!(ids(tree.branch(1)), [1, 3, 6, 5]);
        assert_eq!(ids(tree.branch(4)), [4]);
        assert!(tree.branch(9).is_empty());
        let path: Vec<i64> = tree.path(6).iter().map(|row| row.0).collect();
        assert_eq!(path, [1, 3, 6]);
    }

    #[test]
    fn a_node_whose_parent_is_missing_starts_a_branch_where_it_comes() {
        // Node 3's parent (9) is not in force on the date read.
        let tree = Tree::new(vec![
            Row(1, None),
            Row(3, Some(9)),
            Row(2, Some(1)),
            Row(4, Some(3)),
        ]);
        assert_eq!(ids(tree.nodes()), [1, 2, 3, 4]);
        assert_eq!(ids(tree.branch(3)), [3, 4]);
    }

    #[test]
    fn a_cycle_in_bad_data_drops_nothing_and_ends() {
        let tree = Tree::new(vec![Row(1, None), Row(2, Some(3)), Row(3, Some(2))]);
        assert_eq!(ids(tree.nodes()), [1, 2, 3]);
        assert_eq!(tree.path(3).len(), 2);
        let own = HashMap::from([(3, Summary::default())]);
        assert_eq!(tree.rollup_summaries(&own).len(), 3);
    }
}
