//! What one phase of a phased program pays (step 4's phases), on the same data as the whole
//! program.
//!
//! A phase pays its share of the program's pool ([`phase_pool_cents`]) by its kind's rule:
//! - **participation**: every provider taking part — attributed, i.e. with attributed lives
//!   above zero (every provider in the data when the data give no lives) — shares the phase's
//!   pool by its payment weight (`weight_by`: equally, by lives or by base payments);
//! - **reporting**: a provider earns for each of the phase's measures it reports with a valid
//!   denominator (a rate for the performance period, and a denominator, where given, above zero
//!   and at least the measure's minimum): it shares the phase's pool by measures reported ×
//!   payment weight;
//! - **performance** and **success**: only the phase's measures are scored, with the program's
//!   scoring, and the phase's pool is paid with the program's payment model.
//!
//! Participation and reporting shares are paid as share-of-pool payments are: exactly to the
//! cent, capped by the program's cap (what a cap cuts goes to the others), the program's floor
//! paid first when the pool affords it. Nothing is withheld in those phases.

use super::inputs::Inputs;
use super::payment::{ShareInputs, finish, limit_cents, share_of_pool, weights};
use super::results::Results;
use crate::program::plan::phase_pool_cents;
use crate::program::{Phase, PhaseKind, Pool, Program};

/// What a phase run counted, beside the payments it put in its results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhaseRun {
    pub kind: Option<PhaseKind>,
    /// The phase's pool, in cents.
    pub pool_cents: i64,
    /// Providers the phase's rule counts: taking part (participation), reporting at least one
    /// of its measures (reporting), or with a total score on its measures (performance, success).
    pub counted: usize,
    /// Per provider: how many of the phase's measures it reported (reporting phases; empty
    /// otherwise).
    pub reported: Vec<u32>,
    /// The phase's measures that are not scored measures of the program, so that the data
    /// were not read for them (they count for no one).
    pub missing_measures: Vec<String>,
}

/// Whether each provider takes part: attributed lives above zero; every provider when the data
/// give no lives at all.
pub fn taking_part(inputs: &Inputs) -> Vec<bool> {
    let n = inputs.provider_count();
    let known = inputs.lives.len() == n && inputs.lives.iter().any(|l| l.is_finite());
    if !known {
        return vec![true; n];
    }
    inputs.lives.iter().map(|l| *l > 0.0).collect()
}

/// Per provider, how many of `phase`'s measures it reports with a valid denominator: a rate
/// for the performance period, and a denominator (where the data give one) above zero and at
/// least the measure's minimum denominator.
pub fn measures_reported(program: &Program, phase: &Phase, inputs: &Inputs) -> Vec<u32> {
    let n = inputs.provider_count();
    let mut out = vec![0u32; n];
    for m in inputs
        .measures
        .iter()
        .filter(|m| phase.measure_ids.contains(&m.id))
    {
        let min_den = program
            .measure(&m.id)
            .and_then(|pm| pm.min_denominator)
            .unwrap_or(f64::NEG_INFINITY);
        for (i, count) in out.iter_mut().enumerate() {
            let rate = m.performance.get(i).copied().unwrap_or(f64::NAN);
            let den = m.denominator.get(i).copied().unwrap_or(f64::NAN);
            let den_ok = den.is_nan() || (den > 0.0 && den >= min_den);
            if !rate.is_nan() && den_ok {
                *count += 1;
            }
        }
    }
    out
}

/// The phase's measures the inputs hold no column for.
fn missing(phase: &Phase, inputs: &Inputs) -> Vec<String> {
    phase
        .measure_ids
        .iter()
        .filter(|id| !inputs.measures.iter().any(|m| &m.id == *id))
        .cloned()
        .collect()
}

/// `inputs` with only `phase`'s measures: what a performance or success phase scores.
pub fn phase_inputs(inputs: &Inputs, phase: &Phase) -> Inputs {
    Inputs {
        measures: inputs
            .measures
            .iter()
            .filter(|m| phase.measure_ids.contains(&m.id))
            .cloned()
            .collect(),
        ..inputs.clone()
    }
}

/// The program a performance or success phase scores and pays: only the phase's measures are
/// scored, a domain left with none of them drops out (the minimum number of domains is at most
/// the number left), a gate asks only for the phase's measures, and the pool is the phase's:
/// `pool_cents` as a fixed amount, or a withhold of the phase's share of the percentage.
pub fn phase_program(program: &Program, phase: &Phase, pool_cents: i64) -> Program {
    let mut p = program.clone();
    for m in &mut p.measures {
        m.vital_few = m.vital_few && phase.measure_ids.contains(&m.id);
    }
    let domains_left = p
        .scoring
        .domains
        .iter()
        .filter(|d| p.scored_measures().any(|m| m.domain == d.id))
        .count();
    if !p.scoring.domains.is_empty() {
        p.scoring.min_domains = p.scoring.min_domains.min(domains_left.max(1) as _);
    }
    if let Some(g) = p.payment.gate.as_mut() {
        g.reported.retain(|id| phase.measure_ids.contains(id));
    }
    p.payment.pool = match &program.payment.pool {
        Pool::Withhold { percent } => Pool::Withhold {
            percent: percent * share(phase),
        },
        _ => Pool::Fixed { cents: pool_cents },
    };
    p
}

fn share(phase: &Phase) -> f64 {
    if phase.pool_share.is_finite() {
        phase.pool_share.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Pays `phase` of `program` into `out`. `whole` are the whole program's results on the same
/// `inputs` (its pool is what the phase takes its share of; participation and reporting keep
/// its scores for reference). Σ paid never exceeds the phase's pool in participation, reporting
/// and the pool-limited payment models; a pool shared in full is paid to the cent.
pub fn pay_phase(
    program: &Program,
    phase: &Phase,
    inputs: &Inputs,
    whole: &Results,
    out: &mut Results,
) -> PhaseRun {
    let pool_cents = phase_pool_cents(whole.payment.pool_cents, phase.pool_share);
    let mut run = PhaseRun {
        kind: Some(phase.kind),
        pool_cents,
        missing_measures: missing(phase, inputs),
        ..PhaseRun::default()
    };
    match phase.kind {
        PhaseKind::Participation | PhaseKind::Reporting => {
            out.clone_from(whole);
            let units: Vec<f64> = if phase.kind == PhaseKind::Participation {
                taking_part(inputs)
                    .into_iter()
                    .map(|t| if t { 1.0 } else { 0.0 })
                    .collect()
            } else {
                run.reported = measures_reported(program, phase, inputs);
                run.reported.iter().map(|k| f64::from(*k)).collect()
            };
            pay_shares(program, inputs, &units, pool_cents, out);
            run.counted = units.iter().filter(|u| **u > 0.0).count();
        }
        PhaseKind::Performance | PhaseKind::Success => {
            let p = phase_program(program, phase, pool_cents);
            let inputs = phase_inputs(inputs, phase);
            super::super::evaluate_into(&p, &inputs, out);
            run.pool_cents = out.payment.pool_cents;
            run.counted = out.total.iter().filter(|t| t.is_finite()).count();
        }
    }
    run
}

/// Shares `pool_cents` by `units` × the program's payment weight, into `out.payment` (and
/// `out.eligible`: the providers with a unit).
fn pay_shares(
    program: &Program,
    inputs: &Inputs,
    units: &[f64],
    pool_cents: i64,
    out: &mut Results,
) {
    let pay = &program.payment;
    let n = inputs.provider_count();
    let r = &mut out.payment;
    weights(pay.weight_by, inputs, &mut r.weight);
    let raw: Vec<f64> = units
        .iter()
        .zip(&r.weight)
        .map(|(u, w)| if *u > 0.0 { u * w } else { 0.0 })
        .collect();
    let base = &inputs.base_payments;
    let caps: Vec<i64> = (0..n)
        .map(|i| limit_cents(pay.cap.as_ref(), base.get(i).copied().unwrap_or(f64::NAN)))
        .collect();
    r.pool_cents = pool_cents;
    r.withheld.clear();
    r.withheld.resize(n, 0);
    r.earned.clear();
    r.earned.resize(n, 0);
    r.net.clear();
    r.net.resize(n, 0);
    r.capped.clear();
    r.capped.resize(n, false);
    r.multiplier.clear();
    r.multiplier.resize(n, f64::NAN);
    r.exchange_factor = f64::NAN;
    let mut caps_left = Vec::new();
    let mut scratch = Default::default();
    share_of_pool(
        pay,
        ShareInputs {
            raw: &raw,
            caps: &caps,
            base,
            order: &inputs.canonical_order,
        },
        r,
        &mut caps_left,
        &mut scratch,
    );
    finish(false, r);
    out.eligible.clear();
    out.eligible.extend(units.iter().map(|u| *u > 0.0));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Observations, evaluate};
    use crate::program::{Domain, Limit, Measure, WeightBy};

    /// Providers P0…P5; measures m0 (domain a) and m1 (domain b); P5 has no lives, P4 reports
    /// m1 with a denominator below the minimum, P3 reports neither.
    fn data() -> Observations {
        let mut obs = Observations::new();
        for i in 0..6 {
            obs.provider_index(&format!("P{i}"));
        }
        obs.providers.lives = vec![100.0, 200.0, 300.0, 400.0, 1000.0, 0.0];
        for (k, id) in ["m0", "m1"].iter().enumerate() {
            for (period, lift) in [("baseline", 0.0), ("performance", 5.0)] {
                let s = obs.series_mut(id, period);
                for i in 0..6 {
                    let (x, d) = match (k, i) {
                        (_, 3) => (f64::NAN, f64::NAN),
                        (1, 4) => (5.0, 10.0),
                        _ => (20.0 + 10.0 * i as f64 + lift + k as f64, 100.0),
                    };
                    s.numerator[i] = x;
                    s.denominator[i] = d;
                }
            }
        }
        obs
    }

    fn program() -> Program {
        let mut p = Program::default();
        p.scoring.domains = ["a", "b"]
            .iter()
            .map(|d| Domain {
                id: (*d).into(),
                weight: 0.5,
                ..Domain::default()
            })
            .collect();
        p.scoring.min_domains = 2;
        p.measures = ["m0", "m1"]
            .iter()
            .zip(["a", "b"])
            .map(|(id, d)| Measure {
                id: (*id).into(),
                domain: d.into(),
                vital_few: true,
                min_denominator: Some(30.0),
                ..Measure::default()
            })
            .collect();
        p.payment.pool = Pool::Fixed { cents: 1_000_001 };
        p.payment.weight_by = WeightBy::AttributedLives;
        p
    }

    fn phase(kind: PhaseKind, measures: &[&str], share: f64) -> Phase {
        Phase {
            name: "X".into(),
            kind,
            start: "2026-01".into(),
            months: 12,
            measure_ids: measures.iter().map(|m| (*m).to_owned()).collect(),
            pool_share: share,
            entry_criteria: Vec::new(),
        }
    }

    fn run(program: &Program, ph: &Phase) -> (PhaseRun, Results) {
        let inputs = Inputs::build(program, &data());
        let whole = evaluate(program, &inputs);
        let mut out = Results::default();
        let r = pay_phase(program, ph, &inputs, &whole, &mut out);
        (r, out)
    }

    #[test]
    fn participation_pays_everyone_attributed_by_lives_to_the_cent() {
        let p = program();
        let (r, out) = run(&p, &phase(PhaseKind::Participation, &[], 0.1));
        // 10% of 1,000,001 cents.
        assert_eq!(r.pool_cents, 100_000);
        assert_eq!(out.payment.pool_cents, 100_000);
        assert_eq!(r.counted, 5);
        // Lives 100, 200, 300, 400, 1000 of 2000: P3 reports nothing but still takes part.
        assert_eq!(
            out.payment.earned,
            vec![5_000, 10_000, 15_000, 20_000, 50_000, 0]
        );
        assert_eq!(out.payment.paid_cents, 100_000);
        assert_eq!(out.payment.unallocated_cents, 0);
        assert_eq!(out.eligible, vec![true, true, true, true, true, false]);
    }

    #[test]
    fn participation_weights_equally_and_respects_the_cap() {
        let mut p = program();
        p.payment.weight_by = WeightBy::Equal;
        let (_, out) = run(&p, &phase(PhaseKind::Participation, &[], 1.0));
        // 1,000,001 cents among 5: one gets the odd cent, by provider id.
        assert_eq!(
            out.payment.earned,
            vec![200_001, 200_000, 200_000, 200_000, 200_000, 0]
        );
        p.payment.cap = Some(Limit::Cents(150_000));
        let (_, out) = run(&p, &phase(PhaseKind::Participation, &[], 1.0));
        assert!(out.payment.earned.iter().all(|e| *e <= 150_000));
        assert_eq!(out.payment.paid_cents, 750_000);
        assert_eq!(out.payment.unallocated_cents, 250_001);
        assert!(out.payment.paid_cents <= out.payment.pool_cents);
    }

    #[test]
    fn reporting_pays_per_measure_reported_with_a_valid_denominator() {
        let mut p = program();
        p.payment.weight_by = WeightBy::Equal;
        let (r, out) = run(&p, &phase(PhaseKind::Reporting, &["m0", "m1", "zz"], 0.2));
        // P0–P2 and P5 report both; P4's m1 denominator (10) is below 30; P3 reports neither.
        assert_eq!(r.reported, vec![2, 2, 2, 0, 1, 2]);
        assert_eq!(r.counted, 5);
        assert_eq!(r.missing_measures, vec!["zz".to_owned()]);
        assert_eq!(r.pool_cents, 200_000);
        // 9 measure-reports share 200,000 cents: 22,222.2 each; P4 has one.
        let e = &out.payment.earned;
        assert_eq!(e[3], 0);
        assert!((22_222..=22_223).contains(&e[4]), "{}", e[4]);
        assert!((44_444..=44_445).contains(&e[0]), "{}", e[0]);
        assert_eq!(e.iter().sum::<i64>(), 200_000);
        assert_eq!(out.payment.paid_cents, 200_000);
    }

    #[test]
    fn performance_scores_only_the_phase_measures_and_pays_its_share() {
        let p = program();
        let inputs = Inputs::build(&p, &data());
        let whole = evaluate(&p, &inputs);
        let ph = phase(PhaseKind::Performance, &["m0"], 0.5);
        let mut out = Results::default();
        let r = pay_phase(&p, &ph, &inputs, &whole, &mut out);
        assert_eq!(r.pool_cents, 500_001);
        assert_eq!(out.measures.len(), 1);
        assert_eq!(out.measures[0].id, "m0");
        // One domain left, so min_domains drops to 1 and m0 alone makes a total.
        assert_eq!(r.counted, 5);
        assert!(out.payment.paid_cents <= r.pool_cents);
        assert!(out.payment.paid_cents > 0);
        // The same as scoring a program that only has m0, with the phase's pool.
        let mut only = p.clone();
        only.measures.retain(|m| m.id == "m0");
        only.scoring.min_domains = 1;
        only.payment.pool = Pool::Fixed { cents: 500_001 };
        let direct = evaluate(&only, &Inputs::build(&only, &data()));
        assert_eq!(out.payment.earned, direct.payment.earned);
        // A success phase follows the same rule.
        let ph = phase(PhaseKind::Success, &["m0", "m1"], 0.3);
        let r = pay_phase(&p, &ph, &inputs, &whole, &mut out);
        assert_eq!(r.pool_cents, 300_000);
        assert!(out.payment.paid_cents <= 300_000);
    }

    #[test]
    fn a_withhold_pool_withholds_the_phase_share() {
        let mut p = program();
        p.payment.pool = Pool::Withhold { percent: 2.0 };
        let ph = phase(PhaseKind::Performance, &["m0", "m1"], 0.5);
        let q = phase_program(&p, &ph, 0);
        assert_eq!(q.payment.pool, Pool::Withhold { percent: 1.0 });
    }

    #[test]
    fn no_one_to_pay_leaves_the_pool_unpaid() {
        let p = program();
        let (r, out) = run(&p, &phase(PhaseKind::Reporting, &["zz"], 0.5));
        assert_eq!(r.counted, 0);
        assert_eq!(out.payment.paid_cents, 0);
        assert_eq!(out.payment.unallocated_cents, r.pool_cents);
    }
}
