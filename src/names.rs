//! How people name things outside the pages, in the API's paths and on the
//! command line: by id, or by the codes they know. A plan is `AGENCY:CODE`
//! (`ANASER:PAP-2025`: plan codes are unique within their agency only), an
//! activity or an indicator `AGENCY:PLAN:CODE` (`ANASER:PAP-2025:A1.01`:
//! unique within their plan), a board session `AGENCY:NUMBER` for an ordinary
//! one (`ANASER:30`, as the board says "the 30th session") or
//! `AGENCY:KIND:NUMBER`. Parsing only: the store finds the row.

/// A plan's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanName<'a> {
    Id(i64),
    Codes { agency: &'a str, plan: &'a str },
}

/// An activity's or an indicator's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemName<'a> {
    Id(i64),
    Codes {
        agency: &'a str,
        plan: &'a str,
        code: &'a str,
    },
}

/// A board session's name; `kind` is `ordinary` or `extraordinary`, as the
/// store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionName<'a> {
    Id(i64),
    Number {
        agency: &'a str,
        kind: &'static str,
        number: i32,
    },
}

/// A positive id; anything else names nothing by id.
pub fn id_of(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

/// A part of a name: not empty.
fn part(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

impl<'a> PlanName<'a> {
    /// `None` when the text is neither an id nor `AGENCY:CODE`.
    pub fn parse(text: &'a str) -> Option<PlanName<'a>> {
        if let Some(id) = id_of(text) {
            return Some(PlanName::Id(id));
        }
        let (agency, plan) = text.split_once(':')?;
        Some(PlanName::Codes {
            agency: part(agency)?,
            plan: part(plan)?,
        })
    }
}

impl<'a> ItemName<'a> {
    /// `None` when the text is neither an id nor `AGENCY:PLAN:CODE` (an
    /// item's code may itself hold a colon: the first two split).
    pub fn parse(text: &'a str) -> Option<ItemName<'a>> {
        if let Some(id) = id_of(text) {
            return Some(ItemName::Id(id));
        }
        let mut codes = text.splitn(3, ':');
        match (codes.next(), codes.next(), codes.next()) {
            (Some(agency), Some(plan), Some(code)) => Some(ItemName::Codes {
                agency: part(agency)?,
                plan: part(plan)?,
                code: part(code)?,
            }),
            _ => None,
        }
    }
}

impl<'a> SessionName<'a> {
    /// `None` when the text is neither an id, `AGENCY:NUMBER` nor
    /// `AGENCY:ordinary|extraordinary:NUMBER` with a positive number.
    pub fn parse(text: &'a str) -> Option<SessionName<'a>> {
        if let Some(id) = id_of(text) {
            return Some(SessionName::Id(id));
        }
        let parts: Vec<&str> = text.split(':').collect();
        let (agency, kind, number) = match parts.as_slice() {
            [agency, number] => (*agency, "ordinary", *number),
            [agency, "ordinary", number] => (*agency, "ordinary", *number),
            [agency, "extraordinary", number] => (*agency, "extraordinary", *number),
            _ => return None,
        };
        Some(SessionName::Number {
            agency: part(agency)?,
            kind,
            number: number.parse::<i32>().ok().filter(|n| *n > 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_by_id_or_agency_and_code() {
        assert_eq!(PlanName::parse("12"), Some(PlanName::Id(12)));
        assert_eq!(
            PlanName::parse("ANASER:PAP-2025"),
            Some(PlanName::Codes {
                agency: "ANASER",
                plan: "PAP-2025"
            })
        );
        for bad in ["PAP-2025", "0", "-3", ":PAP-2025", "ANASER:", ""] {
            assert_eq!(PlanName::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn items_by_id_or_three_codes() {
        assert_eq!(ItemName::parse("7"), Some(ItemName::Id(7)));
        assert_eq!(
            ItemName::parse("ANASER:PAP-2025:IND:1"),
            Some(ItemName::Codes {
                agency: "ANASER",
                plan: "PAP-2025",
                code: "IND:1"
            })
        );
        for bad in ["A1.01", "ANASER:A1.01", "ANASER:PAP-2025:", "::A1.01"] {
            assert_eq!(ItemName::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sessions_by_id_or_number() {
        assert_eq!(SessionName::parse("5"), Some(SessionName::Id(5)));
        let thirtieth = Some(SessionName::Number {
            agency: "ANASER",
            kind: "ordinary",
            number: 30,
        });
        assert_eq!(SessionName::parse("ANASER:30"), thirtieth);
        assert_eq!(SessionName::parse("ANASER:ordinary:30"), thirtieth);
        assert_eq!(
            SessionName::parse("ANASER:extraordinary:2"),
            Some(SessionName::Number {
                agency: "ANASER",
                kind: "extraordinary",
                number: 2
            })
        );
        for bad in [
            "ANASER",
            "ANASER:0",
            "ANASER:trentième",
            "ANASER:special:3",
            ":30",
        ] {
            assert_eq!(SessionName::parse(bad), None, "{bad}");
        }
    }
}
