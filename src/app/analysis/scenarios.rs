//! Scenarios: the program's named alternatives, added from the current settings, applied to
//! the program (one undo step), and compared: totals side by side, who wins and who loses
//! against a chosen reference (the current design or any scenario), and any two designs A
//! against B.

use super::{per_life, percent};
use crate::app::widgets::{money, money_short};
use crate::app::{Action, StepCtx};
use crate::engine::{self, BASE_NAME, CompareOptions, Comparison, SweepData};
use crate::program::{Parameter, Program, Scenario};
use crate::report::wording;
use egui::{RichText, Ui};
use std::collections::BTreeSet;

/// How the base program is offered where a design is chosen.
pub const CURRENT_DESIGN: &str = "Base program (current design)";

#[derive(Default)]
pub struct ScenariosView {
    /// Names of the scenarios ticked for comparison.
    pub selected: BTreeSet<String>,
    /// Name typed for a new scenario.
    pub new_name: String,
    /// What the ticked scenarios are compared against: `None` is the current design.
    pub reference: Option<String>,
    /// The two designs compared head to head (`None` is the current design).
    pub a: Option<String>,
    pub b: Option<String>,
    /// Scroll the A-against-B comparison into view on the next frame.
    pub reveal_versus: bool,
    /// The last comparison (the base and every scenario), with what it was computed for.
    comparison: Option<(CacheKey, Result<Comparison, String>)>,
    /// The first visit ticks every scenario.
    visited: bool,
}

/// A comparison is reused until the results or the scenarios change.
type CacheKey = (u64, Vec<(String, Vec<(Parameter, f64)>)>);

/// The current program's value of every parameter it has, as scenario overrides.
pub fn current_overrides(program: &Program) -> Vec<(Parameter, f64)> {
    Parameter::ALL
        .into_iter()
        .filter_map(|p| p.get(program).map(|v| (p, v)))
        .collect()
}

/// Whether applying `s` would change nothing the engine reads.
fn is_current(s: &Scenario, program: &Program) -> bool {
    let applied = s.apply(program);
    applied.standards == program.standards
        && applied.scoring == program.scoring
        && applied.payment == program.payment
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
        for choice in [&mut self.reference, &mut self.a, &mut self.b] {
            if choice.as_ref().is_some_and(|n| !names.contains(n)) {
                *choice = None;
            }
        }
        if ctx.program.scenarios.is_empty() {
            ui.label("No scenarios yet. Add the current settings as one, change the design, add another, then compare.");
            return;
        }
        let mut remove = None;
        let mut apply = None;
        for (k, s) in ctx.program.scenarios.iter().enumerate() {
            let current = is_current(s, ctx.program);
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
                if current {
                    ui.label(RichText::new("✔ the current design").weak());
                }
                let r = ui.add_enabled(!current, egui::Button::new("Apply").small());
                let a11y = format!("Apply {}", s.name);
                r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, !current, &a11y));
                if r.on_hover_text(format!(
                    "Make {}'s settings the program's (Ctrl+Z undoes it)",
                    s.name
                ))
                .on_disabled_hover_text("The program already has these settings")
                .clicked()
                {
                    apply = Some(k);
                }
                if ui
                    .small_button("Remove")
                    .on_hover_text(format!("Remove {}", s.name))
                    .clicked()
                {
                    remove = Some(k);
                }
            });
            ui.indent(("scenario", k), |ui| {
                if !s.description.is_empty() {
                    ui.add(egui::Label::new(RichText::new(&s.description).weak()).wrap());
                }
                ui.add(egui::Label::new(wording::settings(&s.overrides)).wrap());
            });
        }
        if let Some(k) = apply {
            let s = &ctx.program.scenarios[k];
            let label = format!("scenario {} ({})", s.name, wording::settings(&s.overrides));
            let program = Box::new(s.apply(ctx.program));
            ctx.push(Action::AdoptScenario { program, label });
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

    /// The base program and every scenario, compared on the loaded data (cached).
    fn comparison(&mut self, ctx: &StepCtx<'_>) -> Option<&Result<Comparison, String>> {
        let obs = ctx.session.observations.clone()?;
        let key: CacheKey = (
            ctx.session.results_generation,
            ctx.program
                .scenarios
                .iter()
                .map(|s| (s.name.clone(), s.overrides.clone()))
                .collect(),
        );
        if self.comparison.as_ref().is_none_or(|(k, _)| *k != key) {
            let data = match &ctx.session.inputs {
                Some(i) => SweepData::with_inputs(&obs, i),
                None => SweepData::from(&*obs),
            };
            let c = engine::compare(ctx.program, data, &CompareOptions::default())
                .map_err(|e| e.to_string());
            self.comparison = Some((key, c));
        }
        self.comparison.as_ref().map(|(_, c)| c)
    }

    fn compare_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let scenario_names: Vec<String> = ctx
            .program
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let selected = self.selected.clone();
        let mut reference = self.reference.clone();
        let (mut a, mut b) = (self.a.clone(), self.b.clone());
        let reveal = std::mem::take(&mut self.reveal_versus);
        if b.is_none() && a.is_none() {
            b = scenario_names.first().cloned();
        }
        let Some(result) = self.comparison(ctx) else {
            return;
        };
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        let index = |name: &Option<String>| match name {
            None => Some(0),
            Some(n) => c.index_of(n),
        };
        if selected.is_empty() {
            ui.label(
                RichText::new("Tick scenarios to compare them with the current design.").weak(),
            );
        } else {
            let shown: Vec<usize> = std::iter::once(0)
                .chain((1..c.outcomes.len()).filter(|k| selected.contains(&c.outcomes[*k].name)))
                .collect();
            totals_ui(ui, c, &shown);
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                design_choice(
                    ui,
                    "Winners and losers against",
                    "reference",
                    &mut reference,
                    &scenario_names,
                );
            });
            let r = index(&reference).unwrap_or(0);
            for &k in shown.iter().filter(|k| **k != r) {
                movers_ui(ui, c, r, k);
                ui.add_space(8.0);
            }
        }
        if !scenario_names.is_empty() {
            ui.add_space(12.0);
            ui.separator();
            let heading = ui.label(RichText::new("Compare two designs, A against B").strong());
            if reveal {
                heading.scroll_to_me(Some(egui::Align::TOP));
            }
            ui.horizontal_wrapped(|ui| {
                design_choice(ui, "A", "design_a", &mut a, &scenario_names);
                ui.add_space(12.0);
                design_choice(ui, "B", "design_b", &mut b, &scenario_names);
            });
            if let (Some(ia), Some(ib)) = (index(&a), index(&b)) {
                versus_ui(ui, c, ia, ib);
            }
        }
        self.reference = reference;
        self.a = a;
        self.b = b;
    }
}

/// A drop-down of the current design and every scenario.
fn design_choice(
    ui: &mut Ui,
    label: &str,
    id: &str,
    choice: &mut Option<String>,
    names: &[String],
) {
    let l = ui.label(label);
    let shown = choice.as_deref().unwrap_or(CURRENT_DESIGN).to_owned();
    egui::ComboBox::from_id_salt(("scenario_choice", id))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(choice, None, CURRENT_DESIGN);
            for n in names {
                ui.selectable_value(choice, Some(n.clone()), n);
            }
        })
        .response
        .labelled_by(l.id);
}

/// A signed figure with a true minus sign, as money is written.
fn true_minus(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

fn ratio_text(r: f64) -> String {
    if r.is_finite() {
        percent(r)
    } else {
        "—".into()
    }
}

fn totals_ui(ui: &mut Ui, c: &Comparison, shown: &[usize]) {
    ui.label(RichText::new("Totals").strong());
    let outcomes: Vec<&engine::Outcome> = shown.iter().map(|k| &c.outcomes[*k]).collect();
    egui::Grid::new("scenario_totals")
        .striped(true)
        .num_columns(outcomes.len() + 1)
        .spacing([20.0, 6.0])
        .show(ui, |ui| {
            ui.label("");
            for o in &outcomes {
                ui.label(RichText::new(&o.name).strong());
            }
            ui.end_row();
            let row = |ui: &mut Ui, name: &str, f: &dyn Fn(&engine::Outcome) -> String| {
                ui.label(name);
                for o in &outcomes {
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
                ratio_text(o.equity_ratio)
            });
        });
}

/// "N providers gain $X in all, N lose $Y, N are unchanged."
fn shift_text(s: &engine::Shift) -> String {
    format!(
        "{} providers gain {} in all, {} lose {}, {} are unchanged.",
        s.gained,
        money(s.gained_cents),
        s.lost,
        money(s.lost_cents.abs()),
        s.unchanged
    )
}

/// Winners and losers from `from` to `to`, in two columns.
fn winners_losers_ui(ui: &mut Ui, c: &Comparison, v: &engine::Versus) {
    ui.columns(2, |cols| {
        cols[0].label(RichText::new("Biggest winners").underline());
        if v.winners.is_empty() {
            cols[0].label(RichText::new("Nobody gains").weak());
        }
        for d in &v.winners {
            cols[0].label(format!(
                "+{}  {}",
                money(d.delta_cents),
                c.provider_label(d.index)
            ));
        }
        cols[1].label(RichText::new("Biggest losers").underline());
        if v.losers.is_empty() {
            cols[1].label(RichText::new("Nobody loses").weak());
        }
        for d in &v.losers {
            cols[1].label(format!(
                "{}  {}",
                money(d.delta_cents),
                c.provider_label(d.index)
            ));
        }
    });
}

fn movers_ui(ui: &mut Ui, c: &Comparison, reference: usize, k: usize) {
    let (base, to) = (&c.outcomes[reference], &c.outcomes[k]);
    let v = c.versus(reference, k, 5);
    ui.label(RichText::new(format!("{} against {}", to.name, base.name)).strong());
    ui.label(shift_text(&v.shift));
    winners_losers_ui(ui, c, &v);
}

/// Design A against design B: headline figures for both and the change, then who moves.
fn versus_ui(ui: &mut Ui, c: &Comparison, a: usize, b: usize) {
    let (oa, ob) = (&c.outcomes[a], &c.outcomes[b]);
    let name = |o: &engine::Outcome| {
        if o.name == BASE_NAME {
            CURRENT_DESIGN.to_owned()
        } else {
            o.name.clone()
        }
    };
    let (na, nb) = (name(oa), name(ob));
    egui::Grid::new("scenario_versus")
        .striped(true)
        .num_columns(4)
        .spacing([20.0, 6.0])
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new(format!("A: {na}")).strong());
            ui.label(RichText::new(format!("B: {nb}")).strong());
            ui.label(RichText::new("B − A").strong());
            ui.end_row();
            ui.label("Settings");
            for o in [oa, ob] {
                let text = if o.overrides.is_empty() {
                    "as the program stands".to_owned()
                } else {
                    wording::settings(&o.overrides)
                };
                ui.add(egui::Label::new(RichText::new(text).weak()).wrap());
            }
            ui.label("");
            ui.end_row();
            let money_row = |ui: &mut Ui, label: &str, f: &dyn Fn(&engine::Outcome) -> i64| {
                ui.label(label);
                ui.label(money(f(oa)));
                ui.label(money(f(ob)));
                let d = f(ob) - f(oa);
                ui.label(if d > 0 {
                    format!("+{}", money(d))
                } else {
                    money(d)
                });
                ui.end_row();
            };
            money_row(ui, "Pool", &|o| o.totals.pool_cents);
            money_row(ui, "Paid", &|o| o.totals.paid_cents);
            ui.label("Providers paid");
            ui.label(format!("{} of {}", oa.totals.earning, oa.totals.scored));
            ui.label(format!("{} of {}", ob.totals.earning, ob.totals.scored));
            ui.label(true_minus(format!(
                "{:+}",
                ob.totals.earning as i64 - oa.totals.earning as i64
            )));
            ui.end_row();
            money_row(ui, "Median payout (earners)", &|o| {
                o.totals.median_payout_cents
            });
            ui.label("High ÷ low risk per life");
            ui.label(ratio_text(oa.equity_ratio));
            ui.label(ratio_text(ob.equity_ratio));
            let d = ob.equity_ratio - oa.equity_ratio;
            ui.label(if d.is_finite() {
                true_minus(format!("{:+.1} points", d * 100.0))
            } else {
                "—".into()
            });
            ui.end_row();
        });
    ui.add_space(6.0);
    let v = c.versus(a, b, 5);
    ui.label(RichText::new(format!("From A to B: {}", shift_text(&v.shift))).strong());
    winners_losers_ui(ui, c, &v);
}
