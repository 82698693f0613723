//! The board sessions of `generate`: two ordinary sessions per agency-year,
//! with resolutions for those already held.

use anyhow::Context as _;
use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::plans::PlanContext;
use super::rng::Rng;
use super::words::{RESOLUTIONS, UNITS};
use super::writer::{Batch, Ids, Table};
use crate::domain::{ResolutionStatus, SessionKind, SessionStatus};

/// Two ordinary sessions a year: a mid-year review in late June and the
/// year-end session in December that reviews the year and adopts the next plan.
pub(super) fn write_sessions(
    plan: &PlanContext<'_>,
    session_number: &mut i64,
    rng: &mut Rng,
    ids: &mut Ids,
    batch: &mut Batch,
) -> anyhow::Result<()> {
    let calendar = plan.calendar;
    for (month, first_day, adopted) in [(6, 20, None), (12, 15, plan.next_plan_id)] {
        *session_number += 1;
        let day = first_day + rng.below(9) as u32;
        let held_on = weekday_on_or_before(calendar.ymd(month, day)?);
        // As in the ANASER example (held 26 December, figures at 30 November):
        // the figures stop at the end of the previous month.
        let cutoff = calendar
            .ymd(month, 1)?
            .pred_opt()
            .context("invalid cutoff date")?;
        let held = held_on <= calendar.today;
        let status = if held {
            SessionStatus::Held
        } else {
            SessionStatus::Planned
        };
        let session_id = ids.take(Table::BoardSessions);
        let chair = if rng.chance(700) {
            format!("Ministre de tutelle ({})", plan.ministry_name)
        } else {
            "Président du Conseil d'administration".to_owned()
        };
        batch
            .row(Table::BoardSessions)
            .int(session_id)
            .int(plan.agency_id)
            .int(*session_number)
            .text(SessionKind::Ordinary.as_str())
            .date(held_on)
            .date(cutoff)
            .text("Salle de conférence du siège, Bamako")
            .text(&chair)
            .int(plan.plan_id)
            .opt_int(adopted)
            .text(status.as_str())
            .bool(true)
            .end();
        if !held {
            // A board decides nothing before it meets.
            continue;
        }
        let count = rng.range(2, 3) as usize;
        for (position, text) in rng
            .distinct(RESOLUTIONS.len(), count)
            .into_iter()
            .enumerate()
        {
            let due_on = held_on + Days::new(60 + rng.below(120));
            let status = if due_on <= calendar.today {
                match rng.below(20) {
                    0..=13 => ResolutionStatus::Done,
                    14..=16 => ResolutionStatus::InProgress,
                    17 => ResolutionStatus::Dropped,
                    _ => ResolutionStatus::Pending,
                }
            } else if rng.chance(500) {
                ResolutionStatus::InProgress
            } else {
                ResolutionStatus::Pending
            };
            batch
                .row(Table::Resolutions)
                .int(ids.take(Table::Resolutions))
                .int(session_id)
                .int(position as i64)
                .text(RESOLUTIONS[text])
                .text(rng.word(UNITS))
                .date(due_on)
                .text(status.as_str())
                .end();
        }
    }
    Ok(())
}

/// Boards meet on working days: a weekend date moves back to the Friday.
fn weekday_on_or_before(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Days::new(1),
        Weekday::Sun => date - Days::new(2),
        _ => date,
    }
}
