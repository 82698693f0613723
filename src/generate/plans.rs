//! One agency-year of `generate`: its plan tree, activities with their dated
//! progress updates, indicators with quarterly values, and funding lines.

use anyhow::Context as _;
use chrono::{Days, NaiveDate};

use super::rng::{per_mille, round_to, Rng};
use super::words::{
    ACTION_TITLES, ACTIVITY_KINDS, AUTHORS, INDICATOR_KINDS, OBJECTIVE_TITLES, PARTNERS, UNITS,
};
use super::writer::{Batch, Ids, Table};
use super::{Context, ACTIONS_PER_OBJECTIVE, INDICATORS_PER_PLAN, OBJECTIVES};
use crate::domain::{Direction, FundingSourceKind, Status};

/// Day arithmetic within one year, as offsets from 1 January.
pub(super) struct Calendar {
    year: i32,
    first_day: NaiveDate,
    days: u32,
    /// The last day (offset) on which something may be recorded: the end of the
    /// year, or `today` if earlier; `None` for a year that has not started.
    recorded_until: Option<u32>,
    pub(super) today: NaiveDate,
}

impl Calendar {
    pub(super) fn new(year: i32, today: NaiveDate) -> anyhow::Result<Calendar> {
        let first_day = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).context("year out of range")?;
        let days = (next - first_day).num_days() as u32;
        let elapsed = (today - first_day).num_days();
        let recorded_until = (elapsed >= 0).then(|| elapsed.min(i64::from(days) - 1) as u32);
        Ok(Calendar {
            year,
            first_day,
            days,
            recorded_until,
            today,
        })
    }

    fn date(&self, offset: u32) -> NaiveDate {
        self.first_day + Days::new(u64::from(offset))
    }

    fn last(&self) -> u32 {
        self.days - 1
    }

    /// Share of the year already past, in thousandths.
    fn elapsed_per_mille(&self) -> i64 {
        self.recorded_until.map_or(0, |until| {
            i64::from(until + 1) * 1000 / i64::from(self.days)
        })
    }

    pub(super) fn ymd(&self, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, month, day).context("invalid date")
    }
}

pub(super) struct PlanContext<'a> {
    pub(super) agency_id: i64,
    pub(super) plan_id: i64,
    /// Adopted at this year's December session.
    pub(super) next_plan_id: Option<i64>,
    pub(super) ministry_name: &'a str,
    pub(super) calendar: &'a Calendar,
    pub(super) done_per_mille: i64,
}

/// What an activity ends the year as (or is at `today`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    NotStarted,
    InProgress,
    Done,
    Postponed,
    Abandoned,
}

impl Fate {
    fn status(self) -> Status {
        match self {
            Fate::NotStarted => Status::NotStarted,
            Fate::InProgress => Status::InProgress,
            Fate::Done => Status::Done,
            Fate::Postponed => Status::Postponed,
            Fate::Abandoned => Status::Abandoned,
        }
    }
}

pub(super) fn write_plan_year(
    context: &Context<'_>,
    plan: &PlanContext<'_>,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    // The tree: objectives, each with its priority actions.
    // Titles differ within a plan (there are at least as many as nodes).
    let objective_titles = rng.distinct(OBJECTIVE_TITLES.len(), OBJECTIVES as usize);
    let action_titles = rng.distinct(
        ACTION_TITLES.len(),
        (OBJECTIVES * ACTIONS_PER_OBJECTIVE) as usize,
    );
    let mut objective_ids = Vec::with_capacity(OBJECTIVES as usize);
    let mut action_nodes = Vec::with_capacity((OBJECTIVES * ACTIONS_PER_OBJECTIVE) as usize);
    for objective in 1..=OBJECTIVES {
        let objective_id = ids.take(Table::PlanNodes);
        objective_ids.push(objective_id);
        batch
            .row(Table::PlanNodes)
            .int(objective_id)
            .int(plan.plan_id)
            .null()
            .int(0)
            .int(i64::from(objective - 1))
            .text(&format!("OS{objective}"))
            .text(
                OBJECTIVE_TITLES
                    [objective_titles[(objective - 1) as usize % objective_titles.len()]],
            )
            .end();
        for action in 1..=ACTIONS_PER_OBJECTIVE {
            let action_id = ids.take(Table::PlanNodes);
            let title = ACTION_TITLES[action_titles[action_nodes.len() % action_titles.len()]];
            action_nodes.push((action_id, objective, action));
            batch
                .row(Table::PlanNodes)
                .int(action_id)
                .int(plan.plan_id)
                .int(objective_id)
                .int(1)
                .int(i64::from(action - 1))
                .text(&format!("AP{objective}.{action}"))
                .text(title)
                .end();
        }
    }

    let mut total_budget = 0i64;
    for position in 0..context.options.activities {
        // Round robin keeps the priority actions evenly filled.
        let (node_id, objective, action) = action_nodes[position as usize % action_nodes.len()];
        let rank = position / (OBJECTIVES * ACTIONS_PER_OBJECTIVE) + 1;
        total_budget += write_activity(
            context,
            plan,
            rng,
            ids,
            batch,
            ActivitySlot {
                node_id,
                position,
                code: format!("A{objective}.{action}.{rank:02}"),
            },
        );
    }

    write_indicators(plan, &objective_ids, rng, ids, batch)?;
    write_funding(plan, total_budget, rng, ids, batch);
    Ok(())
}

struct ActivitySlot {
    node_id: i64,
    position: u32,
    code: String,
}

/// Writes one activity and its updates; returns its budget.
fn write_activity(
    context: &Context<'_>,
    plan: &PlanContext<'_>,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
    slot: ActivitySlot,
) -> i64 {
    let calendar = plan.calendar;
    let kind = rng.pick(ACTIVITY_KINDS);
    let regions = context.regions;
    let region = match rng.below(100) {
        0..=24 => &regions[0],
        25..=44 if regions.len() > 1 => &regions[1],
        _ => rng.pick(regions),
    };
    let title = if region.0 == regions[0].0 {
        kind.title.to_owned()
    } else {
        format!("{} ({})", kind.title, region.1)
    };
    // A few activities have no quantified target ("—" on dashboards).
    let target = (!rng.chance(30)).then(|| {
        let whole = rng.range(kind.min, kind.max) * 1000;
        if kind.step < 1000 && kind.max > kind.min {
            whole + rng.below((1000 / kind.step) as u64) as i64 * kind.step
        } else {
            whole
        }
    });
    // Skewed towards small amounts, as most activities are.
    let budget = 50_000 * rng.range(1, 60) * rng.range(1, 50);

    let last = calendar.last();
    let planned_start = rng.below(240) as u32;
    let planned_end = planned_start + 20 + rng.below(u64::from(last - planned_start - 20)) as u32;

    let activity_id = ids.take(Table::Activities);
    batch
        .row(Table::Activities)
        .int(activity_id)
        .int(plan.plan_id)
        .int(slot.node_id)
        .int(i64::from(slot.position))
        .text(&slot.code)
        .text(&title)
        .opt_quantity(target)
        .text(kind.unit)
        .int(budget)
        .text(rng.word(UNITS))
        .text(&region.0)
        .date(calendar.date(planned_start))
        .date(calendar.date(planned_end))
        .end();

    let Some(until) = calendar.recorded_until else {
        // Nothing can be recorded for a year that has not started.
        return budget;
    };

    let rest = 1000 - plan.done_per_mille;
    let draw = rng.below(1000) as i64;
    let mut fate = if draw < plan.done_per_mille {
        Fate::Done
    } else if draw < plan.done_per_mille + rest / 2 {
        Fate::InProgress
    } else if draw < plan.done_per_mille + rest * 7 / 10 {
        Fate::Postponed
    } else if draw < plan.done_per_mille + rest * 9 / 10 {
        Fate::NotStarted
    } else {
        Fate::Abandoned
    };

    let first = (planned_start + rng.below(30) as u32).min(last);
    let finish = (i64::from(planned_end) + rng.range(-30, 40))
        .clamp(i64::from(first), i64::from(last)) as u32;
    // What has not happened by `today` has not happened yet.
    if matches!(fate, Fate::Done | Fate::Postponed | Fate::Abandoned) && finish > until {
        fate = Fate::InProgress;
    }
    if fate == Fate::InProgress && first > until {
        fate = Fate::NotStarted;
    }

    // Final achievement in thousandths of the target, and spending in thousandths
    // of the budget.
    let (achieved_per_mille, spent_per_mille) = match fate {
        Fate::NotStarted => (0, 0),
        Fate::InProgress => {
            let share = rng.range(100, 900);
            (share, per_mille(share, rng.range(800, 1100)))
        }
        Fate::Done => {
            let share = match rng.below(10) {
                // About three in ten done activities beat their target.
                0..=2 => rng.range(1010, 1600),
                3 => rng.range(800, 990),
                _ => 1000,
            };
            (share, rng.range(850, 1050))
        }
        Fate::Postponed => {
            let share = rng.range(0, 400);
            (share, per_mille(share, rng.range(600, 1000)))
        }
        Fate::Abandoned => {
            let share = rng.range(0, 300);
            (share, per_mille(share, rng.range(600, 1000)))
        }
    };
    let final_achieved =
        target.map(|target| round_to(per_mille(target, achieved_per_mille), kind.step));
    let final_spent = round_to(per_mille(budget, spent_per_mille), 1000);

    // Dates of the updates, strictly increasing, all within [first, last_update].
    let last_update = match fate {
        // The last report of the year (or before `today`) says it has not started.
        Fate::NotStarted => until.saturating_sub(rng.below(60) as u32),
        Fate::InProgress => until.saturating_sub(rng.below(60) as u32).max(first),
        _ => finish,
    };
    let first = first.min(last_update);
    let wanted = if fate == Fate::NotStarted {
        1
    } else {
        context.options.updates_per_activity as usize
    };
    let mut dates = Vec::with_capacity(wanted);
    if wanted > 1 && last_update > first {
        dates.push(first);
        for _ in 2..wanted {
            let gap = u64::from(last_update - first - 1);
            if gap > 0 {
                dates.push(first + 1 + rng.below(gap) as u32);
            }
        }
    }
    dates.push(last_update);
    dates.sort_unstable();
    dates.dedup();

    // One focal point follows an activity through the year.
    let author = rng.word(AUTHORS);
    let count = dates.len() as i64;
    for (index, &day) in dates.iter().enumerate() {
        let is_last = index + 1 == dates.len();
        let step = index as i64 + 1;
        let (status, achieved, spent) = if is_last {
            (fate.status(), final_achieved, final_spent)
        } else {
            (
                Status::InProgress,
                final_achieved.map(|value| round_to(value * step / count, kind.step)),
                round_to(final_spent * step / count, 1000),
            )
        };
        let comment = if is_last {
            fate_comment(fate, target, achieved, rng)
        } else {
            None
        };
        let as_of = calendar.date(day);
        batch
            .row(Table::ProgressUpdates)
            .int(ids.take(Table::ProgressUpdates))
            .int(activity_id)
            .date(as_of)
            .text(status.as_str())
            .opt_quantity(achieved)
            .int(spent)
            .opt_text(comment)
            .text(author)
            .timestamp(as_of, 17)
            .end();
    }
    budget
}

fn fate_comment(
    fate: Fate,
    target: Option<i64>,
    achieved: Option<i64>,
    rng: &mut Rng,
) -> Option<&'static str> {
    match fate {
        Fate::Postponed => Some(rng.word(&[
            "Reportée faute de financement",
            "Reportée à l'exercice suivant",
            "Reportée en raison de la situation sécuritaire",
        ])),
        Fate::Abandoned => Some(rng.word(&[
            "Abandonnée : activité reprise par un partenaire",
            "Abandonnée après arbitrage budgétaire",
        ])),
        Fate::Done if achieved > target => Some("Cible dépassée grâce à l'appui des partenaires"),
        _ if rng.chance(150) => Some(rng.word(&[
            "RAS",
            "Données provisoires",
            "En attente des pièces justificatives",
        ])),
        _ => None,
    }
}

fn write_indicators(
    plan: &PlanContext<'_>,
    objective_ids: &[i64],
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    let calendar = plan.calendar;
    let year = i64::from(calendar.year);
    let chosen = rng.distinct(INDICATOR_KINDS.len(), INDICATORS_PER_PLAN);
    for (position, &kind_index) in chosen.iter().enumerate() {
        let kind = &INDICATOR_KINDS[kind_index];
        let indicator_id = ids.take(Table::Indicators);
        let baseline = round_to(
            rng.range(kind.baseline.0, kind.baseline.1) * 1000,
            kind.step,
        );
        let change = per_mille(baseline, rng.range(kind.change.0, kind.change.1));
        let target = match kind.direction {
            Direction::Increase => baseline + change,
            Direction::Decrease => baseline - change,
        };
        let target = round_to(target.clamp(0, kind.ceiling * 1000), kind.step);
        batch
            .row(Table::Indicators)
            .int(indicator_id)
            .int(plan.plan_id)
            .int(objective_ids[position % objective_ids.len()])
            .int(position as i64)
            .text(&format!("IND-{}", position + 1))
            .text(kind.title)
            .text(kind.unit)
            .quantity(baseline)
            .int(year - 1)
            .quantity(target)
            .int(year)
            .text(kind.direction.as_str())
            .end();

        // Quarterly values drift from the baseline towards the target, some
        // indicators faster than planned, some slower, with noise.
        let pace = rng.range(600, 1200);
        let spread = (target - baseline).abs().max(kind.step);
        for quarter in 1..=4u32 {
            let end = quarter_end(calendar, quarter)?;
            if end > calendar.today {
                break;
            }
            let planned = baseline + (target - baseline) * i64::from(quarter) / 4;
            let value = baseline
                + per_mille(planned - baseline, pace)
                + per_mille(spread, rng.range(-60, 60));
            let value = round_to(value.clamp(0, kind.ceiling * 1000), kind.step);
            let recorded = (end + Days::new(15)).min(calendar.today);
            batch
                .row(Table::IndicatorValues)
                .int(ids.take(Table::IndicatorValues))
                .int(indicator_id)
                .text(&format!("T{quarter} {}", calendar.year))
                .date(end)
                .quantity(value)
                .timestamp(recorded, 10)
                .end();
        }
    }
    Ok(())
}

fn quarter_end(calendar: &Calendar, quarter: u32) -> anyhow::Result<NaiveDate> {
    match quarter {
        1 => calendar.ymd(3, 31),
        2 => calendar.ymd(6, 30),
        3 => calendar.ymd(9, 30),
        _ => calendar.ymd(12, 31),
    }
}

fn write_funding(
    plan: &PlanContext<'_>,
    total_budget: i64,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) {
    // The three sources share the activities' budget exactly.
    let state_share = rng.range(500, 700);
    let partner_share = rng.range(150, 950 - state_share);
    let state = round_to(per_mille(total_budget, state_share), 1000).min(total_budget);
    let partner = round_to(per_mille(total_budget, partner_share), 1000).min(total_budget - state);
    let own = total_budget - state - partner;
    let elapsed = plan.calendar.elapsed_per_mille();
    let lines = [
        ("Budget national", FundingSourceKind::State, state),
        (rng.word(PARTNERS), FundingSourceKind::Partner, partner),
        ("Ressources propres", FundingSourceKind::Own, own),
    ];
    for (position, (source, kind, planned)) in lines.into_iter().enumerate() {
        let mobilised = round_to(
            per_mille(per_mille(planned, elapsed), rng.range(600, 1000)),
            1000,
        );
        batch
            .row(Table::FundingLines)
            .int(ids.take(Table::FundingLines))
            .int(plan.plan_id)
            .int(position as i64)
            .text(source)
            .text(kind.as_str())
            .int(planned)
            .int(mobilised)
            .end();
    }
}
