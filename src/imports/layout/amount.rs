//! Amounts, quantities, rates and dates as agencies type them: `12 500 000`,
//! `7 500 000 FCFA`, `$250,000`, `12.500.000`, a formula's cached value,
//! `PM` (pour mémoire: planned, not costed), `-`; `100 %`, `0,5`, `75%`;
//! `30/11/2025` or a date cell. Pure parsing, exact: amounts are whole
//! units of their currency, rates are decimals.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::folding::fold;

/// The currency of a plan's amounts: FCFA unless the file says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Currency {
    #[default]
    #[serde(rename = "XOF")]
    Xof,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// As shown after an amount.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Xof => "FCFA",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
        }
    }

    /// The currency a header or a cell names: `Coût (FCFA)`, `Budget (USD)`,
    /// `$250,000`, `7 500 000 F CFA`.
    pub fn named_in(text: &str) -> Option<Currency> {
        let t = fold(text);
        let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).collect();
        let word = |w: &[&str]| words.iter().any(|x| w.contains(x));
        if word(&["usd", "us", "dollars", "dollar"]) || t.contains('$') {
            Some(Currency::Usd)
        } else if word(&["eur", "euro", "euros"]) || t.contains('€') {
            Some(Currency::Eur)
        } else if word(&["fcfa", "xof", "cfa"]) {
            Some(Currency::Xof)
        } else {
            None
        }
    }
}

/// What an amount cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Nothing, `-` or `—`.
    Empty,
    /// `PM`: planned, for the record, not costed.
    Pm,
    /// Whole units of the currency.
    Whole(i64),
}

/// Above any budget (Suivi's own limit for FCFA).
const MAX: i64 = 1_000_000_000_000_000;

/// Reads an amount; `Err` with the catalog key of the problem.
pub fn amount(text: &str) -> Result<Amount, &'static str> {
    let folded = fold(text);
    let mut t = folded.as_str();
    if t.chars().all(|c| matches!(c, '-' | '—' | '–')) {
        return Ok(Amount::Empty);
    }
    if t == "pm" || t == "p.m." || t == "p.m" || t == "pour memoire" {
        return Ok(Amount::Pm);
    }
    for token in [
        "f cfa",
        "fcfa",
        "xof",
        "usd",
        "us$",
        "$",
        "eur",
        "€",
        "francs cfa",
        "f",
    ] {
        t = t.trim_start_matches(token).trim_end_matches(token).trim();
    }
    let digits: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .collect();
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err("error.value.not_a_number");
    }
    let whole_part = split_decimals(&digits).ok_or("error.value.not_a_number")?;
    let value: i64 = whole_part.parse().map_err(|_| "error.value.too_large")?;
    if value > MAX {
        return Err("error.value.too_large");
    }
    Ok(Amount::Whole(value))
}

/// The whole part of a number written with `.` or `,` as thousands or
/// decimal separators; `None` when its decimals are not zeros (an amount is
/// whole units) or the groups make no sense.
fn split_decimals(digits: &str) -> Option<String> {
    let last_dot = digits.rfind('.');
    let last_comma = digits.rfind(',');
    // The decimal separator: the later one when both appear; a lone one
    // followed by exactly three digits (and repeated or not) is grouping.
    let decimal = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(p), None) | (None, Some(p)) => {
            let separator = digits.as_bytes()[p] as char;
            let groups: Vec<&str> = digits.split(separator).collect();
            let grouping = groups.len() > 2
                || groups.last().is_some_and(|g| g.len() == 3) && !groups[0].is_empty();
            (!grouping).then_some(p)
        }
        (None, None) => None,
    };
    let (whole, fraction) = match decimal {
        Some(p) => (&digits[..p], &digits[p + 1..]),
        None => (digits, ""),
    };
    if !fraction.chars().all(|c| c == '0') || fraction.contains(['.', ',']) {
        return None;
    }
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    (!whole.is_empty()).then_some(whole)
}

/// A quantity: `12`, `12,5`, `1 500`.
pub fn quantity(text: &str) -> Option<Decimal> {
    crate::domain::parse_quantity(text).ok()
}

/// A target as written: a number, or a number and its unit (`20 sessions`).
pub fn quantity_and_unit(text: &str) -> Option<(Decimal, Option<String>)> {
    if let Some(q) = quantity(text) {
        return Some((q, None));
    }
    let split = text.find(|c: char| c.is_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let q = quantity(number)?;
    Some((q, Some(unit.trim().to_owned()).filter(|u| !u.is_empty())))
}

/// A rate: `100 %`, `75%`, `0,5` (a fraction up to 1 when written without
/// `%`), as a fraction of one.
pub fn rate(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if let Some(percent) = t.strip_suffix('%') {
        return quantity(percent.trim()).map(|p| p / Decimal::ONE_HUNDRED);
    }
    quantity(t).filter(|r| *r <= Decimal::ONE)
}

/// A date as a cell (`2025-11-30`) or as French text (`30/11/2025`, `30-11-2025`, `30.11.2025`).
pub fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t
        .get(..10)
        .filter(|_| t.len() > 10 && t.as_bytes()[10] == b' ')
        .unwrap_or(t);
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .filter(crate::domain::is_usable_date)
}

/// A date inside a header or a title: "Réalisation au 30/09/2025".
pub fn date_in(text: &str) -> Option<NaiveDate> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .find_map(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_typed() {
        assert_eq!(amount("12 500 000"), Ok(Amount::Whole(12_500_000)));
        assert_eq!(amount("7 500 000 FCFA"), Ok(Amount::Whole(7_500_000)));
        assert_eq!(
            amount("7\u{202f}500\u{a0}000 F CFA"),
            Ok(Amount::Whole(7_500_000))
        );
        assert_eq!(amount("12.500.000"), Ok(Amount::Whole(12_500_000)));
        assert_eq!(amount("12500000"), Ok(Amount::Whole(12_500_000)));
        assert_eq!(amount("12500000.0"), Ok(Amount::Whole(12_500_000)));
        assert_eq!(amount("$250,000"), Ok(Amount::Whole(250_000)));
        assert_eq!(amount("1,250,000.00 USD"), Ok(Amount::Whole(1_250_000)));
        assert_eq!(amount("2 500 000,00"), Ok(Amount::Whole(2_500_000)));
        assert_eq!(amount("PM"), Ok(Amount::Pm));
        assert_eq!(amount("-"), Ok(Amount::Empty));
        assert_eq!(amount(""), Ok(Amount::Empty));
        assert_eq!(amount("0"), Ok(Amount::Whole(0)));
        assert_eq!(amount("12,5"), Err("error.value.not_a_number"));
        assert_eq!(amount("douze"), Err("error.value.not_a_number"));
    }

    #[test]
    fn currencies_rates_quantities_and_dates() {
        assert_eq!(Currency::named_in("Coût (FCFA)"), Some(Currency::Xof));
        assert_eq!(Currency::named_in("Budget (USD)"), Some(Currency::Usd));
        assert_eq!(Currency::named_in("Coût"), None);
        assert_eq!(rate("100 %"), Some(Decimal::ONE));
        assert_eq!(rate("75%"), Some(Decimal::new(75, 2)));
        assert_eq!(rate("0,5"), Some(Decimal::new(5, 1)));
        assert_eq!(rate("12"), None);
        assert_eq!(
            quantity_and_unit("20 sessions"),
            Some((Decimal::from(20), Some("sessions".into())))
        );
        assert_eq!(quantity_and_unit("Rapport"), None);
        let d = NaiveDate::from_ymd_opt(2025, 11, 30);
        assert_eq!(date("30/11/2025"), d);
        assert_eq!(date("2025-11-30"), d);
        assert_eq!(date("2025-11-30 00:00:00"), d);
        assert_eq!(date_in("Réalisation au 30/11/2025"), d);
        assert_eq!(date("demain"), None);
    }
}
