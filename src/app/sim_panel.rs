//! The live simulation panel: the two levers people pull most in a workshop (pool size and
//! threshold) and what they do to payouts, recomputed by the engine in the same frame.

use super::Action;
use super::phasing;
use super::session::{Modelled, Session};
use super::theme::Palette;
use super::widgets::{self, glossary, money, money_short};
use crate::engine::equity::Stratification;
use crate::engine::{
    AttributeValues, Inputs, Observations, PhaseRun, Results, equity, quintile_label, totals,
};
use crate::program::{Distribution, PeriodRef, PhaseKind, Pool, Program, StandardRule};
use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Plot};
use std::sync::{Arc, Weak};

/// A built-in grouping or a stratifier from the provider file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    ServiceArea,
    PeerGroup,
    Stratifier(String),
}

impl Grouping {
    fn label(&self) -> String {
        match self {
            Grouping::ServiceArea => "Service area".into(),
            Grouping::PeerGroup => "Peer group".into(),
            Grouping::Stratifier(s) => s.replace('_', " "),
        }
    }
}

/// One row of the per-life table.
#[derive(Debug, Clone, PartialEq)]
pub struct StratumRow {
    pub label: String,
    pub providers: usize,
    pub lives: f64,
    pub paid_cents: i64,
    /// Paid per attributed life, in dollars (NaN without lives).
    pub per_life: f64,
}

/// What the panel shows, derived from the engine's results (cached per results generation).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    generation: u64,
    grouping: Option<Grouping>,
    /// The phase modelled (None: the whole program).
    phase: Option<usize>,
    pub pool_cents: i64,
    pub paid_cents: i64,
    pub withheld_cents: i64,
    pub unallocated_cents: i64,
    pub scored: usize,
    pub earning: usize,
    pub penalised: usize,
    /// Shown as net (earned − withheld) when the model withholds, else as earned.
    pub net_view: bool,
    pub median_cents: i64,
    pub max_cents: i64,
    /// (centre, width, count) per histogram bin, in dollars.
    pub histogram: Vec<(f64, f64, usize)>,
    pub strata: Vec<StratumRow>,
    /// Why part of the pool is not paid, by cause and amount (empty when all is paid).
    pub unpaid: String,
    /// Providers with no total score, counted by reason (empty when all are scored).
    pub not_scored: String,
}

/// The providers grouped for the per-life table, with what they were grouped from: the data,
/// the grouping and the provider count. Grouping sorts and labels every provider, so it is done
/// once, not on every move of the pool.
type Groups = ((Weak<Observations>, Grouping, usize), Stratification);

/// Persistent state of the panel.
#[derive(Default)]
pub struct SimPanel {
    pub grouping: Option<Grouping>,
    summary: Summary,
    /// The modelled phase's run, as of the summary.
    phase_run: Option<PhaseRun>,
    groups: Option<Groups>,
    /// Providers with no total score, by reason, for the scores generation they were counted
    /// on: a move of the pool does not change them.
    not_scored: Option<(u64, String)>,
}

impl SimPanel {
    /// Draws the panel. Slider edits go straight into `program` and are evaluated before the
    /// numbers below them are drawn.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        program: &mut Program,
        session: &mut Session,
        actions: &mut Vec<Action>,
    ) {
        let p = Palette::of(ui);
        ui.horizontal(|ui| {
            ui.heading("Live simulation");
        });
        let exchange = matches!(
            program.payment.distribution,
            Distribution::LinearExchange | Distribution::LogisticExchange { .. }
        );
        ui.label(
            RichText::new(format!(
                "{} · {}",
                program.payment.distribution.label(),
                program.payment.eligibility.label()
            ))
            .small()
            .color(p.muted),
        )
        .on_hover_text(if exchange {
            glossary::EXCHANGE_FUNCTION
        } else {
            glossary::ELIGIBILITY
        });
        ui.add_space(4.0);
        levers(ui, program);
        session.recompute(program);
        phase_picker(ui, program, session);
        session.refresh_phase(program);

        if let Some(load) = &session.loading {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("{} ({:.0} s)", load.message, load.elapsed));
            });
        }
        if let Some(err) = &session.data_error {
            ui.add_space(6.0);
            ui.colored_label(p.bad, format!("Data not loaded: {err}"));
        }
        let (Some(obs), Some((run, results))) =
            (session.observations.clone(), session.modelled_results())
        else {
            if session.loading.is_none() {
                ui.add_space(8.0);
                ui.label("No performance data loaded yet. Load data to see payouts.");
                if ui.button("Add data file…").clicked() {
                    actions.push(Action::PickDataFile);
                }
            }
            return;
        };
        if self.grouping.is_none() {
            self.grouping = default_grouping(&obs);
        }
        let phase = session.modelled_phase(program);
        if self.summary.generation != session.results_generation
            || self.summary.grouping != self.grouping
            || self.summary.phase != phase
        {
            self.summary = summarise(&obs, results, None);
            self.summary.strata = self.strata(&obs, results);
            match (&session.inputs, phase) {
                (Some(inputs), None) => {
                    self.summary.unpaid =
                        totals::unpaid(program, inputs, results).sentence(program);
                    let scores = session.scores_generation();
                    let not_scored = match &self.not_scored {
                        Some((g, text)) if *g == scores => text.clone(),
                        _ => not_scored_text(program, inputs, results),
                    };
                    self.not_scored = Some((scores, not_scored.clone()));
                    self.summary.not_scored = not_scored;
                }
                // A phase pays by its own rule and pool: the whole program's causes do not
                // apply, so say only how much of the phase's pool stays unpaid.
                (_, Some(_)) => {
                    self.summary.unpaid =
                        phase_unpaid(self.summary.pool_cents - self.summary.paid_cents);
                }
                (None, None) => {}
            }
            self.summary.generation = session.results_generation;
            self.summary.grouping = self.grouping.clone();
            self.summary.phase = phase;
            self.phase_run = run.cloned();
        }
        let s = &self.summary;
        let run = self.phase_run.as_ref().filter(|_| phase.is_some());
        modelled_note(ui, program, phase, run, s.pool_cents, &p);
        let tag = phase.map_or(String::new(), |i| format!(" · Phase {}", i + 1));
        let of = match run.and_then(|r| r.kind.map(|k| (k, r.counted))) {
            Some((PhaseKind::Participation, n)) => format!("of {n} taking part"),
            Some((PhaseKind::Reporting, n)) => format!("of {n} reporting"),
            _ => format!("of {} scored", s.scored),
        };
        ui.add_space(6.0);
        // Two cards a row in a narrow panel, more when it is wide; never cut off.
        let what = if s.net_view { "net" } else { "payout" };
        let cards: [(String, String, Option<egui::Color32>, &str); 6] = [
            (
                format!("Pool{tag}"),
                money_short(s.pool_cents),
                None,
                glossary::POOL,
            ),
            (
                format!("Paid{tag}"),
                money_short(s.paid_cents),
                Some(p.good),
                "Total earned by providers in what is modelled: a year of the program, or the \
                 phase.",
            ),
            (
                format!("Providers earning ({of})"),
                s.earning.to_string(),
                Some(p.good),
                "Providers with a payment above zero.",
            ),
            (
                "Providers penalised".into(),
                s.penalised.to_string(),
                Some(if s.penalised > 0 { p.bad } else { p.muted }),
                "Providers paid back less than was withheld from them (net below zero).",
            ),
            (
                format!("Median {what} (earners)"),
                money(s.median_cents),
                None,
                "Half of the providers that earn get more than this, half less.",
            ),
            (
                format!("Largest {what}"),
                money(s.max_cents),
                None,
                "The most any one provider is paid.",
            ),
        ];
        let gap = 8.0;
        let width = widgets::card_width(ui.available_width(), gap, 130.0, 3);
        ui.scope(|ui| {
            ui.spacing_mut().item_spacing = egui::vec2(gap, gap);
            ui.horizontal_wrapped(|ui| {
                for (caption, value, color, tip) in &cards {
                    widgets::stat_sized(ui, width, caption, value, *color, tip);
                }
            });
        });
        if !s.unpaid.is_empty() {
            ui.label(RichText::new(format!("{}.", s.unpaid)).color(p.warn));
        } else if s.unallocated_cents > 0 {
            ui.label(
                RichText::new(format!("{} not paid.", money(s.unallocated_cents))).color(p.warn),
            );
        }
        if !s.not_scored.is_empty() {
            ui.label(RichText::new(format!("{}.", s.not_scored)).color(p.muted))
                .on_hover_text(
                    "Providers without a total score are paid nothing. The providers table gives each one's reason.",
                );
        }
        if s.withheld_cents > 0 {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Withheld from providers: {}",
                    money(s.withheld_cents)
                ));
                widgets::help(ui, glossary::WITHHOLD);
            });
        }

        widgets::section(
            ui,
            if s.net_view {
                "Net payouts (earned − withheld)"
            } else {
                "Payouts"
            },
        );
        histogram(ui, s, &p);

        ui.horizontal(|ui| {
            widgets::section(ui, "Paid per attributed life");
            widgets::help(ui, glossary::PER_LIFE);
        });
        self.grouping_picker(ui, &obs);
        strata_table(ui, &self.summary.strata, &p);

        ui.add_space(8.0);
        if ui
            .button("Providers table and the why of each payment…")
            .on_hover_text(
                "Every provider's scores and payment; click one to see how it was computed.",
            )
            .clicked()
        {
            actions.push(Action::ShowProviders);
        }
    }

    /// The per-life table's rows for `r`, grouping the providers again only when the data,
    /// the grouping or the provider count changed.
    fn strata(&mut self, obs: &Arc<Observations>, r: &Results) -> Vec<StratumRow> {
        let Some(g) = self.grouping.clone() else {
            self.groups = None;
            return Vec::new();
        };
        let n = r.provider_count();
        let st = match &self.groups {
            Some(((data, grouping, count), st))
                if data.ptr_eq(&Arc::downgrade(obs)) && *grouping == g && *count == n =>
            {
                st.refill(&obs.providers, r)
            }
            _ => stratification(obs, r, &g),
        };
        let rows = stratum_rows(&st);
        self.groups = Some(((Arc::downgrade(obs), g, n), st));
        rows
    }

    fn grouping_picker(&mut self, ui: &mut Ui, obs: &Observations) {
        let mut options = vec![Grouping::ServiceArea, Grouping::PeerGroup];
        options.extend(
            obs.providers
                .stratifiers
                .iter()
                .map(|s| Grouping::Stratifier(s.name.clone())),
        );
        let current = self.grouping.clone().unwrap_or(Grouping::ServiceArea);
        ui.horizontal(|ui| {
            let l = ui.label("Group by");
            egui::ComboBox::from_id_salt("sim_grouping")
                .selected_text(current.label())
                .show_ui(ui, |ui| {
                    for o in options {
                        let label = o.label();
                        ui.selectable_value(&mut self.grouping, Some(o), label);
                    }
                })
                .response
                .labelled_by(l.id);
        });
    }
}

/// How much of a phase's pool is not paid, in the words of the views that show a phase's
/// payouts; empty when it is all paid.
pub(crate) fn phase_unpaid(left_cents: i64) -> String {
    if left_cents > 0 {
        format!(
            "{} of this phase's pool not paid (caps, or no one it pays)",
            money(left_cents)
        )
    } else {
        String::new()
    }
}

/// The phase the panel models: any of the program's phases, or the whole program.
pub(super) fn phase_picker(ui: &mut Ui, program: &Program, session: &mut Session) {
    let current = session.modelled_phase(program);
    let label = |i: Option<usize>| match i.and_then(|i| program.phases.get(i).map(|p| (i, p))) {
        Some((i, p)) => phasing::phase_label(i, p),
        None => phasing::WHOLE_PROGRAM.to_owned(),
    };
    let mut chosen = current;
    ui.horizontal(|ui| {
        let l = ui.label("Modelling");
        egui::ComboBox::from_id_salt("sim_phase")
            .selected_text(label(current))
            .truncate()
            .width((ui.available_width() - 8.0).max(120.0))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, None, phasing::WHOLE_PROGRAM);
                for i in 0..program.phases.len() {
                    ui.selectable_value(&mut chosen, Some(i), label(Some(i)));
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text(label(current));
    });
    if chosen != current {
        session.modelled = Some(match chosen.and_then(|i| program.phases.get(i)) {
            Some(p) => Modelled::Phase(p.name.clone()),
            None => Modelled::WholeProgram,
        });
    }
}

/// Which phase and period the figures below model, and how that phase pays.
fn modelled_note(
    ui: &mut Ui,
    program: &Program,
    phase: Option<usize>,
    run: Option<&PhaseRun>,
    pool_cents: i64,
    p: &Palette,
) {
    let period = &program.standards.performance_period;
    let freq = program.payment.frequency;
    let text = match phase.and_then(|i| program.phases.get(i).map(|ph| (i, ph))) {
        Some((i, ph)) => {
            let pool = run.map_or(pool_cents, |r| r.pool_cents);
            format!(
                "Phase {}: {} of the pool, {}; {}. Data: the \u{201c}{period}\u{201d} period.",
                i + 1,
                crate::format::percent(ph.pool_share, 0),
                phasing::kind_rule(ph.kind),
                phasing::phase_payments(pool, ph.months, freq),
            )
        }
        None => {
            let whole = format!(
                "A year of the whole program on the \u{201c}{period}\u{201d} data, the whole pool: {}.",
                phasing::per_period_and_year(pool_cents, freq)
            );
            // Say which phase is running now, so the room knows what it is not seeing.
            let now = program
                .implementation
                .current_phase
                .as_deref()
                .and_then(|name| program.phases.iter().position(|p| p.name == name));
            match now {
                Some(i) => format!(
                    "{whole} Step 7: Phase {} ({}) is running now; pick it under Modelling to see what it pays.",
                    i + 1,
                    program.phases[i].kind.label().to_lowercase()
                ),
                None => whole,
            }
        }
    };
    ui.add(egui::Label::new(RichText::new(text).small().color(p.muted)).wrap());
    if let Some(r) = run
        && !r.missing_measures.is_empty()
    {
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "Not scored measures of the program, so paid to no one here: {}",
                    r.missing_measures.join(", ")
                ))
                .small()
                .color(p.warn),
            )
            .wrap(),
        );
    }
}

/// The pool and threshold sliders.
pub(super) fn levers(ui: &mut Ui, program: &mut Program) {
    // The slider gives up width first, so the value and the "(?)" stay in view in a narrow
    // panel (the label column and a value like "50th percentile" take about 260 points).
    ui.spacing_mut().slider_width = (ui.available_width() - 270.0).clamp(60.0, 260.0);
    egui::Grid::new("sim_levers")
        .num_columns(3)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let l = ui.label("Pool").on_hover_text(glossary::POOL);
            pool_slider(ui, &mut program.payment.pool, l.id);
            widgets::help(ui, glossary::POOL);
            ui.end_row();

            let l = ui.label("Threshold").on_hover_text(glossary::THRESHOLD);
            match &mut program.standards.threshold {
                StandardRule::Percentile { p, .. } => {
                    ui.add(
                        egui::Slider::new(p, 0.0..=100.0)
                            .step_by(1.0)
                            .fixed_decimals(0)
                            .suffix("th percentile"),
                    )
                    .labelled_by(l.id);
                }
                other => {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(other.label()).italics());
                        if ui.small_button("Use a percentile").clicked() {
                            *other = StandardRule::Percentile {
                                p: 50.0,
                                of: PeriodRef::Baseline,
                            };
                        }
                    });
                }
            }
            widgets::help(ui, glossary::THRESHOLD);
            ui.end_row();
        });
}

fn pool_slider(ui: &mut Ui, pool: &mut Pool, label: egui::Id) {
    match pool {
        Pool::Fixed { cents } => {
            let mut dollars = *cents as f64 / 100.0;
            let r = ui
                .add(
                    egui::Slider::new(&mut dollars, 10_000.0..=50_000_000.0)
                        .logarithmic(true)
                        .prefix("$")
                        .custom_formatter(|v, _| widgets::thousands(v.round() as u64)),
                )
                .labelled_by(label);
            if r.changed() {
                // Round to a thousand dollars so the amounts read cleanly in the room.
                *cents = ((dollars / 1000.0).round() * 1000.0 * 100.0) as i64;
            }
        }
        Pool::PercentOfSpend { percent } => {
            ui.add(
                egui::Slider::new(percent, 0.0..=10.0)
                    .step_by(0.1)
                    .suffix("% of spend"),
            )
            .labelled_by(label);
        }
        Pool::Pmpm {
            cents_per_member_month,
            ..
        } => {
            let mut dollars = *cents_per_member_month as f64 / 100.0;
            if ui
                .add(
                    egui::Slider::new(&mut dollars, 0.0..=25.0)
                        .step_by(0.25)
                        .prefix("$")
                        .suffix(" PMPM"),
                )
                .labelled_by(label)
                .changed()
            {
                *cents_per_member_month = (dollars * 100.0).round() as i64;
            }
        }
        Pool::Withhold { percent } => {
            ui.add(
                egui::Slider::new(percent, 0.0..=10.0)
                    .step_by(0.1)
                    .suffix("% withheld"),
            )
            .labelled_by(label)
            .on_hover_text(glossary::WITHHOLD);
        }
    }
}

fn default_grouping(obs: &Observations) -> Option<Grouping> {
    // The stratifier most likely to show the reverse Robin Hood effect, when there is one.
    let preferred = [
        "dual_eligible_share",
        "dual_share",
        "complex_share",
        "safety_net",
    ];
    let names: Vec<&str> = obs
        .providers
        .stratifiers
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    preferred
        .iter()
        .find(|p| names.contains(p))
        .map(|p| Grouping::Stratifier((*p).to_owned()))
        .or_else(|| names.first().map(|n| Grouping::Stratifier((*n).to_owned())))
        .or(Some(Grouping::ServiceArea))
}

/// Everything the panel shows, from the engine's results.
pub fn summarise(obs: &Observations, r: &Results, grouping: Option<&Grouping>) -> Summary {
    let pay = &r.payment;
    let n = r.provider_count();
    let net_view = pay.withheld.iter().any(|w| *w > 0);
    let amount = |i: usize| if net_view { pay.net[i] } else { pay.earned[i] };
    let scored: Vec<usize> = (0..n).filter(|&i| r.total[i].is_finite()).collect();
    let mut earners: Vec<i64> = (0..n).filter(|&i| pay.earned[i] > 0).map(amount).collect();
    earners.sort_unstable();
    let median_cents = match earners.len() {
        0 => 0,
        k if k % 2 == 1 => earners[k / 2],
        k => (earners[k / 2 - 1] + earners[k / 2]) / 2,
    };
    let amounts: Vec<f64> = scored.iter().map(|&i| amount(i) as f64 / 100.0).collect();
    Summary {
        pool_cents: pay.pool_cents,
        paid_cents: pay.paid_cents,
        withheld_cents: pay.withheld.iter().sum(),
        unallocated_cents: pay.unallocated_cents,
        scored: scored.len(),
        earning: r.earning_count(),
        penalised: r.penalised_count(),
        net_view,
        median_cents,
        max_cents: (0..n).map(amount).max().unwrap_or(0),
        histogram: bins(&amounts, 16),
        strata: grouping.map_or_else(Vec::new, |g| stratum_rows(&stratification(obs, r, g))),
        ..Default::default()
    }
}

/// The engine's account of unpaid money and unscored providers, as the panel words it.
pub fn totals_text(program: &Program, inputs: &Inputs, r: &Results) -> (String, String) {
    let unpaid = totals::unpaid(program, inputs, r).sentence(program);
    (unpaid, not_scored_text(program, inputs, r))
}

/// "20 not scored: fewer than 2 domains scored; …", empty when every provider is scored.
fn not_scored_text(program: &Program, inputs: &Inputs, r: &Results) -> String {
    totals::not_scored_sentence(&totals::not_scored_counts(program, inputs, r))
}

/// Equal-width bins over the range of `values`.
fn bins(values: &[f64], count: usize) -> Vec<(f64, f64, usize)> {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if values.is_empty() {
        return Vec::new();
    }
    if hi - lo < 1.0 {
        return vec![(lo, 1.0, values.len())];
    }
    let w = (hi - lo) / count as f64;
    let mut counts = vec![0usize; count];
    for v in values {
        let k = (((v - lo) / w) as usize).min(count - 1);
        counts[k] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(k, c)| (lo + w * (k as f64 + 0.5), w, c))
        .collect()
}

/// The per-life table: the engine's strata (its quintile cut and its payout per life, as the
/// equity analysis and the report count them: every provider, scored or not, net payments).
fn stratification(obs: &Observations, r: &Results, g: &Grouping) -> Stratification {
    let p = &obs.providers;
    let n = r.provider_count().min(p.len());
    let labels: Vec<String> = match g {
        Grouping::ServiceArea => p.service_area[..n].to_vec(),
        Grouping::PeerGroup => p.peer_group[..n].to_vec(),
        Grouping::Stratifier(name) => match p.stratifier(name).map(|s| &s.values) {
            Some(AttributeValues::Text(v)) => v[..n].to_vec(),
            Some(AttributeValues::Numeric(v)) => quintile_labels(&v[..n], &p.ids[..n]),
            None => vec![String::new(); n],
        },
    };
    equity::stratify_text(&g.label(), &labels, p, r)
}

fn stratum_rows(st: &Stratification) -> Vec<StratumRow> {
    st.strata
        .iter()
        .map(|st| StratumRow {
            label: st.label.clone(),
            providers: st.providers,
            lives: st.lives,
            paid_cents: st.net_cents,
            per_life: st.payout_per_life,
        })
        .collect()
}

/// "Q1 lowest (0.05–0.18)" … "Q5 highest (…)" for numeric stratifiers, by the engine's
/// quintile cut (ties by provider id); empty where the value is unknown.
fn quintile_labels(values: &[f64], ids: &[String]) -> Vec<String> {
    let cut = equity::quintiles(values, ids);
    let mut ranges = [(f64::INFINITY, f64::NEG_INFINITY); 5];
    for (v, q) in values.iter().zip(&cut) {
        if let Some(q) = q {
            let r = &mut ranges[*q as usize];
            *r = (r.0.min(*v), r.1.max(*v));
        }
    }
    cut.iter()
        .map(|q| {
            q.map_or_else(String::new, |q| {
                quintile_label(q as usize, ranges[q as usize].0, ranges[q as usize].1)
            })
        })
        .collect()
}

fn histogram(ui: &mut Ui, s: &Summary, p: &Palette) {
    let bars: Vec<Bar> = s
        .histogram
        .iter()
        .map(|(centre, width, count)| {
            let color = p.payout_bar(*centre);
            Bar::new(*centre, *count as f64)
                .width(width * 0.92)
                .fill(color)
                .name(format!(
                    "{} providers around {}",
                    count,
                    money((centre * 100.0) as i64)
                ))
        })
        .collect();
    Plot::new("payout_histogram")
        .height(150.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([false, true])
        .include_y(0.0)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|input| {
            // About four labelled ticks at round amounts ($10K, $20K… or $50K, $100K…).
            let step = nice_step((input.bounds.1 - input.bounds.0) / 4.0);
            [step / 10.0, step / 2.0, step]
        }))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|input| {
            let step = nice_step((input.bounds.1 - input.bounds.0) / 3.0).max(1.0);
            [step / 2.0, step, step * 2.0]
        }))
        .x_axis_formatter(|m, _| money_short((m.value * 100.0) as i64))
        .y_axis_formatter(|m, _| {
            // Provider counts: whole numbers only.
            if m.value.fract() == 0.0 {
                format!("{:.0}", m.value)
            } else {
                String::new()
            }
        })
        .y_axis_min_width(28.0)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Providers", bars).color(p.accent));
        });
}

/// The smallest of 1, 2 or 5 × a power of ten that is at least `x` (round labels: no "$12.5K").
fn nice_step(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * p)
}

fn strata_table(ui: &mut Ui, rows: &[StratumRow], p: &Palette) {
    let max = rows
        .iter()
        .map(|r| r.per_life)
        .filter(|v| v.is_finite())
        .fold(0.0f64, |a, b| a.max(b.abs()));
    // The bar gives up width so the providers column stays in view in a narrow panel.
    let bar_width = (ui.available_width() - 235.0).clamp(100.0, 150.0);
    egui::Grid::new("strata")
        .num_columns(3)
        .striped(true)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new("Group").small().color(p.muted));
            ui.label(RichText::new("Per life").small().color(p.muted));
            ui.label(RichText::new("Providers").small().color(p.muted));
            ui.end_row();
            for r in rows {
                ui.label(&r.label);
                let (rect, resp) =
                    ui.allocate_exact_size(egui::vec2(bar_width, 16.0), egui::Sense::hover());
                if r.per_life.is_finite() && max > 0.0 {
                    let frac = (r.per_life.abs() / max) as f32;
                    let bar = egui::Rect::from_min_size(
                        rect.min,
                        egui::vec2(rect.width() * 0.55 * frac, rect.height()),
                    );
                    let color = if r.per_life < 0.0 { p.bad } else { p.accent };
                    ui.painter()
                        .rect_filled(bar, 3.0, color.gamma_multiply(0.8));
                    ui.painter().text(
                        egui::pos2(rect.min.x + rect.width() * 0.57, rect.center().y),
                        egui::Align2::LEFT_CENTER,
                        crate::format::dollars(r.per_life),
                        egui::TextStyle::Body.resolve(ui.style()),
                        ui.visuals().text_color(),
                    );
                } else {
                    ui.painter().text(
                        rect.left_center(),
                        egui::Align2::LEFT_CENTER,
                        "no lives",
                        egui::TextStyle::Small.resolve(ui.style()),
                        p.muted,
                    );
                }
                resp.on_hover_text(format!(
                    "{}: {} paid to {} providers with {} attributed lives",
                    r.label,
                    money(r.paid_cents),
                    r.providers,
                    widgets::thousands(r.lives.round().max(0.0) as u64)
                ));
                ui.label(r.providers.to_string());
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_split_providers_into_five_ranked_groups() {
        let v: Vec<f64> = (0..10).map(f64::from).chain([f64::NAN]).collect();
        let ids: Vec<String> = (0..v.len()).map(|i| format!("p{i:02}")).collect();
        let l = quintile_labels(&v, &ids);
        assert!(l[0].starts_with("Q1 lowest"));
        assert!(l[9].starts_with("Q5 highest"));
        assert_eq!(l[10], "");
        assert_eq!(l.iter().filter(|s| s.starts_with("Q3")).count(), 2);
    }

    #[test]
    fn per_life_rows_grouped_once_follow_the_pool() {
        let mut program = crate::synth::medicaid_primary_care_program();
        let obs = Arc::new(crate::synth::medicaid_primary_care_data());
        let mut panel = SimPanel {
            grouping: default_grouping(&obs),
            ..Default::default()
        };
        let mut paid = Vec::new();
        for cents in [100_000_000, 250_000_000] {
            program.payment.pool = Pool::Fixed { cents };
            let (_, r) = crate::engine::run(&program, &obs);
            let rows = panel.strata(&obs, &r);
            let fresh = summarise(&obs, &r, panel.grouping.as_ref()).strata;
            assert!(rows.len() >= 5);
            assert_eq!(format!("{rows:?}"), format!("{fresh:?}"));
            paid.push(rows.iter().map(|r| r.paid_cents).sum::<i64>());
        }
        assert!(paid[1] > paid[0], "{paid:?}");
    }

    #[test]
    fn bins_count_every_value() {
        let b = bins(&[0.0, 10.0, 20.0, 100.0], 4);
        assert_eq!(b.iter().map(|x| x.2).sum::<usize>(), 4);
        assert_eq!(b.len(), 4);
    }
}
