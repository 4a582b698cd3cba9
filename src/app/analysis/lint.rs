//! The design linter: the engine's findings on the current design, each with its evidence and a
//! suggested fix.

use crate::app::StepCtx;
use crate::engine::lint::{Finding, Severity, lint};
use egui::{RichText, Ui};

#[derive(Default)]
pub struct LintView {
    /// Findings and the results generation they were computed for.
    findings: Option<(u64, Vec<Finding>)>,
}

impl LintView {
    /// The findings shown (for tests).
    pub fn findings(&self) -> &[Finding] {
        self.findings.as_ref().map_or(&[], |(_, f)| f.as_slice())
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let generation = ctx.session.results_generation;
        // While a slider is being dragged the results change every frame: the findings wait
        // for the release rather than run the whole linter in each frame.
        let dragging = self.findings.is_some() && ui.input(|i| i.pointer.any_down());
        if dragging {
            ui.ctx().request_repaint();
        }
        if !dragging && self.findings.as_ref().is_none_or(|(g, _)| *g != generation) {
            let (Some(obs), Some(inputs), Some(results)) = (
                ctx.session.observations.clone(),
                ctx.session.inputs.clone(),
                ctx.session.results.as_ref(),
            ) else {
                return;
            };
            let found = lint(ctx.program, &obs, &inputs, results);
            self.findings = Some((generation, found));
        }
        let Some((_, found)) = &self.findings else {
            return;
        };
        if found.is_empty() {
            ui.label("No known pitfall found in this design.");
            return;
        }
        ui.label(format!(
            "{} finding(s). They are advice: each says what the data shows and what might fix it.",
            found.len()
        ));
        ui.add_space(6.0);
        for f in found {
            let colour = match f.severity {
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Advice => ui.visuals().text_color(),
            };
            ui.group(|ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(format!("{} · {}", f.check.label(), f.severity.label()))
                        .color(colour)
                        .strong(),
                );
                ui.label(&f.message);
                for e in &f.evidence {
                    ui.label(RichText::new(format!("• {e}")).weak());
                }
                ui.label(format!("Fix: {}", f.fix));
            });
            ui.add_space(4.0);
        }
    }
}
