//! Performance figures: execution rates, achievement rates, budget execution,
//! indicator progress and roll-ups, all as of a date.
//!
//! Pure code fed with plain values: no SQL, no HTTP, no clock. The store hands in
//! rows, this module turns them into figures, and templates display them. Rates
//! are exact [`Ratio`]s; rounding happens only at display time. A plan's tree
//! (reading order, roll-ups) is [`plan_tree`].
//!
//! Counting rules, chosen to match how boards read a programme:
//! - every activity of the programme counts as planned, abandoned ones included
//!   (the board judges against the programme it adopted);
//! - an activity with no update on or before the date is not started;
//! - "above target" counts done activities whose achievement rate exceeds 100 %;
//! - "late" counts activities not done (nor abandoned) whose planned end is before
//!   the date, or whose schedule has a planned period ended before the date (a
//!   quarter passed and the activity still not done).

pub mod plan_tree;
mod ratio;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use plan_tree::{rollup, rollup_tree};
pub use ratio::Ratio;

use crate::domain::{Direction, Status};

/// One progress update, as far as figures are concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Orders updates recorded for the same date: the later one wins.
    pub id: i64,
    pub as_of: NaiveDate,
    pub status: Status,
    pub achieved: Option<Decimal>,
    pub spent: Option<i64>,
}

/// The rule behind every "as of" figure: among dated records, the latest one
/// dated on or before `as_of`; `key` gives each record's date and a tie-breaker
/// (the later recorded wins on the same date). Records dated after `as_of` are
/// ignored, so any past figure can be computed again exactly.
pub fn latest_as_of<T>(
    records: &[T],
    as_of: NaiveDate,
    key: impl Fn(&T) -> (NaiveDate, i64),
) -> Option<&T> {
    records
        .iter()
        .filter(|record| key(record).0 <= as_of)
        .max_by_key(|record| key(record))
}

/// The latest update dated on or before `as_of`.
pub fn state_as_of(updates: &[Update], as_of: NaiveDate) -> Option<&Update> {
    latest_as_of(updates, as_of, |update| (update.as_of, update.id))
}

/// An activity's plan and its state at the date of the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFigures {
    pub status: Status,
    pub target: Option<Decimal>,
    pub achieved: Option<Decimal>,
    pub budget: i64,
    pub spent: i64,
    pub planned_end: Option<NaiveDate>,
    /// The day after which it is late by its schedule in force at the date
    /// (`schedule::late_from`).
    pub schedule_due: Option<NaiveDate>,
}

impl ActivityFigures {
    /// Combines an activity's plan with its latest update (if any).
    pub fn new(
        target: Option<Decimal>,
        budget: i64,
        planned_end: Option<NaiveDate>,
        latest: Option<&Update>,
    ) -> ActivityFigures {
        ActivityFigures {
            status: latest.map_or(Status::NotStarted, |u| u.status),
            target,
            achieved: latest.and_then(|u| u.achieved),
            budget,
            spent: latest.and_then(|u| u.spent).unwrap_or(0),
            planned_end,
            schedule_due: None,
        }
    }

    /// With the end of its schedule's first period.
    pub fn with_schedule_due(self, schedule_due: Option<NaiveDate>) -> ActivityFigures {
        ActivityFigures {
            schedule_due,
            ..self
        }
    }

    /// Achieved over target; `None` with no target, a zero target or nothing achieved.
    pub fn achievement_rate(&self) -> Option<Ratio> {
        achievement_rate(self.achieved, self.target)
    }

    pub fn is_above_target(&self) -> bool {
        self.status == Status::Done && self.achievement_rate().is_some_and(Ratio::exceeds_one)
    }

    pub fn is_late(&self, as_of: NaiveDate) -> bool {
        !matches!(self.status, Status::Done | Status::Abandoned)
            && [self.planned_end, self.schedule_due]
                .into_iter()
                .flatten()
                .any(|end| end < as_of)
    }
}

/// Achieved over target, exact; `None` when either is missing or the target is 0.
pub fn achievement_rate(achieved: Option<Decimal>, target: Option<Decimal>) -> Option<Ratio> {
    let target = target.filter(|t| !t.is_zero())?;
    Ratio::of_decimals(achieved?, target)
}

/// The figures of a set of activities: a plan, a node, a region, an agency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub planned: u64,
    pub done: u64,
    pub in_progress: u64,
    pub not_started: u64,
    pub postponed: u64,
    pub abandoned: u64,
    pub above_target: u64,
    pub late: u64,
    /// Totals in 128 bits: even millions of amounts at `Fcfa::MAX` cannot
    /// overflow, so a total is never wrapped into a plausible wrong figure.
    pub budget: i128,
    pub spent: i128,
}

impl Summary {
    pub fn of<'a>(
        activities: impl IntoIterator<Item = &'a ActivityFigures>,
        as_of: NaiveDate,
    ) -> Summary {
        let mut summary = Summary::default();
        for activity in activities {
            summary.add(activity, as_of);
        }
        summary
    }

    pub fn add(&mut self, activity: &ActivityFigures, as_of: NaiveDate) {
        self.planned += 1;
        match activity.status {
            Status::NotStarted => self.not_started += 1,
            Status::InProgress => self.in_progress += 1,
            Status::Done => self.done += 1,
            Status::Postponed => self.postponed += 1,
            Status::Abandoned => self.abandoned += 1,
        }
        self.above_target += u64::from(activity.is_above_target());
        self.late += u64::from(activity.is_late(as_of));
        self.budget += i128::from(activity.budget);
        self.spent += i128::from(activity.spent);
    }

    pub fn merge(&mut self, other: &Summary) {
        self.planned += other.planned;
        self.done += other.done;
        self.in_progress += other.in_progress;
        self.not_started += other.not_started;
        self.postponed += other.postponed;
        self.abandoned += other.abandoned;
        self.above_target += other.above_target;
        self.late += other.late;
        self.budget += other.budget;
        self.spent += other.spent;
    }

    /// Physical execution rate: activities done over activities planned.
    pub fn execution_rate(&self) -> Option<Ratio> {
        Ratio::new(i128::from(self.done), i128::from(self.planned))
    }

    /// Financial execution rate: amount spent over amount budgeted.
    pub fn budget_execution_rate(&self) -> Option<Ratio> {
        Ratio::new(self.spent, self.budget)
    }

    /// How many activities stand in `status`.
    pub fn count(&self, status: Status) -> u64 {
        match status {
            Status::NotStarted => self.not_started,
            Status::InProgress => self.in_progress,
            Status::Done => self.done,
            Status::Postponed => self.postponed,
            Status::Abandoned => self.abandoned,
        }
    }
}

/// Figures grouped by any key: region, agency, responsible unit.
pub fn summarize_by<'a, K: Ord>(
    activities: impl IntoIterator<Item = (K, &'a ActivityFigures)>,
    as_of: NaiveDate,
) -> BTreeMap<K, Summary> {
    let mut groups: BTreeMap<K, Summary> = BTreeMap::new();
    for (key, activity) in activities {
        groups.entry(key).or_default().add(activity, as_of);
    }
    groups
}

/// An indicator's plan: where it started, where it should get to, which way is good.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorPlan {
    pub baseline: Option<Decimal>,
    pub target: Option<Decimal>,
    pub direction: Direction,
}

impl IndicatorPlan {
    /// How far `value` has gone from the baseline towards the target:
    /// (value − baseline) / (target − baseline). Right for both directions: with
    /// a baseline of 800 killed and a target of 600, a value of 700 is 50 %, and
    /// 900 is −50 % (moving the wrong way). `None` without baseline or target, or
    /// when they are equal.
    pub fn progress(&self, value: Decimal) -> Option<Ratio> {
        let baseline = self.baseline?;
        let target = self.target?;
        Ratio::of_decimals(value - baseline, target - baseline)
    }

    /// Whether `value` reaches the target, in the indicator's good direction.
    pub fn is_met(&self, value: Decimal) -> Option<bool> {
        let target = self.target?;
        Some(match self.direction {
            Direction::Increase => value >= target,
            Direction::Decrease => value <= target,
        })
    }
}

/// The latest indicator value for a period ending on or before `as_of`.
pub fn indicator_value_as_of(
    values: &[(NaiveDate, Decimal)],
    as_of: NaiveDate,
) -> Option<(NaiveDate, Decimal)> {
    // One value per period end (a unique constraint), so no tie-breaker is needed.
    latest_as_of(values, as_of, |(period_end, _)| (*period_end, 0)).copied()
}

#[cfg(test)]
mod tests;
