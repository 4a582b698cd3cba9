//! Scenarios: the program's named alternatives, added from the current settings and compared
//! side by side with the design as it stands (totals, then who wins and who loses).

use super::{per_life, percent};
use crate::app::StepCtx;
use crate::app::widgets::{money, money_short};
use crate::engine::{self, CompareOptions, Comparison, SweepData};
use crate::program::{Parameter, Scenario};
use egui::{RichText, Ui};
use std::collections::BTreeSet;

#[derive(Default)]
pub struct ScenariosView {
    /// Names of the scenarios ticked for comparison.
    pub selected: BTreeSet<String>,
    /// Name typed for a new scenario.
    pub new_name: String,
    /// The last comparison, with the results generation, program and selection it is for.
    comparison: Option<(u64, Vec<String>, Result<Comparison, String>)>,
    /// The first visit ticks every scenario.
    visited: bool,
}

/// The current program's value of every parameter it has, as scenario overrides.
pub fn current_overrides(program: &crate::program::Program) -> Vec<(Parameter, f64)> {
    Parameter::ALL
        .into_iter()
        .filter_map(|p| p.get(program).map(|v| (p, v)))
        .collect()
}

fn overrides_text(o: &[(Parameter, f64)]) -> String {
    o.iter()
        .map(|(p, v)| format!("{} {}", p.label(), super::whatif::param_text(*p, *v)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ScenariosView {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        if !self.visited {
            self.visited = true;
            self.selected = ctx
                .program
                .scenarios
                .iter()
                .map(|s| s.name.clone())
                .collect();
        }
        self.list_ui(ui, ctx);
        ui.add_space(8.0);
        self.add_ui(ui, ctx);
        ui.add_space(12.0);
        self.compare_ui(ui, ctx);
    }

    fn list_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let names: BTreeSet<String> = ctx
            .program
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect();
        self.selected.retain(|n| names.contains(n));
        if ctx.program.scenarios.is_empty() {
            ui.label("No scenarios yet. Add the current settings as one, change the design, add another, then compare.");
            return;
        }
        let mut remove = None;
        for (k, s) in ctx.program.scenarios.iter().enumerate() {
            ui.horizontal(|ui| {
                let mut on = self.selected.contains(&s.name);
                if ui
                    .checkbox(&mut on, RichText::new(&s.name).strong())
                    .changed()
                {
                    if on {
                        self.selected.insert(s.name.clone());
                    } else {
                        self.selected.remove(&s.name);
                    }
                }
                if ui
                    .small_button("Remove")
                    .on_hover_text(format!("Remove {}", s.name))
                    .clicked()
                {
                    remove = Some(k);
                }
            });
            let text = if s.description.is_empty() {
                overrides_text(&s.overrides)
            } else {
                format!("{} ({})", s.description, overrides_text(&s.overrides))
            };
            ui.indent(("scenario", k), |ui| {
                ui.add(egui::Label::new(RichText::new(text).weak()).wrap());
            });
        }
        if let Some(k) = remove {
            let s = ctx.program.scenarios.remove(k);
            self.selected.remove(&s.name);
        }
    }

    fn add_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        ui.horizontal(|ui| {
            let l = ui.label("New scenario name");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_name)
                    .hint_text("e.g. Bigger pool")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            let name = self.new_name.trim().to_owned();
            let taken = ctx.program.scenarios.iter().any(|s| s.name == name);
            let ok = !name.is_empty() && !taken;
            if ui
                .add_enabled(ok, egui::Button::new("Add from current settings"))
                .on_disabled_hover_text(if taken {
                    "That name is taken"
                } else {
                    "Type a name first"
                })
                .clicked()
            {
                ctx.program.scenarios.push(Scenario {
                    name: name.clone(),
                    description: String::new(),
                    overrides: current_overrides(ctx.program),
                });
                self.selected.insert(name);
                self.new_name.clear();
            }
        });
    }

    fn compare_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        if self.selected.is_empty() {
            ui.label(
                RichText::new("Tick scenarios to compare them with the current design.").weak(),
            );
            return;
        }
        let Some(obs) = ctx.session.observations.clone() else {
            return;
        };
        let generation = ctx.session.results_generation;
        let chosen: Vec<String> = ctx
            .program
            .scenarios
            .iter()
            .filter(|s| self.selected.contains(&s.name))
            .map(|s| s.name.clone())
            .collect();
        let stale = self
            .comparison
            .as_ref()
            .is_none_or(|(g, names, _)| *g != generation || *names != chosen);
        if stale {
            let opts = CompareOptions {
                scenarios: chosen.clone(),
                ..CompareOptions::default()
            };
            let data = match &ctx.session.inputs {
                Some(i) => SweepData::with_inputs(&obs, i),
                None => SweepData::from(&*obs),
            };
            let c = engine::compare(ctx.program, data, &opts).map_err(|e| e.to_string());
            self.comparison = Some((generation, chosen, c));
        }
        let Some((_, _, result)) = &self.comparison else {
            return;
        };
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        totals_ui(ui, c);
        ui.add_space(12.0);
        for k in 1..c.outcomes.len() {
            movers_ui(ui, c, k);
            ui.add_space(8.0);
        }
    }
}

fn totals_ui(ui: &mut Ui, c: &Comparison) {
    ui.label(RichText::new("Totals").strong());
    egui::Grid::new("scenario_totals")
        .striped(true)
        .num_columns(c.outcomes.len() + 1)
        .spacing([20.0, 6.0])
        .show(ui, |ui| {
            ui.label("");
            for o in &c.outcomes {
                ui.label(RichText::new(&o.name).strong());
            }
            ui.end_row();
            let row = |ui: &mut Ui, name: &str, f: &dyn Fn(&engine::Outcome) -> String| {
                ui.label(name);
                for o in &c.outcomes {
                    ui.label(f(o));
                }
                ui.end_row();
            };
            row(ui, "Pool", &|o| money_short(o.totals.pool_cents));
            row(ui, "Paid", &|o| money(o.totals.paid_cents));
            row(ui, "Providers earning", &|o| {
                format!("{} of {}", o.totals.earning, o.totals.scored)
            });
            row(ui, "Providers penalised", &|o| {
                o.totals.penalised.to_string()
            });
            row(ui, "Median payout (earners)", &|o| {
                money(o.totals.median_payout_cents)
            });
            row(ui, "Largest payout", &|o| money(o.totals.max_payout_cents));
            row(ui, "Concentration (Gini)", &|o| {
                if o.totals.gini.is_finite() {
                    format!("{:.2}", o.totals.gini)
                } else {
                    "—".into()
                }
            });
            row(ui, "Equity gap per life (high − low risk)", &|o| {
                per_life(o.equity_gap)
            });
            row(ui, "High ÷ low risk per life", &|o| {
                if o.equity_ratio.is_finite() {
                    percent(o.equity_ratio)
                } else {
                    "—".into()
                }
            });
        });
}

fn movers_ui(ui: &mut Ui, c: &Comparison, k: usize) {
    let (base, to) = (&c.outcomes[0], &c.outcomes[k]);
    let s = c.shift(0, k);
    ui.label(RichText::new(format!("{} against {}", to.name, base.name)).strong());
    ui.label(format!(
        "{} providers gain {} in all, {} lose {}, {} are unchanged.",
        s.gained,
        money(s.gained_cents),
        s.lost,
        money(s.lost_cents.abs()),
        s.unchanged
    ));
    let name = |i: usize| {
        let id = &c.provider_ids[i];
        match c.provider_names.get(i) {
            Some(n) if !n.is_empty() => format!("{n} ({id})"),
            _ => id.clone(),
        }
    };
    ui.columns(2, |cols| {
        cols[0].label(RichText::new("Biggest winners").underline());
        for d in c.winners(0, k, 5) {
            cols[0].label(format!("+{}  {}", money(d.delta_cents), name(d.index)));
        }
        cols[1].label(RichText::new("Biggest losers").underline());
        for d in c.losers(0, k, 5) {
            cols[1].label(format!("{}  {}", money(d.delta_cents), name(d.index)));
        }
    });
}
