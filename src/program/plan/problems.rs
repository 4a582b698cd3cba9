//! What keeps each of the seven steps from being done, most important first.
//!
//! Steps 1–4 are judged from the document alone; steps 5–7 also need what the loaded data and
//! the latest simulation show, passed in as [`Evidence`] by whoever holds them.

use super::{area_name, covers, parse_month, sources_of};
use crate::program::{
    Accountability, AchievementCurve, Capability, Distribution, GapItem, ImprovementCurve,
    PhaseKind, Pool, Problem, Program, VITAL_FEW_MAX,
};
use serde::{Deserialize, Serialize};

/// Aim for at least this many vital few per service area (and at most [`VITAL_FEW_MAX`]).
pub const VITAL_FEW_MIN: usize = 3;

/// The seven steps of designing a P4P program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    Identify,
    VitalFew,
    Gaps,
    Phase,
    Baselines,
    Payment,
    Implement,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Identify,
        Step::VitalFew,
        Step::Gaps,
        Step::Phase,
        Step::Baselines,
        Step::Payment,
        Step::Implement,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Step::Identify => "1 · Identify what's important",
            Step::VitalFew => "2 · Select the vital few",
            Step::Gaps => "3 · Gap analysis",
            Step::Phase => "4 · Revise & phase",
            Step::Baselines => "5 · Baselines & benchmarks",
            Step::Payment => "6 · Payment model",
            Step::Implement => "7 · Implement & monitor",
        }
    }

    /// 1-based position, as the steps are numbered for the designer.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// The step after this one, if any.
    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number()).copied()
    }

    /// The step before this one, if any.
    pub fn previous(self) -> Option<Step> {
        self.number().checked_sub(2).map(|i| Step::ALL[i])
    }

    /// What the step is for, in the words of the seven-step method.
    pub fn purpose(self) -> &'static str {
        match self {
            Step::Identify => {
                "Identify the performance measures that matter for the population you serve, \
                 drawing on national measurement work (Core Sets, MIPS, hospital programs, QOF)."
            }
            Step::VitalFew => {
                "Crosswalk measures to the service areas accountable for them, then pick the \
                 \"vital few\" (3–7) high-value measures for each service area."
            }
            Step::Gaps => {
                "Determine the data-collection and infrastructure requirements at provider and \
                 payer level, assess current capability, and estimate the time and cost to close \
                 each gap."
            }
            Step::Phase => {
                "Revise the measure list in light of the gap analysis and organise the program \
                 into 2–4 phases: pay for participation ➡ reporting ➡ performance ➡ success."
            }
            Step::Baselines => {
                "Load performance data to set each provider's baseline (where you are now) and \
                 each measure's threshold and benchmark (your goal)."
            }
            Step::Payment => {
                "Size the pool, choose the payment frequency and the algorithm. Recommended: a \
                 provider earns if it improves or hits the benchmark."
            }
            Step::Implement => {
                "Begin phase 1, monitor data flow and improvement, fix problems, and move to \
                 the next phase when its entry criteria are met."
            }
        }
    }
}

/// Whether a step is complete enough to move on, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    /// A short, human reason, e.g. "no candidate measures".
    NeedsAttention(String),
}

impl StepStatus {
    pub fn is_done(&self) -> bool {
        matches!(self, StepStatus::Done)
    }

    /// The reason it needs attention (None when done).
    pub fn reason(&self) -> Option<&str> {
        match self {
            StepStatus::Done => None,
            StepStatus::NeedsAttention(r) => Some(r),
        }
    }

    /// Done unless `problems` has any, in which case the first is the reason (with a count of
    /// the rest, so the sidebar stays one line).
    pub fn from_problems(problems: Vec<String>) -> StepStatus {
        match problems.len() {
            0 => StepStatus::Done,
            1 => StepStatus::NeedsAttention(problems.into_iter().next().unwrap_or_default()),
            n => StepStatus::NeedsAttention(format!(
                "{} (and {} more)",
                problems.into_iter().next().unwrap_or_default(),
                n - 1
            )),
        }
    }
}

/// Loaded performance data, as far as the step checks need to know it.
pub trait LoadedData {
    /// Whether the data hold this period.
    fn has_period(&self, period: &str) -> bool;
    /// Whether any provider reported a result for the measure in the period.
    fn any_reported(&self, measure: &str, period: &str) -> bool;
}

/// What the latest simulation showed, as far as the step checks need to know it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simulated {
    pub pool_cents: i64,
    pub paid_cents: i64,
    pub measures: Vec<SimulatedMeasure>,
}

/// One scored measure's standards in the latest simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulatedMeasure {
    pub id: String,
    /// Some group's threshold or benchmark could not be set.
    pub standards_unset: bool,
    /// Some group's threshold equals its benchmark.
    pub standards_flat: bool,
}

/// What monitoring the chosen period showed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Monitored {
    /// Share of expected results that were reported (NaN when none were expected).
    pub completeness: f64,
    /// Measures with no result at all in the period.
    pub absent: Vec<String>,
}

/// What the data and the simulation show, for the checks of steps 5–7.
#[derive(Default)]
pub struct Evidence<'a> {
    /// The loaded data (None: nothing loaded).
    pub data: Option<&'a dyn LoadedData>,
    /// Why the last load failed, if it did.
    pub data_error: Option<&'a str>,
    /// The latest simulation (None: none has run).
    pub simulation: Option<Simulated>,
    /// Monitoring of the chosen period (None: not monitored).
    pub monitoring: Option<Monitored>,
    /// `validate`'s errors about the loaded data (those it names no step for). Step 6 shows
    /// them: no money is computed or exported while they stand.
    pub data_errors: Vec<String>,
}

impl<'a> Evidence<'a> {
    /// Loaded data and nothing else.
    pub fn data(data: &'a dyn LoadedData) -> Evidence<'a> {
        Evidence {
            data: Some(data),
            ..Evidence::default()
        }
    }
}

/// Everything that keeps a step from being done, most important first: the step's own checks,
/// then `validate`'s errors about what the step edits (those the step has not already said in
/// its own words), so that no step shows done while `validate` rejects the program.
pub fn problems(step: Step, program: &Program, evidence: &Evidence) -> Vec<String> {
    let validated = crate::program::validate_by_step(program);
    problems_with(step, program, evidence, &validated)
}

/// [`problems`] with `validate`'s findings (by step) already at hand.
fn problems_with(
    step: Step,
    program: &Program,
    evidence: &Evidence,
    validated: &[(Step, crate::program::Problem)],
) -> Vec<String> {
    let mut out = step_problems(step, program, evidence);
    let errors: Vec<String> = validated
        .iter()
        .filter(|(s, p)| *s == step && p.severity == crate::program::Severity::Error)
        .map(|(_, p)| p.message.clone())
        .filter(|m| !out.iter().any(|own| m.starts_with(own.as_str())))
        .collect();
    out.extend(errors);
    out
}

/// The step's own checks, without `validate`'s.
fn step_problems(step: Step, program: &Program, evidence: &Evidence) -> Vec<String> {
    match step {
        Step::Identify => identify_problems(program),
        Step::VitalFew => vital_few_problems(program),
        Step::Gaps => gap_problems(program),
        Step::Phase => phase_problems(program),
        Step::Baselines => baseline_problems(program, evidence),
        Step::Payment => payment_problems(program, evidence),
        Step::Implement => implement_problems(program, evidence),
    }
}

/// Whether a step is done, and if not, the first thing that needs attention.
pub fn status(step: Step, program: &Program, evidence: &Evidence) -> StepStatus {
    StepStatus::from_problems(problems(step, program, evidence))
}

/// [`status`] of every step, in the order of `Step::ALL`, validating the program once for all
/// of them (validating checks each scenario on a copy of the program).
pub fn statuses(program: &Program, evidence: &Evidence) -> Vec<StepStatus> {
    let validated = crate::program::validate_by_step(program);
    Step::ALL
        .iter()
        .map(|&step| StepStatus::from_problems(problems_with(step, program, evidence, &validated)))
        .collect()
}

/// The steps' problems as warnings about the document, each named by its step. Steps that are
/// judged on a simulation or on monitoring are left out when the evidence has none.
pub fn step_warnings(program: &Program, evidence: &Evidence) -> Vec<Problem> {
    Step::ALL
        .into_iter()
        .filter(|s| match s {
            Step::Payment => evidence.simulation.is_some(),
            Step::Implement => evidence.monitoring.is_some(),
            _ => true,
        })
        .flat_map(|s| {
            // `validate` reports its own errors; repeating them here as warnings would only
            // list them twice.
            step_problems(s, program, evidence)
                .into_iter()
                .map(move |p| Problem::warning(format!("step {}: {p}", s.title())))
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Step 1.
pub fn identify_problems(program: &Program) -> Vec<String> {
    let mut out = Vec::new();
    if program.measures.is_empty() {
        out.push("no candidate measures".to_owned());
    }
    let pop = &program.population;
    if pop.description.trim().is_empty() && pop.members == 0 {
        out.push("population profile is empty".to_owned());
    }
    let no_rationale = program
        .measures
        .iter()
        .filter(|m| m.rationale.trim().is_empty())
        .count();
    if no_rationale > 0 {
        out.push(format!(
            "{no_rationale} candidate{} without a rationale",
            plural(no_rationale)
        ));
    }
    out
}

/// Whether an accountability holds a service area to a measure.
pub fn held_to(a: Option<Accountability>) -> bool {
    matches!(a, Some(Accountability::Primary | Accountability::Shared))
}

/// Per service area, in area order: (area id, vital-few measures it is held to, all measures
/// it is held to).
pub fn vital_few_counts(program: &Program) -> Vec<(String, usize, usize)> {
    program
        .service_areas
        .iter()
        .map(|a| {
            let held: Vec<bool> = program
                .measures
                .iter()
                .filter(|m| held_to(super::accountability(program, &m.id, &a.id)))
                .map(|m| m.vital_few)
                .collect();
            let vf = held.iter().filter(|v| **v).count();
            (a.id.clone(), vf, held.len())
        })
        .collect()
}

/// Step 2.
pub fn vital_few_problems(program: &Program) -> Vec<String> {
    let mut out = Vec::new();
    if program.service_areas.is_empty() {
        out.push("no service areas".to_owned());
    }
    if !program.measures.is_empty() && program.crosswalk.is_empty() {
        out.push("no measures crosswalked to a service area".to_owned());
    }
    if !program.measures.is_empty() && !program.measures.iter().any(|m| m.vital_few) {
        out.push("no vital-few measures chosen".to_owned());
    }
    for (area, vf, _) in vital_few_counts(program) {
        if vf > VITAL_FEW_MAX {
            out.push(format!(
                "service area {} has {vf} vital few (aim for {VITAL_FEW_MIN}–{VITAL_FEW_MAX})",
                area_name(program, &area)
            ));
        }
    }
    for m in program.measures.iter().filter(|m| m.vital_few) {
        if !program
            .crosswalk
            .iter()
            .any(|c| c.measure_id == m.id && held_to(Some(c.accountability)))
        {
            out.push(format!(
                "vital-few measure {} has no accountable service area",
                m.id
            ));
        }
    }
    out
}

/// Step 3.
pub fn gap_problems(program: &Program) -> Vec<String> {
    let mut out = Vec::new();
    if program.gaps.is_empty() {
        out.push("no requirements assessed".to_owned());
        return out;
    }
    let open: Vec<&GapItem> = program
        .gaps
        .iter()
        .filter(|g| g.capability != Capability::Ready)
        .collect();
    let no_cost = open.iter().filter(|g| g.cost_cents <= 0).count();
    if no_cost > 0 {
        out.push(format!(
            "gap costs missing ({no_cost} open requirement{} without a cost)",
            plural(no_cost)
        ));
    }
    let no_months = open.iter().filter(|g| g.months <= 0.0).count();
    if no_months > 0 {
        out.push(format!(
            "time to close missing ({no_months} open requirement{} without months)",
            plural(no_months)
        ));
    }
    let unnamed = program
        .gaps
        .iter()
        .filter(|g| g.requirement.trim().is_empty())
        .count();
    if unnamed > 0 {
        out.push(format!(
            "{unnamed} requirement{} without a description",
            plural(unnamed)
        ));
    }
    // Every chosen measure needs its data assessed somewhere: a requirement naming it, or a
    // program-wide one for its data source.
    let unassessed: Vec<&str> = program
        .scored_measures()
        .filter(|m| {
            !program.gaps.iter().any(|g| g.measure_ids.contains(&m.id))
                && !sources_of(m.data_source)
                    .into_iter()
                    .any(|s| covers(program, &m.id, s))
        })
        .map(|m| m.id.as_str())
        .collect();
    if !unassessed.is_empty() {
        out.push(format!(
            "data requirements not assessed for {}",
            unassessed.join(", ")
        ));
    }
    out
}

/// Step 4.
pub fn phase_problems(program: &Program) -> Vec<String> {
    let mut out = Vec::new();
    let n = program.phases.len();
    if n == 0 {
        out.push("no phases".to_owned());
        return out;
    }
    let share: f64 = program.phases.iter().map(|p| p.pool_share).sum();
    if (share - 1.0).abs() > 1e-6 {
        out.push(format!("phase pool shares add to {:.0}%", share * 100.0));
    }
    if !(2..=4).contains(&n) {
        out.push(format!("{n} phase{} (aim for 2–4)", plural(n)));
    }
    for p in &program.phases {
        let name = if p.name.is_empty() {
            p.kind.label()
        } else {
            &p.name
        };
        if parse_month(&p.start).is_none() {
            out.push(format!("phase {name} has no start month (YYYY-MM)"));
        }
        if p.kind != PhaseKind::Participation && p.measure_ids.is_empty() {
            out.push(format!("phase {name} has no measures"));
        }
    }
    let loose = program
        .scored_measures()
        .filter(|m| !program.phases.iter().any(|p| p.measure_ids.contains(&m.id)))
        .count();
    if loose > 0 {
        out.push(format!(
            "{loose} vital-few measure{} in no phase",
            if loose == 1 { " is" } else { "s are" }
        ));
    }
    out
}

/// Step 5.
pub fn baseline_problems(program: &Program, evidence: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    let Some(data) = evidence.data else {
        match evidence.data_error {
            Some(e) => out.push(format!("data could not be loaded: {e}")),
            None => out.push("no data loaded".to_owned()),
        }
        return out;
    };
    if let Some(e) = evidence.data_error {
        out.push(format!("last load failed: {e}"));
    }
    let ids: Vec<&str> = program.scored_measures().map(|m| m.id.as_str()).collect();
    if ids.is_empty() {
        out.push("no vital-few measures to set standards for".to_owned());
        return out;
    }
    let s = &program.standards;
    let missing = |period: &str| -> Vec<&str> {
        ids.iter()
            .copied()
            .filter(|id| {
                let supplied = program.measure(id).is_some_and(|m| m.supplied_score);
                !supplied && !data.any_reported(id, period)
            })
            .collect()
    };
    let no_base = missing(&s.baseline_period);
    // Pass/fail and z-scores set no standard from the baseline; without improvement points
    // nothing else reads it.
    let reads_baseline = ids.iter().any(|id| s.reads_baseline(id))
        && !matches!(
            program.scoring.achievement,
            AchievementCurve::PassFail { .. } | AchievementCurve::StandardisedZ { .. }
        );
    let needs_baseline =
        reads_baseline || !matches!(program.scoring.improvement, ImprovementCurve::None);
    if !no_base.is_empty() && needs_baseline {
        out.push(format!("no baseline data for {}", no_base.join(", ")));
    }
    let no_perf = missing(&s.performance_period);
    if !no_perf.is_empty() {
        out.push(format!(
            "no performance-period data for {}",
            no_perf.join(", ")
        ));
    }
    if let Some(r) = &evidence.simulation {
        let unset: Vec<&str> = r
            .measures
            .iter()
            .filter(|m| {
                program.measure(&m.id).is_some_and(|pm| !pm.supplied_score) && m.standards_unset
            })
            .map(|m| m.id.as_str())
            .collect();
        if !unset.is_empty() {
            out.push(format!(
                "threshold or benchmark could not be set for {}",
                unset.join(", ")
            ));
        }
        let flat: Vec<&str> = r
            .measures
            .iter()
            .filter(|m| m.standards_flat)
            .map(|m| m.id.as_str())
            .collect();
        if !flat.is_empty() {
            out.push(format!(
                "threshold equals benchmark for {}",
                flat.join(", ")
            ));
        }
    }
    out
}

/// Step 6.
pub fn payment_problems(program: &Program, evidence: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    let pay = &program.payment;
    let zero_rule = match &pay.pool {
        Pool::Fixed { cents } => *cents <= 0,
        Pool::PercentOfSpend { percent } | Pool::Withhold { percent } => *percent <= 0.0,
        Pool::Pmpm {
            cents_per_member_month,
            months,
        } => *cents_per_member_month <= 0 || *months == 0,
    };
    match &evidence.simulation {
        Some(r) if zero_rule || r.pool_cents <= 0 => out.push("pool is $0".to_owned()),
        None if zero_rule => out.push("pool is $0".to_owned()),
        _ => {}
    }
    let exchange = matches!(
        pay.distribution,
        Distribution::LinearExchange | Distribution::LogisticExchange { .. }
    );
    if exchange && !matches!(pay.pool, Pool::Withhold { .. }) {
        out.push("an exchange function needs a withhold pool".to_owned());
    }
    let sc = &program.scoring;
    if !sc.domains.is_empty() {
        if sc.domains.iter().map(|d| d.weight.max(0.0)).sum::<f64>() <= 0.0 {
            out.push("domain weights add to 0".to_owned());
        }
        let loose: Vec<&str> = program
            .scored_measures()
            .filter(|m| !sc.domains.iter().any(|d| d.id == m.domain))
            .map(|m| m.id.as_str())
            .collect();
        if !loose.is_empty() {
            out.push(format!("no scoring domain for {}", loose.join(", ")));
        }
    }
    out.extend(evidence.data_errors.iter().cloned());
    match &evidence.simulation {
        None => out.push("no simulation yet (load data in step 5)".to_owned()),
        Some(r) if r.pool_cents > 0 && r.paid_cents == 0 => {
            out.push("no provider earns anything".to_owned());
        }
        _ => {}
    }
    out
}

/// A 0–1 share as "87%".
fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0}%", share * 100.0)
    } else {
        "—".into()
    }
}

/// Step 7.
pub fn implement_problems(program: &Program, evidence: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    if program.phases.is_empty() {
        out.push("no phase plan (step 4)".to_owned());
    }
    match &program.implementation.current_phase {
        None if !program.phases.is_empty() => out.push("no phase started".to_owned()),
        Some(c) if !program.phases.iter().any(|p| &p.name == c) => {
            out.push(format!("current phase “{c}” is not in the plan"));
        }
        _ => {}
    }
    let Some(data) = evidence.data else {
        out.push("no data loaded".to_owned());
        return out;
    };
    let Some(period) = &program.implementation.monitoring_period else {
        out.push("no monitoring period chosen".to_owned());
        return out;
    };
    if !data.has_period(period) {
        out.push(format!("period {period} is not in the data"));
        return out;
    }
    let Some(mon) = &evidence.monitoring else {
        return out;
    };
    if let Some(current) = program
        .implementation
        .current_phase
        .as_ref()
        .and_then(|c| program.phases.iter().find(|p| &p.name == c))
    {
        let absent: Vec<&str> = mon
            .absent
            .iter()
            .filter(|m| current.measure_ids.contains(*m))
            .map(String::as_str)
            .collect();
        if !absent.is_empty() {
            out.push(format!("no {period} results for {}", absent.join(", ")));
        }
    }
    let c = mon.completeness;
    let target = program.implementation.completeness_target;
    if c.is_finite() && c < target {
        out.push(format!(
            "data completeness {} is below the {} target",
            percent(c),
            percent(target)
        ));
    }
    out
}
