//! Step 5: load data, set thresholds and benchmarks (globally and per measure), minimum
//! denominators, and look at each measure's distribution and each provider's baseline.
//!
//! Every standard shown here is the engine's (`Results::measures[..].standards`); this screen
//! only edits the rules.

use super::widgets::{self, combo, section, terms};
use super::{Action, StepCtx, import};
use crate::app::session::Session;
use crate::engine::{MeasureInputs, MeasureResult};
use crate::program::{MeasureStandards, PeriodRef, Program, Severity, StandardRule};
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Bar, BarChart, Legend, LineStyle, Plot, VLine};
use std::sync::Arc;

/// What the screen is showing (not saved in the program).
#[derive(Clone, Default)]
struct ViewState {
    /// The measure whose standards, distribution and baselines are shown.
    measure: Option<String>,
    /// Peer group shown in the distribution plot.
    group: usize,
    /// Provider table order: column and descending.
    sort: Option<(SortBy, bool)>,
}

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    Provider,
    Baseline,
    Performance,
    Denominator,
    Score,
}

const KEY: &str = "baselines.view";

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("baselines-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            import::dialog(ui, ctx);
            data_section(ui, ctx);
            periods(ui, ctx.program, ctx.session);
            global_rules(ui, ctx.program, ctx.session);
            measure_section(ui, ctx);
        });
}

fn data_section(ui: &mut Ui, ctx: &mut StepCtx) {
    section(
        ui,
        "Performance data",
        Some(
            "Long files (one row per provider × measure × period), wide files (a column per \
             measure, as CMS publishes), patient-level rows, and provider attributes; CSV or \
             Parquet.",
        ),
    );
    let s = &*ctx.session;
    if let Some(l) = &s.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("{} ({:.0} s)", l.message, l.elapsed));
        });
    }
    if let Some(e) = &s.data_error {
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(2.0, widgets::RED))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new("The data could not be loaded")
                        .strong()
                        .color(widgets::RED),
                );
                ui.label(e);
                if s.observations.is_some() {
                    ui.label(
                        RichText::new("The data loaded before is kept and still used.").weak(),
                    );
                }
            });
    }
    match &s.observations {
        Some(obs) => {
            let periods = obs.periods();
            ui.label(format!(
                "{} providers · {} measures · periods: {}",
                widgets::group_thousands(obs.provider_count() as f64, 0),
                obs.measure_ids().len(),
                periods.join(", ")
            ));
        }
        None if s.loading.is_none() => {
            widgets::warning(ui, "No data loaded yet.");
        }
        None => {}
    }
    if !ctx.program.data.files.is_empty() {
        let mut remove = None;
        let mut next = None;
        egui::Grid::new("data-files").num_columns(4).show(ui, |ui| {
            for (i, f) in ctx.program.data.files.iter().enumerate() {
                ui.label(RichText::new(&f.path).monospace());
                ui.label(
                    RichText::new(match f.layout {
                        crate::program::Layout::Long(_) => "performance (long)",
                        crate::program::Layout::Wide(_) => "performance (wide)",
                        crate::program::Layout::PatientLevel(_) => "patient-level",
                        crate::program::Layout::Providers(_) => "provider attributes",
                    })
                    .weak(),
                );
                // Attributes read from the same file follow its performance mapping.
                let first = ctx.program.data.files.iter().position(|g| g.path == f.path);
                if first == Some(i) {
                    if ui
                        .small_button("⟳ Next period's file…")
                        .accessible_name(format!("Load next period's file for {}", f.path))
                        .on_hover_text(
                            "Pick next period's file: it replaces this one with the same column \
                             mapping, and loads at once when its columns are the same",
                        )
                        .clicked()
                    {
                        next = Some(i);
                    }
                } else {
                    ui.label("");
                }
                if ui
                    .small_button("✖")
                    .accessible_name(format!("Remove data file {}", f.path))
                    .on_hover_text("Stop using this file (the file itself is not touched)")
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
        if let Some(i) = remove {
            ctx.program.data.files.remove(i);
            ctx.actions.push(Action::LoadData);
        }
        if let Some(i) = next {
            ctx.session.next_period_for = Some(i);
            ctx.actions.push(Action::PickDataFile);
        }
    }
    ui.horizontal(|ui| {
        if ui
            .button("📂 Import a data file…")
            .on_hover_text("Pick a CSV or Parquet file and map its columns")
            .clicked()
        {
            ctx.session.next_period_for = None;
            ctx.actions.push(Action::PickDataFile);
        }
        if !ctx.program.data.files.is_empty()
            && ui
                .button("⟳ Reload data")
                .on_hover_text("Read the program's data files again")
                .clicked()
        {
            ctx.actions.push(Action::LoadData);
        }
    });
    missing_codes(ui, ctx);
    data_problems(ui, ctx);
}

/// The program's missing-value codes, with the cells each hit in the loaded files.
fn missing_codes(ui: &mut Ui, ctx: &mut StepCtx) {
    let report = ctx
        .session
        .observations
        .as_ref()
        .map(|o| o.load_report.clone());
    egui::CollapsingHeader::new("Missing and suppressed values")
        .id_salt("missing-codes")
        .default_open(true)
        .show(ui, |ui| {
            ui.label(
                RichText::new(
                    "Cells holding one of these codes (or nothing) are read as missing, not as \
                     errors; small-cell suppression such as “<11” is counted apart.",
                )
                .weak(),
            );
            let changed =
                import::codes_editor(ui, "step5", &mut ctx.program.data.missing_values, |code| {
                    let r = report.as_ref()?;
                    let n: u64 = r
                        .codes
                        .iter()
                        .filter(|c| c.code.eq_ignore_ascii_case(code.trim()))
                        .map(|c| c.cells)
                        .sum();
                    (n > 0).then(|| format!("{n} {}", if n == 1 { "cell" } else { "cells" }))
                });
            if let Some(r) = &report {
                for line in r.code_summary() {
                    ui.label(RichText::new(line).weak());
                }
            }
            if changed && !ctx.program.data.files.is_empty() {
                ctx.actions.push(Action::LoadData);
            }
        });
}

/// Problems as listed: (stops scoring, message).
type Listed = Arc<Vec<(bool, String)>>;

/// What loading noticed and what keeps the data from being scored, as a list to read, and the
/// one-click fix when the standards need a baseline the data does not have.
fn data_problems(ui: &mut Ui, ctx: &mut StepCtx) {
    let Some(obs) = ctx.session.observations.clone() else {
        return;
    };
    let key = egui::Id::unique("step5-data-problems");
    let generation = ctx.session.results_generation;
    let cached: Option<(u64, Listed)> = ui.data(|d| d.get_temp(key));
    let problems = match cached {
        Some((g, p)) if g == generation => p,
        _ => {
            let p: Listed = Arc::new(
                crate::engine::check_data(ctx.program, &obs)
                    .into_iter()
                    .map(|p| (p.severity == Severity::Error, p.message))
                    .collect(),
            );
            ui.data_mut(|d| d.insert_temp(key, (generation, p.clone())));
            p
        }
    };
    if no_baseline(ctx.program, &obs) {
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, widgets::AMBER))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(format!(
                    "The data has no baseline (period “{}”), but the thresholds and benchmarks \
                     are set from it, so no measure earns points.",
                    ctx.program.standards.baseline_period
                ));
                if ui
                    .button("Set standards on the performance period")
                    .on_hover_text(
                        "Thresholds, benchmarks and floors become percentiles (or top-decile \
                         means) of the performance period's rates",
                    )
                    .clicked()
                {
                    standards_on_performance(ctx.program);
                }
            });
    }
    if problems.is_empty() {
        return;
    }
    let errors = problems.iter().filter(|(e, _)| *e).count();
    let title = match errors {
        0 => format!("⚠ {} things to check in the data", problems.len()),
        _ => format!(
            "⚠ {} things to check in the data ({errors} stop scoring)",
            problems.len()
        ),
    };
    egui::CollapsingHeader::new(RichText::new(title).color(widgets::AMBER))
        .id_salt("data-problems")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("data-problems-scroll")
                .max_height(160.0)
                .show(ui, |ui| {
                    for (error, message) in problems.iter() {
                        if *error {
                            widgets::error(ui, message);
                        } else {
                            widgets::warning(ui, message);
                        }
                    }
                });
        });
}

/// Whether no scored measure has a baseline in the data while a standard is set from it.
fn no_baseline(program: &Program, obs: &crate::engine::Observations) -> bool {
    let s = &program.standards;
    let scored: Vec<&str> = program
        .scored_measures()
        .filter(|m| !m.supplied_score)
        .map(|m| m.id.as_str())
        .collect();
    if scored.is_empty() {
        return false;
    }
    let reported = |id: &str| {
        obs.series(id, &s.baseline_period)
            .is_some_and(|v| (0..obs.provider_count()).any(|i| v.reported(i)))
    };
    !scored.iter().any(|id| reported(id)) && scored.iter().any(|id| s.reads_baseline(id))
}

/// Every standard set from the baseline is set from the performance period instead.
fn standards_on_performance(program: &mut Program) {
    let s = &mut program.standards;
    let mut rules: Vec<&mut StandardRule> = vec![&mut s.threshold, &mut s.benchmark, &mut s.floor];
    for o in &mut s.overrides {
        rules.extend(
            [&mut o.threshold, &mut o.benchmark, &mut o.floor]
                .into_iter()
                .flatten(),
        );
    }
    for r in rules {
        if let StandardRule::Percentile { of, .. } | StandardRule::TopDecileMean { of } = r {
            *of = PeriodRef::Performance;
        }
    }
}

fn periods(ui: &mut Ui, program: &mut Program, session: &Session) {
    section(
        ui,
        "Periods",
        Some(
            "The baseline is where providers are now; the performance period is what is scored and paid.",
        ),
    );
    let options: Vec<String> = session
        .observations
        .as_ref()
        .map(|o| o.periods())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        for (what, value) in [
            ("Baseline period", &mut program.standards.baseline_period),
            (
                "Performance period",
                &mut program.standards.performance_period,
            ),
        ] {
            ui.label(what);
            if options.is_empty() {
                widgets::cell_text(ui, what, value, 120.0);
            } else {
                egui::ComboBox::from_id_salt(what)
                    .selected_text(value.as_str())
                    .show_ui(ui, |ui| {
                        for p in &options {
                            ui.selectable_value(value, p.clone(), p);
                        }
                    })
                    .response
                    .accessible_name(what);
            }
            ui.add_space(16.0);
        }
    });
    for p in [
        &program.standards.baseline_period,
        &program.standards.performance_period,
    ] {
        if !options.is_empty() && !options.contains(p) {
            widgets::warning(ui, format!("The data has no period “{p}”"));
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum RuleKind {
    Percentile,
    TopDecile,
    Fixed,
    Supplied,
}

impl RuleKind {
    fn of(r: &StandardRule) -> RuleKind {
        match r {
            StandardRule::Percentile { .. } => RuleKind::Percentile,
            StandardRule::TopDecileMean { .. } => RuleKind::TopDecile,
            StandardRule::Fixed(_) => RuleKind::Fixed,
            StandardRule::Supplied => RuleKind::Supplied,
        }
    }
    fn label(self) -> String {
        match self {
            RuleKind::Percentile => "Percentile",
            RuleKind::TopDecile => "Mean of top decile",
            RuleKind::Fixed => "Fixed value",
            RuleKind::Supplied => "Supplied in the data",
        }
        .to_owned()
    }
}

/// Edits one threshold / benchmark / floor rule; `name` prefixes the widgets' names.
fn rule_editor(ui: &mut Ui, name: &str, rule: &mut StandardRule) {
    ui.horizontal(|ui| {
        let mut kind = RuleKind::of(rule);
        combo(
            ui,
            (name, "kind"),
            &format!("{name} rule"),
            &mut kind,
            &[
                RuleKind::Percentile,
                RuleKind::TopDecile,
                RuleKind::Fixed,
                RuleKind::Supplied,
            ],
            RuleKind::label,
        );
        if kind != RuleKind::of(rule) {
            let of = match rule {
                StandardRule::Percentile { of, .. } | StandardRule::TopDecileMean { of } => *of,
                _ => PeriodRef::Baseline,
            };
            *rule = match kind {
                RuleKind::Percentile => StandardRule::Percentile { p: 50.0, of },
                RuleKind::TopDecile => StandardRule::TopDecileMean { of },
                RuleKind::Fixed => StandardRule::Fixed(0.0),
                RuleKind::Supplied => StandardRule::Supplied,
            };
        }
        let of_combo = |ui: &mut Ui, of: &mut PeriodRef| {
            ui.label("of");
            combo(
                ui,
                (name, "of"),
                &format!("{name} period"),
                of,
                &[PeriodRef::Baseline, PeriodRef::Performance],
                |p| match p {
                    PeriodRef::Baseline => "baseline".to_owned(),
                    PeriodRef::Performance => "performance period".to_owned(),
                },
            );
        };
        match rule {
            StandardRule::Percentile { p, of } => {
                ui.add(
                    egui::Slider::new(p, 0.0..=100.0)
                        .step_by(1.0)
                        .fixed_decimals(0)
                        .suffix("th"),
                )
                .accessible_name(format!("{name} percentile"));
                of_combo(ui, of);
            }
            StandardRule::TopDecileMean { of } => of_combo(ui, of),
            StandardRule::Fixed(v) => {
                ui.add(egui::DragValue::new(v).speed(0.01).max_decimals(4))
                    .accessible_name(format!("{name} value"))
                    .on_hover_text("In the measure's own units (e.g. 0.72 for a 72% rate)");
            }
            StandardRule::Supplied => {
                ui.label(
                    RichText::new("read from a mapped threshold / benchmark / floor column").weak(),
                );
            }
        }
    });
}

fn global_rules(ui: &mut Ui, program: &mut Program, session: &Session) {
    section(
        ui,
        "Thresholds and benchmarks (program default)",
        Some("Apply to every measure unless the measure overrides them below."),
    );
    let s = &mut program.standards;
    egui::Grid::new("global-rules")
        .num_columns(2)
        .show(ui, |ui| {
            for (what, tip, rule) in [
                ("Threshold", terms::THRESHOLD, &mut s.threshold),
                ("Benchmark", terms::BENCHMARK, &mut s.benchmark),
                ("Floor", terms::FLOOR, &mut s.floor),
            ] {
                ui.label(what).on_hover_text(tip);
                rule_editor(ui, what, rule);
                ui.end_row();
            }
        });
    ui.checkbox(
        &mut s.by_peer_group,
        "Set standards separately within each peer group",
    )
    .on_hover_text(terms::PEER_GROUP);
    if s.by_peer_group {
        // Peer groups come from the data's peer-group column, or are cut from a stratifier.
        let stratifiers: Vec<String> = session
            .observations
            .as_ref()
            .map(|o| {
                o.providers
                    .stratifiers
                    .iter()
                    .map(|st| st.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let shown = |from: &Option<String>| match from {
            None => "the data's peer-group column".to_owned(),
            Some(name) => format!("quintiles (or categories) of {name}"),
        };
        ui.horizontal(|ui| {
            ui.label("Peer groups:");
            egui::ComboBox::from_id_salt("peer-groups-from")
                .selected_text(shown(&s.peer_groups_from))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.peer_groups_from, None, shown(&None));
                    for name in stratifiers {
                        let v = Some(name);
                        let label = shown(&v);
                        ui.selectable_value(&mut s.peer_groups_from, v, label);
                    }
                })
                .response
                .on_hover_text(
                    "Readmissions-style peer groups: hospitals grouped by quintile of \
                     dual-eligible share, so each is compared with similar ones.",
                );
        });
    }
}

fn measure_section(ui: &mut Ui, ctx: &mut StepCtx) {
    section(ui, "Per measure", None);
    let ids: Vec<String> = ctx
        .program
        .scored_measures()
        .map(|m| m.id.clone())
        .collect();
    if ids.is_empty() {
        widgets::warning(ui, "No vital-few measures yet: choose them in step 2.");
        return;
    }
    let mut st: ViewState = widgets::load_state(ui, KEY);
    if st.measure.as_ref().is_none_or(|m| !ids.contains(m)) {
        st.measure = ids.first().cloned();
    }
    ui.horizontal_wrapped(|ui| {
        for id in &ids {
            if ui
                .selectable_label(st.measure.as_ref() == Some(id), id)
                .on_hover_text(ctx.program.measure(id).map_or("", |m| m.title.as_str()))
                .clicked()
            {
                st.measure = Some(id.clone());
            }
        }
    });
    let Some(id) = st.measure.clone() else {
        return;
    };
    if let Some(m) = ctx.program.measure(&id) {
        ui.label(
            RichText::new(format!("{} — {}", m.id, m.title))
                .strong()
                .size(16.0),
        );
        ui.label(
            RichText::new(format!(
                "{} · {}",
                m.direction.label(),
                m.data_source.label()
            ))
            .weak(),
        );
    }
    overrides(ui, ctx.program, &id);
    min_denominator(ui, ctx.program, ctx.session, &id);

    let session = &*ctx.session;
    let found = session.inputs.as_ref().and_then(|inp| {
        let k = inp.measures.iter().position(|m| m.id == id)?;
        Some((inp.clone(), k))
    });
    let result = session.results.as_ref().and_then(|r| r.measure(&id));
    match (found, result) {
        (Some((inputs, k)), Some(r)) => {
            let mi = &inputs.measures[k];
            standards_table(ui, &inputs.group_names, r, mi);
            distribution(ui, &mut st, &inputs.group_names, &inputs.group, mi, r);
            providers_table(
                ui,
                &mut st,
                session,
                ctx.actions,
                &inputs.provider_ids,
                mi,
                r,
            );
        }
        _ if session.observations.is_none() => {
            ui.label(
                RichText::new(
                    "Load data to see this measure's standards, distribution and baselines.",
                )
                .weak(),
            );
        }
        _ => {
            ui.label(RichText::new("No results for this measure yet.").weak());
        }
    }
    widgets::store_state(ui, KEY, st);
}

fn overrides(ui: &mut Ui, program: &mut Program, id: &str) {
    let defaults = [
        program.standards.threshold.clone(),
        program.standards.benchmark.clone(),
        program.standards.floor.clone(),
    ];
    let s = &mut program.standards;
    if s.override_for(id).is_none() {
        s.overrides.push(MeasureStandards {
            measure_id: id.to_owned(),
            threshold: None,
            benchmark: None,
            floor: None,
        });
    }
    let Some(o) = s.overrides.iter_mut().find(|o| o.measure_id == id) else {
        return;
    };
    egui::Grid::new(("overrides", id))
        .num_columns(3)
        .show(ui, |ui| {
            for ((what, slot), default) in [
                ("Threshold", &mut o.threshold),
                ("Benchmark", &mut o.benchmark),
                ("Floor", &mut o.floor),
            ]
            .into_iter()
            .zip(defaults)
            {
                let mut on = slot.is_some();
                if ui
                    .checkbox(&mut on, format!("Own {}", what.to_lowercase()))
                    .on_hover_text(format!(
                        "Override the program's {} rule for {id}",
                        what.to_lowercase()
                    ))
                    .changed()
                {
                    *slot = on.then(|| default.clone());
                }
                match slot {
                    Some(rule) => rule_editor(ui, &format!("{id} {what}"), rule),
                    None => {
                        ui.label(
                            RichText::new(format!("program default: {}", default.label())).weak(),
                        );
                    }
                }
                ui.end_row();
            }
        });
    // An override with nothing overridden is noise in the saved file.
    s.overrides
        .retain(|o| o.threshold.is_some() || o.benchmark.is_some() || o.floor.is_some());
}

fn min_denominator(ui: &mut Ui, program: &mut Program, session: &Session, id: &str) {
    let below = below_min_denominator(program, session, id);
    let Some(m) = program.measure_mut(id) else {
        return;
    };
    ui.horizontal(|ui| {
        let mut on = m.min_denominator.is_some();
        if ui
            .checkbox(&mut on, "Minimum denominator")
            .on_hover_text(terms::MIN_DENOMINATOR)
            .changed()
        {
            m.min_denominator = on.then_some(30.0);
        }
        if let Some(v) = &mut m.min_denominator {
            ui.add(egui::DragValue::new(v).range(0.0..=100_000.0).speed(1.0))
                .accessible_name(format!("Minimum denominator for {id}"));
            if let Some((below, reported)) = below {
                ui.label(
                    RichText::new(format!(
                        "{below} of {reported} reporting providers fall below it and are not scored"
                    ))
                    .weak(),
                );
            }
        }
    });
}

/// (providers below the minimum denominator, providers with a denominator) for a measure.
fn below_min_denominator(program: &Program, session: &Session, id: &str) -> Option<(usize, usize)> {
    let min = program.measure(id)?.min_denominator?;
    let inputs = session.inputs.as_ref()?;
    let mi = inputs.measures.iter().find(|m| m.id == id)?;
    let known: Vec<f64> = mi
        .denominator
        .iter()
        .copied()
        .filter(|d| d.is_finite())
        .collect();
    Some((known.iter().filter(|d| **d < min).count(), known.len()))
}

fn standards_table(ui: &mut Ui, groups: &[String], r: &MeasureResult, mi: &MeasureInputs) {
    ui.add_space(6.0);
    ui.label(RichText::new("Standards (computed by the engine)").strong());
    egui::Grid::new("standards")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for (h, tip) in [
                ("Peer group", terms::PEER_GROUP),
                ("Threshold", terms::THRESHOLD),
                ("Benchmark", terms::BENCHMARK),
                ("Floor", terms::FLOOR),
                ("Providers with a baseline", ""),
            ] {
                let l = ui.label(RichText::new(h).weak());
                if !tip.is_empty() {
                    l.on_hover_text(tip);
                }
            }
            ui.end_row();
            for (g, s) in r.standards.iter().enumerate() {
                ui.label(groups.get(g).map_or("", String::as_str));
                ui.label(
                    RichText::new(widgets::fmt_value(s.threshold))
                        .color(widgets::AMBER)
                        .strong(),
                );
                ui.label(
                    RichText::new(widgets::fmt_value(s.benchmark))
                        .color(widgets::GREEN)
                        .strong(),
                );
                ui.label(widgets::fmt_value(s.floor));
                ui.label(mi.baseline_dist.get(g).map_or(0, |d| d.len()).to_string());
                ui.end_row();
            }
        });
}

/// Histogram bars of `values` over `bins` equal bins from `lo` to `hi`.
fn histogram(
    values: &[f64],
    lo: f64,
    hi: f64,
    bins: usize,
    shift: f64,
    color: Color32,
) -> Vec<Bar> {
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let b = (((v - lo) / w) as usize).min(bins - 1);
        counts[b] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(b, c)| {
            Bar::new(lo + w * (b as f64 + 0.5) + shift * w, *c as f64)
                .width(w * 0.45)
                .fill(color)
                .name(format!(
                    "{} – {}",
                    widgets::fmt_value(lo + w * b as f64),
                    widgets::fmt_value(lo + w * (b + 1) as f64)
                ))
        })
        .collect()
}

fn distribution(
    ui: &mut Ui,
    st: &mut ViewState,
    groups: &[String],
    group_of: &[u32],
    mi: &MeasureInputs,
    r: &MeasureResult,
) {
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Distribution of provider rates").strong());
        if groups.len() > 1 {
            st.group = st.group.min(groups.len() - 1);
            egui::ComboBox::from_id_salt("dist-group")
                .selected_text(groups[st.group].as_str())
                .show_ui(ui, |ui| {
                    for (g, name) in groups.iter().enumerate() {
                        ui.selectable_value(&mut st.group, g, name);
                    }
                })
                .response
                .accessible_name("Peer group shown");
        } else {
            st.group = 0;
        }
    });
    let g = st.group as u32;
    // The engine holds rates oriented so greater is better; the plot shows the measure's units.
    let pick = |col: &[f64]| -> Vec<f64> {
        col.iter()
            .zip(group_of)
            .filter(|(v, gi)| **gi == g && v.is_finite())
            .map(|(v, _)| v * mi.sign)
            .collect()
    };
    let base = pick(&mi.baseline);
    let perf = pick(&mi.performance);
    let std = r.standards.get(st.group).copied().unwrap_or_default();
    let all = base
        .iter()
        .chain(&perf)
        .chain([&std.threshold, &std.benchmark]);
    let (mut lo, mut hi) = all
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() {
        ui.label(RichText::new("No rates reported for this measure.").weak());
        return;
    }
    if hi - lo < 1e-9 {
        lo -= 0.5;
        hi += 0.5;
    }
    let bins = 24;
    let base_color = Color32::from_rgba_unmultiplied(100, 149, 237, 200);
    let perf_color = Color32::from_rgba_unmultiplied(255, 140, 0, 200);
    Plot::new(("distribution", &mi.id))
        .height(240.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_label("rate (measure's units)")
        .y_axis_label("providers")
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new(
                    format!("Baseline ({} providers)", base.len()),
                    histogram(&base, lo, hi, bins, -0.25, base_color),
                )
                .color(base_color),
            );
            p.bar_chart(
                BarChart::new(
                    format!("Performance ({} providers)", perf.len()),
                    histogram(&perf, lo, hi, bins, 0.25, perf_color),
                )
                .color(perf_color),
            );
            if std.threshold.is_finite() {
                p.vline(
                    VLine::new(
                        format!("Threshold {}", widgets::fmt_value(std.threshold)),
                        std.threshold,
                    )
                    .color(widgets::AMBER)
                    .width(2.5)
                    .style(LineStyle::dashed_loose()),
                );
            }
            if std.benchmark.is_finite() {
                p.vline(
                    VLine::new(
                        format!("Benchmark {}", widgets::fmt_value(std.benchmark)),
                        std.benchmark,
                    )
                    .color(widgets::GREEN)
                    .width(2.5),
                );
            }
        });
}

fn providers_table(
    ui: &mut Ui,
    st: &mut ViewState,
    session: &Session,
    actions: &mut Vec<Action>,
    ids: &[String],
    mi: &MeasureInputs,
    r: &MeasureResult,
) {
    ui.add_space(6.0);
    ui.label(RichText::new("Baselines per provider").strong());
    let n = ids.len();
    let get = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let mut order: Vec<usize> = (0..n).collect();
    if let Some((by, desc)) = st.sort {
        let key = |i: usize| -> f64 {
            match by {
                SortBy::Provider => 0.0,
                SortBy::Baseline => get(&mi.baseline, i) * mi.sign,
                SortBy::Performance => get(&mi.performance, i) * mi.sign,
                SortBy::Denominator => get(&mi.denominator, i),
                SortBy::Score => get(&r.score, i),
            }
        };
        if by == SortBy::Provider {
            order.sort_by(|a, b| ids[*a].cmp(&ids[*b]));
        } else {
            // Missing values always last, whichever the direction.
            order.sort_by(|a, b| {
                let (x, y) = (key(*a), key(*b));
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if desc => y.total_cmp(&x),
                    _ => x.total_cmp(&y),
                }
            });
        }
        if desc && by == SortBy::Provider {
            order.reverse();
        }
    }
    let names = session.observations.as_ref().map(|o| &o.providers.names);
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut select = None;
    ui.push_id(("providers", &mi.id), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(320.0)
            .min_scrolled_height(320.0)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(110.0))
            .column(Column::remainder().at_least(160.0).clip(true))
            .columns(Column::exact(110.0), 6)
            .header(row_h + 4.0, |mut h| {
                let mut head = |h: &mut egui_extras::TableRow, text: &str, by: Option<SortBy>| {
                    h.col(|ui| match by {
                        Some(by) => {
                            let arrow = match st.sort {
                                Some((b, true)) if b == by => " ⏷",
                                Some((b, false)) if b == by => " ⏶",
                                _ => "",
                            };
                            if ui
                                .button(RichText::new(format!("{text}{arrow}")).strong())
                                .on_hover_text("Sort")
                                .accessible_name(format!("Sort by {}", text.to_lowercase()))
                                .clicked()
                            {
                                st.sort = match st.sort {
                                    Some((b, d)) if b == by => Some((by, !d)),
                                    _ => Some((by, by != SortBy::Provider)),
                                };
                            }
                        }
                        None => {
                            ui.label(RichText::new(text).strong());
                        }
                    });
                };
                head(&mut h, "Provider", Some(SortBy::Provider));
                head(&mut h, "Name", None);
                head(&mut h, "Baseline", Some(SortBy::Baseline));
                head(&mut h, "Performance", Some(SortBy::Performance));
                head(&mut h, "Denominator", Some(SortBy::Denominator));
                head(&mut h, "Achievement", None);
                head(&mut h, "Improvement", None);
                head(&mut h, "Score", Some(SortBy::Score));
            })
            .body(|body| {
                body.rows(row_h, n, |mut row| {
                    let i = order[row.index()];
                    row.col(|ui| {
                        if ui
                            .link(RichText::new(&ids[i]).monospace())
                            .on_hover_text("Show why this provider is paid what it is")
                            .clicked()
                        {
                            select = Some(i);
                        }
                    });
                    row.col(|ui| {
                        ui.label(
                            names
                                .as_ref()
                                .and_then(|n| n.get(i))
                                .map_or("", String::as_str),
                        );
                    });
                    for text in [
                        widgets::fmt_value(get(&mi.baseline, i) * mi.sign),
                        widgets::fmt_value(get(&mi.performance, i) * mi.sign),
                        widgets::fmt_count(get(&mi.denominator, i)),
                        widgets::fmt_points(get(&r.achievement, i)),
                        widgets::fmt_points(get(&r.improvement, i)),
                        widgets::fmt_points(get(&r.score, i)),
                    ] {
                        row.col(|ui| {
                            ui.label(text);
                        });
                    }
                });
            });
    });
    if let Some(i) = select {
        actions.push(Action::SelectProvider(i));
    }
}
