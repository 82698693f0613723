//! Small domain types validated at the edge: once a value is one of these, the rest
//! of the code can trust it. Parsing accepts what people type in French offices
//! (a decimal comma, spaces between thousands); errors name what was wrong as a
//! message-catalog key so that the web layer can say it in the user's language.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Why a typed value was refused; `key()` is a message-catalog key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty value")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("negative value")]
    Negative,
    #[error("too many decimals")]
    TooManyDecimals,
    #[error("value too large")]
    TooLarge,
    #[error("unknown value")]
    Unknown,
}

impl ParseError {
    pub fn key(self) -> &'static str {
        match self {
            ParseError::Empty => "error.value.empty",
            ParseError::NotANumber => "error.value.not_a_number",
            ParseError::Negative => "error.value.negative",
            ParseError::TooManyDecimals => "error.value.too_many_decimals",
            ParseError::TooLarge => "error.value.too_large",
            ParseError::Unknown => "error.value.unknown",
        }
    }
}

/// Declares a closed set of values stored as lowercase text in the database
/// (guarded there by a CHECK constraint) with their catalog keys.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The message-catalog key of this value's label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $text)),+ }
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    "" => Err(ParseError::Empty),
                    _ => Err(ParseError::Unknown),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, ParseError> { s.parse() }
        }

        // Stored as TEXT; the CHECK constraint and `parse` agree on the values.
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(text.parse()?)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}

text_enum!(
    /// Where an activity stands; its state at a date is its latest update on or
    /// before that date, and `NotStarted` when there is none.
    Status, "status" {
        NotStarted => "not_started",
        InProgress => "in_progress",
        Done => "done",
        Postponed => "postponed",
        Abandoned => "abandoned",
    }
);

text_enum!(
    /// A one-year programme (PAP) or a strategy spanning several years.
    PlanKind, "plan_kind" {
        Annual => "annual",
        Multiyear => "multiyear",
    }
);

text_enum!(
    PlanStatus, "plan_status" {
        Draft => "draft",
        Adopted => "adopted",
        InProgress => "in_progress",
        Closed => "closed",
    }
);

text_enum!(
    SessionKind, "session_kind" {
        Ordinary => "ordinary",
        Extraordinary => "extraordinary",
    }
);

text_enum!(
    SessionStatus, "session_status" {
        Planned => "planned",
        Held => "held",
    }
);

text_enum!(
    ResolutionStatus, "resolution_status" {
        Pending => "pending",
        InProgress => "in_progress",
        Done => "done",
        Dropped => "dropped",
    }
);

text_enum!(
    /// Whether an indicator improves when it goes up or when it goes down
    /// ("réduire le nombre de tués").
    Direction, "direction" {
        Increase => "increase",
        Decrease => "decrease",
    }
);

text_enum!(
    FundingSourceKind, "funding_kind" {
        State => "state",
        Partner => "partner",
        Own => "own",
    }
);

text_enum!(
    /// What a user may do in one agency: enter progress and edit its plans
    /// (editor), read it including board sessions (board), read it (viewer),
    /// or validate what its staff enter (validator: the M&E unit, for the
    /// agency and the agencies below it).
    Role, "role" {
        Editor => "editor",
        Board => "board",
        Viewer => "viewer",
        Validator => "validator",
    }
);

text_enum!(
    /// Where a progress update stands with the M&E unit: it needed no review
    /// (none), waits for one (submitted), or was validated or rejected. Only
    /// none and validated updates count in the figures.
    Review, "review" {
        NotNeeded => "none",
        Submitted => "submitted",
        Validated => "validated",
        Rejected => "rejected",
    }
);

impl Review {
    /// Whether the figures count an update in this state.
    pub fn counted(self) -> bool {
        matches!(self, Review::NotNeeded | Review::Validated)
    }
}

/// An amount of money in FCFA (XOF), which has no subunit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Fcfa(pub i64);

impl Fcfa {
    /// A million billion FCFA, far above any State budget (Mali's is about
    /// 2 000 billion): larger is a typing mistake, and sums of many amounts
    /// below it stay exact in the 128-bit totals.
    pub const MAX: Fcfa = Fcfa(1_000_000_000_000_000);

    /// Accepts `12500000`, `12 500 000` (with ordinary, no-break or narrow
    /// no-break spaces), `12.500.000` and an optional `FCFA` suffix; refuses
    /// negatives and decimals other than zeros (`12 500 000,00`).
    pub fn parse(input: &str) -> Result<Fcfa, ParseError> {
        let trimmed = input.trim();
        let trimmed = trimmed
            .strip_suffix("FCFA")
            .or_else(|| trimmed.strip_suffix("fcfa"))
            .or_else(|| trimmed.strip_suffix("XOF"))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.is_empty() {
            return Err(ParseError::Empty);
        }
        // "12 500 000,00" is a whole amount written with its (zero) decimals.
        let whole = match trimmed.rsplit_once(',') {
            Some((whole, decimals))
                if !decimals.is_empty() && decimals.chars().all(|c| c == '0') =>
            {
                whole
            }
            Some(_) => return Err(ParseError::TooManyDecimals),
            None => trimmed,
        };
        if whole.trim_start().starts_with('-') {
            return Err(ParseError::Negative);
        }
        let digits: String = whole
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '.' | '\''))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::NotANumber);
        }
        digits
            .parse::<i64>()
            .ok()
            .filter(|amount| *amount <= Fcfa::MAX.0)
            .map(Fcfa)
            .ok_or(ParseError::TooLarge)
    }
}

/// The years a date may have. PostgreSQL stores 4713 BC to 294276 AD and
/// chrono reads signed years of any length, so a bound is needed anyway; a
/// plan, an update or a filter outside these years is a typing mistake.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The years a plan may cover (the CHECK on `plans.start_year`), and so the
/// years one may ask figures and reports for, or give an indicator's
/// baseline and target in. Narrower than [`DATE_YEARS`]: no plan of the
/// programmes Suivi follows goes back before independence.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 1960..=2200;

/// A year as typed (in a form, a URL, a file or on the command line) within
/// [`PLAN_YEARS`].
pub fn parse_plan_year(text: &str) -> Option<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|year| PLAN_YEARS.contains(year))
}

/// A `YYYY-MM-DD` date (what `<input type="date">` sends) within [`DATE_YEARS`].
pub fn parse_iso_date(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(is_usable_date)
}

/// Whether a date read from anywhere (a form, a file) falls in [`DATE_YEARS`].
pub fn is_usable_date(date: &chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    DATE_YEARS.contains(&date.year())
}

/// The largest number of decimals a quantity keeps (the columns are NUMERIC(18, 3)).
pub const QUANTITY_SCALE: u32 = 3;

/// Parses a non-negative quantity as typed in French or English: `12,5` and
/// `12.5` are both 12.5, and spaces between thousands are ignored.
pub fn parse_quantity(input: &str) -> Result<Decimal, ParseError> {
    let value = parse_signed_quantity(input)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(ParseError::Negative);
    }
    Ok(value)
}

/// Like [`parse_quantity`] but keeps negative values: the parsing both share.
/// No form takes a negative quantity today (indicator values are levels,
/// entered with [`parse_quantity`]), though the schema would store a
/// negative indicator value.
pub fn parse_signed_quantity(input: &str) -> Result<Decimal, ParseError> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err(ParseError::Empty);
    }
    if !cleaned
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')))
    {
        return Err(ParseError::NotANumber);
    }
    let value = Decimal::from_str(&cleaned).map_err(|_| ParseError::NotANumber)?;
    if value.normalize().scale() > QUANTITY_SCALE {
        return Err(ParseError::TooManyDecimals);
    }
    if value.abs() >= Decimal::from(1_000_000_000_000_000i64) {
        return Err(ParseError::TooLarge);
    }
    Ok(value.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_text() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(*status));
        }
        assert_eq!("finished".parse::<Status>(), Err(ParseError::Unknown));
        assert_eq!(" ".parse::<Status>(), Err(ParseError::Empty));
    }

    #[test]
    fn fcfa_accepts_french_grouping() {
        assert_eq!(Fcfa::parse("12 500 000"), Ok(Fcfa(12_500_000)));
        assert_eq!(
            Fcfa::parse("12\u{202f}500\u{202f}000 FCFA"),
            Ok(Fcfa(12_500_000))
        );
        assert_eq!(Fcfa::parse("12.500.000"), Ok(Fcfa(12_500_000)));
        assert_eq!(Fcfa::parse("1 000,00"), Ok(Fcfa(1_000)));
        assert_eq!(Fcfa::parse("0"), Ok(Fcfa(0)));
    }

    #[test]
    fn fcfa_refuses_bad_input() {
        assert_eq!(Fcfa::parse(""), Err(ParseError::Empty));
        assert_eq!(Fcfa::parse("-5"), Err(ParseError::Negative));
        assert_eq!(Fcfa::parse("12,5"), Err(ParseError::TooManyDecimals));
        assert_eq!(Fcfa::parse("douze"), Err(ParseError::NotANumber));
        assert_eq!(
            Fcfa::parse("99999999999999999999"),
            Err(ParseError::TooLarge)
        );
        // Fits an i64, but no budget is that large: it would wrap a total.
        assert_eq!(
            Fcfa::parse("9 223 372 036 854 775 807"),
            Err(ParseError::TooLarge)
        );
        assert_eq!(Fcfa::parse("1 000 000 000 000 000"), Ok(Fcfa::MAX));
        assert_eq!(
            Fcfa::parse("1 000 000 000 000 001"),
            Err(ParseError::TooLarge)
        );
    }

    #[test]
    fn dates_stay_within_years_postgres_and_people_use() {
        assert_eq!(
            parse_iso_date(" 2025-11-30 "),
            chrono::NaiveDate::from_ymd_opt(2025, 11, 30)
        );
        for text in [
            "-5000-01-01",
            "99999-01-01",
            "294277-01-01",
            "1899-12-31",
            "2201-01-01",
            "2025-02-30",
            "30/11/2025",
            "",
        ] {
            assert_eq!(parse_iso_date(text), None, "{text}");
        }
        assert!(parse_iso_date("1900-01-01").is_some());
        assert!(parse_iso_date("2200-12-31").is_some());
    }

    #[test]
    fn quantity_accepts_decimal_comma() {
        assert_eq!(parse_quantity("12,5"), Ok(Decimal::new(125, 1)));
        assert_eq!(parse_quantity("12.5"), Ok(Decimal::new(125, 1)));
        assert_eq!(parse_quantity("1 200"), Ok(Decimal::from(1200)));
        assert_eq!(parse_quantity("0"), Ok(Decimal::ZERO));
    }

    #[test]
    fn quantity_refuses_bad_input() {
        assert_eq!(parse_quantity("-1"), Err(ParseError::Negative));
        assert_eq!(parse_quantity("abc"), Err(ParseError::NotANumber));
        assert_eq!(parse_quantity("1,2,3"), Err(ParseError::NotANumber));
        assert_eq!(parse_quantity("1,2345"), Err(ParseError::TooManyDecimals));
        assert_eq!(parse_quantity(""), Err(ParseError::Empty));
        assert_eq!(parse_signed_quantity("-2,5"), Ok(Decimal::new(-25, 1)));
    }
}
