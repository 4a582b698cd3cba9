//! Checks of loaded data against a program: what cannot be scored and why.

use super::observations::Observations;
use super::standards::resolve;
use crate::program::{AchievementCurve, ImprovementCurve, Problem, Program, StandardRule};

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
            // A warning, not an error: the other measures can still be scored and paid.
            out.push(Problem::warning(format!(
                "measure {}: no provider reported it in period \"{}\", so it is not scored",
                m.id, s.performance_period
            )));
        }
        if reported(&s.baseline_period) == 0 {
            // Pass/fail and z-scores read no threshold or benchmark.
            let reads_standards = !matches!(
                program.scoring.achievement,
                AchievementCurve::PassFail { .. } | AchievementCurve::StandardisedZ { .. }
            );
            let on_baseline = reads_standards && s.reads_baseline(&m.id);
            // Without improvement points and with standards set otherwise, a missing
            // baseline costs nothing.
            let uses_baseline =
                on_baseline || !matches!(program.scoring.improvement, ImprovementCurve::None);
            if uses_baseline {
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
        }
        let supplied_missing = |pick: fn(&super::observations::SuppliedValues) -> &[f64]| {
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
            // Curves that score against the threshold alone never read a benchmark.
            let unused = what == "benchmark"
                && matches!(
                    program.scoring.achievement,
                    AchievementCurve::ExcessOverThreshold | AchievementCurve::StandardisedZ { .. }
                );
            if *rule == StandardRule::Supplied && missing && !unused {
                // No column at all is a mapping to mend; a column with no values (CMS suppressed
                // a measure one year) leaves just that measure unscored.
                out.push(if supplied.is_none() {
                    Problem::error(format!(
                        "measure {}: the {what} is to be supplied by the data, but no column gives it",
                        m.id
                    ))
                } else {
                    Problem::warning(format!(
                        "measure {}: the data give no {what} for it, so it is not scored",
                        m.id
                    ))
                });
            }
        }
    }
    out.extend(standards_problems(program, obs));
    out.extend(super::equity::check_equity_bonus(program, obs));
    if let (true, Some(name)) = (
        program.standards.by_peer_group,
        &program.standards.peer_groups_from,
    ) && let Err(e) = super::equity::peer_group_labels(&obs.providers, name)
    {
        out.push(Problem::warning(format!(
            "standards.peer_groups_from: {e}, so every provider is in one peer group"
        )));
    }
    out
}

/// Standards that cannot be set, or that are crossed, on these data: one warning per measure.
fn standards_problems(program: &Program, obs: &Observations) -> Vec<Problem> {
    let mut out = Vec::new();
    let s = &program.standards;
    if matches!(
        program.scoring.achievement,
        AchievementCurve::PassFail { .. } | AchievementCurve::StandardisedZ { .. }
    ) {
        // Pass/fail and z-scores read no threshold or benchmark.
        return out;
    }
    let inputs = super::inputs::Inputs::build(program, obs);
    let several = inputs.group_names.len() > 1;
    for m in inputs.measures.iter().filter(|m| !m.supplied_score) {
        let (t_rule, b_rule) = (s.threshold_for(&m.id), s.benchmark_for(&m.id));
        let (mut unset, mut crossed) = (Vec::new(), Vec::new());
        for (g, name) in inputs.group_names.iter().enumerate() {
            let at = |rule: &StandardRule, supplied: &[f64]| {
                resolve(
                    rule,
                    m.sign,
                    &m.baseline_dist[g],
                    &m.performance_dist[g],
                    supplied[g],
                )
            };
            let (t, b) = (
                at(t_rule, &m.supplied_threshold),
                at(b_rule, &m.supplied_benchmark),
            );
            // A supplied standard with no column is already an error above.
            let supplied_gap = (t.is_nan() && *t_rule == StandardRule::Supplied)
                || (b.is_nan() && *b_rule == StandardRule::Supplied);
            if (t.is_nan() || b.is_nan()) && !supplied_gap {
                unset.push(name.as_str());
            } else if b < t {
                crossed.push((name.as_str(), t * m.sign, b * m.sign));
            }
        }
        let groups = |names: Vec<&str>| {
            if several {
                format!(" in peer group(s) {}", names.join(", "))
            } else {
                String::new()
            }
        };
        if !unset.is_empty() {
            out.push(Problem::warning(format!(
                "measure {}: the threshold or benchmark cannot be set{} (no data for its rule), so the measure is not scored there",
                m.id,
                groups(unset)
            )));
        }
        if let Some(&(_, t, b)) = crossed.first() {
            out.push(Problem::warning(format!(
                "measure {}: crossed standards{}: the benchmark {b} is worse than the threshold {t}, so only a result at or beyond the benchmark earns achievement points (all of them)",
                m.id,
                groups(crossed.iter().map(|c| c.0).collect())
            )));
        }
    }
    out
}
