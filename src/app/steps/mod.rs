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
pub use crate::program::plan::{
    GapTotals, LevelTotals, Step, StepStatus, area_name, gap_totals, remove_measure,
    remove_service_area, set_accountability,
};
pub use implement::{Check, phase_checks};

use super::session::Session;
use crate::program::{Program, plan};

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
    // Wrapped: in a narrow pane the status goes under the title instead of over it.
    ui.horizontal_wrapped(|ui| {
        ui.heading(step.title());
        let st = status(step, ctx.program, ctx.session);
        widgets::status_chip(ui, &st);
    });
    ui.label(egui::RichText::new(step.purpose()).weak());
    ui.add_space(4.0);
}

/// Whether a step is done, and if not, the first thing that needs attention: the plan's own
/// checks, judged on what the session has loaded and computed.
pub fn status(step: Step, program: &Program, session: &Session) -> StepStatus {
    plan::status(step, program, &session.evidence(program))
}

/// Everything that keeps a step from being done, most important first.
pub fn problems(step: Step, program: &Program, session: &Session) -> Vec<String> {
    plan::problems(step, program, &session.evidence(program))
}
