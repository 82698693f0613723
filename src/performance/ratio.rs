//! Exact rates: a reduced fraction of integers, rounded only when displayed.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

/// A rate kept exact as `numerator / denominator` (denominator > 0, reduced).
/// 32 done of 49 planned stays 32/49; it shows as 65 % only at display time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    numerator: i128,
    denominator: i128,
}

impl Ratio {
    /// `None` when the denominator is zero: a rate of nothing is not a rate.
    pub fn new(numerator: i128, denominator: i128) -> Option<Ratio> {
        if denominator == 0 {
            return None;
        }
        let sign = if denominator < 0 { -1 } else { 1 };
        let divisor = gcd(numerator.unsigned_abs(), denominator.unsigned_abs()) as i128;
        Some(Ratio {
            numerator: sign * numerator / divisor,
            denominator: sign * denominator / divisor,
        })
    }

    /// The ratio of two decimal quantities, exactly.
    pub fn of_decimals(numerator: Decimal, denominator: Decimal) -> Option<Ratio> {
        // a/10^s ÷ b/10^t = a·10^t ÷ b·10^s
        let scale = |value: Decimal, by: u32| value.mantissa().checked_mul(10i128.checked_pow(by)?);
        let num = scale(numerator, denominator.scale())?;
        let den = scale(denominator, numerator.scale())?;
        Ratio::new(num, den)
    }

    pub fn numerator(self) -> i128 {
        self.numerator
    }

    pub fn denominator(self) -> i128 {
        self.denominator
    }

    /// True when the rate is strictly above 100 %.
    pub fn exceeds_one(self) -> bool {
        self.numerator > self.denominator
    }

    /// The rate in percent, rounded half away from zero: 32/49 gives 65.
    pub fn percent_rounded(self) -> i128 {
        self.scaled_rounded(100)
    }

    /// The rate in tenths of a percent, rounded half away from zero (for charts
    /// and one-decimal display).
    pub fn per_mille_rounded(self) -> i128 {
        self.scaled_rounded(1000)
    }

    fn scaled_rounded(self, factor: i128) -> i128 {
        let scaled = self.numerator * factor;
        // floor(|x|/d + 1/2), then the sign back: halves go away from zero.
        let magnitude = (2 * scaled.abs() + self.denominator) / (2 * self.denominator);
        if scaled < 0 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// The difference `self - other`, exact (e.g. the change of an execution
    /// rate between two sessions).
    pub fn minus(self, other: Ratio) -> Ratio {
        Ratio::new(
            self.numerator * other.denominator - other.numerator * self.denominator,
            self.denominator * other.denominator,
        )
        .expect("product of positive denominators is positive")
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numerator * other.denominator).cmp(&(other.numerator * self.denominator))
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_fraction_reduced_and_exact() {
        let rate = Ratio::new(32, 49).unwrap();
        assert_eq!((rate.numerator(), rate.denominator()), (32, 49));
        assert_eq!(Ratio::new(10, 20), Ratio::new(1, 2));
        assert_eq!(Ratio::new(3, -6), Ratio::new(-1, 2));
        assert_eq!(Ratio::new(0, 7), Ratio::new(0, 1));
        assert_eq!(Ratio::new(1, 0), None);
    }

    #[test]
    fn rounds_only_for_display() {
        assert_eq!(Ratio::new(32, 49).unwrap().percent_rounded(), 65);
        assert_eq!(Ratio::new(1, 8).unwrap().percent_rounded(), 13); // 12.5 -> 13
        assert_eq!(Ratio::new(1, 3).unwrap().percent_rounded(), 33);
        assert_eq!(Ratio::new(2, 3).unwrap().percent_rounded(), 67);
        assert_eq!(Ratio::new(-1, 8).unwrap().percent_rounded(), -13);
        assert_eq!(Ratio::new(3, 2).unwrap().percent_rounded(), 150);
        assert_eq!(Ratio::new(32, 49).unwrap().per_mille_rounded(), 653);
    }

    #[test]
    fn divides_decimals_exactly() {
        let rate = Ratio::of_decimals(Decimal::new(125, 1), Decimal::from(10)).unwrap();
        assert_eq!(rate, Ratio::new(5, 4).unwrap());
        assert!(rate.exceeds_one());
        assert_eq!(Ratio::of_decimals(Decimal::ONE, Decimal::ZERO), None);
    }

    #[test]
    fn subtracts_and_compares() {
        let before = Ratio::new(20, 49).unwrap();
        let after = Ratio::new(32, 49).unwrap();
        assert_eq!(after.minus(before), Ratio::new(12, 49).unwrap());
        assert!(after > before);
    }
}
