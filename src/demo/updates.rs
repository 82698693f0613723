//! From the demo's tables to the progress updates a focal point would have
//! entered: interim reports, then the final state, amounts spent cumulative.

use anyhow::Context;
use chrono::{Days, NaiveDate};

use super::{ActivitySpec, Course, Ymd};
use crate::domain::Status;

/// A progress update to record.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UpdateRow {
    pub(super) as_of: NaiveDate,
    pub(super) status: Status,
    pub(super) achieved: Option<i64>,
    pub(super) spent: i64,
    pub(super) comment: Option<&'static str>,
}

pub(super) fn date((y, m, d): Ymd) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("bad demo date {y}-{m}-{d}"))
}

/// `days` after `from` (non-negative by construction).
pub(super) fn after(from: NaiveDate, days: i64) -> NaiveDate {
    from + Days::new(u64::try_from(days).unwrap_or(0))
}

/// A number in `0..n` that depends only on the activity code (FNV-1a): variety
/// in the amounts spent without randomness, so every load gives the same rows.
fn spread(code: &str, n: i64) -> i64 {
    let hash = code.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // n is a small positive constant: the remainder fits in i64.
    i64::try_from(hash % n.unsigned_abs()).unwrap_or(0)
}

const ABOVE_TARGET: &str = "Cible dépassée.";
const BELOW_TARGET: &str = "Réalisée en deçà de la cible ; le reliquat est reporté.";

/// The updates a focal point would have entered for the activity, oldest first:
/// an interim "in progress" (two for long activities) before the final state.
/// Amounts spent are cumulative and never exceed the budget.
pub(super) fn updates_of(spec: &ActivitySpec) -> anyhow::Result<Vec<UpdateRow>> {
    let start = date(spec.planned.0)?;
    let budget = spec.budget;
    let row = |as_of, status, achieved, spent, comment| UpdateRow {
        as_of,
        status,
        achieved,
        spent,
        comment,
    };
    let mut rows = Vec::new();
    match spec.course {
        Course::Done(on, achieved) => {
            let done = date(on)?;
            let spent = budget * (85 + spread(spec.code, 16)) / 100;
            let days = (done - start).num_days();
            // Interim reports at a third and two thirds of a long activity,
            // half way through a shorter one.
            let parts = match days {
                150.. => 3,
                30.. => 2,
                _ => 1,
            };
            for k in 1..parts {
                rows.push(row(
                    after(start, days * k / parts),
                    Status::InProgress,
                    Some(achieved.min(spec.target) * k / parts),
                    spent * k / parts,
                    None,
                ));
            }
            let comment = match achieved.cmp(&spec.target) {
                std::cmp::Ordering::Greater => Some(ABOVE_TARGET),
                std::cmp::Ordering::Less => Some(BELOW_TARGET),
                std::cmp::Ordering::Equal => None,
            };
            rows.push(row(done, Status::Done, Some(achieved), spent, comment));
        }
        Course::InProgress(since, achieved) => {
            let as_of = date(since)?;
            let spent = budget * (30 + spread(spec.code, 31)) / 100;
            let days = (as_of - start).num_days();
            if days >= 60 {
                rows.push(row(
                    after(start, days / 2),
                    Status::InProgress,
                    Some(achieved / 2),
                    spent / 2,
                    None,
                ));
            }
            rows.push(row(as_of, Status::InProgress, Some(achieved), spent, None));
        }
        Course::NotStarted => {}
        Course::Waiting(on, reason) => {
            rows.push(row(date(on)?, Status::NotStarted, None, 0, Some(reason)));
        }
        Course::Postponed(on, reason) => {
            let postponed = date(on)?;
            let days = (postponed - start).num_days();
            // Preparatory spending before the activity was put off.
            let spent = if days >= 30 { budget / 20 } else { 0 };
            if days >= 30 {
                rows.push(row(
                    after(start, days / 2),
                    Status::InProgress,
                    Some(0),
                    spent,
                    None,
                ));
            }
            rows.push(row(
                postponed,
                Status::Postponed,
                Some(0),
                spent,
                Some(reason),
            ));
        }
        Course::Abandoned(on, reason) => {
            rows.push(row(date(on)?, Status::Abandoned, None, 0, Some(reason)));
        }
    }
    Ok(rows)
}
