//! Exceptions: providers whose exclusion rates are unusually high, and what their exclusions
//! are worth to them.

use super::percent;
use crate::app::StepCtx;
use crate::app::widgets::money;
use crate::engine::exceptions::{ExceptionOptions, ExceptionReport, exception_report};
use egui::{RichText, Ui};

#[derive(Default)]
pub struct ExceptionsView {
    pub by_peer_group: bool,
    report: Option<(u64, bool, ExceptionReport)>,
}

impl ExceptionsView {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        ui.label(RichText::new("Flagged exclusions").strong());
        ui.checkbox(
            &mut self.by_peer_group,
            "Compare with the provider's own peer group",
        );
        let Some(obs) = ctx.session.observations.clone() else {
            return;
        };
        let generation = ctx.session.results_generation;
        if self
            .report
            .as_ref()
            .is_none_or(|(g, b, _)| *g != generation || *b != self.by_peer_group)
        {
            let opts = ExceptionOptions {
                by_peer_group: self.by_peer_group,
                ..ExceptionOptions::default()
            };
            let r = exception_report(ctx.program, &obs, &opts);
            self.report = Some((generation, self.by_peer_group, r));
        }
        let Some((_, _, r)) = &self.report else {
            return;
        };
        if r.measures.is_empty() {
            ui.label("The data has no exclusions to check.");
            return;
        }
        if r.flagged.is_empty() {
            ui.label("No provider's exclusion rate stands out from its peers'.");
            return;
        }
        ui.label(format!(
            "{} providers flagged on {} provider × measure pairs (above the 99.8% funnel limit or the peers' mean + 3 SD).",
            r.flagged_providers().len(),
            r.flagged.len()
        ));
        egui::Grid::new("exceptions")
            .striped(true)
            .num_columns(5)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                for h in ["Provider", "Measure", "Excluded", "Peers", "Worth to it"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for f in r.flagged.iter().take(50) {
                    ui.label(ctx.session.provider_label(f.provider as usize));
                    ui.label(&f.measure_id);
                    ui.label(percent(f.exclusion_rate));
                    ui.label(percent(f.peer_rate));
                    ui.label(money(f.payment_effect_cents));
                    ui.end_row();
                }
            });
        if r.flagged.len() > 50 {
            ui.label(RichText::new(format!("and {} more", r.flagged.len() - 50)).weak());
        }
    }
}
