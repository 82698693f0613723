//! The random numbers of `generate`: SplitMix64 streams, one per agency-year,
//! and the integer arithmetic the generators share.

/// SplitMix64: tiny and statistically sound for synthetic data; no crate needed.
pub(super) struct Rng(u64);

impl Rng {
    /// An independent stream for one (seed, a, b), e.g. one agency-year.
    pub(super) fn stream(seed: u64, a: u64, b: u64) -> Rng {
        Rng(mix(seed
            ^ mix(a ^ 0x243F_6A88_85A3_08D3).rotate_left(21)
            ^ mix(b ^ 0x1319_8A2E_0370_7344)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by multiply-shift: bias is negligible.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    pub(super) fn chance(&mut self, per_mille: i64) -> bool {
        (self.below(1000) as i64) < per_mille
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `count` distinct indexes below `len` (all of them if fewer), in random
    /// order: a partial Fisher-Yates shuffle.
    pub(super) fn distinct(&mut self, len: usize, count: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..len).collect();
        let count = count.min(len);
        for i in 0..count {
            let j = i + self.below((len - i) as u64) as usize;
            order.swap(i, j);
        }
        order.truncate(count);
        order
    }

    pub(super) fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len() as u64) as usize]
    }
}

/// The SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `value` rounded to the nearest multiple of `step`.
pub(super) fn round_to(value: i64, step: i64) -> i64 {
    (value + step / 2) / step * step
}

/// `value × per_mille / 1000`, without overflow for our magnitudes.
pub(super) fn per_mille(value: i64, per_mille: i64) -> i64 {
    (i128::from(value) * i128::from(per_mille) / 1000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_streams_are_reproducible_and_bounded() {
        let draw = |seed| {
            let mut rng = Rng::stream(seed, 3, 2025);
            (0..1000).map(|_| rng.range(-5, 5)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
        let values = draw(1);
        assert!(values.iter().all(|v| (-5..=5).contains(v)));
        assert!((-5..=5).all(|v| values.contains(&v)));
    }
}
