//! The equity lens: payment figures by stratum, the reverse Robin Hood scatter and the
//! counters (peer groups, O/E adjustment, improvement credit, equity bonus) off and on.

use super::{Job, per_life, percent};
use crate::app::StepCtx;
use crate::app::widgets::money;
use crate::engine::equity::{self, CounterResult, EquityReport, RiskGradient};
use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

#[derive(Default)]
pub struct EquityView {
    /// The stratifier shown in the table (None: the risk stratifier).
    pub stratifier: Option<String>,
    report: Option<(u64, Result<EquityReport, String>)>,
    counters: Option<(u64, Vec<CounterResult>)>,
    counters_job: Option<(u64, Job<Vec<CounterResult>>)>,
}

impl EquityView {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let generation = ctx.session.results_generation;
        let (Some(obs), Some(results)) = (&ctx.session.observations, &ctx.session.results) else {
            return;
        };
        if self.report.as_ref().is_none_or(|(g, _)| *g != generation) {
            let r = equity::equity_report(&obs.providers, results, None).map_err(|e| e.to_string());
            self.report = Some((generation, r));
        }
        // Taken out while drawing (so the view can be borrowed mutably) and put back after.
        let Some((g, report)) = self.report.take() else {
            return;
        };
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, &e);
                self.report = Some((g, Err(e)));
                return;
            }
        };
        self.report_ui(ui, ctx, generation, &report);
        self.report = Some((g, Ok(report)));
    }

    fn report_ui(
        &mut self,
        ui: &mut Ui,
        ctx: &mut StepCtx<'_>,
        generation: u64,
        report: &EquityReport,
    ) {
        let o = &report.overall;
        ui.label(format!(
            "{} providers, {} paid net, {} per attributed life; {} earning, {} penalised.",
            o.providers,
            money(o.net_cents),
            per_life(o.payout_per_life),
            percent(o.share_earning),
            percent(o.share_penalised)
        ));
        ui.add_space(8.0);
        if report.strata.is_empty() {
            ui.label("The providers have no stratifiers (e.g. dual-eligible share) to group by.");
        } else {
            self.strata_ui(ui, report);
        }
        ui.add_space(12.0);
        match &report.risk {
            Some(g) => gradient_ui(ui, g),
            None => {
                ui.label(
                    "No numeric social-risk stratifier in the data: no reverse Robin Hood check.",
                );
            }
        }
        ui.add_space(12.0);
        self.counters_ui(ui, ctx, generation);
    }

    fn strata_ui(&mut self, ui: &mut Ui, report: &EquityReport) {
        let default = report
            .risk
            .as_ref()
            .map(|g| g.stratifier.clone())
            .unwrap_or_else(|| report.strata[0].stratifier.clone());
        let mut chosen = self.stratifier.clone().unwrap_or(default);
        if !report.strata.iter().any(|s| s.stratifier == chosen) {
            chosen = report.strata[0].stratifier.clone();
        }
        egui::ComboBox::from_label("Group providers by")
            .selected_text(&chosen)
            .show_ui(ui, |ui| {
                for s in &report.strata {
                    ui.selectable_value(&mut chosen, s.stratifier.clone(), &s.stratifier);
                }
            });
        self.stratifier = Some(chosen.clone());
        let Some(s) = report.strata.iter().find(|s| s.stratifier == chosen) else {
            return;
        };
        ui.add_space(4.0);
        egui::Grid::new("equity_strata")
            .striped(true)
            .num_columns(7)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                for h in [
                    "Stratum",
                    "Providers",
                    "Lives",
                    "Paid (net)",
                    "Payout per life",
                    "Earning / penalised",
                    "Mean score",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for st in &s.strata {
                    ui.label(&st.label);
                    ui.label(st.providers.to_string());
                    ui.label(if st.lives.is_finite() {
                        crate::app::widgets::thousands(st.lives.round() as u64)
                    } else {
                        "—".into()
                    });
                    ui.label(money(st.net_cents));
                    ui.label(RichText::new(per_life(st.payout_per_life)).strong());
                    ui.label(format!(
                        "{} / {}",
                        percent(st.share_earning),
                        percent(st.share_penalised)
                    ));
                    ui.label(if st.mean_total.is_finite() {
                        format!("{:.1}", st.mean_total)
                    } else {
                        "—".into()
                    });
                    ui.end_row();
                }
            });
    }

    fn counters_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>, generation: u64) {
        ui.label(RichText::new("Counters to the reverse Robin Hood effect").strong());
        if let Some((g, job)) = &self.counters_job {
            if let Some(done) = job.poll() {
                let g = *g;
                self.counters_job = None;
                if let Some(c) = done {
                    self.counters = Some((g, c));
                }
            } else if job.progress_ui(ui) {
                self.counters_job = None;
                return;
            } else {
                return;
            }
        }
        let fresh = self
            .counters
            .as_ref()
            .is_some_and(|(g, _)| *g == generation);
        if !fresh {
            if self.counters.is_none() {
                self.start_counters(ui, ctx, generation);
                ui.spinner();
                return;
            }
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("These figures are for an earlier version of the design.").weak(),
                );
                if ui.button("Recompute counters").clicked() {
                    self.start_counters(ui, ctx, generation);
                }
            });
        }
        let Some((_, counters)) = &self.counters else {
            return;
        };
        if counters.is_empty() {
            ui.label("No numeric risk stratifier: the counters cannot be compared.");
            return;
        }
        egui::Grid::new("equity_counters")
            .striped(true)
            .num_columns(5)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                for h in [
                    "Counter",
                    "Off: high ÷ low risk per life",
                    "On: high ÷ low risk per life",
                    "Off: slope per unit",
                    "On: slope per unit",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for c in counters {
                    ui.label(&c.label);
                    ui.label(ratio(c.off.gradient.top_bottom_ratio));
                    ui.label(RichText::new(ratio(c.on.gradient.top_bottom_ratio)).strong());
                    ui.label(per_life(c.off.gradient.payout.slope));
                    ui.label(per_life(c.on.gradient.payout.slope));
                    ui.end_row();
                }
            });
    }

    fn start_counters(&mut self, ui: &Ui, ctx: &mut StepCtx<'_>, generation: u64) {
        let Some(obs) = ctx.session.observations.clone() else {
            return;
        };
        let program = ctx.program.clone();
        let job = Job::start("Comparing counters…", ui.ctx(), move |h| {
            let out = equity::compare_counters(&program, &obs);
            h.progress(1.0);
            out
        });
        self.counters_job = Some((generation, job));
    }
}

fn ratio(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "—".into()
    }
}

/// The reverse Robin Hood indicator in words and as a scatter with its OLS line.
fn gradient_ui(ui: &mut Ui, g: &RiskGradient) {
    ui.label(RichText::new(format!("Payout per life against {}", g.stratifier)).strong());
    let words = if !g.top_bottom_ratio.is_finite() {
        "Payout per life cannot be compared across risk strata (attributed lives unknown)."
            .to_owned()
    } else if g.top_bottom_ratio < 0.95 {
        format!(
            "Reverse Robin Hood: the highest-risk providers get {} per life against {} for the lowest-risk ones ({:.0}% as much); each unit of {} goes with {} per life.",
            per_life(g.top_payout_per_life),
            per_life(g.bottom_payout_per_life),
            100.0 * g.top_bottom_ratio,
            g.stratifier,
            per_life(g.payout.slope)
        )
    } else {
        format!(
            "No reverse Robin Hood: the highest-risk providers get {} per life against {} for the lowest-risk ones (ratio {:.2}).",
            per_life(g.top_payout_per_life),
            per_life(g.bottom_payout_per_life),
            g.top_bottom_ratio
        )
    };
    ui.add(egui::Label::new(words).wrap());
    let pts: Vec<[f64; 2]> =
        g.x.iter()
            .zip(&g.payout_per_life)
            .filter(|(_, y)| y.is_finite())
            .map(|(x, y)| [*x, *y])
            .collect();
    let (lo, hi) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p[0]), b.max(p[0]))
        });
    let (slope, icpt) = (g.payout.slope, g.payout.intercept);
    Plot::new("equity_scatter")
        .height(320.0)
        .legend(Legend::default())
        .x_axis_label(g.stratifier.clone())
        .y_axis_label("Payout per life ($)")
        .show(ui, |p| {
            p.points(Points::new("Providers", PlotPoints::from(pts.clone())).radius(2.5));
            if lo.is_finite() && slope.is_finite() && icpt.is_finite() {
                let line = vec![[lo, icpt + slope * lo], [hi, icpt + slope * hi]];
                p.line(Line::new("Least-squares line", PlotPoints::from(line)).width(2.5));
            }
        });
}
