use std::collections::HashMap;

use super::plan_tree::rollup;
use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dec(v: i64) -> Decimal {
    Decimal::from(v)
}

fn activity(status: Status, target: Option<i64>, achieved: Option<i64>) -> ActivityFigures {
    ActivityFigures {
        status,
        target: target.map(dec),
        achieved: achieved.map(dec),
        budget: 1_000_000,
        spent: 0,
        planned_end: None,
        schedule_due: None,
    }
}

/// The ANASER PAP 2025 as of 30 November 2025: 49 activities, 32 done, 10 of
/// them above target.
fn seed_plan() -> Vec<ActivityFigures> {
    let mut plan = Vec::new();
    for i in 0..32 {
        let achieved = if i < 10 { 25 } else { 20 };
        plan.push(activity(Status::Done, Some(20), Some(achieved)));
    }
    for _ in 0..10 {
        plan.push(activity(Status::InProgress, Some(20), Some(30)));
    }
    for _ in 0..7 {
        plan.push(activity(Status::NotStarted, Some(20), None));
    }
    plan
}

#[test]
fn seed_case_reads_32_of_49_and_10_above_target() {
    let summary = Summary::of(&seed_plan(), date(2025, 11, 30));
    assert_eq!((summary.done, summary.planned), (32, 49));
    let rate = summary.execution_rate().unwrap();
    assert_eq!(rate, Ratio::new(32, 49).unwrap());
    assert_eq!(rate.percent_rounded(), 65);
    // in-progress activities above 100 % do not count: the board counts done ones
    assert_eq!(summary.above_target, 10);
}

#[test]
fn empty_plan_has_no_rates() {
    let summary = Summary::of(&[], date(2025, 11, 30));
    assert_eq!(summary.planned, 0);
    assert_eq!(summary.execution_rate(), None);
    assert_eq!(summary.budget_execution_rate(), None);
}

#[test]
fn zero_or_missing_target_gives_no_achievement_rate() {
    assert_eq!(
        activity(Status::Done, Some(0), Some(5)).achievement_rate(),
        None
    );
    assert_eq!(
        activity(Status::Done, None, Some(5)).achievement_rate(),
        None
    );
    assert_eq!(
        activity(Status::Done, Some(5), None).achievement_rate(),
        None
    );
    assert!(!activity(Status::Done, Some(0), Some(5)).is_above_target());
    assert_eq!(
        activity(Status::Done, Some(20), Some(25)).achievement_rate(),
        Ratio::new(5, 4)
    );
}

#[test]
fn exactly_on_target_is_not_above_target() {
    assert!(!activity(Status::Done, Some(20), Some(20)).is_above_target());
    assert!(activity(Status::Done, Some(20), Some(21)).is_above_target());
}

#[test]
fn abandoned_activities_stay_planned_but_not_done() {
    let plan = vec![
        activity(Status::Done, Some(1), Some(1)),
        activity(Status::Abandoned, Some(1), None),
        activity(Status::Postponed, Some(1), None),
        activity(Status::InProgress, Some(1), None),
    ];
    let summary = Summary::of(&plan, date(2025, 12, 31));
    assert_eq!(summary.planned, 4);
    assert_eq!(summary.abandoned, 1);
    assert_eq!(summary.postponed, 1);
    assert_eq!(summary.execution_rate(), Ratio::new(1, 4));
}

#[test]
fn an_update_after_the_cutoff_is_ignored() {
    let updates = vec![
        Update {
            id: 1,
            as_of: date(2025, 3, 1),
            status: Status::InProgress,
            achieved: Some(dec(5)),
            spent: Some(100),
        },
        Update {
            id: 2,
            as_of: date(2025, 12, 10),
            status: Status::Done,
            achieved: Some(dec(20)),
            spent: Some(900),
        },
    ];
    let cutoff = date(2025, 11, 30);
    let at_cutoff = state_as_of(&updates, cutoff).unwrap();
    assert_eq!(at_cutoff.status, Status::InProgress);
    assert_eq!(
        state_as_of(&updates, date(2025, 12, 31)).unwrap().status,
        Status::Done
    );
    assert_eq!(state_as_of(&updates, date(2025, 1, 1)), None);
    // the update dated on the cutoff itself counts
    assert_eq!(state_as_of(&updates, date(2025, 12, 10)).unwrap().id, 2);

    let figures = ActivityFigures::new(Some(dec(20)), 1000, None, state_as_of(&updates, cutoff));
    assert_eq!(figures.status, Status::InProgress);
    assert_eq!(figures.spent, 100);
    let none = ActivityFigures::new(Some(dec(20)), 1000, None, None);
    assert_eq!(none.status, Status::NotStarted);
}

#[test]
fn two_updates_on_the_same_date_the_later_recorded_wins() {
    let updates = vec![
        Update {
            id: 7,
            as_of: date(2025, 6, 1),
            status: Status::Done,
            achieved: None,
            spent: None,
        },
        Update {
            id: 3,
            as_of: date(2025, 6, 1),
            status: Status::InProgress,
            achieved: None,
            spent: None,
        },
    ];
    assert_eq!(state_as_of(&updates, date(2025, 6, 1)).unwrap().id, 7);
}

#[test]
fn budget_execution_is_spent_over_budget() {
    let mut a = activity(Status::Done, None, None);
    a.budget = 4_000_000;
    a.spent = 3_000_000;
    let mut b = activity(Status::InProgress, None, None);
    b.budget = 1_000_000;
    b.spent = 0;
    let summary = Summary::of(&[a, b], date(2025, 11, 30));
    assert_eq!(summary.budget_execution_rate(), Ratio::new(3, 5));
}

#[test]
fn late_means_not_done_past_planned_end() {
    let mut late = activity(Status::InProgress, None, None);
    late.planned_end = Some(date(2025, 6, 30));
    let mut done = activity(Status::Done, None, None);
    done.planned_end = Some(date(2025, 6, 30));
    let mut future = activity(Status::NotStarted, None, None);
    future.planned_end = Some(date(2025, 12, 31));
    let summary = Summary::of(&[late, done, future.clone()], date(2025, 11, 30));
    assert_eq!(summary.late, 1);
    // A schedule's first quarter passed and the activity not done: late,
    // though its planned end is to come; done, it is not.
    let mut scheduled = future.with_schedule_due(Some(date(2025, 3, 31)));
    assert!(scheduled.is_late(date(2025, 4, 1)));
    assert!(!scheduled.is_late(date(2025, 3, 31)));
    scheduled.status = Status::Done;
    assert!(!scheduled.is_late(date(2025, 4, 1)));
}

#[test]
fn rollup_covers_each_node_and_its_descendants() {
    // 1 ─┬─ 2 ── 4
    //    └─ 3
    // 5 (a second root, empty)
    let parents = HashMap::from([
        (1, None),
        (2, Some(1)),
        (3, Some(1)),
        (4, Some(2)),
        (5, None),
    ]);
    let done = activity(Status::Done, None, None);
    let open = activity(Status::InProgress, None, None);
    let activities = vec![(4, &done), (4, &open), (3, &done), (2, &open)];
    let totals = rollup_tree(&parents, activities, date(2025, 11, 30));
    assert_eq!((totals[&4].done, totals[&4].planned), (1, 2));
    assert_eq!((totals[&2].done, totals[&2].planned), (1, 3));
    assert_eq!((totals[&3].done, totals[&3].planned), (1, 1));
    assert_eq!((totals[&1].done, totals[&1].planned), (2, 4));
    assert_eq!(totals[&5], Summary::default());
    assert_eq!(totals[&1].execution_rate(), Ratio::new(1, 2));
}

#[test]
fn summarize_by_region_sums_to_the_whole() {
    let plan = seed_plan();
    let regions = ["KAY", "SEG", "MOP"];
    let by_region = summarize_by(
        plan.iter().enumerate().map(|(i, a)| (regions[i % 3], a)),
        date(2025, 11, 30),
    );
    let mut total = Summary::default();
    for summary in by_region.values() {
        total.merge(summary);
    }
    assert_eq!(total, Summary::of(&plan, date(2025, 11, 30)));
    assert_eq!(by_region.len(), 3);
}

#[test]
fn decreasing_indicator_progress_points_the_right_way() {
    // "réduire le nombre de tués": from 800 to 600
    let killed = IndicatorPlan {
        baseline: Some(dec(800)),
        target: Some(dec(600)),
        direction: Direction::Decrease,
    };
    assert_eq!(killed.progress(dec(700)), Ratio::new(1, 2));
    assert_eq!(killed.progress(dec(900)), Ratio::new(-1, 2));
    assert_eq!(killed.progress(dec(550)), Ratio::new(5, 4));
    assert_eq!(killed.is_met(dec(600)), Some(true));
    assert_eq!(killed.is_met(dec(650)), Some(false));

    let trained = IndicatorPlan {
        baseline: Some(dec(100)),
        target: Some(dec(300)),
        direction: Direction::Increase,
    };
    assert_eq!(trained.progress(dec(150)), Ratio::new(1, 4));
    assert_eq!(trained.is_met(dec(300)), Some(true));
}

#[test]
fn indicator_without_baseline_or_with_flat_target_has_no_progress() {
    let flat = IndicatorPlan {
        baseline: Some(dec(5)),
        target: Some(dec(5)),
        direction: Direction::Increase,
    };
    assert_eq!(flat.progress(dec(6)), None);
    let no_baseline = IndicatorPlan {
        baseline: None,
        target: Some(dec(5)),
        direction: Direction::Increase,
    };
    assert_eq!(no_baseline.progress(dec(6)), None);
}

#[test]
fn indicator_value_as_of_ignores_later_periods() {
    let values = vec![
        (date(2025, 3, 31), dec(10)),
        (date(2025, 9, 30), dec(20)),
        (date(2025, 12, 31), dec(30)),
    ];
    assert_eq!(
        indicator_value_as_of(&values, date(2025, 11, 30)),
        Some((date(2025, 9, 30), dec(20)))
    );
    assert_eq!(indicator_value_as_of(&values, date(2025, 1, 1)), None);
}

#[test]
fn rolling_up_summaries_gives_what_rolling_up_activities_gives() {
    let parents = HashMap::from([(1, None), (2, Some(1)), (3, Some(1)), (4, Some(2))]);
    let done = activity(Status::Done, Some(10), Some(12));
    let open = activity(Status::InProgress, None, None);
    let activities = vec![(4, &done), (4, &open), (3, &done), (2, &open), (1, &done)];
    let as_of = date(2025, 11, 30);
    let mut own: HashMap<i32, Summary> = HashMap::new();
    for (node, figures) in &activities {
        own.entry(*node).or_default().add(figures, as_of);
    }
    assert_eq!(
        rollup(&parents, own),
        rollup_tree(&parents, activities, as_of)
    );
}

#[test]
fn budget_totals_never_wrap() {
    // Two amounts at the top of i64 would wrap an i64 total into a small,
    // plausible, wrong figure; the 128-bit total stays exact.
    let mut big = activity(Status::Done, None, None);
    big.budget = i64::MAX;
    big.spent = i64::MAX;
    let as_of = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let summary = Summary::of([&big, &big, &big], as_of);
    assert_eq!(summary.budget, 3 * i128::from(i64::MAX));
    let mut total = Summary::default();
    total.merge(&summary);
    total.merge(&summary);
    assert_eq!(total.spent, 6 * i128::from(i64::MAX));
    assert_eq!(
        total.budget_execution_rate().map(|r| r.percent_rounded()),
        Some(100)
    );
}
