//! An exchange function stated as published: the logistic function's k given outright rather
//! than solved from base payments. CMS solves SNF VBP's k from every facility's Medicare
//! payments; a designer without those payments can still state CMS's published k and get CMS's
//! multipliers, because each multiplier depends only on k and the facility's own score.

use super::kernels::{DistributeScratch, Shares, distribute_with};

/// Incentive of each provider, in cents: k × `raw` (base payments × logistic value, currency
/// units), rounded half away from zero; 0 where `raw` is not a finite positive number.
pub(crate) fn stated_incentive_cents(k: f64, raw: f64) -> i64 {
    let amount = raw * k * 100.0;
    // Beyond ±2^62 cents an amount is not money: refused as 0 rather than wrapped.
    if amount.is_finite() && amount > 0.0 && amount < 4.6e18 {
        amount.round() as i64
    } else {
        0
    }
}

/// Pays each provider k × its `raw` weight, in cents, at most its cap, into `earned` (zeroed by
/// the caller).
/// A stated k never pays more than `pool`: when the incentives would total more, the pool is
/// split in proportion to them instead (each at most its stated incentive), to the cent.
/// Returns what is left of the pool.
pub(crate) fn pay_stated_k(
    pool: i64,
    k: f64,
    (raw, caps, order): (&[f64], &[i64], &[u32]),
    earned: &mut [i64],
    want: &mut Vec<i64>,
    scratch: &mut DistributeScratch,
) -> i64 {
    let k = if k.is_finite() { k.max(0.0) } else { 0.0 };
    want.clear();
    // Each provider's cap holds here as in every other split.
    want.extend(
        raw.iter()
            .zip(caps)
            .map(|(r, c)| stated_incentive_cents(k, *r).min(*c)),
    );
    let total = want.iter().fold(0i64, |acc, w| acc.saturating_add(*w));
    if total <= pool {
        earned.copy_from_slice(want);
        return pool - total;
    }
    let shares = Shares {
        weights: raw,
        caps: want,
        order,
    };
    distribute_with(pool.max(0), shares, earned, scratch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_k_pays_k_times_the_weight() {
        // Bases of $1,000 at logistic values 0.5 and 0.25: k = 0.04 pays $20 and $10.
        let raw = [500.0, 250.0, 0.0];
        let mut earned = [0i64; 3];
        let left = pay_stated_k(
            10_000,
            0.04,
            (&raw, &[i64::MAX; 3], &[0, 1, 2]),
            &mut earned,
            &mut Vec::new(),
            &mut DistributeScratch::default(),
        );
        assert_eq!(earned, [2_000, 1_000, 0]);
        assert_eq!(left, 7_000);
    }

    #[test]
    fn stated_k_never_pays_more_than_the_pool() {
        let raw = [500.0, 250.0];
        let mut earned = [0i64; 2];
        let left = pay_stated_k(
            1_501,
            0.04,
            (&raw, &[i64::MAX; 2], &[0, 1]),
            &mut earned,
            &mut Vec::new(),
            &mut DistributeScratch::default(),
        );
        assert_eq!(earned.iter().sum::<i64>(), 1_501);
        assert_eq!(earned, [1_001, 500]);
        assert_eq!(left, 0);
    }

    #[test]
    fn a_bad_k_pays_nothing() {
        for k in [f64::NAN, -1.0, f64::INFINITY] {
            let mut earned = [0i64; 1];
            let left = pay_stated_k(
                100,
                k,
                (&[10.0], &[i64::MAX], &[0]),
                &mut earned,
                &mut Vec::new(),
                &mut DistributeScratch::default(),
            );
            assert_eq!((earned[0], left), (0, 100), "k = {k}");
        }
    }
}
