//! Reliability: how likely chance alone puts a provider on the other side of the earning line
//! (resampling, in the background), a funnel plot per measure, and flagged exclusions.

use super::{Job, percent};
use crate::app::StepCtx;
use crate::engine::reliability::{
    self, Cancelled, FunnelZone, MeasureReliability, RELIABLE, ResampleOptions, Uncertainty,
};
use egui::{Color32, RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

#[derive(Default)]
pub struct ReliabilityView {
    /// Resampled data sets per run.
    pub draws: Option<usize>,
    /// Measure shown in the funnel plot.
    pub measure: Option<String>,
    measures: Option<(u64, Vec<MeasureReliability>)>,
    uncertainty: Option<(u64, Uncertainty)>,
    job: Option<(u64, Job<Result<Uncertainty, Cancelled>>)>,
    note: Option<String>,
    pub exceptions: super::exceptions::ExceptionsView,
}

impl ReliabilityView {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let generation = ctx.session.results_generation;
        self.resample_ui(ui, ctx, generation);
        ui.add_space(12.0);
        self.funnel_ui(ui, ctx, generation);
        ui.add_space(12.0);
        self.exceptions.ui(ui, ctx);
    }

    /// Whether a resampling result is shown (for tests).
    pub fn has_uncertainty(&self) -> bool {
        self.uncertainty.is_some()
    }

    fn resample_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>, generation: u64) {
        ui.label(RichText::new("Could chance put providers on the other side?").strong());
        if let Some((g, job)) = &self.job {
            match job.poll() {
                Some(done) => {
                    let g = *g;
                    self.job = None;
                    match done {
                        Some(Ok(u)) => {
                            self.note = None;
                            self.uncertainty = Some((g, u));
                        }
                        Some(Err(Cancelled)) => {
                            self.note = Some("Resampling was cancelled.".into())
                        }
                        None => self.note = Some("Resampling stopped unexpectedly.".into()),
                    }
                }
                None => {
                    if job.progress_ui(ui) {
                        self.job = None;
                        self.note = Some("Resampling was cancelled.".into());
                    }
                    return;
                }
            }
        }
        let mut draws = self.draws.unwrap_or(200);
        ui.horizontal(|ui| {
            let l = ui.label("Resampled data sets");
            ui.add(egui::DragValue::new(&mut draws).range(10..=5000))
                .labelled_by(l.id);
            if ui.button("Resample").clicked() {
                self.start(ui, ctx, generation, draws);
            }
        });
        self.draws = Some(draws);
        if let Some(n) = &self.note {
            ui.label(n);
        }
        let Some((g, u)) = &self.uncertainty else {
            ui.label(RichText::new("Redraws every provider's numerators from its own rate and denominator, then scores and pays each draw.").weak());
            return;
        };
        if *g != generation {
            ui.label(
                RichText::new(
                    "These figures are for an earlier version of the design: resample again.",
                )
                .weak(),
            );
        }
        if u.measures_resampled.is_empty() {
            ui.label("No measure has counts (numerators and denominators) to resample.");
            return;
        }
        let scored = u.scored.iter().filter(|s| **s).count();
        let could = (u.share_could_flip * scored as f64).round() as usize;
        ui.add(egui::Label::new(RichText::new(format!(
            "Over {} resampled data sets, about {} of providers would be misclassified by chance alone (earning when they should not, or the reverse). {} of {} scored providers ({}) have at least a {:.0}% chance of landing on the other side.",
            u.draws,
            percent(u.misclassification_rate),
            could,
            scored,
            percent(u.share_could_flip),
            100.0 * u.flip_threshold
        )).size(16.0)).wrap());
    }

    fn start(&mut self, ui: &Ui, ctx: &mut StepCtx<'_>, generation: u64, draws: usize) {
        let Some(obs) = ctx.session.observations.clone() else {
            return;
        };
        let program = ctx.program.clone();
        let opts = ResampleOptions {
            draws,
            ..ResampleOptions::default()
        };
        let job = Job::start(
            format!("Resampling {draws} data sets…"),
            ui.ctx(),
            move |h| reliability::resample(&program, &obs, &opts, &|p| h.progress(p), &h.cancel),
        );
        self.job = Some((generation, job));
    }

    fn funnel_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>, generation: u64) {
        let Some(obs) = ctx.session.observations.clone() else {
            return;
        };
        if self.measures.as_ref().is_none_or(|(g, _)| *g != generation) {
            self.measures = Some((generation, reliability::reliability(ctx.program, &obs)));
        }
        let Some((_, measures)) = &self.measures else {
            return;
        };
        ui.label(RichText::new("Funnel plot").strong());
        if measures.is_empty() {
            ui.label("No scored measure has counts, so there is no funnel to draw.");
            return;
        }
        let mut chosen = self
            .measure
            .clone()
            .filter(|m| measures.iter().any(|r| &r.measure_id == m))
            .unwrap_or_else(|| measures[0].measure_id.clone());
        egui::ComboBox::from_label("Measure")
            .selected_text(&chosen)
            .show_ui(ui, |ui| {
                for m in measures {
                    ui.selectable_value(&mut chosen, m.measure_id.clone(), &m.measure_id);
                }
            });
        self.measure = Some(chosen.clone());
        let Some(m) = measures.iter().find(|m| m.measure_id == chosen) else {
            return;
        };
        let outside = m
            .zone
            .iter()
            .filter(|z| matches!(z, FunnelZone::Above998 | FunnelZone::Below998))
            .count();
        ui.add(egui::Label::new(format!(
            "{}: pooled rate {}; median reliability {:.2}, {} of {} providers at {:.1} or more; a denominator of about {:.0} reaches {:.1}. {} providers lie beyond the 99.8% limits.",
            m.measure_id,
            percent(m.mean_rate),
            m.median_reliability,
            percent(m.share_reliable),
            m.providers,
            RELIABLE,
            m.denominator_for_reliable,
            RELIABLE,
            outside
        )).wrap());
        let mut inside = Vec::new();
        let mut warn = Vec::new();
        let mut alarm = Vec::new();
        for i in 0..m.rate.len() {
            let (r, n) = (m.rate[i], m.denominator[i]);
            if !r.is_finite() || !n.is_finite() {
                continue;
            }
            let p = [n, r];
            match m.zone[i] {
                FunnelZone::Above998 | FunnelZone::Below998 => alarm.push(p),
                FunnelZone::Above95 | FunnelZone::Below95 => warn.push(p),
                _ => inside.push(p),
            }
        }
        let f = &m.funnel;
        let curve =
            |ys: &[f64]| -> Vec<[f64; 2]> { f.n.iter().zip(ys).map(|(n, y)| [*n, *y]).collect() };
        Plot::new("funnel")
            .height(340.0)
            .legend(Legend::default())
            .x_axis_label("Denominator (patients)")
            .y_axis_label("Rate")
            .show(ui, |p| {
                let grey = Color32::from_gray(120);
                let red = Color32::from_rgb(200, 40, 40);
                if !f.n.is_empty() {
                    p.line(
                        Line::new(
                            "Pooled rate",
                            PlotPoints::from(vec![
                                [f.n[0], f.mean],
                                [*f.n.last().unwrap_or(&f.n[0]), f.mean],
                            ]),
                        )
                        .color(grey),
                    );
                    p.line(
                        Line::new("95% limits", PlotPoints::from(curve(&f.upper95)))
                            .color(Color32::from_rgb(230, 150, 0))
                            .id("u95"),
                    );
                    p.line(
                        Line::new("95% limits", PlotPoints::from(curve(&f.lower95)))
                            .color(Color32::from_rgb(230, 150, 0))
                            .id("l95"),
                    );
                    p.line(
                        Line::new("99.8% limits", PlotPoints::from(curve(&f.upper998)))
                            .color(red)
                            .id("u998"),
                    );
                    p.line(
                        Line::new("99.8% limits", PlotPoints::from(curve(&f.lower998)))
                            .color(red)
                            .id("l998"),
                    );
                }
                p.points(
                    Points::new("Within limits", PlotPoints::from(inside))
                        .radius(2.5)
                        .color(Color32::from_rgb(40, 90, 170)),
                );
                p.points(
                    Points::new("Beyond 95%", PlotPoints::from(warn))
                        .radius(3.0)
                        .color(Color32::from_rgb(230, 150, 0)),
                );
                p.points(
                    Points::new("Beyond 99.8%", PlotPoints::from(alarm))
                        .radius(3.5)
                        .color(red),
                );
            });
    }
}
