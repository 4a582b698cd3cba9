//! Structural checks of a program document: what a designer should fix before trusting results.

use super::{Distribution, Pool, Program, StandardRule};
use std::collections::HashSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            message: message.into(),
        }
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{tag}: {}", self.message)
    }
}

/// The most vital-few measures a service area should carry.
pub const VITAL_FEW_MAX: usize = 7;

/// Checks a program for inconsistencies; an empty list means none were found.
pub fn validate(p: &Program) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for m in &p.measures {
        if m.id.trim().is_empty() {
            out.push(Problem::error(format!("measure \"{}\" has no id", m.title)));
        } else if !ids.insert(m.id.as_str()) {
            out.push(Problem::error(format!("measure id {} is used twice", m.id)));
        }
        if !(m.weight.is_finite() && m.weight >= 0.0) {
            out.push(Problem::error(format!(
                "measure {}: weight {} must be zero or more",
                m.id, m.weight
            )));
        }
        if m.vital_few
            && !p.scoring.domains.is_empty()
            && !p.scoring.domains.iter().any(|d| d.id == m.domain)
        {
            out.push(Problem::error(format!(
                "measure {}: domain \"{}\" is not one of the scoring domains",
                m.id, m.domain
            )));
        }
        if let Some(min) = m.min_denominator
            && !(min.is_finite() && min >= 0.0)
        {
            out.push(Problem::error(format!(
                "measure {}: minimum denominator {min} must be zero or more",
                m.id
            )));
        }
    }
    if p.scored_measures().next().is_none() {
        out.push(Problem::warning(
            "no measure is marked as one of the vital few, so nothing is scored",
        ));
    }
    let areas: HashSet<&str> = p.service_areas.iter().map(|s| s.id.as_str()).collect();
    for c in &p.crosswalk {
        if !ids.contains(c.measure_id.as_str()) {
            out.push(Problem::error(format!(
                "crosswalk names unknown measure {}",
                c.measure_id
            )));
        }
        if !areas.contains(c.service_area_id.as_str()) {
            out.push(Problem::error(format!(
                "crosswalk names unknown service area {}",
                c.service_area_id
            )));
        }
    }
    for a in &p.service_areas {
        let n = p
            .measures
            .iter()
            .filter(|m| m.vital_few && m.service_areas.iter().any(|s| s == &a.id))
            .count();
        if n > VITAL_FEW_MAX {
            out.push(Problem::warning(format!(
                "service area {} has {n} vital-few measures (aim for 3–{VITAL_FEW_MAX})",
                a.name
            )));
        }
    }
    let share: f64 = p.phases.iter().map(|ph| ph.pool_share).sum();
    if share > 1.0 + 1e-9 {
        out.push(Problem::error(format!(
            "phase pool shares add to {:.0}% (more than the whole pool)",
            share * 100.0
        )));
    }
    for ph in &p.phases {
        for id in &ph.measure_ids {
            if !ids.contains(id.as_str()) {
                out.push(Problem::error(format!(
                    "phase {} names unknown measure {id}",
                    ph.name
                )));
            }
        }
    }
    let s = &p.standards;
    let mut rules: Vec<(&str, &StandardRule)> = vec![
        ("threshold", &s.threshold),
        ("benchmark", &s.benchmark),
        ("floor", &s.floor),
    ];
    for o in &s.overrides {
        if !ids.contains(o.measure_id.as_str()) {
            out.push(Problem::error(format!(
                "standards override names unknown measure {}",
                o.measure_id
            )));
        }
        rules.extend(o.threshold.iter().map(|r| ("threshold", r)));
        rules.extend(o.benchmark.iter().map(|r| ("benchmark", r)));
        rules.extend(o.floor.iter().map(|r| ("floor", r)));
    }
    for (what, r) in rules {
        match r {
            StandardRule::Percentile { p, .. } if !(0.0..=100.0).contains(p) => out.push(
                Problem::error(format!("{what} percentile {p} must be between 0 and 100")),
            ),
            StandardRule::Fixed(v) if !v.is_finite() => out.push(Problem::error(format!(
                "{what} fixed value must be a number"
            ))),
            _ => {}
        }
    }
    if s.baseline_period.trim().is_empty() || s.performance_period.trim().is_empty() {
        out.push(Problem::error(
            "baseline and performance periods must both be named",
        ));
    }
    let sc = &p.scoring;
    if !sc.domains.is_empty() {
        let w: f64 = sc.domains.iter().map(|d| d.weight).sum();
        if w.is_nan()
            || w <= 0.0
            || sc
                .domains
                .iter()
                .any(|d| d.weight.is_nan() || d.weight < 0.0)
        {
            out.push(Problem::error(
                "domain weights must be zero or more and not all zero",
            ));
        }
        if sc.min_domains > sc.domains.len() {
            out.push(Problem::error(format!(
                "a total score needs {} domains but the program has {}",
                sc.min_domains,
                sc.domains.len()
            )));
        }
    }
    let pay = &p.payment;
    match &pay.pool {
        Pool::Fixed { cents } if *cents < 0 => out.push(Problem::error("the pool is negative")),
        Pool::Fixed { cents: 0 } => out.push(Problem::warning("the pool is $0")),
        Pool::Withhold { percent } | Pool::PercentOfSpend { percent }
            if !(0.0..=100.0).contains(percent) =>
        {
            out.push(Problem::error(format!(
                "pool percentage {percent} must be 0–100"
            )))
        }
        Pool::Pmpm {
            cents_per_member_month,
            ..
        } if *cents_per_member_month < 0 => out.push(Problem::error("the PMPM amount is negative")),
        _ => {}
    }
    match &pay.distribution {
        Distribution::LinearExchange | Distribution::LogisticExchange { .. }
            if !matches!(pay.pool, Pool::Withhold { .. }) =>
        {
            out.push(Problem::warning(
                "exchange functions pay back a withhold; the pool is not a withhold",
            ))
        }
        Distribution::LogisticExchange { payback_share, .. }
            if !(0.0..=100.0).contains(payback_share) =>
        {
            out.push(Problem::error("the logistic payback share must be 0–100%"))
        }
        Distribution::WorstShareReduction {
            worst_percent,
            percent,
        } if !((0.0..=100.0).contains(worst_percent) && (0.0..=100.0).contains(percent)) => out
            .push(Problem::error(
                "the penalised share and the share of base payments lost must be 0–100%",
            )),
        Distribution::Reduction {
            scale, max_percent, ..
        } if !(scale.is_finite() && *scale >= 0.0 && (0.0..=100.0).contains(max_percent)) => out
            .push(Problem::error(
                "the payment reduction needs a scale ≥ 0 and a most-lost share of 0–100%",
            )),
        Distribution::LogisticExchange {
            stated_k: Some(k), ..
        } if !(k.is_finite() && *k >= 0.0) => {
            out.push(Problem::error("the stated logistic k must be a number ≥ 0"))
        }
        _ => {}
    }
    out
}
