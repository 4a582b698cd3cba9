//! Checks of loaded data against a program: what cannot be scored and why.

use super::observations::Observations;
use crate::program::{PeriodRef, Problem, Program, StandardRule};

/// Problems that stop a program's measures from being scored on these data.
pub fn check_data(program: &Program, obs: &Observations) -> Vec<Problem> {
    // What loading noticed but did not refuse: the designer sees it before trusting a result.
    let mut out: Vec<Problem> = obs
        .load_report
        .warnings
        .iter()
        .map(|w| Problem::warning(w.to_string()))
        .collect();
    if obs.provider_count() == 0 {
        out.push(Problem::error("the data has no providers"));
        return out;
    }
    let s = &program.standards;
    for m in program.scored_measures() {
        let supplied = obs.supplied.get(&m.id);
        if m.supplied_score {
            if supplied.is_none_or(|v| v.score.iter().all(|x| x.is_nan())) {
                out.push(Problem::error(format!(
                    "measure {}: its points are supplied by the data, but no column gives them",
                    m.id
                )));
            }
            continue;
        }
        let reported = |period: &str| {
            obs.series(&m.id, period)
                .map(|v| (0..obs.provider_count()).filter(|&i| v.reported(i)).count())
                .unwrap_or(0)
        };
        if reported(&s.performance_period) == 0 {
            out.push(Problem::error(format!(
                "measure {}: no provider reported it in period \"{}\"",
                m.id, s.performance_period
            )));
        }
        if reported(&s.baseline_period) == 0 {
            let on_baseline = [s.threshold_for(&m.id), s.benchmark_for(&m.id)]
                .into_iter()
                .any(|r| {
                    matches!(
                        r,
                        StandardRule::Percentile {
                            of: PeriodRef::Baseline,
                            ..
                        } | StandardRule::TopDecileMean {
                            of: PeriodRef::Baseline
                        }
                    )
                });
            out.push(Problem::warning(if on_baseline {
                format!(
                    "measure {}: no baseline in period \"{}\", but its threshold or benchmark \
                     is set from the baseline, so it earns no points at all; set the standards \
                     on the performance period (step 5) or load baseline data",
                    m.id, s.baseline_period
                )
            } else {
                format!(
                    "measure {}: no baseline in period \"{}\", so no improvement points",
                    m.id, s.baseline_period
                )
            }));
        }
        let supplied_missing = |pick: fn(&super::observations::SuppliedValues) -> &Vec<f64>| {
            supplied.is_none_or(|v| pick(v).iter().all(|x| x.is_nan()))
        };
        for (what, rule, missing) in [
            (
                "threshold",
                s.threshold_for(&m.id),
                supplied_missing(|v| &v.threshold),
            ),
            (
                "benchmark",
                s.benchmark_for(&m.id),
                supplied_missing(|v| &v.benchmark),
            ),
        ] {
            if *rule == StandardRule::Supplied && missing {
                out.push(Problem::error(format!(
                    "measure {}: the {what} is to be supplied by the data, but no column gives it",
                    m.id
                )));
            }
        }
    }
    out.extend(super::equity::check_equity_bonus(program, obs));
    out
}
