//! Invariants of payment over random programs and data.

use super::{tiny_obs, tiny_program};
use p4p_designer::engine::{self, distribute};
use p4p_designer::program::*;
use proptest::prelude::*;

fn distribution() -> impl Strategy<Value = Distribution> {
    prop_oneof![
        Just(Distribution::ShareOfPool),
        Just(Distribution::LinearExchange),
        (1.0..100.0f64).prop_map(|s| Distribution::LogisticExchange {
            payback_share: s,
            slope: 0.1,
            midpoint: 50.0,
            stated_k: None,
        }),
        (0i64..50_000_00).prop_map(|c| Distribution::Tiered {
            tiers: vec![
                BonusTier {
                    min_score: 20.0,
                    cents: c / 2
                },
                BonusTier {
                    min_score: 60.0,
                    cents: c
                },
            ]
        }),
        (0i64..10_000).prop_map(|c| Distribution::PointsValue { cents_per_point: c }),
        Just(Distribution::SharedSavings(SharedSavings::default())),
    ]
}

fn pool() -> impl Strategy<Value = Pool> {
    prop_oneof![
        (0i64..1_000_000_000_00).prop_map(|cents| Pool::Fixed { cents }),
        (0.0..10.0f64).prop_map(|percent| Pool::Withhold { percent }),
        (0.0..5.0f64).prop_map(|percent| Pool::PercentOfSpend { percent }),
    ]
}

/// (baseline, performance, lives, base payments, spend, benchmark spend) per provider.
type Row = (f64, f64, f64, f64, f64, f64);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop_oneof![Just(f64::NAN), 0.0..1.0f64],
            prop_oneof![1 => Just(f64::NAN), 9 => 0.0..1.0f64],
            0.0..50_000.0f64,
            0.0..10_000_000.0f64,
            0.0..10_000_000.0f64,
            0.0..10_000_000.0f64,
        ),
        1..60,
    )
}

fn build(rows: &[Row]) -> engine::Observations {
    let names: Vec<String> = (0..rows.len()).map(|i| format!("p{i:03}")).collect();
    let data: Vec<(&str, &str, f64, f64)> = rows
        .iter()
        .zip(&names)
        .map(|(r, n)| (n.as_str(), "M", r.0, r.1))
        .collect();
    let mut o = tiny_obs(&data);
    o.providers.lives = rows.iter().map(|r| r.2).collect();
    o.providers.base_payments = rows.iter().map(|r| r.3).collect();
    o.providers.spend = rows.iter().map(|r| r.4).collect();
    o.providers.benchmark_spend = rows.iter().map(|r| r.5).collect();
    o
}

fn program(
    pool: Pool,
    dist: Distribution,
    by: WeightBy,
    cap: Option<i64>,
    elig: Eligibility,
) -> Program {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.3, 0.8)]);
    p.payment.pool = pool;
    p.payment.distribution = dist;
    p.payment.weight_by = by;
    p.payment.cap = cap.map(Limit::Cents);
    p.payment.eligibility = elig;
    p
}

fn weight_by() -> impl Strategy<Value = WeightBy> {
    prop_oneof![
        Just(WeightBy::Equal),
        Just(WeightBy::AttributedLives),
        Just(WeightBy::BasePayments)
    ]
}

fn eligibility() -> impl Strategy<Value = Eligibility> {
    prop_oneof![
        Just(Eligibility::Any),
        Just(Eligibility::ImproveOrBenchmark),
        (0.0..100.0f64).prop_map(Eligibility::MinScore)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A pool shared by score is paid to the cent, unless every earner hits a cap or no one earns.
    #[test]
    fn share_of_pool_sums_to_the_cent(
        rows in rows(), pool in pool(), by in weight_by(), elig in eligibility(),
        cap in prop::option::of(1i64..100_000_00),
    ) {
        let p = program(pool, Distribution::ShareOfPool, by, cap, elig);
        let (_, r) = engine::run(&p, &build(&rows));
        let pay = &r.payment;
        prop_assert_eq!(pay.paid_cents + pay.unallocated_cents, pay.pool_cents);
        let anyone = r.eligible.iter().zip(&pay.weight).zip(&r.total)
            .any(|((e, w), t)| *e && *w > 0.0 && *t > 0.0);
        if cap.is_none() && anyone {
            prop_assert_eq!(pay.unallocated_cents, 0);
        }
        if let Some(c) = cap {
            prop_assert!(pay.earned.iter().all(|e| *e <= c), "caps hold");
            // What a cap cuts goes to others: only left over when everyone earning is capped.
            if pay.unallocated_cents > 0 && anyone {
                for i in 0..pay.earned.len() {
                    if r.eligible[i] && pay.weight[i] > 0.0 && r.total[i] > 0.0 {
                        prop_assert_eq!(pay.earned[i], c);
                    }
                }
            }
        }
    }

    /// No model pays a negative amount unless it is two-sided; caps hold in every model.
    #[test]
    fn upside_only_never_negative(
        rows in rows(), pool in pool(), dist in distribution(), by in weight_by(),
        elig in eligibility(), cap in prop::option::of(0i64..100_000_00),
    ) {
        let exchange = matches!(dist, Distribution::LinearExchange | Distribution::LogisticExchange { .. });
        let p = program(pool, dist, by, if exchange { None } else { cap }, elig);
        let (_, r) = engine::run(&p, &build(&rows));
        prop_assert!(r.payment.earned.iter().all(|e| *e >= 0));
        if let (Some(c), false) = (cap, exchange) {
            prop_assert!(r.payment.earned.iter().all(|e| *e <= c));
        }
        for i in 0..r.payment.net.len() {
            prop_assert_eq!(r.payment.net[i], r.payment.earned[i] - r.payment.withheld[i]);
        }
    }

    /// Exchange functions pay back exactly what they say: all of the withhold, or its share.
    #[test]
    fn exchange_functions_are_exact(rows in rows(), percent in 0.0..10.0f64, share in 0.0..100.0f64) {
        let o = build(&rows);
        let p = program(Pool::Withhold { percent }, Distribution::LinearExchange, WeightBy::BasePayments, None, Eligibility::Any);
        let (_, r) = engine::run(&p, &o);
        let anyone = r.total.iter().zip(&r.payment.withheld).any(|(t, _)| *t > 0.0);
        let withheld: i64 = r.payment.withheld.iter().sum();
        prop_assert_eq!(r.payment.pool_cents, withheld);
        if anyone {
            prop_assert_eq!(r.payment.paid_cents, withheld);
        }
        let p = program(
            Pool::Withhold { percent },
            Distribution::LogisticExchange { payback_share: share, slope: 0.1, midpoint: 50.0, stated_k: None },
            WeightBy::BasePayments, None, Eligibility::Any,
        );
        let (_, r) = engine::run(&p, &o);
        prop_assert_eq!(r.payment.paid_cents + r.payment.unallocated_cents, r.payment.pool_cents);
    }

    /// The order of input rows changes nothing but the order of the output.
    #[test]
    fn shuffling_rows_changes_nothing(rows in rows(), seed in any::<u64>(), dist in distribution(), pool in pool()) {
        let p = program(pool, dist, WeightBy::AttributedLives, Some(50_000_00), Eligibility::Any);
        let o = build(&rows);
        let (_, r) = engine::run(&p, &o);
        // A deterministic permutation from the seed.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut s = seed | 1;
        for i in (1..order.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            order.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let shuffled_rows: Vec<Row> = order.iter().map(|&i| rows[i]).collect();
        let mut o2 = build(&shuffled_rows);
        // Keep provider names with their rows.
        o2.providers.ids = order.iter().map(|&i| o.providers.ids[i].clone()).collect();
        let (_, r2) = engine::run(&p, &o2);
        for (k, &i) in order.iter().enumerate() {
            prop_assert_eq!(r.total[i].to_bits(), r2.total[k].to_bits());
        }
        for (k, &i) in order.iter().enumerate() {
            prop_assert_eq!(r.payment.earned[i], r2.payment.earned[k]);
            prop_assert_eq!(r.payment.withheld[i], r2.payment.withheld[k]);
        }
        prop_assert_eq!(r.payment.pool_cents, r2.payment.pool_cents);
    }

    /// Largest remainder: Σ = pool, and no one is more than a cent from their exact share.
    #[test]
    fn distribute_is_exact(pool in 0i64..10_000_000_000, w in prop::collection::vec(0.0..1e6f64, 1..200)) {
        let mut out = vec![0; w.len()];
        let caps = vec![i64::MAX; w.len()];
        let left = distribute(pool, &w, &caps, &mut out);
        let total: f64 = w.iter().filter(|x| **x > 0.0).sum();
        if total > 0.0 {
            prop_assert_eq!(left, 0);
            prop_assert_eq!(out.iter().sum::<i64>(), pool);
            for (o, wi) in out.iter().zip(&w) {
                let exact = pool as f64 * wi / total;
                prop_assert!((*o as f64 - exact).abs() <= 1.0 + exact * 1e-12);
            }
        } else {
            prop_assert_eq!(left, pool);
        }
    }

    /// The cents left after whole shares go to the largest fractions, ties to the lower index:
    /// checked against a plain sort of everyone. Weights from a few values make many ties.
    #[test]
    fn leftover_cents_go_to_the_largest_fractions(
        pool in 0i64..1_000_000,
        w in prop_oneof![
            prop::collection::vec((0u8..4).prop_map(f64::from), 1..3000),
            prop::collection::vec(0.0..1e3f64, 1..3000),
        ],
    ) {
        let mut out = vec![0; w.len()];
        distribute(pool, &w, &vec![i64::MAX; w.len()], &mut out);
        let total: f64 = w.iter().filter(|x| **x > 0.0).sum();
        let mut expected = vec![0i64; w.len()];
        let mut ranked = Vec::new();
        let mut given = 0;
        for (i, wi) in w.iter().enumerate() {
            if *wi > 0.0 {
                let exact = pool as f64 * wi / total;
                let whole = exact as i64;
                expected[i] = whole;
                given += whole;
                ranked.push((exact - whole as f64, i));
            }
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let left = if ranked.is_empty() { 0 } else { (pool - given).max(0) as usize };
        for k in 0..left {
            expected[ranked[k % ranked.len()].1] += 1;
        }
        prop_assert_eq!(out, expected);
    }

    /// A floor is paid to every earner first when the pool affords them all; the rest is shared
    /// as usual, caps hold and the pool is paid to the cent.
    #[test]
    fn floors_are_paid_first(
        rows in rows(), pool in 0i64..10_000_000, floor in 1i64..20_000, cap in prop::option::of(20_000i64..200_000),
    ) {
        let mut p = program(Pool::Fixed { cents: pool }, Distribution::ShareOfPool, WeightBy::Equal, cap, Eligibility::Any);
        p.payment.floor = Some(Limit::Cents(floor));
        let (_, r) = engine::run(&p, &build(&rows));
        let pay = &r.payment;
        prop_assert_eq!(pay.paid_cents + pay.unallocated_cents, pay.pool_cents);
        let earners: Vec<usize> = (0..pay.earned.len())
            .filter(|&i| r.eligible[i] && r.total[i] > 0.0)
            .collect();
        if floor * earners.len() as i64 <= pool {
            for &i in &earners {
                prop_assert!(pay.earned[i] >= floor, "provider {} earned {} below the floor", i, pay.earned[i]);
            }
        }
        if let Some(c) = cap {
            prop_assert!(pay.earned.iter().all(|e| *e <= c));
        }
    }
}
