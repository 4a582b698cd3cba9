//! The phase budget: how much of the pool each phase pays, in how many payments, and how much
//! falls in each calendar year.
//!
//! The program's pool is a year's pool (what the payment model pays out on one performance
//! period, in `Frequency::payments_per_year` payments). A phased program shares that pool out
//! among its phases: a phase pays its `pool_share` of it over its months, so a 6-month phase
//! with 10% of a $4M pool pays $400,000 in those 6 months. A phase that spans calendar years
//! is split by its months in each year.

use super::calendar::parse_month;
use crate::program::{Frequency, Phase, PhaseKind};

/// A phase's pool: its share of the program's pool, in cents (the share held to 0–1, rounded
/// half away from zero; 0 for a share that is not a number).
pub fn phase_pool_cents(pool_cents: i64, share: f64) -> i64 {
    let pool = pool_cents.max(0);
    if !share.is_finite() {
        return 0;
    }
    let s = share.clamp(0.0, 1.0);
    // Exact for whole-percent shares of any pool a program may hold (< 2^53 cents).
    ((pool as f64 * s).round() as i64).clamp(0, pool)
}

/// How many payments a phase of `months` makes at `frequency`: one per period it reaches into
/// (a 6-month phase paid quarterly makes 2, paid annually 1).
pub fn payments_in(months: u32, frequency: Frequency) -> u32 {
    let per_year = frequency.payments_per_year();
    let months_per_payment = 12 / per_year;
    months.max(1).div_ceil(months_per_payment)
}

/// `cents` paid in `parts` payments that differ by at most a cent and add up to it exactly:
/// the largest payment (the first ones; the rest are a cent less) and whether all are equal.
/// (0, true) when `parts` is 0.
pub fn even_payment(cents: i64, parts: u32) -> (i64, bool) {
    if parts == 0 {
        return (0, true);
    }
    let n = i64::from(parts);
    let (q, r) = (cents.div_euclid(n), cents.rem_euclid(n));
    (q + i64::from(r > 0), r == 0)
}

/// The longest span split by calendar year: a phase longer than a century (a typing slip) is
/// split over its first hundred years.
const MAX_SPLIT_MONTHS: u32 = 1200;

/// One phase's money.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseBudget {
    pub name: String,
    pub kind: PhaseKind,
    /// First and last month ("YYYY-MM"), when the start is valid.
    pub start: Option<String>,
    pub end: Option<String>,
    pub months: u32,
    pub share: f64,
    /// What the phase pays in all, in cents.
    pub cents: i64,
    /// Payments at the program's frequency, the largest of them (the first ones are a cent
    /// larger where the phase's money does not divide evenly), and whether all are equal.
    pub payments: u32,
    pub payment_cents: i64,
    pub payments_equal: bool,
}

/// One calendar year's money, by phase (index into `Budget::phases`).
#[derive(Debug, Clone, PartialEq)]
pub struct YearBudget {
    pub year: i32,
    pub cents: i64,
    pub by_phase: Vec<(usize, i64)>,
}

/// Money by phase and by calendar year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Budget {
    pub phases: Vec<PhaseBudget>,
    pub years: Vec<YearBudget>,
    /// Σ of the phases' money.
    pub total_cents: i64,
    /// Money of phases without a valid start month: in no calendar year.
    pub unscheduled_cents: i64,
    /// Σ of the phases' shares (1 when the phases share the whole pool).
    pub share_total: f64,
}

/// The budget of `phases` sharing a year's pool of `pool_cents`, paid at `frequency`. Each
/// phase's money is split among the calendar years it spans by its months in each, to the cent
/// (largest remainder, ties to the earlier year), so the years add up to the phases exactly.
pub fn budget(pool_cents: i64, phases: &[Phase], frequency: Frequency) -> Budget {
    let mut out = Budget::default();
    let mut years: std::collections::BTreeMap<i32, Vec<(usize, i64)>> = Default::default();
    for (i, p) in phases.iter().enumerate() {
        let cents = phase_pool_cents(pool_cents, p.pool_share);
        let payments = payments_in(p.months, frequency);
        let start = parse_month(&p.start);
        out.phases.push(PhaseBudget {
            name: p.name.clone(),
            kind: p.kind,
            start: start.map(|_| p.start.trim().to_owned()),
            end: super::calendar::end_month(p),
            months: p.months.max(1),
            share: if p.pool_share.is_finite() {
                p.pool_share
            } else {
                0.0
            },
            cents,
            payments,
            payment_cents: even_payment(cents, payments).0,
            payments_equal: even_payment(cents, payments).1,
        });
        out.total_cents = out.total_cents.saturating_add(cents);
        out.share_total += if p.pool_share.is_finite() {
            p.pool_share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let Some(s) = start else {
            out.unscheduled_cents = out.unscheduled_cents.saturating_add(cents);
            continue;
        };
        for (year, c) in split_by_year(cents, s, p.months.clamp(1, MAX_SPLIT_MONTHS)) {
            years.entry(year).or_default().push((i, c));
        }
    }
    out.years = years
        .into_iter()
        .map(|(year, by_phase)| YearBudget {
            year,
            cents: by_phase.iter().map(|(_, c)| *c).sum(),
            by_phase,
        })
        .collect();
    out
}

/// `cents` paid over `months` from month `start` (months since year 0), split among calendar
/// years by months, exactly.
fn split_by_year(cents: i64, start: i32, months: u32) -> Vec<(i32, i64)> {
    let end = start.saturating_add(i32::try_from(months).unwrap_or(i32::MAX));
    let mut spans: Vec<(i32, i64)> = Vec::new();
    let mut m = start;
    while m < end {
        let year = m.div_euclid(12);
        let year_end = (year + 1) * 12;
        let upto = year_end.min(end);
        spans.push((year, i64::from(upto - m)));
        m = upto;
    }
    let total = i64::from(months).max(1);
    // Whole cents first, then the leftover cents to the largest remainders.
    let c = i128::from(cents);
    let mut out: Vec<(i32, i64)> = spans
        .iter()
        .map(|(y, k)| (*y, (c * i128::from(*k) / i128::from(total)) as i64))
        .collect();
    let given: i64 = out.iter().map(|(_, c)| *c).sum();
    let mut rest: Vec<(usize, i128)> = spans
        .iter()
        .enumerate()
        .map(|(j, (_, k))| (j, c * i128::from(*k) % i128::from(total)))
        .collect();
    rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (j, _) in rest.iter().take((cents - given).max(0) as usize) {
        out[*j].1 += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::plan::standard_phases;

    #[test]
    fn a_phase_pool_is_its_share_of_the_pool() {
        assert_eq!(phase_pool_cents(400_000_000, 0.1), 40_000_000);
        assert_eq!(phase_pool_cents(400_000_000, 0.2), 80_000_000);
        assert_eq!(phase_pool_cents(101, 0.5), 51);
        assert_eq!(phase_pool_cents(400_000_000, 1.7), 400_000_000);
        assert_eq!(phase_pool_cents(400_000_000, -0.2), 0);
        assert_eq!(phase_pool_cents(400_000_000, f64::NAN), 0);
        assert_eq!(phase_pool_cents(-5, 0.5), 0);
    }

    #[test]
    fn payments_follow_the_frequency() {
        assert_eq!(payments_in(6, Frequency::Quarterly), 2);
        assert_eq!(payments_in(6, Frequency::Annual), 1);
        assert_eq!(payments_in(12, Frequency::Monthly), 12);
        assert_eq!(payments_in(7, Frequency::Quarterly), 3);
        assert_eq!(payments_in(0, Frequency::SemiAnnual), 1);
        assert_eq!(even_payment(100, 3), (34, false));
        assert_eq!(even_payment(100, 4), (25, true));
        assert_eq!(even_payment(5, 0), (0, true));
        // No list of payments is ever made: any count is cheap.
        assert_eq!(even_payment(400, u32::MAX), (1, false));
    }

    #[test]
    fn the_sample_plan_splits_to_the_cent_by_phase_and_year() {
        // Participation 2026-01 (6), Reporting 2026-07 (12), Performance 2027-07 (12),
        // Success 2028-07 (12): 10/20/40/30% of $4M.
        let phases = standard_phases(&["A".into()]);
        let b = budget(400_000_000, &phases, Frequency::Quarterly);
        let by_phase: Vec<i64> = b.phases.iter().map(|p| p.cents).collect();
        assert_eq!(
            by_phase,
            vec![40_000_000, 80_000_000, 160_000_000, 120_000_000]
        );
        assert_eq!(b.total_cents, 400_000_000);
        assert_eq!(b.phases[0].payments, 2);
        assert_eq!(
            (b.phases[0].payment_cents, b.phases[0].payments_equal),
            (20_000_000, true)
        );
        assert_eq!(b.phases[1].payments, 4);
        let years: Vec<(i32, i64)> = b.years.iter().map(|y| (y.year, y.cents)).collect();
        // 2026: all of Participation and half of Reporting; 2027: half of Reporting and half
        // of Performance; 2028: half of Performance and half of Success; 2029: the rest.
        assert_eq!(
            years,
            vec![
                (2026, 40_000_000 + 40_000_000),
                (2027, 40_000_000 + 80_000_000),
                (2028, 80_000_000 + 60_000_000),
                (2029, 60_000_000),
            ]
        );
        assert_eq!(b.years.iter().map(|y| y.cents).sum::<i64>(), b.total_cents);
        assert!((b.share_total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn odd_amounts_split_by_year_add_up_to_the_cent() {
        let phases = vec![Phase {
            name: "P".into(),
            start: "2026-11".into(),
            months: 7,
            pool_share: 1.0,
            ..Phase::default()
        }];
        // 1,000,001 cents over 7 months: 2 in 2026, 5 in 2027.
        let b = budget(1_000_001, &phases, Frequency::Monthly);
        assert_eq!(b.years.len(), 2);
        let (y26, y27) = (b.years[0].cents, b.years[1].cents);
        assert_eq!(y26 + y27, 1_000_001);
        // 2/7 of it is 285,714.57…: 285,714 or 285,715 cents, never further off.
        assert!((285_714..=285_715).contains(&y26), "{y26}");
        // 7 monthly payments of 142,857 or 142,858 cents.
        assert_eq!(
            (b.phases[0].payment_cents, b.phases[0].payments_equal),
            (142_858, false)
        );
    }

    #[test]
    fn an_absurdly_long_phase_is_split_over_a_century() {
        let phases = vec![Phase {
            name: "P".into(),
            start: "2026-01".into(),
            months: u32::MAX,
            pool_share: 1.0,
            ..Phase::default()
        }];
        let b = budget(120_000, &phases, Frequency::Monthly);
        assert_eq!(b.years.len(), 100);
        assert_eq!(b.years.iter().map(|y| y.cents).sum::<i64>(), 120_000);
        assert_eq!(b.years[0].cents, 1_200);
        assert_eq!(b.phases[0].payments, u32::MAX);
    }

    #[test]
    fn a_phase_without_a_start_is_unscheduled() {
        let phases = vec![Phase {
            name: "P".into(),
            start: "soon".into(),
            pool_share: 0.5,
            ..Phase::default()
        }];
        let b = budget(1_000, &phases, Frequency::Annual);
        assert!(b.years.is_empty());
        assert_eq!(b.unscheduled_cents, 500);
        assert_eq!(b.total_cents, 500);
    }
}
