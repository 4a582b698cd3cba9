//! The seven design steps, one module each.
//!
//! Every screen edits the [`Program`] in place and reads loaded data and engine results from
//! the [`Session`]; anything app-wide (dialogs, loading, switching steps) is asked for with an
//! [`Action`]. No screen computes standards, scores or payments: those come from the engine's
//! `Results`.

mod baselines;
mod gaps;
mod identify;
mod implement;
mod import;
mod payment;
mod phase;
mod vital_few;
pub mod widgets;

pub use super::{Action, StepCtx};
pub use gaps::{GapTotals, LevelTotals, totals as gap_totals};
pub use implement::{Check, phase_checks};
pub use vital_few::set_accountability;

use super::session::Session;
use crate::program::Program;
use serde::{Deserialize, Serialize};

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
    fn from_problems(problems: Vec<String>) -> StepStatus {
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

/// Draws a step's screen.
pub fn step_ui(step: Step, ui: &mut egui::Ui, ctx: &mut StepCtx) {
    ui.push_id(("step", step), |ui| {
        header(step, ui, ctx);
        match step {
            Step::Identify => identify::ui(ui, ctx),
            Step::VitalFew => vital_few::ui(ui, ctx),
            Step::Gaps => gaps::ui(ui, ctx),
            Step::Phase => phase::ui(ui, ctx),
            Step::Baselines => baselines::ui(ui, ctx),
            Step::Payment => payment::ui(ui, ctx),
            Step::Implement => implement::ui(ui, ctx),
        }
    });
}

/// The step's title, purpose and current status, above its screen.
fn header(step: Step, ui: &mut egui::Ui, ctx: &mut StepCtx) {
    ui.horizontal(|ui| {
        ui.heading(step.title());
        let st = status(step, ctx.program, ctx.session);
        widgets::status_chip(ui, &st);
    });
    ui.label(egui::RichText::new(step.purpose()).weak());
    ui.add_space(4.0);
}

/// Whether a step is done, and if not, the first thing that needs attention.
pub fn status(step: Step, program: &Program, session: &Session) -> StepStatus {
    let problems = problems(step, program, session);
    StepStatus::from_problems(problems)
}

/// Everything that keeps a step from being done, most important first.
pub fn problems(step: Step, program: &Program, session: &Session) -> Vec<String> {
    match step {
        Step::Identify => identify::problems(program),
        Step::VitalFew => vital_few::problems(program),
        Step::Gaps => gaps::problems(program),
        Step::Phase => phase::problems(program),
        Step::Baselines => baselines::problems(program, session),
        Step::Payment => payment::problems(program, session),
        Step::Implement => implement::problems(program, session),
    }
}

/// Removes a measure and every reference to it (crosswalk, gaps, phases, standards overrides),
/// so the document never points at a measure it no longer has.
pub fn remove_measure(program: &mut Program, id: &str) {
    program.measures.retain(|m| m.id != id);
    program.crosswalk.retain(|c| c.measure_id != id);
    for g in &mut program.gaps {
        g.measure_ids.retain(|m| m != id);
    }
    for p in &mut program.phases {
        p.measure_ids.retain(|m| m != id);
    }
    program.standards.overrides.retain(|o| o.measure_id != id);
}

/// Removes a service area and every reference to it (crosswalk, measures' areas).
pub fn remove_service_area(program: &mut Program, id: &str) {
    program.service_areas.retain(|a| a.id != id);
    program.crosswalk.retain(|c| c.service_area_id != id);
    for m in &mut program.measures {
        m.service_areas.retain(|a| a != id);
    }
}

/// The display name of a service area (its id when it has no name).
pub(crate) fn area_name(program: &Program, id: &str) -> String {
    program
        .service_areas
        .iter()
        .find(|a| a.id == id)
        .map(|a| {
            if a.name.is_empty() {
                a.id.clone()
            } else {
                a.name.clone()
            }
        })
        .unwrap_or_else(|| id.to_owned())
}
