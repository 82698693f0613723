//! Languages and the message catalog: French first, English second.
//!
//! Every string shown to a user comes from the catalogs in `locales/` (one
//! file per area, merged by rust-i18n; one entry per key, both languages side
//! by side, so a missing translation shows in review) or
//! from the formatters here, which write numbers, money and dates the way each
//! language expects: `12 500 000 FCFA`, `65 %`, `26 décembre 2025` in French.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::performance::Ratio;

/// French groups thousands with a narrow no-break space and puts a no-break
/// space before `%`, as the Imprimerie nationale's rules (and French Excel) do.
const FR_GROUP: char = '\u{202f}';
const NBSP: char = '\u{a0}';

// `ValueEnum` for the command line's `--lang fr|en`; URLs and cookies use
// `from_code`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the one-click switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// The preferred of our languages in an `Accept-Language` header, by quality;
    /// French when the header names neither.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::from_code(primary) {
                if best.is_none_or(|(_, q)| quality > q) {
                    best = Some((lang, quality));
                }
            }
        }
        best.map_or(Lang::Fr, |(lang, _)| lang)
    }

    /// The command line's language when neither `--lang` nor `SUIVI_LANG`
    /// says, from the POSIX locale (`LC_ALL`, else `LC_MESSAGES`, else
    /// `LANG`: the first one set): English for an English locale (`en_GB.UTF-8`),
    /// French for anything else, `C` and no locale included, as Suivi speaks
    /// French first.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale.map(str::trim) {
            Some(locale)
                if locale
                    .get(..2)
                    .is_some_and(|l| l.eq_ignore_ascii_case("en")) =>
            {
                Lang::En
            }
            _ => Lang::Fr,
        }
    }

    /// The catalog's text for `key` in this language.
    pub fn t<'a>(self, key: &'a str) -> Cow<'a, str> {
        rust_i18n::t!(key, locale = self.code())
    }

    /// The catalog's text with `%{name}` placeholders filled in.
    pub fn t_with(self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.t(key).into_owned();
        for (name, value) in values {
            text = text.replace(&format!("%{{{name}}}"), value);
        }
        text
    }

    /// An integer with thousands grouped: `12 500 000` / `12,500,000`.
    pub fn integer(self, value: impl Into<i128>) -> String {
        let value: i128 = value.into();
        let separator = match self {
            Lang::Fr => FR_GROUP,
            Lang::En => ',',
        };
        group_digits(&value.unsigned_abs().to_string(), separator, value < 0)
    }

    /// An amount in a plan's currency (its ISO code): FCFA as [`Lang::fcfa`],
    /// another one by its code, `250 000 USD`.
    pub fn money(self, amount: impl Into<i128>, currency: &str) -> String {
        format!("{}{NBSP}{}", self.integer(amount), currency_label(currency))
    }

    /// An amount in FCFA: `12 500 000 FCFA`.
    pub fn fcfa(self, amount: impl Into<i128>) -> String {
        format!("{}{NBSP}FCFA", self.integer(amount))
    }

    /// A rate rounded to a whole percent, or a dash when there is none.
    pub fn percent(self, rate: Option<Ratio>) -> String {
        match rate {
            None => "—".to_owned(),
            Some(rate) => self.percent_value(rate.percent_rounded()),
        }
    }

    fn percent_value(self, value: i128) -> String {
        match self {
            Lang::Fr => format!("{value}{NBSP}%"),
            Lang::En => format!("{value}%"),
        }
    }

    /// A change of rate in percentage points, signed: `+12 pts`.
    pub fn points(self, delta: Ratio) -> String {
        let value = delta.percent_rounded();
        let sign = if value > 0 { "+" } else { "" };
        format!("{sign}{value}{NBSP}{}", self.t("unit.points"))
    }

    /// A quantity with its decimals (at most three, trailing zeros dropped).
    pub fn quantity(self, value: Decimal) -> String {
        let normalized = value.normalize();
        let text = normalized.abs().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let (group, decimal) = match self {
            Lang::Fr => (FR_GROUP, ','),
            Lang::En => (',', '.'),
        };
        let mut out = group_digits(
            whole,
            group,
            normalized.is_sign_negative() && !normalized.is_zero(),
        );
        if !fraction.is_empty() {
            out.push(decimal);
            out.push_str(fraction);
        }
        out
    }

    pub fn optional_quantity(self, value: Option<Decimal>) -> String {
        value.map_or_else(|| "—".to_owned(), |v| self.quantity(v))
    }

    /// The ordinal of a session's number: `30ᵉ` / `30th` (sessions are feminine
    /// in French: `1ʳᵉ`).
    pub fn ordinal(self, n: i32) -> String {
        match self {
            Lang::Fr if n == 1 => "1ʳᵉ".to_owned(),
            Lang::Fr => format!("{n}ᵉ"),
            Lang::En => {
                let suffix = match (n % 10, n % 100) {
                    (_, 11..=13) => "th",
                    (1, _) => "st",
                    (2, _) => "nd",
                    (3, _) => "rd",
                    _ => "th",
                };
                format!("{n}{suffix}")
            }
        }
    }

    /// A date in words: `26 décembre 2025` / `26 December 2025`.
    pub fn date(self, date: NaiveDate) -> String {
        let key = format!("month.{}", date.month());
        let month = self.t(&key);
        let day = match (self, date.day()) {
            (Lang::Fr, 1) => "1er".to_owned(),
            (_, day) => day.to_string(),
        };
        format!("{day} {month} {}", date.year())
    }
}

/// How a currency shows beside an amount or in a column's title: the franc
/// CFA (`XOF`) as `FCFA`, as its users write it; another one by its ISO code.
pub fn currency_label(currency: &str) -> &str {
    match currency {
        "XOF" => "FCFA",
        other => other,
    }
}

fn group_digits(digits: &str, separator: char, negative: bool) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
    if negative {
        out.push('−');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_and_rates_per_language() {
        assert_eq!(
            Lang::Fr.fcfa(12_500_000),
            "12\u{202f}500\u{202f}000\u{a0}FCFA"
        );
        assert_eq!(Lang::En.fcfa(12_500_000), "12,500,000\u{a0}FCFA");
        assert_eq!(Lang::Fr.integer(999), "999");
        assert_eq!(Lang::Fr.integer(-1000), "−1\u{202f}000");
        let rate = Ratio::new(32, 49);
        assert_eq!(Lang::Fr.percent(rate), "65\u{a0}%");
        assert_eq!(Lang::En.percent(rate), "65%");
        assert_eq!(Lang::Fr.percent(None), "—");
    }

    #[test]
    fn ordinals() {
        assert_eq!(Lang::Fr.ordinal(30), "30ᵉ");
        assert_eq!(Lang::Fr.ordinal(1), "1ʳᵉ");
        assert_eq!(Lang::En.ordinal(30), "30th");
        assert_eq!(Lang::En.ordinal(21), "21st");
        assert_eq!(Lang::En.ordinal(12), "12th");
        assert_eq!(Lang::En.ordinal(23), "23rd");
    }

    #[test]
    fn formats_dates_in_words() {
        let date = NaiveDate::from_ymd_opt(2025, 12, 26).unwrap();
        assert_eq!(Lang::Fr.date(date), "26 décembre 2025");
        assert_eq!(Lang::En.date(date), "26 December 2025");
        let first = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        assert_eq!(Lang::Fr.date(first), "1er août 2025");
    }

    #[test]
    fn formats_quantities_with_the_language_decimal_mark() {
        assert_eq!(Lang::Fr.quantity(Decimal::new(125, 1)), "12,5");
        assert_eq!(Lang::En.quantity(Decimal::new(125, 1)), "12.5");
        assert_eq!(
            Lang::Fr.quantity(Decimal::new(1_200_000, 3)),
            "1\u{202f}200"
        );
        assert_eq!(Lang::En.quantity(Decimal::new(1_234_500, 0)), "1,234,500");
    }

    #[test]
    fn the_command_line_follows_an_english_locale_else_speaks_french() {
        assert_eq!(Lang::from_locale(Some("en_GB.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("en")), Lang::En);
        assert_eq!(Lang::from_locale(Some("fr_FR.UTF-8")), Lang::Fr);
        assert_eq!(Lang::from_locale(Some("C.UTF-8")), Lang::Fr);
        assert_eq!(Lang::from_locale(Some("de_DE")), Lang::Fr);
        assert_eq!(Lang::from_locale(Some("e")), Lang::Fr);
        assert_eq!(Lang::from_locale(None), Lang::Fr);
    }

    #[test]
    fn follows_accept_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::Fr);
        assert_eq!(Lang::from_accept_language(""), Lang::Fr);
    }

    /// Every key of every catalog file (one per area, all merged by
    /// rust-i18n) has a text in both languages.
    #[test]
    fn catalog_is_complete_in_both_languages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        for entry in std::fs::read_dir(dir).expect("locales folder") {
            let path = entry.expect("locales entry").path();
            let catalog = std::fs::read_to_string(&path).expect("catalog file");
            check_catalog(&path.display().to_string(), &catalog);
        }
    }

    fn check_catalog(file: &str, catalog: &str) {
        let mut key: Option<&str> = None;
        let mut seen: Vec<&str> = Vec::new();
        let mut problems = Vec::new();
        let mut check = |key: Option<&str>, seen: &Vec<&str>| {
            if let Some(key) = key {
                for lang in ["fr", "en"] {
                    if !seen.contains(&lang) {
                        problems.push(format!("{key}: no {lang}"));
                    }
                }
            }
        };
        for line in catalog.lines() {
            if line.trim().is_empty()
                || line.trim_start().starts_with('#')
                || line.starts_with("_version")
            {
                continue;
            }
            if !line.starts_with(' ') {
                check(key, &seen);
                key = Some(line.trim_end_matches(':'));
                seen.clear();
            } else if let Some((lang, text)) = line.trim().split_once(':') {
                assert!(!text.trim().is_empty(), "{key:?}: empty {lang}");
                seen.push(lang);
            }
        }
        check(key, &seen);
        assert!(
            problems.is_empty(),
            "{file}: incomplete catalog: {problems:?}"
        );
    }

    #[test]
    fn every_enum_label_is_in_the_catalog() {
        use crate::domain::*;
        let keys = Status::ALL
            .iter()
            .map(|s| s.label_key())
            .chain(PlanKind::ALL.iter().map(|s| s.label_key()))
            .chain(PlanStatus::ALL.iter().map(|s| s.label_key()))
            .chain(SessionKind::ALL.iter().map(|s| s.label_key()))
            .chain(SessionStatus::ALL.iter().map(|s| s.label_key()))
            .chain(ResolutionStatus::ALL.iter().map(|s| s.label_key()))
            .chain(Direction::ALL.iter().map(|s| s.label_key()))
            .chain(FundingSourceKind::ALL.iter().map(|s| s.label_key()));
        for key in keys {
            for lang in Lang::ALL {
                assert_ne!(lang.t(key), key, "{key} missing in {}", lang.code());
            }
        }
    }
}
