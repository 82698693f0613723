//! An activity's schedule (chronogramme): the periods it is planned in,
//! quarters of a year or whole years, each with an optional target quantity
//! or cost, as agencies write them in their PTA ("T1 T3", "2022 2023").
//! Pure: the store keeps it dated (`store::schedules`), [`late_from`] says
//! from when an activity not done is late by it, pages show its label.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// One planned period: a quarter (1 to 4) of `year`, or the whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PlannedPeriod {
    pub year: i32,
    pub quarter: Option<u8>,
    /// The quantity planned for the period, whole.
    pub target: Option<i64>,
    /// The cost planned for the period, in the plan's currency.
    pub cost: Option<i64>,
}

impl PlannedPeriod {
    /// Its last day: a quarter's or the year's.
    pub fn ends_on(&self) -> Option<NaiveDate> {
        match self.quarter {
            Some(q @ 1..=4) => {
                let (year, month) = if q == 4 {
                    (self.year + 1, 1)
                } else {
                    (self.year, u32::from(q) * 3 + 1)
                };
                NaiveDate::from_ymd_opt(year, month, 1)?.pred_opt()
            }
            Some(_) => None,
            None => NaiveDate::from_ymd_opt(self.year, 12, 31),
        }
    }

    /// "T3" / "Q3" for a quarter, the year for a year.
    pub fn label(&self, lang: Lang) -> String {
        match self.quarter {
            Some(q) => format!("{}{q}", lang.t("schedule.quarter_letter")),
            None => self.year.to_string(),
        }
    }
}

/// The periods in order, each once (a file may repeat one): what is stored.
pub fn normalized(mut periods: Vec<PlannedPeriod>) -> Vec<PlannedPeriod> {
    periods.sort_by_key(|p| (p.year, p.quarter.unwrap_or(0)));
    periods.dedup_by_key(|p| (p.year, p.quarter));
    periods
}

/// The end of the first period: once it is past, an activity not done is
/// late.
pub fn first_end(periods: &[PlannedPeriod]) -> Option<NaiveDate> {
    periods.iter().filter_map(PlannedPeriod::ends_on).min()
}

/// The day after which an activity not done is late by its schedule: with
/// targets per period, the end of the first period by which the targets
/// planned so far (summed in order) exceed what was `achieved`; without
/// any target, the end of its first period. `None`: never late by it. The
/// same rule as the SQL function `schedule_late_from` (migration
/// 20261202000930), which counts the figures kept per plan.
pub fn late_from(periods: &[PlannedPeriod], achieved: Option<Decimal>) -> Option<NaiveDate> {
    if periods.iter().all(|p| p.target.is_none()) {
        return first_end(periods);
    }
    let achieved = achieved.unwrap_or_default();
    let mut ended: Vec<(NaiveDate, i64)> = periods
        .iter()
        .filter_map(|p| Some((p.ends_on()?, p.target.unwrap_or(0))))
        .collect();
    ended.sort_by_key(|(end, _)| *end);
    let mut planned = Decimal::ZERO;
    ended.into_iter().find_map(|(end, target)| {
        planned += Decimal::from(target);
        (planned > achieved).then_some(end)
    })
}

/// The rule by which a scheduled activity is late. A seal keeps the rule
/// its figures were counted by (`dashboard::SessionFigures::late_rule`), so
/// that a session sealed before per-period targets counted reads as its
/// board saw it, and `verify` recomputes it by the same rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateRule {
    /// Late once its first planned period has ended, whatever was planned
    /// per period: the rule of the seals made before per-period targets.
    FirstPeriod,
    /// [`late_from`]: by the targets planned per period, where there are.
    #[default]
    PeriodTargets,
}

impl LateRule {
    /// What a seal that names no rule was counted by.
    pub fn of_older_seals() -> LateRule {
        LateRule::FirstPeriod
    }

    /// The day after which an activity with these periods, and `achieved`
    /// so far, is late by this rule.
    pub fn late_from(
        self,
        periods: &[PlannedPeriod],
        achieved: Option<Decimal>,
    ) -> Option<NaiveDate> {
        match self {
            LateRule::FirstPeriod => first_end(periods),
            LateRule::PeriodTargets => late_from(periods, achieved),
        }
    }
}

/// The compact label the plan page and the grid show: "T1 T3", "2022 2024".
pub fn label(periods: &[PlannedPeriod], lang: Lang) -> String {
    periods
        .iter()
        .map(|p| p.label(lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The schedule as Suivi's plan file writes it in its "Chronogramme"
/// column: `T1 T3` for the quarters of a one-year plan, `2023 2024` for
/// whole years, `2023-T2` for a quarter of a plan of several years. The
/// quantities per period are not written: [`keeping_quantities`] keeps them
/// when the file comes back.
pub fn file_text(periods: &[PlannedPeriod], years: (i32, i32)) -> String {
    periods
        .iter()
        .map(|p| match p.quarter {
            Some(q) if years.0 == years.1 && p.year == years.0 => format!("T{q}"),
            Some(q) => format!("{}-T{q}", p.year),
            None => p.year.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads [`file_text`] back, within the plan's `years`: `T1`–`T4` (or
/// `Q1`–`Q4`) for a one-year plan, a year, or `2024-T2`, separated by
/// spaces, commas or semicolons; an empty text is no schedule. The first
/// word that is none of these is the error.
pub fn parse_file_text(text: &str, years: (i32, i32)) -> Result<Vec<PlannedPeriod>, String> {
    let quarter = |word: &str| -> Option<u8> {
        let digit = word.strip_prefix(['T', 't', 'Q', 'q'])?;
        digit.parse().ok().filter(|q| (1..=4).contains(q))
    };
    let in_plan = |year: i32| (years.0..=years.1).contains(&year);
    let period = |word: &str| -> Option<PlannedPeriod> {
        let (year, quarter) = match word.split_once('-') {
            Some((year, q)) => (
                year.parse().ok().filter(|y| in_plan(*y))?,
                Some(quarter(q)?),
            ),
            None => match quarter(word) {
                Some(q) if years.0 == years.1 => (years.0, Some(q)),
                Some(_) => return None,
                None => (word.parse().ok().filter(|y| in_plan(*y))?, None),
            },
        };
        Some(PlannedPeriod {
            year,
            quarter,
            target: None,
            cost: None,
        })
    };
    let periods = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|word| !word.is_empty())
        .map(|word| period(word).ok_or_else(|| word.to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(normalized(periods))
}

/// The periods a file names, each with the quantity and cost the activity
/// has for it already when the file gives none (Suivi's plan file writes
/// the periods only; an agency's file may leave a period's cell at `x`).
pub fn keeping_quantities(
    periods: &[PlannedPeriod],
    known: &[PlannedPeriod],
) -> Vec<PlannedPeriod> {
    periods
        .iter()
        .map(|p| {
            let same = known
                .iter()
                .find(|k| (k.year, k.quarter) == (p.year, p.quarter));
            PlannedPeriod {
                target: p.target.or(same.and_then(|k| k.target)),
                cost: p.cost.or(same.and_then(|k| k.cost)),
                ..*p
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarter(year: i32, q: u8) -> PlannedPeriod {
        PlannedPeriod {
            year,
            quarter: Some(q),
            target: None,
            cost: None,
        }
    }

    #[test]
    fn a_quarter_ends_on_its_last_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(quarter(2025, 1).ends_on(), Some(day(2025, 3, 31)));
        assert_eq!(quarter(2025, 2).ends_on(), Some(day(2025, 6, 30)));
        assert_eq!(quarter(2025, 4).ends_on(), Some(day(2025, 12, 31)));
        assert_eq!(quarter(2025, 5).ends_on(), None);
        let year = PlannedPeriod {
            quarter: None,
            ..quarter(2023, 1)
        };
        assert_eq!(year.ends_on(), Some(day(2023, 12, 31)));
    }

    #[test]
    fn with_targets_late_comes_when_the_achieved_falls_behind_the_plan() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let with = |q, target| PlannedPeriod {
            target,
            ..quarter(2025, q)
        };
        // 10 in T1, 20 more in T3: 15 achieved keeps up until the end of T3.
        let periods = [with(1, Some(10)), with(2, None), with(3, Some(20))];
        assert_eq!(
            late_from(&periods, Some(Decimal::from(15))),
            day(2025, 9, 30)
        );
        assert_eq!(
            late_from(&periods, Some(Decimal::from(5))),
            day(2025, 3, 31)
        );
        assert_eq!(late_from(&periods, None), day(2025, 3, 31));
        assert_eq!(late_from(&periods, Some(Decimal::from(30))), None);
        // Without targets: its first period's end, whatever was achieved.
        let plain = [quarter(2025, 2), quarter(2025, 4)];
        assert_eq!(late_from(&plain, Some(Decimal::from(99))), day(2025, 6, 30));
        assert_eq!(late_from(&[], None), None);
    }

    #[test]
    fn the_plan_file_writes_and_reads_quarters_and_years() {
        let periods = [quarter(2025, 1), quarter(2025, 3)];
        assert_eq!(file_text(&periods, (2025, 2025)), "T1 T3");
        assert_eq!(
            parse_file_text("T1 T3", (2025, 2025)).as_deref(),
            Ok(&periods[..])
        );
        assert_eq!(
            parse_file_text("t3, Q1", (2025, 2025)).as_deref(),
            Ok(&periods[..])
        );
        assert_eq!(parse_file_text("", (2025, 2025)), Ok(vec![]));
        let years = [
            PlannedPeriod {
                quarter: None,
                ..quarter(2023, 1)
            },
            quarter(2024, 2),
        ];
        assert_eq!(file_text(&years, (2022, 2024)), "2023 2024-T2");
        assert_eq!(
            parse_file_text("2024-T2 2023", (2022, 2024)).as_deref(),
            Ok(&years[..])
        );
        // A quarter of a plan of several years needs its year; a year
        // outside the plan, or another word, is refused.
        assert_eq!(parse_file_text("T1", (2022, 2024)), Err("T1".into()));
        assert_eq!(parse_file_text("2021", (2022, 2024)), Err("2021".into()));
        assert_eq!(parse_file_text("T1 T5", (2025, 2025)), Err("T5".into()));
        assert_eq!(parse_file_text("x", (2025, 2025)), Err("x".into()));
    }

    #[test]
    fn quantities_are_kept_for_the_periods_that_stay() {
        let known = [
            PlannedPeriod {
                target: Some(10),
                cost: Some(500),
                ..quarter(2025, 1)
            },
            PlannedPeriod {
                target: Some(20),
                ..quarter(2025, 2)
            },
        ];
        let file = [
            quarter(2025, 1),
            PlannedPeriod {
                target: Some(5),
                ..quarter(2025, 2)
            },
            quarter(2025, 4),
        ];
        assert_eq!(
            keeping_quantities(&file, &known),
            [known[0], file[1], file[2]]
        );
    }

    #[test]
    fn periods_are_kept_in_order_once_and_labelled_per_language() {
        let periods = normalized(vec![quarter(2025, 3), quarter(2025, 1), quarter(2025, 3)]);
        assert_eq!(periods, [quarter(2025, 1), quarter(2025, 3)]);
        assert_eq!(label(&periods, Lang::Fr), "T1 T3");
        assert_eq!(label(&periods, Lang::En), "Q1 Q3");
        assert_eq!(first_end(&periods), NaiveDate::from_ymd_opt(2025, 3, 31));
        assert_eq!(first_end(&[]), None);
    }
}
