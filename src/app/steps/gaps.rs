//! Step 3: data-collection and infrastructure requirements, current capability, and the time
//! and cost to close each gap; totals and a readiness heat map.

use super::StepCtx;
use super::widgets::{self, HeatCell, combo, section, terms};
use crate::program::plan::{covers, gap_totals, readiness, sources_of};
use crate::program::{Capability, DataSourceKind, GapItem, GapLevel, Measure, Program};
use egui::{RichText, Ui};

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("gaps-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            table(ui, ctx.program);
            totals_ui(ui, ctx.program);
            heat_map(ui, ctx.program);
        });
}

/// The measures the gap analysis is about: the vital few, or every candidate before any is
/// chosen.
fn focus_measures(program: &Program) -> Vec<&Measure> {
    let vf: Vec<&Measure> = program.scored_measures().collect();
    if vf.is_empty() {
        program.measures.iter().collect()
    } else {
        vf
    }
}

fn table(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Requirements and gaps",
        Some(
            "For each chosen measure: what data collection and infrastructure it needs, at \
             provider or payer level, whether that is in place, and the time and cost to close \
             the gap.",
        ),
    );
    let measure_ids: Vec<(String, String)> = focus_measures(program)
        .iter()
        .map(|m| (m.id.clone(), m.title.clone()))
        .collect();
    let mut remove = None;
    egui::ScrollArea::horizontal()
        .id_salt("gaps-h")
        .show(ui, |ui| {
            egui::Grid::new("gap-items")
                .num_columns(8)
                .striped(true)
                .spacing([8.0, 6.0])
                .show(ui, |ui| {
                    for (h, tip) in [
                        (
                            "Requirement",
                            "What must exist: a feed, a system, a process",
                        ),
                        (
                            "Measures",
                            "Measures that need it (none ticked: program-wide)",
                        ),
                        ("Level", "Who must build it: providers or the payer"),
                        ("Data source", ""),
                        ("Capability", terms::CAPABILITY),
                        ("Months", "Months to close the gap"),
                        ("Cost", "Estimated one-off cost to close the gap"),
                        ("", ""),
                    ] {
                        let l = ui.label(RichText::new(h).weak());
                        if !tip.is_empty() {
                            l.on_hover_text(tip);
                        }
                    }
                    ui.end_row();
                    for (i, g) in program.gaps.iter_mut().enumerate() {
                        let n = i + 1;
                        widgets::sized_text(
                            ui,
                            &format!("Requirement {n}"),
                            egui::TextEdit::singleline(&mut g.requirement)
                                .hint_text("e.g. EHR extract of blood pressure readings"),
                            340.0,
                        )
                        .on_hover_text(g.requirement.clone());
                        measures_menu(ui, n, g, &measure_ids);
                        combo(
                            ui,
                            ("gap-level", i),
                            &format!("Level of requirement {n}"),
                            &mut g.level,
                            &[GapLevel::Provider, GapLevel::Payer],
                            |l| l.label().to_owned(),
                        );
                        combo(
                            ui,
                            ("gap-source", i),
                            &format!("Data source of requirement {n}"),
                            &mut g.source,
                            &DataSourceKind::ALL,
                            |s| s.label().to_owned(),
                        );
                        ui.scope(|ui| {
                            let c = widgets::capability_color(g.capability);
                            ui.visuals_mut().widgets.inactive.weak_bg_fill = c;
                            ui.visuals_mut().widgets.hovered.weak_bg_fill = c;
                            ui.visuals_mut().override_text_color = Some(egui::Color32::BLACK);
                            combo(
                                ui,
                                ("gap-cap", i),
                                &format!("Capability of requirement {n}"),
                                &mut g.capability,
                                &Capability::ALL,
                                |c| c.label().to_owned(),
                            );
                        });
                        ui.add(
                            egui::DragValue::new(&mut g.months)
                                .range(0.0..=120.0)
                                .speed(0.5)
                                .max_decimals(1)
                                .suffix(" mo"),
                        )
                        .accessible_name(format!("Months to close requirement {n}"));
                        widgets::money(
                            ui,
                            &format!("Cost of requirement {n}"),
                            &mut g.cost_cents,
                            1e10,
                        );
                        if ui
                            .small_button("✖")
                            .on_hover_text("Remove this requirement")
                            .accessible_name(format!("Remove requirement {n}"))
                            .clicked()
                        {
                            remove = Some(i);
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(i) = remove {
        program.gaps.remove(i);
    }
    ui.horizontal(|ui| {
        if ui.button("➕ Add requirement").clicked() {
            program.gaps.push(GapItem::default());
        }
        let suggestions = suggestions(program);
        if ui
            .add_enabled(
                !suggestions.is_empty(),
                egui::Button::new(format!("✨ Suggest requirements ({})", suggestions.len())),
            )
            .on_hover_text(
                "Add a typical requirement for every data source the chosen measures use that \
                 no requirement covers yet. Fill in capability, months and cost.",
            )
            .clicked()
        {
            program.gaps.extend(suggestions);
        }
    });
}

/// A button listing the measures a requirement serves, opening a checklist.
fn measures_menu(ui: &mut Ui, n: usize, g: &mut GapItem, measures: &[(String, String)]) {
    let label = match g.measure_ids.len() {
        0 => "program-wide".to_owned(),
        1 => g.measure_ids[0].clone(),
        k => format!("{k} measures"),
    };
    let r = ui.menu_button(label, |ui| {
        if g.measure_ids.is_empty() {
            ui.label(RichText::new("None ticked: the requirement is program-wide").weak());
        }
        // Keep measures referenced but no longer in focus visible, so they can be unticked.
        let mut all: Vec<(String, String)> = measures.to_vec();
        for id in &g.measure_ids {
            if !all.iter().any(|(m, _)| m == id) {
                all.push((id.clone(), String::new()));
            }
        }
        for (id, title) in all {
            let mut on = g.measure_ids.contains(&id);
            if ui.checkbox(&mut on, format!("{id}  {title}")).changed() {
                if on {
                    g.measure_ids.push(id);
                } else {
                    g.measure_ids.retain(|m| *m != id);
                }
            }
        }
    });
    r.response
        .accessible_name(format!("Measures of requirement {n}"))
        .on_hover_text(g.measure_ids.join(", "));
}

/// Typical requirements for data sources the focus measures use and no requirement covers.
fn suggestions(program: &Program) -> Vec<GapItem> {
    let mut out: Vec<GapItem> = Vec::new();
    for m in focus_measures(program) {
        for source in sources_of(m.data_source) {
            if covers(program, &m.id, source) {
                continue;
            }
            if let Some(g) = out
                .iter_mut()
                .find(|g| g.source == source && !g.measure_ids.is_empty())
            {
                g.measure_ids.push(m.id.clone());
                continue;
            }
            let (level, requirement) = template(source);
            out.push(GapItem {
                measure_ids: vec![m.id.clone()],
                requirement: requirement.to_owned(),
                level,
                source,
                capability: Capability::Partial,
                ..GapItem::default()
            });
        }
    }
    out
}

fn template(source: DataSourceKind) -> (GapLevel, &'static str) {
    match source {
        DataSourceKind::Claims => (GapLevel::Payer, "Claims data warehouse with measure logic"),
        DataSourceKind::Ehr => (
            GapLevel::Provider,
            "EHR extract or electronic clinical quality reporting",
        ),
        DataSourceKind::Hybrid => (
            GapLevel::Provider,
            "Medical record review for hybrid measures",
        ),
        DataSourceKind::Survey => (GapLevel::Payer, "Patient experience survey vendor (CAHPS)"),
        DataSourceKind::Registry => (GapLevel::Provider, "Registry submission"),
        DataSourceKind::Hie => (GapLevel::Payer, "Clinical data feed from the HIE"),
        DataSourceKind::Administrative => (GapLevel::Payer, "Enrollment and attribution files"),
    }
}

fn totals_ui(ui: &mut Ui, program: &Program) {
    section(ui, "Totals", None);
    let t = gap_totals(program);
    ui.horizontal(|ui| {
        widgets::figure(
            ui,
            "total cost to close gaps",
            &widgets::fmt_money(t.cost_cents),
            "Sum of every requirement's estimated cost",
        );
        ui.add_space(24.0);
        widgets::figure(
            ui,
            "months to readiness",
            &format!("{:.1}", t.max_months),
            "The longest gap: how long until every requirement is in place if they are worked on in parallel",
        );
        ui.add_space(24.0);
        widgets::figure(
            ui,
            "ready · partial · missing",
            &format!(
                "{} · {} · {}",
                t.by_capability[0], t.by_capability[1], t.by_capability[2]
            ),
            terms::CAPABILITY,
        );
    });
    ui.add_space(6.0);
    egui::Grid::new("gap-levels")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "Level",
                "Requirements",
                "Not ready",
                "Cost",
                "Longest (months)",
            ] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for (name, l) in [("Provider", &t.provider), ("Payer", &t.payer)] {
                ui.label(name);
                ui.label(l.items.to_string());
                ui.label(l.not_ready.to_string());
                ui.label(widgets::fmt_money(l.cost_cents));
                ui.label(format!("{:.1}", l.max_months));
                ui.end_row();
            }
        });
}

fn heat_map(ui: &mut Ui, program: &Program) {
    section(
        ui,
        "Readiness heat map",
        Some(
            "Each measure's readiness per data source: the worst capability among the \
             requirements that cover it. Grey: the measure uses this source but no requirement \
             assesses it yet.",
        ),
    );
    let measures = focus_measures(program);
    if measures.is_empty() {
        widgets::warning(ui, "No measures to assess yet.");
        return;
    }
    let sources: Vec<DataSourceKind> = DataSourceKind::ALL
        .into_iter()
        .filter(|s| {
            measures
                .iter()
                .any(|m| sources_of(m.data_source).contains(s))
                || program.gaps.iter().any(|g| g.source == *s)
        })
        .collect();
    let rows: Vec<String> = measures.iter().map(|m| m.id.clone()).collect();
    let cols: Vec<String> = sources.iter().map(|s| s.label().to_owned()).collect();
    widgets::heat_grid(ui, &rows, &cols, egui::vec2(90.0, 24.0), |r, c| {
        let m = measures[r];
        let s = sources[c];
        let needed = sources_of(m.data_source).contains(&s);
        match readiness(program, &m.id, s) {
            Some(cap) => {
                let reqs: Vec<&str> = program
                    .gaps
                    .iter()
                    .filter(|g| {
                        g.source == s && (g.measure_ids.is_empty() || g.measure_ids.contains(&m.id))
                    })
                    .map(|g| g.requirement.as_str())
                    .collect();
                Some(HeatCell {
                    color: widgets::capability_color(cap),
                    text: cap.label().to_owned(),
                    tooltip: format!(
                        "{} — {}: {}\n{}",
                        m.id,
                        s.label(),
                        cap.label(),
                        reqs.join("\n")
                    ),
                })
            }
            None if needed => Some(HeatCell {
                color: widgets::GREY,
                text: "not assessed".to_owned(),
                tooltip: format!(
                    "{} uses {} data but no requirement covers it",
                    m.id,
                    s.label()
                ),
            }),
            None => None,
        }
    });
}
