//! Structural checks of a program document: what a designer should fix before trusting results.

use super::plan::Step;
use super::{
    AchievementCurve, Distribution, Eligibility, Limit, Pool, Program, StandardRule, WeightBy,
};
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

/// The largest amount of money a program may state, in cents ($10 trillion): far beyond any
/// real program, and small enough that every sum of such amounts stays exact in f64 and i64.
pub const MAX_CENTS: i64 = 1_000_000_000_000_000;

/// The largest measure or domain weight: weights are relative, and larger ones only risk
/// overflowing the sums they enter.
pub const MAX_WEIGHT: f64 = 1e6;

/// Problems found so far, each with the design step whose screen edits what it is about.
struct Found {
    /// The step the next problems concern.
    step: Step,
    list: Vec<(Step, Problem)>,
}

impl Found {
    fn push(&mut self, p: Problem) {
        self.list.push((self.step, p));
    }
}

/// A number as a message shows it: 1e308 rather than its 309 digits.
fn short(v: f64) -> String {
    if v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The longest phase or gap, in months (a century).
pub const MAX_MONTHS: u32 = 1200;

/// An error naming `field` unless `ok`.
fn require(out: &mut Found, ok: bool, field: &str, what: impl fmt::Display) {
    if !ok {
        out.push(Problem::error(format!("{field}: {what}")));
    }
}

fn cents_in_range(c: i64) -> bool {
    (0..=MAX_CENTS).contains(&c)
}

/// A limit (cap or floor) that is a number of cents in range, or a percentage 0–100.
fn check_limit(out: &mut Found, field: &str, limit: &Option<Limit>) {
    match limit {
        Some(Limit::Cents(c)) => require(
            out,
            cents_in_range(*c),
            field,
            format!("{c} cents must be 0 to {MAX_CENTS}"),
        ),
        Some(Limit::PercentOfBase(p)) => require(
            out,
            (0.0..=100.0).contains(p),
            field,
            format!("{p}% of base payments must be 0–100"),
        ),
        None => {}
    }
}

/// Checks a program for inconsistencies; an empty list means none were found.
pub fn validate(p: &Program) -> Vec<Problem> {
    validate_by_step(p).into_iter().map(|(_, p)| p).collect()
}

/// The problems [`validate`] finds about what `step` edits (a cap is step 6's, a percentile
/// step 5's), so that a step is not shown done while `validate` reports an error in it.
pub fn validate_step(p: &Program, step: Step) -> Vec<Problem> {
    validate_by_step(p)
        .into_iter()
        .filter(|(s, _)| *s == step)
        .map(|(_, p)| p)
        .collect()
}

/// [`validate`]'s problems, each with the step it concerns.
pub fn validate_by_step(p: &Program) -> Vec<(Step, Problem)> {
    let mut out = Found {
        step: Step::Identify,
        list: Vec::new(),
    };
    let mut ids = HashSet::new();
    for m in &p.measures {
        out.step = Step::Identify;
        if m.id.trim().is_empty() {
            out.push(Problem::error(format!("measure \"{}\" has no id", m.title)));
        } else if !ids.insert(m.id.as_str()) {
            out.push(Problem::error(format!("measure id {} is used twice", m.id)));
        }
        out.step = Step::Payment;
        if !(m.weight.is_finite() && m.weight >= 0.0) {
            out.push(Problem::error(format!(
                "measure {}: weight {} must be zero or more",
                m.id, m.weight
            )));
        } else if m.weight > MAX_WEIGHT {
            out.push(Problem::error(format!(
                "measure {}: weight {} must be at most {MAX_WEIGHT}",
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
        out.step = Step::Baselines;
        if let Some(min) = m.min_denominator
            && !(min.is_finite() && min >= 0.0)
        {
            out.push(Problem::error(format!(
                "measure {}: minimum denominator {min} must be zero or more",
                m.id
            )));
        }
    }
    out.step = Step::VitalFew;
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
    out.step = Step::Gaps;
    for (i, g) in p.gaps.iter().enumerate() {
        let field = format!("gaps[{i}]");
        require(
            &mut out,
            cents_in_range(g.cost_cents),
            &field,
            format!("cost {} cents must be 0 to {MAX_CENTS}", g.cost_cents),
        );
        require(
            &mut out,
            (0.0..=MAX_MONTHS as f64).contains(&g.months),
            &field,
            format!(
                "{} months to close must be 0 to {MAX_MONTHS}",
                short(g.months)
            ),
        );
    }
    out.step = Step::Phase;
    for (i, ph) in p.phases.iter().enumerate() {
        let field = if ph.name.is_empty() {
            format!("phases[{i}]")
        } else {
            format!("phases[{i}] \"{}\"", ph.name)
        };
        require(
            &mut out,
            (0.0..=1.0).contains(&ph.pool_share),
            &field,
            format!(
                "pool share {} must be a share from 0 to 1",
                short(ph.pool_share)
            ),
        );
        require(
            &mut out,
            ph.months <= MAX_MONTHS,
            &field,
            format!("{} months must be at most {MAX_MONTHS}", ph.months),
        );
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
    out.step = Step::Baselines;
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
    out.step = Step::Payment;
    let sc = &p.scoring;
    // Measure and domain scores share one set of column names ("X score").
    for d in &sc.domains {
        if ids.contains(d.id.as_str()) {
            out.push(Problem::error(format!(
                "domain id {} is also the id of measure {}; ids must differ across measures and domains",
                d.id, d.id
            )));
        }
        if d.weight > MAX_WEIGHT {
            out.push(Problem::error(format!(
                "domain {}: weight {} must be at most {MAX_WEIGHT}",
                d.id, d.weight
            )));
        }
    }
    for d in &sc.domains {
        if let Some(c) = &d.consistency {
            // The domain is (100 − max_points) × base share + consistency points.
            require(
                &mut out,
                (0.0..=100.0).contains(&c.max_points),
                &format!("domain {}: consistency", d.id),
                format!("max_points {} must be 0 to 100", c.max_points),
            );
        }
    }
    if let Some(eb) = &sc.equity_bonus {
        for (name, v) in [
            ("top_third_points", eb.top_third_points),
            ("middle_third_points", eb.middle_third_points),
            ("max_points", eb.max_points),
        ] {
            require(
                &mut out,
                (0.0..=100.0).contains(&v),
                &format!("scoring.equity_bonus {name}"),
                format!("{v} must be 0 to 100"),
            );
        }
        let numbers: &[f64] = match &eb.multiplier {
            super::UnderservedMultiplier::Linear { zero_at, one_at } => &[*zero_at, *one_at],
            super::UnderservedMultiplier::Logistic {
                midpoint,
                slope,
                zero_below,
            } => &[*midpoint, *slope, *zero_below],
            super::UnderservedMultiplier::Rank { zero_below } => &[*zero_below],
        };
        require(
            &mut out,
            numbers.iter().all(|v| v.is_finite()),
            "scoring.equity_bonus multiplier",
            format!("{numbers:?} must be numbers"),
        );
    }
    let points_ok = |x: f64| x.is_finite() && (0.0..=1e6).contains(&x);
    match &sc.achievement {
        AchievementCurve::Linear { max: x } | AchievementCurve::PassFail { points: x } => require(
            &mut out,
            points_ok(*x),
            "scoring.achievement",
            format!("points {x} must be 0 to 1,000,000"),
        ),
        AchievementCurve::Tiers { tiers } => {
            for t in tiers {
                require(
                    &mut out,
                    points_ok(t.points) && t.at.is_finite(),
                    "scoring.achievement tiers",
                    format!(
                        "tier at {} with {} points must be numbers, points 0 to 1,000,000",
                        t.at, t.points
                    ),
                );
            }
        }
        _ => {}
    }
    if let Some(t) = &sc.improvement_target {
        require(
            &mut out,
            (0.0..=1.0).contains(&t.gap_share),
            "scoring.improvement_target.gap_share",
            format!("{} must be a share from 0 to 1", short(t.gap_share)),
        );
        require(
            &mut out,
            t.min_step.is_finite() && t.min_step >= 0.0,
            "scoring.improvement_target.min_step",
            format!(
                "{} must be a number ≥ 0, in the measure's own units",
                short(t.min_step)
            ),
        );
    }
    if let super::ImprovementCurve::Linear { max } = &sc.improvement {
        require(
            &mut out,
            points_ok(*max),
            "scoring.improvement",
            format!("points {max} must be 0 to 1,000,000"),
        );
    }
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
        Pool::Fixed { cents } if *cents > MAX_CENTS => out.push(Problem::error(format!(
            "payment.pool: {cents} cents is more than {MAX_CENTS}"
        ))),
        Pool::Fixed { cents: 0 } if pay.distribution.pays_from_pool() => {
            out.push(Problem::warning("the pool is $0"))
        }
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
        Pool::Pmpm {
            cents_per_member_month,
            ..
        } if *cents_per_member_month > MAX_CENTS => out.push(Problem::error(format!(
            "payment.pool: {cents_per_member_month} cents per member month is more than {MAX_CENTS}"
        ))),
        _ => {}
    }
    let base = pay.default_base_payments;
    require(
        &mut out,
        base.is_finite() && base >= 0.0 && base * 100.0 <= MAX_CENTS as f64,
        "payment.default_base_payments",
        format!("{base} must be 0 to {}", MAX_CENTS / 100),
    );
    check_limit(&mut out, "payment.cap", &pay.cap);
    check_limit(&mut out, "payment.floor", &pay.floor);
    if let Eligibility::MinScore(min) = pay.eligibility {
        require(
            &mut out,
            min.is_finite(),
            "payment.eligibility",
            format!("minimum score {min} must be a number"),
        );
    }
    let exchange = matches!(
        pay.distribution,
        Distribution::LinearExchange | Distribution::LogisticExchange { .. }
    );
    // Each check stands alone: one problem must not hide another.
    if exchange && !matches!(pay.pool, Pool::Withhold { .. }) {
        out.push(Problem::warning(
            "exchange functions pay back a withhold; the pool is not a withhold",
        ))
    }
    match &pay.distribution {
        Distribution::LogisticExchange {
            payback_share,
            slope,
            midpoint,
            stated_k,
        } => {
            if let Some(k) = stated_k
                && !(k.is_finite() && *k >= 0.0)
            {
                out.push(Problem::error("the stated logistic k must be a number ≥ 0"))
            }
            if !(0.0..=100.0).contains(payback_share) {
                out.push(Problem::error(format!(
                    "payment.distribution: the logistic payback share {payback_share} must be 0–100%"
                )))
            }
            require(
                &mut out,
                slope.is_finite() && midpoint.is_finite(),
                "payment.distribution",
                format!("the logistic slope {slope} and midpoint {midpoint} must be numbers"),
            );
        }
        Distribution::Tiered { tiers } => {
            for t in tiers {
                require(
                    &mut out,
                    cents_in_range(t.cents) && t.min_score.is_finite(),
                    "payment.distribution tiers",
                    format!(
                        "a tier of {} cents from score {} needs 0 to {MAX_CENTS} cents and a number",
                        t.cents, t.min_score
                    ),
                );
            }
        }
        Distribution::Ladder { rungs } => {
            require(
                &mut out,
                !rungs.is_empty(),
                "payment.distribution.rungs",
                "a ladder needs at least one rung",
            );
            for r in rungs {
                require(
                    &mut out,
                    cents_in_range(r.cents),
                    "payment.distribution.rungs",
                    format!(
                        "the rung at {} measures met pays {} cents: it must be 0 to {MAX_CENTS}",
                        r.measures_met, r.cents
                    ),
                );
            }
            if rungs
                .windows(2)
                .any(|w| w[1].measures_met <= w[0].measures_met)
            {
                out.push(Problem::error(
                    "payment.distribution.rungs: rungs must be in increasing order of measures met, each count once",
                ));
            }
            if rungs.windows(2).any(|w| w[1].cents < w[0].cents) {
                out.push(Problem::warning(
                    "payment.distribution.rungs: a higher rung pays less than the one below it",
                ));
            }
            let most = u32::try_from(p.measures.len()).unwrap_or(u32::MAX);
            if let Some(r) = rungs.iter().find(|r| r.measures_met > most) {
                out.push(Problem::warning(format!(
                    "payment.distribution.rungs: the rung at {} measures met cannot be reached with {most} measures",
                    r.measures_met
                )));
            }
        }
        Distribution::PointsValue { cents_per_point } => require(
            &mut out,
            cents_in_range(*cents_per_point),
            "payment.distribution",
            format!("{cents_per_point} cents per point must be 0 to {MAX_CENTS}"),
        ),
        Distribution::SharedSavings(ss) => {
            for (name, v) in [
                ("min_savings_rate", ss.min_savings_rate),
                ("sharing_rate", ss.sharing_rate),
                ("cap_rate", ss.cap_rate),
                ("min_loss_rate", ss.min_loss_rate),
                ("loss_sharing_rate", ss.loss_sharing_rate),
            ] {
                require(
                    &mut out,
                    (0.0..=1.0).contains(&v),
                    &format!("payment.distribution {name}"),
                    format!("{v} must be a share from 0 to 1"),
                );
            }
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
        _ => {}
    }
    if let Some(g) = &pay.gate {
        for id in &g.reported {
            if p.measure(id).is_none() {
                out.push(Problem::error(format!(
                    "payment.gate.reported: {id} is not a measure of this program"
                )));
            }
        }
        let most = u32::try_from(p.measures.len()).unwrap_or(u32::MAX);
        if g.min_measures_met > most {
            out.push(Problem::error(format!(
                "payment.gate.min_measures_met: {} is more than the program's {most} measures, so no one can pass",
                g.min_measures_met
            )));
        }
    }
    // Settings the chosen model has no use for: say so rather than let them look in force.
    let model = pay.distribution.label();
    let shared_savings = matches!(pay.distribution, Distribution::SharedSavings(_));
    if pay.floor.is_some() && exchange {
        out.push(Problem::warning(format!(
            "payment.floor has no effect with the {model}: its payments follow the function alone"
        )));
    }
    // A withhold is two-sided by nature: a low score loses part of it.
    if pay.two_sided && !shared_savings && !matches!(pay.pool, Pool::Withhold { .. }) {
        out.push(Problem::warning(format!(
            "payment.two_sided has no effect with {model}: only shared savings can owe money"
        )));
    }
    let penalty = matches!(
        pay.distribution,
        Distribution::Reduction { .. } | Distribution::WorstShareReduction { .. }
    );
    if pay.gate.is_some() && (exchange || shared_savings || penalty) {
        out.push(Problem::warning(format!(
            "payment.gate has no effect with {model}: every provider with a total score takes part"
        )));
    }
    if pay.eligibility != Eligibility::Any && (exchange || shared_savings) {
        out.push(Problem::warning(format!(
            "payment.eligibility has no effect with {model}: every provider with a total score takes part"
        )));
    }
    let counts_met = pay.gate.is_some() || matches!(pay.distribution, Distribution::Ladder { .. });
    if p.scoring.improvement_target.is_some()
        && !counts_met
        && pay.eligibility != Eligibility::ImproveOrBenchmark
    {
        out.push(Problem::warning(
            "scoring.improvement_target has no effect: only the \"improves or hits the benchmark\" eligibility, a gate or a ladder reads it",
        ));
    }
    if p.standards.peer_groups_from.is_some() && !p.standards.by_peer_group {
        out.push(Problem::warning(
            "standards.peer_groups_from has no effect: standards are not set by peer group (standards.by_peer_group)",
        ));
    }
    let weighted = match pay.distribution {
        Distribution::ShareOfPool | Distribution::PointsValue { .. } => true,
        // Exchange functions weight by base payments, whatever the setting says.
        Distribution::LinearExchange | Distribution::LogisticExchange { .. } => {
            pay.weight_by == WeightBy::BasePayments
        }
        _ => pay.weight_by == WeightBy::Equal,
    };
    if !weighted {
        out.push(Problem::warning(format!(
            "payment.weight_by has no effect with {model}: it pays {}",
            if exchange {
                "in proportion to base payments"
            } else {
                "each provider by its own result"
            }
        )));
    }
    // Scenarios are compared by computing their money too: each must pass on its own.
    let errors_of = |list: &[(Step, Problem)]| -> Vec<String> {
        list.iter()
            .filter(|(_, e)| e.severity == Severity::Error)
            .map(|(_, e)| e.message.clone())
            .collect()
    };
    let base = errors_of(&out.list);
    for s in &p.scenarios {
        for (param, v) in &s.overrides {
            if !v.is_finite() {
                out.push(Problem::error(format!(
                    "scenario \"{}\": {} = {v} must be a number",
                    s.name,
                    param.key()
                )));
            }
        }
        let mut applied = s.apply(p);
        applied.scenarios.clear();
        for e in errors_of(&validate_by_step(&applied)) {
            if !base.contains(&e) {
                out.push(Problem::error(format!("scenario \"{}\": {e}", s.name)));
            }
        }
    }
    out.list
}
