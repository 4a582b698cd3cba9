//! Step 2: the crosswalk of measures to accountable service areas, and the vital few per area
//! with a visible rationale score.

use super::widgets::{self, section, terms};
use super::{StepCtx, remove_service_area};
use crate::program::plan::{VITAL_FEW_MIN, accountability, held_to, set_accountability};
use crate::program::{Accountability, Measure, Program, ServiceArea, VITAL_FEW_MAX};
use egui::{RichText, Ui};

/// Service areas most P4P programs crosswalk to, offered when a program has none.
const COMMON_AREAS: [(&str, &str); 5] = [
    ("primary_care", "Primary care"),
    ("behavioral_health", "Behavioral health"),
    ("hospital", "Hospital"),
    ("snf", "Skilled nursing"),
    ("home_health", "Home health"),
];

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("vital-few-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            service_areas(ui, ctx.program);
            crosswalk(ui, ctx.program);
            vital_few(ui, ctx.program);
        });
}

/// The list folds to a summary once there are areas, so the crosswalk is in view.
fn service_areas(ui: &mut Ui, program: &mut Program) {
    let n = program.service_areas.len();
    let title = match n {
        0 => "Service areas".to_owned(),
        _ => format!(
            "Service areas: {}",
            program
                .service_areas
                .iter()
                .map(|a| area_label(a).to_owned())
                .collect::<Vec<_>>()
                .join(" · ")
        ),
    };
    ui.add_space(8.0);
    egui::CollapsingHeader::new(RichText::new(title).strong().size(18.0))
        .id_salt("service-areas-header")
        .default_open(n == 0)
        .show(ui, |ui| service_areas_body(ui, program))
        .header_response
        .on_hover_text(
            "The parts of the delivery system that can be held accountable for measures.",
        );
}

fn service_areas_body(ui: &mut Ui, program: &mut Program) {
    let mut remove = None;
    egui::Grid::new("service-areas")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            if !program.service_areas.is_empty() {
                for h in ["Id", "Name", "Description"] {
                    ui.label(RichText::new(h).weak());
                }
                ui.end_row();
            }
            for (i, a) in program.service_areas.iter_mut().enumerate() {
                let n = i + 1;
                // Ids are referenced by the crosswalk, so they are shown but not edited here.
                ui.label(RichText::new(&a.id).monospace());
                widgets::cell_text(ui, &format!("Service area {n} name"), &mut a.name, 200.0);
                widgets::cell_text(
                    ui,
                    &format!("Service area {n} description"),
                    &mut a.description,
                    360.0,
                );
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove this service area and its crosswalk entries")
                    .accessible_name(format!("Remove service area {}", a.id))
                    .clicked()
                {
                    remove = Some(a.id.clone());
                }
                ui.end_row();
            }
        });
    if let Some(id) = remove {
        remove_service_area(program, &id);
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button("➕ Add service area").clicked() {
            let mut k = program.service_areas.len() + 1;
            while program
                .service_areas
                .iter()
                .any(|a| a.id == format!("area_{k}"))
            {
                k += 1;
            }
            program.service_areas.push(ServiceArea {
                id: format!("area_{k}"),
                name: format!("Service area {k}"),
                description: String::new(),
            });
        }
        // A starter set for a new program; once it has areas, names are the designer's.
        for (id, name) in COMMON_AREAS {
            if program.service_areas.is_empty()
                && ui
                    .button(format!("➕ {name}"))
                    .on_hover_text(format!("Add the service area “{name}”"))
                    .clicked()
            {
                program.service_areas.push(ServiceArea {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    description: String::new(),
                });
            }
        }
    });
}

/// none → Primary → Shared → Contributing → none.
fn cycle(a: Option<Accountability>) -> Option<Accountability> {
    match a {
        None => Some(Accountability::Primary),
        Some(Accountability::Primary) => Some(Accountability::Shared),
        Some(Accountability::Shared) => Some(Accountability::Contributing),
        Some(Accountability::Contributing) => None,
    }
}

fn crosswalk(ui: &mut Ui, program: &mut Program) {
    section(ui, "Crosswalk", Some(terms::CROSSWALK));
    if program.measures.is_empty() {
        widgets::warning(ui, "No candidate measures yet: add some in step 1.");
        return;
    }
    if program.service_areas.is_empty() {
        widgets::warning(ui, "No service areas yet: add them above.");
        return;
    }
    ui.label(
        RichText::new("Click a cell to cycle: — ➡ Primary ➡ Shared ➡ Contributing ➡ —").weak(),
    );
    let mut change: Option<(String, String, Option<Accountability>)> = None;
    egui::ScrollArea::horizontal()
        .id_salt("crosswalk-h")
        .show(ui, |ui| {
            egui::Grid::new("crosswalk")
                .num_columns(program.service_areas.len() + 1)
                .striped(true)
                .spacing([6.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Measure").weak());
                    for a in &program.service_areas {
                        ui.label(RichText::new(area_label(a)).strong());
                    }
                    ui.end_row();
                    for m in &program.measures {
                        // The vital few stand out, so the matrix shows what is being paid on.
                        let id = RichText::new(&m.id).monospace();
                        let id = if m.vital_few {
                            id.strong().color(widgets::BLUE)
                        } else {
                            id
                        };
                        ui.label(id).on_hover_text(if m.vital_few {
                            format!("{} (vital few)", m.title)
                        } else {
                            m.title.clone()
                        });
                        for a in &program.service_areas {
                            let cur = accountability(program, &m.id, &a.id);
                            let (text, color) = match cur {
                                None => ("—".to_owned(), None),
                                Some(acc) => (acc.label().to_owned(), Some(acc_color(acc))),
                            };
                            let mut b =
                                egui::Button::new(RichText::new(text).color(if color.is_some() {
                                    egui::Color32::BLACK
                                } else {
                                    ui.visuals().weak_text_color()
                                }))
                                .min_size(egui::vec2(110.0, 0.0));
                            if let Some(c) = color {
                                b = b.fill(c);
                            }
                            let state = cur.map_or("none", Accountability::label);
                            if ui
                                .add(b)
                                .accessible_name(format!("{} in {}: {state}", m.id, area_label(a)))
                                .on_hover_text(format!(
                                    "{} — {}\nClick to change who is accountable",
                                    m.title,
                                    area_label(a)
                                ))
                                .clicked()
                            {
                                change = Some((m.id.clone(), a.id.clone(), cycle(cur)));
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some((m, a, v)) = change {
        set_accountability(program, &m, &a, v);
    }
}

fn area_label(a: &ServiceArea) -> &str {
    if a.name.is_empty() { &a.id } else { &a.name }
}

fn acc_color(a: Accountability) -> egui::Color32 {
    match a {
        Accountability::Primary => egui::Color32::from_rgb(100, 181, 246),
        Accountability::Shared => egui::Color32::from_rgb(178, 223, 219),
        Accountability::Contributing => egui::Color32::from_rgb(255, 224, 178),
    }
}

/// Measures an area is held to, best rationale first.
fn measures_in_area<'p>(program: &'p Program, area: &str) -> Vec<&'p Measure> {
    let mut ms: Vec<&Measure> = program
        .measures
        .iter()
        .filter(|m| held_to(accountability(program, &m.id, area)))
        .collect();
    ms.sort_by_key(|m| std::cmp::Reverse(m.rationale_score.total()));
    ms
}

fn vital_few(ui: &mut Ui, program: &mut Program) {
    section(ui, "The vital few per service area", Some(terms::VITAL_FEW));
    ui.label(
        RichText::new(
            "Score each measure 0–5 on impact, feasibility, alignment with national programs \
             and disparity sensitivity; tick the vital few.",
        )
        .weak(),
    );
    let areas: Vec<(String, String)> = program
        .service_areas
        .iter()
        .map(|a| (a.id.clone(), area_label(a).to_owned()))
        .collect();
    for (area, name) in &areas {
        let ids: Vec<String> = measures_in_area(program, area)
            .iter()
            .map(|m| m.id.clone())
            .collect();
        let vf = ids
            .iter()
            .filter(|id| program.measure(id).is_some_and(|m| m.vital_few))
            .count();
        let title = format!("{name}: {vf} vital few of {} measures", ids.len());
        ui.push_id(("vf-area", area), |ui| {
            egui::CollapsingHeader::new(RichText::new(title).strong())
                .id_salt(("vf-area-header", area))
                .default_open(true)
                .show(ui, |ui| {
                    if vf > VITAL_FEW_MAX {
                        widgets::warning(
                            ui,
                            format!(
                                "{name} has {vf} vital few: aim for {VITAL_FEW_MIN}–{VITAL_FEW_MAX}. \
                                 Too many measures dilute the signal and add reporting burden."
                            ),
                        );
                    } else if vf < VITAL_FEW_MIN && !ids.is_empty() {
                        ui.label(
                            RichText::new(format!(
                                "{vf} vital few so far: aim for {VITAL_FEW_MIN}–{VITAL_FEW_MAX}."
                            ))
                            .weak(),
                        );
                    }
                    if ids.is_empty() {
                        ui.label(
                            RichText::new("No measure is held to this area yet (Primary or Shared in the crosswalk).").weak(),
                        );
                    } else {
                        rationale_table(ui, program, &ids);
                    }
                });
        });
    }
    let loose: Vec<String> = program
        .measures
        .iter()
        .filter(|m| {
            !program
                .crosswalk
                .iter()
                .any(|c| c.measure_id == m.id && held_to(Some(c.accountability)))
        })
        .map(|m| m.id.clone())
        .collect();
    if !loose.is_empty() {
        ui.push_id("vf-loose", |ui| {
            egui::CollapsingHeader::new(
                RichText::new(format!("No area held to them yet ({})", loose.len())).strong(),
            )
            .default_open(areas.is_empty())
            .show(ui, |ui| rationale_table(ui, program, &loose));
        });
    }
}

/// One row per measure: vital-few toggle, id, title, the four criteria and the total.
fn rationale_table(ui: &mut Ui, program: &mut Program, ids: &[String]) {
    // Wider than a narrow window: scroll sideways instead of cutting columns off.
    egui::ScrollArea::horizontal()
        .id_salt("rationale-hscroll")
        .show(ui, |ui| rationale_grid(ui, program, ids));
}

fn rationale_grid(ui: &mut Ui, program: &mut Program, ids: &[String]) {
    egui::Grid::new("rationale")
        .num_columns(8)
        .striped(true)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for (h, tip) in [
                ("Vital few", terms::VITAL_FEW),
                ("Measure", ""),
                ("", ""),
                ("Impact", "Health and cost impact on this population (0–5)"),
                ("Feasibility", "Can providers and the payer collect it and act on it (0–5)"),
                ("Alignment", "Used by national programs: Core Sets, MIPS, HEDIS, hospital programs (0–5)"),
                ("Disparity", "Sensitive to disparities; can be stratified by race, ethnicity, language, disability (0–5)"),
                ("Total", "Sum of the four criteria, out of 20"),
            ] {
                let l = ui.label(RichText::new(h).weak());
                if !tip.is_empty() {
                    l.on_hover_text(tip);
                }
            }
            ui.end_row();
            for id in ids {
                let Some(m) = program.measure_mut(id) else {
                    continue;
                };
                ui.checkbox(&mut m.vital_few, "")
                    .accessible_name(format!("{} is vital few", m.id));
                ui.label(RichText::new(&m.id).monospace().strong());
                widgets::fixed_label(ui, &m.title, 240.0).on_hover_text(&m.title);
                let r = &mut m.rationale_score;
                for (v, what) in [
                    (&mut r.impact, "impact"),
                    (&mut r.feasibility, "feasibility"),
                    (&mut r.alignment, "alignment"),
                    (&mut r.disparity_sensitivity, "disparity sensitivity"),
                ] {
                    ui.add(egui::Slider::new(v, 0..=5).integer())
                        .accessible_name(format!("{} {what}", m.id));
                }
                let total = m.rationale_score.total();
                let max = crate::program::RationaleScore::MAX;
                ui.add(
                    egui::ProgressBar::new(total as f32 / max as f32)
                        .desired_width(90.0)
                        .fill(widgets::ramp(total as f32 / max as f32))
                        .text(format!("{total} / {max}")),
                );
                ui.end_row();
            }
        });
}
