//! Step 7: the phase plan with readiness checks, a later period's data, data-flow monitoring
//! (who reported what, completeness against the target) and improvement since baseline.

use super::widgets::{self, HeatCell, section, terms};
use super::{Action, StepCtx, phase};
use crate::app::session::Session;
use crate::engine::monitoring::{MeasureMonitoring, Monitoring};
use crate::program::{Capability, PhaseKind, Program};
use egui::{RichText, Ui};

/// One automatic check of a phase's readiness.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub what: String,
    pub ok: bool,
    /// More about it, shown on hover (may be empty).
    pub detail: String,
}

/// The checks that say whether a phase can begin.
pub fn phase_checks(
    program: &Program,
    session: &Session,
    mon: Option<&Monitoring>,
    phase_index: usize,
) -> Vec<Check> {
    let Some(p) = program.phases.get(phase_index) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if p.kind != PhaseKind::Participation {
        out.push(Check {
            what: if p.measure_ids.is_empty() {
                "no measures assigned".into()
            } else {
                format!("{} measures assigned", p.measure_ids.len())
            },
            ok: !p.measure_ids.is_empty(),
            detail: p.measure_ids.join(", "),
        });
    }
    let not_ready: Vec<&crate::program::GapItem> = program
        .gaps
        .iter()
        .filter(|g| {
            g.capability != Capability::Ready
                && (g.measure_ids.is_empty()
                    || g.measure_ids.iter().any(|m| p.measure_ids.contains(m)))
        })
        .collect();
    let missing = not_ready
        .iter()
        .filter(|g| g.capability == Capability::Missing)
        .count();
    out.push(Check {
        what: match not_ready.len() {
            0 => "data infrastructure ready".into(),
            k => format!(
                "{k} requirement{} not ready ({missing} missing)",
                if k == 1 { "" } else { "s" }
            ),
        },
        ok: not_ready.is_empty(),
        detail: not_ready
            .iter()
            .map(|g| {
                format!(
                    "• {} ({})",
                    g.requirement,
                    g.capability.label().to_lowercase()
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    });
    // Paying on results needs the results to flow first: completeness gates performance and
    // success phases (a reporting phase is where reporting gets going).
    if matches!(p.kind, PhaseKind::Performance | PhaseKind::Success) {
        let target = program.implementation.completeness_target;
        out.push(match mon {
            None => Check {
                what: "reporting completeness unknown: choose a monitoring period".into(),
                ok: false,
                detail: String::new(),
            },
            Some(mon) => {
                let phase_ms: Vec<&MeasureMonitoring> = mon
                    .measures
                    .iter()
                    .filter(|m| p.measure_ids.contains(&m.id))
                    .collect();
                let exp: usize = phase_ms.iter().map(|m| m.expected_count).sum();
                let rep: usize = phase_ms.iter().map(|m| m.reported_count).sum();
                let c = if exp == 0 {
                    f64::NAN
                } else {
                    rep as f64 / exp as f64
                };
                Check {
                    what: format!(
                        "reporting completeness {} in {} (target {})",
                        widgets::fmt_percent(c),
                        mon.period,
                        widgets::fmt_percent(target)
                    ),
                    ok: c.is_finite() && c >= target,
                    detail: phase_ms
                        .iter()
                        .map(|m| format!("• {}: {}", m.id, widgets::fmt_percent(m.completeness())))
                        .collect::<Vec<_>>()
                        .join("\n"),
                }
            }
        });
        let unset: Vec<&str> = p
            .measure_ids
            .iter()
            .filter(|id| {
                session.results.as_ref().is_none_or(|r| {
                    r.measure(id).is_none_or(|mr| {
                        mr.standards
                            .iter()
                            .any(|s| !s.threshold.is_finite() || !s.benchmark.is_finite())
                    })
                })
            })
            .map(String::as_str)
            .collect();
        out.push(Check {
            what: if unset.is_empty() {
                "baselines and benchmarks set".into()
            } else {
                format!("no baseline or benchmark for {}", unset.join(", "))
            },
            ok: unset.is_empty(),
            detail: String::new(),
        });
    }
    out
}

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("implement-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            period_section(ui, ctx);
            let mon = ctx.session.monitoring(ctx.program);
            plan(ui, ctx, mon.as_deref());
            if let Some(m) = &mon {
                data_flow(ui, ctx, m);
                improvement(ui, ctx.program, m);
            }
            section(ui, "Problems and actions", Some("A running log of what went wrong and what was done about it."));
            ui.add(
                egui::TextEdit::multiline(&mut ctx.program.implementation.notes)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY)
                    .hint_text("e.g. 2026-04: three practices' EHR extracts missing BP readings; vendor fix due May"),
            )
            .accessible_name("Implementation notes");
        });
}

fn period_section(ui: &mut Ui, ctx: &mut StepCtx) {
    section(
        ui,
        "Monitoring period",
        Some("A later period's data, compared with the baseline to see data flow and improvement."),
    );
    let periods: Vec<String> = ctx
        .session
        .observations
        .as_ref()
        .map(|o| o.periods())
        .unwrap_or_default();
    let imp = &mut ctx.program.implementation;
    ui.horizontal_wrapped(|ui| {
        ui.label("Monitor");
        if periods.is_empty() {
            ui.label(RichText::new("(load data first)").weak());
        } else {
            egui::ComboBox::from_id_salt("monitoring-period")
                .selected_text(
                    imp.monitoring_period
                        .as_deref()
                        .unwrap_or("choose a period…"),
                )
                .show_ui(ui, |ui| {
                    for p in &periods {
                        ui.selectable_value(&mut imp.monitoring_period, Some(p.clone()), p);
                    }
                })
                .response
                .accessible_name("Monitoring period");
        }
        ui.add_space(12.0);
        let l = ui
            .label("Completeness target")
            .on_hover_text(terms::COMPLETENESS);
        widgets::share_percent(ui, "Completeness target", &mut imp.completeness_target)
            .labelled_by(l.id);
        ui.add_space(12.0);
        if ui
            .button("📂 Load a later period…")
            .on_hover_text("Import a file with a later period's results (e.g. 2026Q1)")
            .clicked()
        {
            ctx.actions.push(Action::PickDataFile);
        }
    });
    if let Some(p) = &imp.monitoring_period
        && !periods.is_empty()
        && !periods.contains(p)
    {
        widgets::warning(ui, format!("The loaded data has no period “{p}”"));
    }
}

fn plan(ui: &mut Ui, ctx: &mut StepCtx, mon: Option<&Monitoring>) {
    section(
        ui,
        "Phase plan",
        Some("Begin phase 1; move on when the next phase's criteria are met."),
    );
    if ctx.program.phases.is_empty() {
        widgets::warning(ui, "No phases yet: plan them in step 4.");
        if ui.button("Go to step 4").clicked() {
            ctx.actions.push(Action::GoTo(super::Step::Phase));
        }
        return;
    }
    let checks: Vec<Vec<Check>> = (0..ctx.program.phases.len())
        .map(|i| phase_checks(ctx.program, ctx.session, mon, i))
        .collect();
    let current = ctx.program.implementation.current_phase.clone();
    let mut set_current: Option<Option<String>> = None;
    // One framed row per phase, columns of fixed width so long criteria wrap inside them.
    let col = |ui: &mut Ui, w: f32, add: &mut dyn FnMut(&mut Ui)| {
        ui.allocate_ui_with_layout(
            egui::vec2(w, 0.0),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                ui.set_width(w);
                add(ui);
            },
        );
    };
    for (i, p) in ctx.program.phases.iter().enumerate() {
        let is_current = current.as_deref() == Some(p.name.as_str());
        let mut frame = egui::Frame::group(ui.style());
        if is_current {
            frame = frame.stroke(egui::Stroke::new(2.0, phase::kind_color(p.kind)));
        }
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            // Columns share the width: identity, criteria, and readiness (the rest).
            let spacing = ui.spacing().item_spacing.x * 3.0 + ui.spacing().interact_size.y;
            let w = (ui.available_width() - spacing).max(480.0);
            let (w1, w2) = ((w * 0.28).clamp(170.0, 260.0), w * 0.36);
            let w3 = (w - w1 - w2).max(160.0);
            ui.horizontal_top(|ui| {
                if ui
                    .radio(is_current, "")
                    .accessible_name(format!("{} is the current phase", p.name))
                    .on_hover_text("Mark as the phase now running")
                    .clicked()
                {
                    set_current = Some(Some(p.name.clone()));
                }
                col(ui, w1, &mut |ui| {
                    ui.label(RichText::new(format!("{}. {}", i + 1, p.name)).strong());
                    ui.label(
                        RichText::new(p.kind.label())
                            .color(egui::Color32::BLACK)
                            .background_color(phase::kind_color(p.kind)),
                    );
                    ui.label(match crate::program::plan::end_month(p) {
                        Some(end) => format!("{} ➡ {end} · {} months", p.start, p.months),
                        None => "no start month".to_owned(),
                    });
                    ui.label(format!("{:.0}% of the pool", p.pool_share * 100.0));
                    if is_current {
                        ui.label(RichText::new("running now").strong().color(widgets::BLUE));
                    }
                });
                col(ui, w2, &mut |ui| {
                    ui.label(RichText::new("Entry criteria").weak());
                    if p.entry_criteria.is_empty() {
                        ui.label(RichText::new("none").weak());
                    }
                    for c in &p.entry_criteria {
                        ui.label(format!("• {c}"));
                    }
                });
                col(ui, w3, &mut |ui| {
                    ui.label(RichText::new("Readiness").weak());
                    for c in &checks[i] {
                        let r = if c.ok {
                            widgets::ok(ui, &c.what)
                        } else {
                            widgets::warning(ui, &c.what)
                        };
                        if !c.detail.is_empty() {
                            r.on_hover_text(&c.detail);
                        }
                    }
                    if !p.entry_criteria.is_empty() {
                        ui.label(
                            RichText::new("Confirm the entry criteria with stakeholders.").weak(),
                        );
                    }
                });
            });
        });
    }
    let idx = current
        .as_ref()
        .and_then(|c| ctx.program.phases.iter().position(|p| &p.name == c));
    ui.horizontal(|ui| match idx {
        None => {
            let first = ctx.program.phases[0].name.clone();
            if ui.button(format!("▶ Begin phase 1: {first}")).clicked() {
                set_current = Some(Some(first));
            }
        }
        Some(i) if i + 1 < ctx.program.phases.len() => {
            let next = &ctx.program.phases[i + 1];
            let ready = checks[i + 1].iter().all(|c| c.ok);
            let r = ui.add_enabled(
                ready,
                egui::Button::new(format!("⏭ Move to phase {}: {}", i + 2, next.name)),
            );
            let r = if ready {
                r
            } else {
                r.on_disabled_hover_text("The next phase's readiness checks are not all met")
            };
            if r.clicked() {
                set_current = Some(Some(next.name.clone()));
            }
        }
        Some(_) => {
            widgets::ok(
                ui,
                "The last phase is running: the program is fully implemented.",
            );
        }
    });
    if let Some(c) = set_current {
        ctx.program.implementation.current_phase = c;
    }
    let current = ctx.program.implementation.current_phase.clone();
    phase::timeline(ui, ctx.program, current.as_deref());
}

fn data_flow(ui: &mut Ui, ctx: &mut StepCtx, mon: &Monitoring) {
    let Some(obs) = ctx.session.observations.as_ref() else {
        return;
    };
    let target = ctx.program.implementation.completeness_target;
    section(
        ui,
        &format!("Data flow in {}", mon.period),
        Some(terms::COMPLETENESS),
    );
    let c = mon.completeness();
    ui.horizontal(|ui| {
        widgets::figure(
            ui,
            "of expected results reported",
            &widgets::fmt_percent(c),
            "Reported provider × measure results ÷ those expected",
        );
        ui.add_space(16.0);
        if c.is_finite() && c >= target {
            widgets::ok(
                ui,
                format!("at or above the {} target", widgets::fmt_percent(target)),
            );
        } else {
            widgets::warning(
                ui,
                format!("below the {} target", widgets::fmt_percent(target)),
            );
        }
    });
    let absent: Vec<&str> = mon
        .measures
        .iter()
        .filter(|m| !m.in_period)
        .map(|m| m.id.as_str())
        .collect();
    if !absent.is_empty() {
        widgets::warning(
            ui,
            format!(
                "No results at all in {} for {}: not collected for this period yet?",
                mon.period,
                absent.join(", ")
            ),
        );
    }
    egui::Grid::new("completeness")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for m in mon.measures.iter().filter(|m| m.in_period) {
                ui.label(RichText::new(&m.id).monospace().strong());
                let c = m.completeness();
                ui.add(
                    egui::ProgressBar::new(if c.is_finite() { c as f32 } else { 0.0 })
                        .desired_width(260.0)
                        .fill(if c >= target {
                            widgets::GREEN
                        } else {
                            widgets::AMBER
                        })
                        .text(widgets::fmt_percent(c)),
                );
                ui.label(format!(
                    "{} of {} providers",
                    m.reported_count, m.expected_count
                ));
                ui.end_row();
            }
        });

    ui.add_space(6.0);
    ui.label(RichText::new("Who reported what").strong());
    let n = obs.provider_count();
    // One column per provider when they fit, else providers binned so the grid stays one screen wide.
    let max_cols = ((ui.available_width() - 160.0) / 4.0).max(10.0) as usize;
    let per_col = n.div_ceil(max_cols.max(1)).max(1);
    let cols = n.div_ceil(per_col);
    let shown: Vec<&MeasureMonitoring> = mon.measures.iter().filter(|m| m.in_period).collect();
    let rows: Vec<String> = shown.iter().map(|m| m.id.clone()).collect();
    let col_names = vec![String::new(); cols];
    let ids = &obs.providers.ids;
    widgets::heat_grid(ui, &rows, &col_names, egui::vec2(3.0, 18.0), |r, c| {
        let m = shown[r];
        let range = (c * per_col)..((c + 1) * per_col).min(n);
        let exp = range.clone().filter(|i| m.expected[*i]).count();
        if exp == 0 {
            return None;
        }
        let rep = range.clone().filter(|i| m.reported[*i]).count();
        let share = rep as f64 / exp as f64;
        let who = if per_col == 1 {
            ids[range.start].clone()
        } else {
            format!("providers {}–{}", ids[range.start], ids[range.end - 1])
        };
        Some(HeatCell {
            color: if per_col == 1 {
                if rep == 1 {
                    widgets::GREEN
                } else {
                    widgets::RED
                }
            } else {
                widgets::ramp(share as f32)
            },
            text: String::new(),
            tooltip: format!("{} — {who}: {rep} of {exp} reported", m.id),
        })
    });
    ui.label(RichText::new("Green: reported · red: expected but missing · blank: not expected (other service area)").weak());

    // The providers with the most missing results: who to call first.
    let mut missing: Vec<(usize, usize)> = (0..n)
        .map(|i| {
            (
                i,
                shown
                    .iter()
                    .filter(|m| m.expected[i] && !m.reported[i])
                    .count(),
            )
        })
        .filter(|(_, k)| *k > 0)
        .collect();
    missing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !missing.is_empty() {
        ui.add_space(6.0);
        egui::CollapsingHeader::new(format!("{} providers with missing results", missing.len()))
            .id_salt("missing-providers")
            .show(ui, |ui| {
                egui::Grid::new("missing-grid")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for (i, k) in missing.iter().take(25) {
                            if ui.link(ctx.session.provider_label(*i)).clicked() {
                                ctx.actions.push(Action::SelectProvider(*i));
                            }
                            ui.label(format!("{k} missing"));
                            let which: Vec<&str> = shown
                                .iter()
                                .filter(|m| m.expected[*i] && !m.reported[*i])
                                .map(|m| m.id.as_str())
                                .collect();
                            ui.label(RichText::new(which.join(", ")).weak());
                            ui.end_row();
                        }
                    });
                if missing.len() > 25 {
                    ui.label(RichText::new(format!("… and {} more", missing.len() - 25)).weak());
                }
            });
    }
}

fn improvement(ui: &mut Ui, program: &Program, mon: &Monitoring) {
    section(
        ui,
        &format!(
            "Improvement since baseline ({} ➡ {})",
            program.standards.baseline_period, mon.period
        ),
        Some("Medians over providers with a result in both periods, in each measure's own units."),
    );
    egui::Grid::new("improvement")
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "Measure",
                "Baseline median",
                "Now (median)",
                "Median change",
                "Providers improving",
                "Compared",
            ] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for m in &mon.measures {
                let sign = program.measure(&m.id).map_or(1.0, |pm| pm.direction.sign());
                ui.label(RichText::new(&m.id).monospace().strong());
                ui.label(widgets::fmt_value(m.baseline_median));
                ui.label(widgets::fmt_value(m.later_median));
                let ch = m.median_change;
                let better = ch * sign;
                let color = if !ch.is_finite() || ch == 0.0 {
                    ui.visuals().text_color()
                } else if better > 0.0 {
                    widgets::GREEN
                } else {
                    widgets::RED
                };
                let arrow = if !ch.is_finite() || ch == 0.0 {
                    ""
                } else if ch > 0.0 {
                    "⏶ "
                } else {
                    "⏷ "
                };
                ui.label(
                    RichText::new(format!("{arrow}{}", widgets::fmt_value(ch)))
                        .color(color)
                        .strong(),
                );
                let s = m.improved_share;
                if s.is_finite() {
                    ui.add(
                        egui::ProgressBar::new(s as f32)
                            .desired_width(160.0)
                            .fill(widgets::ramp(s as f32))
                            .text(widgets::fmt_percent(s)),
                    );
                } else {
                    ui.label(RichText::new("no results to compare").weak());
                }
                ui.label(m.paired.to_string());
                ui.end_row();
            }
        });
}
