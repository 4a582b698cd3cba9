//! Synthetic data: deterministic, realistic in shape, and carrying the reverse Robin Hood
//! effect; the sample program is complete and round-trips through RON.

use p4p_designer::engine::{AttributeValues, Observations, PeriodValues};
use p4p_designer::program::{
    Direction, Eligibility, Layout, Pool, Program, Severity, WeightBy, validate,
};
use p4p_designer::synth::{self, SynthSpec};
use p4p_designer::{catalogue, data};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn sample() -> &'static Observations {
    static DATA: OnceLock<Observations> = OnceLock::new();
    DATA.get_or_init(synth::medicaid_primary_care_data)
}

fn numeric<'a>(obs: &'a Observations, name: &str) -> &'a [f64] {
    match &obs.providers.stratifier(name).unwrap().values {
        AttributeValues::Numeric(v) => v,
        AttributeValues::Text(_) => panic!("{name} is text"),
    }
}

fn text<'a>(obs: &'a Observations, name: &str) -> &'a [String] {
    match &obs.providers.stratifier(name).unwrap().values {
        AttributeValues::Text(v) => v,
        AttributeValues::Numeric(_) => panic!("{name} is numeric"),
    }
}

/// Every value as bits, so that NaN cells compare equal.
fn fingerprint(obs: &Observations) -> (Vec<String>, Vec<u64>) {
    let p = &obs.providers;
    let mut strings: Vec<String> = [&p.ids, &p.names, &p.service_area, &p.peer_group]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let mut bits: Vec<u64> = [&p.lives, &p.base_payments, &p.spend, &p.benchmark_spend]
        .into_iter()
        .flatten()
        .map(|x| x.to_bits())
        .collect();
    for s in &p.stratifiers {
        strings.push(s.name.clone());
        match &s.values {
            AttributeValues::Numeric(v) => bits.extend(v.iter().map(|x| x.to_bits())),
            AttributeValues::Text(v) => strings.extend(v.iter().cloned()),
        }
    }
    for ((m, period), v) in &obs.series {
        strings.push(format!("{m}/{period}"));
        for col in [
            &v.numerator,
            &v.denominator,
            &v.rate,
            &v.exclusions,
            &v.expected,
        ] {
            bits.extend(col.iter().map(|x| x.to_bits()));
        }
    }
    (strings, bits)
}

fn corr(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn higher_is_better(ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter(|id| {
            synth::MEASURES
                .iter()
                .any(|t| &t.id == id && t.direction == Direction::HigherIsBetter)
        })
        .cloned()
        .collect()
}

/// Each practice's mean performance-period rate over the higher-is-better measures it has a
/// rate for, with the stratifier value alongside.
fn mean_rates(obs: &Observations, stratifier: &str) -> (Vec<f64>, Vec<f64>) {
    let measures = higher_is_better(&obs.measure_ids());
    let strat = numeric(obs, stratifier);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (i, value) in strat.iter().enumerate() {
        let rates: Vec<f64> = measures
            .iter()
            .map(|m| obs.series(m, "performance").unwrap().effective_rate(i))
            .filter(|r| !r.is_nan())
            .collect();
        if !rates.is_empty() {
            xs.push(*value);
            ys.push(rates.iter().sum::<f64>() / rates.len() as f64);
        }
    }
    (xs, ys)
}

#[test]
fn same_spec_same_data_and_seed_matters() {
    let spec = SynthSpec::new(500, 9, 42);
    let a = synth::generate(&spec);
    let b = synth::generate(&spec);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    let c = synth::generate(&SynthSpec {
        seed: 43,
        ..spec.clone()
    });
    assert_ne!(fingerprint(&a).1, fingerprint(&c).1);
    // Provider ids do not depend on the seed; everything random does.
    assert_eq!(a.providers.ids, c.providers.ids);
    assert_ne!(a.providers.lives, c.providers.lives);
    // Asking for more measures leaves the first ones unchanged (one stream per measure).
    let more = synth::generate(&SynthSpec {
        measures: 10,
        ..spec
    });
    assert_eq!(
        fingerprint_of_series(a.series("CBP-AD", "performance").unwrap()),
        fingerprint_of_series(more.series("CBP-AD", "performance").unwrap())
    );
}

fn fingerprint_of_series(v: &PeriodValues) -> Vec<u64> {
    [&v.numerator, &v.denominator, &v.exclusions]
        .into_iter()
        .flat_map(|c| c.iter())
        .map(|x| x.to_bits())
        .collect()
}

#[test]
fn the_sample_data_is_pinned() {
    // Guards the shipped CSVs: a change to the generator shows here first.
    let obs = sample();
    assert_eq!(obs.provider_count(), 300);
    assert_eq!(obs.providers.ids[0], "PC0001");
    assert_eq!(obs.providers.ids[299], "PC0300");
    assert_eq!(obs.find_provider("PC0150"), Some(149));
    let lives: f64 = obs.providers.lives.iter().sum();
    assert!((400_000.0..900_000.0).contains(&lives), "{lives}");
}

#[test]
fn shapes_and_periods() {
    let obs = sample();
    let n = obs.provider_count();
    assert_eq!(obs.measure_ids(), {
        let mut ids = synth::measure_ids(7);
        ids.sort();
        ids
    });
    assert_eq!(obs.periods(), ["2026Q1", "baseline", "performance"]);
    // Seven measures in two periods, the first four also monitored.
    assert_eq!(obs.series.len(), 7 * 2 + 4);
    for v in obs.series.values() {
        assert_eq!(v.numerator.len(), n);
        assert_eq!(v.denominator.len(), n);
        assert!(v.rate.iter().all(|x| x.is_nan()));
        assert!(v.expected.iter().all(|x| x.is_nan()));
    }
    let p = &obs.providers;
    for col in [&p.lives, &p.base_payments, &p.spend, &p.benchmark_spend] {
        assert_eq!(col.len(), n);
        assert!(col.iter().all(|x| x.is_finite() && *x > 0.0));
    }
    assert!(
        p.lives
            .iter()
            .all(|l| (200.0..=20_000.0).contains(l) && l.fract() == 0.0)
    );
    assert!(p.names.iter().all(|s| !s.is_empty()));
    let mut names = p.names.clone();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "practice names are distinct");
    let names: Vec<&str> = p.stratifiers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, synth::STRATIFIERS);
    assert!(
        numeric(obs, "dual_share")
            .iter()
            .all(|x| (0.0..=1.0).contains(x))
    );
    assert!(
        numeric(obs, "complex_share")
            .iter()
            .all(|x| (0.0..=1.0).contains(x))
    );
    assert!(
        text(obs, "safety_net")
            .iter()
            .all(|x| x == "yes" || x == "no")
    );
    assert!(text(obs, "rural").iter().all(|x| x == "yes" || x == "no"));
    for values in [text(obs, "safety_net"), text(obs, "rural")] {
        let yes = values.iter().filter(|x| *x == "yes").count();
        assert!(yes > 30 && yes < 270, "{yes} of 300");
    }
    let mut groups = p.peer_group.clone();
    groups.sort();
    groups.dedup();
    assert_eq!(groups.len(), 6, "{groups:?}");
    assert!(
        p.service_area
            .iter()
            .all(|s| s == "primary_care" || s == "behavioural_health")
    );
    // Payments are proportional to lives.
    assert!(corr(&p.lives, &p.base_payments) > 0.95);
    assert!(corr(&p.lives, &p.spend) > 0.9);
}

#[test]
fn counts_are_whole_consistent_and_present_in_scored_periods() {
    let obs = sample();
    for ((m, period), v) in &obs.series {
        let mut reported = 0;
        for i in 0..obs.provider_count() {
            let (num, den, ex) = (v.numerator[i], v.denominator[i], v.exclusions[i]);
            if period == "2026Q1" && den.is_nan() {
                assert!(num.is_nan() && ex.is_nan());
                continue;
            }
            reported += 1;
            assert!(
                num.is_finite() && den.is_finite() && ex.is_finite(),
                "{m} {period} {i}"
            );
            assert!(num.fract() == 0.0 && den.fract() == 0.0 && ex.fract() == 0.0);
            assert!(
                num >= 0.0 && ex >= 0.0 && num <= den - ex,
                "{m} {period} {i}"
            );
        }
        if period == "2026Q1" {
            // Monitoring data are incomplete, but most practices report.
            let share = reported as f64 / obs.provider_count() as f64;
            assert!((0.6..0.97).contains(&share), "{m}: {share}");
        } else {
            assert_eq!(reported, obs.provider_count());
        }
    }
    // Some measures have exclusions; FUH-AD has small denominators.
    let cbp = obs.series("CBP-AD", "baseline").unwrap();
    assert!(cbp.exclusions.iter().sum::<f64>() > 0.0);
    let fuh = obs.series("FUH-AD", "baseline").unwrap();
    let small = fuh.denominator.iter().filter(|d| **d < 15.0).count();
    assert!(small > 20, "{small} practices below 15 FUH-AD discharges");
}

#[test]
fn rates_are_plausible_and_improve_modestly() {
    let obs = sample();
    for t in synth::MEASURES.iter().take(7) {
        let base = obs.series(t.id, "baseline").unwrap();
        let perf = obs.series(t.id, "performance").unwrap();
        let (mut b, mut p) = (0.0, 0.0);
        let (mut nb, mut np) = (0.0, 0.0);
        let mut improved = 0;
        let mut both = 0;
        for i in 0..obs.provider_count() {
            let (rb, rp) = (base.effective_rate(i), perf.effective_rate(i));
            if rb.is_nan() || rp.is_nan() {
                continue;
            }
            b += base.numerator[i];
            nb += base.eligible_denominator(i);
            p += perf.numerator[i];
            np += perf.eligible_denominator(i);
            both += 1;
            if (rp - rb) * t.direction.sign() > 0.0 {
                improved += 1;
            }
        }
        let (pooled_b, pooled_p) = (b / nb, p / np);
        assert!(
            (pooled_b - t.base_rate).abs() < 0.12,
            "{}: baseline {pooled_b} vs typical {}",
            t.id,
            t.base_rate
        );
        let gain = (pooled_p - pooled_b) * t.direction.sign();
        assert!(gain > 0.0 && gain < 0.08, "{}: pooled gain {gain}", t.id);
        let share = improved as f64 / both as f64;
        assert!((0.5..0.95).contains(&share), "{}: {share} improved", t.id);
    }
}

#[test]
fn reverse_robin_hood_is_there_to_find() {
    let obs = sample();
    let (dual, rates) = mean_rates(obs, "dual_share");
    let r_dual = corr(&dual, &rates);
    assert!(r_dual < -0.3, "corr(dual share, mean rate) = {r_dual}");
    let (complex, rates) = mean_rates(obs, "complex_share");
    let r_complex = corr(&complex, &rates);
    assert!(
        r_complex < -0.3,
        "corr(complex share, mean rate) = {r_complex}"
    );
    // Readmissions (lower is better) rise with complexity.
    let pcr = obs.series("PCR-AD", "performance").unwrap();
    let complex = numeric(obs, "complex_share");
    let (xs, ys): (Vec<f64>, Vec<f64>) = (0..obs.provider_count())
        .map(|i| (complex[i], pcr.effective_rate(i)))
        .filter(|(_, r)| !r.is_nan())
        .unzip();
    let r_pcr = corr(&xs, &ys);
    assert!(
        r_pcr > 0.2,
        "corr(complex share, readmission rate) = {r_pcr}"
    );

    // Without the risk gradient the effect largely goes away.
    let flat = synth::generate(&SynthSpec {
        risk_gradient: 0.0,
        ..synth::sample_spec()
    });
    let (dual, rates) = mean_rates(&flat, "dual_share");
    let r_flat = corr(&dual, &rates);
    assert!(r_flat > r_dual + 0.25, "{r_flat} vs {r_dual}");
}

#[test]
fn small_practices_are_noisier() {
    let obs = synth::generate(&SynthSpec::new(3000, 7, 7));
    let v = |lo: f64, hi: f64| {
        let base = obs.series("CBP-AD", "baseline").unwrap();
        let perf = obs.series("CBP-AD", "performance").unwrap();
        let d: Vec<f64> = (0..obs.provider_count())
            .filter(|&i| (lo..hi).contains(&obs.providers.lives[i]))
            .map(|i| perf.effective_rate(i) - base.effective_rate(i))
            .filter(|x| !x.is_nan())
            .collect();
        let m = d.iter().sum::<f64>() / d.len() as f64;
        d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / d.len() as f64
    };
    let (small, large) = (v(200.0, 700.0), v(4000.0, 20_001.0));
    assert!(small > 3.0 * large, "variance small {small} large {large}");
}

#[test]
fn many_measures_and_providers() {
    let spec = SynthSpec {
        monitoring_period: None,
        ..SynthSpec::new(20_000, 16, 3)
    };
    let obs = synth::generate(&spec);
    assert_eq!(obs.provider_count(), 20_000);
    assert_eq!(obs.providers.ids[0], "PC00001");
    assert_eq!(obs.series.len(), 32);
    assert!(obs.measure_ids().contains(&"CBP-AD.2".to_owned()));
    assert_eq!(obs.periods(), ["baseline", "performance"]);
}

#[test]
fn synth_measures_are_catalogue_measures() {
    for t in &synth::MEASURES {
        let e = catalogue::find(t.id, None).unwrap_or_else(|| panic!("{} not catalogued", t.id));
        assert_eq!(e.title, t.title, "{}", t.id);
        assert_eq!(e.direction, t.direction, "{}", t.id);
    }
}

#[test]
fn sample_program_is_complete() {
    let p = synth::medicaid_primary_care_program();
    let problems = validate(&p);
    assert!(
        problems.iter().all(|x| x.severity != Severity::Error),
        "{problems:?}"
    );
    let vital: Vec<String> = p.scored_measures().map(|m| m.id.clone()).collect();
    assert_eq!(vital, synth::measure_ids(7));
    assert!((15..=25).contains(&p.measures.len()));
    for m in &p.measures {
        let e = catalogue::find(&m.id, None).unwrap();
        assert_eq!(m.title, e.title);
        assert!(
            !m.rationale.is_empty() && m.rationale_score.total() > 0,
            "{}",
            m.id
        );
        assert!(!m.service_areas.is_empty());
        assert!(p.crosswalk.iter().any(|c| c.measure_id == m.id));
    }
    for m in p.scored_measures() {
        assert!(p.scoring.domains.iter().any(|d| d.id == m.domain));
        assert!(m.phase.is_some() && m.min_denominator.is_some());
        // Every scored measure has data.
        assert!(
            sample()
                .series(&m.id, &p.standards.performance_period)
                .is_some()
        );
        assert!(
            sample()
                .series(&m.id, &p.standards.baseline_period)
                .is_some()
        );
    }
    assert!(
        p.scored_measures()
            .any(|m| m.direction == Direction::LowerIsBetter)
    );
    assert!((5..=6).contains(&p.service_areas.len()));
    assert!(p.population.segments.len() >= 5 && !p.population.priorities.is_empty());
    assert!(p.gaps.len() >= 8 && p.gaps.iter().map(|g| g.cost_cents).sum::<i64>() > 0);
    assert_eq!(p.phases.len(), 4);
    let shares: f64 = p.phases.iter().map(|ph| ph.pool_share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    assert!(p.phases.iter().all(|ph| ph.start.starts_with("202")));
    assert_eq!(p.payment.pool, Pool::Fixed { cents: 400_000_000 });
    assert_eq!(p.payment.eligibility, Eligibility::ImproveOrBenchmark);
    assert_eq!(p.payment.weight_by, WeightBy::AttributedLives);
    assert!(p.payment.cap.is_some());
    assert_eq!(
        p.implementation.monitoring_period.as_deref(),
        Some("2026Q1")
    );
    let layouts: Vec<&str> = p
        .data
        .files
        .iter()
        .map(|f| match f.layout {
            Layout::Providers(_) => "providers",
            Layout::Long(_) => "long",
            _ => "other",
        })
        .collect();
    assert_eq!(layouts, ["providers", "long"]);
}

#[test]
fn sample_program_round_trips_through_ron() {
    let p = synth::medicaid_primary_care_program();
    let text = p.to_ron();
    assert_eq!(Program::from_ron(&text).unwrap(), p);
}

#[test]
fn program_for_scores_what_was_generated() {
    let spec = SynthSpec::new(100, 10, 5);
    let p = synth::program_for(&spec);
    let mut vital: Vec<String> = p.scored_measures().map(|m| m.id.clone()).collect();
    let mut generated = synth::measure_ids(10);
    vital.sort();
    generated.sort();
    assert_eq!(vital, generated);
    assert!(validate(&p).iter().all(|x| x.severity != Severity::Error));
    let p = synth::program_for(&SynthSpec::new(100, 16, 5));
    assert!(p.measure("CBP-AD.2").is_some_and(|m| m.vital_few));
    assert_eq!(p.scored_measures().count(), 16);
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_programs")
}

/// Writes the sample program and its CSVs under `dir`.
fn write_sample(dir: &Path) {
    let data_dir = dir.join("data/medicaid_primary_care");
    std::fs::create_dir_all(&data_dir).unwrap();
    let program = synth::medicaid_primary_care_program();
    std::fs::write(dir.join("medicaid_primary_care.ron"), program.to_ron()).unwrap();
    let obs = sample();
    data::write_providers_csv(obs, &data_dir.join("providers.csv")).unwrap();
    data::write_observations_long_csv(obs, &data_dir.join("performance.csv")).unwrap();
}

/// Rewrites `sample_programs/medicaid_primary_care.ron` and its data:
/// `cargo test --test all -- --ignored regenerate_samples`.
#[test]
#[ignore]
fn regenerate_samples() {
    write_sample(&samples_dir());
}

#[test]
fn shipped_sample_files_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    write_sample(tmp.path());
    for file in [
        "medicaid_primary_care.ron",
        "data/medicaid_primary_care/providers.csv",
        "data/medicaid_primary_care/performance.csv",
    ] {
        let shipped = std::fs::read(samples_dir().join(file)).unwrap_or_default();
        let fresh = std::fs::read(tmp.path().join(file)).unwrap();
        assert!(
            shipped == fresh,
            "sample_programs/{file} is stale: cargo test --test all -- --ignored regenerate_samples"
        );
    }
}

#[test]
fn shipped_sample_loads_back_and_pays_the_pool() {
    let dir = samples_dir();
    let ron = std::fs::read_to_string(dir.join("medicaid_primary_care.ron")).unwrap();
    let program = Program::from_ron(&ron).unwrap();
    let loaded = data::load_program_data(&program, &dir).unwrap();
    let obs = sample();
    // The CSVs carry every value exactly.
    assert_eq!(loaded.providers.ids, obs.providers.ids);
    assert_eq!(loaded.providers.names, obs.providers.names);
    assert_eq!(loaded.providers.peer_group, obs.providers.peer_group);
    assert_eq!(loaded.providers.lives, obs.providers.lives);
    assert_eq!(loaded.providers.spend, obs.providers.spend);
    assert_eq!(numeric(&loaded, "dual_share"), numeric(obs, "dual_share"));
    assert_eq!(text(&loaded, "safety_net"), text(obs, "safety_net"));
    assert_eq!(loaded.series.len(), obs.series.len());
    for ((m, period), v) in &obs.series {
        let w = loaded.series(m, period).unwrap();
        for (a, b) in [
            (&v.numerator, &w.numerator),
            (&v.denominator, &w.denominator),
            (&v.exclusions, &w.exclusions),
        ] {
            let bits = |c: &[f64]| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(b), "{m} {period}");
        }
    }

    let (_, results) = p4p_designer::engine::run(&program, &loaded);
    let pay = &results.payment;
    assert_eq!(pay.pool_cents, 400_000_000);
    assert_eq!(pay.paid_cents + pay.unallocated_cents, 400_000_000);
    assert!(pay.paid_cents > 390_000_000, "{} paid", pay.paid_cents);
    let earning = results.earning_count();
    assert!((150..300).contains(&earning), "{earning} practices earn");
    assert!(pay.earned.iter().all(|c| *c >= 0 && *c <= 7_500_000));

    // The reverse Robin Hood effect shows in the money: practices with more dual-eligible
    // members earn less per attributed life.
    let dual = numeric(&loaded, "dual_share");
    let per_life: Vec<f64> = (0..loaded.provider_count())
        .map(|i| pay.earned[i] as f64 / loaded.providers.lives[i])
        .collect();
    let r = corr(dual, &per_life);
    assert!(r < -0.1, "corr(dual share, payout per life) = {r}");
    let (xs, scores): (Vec<f64>, Vec<f64>) = (0..loaded.provider_count())
        .filter(|&i| results.total[i].is_finite())
        .map(|i| (dual[i], results.total[i]))
        .unzip();
    let r_score = corr(&xs, &scores);
    assert!(r_score < -0.2, "corr(dual share, total score) = {r_score}");
}
