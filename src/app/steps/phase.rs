//! Step 4: revise the measure list after the gap analysis, and organise the program into
//! phases (participation → reporting → performance → success) on a timeline.

use super::widgets::{self, combo, section};
use super::{StepCtx, remove_measure};
use crate::program::plan::{
    chain_dates, end_month, format_month, measure_readiness, month_after, parse_month,
    standard_phases, sync_measure_phases, timing_conflict,
};
use crate::program::{Capability, Phase, PhaseKind, Program};
use egui::{Color32, RichText, Ui, pos2, vec2};

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("phase-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            revise(ui, ctx.program);
            phases(ui, ctx.program);
            timeline_section(ui, ctx.program);
            budget_section(ui, ctx.program, ctx.session);
        });
    sync_measure_phases(ctx.program);
}

fn revise(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Revise the measure list",
        Some(
            "What the gap analysis taught you: drop measures whose data cannot be had in time, \
             or keep them for a pay-for-reporting phase while the data matures.",
        ),
    );
    if program.measures.is_empty() {
        widgets::warning(ui, "No candidate measures yet: add some in step 1.");
        return;
    }
    let mut remove = None;
    let readiness: Vec<Option<Capability>> = program
        .measures
        .iter()
        .map(|m| measure_readiness(program, &m.id))
        .collect();
    let in_phases: Vec<Vec<String>> = program
        .measures
        .iter()
        .map(|m| {
            program
                .phases
                .iter()
                .filter(|p| p.measure_ids.contains(&m.id))
                .map(|p| p.name.clone())
                .collect()
        })
        .collect();
    let timing: Vec<Option<String>> = program
        .measures
        .iter()
        .map(|m| timing_conflict(program, &m.id))
        .collect();
    egui::Grid::new("revise")
        .num_columns(8)
        .striped(true)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Vital few",
                "Measure",
                "",
                "Rationale",
                "Data readiness",
                "Phases",
                "",
                "",
            ] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for (i, m) in program.measures.iter_mut().enumerate() {
                ui.checkbox(&mut m.vital_few, "")
                    .accessible_name(format!("Keep {} as vital few", m.id));
                ui.label(RichText::new(&m.id).monospace().strong());
                widgets::fixed_label(ui, &m.title, 260.0).on_hover_text(&m.title);
                ui.label(format!(
                    "{} / {}",
                    m.rationale_score.total(),
                    crate::program::RationaleScore::MAX
                ));
                match readiness[i] {
                    Some(c) => {
                        let l = ui.label(
                            RichText::new(c.label())
                                .color(Color32::BLACK)
                                .background_color(widgets::capability_color(c)),
                        );
                        if c == Capability::Missing && m.vital_few {
                            l.on_hover_text(
                                "Data is not in place yet: consider paying for reporting on this \
                                 measure before paying for performance.",
                            );
                        }
                    }
                    None => {
                        ui.label(RichText::new("not assessed").weak());
                    }
                }
                ui.label(if in_phases[i].is_empty() {
                    "—".to_owned()
                } else {
                    in_phases[i].join(", ")
                });
                if ui
                    .small_button("✖ Remove")
                    .accessible_name(format!("Remove {} from the program", m.id))
                    .clicked()
                {
                    remove = Some(m.id.clone());
                }
                match &timing[i] {
                    Some(t) => {
                        ui.label(RichText::new("⚠ data late").color(widgets::AMBER))
                            .on_hover_text(t);
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
    if let Some(id) = remove {
        remove_measure(program, &id);
    }
}

fn phases(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Phases",
        Some(
            "Organise the program into 2–4 phases by provider and payer readiness: pay for \
             participation, then reporting, then performance, then success.",
        ),
    );
    let measure_ids: Vec<String> = {
        let mut ids: Vec<String> = program.scored_measures().map(|m| m.id.clone()).collect();
        if ids.is_empty() {
            ids = program.measures.iter().map(|m| m.id.clone()).collect();
        }
        ids
    };
    let mut action: Option<(usize, PhaseOp)> = None;
    let mut renamed: Option<(String, String)> = None;
    let count = program.phases.len();
    for (i, p) in program.phases.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("phase", i), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("Phase {n}")).strong());
                    let old = p.name.clone();
                    if widgets::cell_text(ui, &format!("Phase {n} name"), &mut p.name, 200.0)
                        .changed()
                    {
                        renamed = Some((old, p.name.clone()));
                    }
                    combo(
                        ui,
                        "kind",
                        &format!("Phase {n} kind"),
                        &mut p.kind,
                        &PhaseKind::ALL,
                        |k| k.label().to_owned(),
                    );
                    let l = ui.label("Start");
                    let ok = parse_month(&p.start).is_some();
                    let mut te = egui::TextEdit::singleline(&mut p.start)
                        .hint_text("YYYY-MM")
                        .desired_width(80.0);
                    if !ok {
                        te = te.text_color(widgets::RED);
                    }
                    ui.add(te)
                        .labelled_by(l.id)
                        .on_hover_text("First month of the phase, as YYYY-MM");
                    let l = ui.label("Months");
                    ui.add(egui::DragValue::new(&mut p.months).range(1..=120))
                        .labelled_by(l.id);
                    let l = ui
                        .label("Pool share")
                        .on_hover_text("Share of the program's pool paid out in this phase");
                    widgets::share_percent(ui, &format!("Phase {n} pool share"), &mut p.pool_share)
                        .labelled_by(l.id);
                    if let Some(end) = end_month(p) {
                        ui.label(RichText::new(format!("ends {end}")).weak());
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui
                            .small_button("✖")
                            .accessible_name(format!("Remove phase {n}"))
                            .on_hover_text("Remove this phase")
                            .clicked()
                        {
                            action = Some((i, PhaseOp::Remove));
                        }
                        if ui
                            .add_enabled(i + 1 < count, egui::Button::new("⬇").small())
                            .accessible_name(format!("Move phase {n} later"))
                            .clicked()
                        {
                            action = Some((i, PhaseOp::Down));
                        }
                        if ui
                            .add_enabled(i > 0, egui::Button::new("⬆").small())
                            .accessible_name(format!("Move phase {n} earlier"))
                            .clicked()
                        {
                            action = Some((i, PhaseOp::Up));
                        }
                    });
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Measures:").weak());
                    if p.kind == PhaseKind::Participation {
                        widgets::help(
                            ui,
                            "A participation phase pays for taking part (signing up, sharing \
                             data, joining learning sessions); measures are optional.",
                        );
                    }
                    let mut ids = measure_ids.clone();
                    for id in &p.measure_ids {
                        if !ids.contains(id) {
                            ids.push(id.clone());
                        }
                    }
                    for id in ids {
                        let mut on = p.measure_ids.contains(&id);
                        if ui
                            .checkbox(&mut on, &id)
                            .accessible_name(format!("Phase {n} counts {id}"))
                            .changed()
                        {
                            if on {
                                p.measure_ids.push(id);
                            } else {
                                p.measure_ids.retain(|m| *m != id);
                            }
                        }
                    }
                });
                ui.label(RichText::new("Entry criteria (what must be true to begin):").weak());
                widgets::string_list(
                    ui,
                    &format!("phase {n} entry criterion"),
                    &mut p.entry_criteria,
                );
            });
        });
        ui.add_space(4.0);
    }
    if let Some((old, new)) = renamed
        && program.implementation.current_phase.as_deref() == Some(old.as_str())
    {
        program.implementation.current_phase = Some(new);
    }
    if let Some((i, op)) = action {
        match op {
            PhaseOp::Remove => {
                let p = program.phases.remove(i);
                if program.implementation.current_phase.as_deref() == Some(p.name.as_str()) {
                    program.implementation.current_phase = None;
                }
            }
            PhaseOp::Up => program.phases.swap(i, i - 1),
            PhaseOp::Down => program.phases.swap(i, i + 1),
        }
    }

    ui.horizontal_wrapped(|ui| {
        if ui.button("➕ Add phase").clicked() {
            program.phases.push(next_phase(program));
        }
        if program.phases.is_empty()
            && ui
                .button("✨ Use the four standard phases")
                .on_hover_text(
                    "Participation (6 months), reporting, performance and success (12 months \
                     each), one after another from 2026-01",
                )
                .clicked()
        {
            program.phases = standard_phases(&measure_ids);
        }
        if program.phases.len() > 1
            && ui
                .button("➡ Chain start dates")
                .on_hover_text("Start each phase the month after the previous one ends")
                .clicked()
        {
            chain_dates(&mut program.phases);
        }
    });
    let share: f64 = program.phases.iter().map(|p| p.pool_share).sum();
    if !program.phases.is_empty() {
        if (share - 1.0).abs() > 1e-6 {
            widgets::warning(
                ui,
                format!(
                    "Phase pool shares add to {:.0}% (should be 100%)",
                    share * 100.0
                ),
            );
        } else {
            widgets::ok(ui, "Phase pool shares add to 100%");
        }
    }
}

#[derive(Clone, Copy)]
enum PhaseOp {
    Remove,
    Up,
    Down,
}

fn next_phase(program: &Program) -> Phase {
    let last = program.phases.last();
    let kind = match last.map(|p| p.kind) {
        None => PhaseKind::Participation,
        Some(PhaseKind::Participation) => PhaseKind::Reporting,
        Some(PhaseKind::Reporting) => PhaseKind::Performance,
        Some(PhaseKind::Performance | PhaseKind::Success) => PhaseKind::Success,
    };
    let start = last.and_then(month_after).unwrap_or_default();
    Phase {
        name: kind.label().trim_start_matches("Pay for ").to_owned(),
        kind,
        start,
        months: 12,
        measure_ids: Vec::new(),
        pool_share: 0.0,
        entry_criteria: Vec::new(),
    }
}

pub(super) fn kind_color(k: PhaseKind) -> Color32 {
    match k {
        PhaseKind::Participation => Color32::from_rgb(144, 202, 249),
        PhaseKind::Reporting => Color32::from_rgb(129, 199, 132),
        PhaseKind::Performance => Color32::from_rgb(255, 183, 77),
        PhaseKind::Success => Color32::from_rgb(186, 104, 200),
    }
}

fn budget_section(ui: &mut Ui, program: &Program, session: &crate::app::session::Session) {
    if program.phases.is_empty() {
        return;
    }
    section(
        ui,
        "Budget",
        Some("Money by phase and by calendar year, from the pool and each phase's share."),
    );
    // A fixed pool is known without data; the others are computed by the engine on the data.
    let pool = match &program.payment.pool {
        crate::program::Pool::Fixed { cents } => Some((*cents).max(0)),
        _ => session.results.as_ref().map(|r| r.payment.pool_cents),
    };
    crate::app::phasing::budget_view(ui, program, pool);
}

fn timeline_section(ui: &mut Ui, program: &Program) {
    section(ui, "Timeline", None);
    timeline(ui, program, program.implementation.current_phase.as_deref());
}

/// A Gantt chart of the phases: one bar per phase from its start for its months, coloured by
/// kind, with year marks. The current phase is outlined.
pub(super) fn timeline(ui: &mut Ui, program: &Program, current: Option<&str>) {
    let spans: Vec<(usize, i32, i32)> = program
        .phases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| parse_month(&p.start).map(|s| (i, s, s + p.months.max(1) as i32)))
        .collect();
    if spans.is_empty() {
        ui.label(
            RichText::new("Give phases a start month (YYYY-MM) to see them on a timeline.").weak(),
        );
        return;
    }
    let first = spans.iter().map(|s| s.1).min().unwrap_or(0);
    let last = spans.iter().map(|s| s.2).max().unwrap_or(first + 12);
    // Whole years either side, so the year marks frame the plan.
    let from = first - first.rem_euclid(12);
    let to = last + (12 - last.rem_euclid(12)) % 12;
    let months = (to - from).max(12);
    let row_h = 30.0;
    let label_w = 150.0;
    let axis_h = 22.0;
    let width = ui.available_width().max(400.0);
    let height = axis_h + row_h * program.phases.len() as f32 + 4.0;
    let (rect, response) = ui.allocate_exact_size(vec2(width, height), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let vis = ui.visuals();
    let text = vis.text_color();
    let font = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    let x_of = |m: i32| {
        rect.left() + label_w + (width - label_w - 8.0) * (m - from) as f32 / months as f32
    };
    for k in (from..=to).step_by(3) {
        let x = x_of(k);
        let year = k.rem_euclid(12) == 0;
        painter.line_segment(
            [pos2(x, rect.top() + axis_h - 4.0), pos2(x, rect.bottom())],
            egui::Stroke::new(
                if year { 1.0 } else { 0.5 },
                vis.weak_text_color().gamma_multiply(0.5),
            ),
        );
        if year || months <= 36 {
            painter.text(
                pos2(x + 2.0, rect.top() + 2.0),
                egui::Align2::LEFT_TOP,
                if year {
                    format!("{}", k.div_euclid(12))
                } else {
                    format_month(k)
                },
                small.clone(),
                vis.weak_text_color(),
            );
        }
    }
    let mut hover = None;
    for (i, p) in program.phases.iter().enumerate() {
        let y = rect.top() + axis_h + row_h * i as f32;
        painter.text(
            pos2(rect.left(), y + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            format!("{}. {}", i + 1, p.name),
            font.clone(),
            text,
        );
        let Some(&(_, s, e)) = spans.iter().find(|s| s.0 == i) else {
            painter.text(
                pos2(rect.left() + label_w, y + row_h / 2.0),
                egui::Align2::LEFT_CENTER,
                "no start month",
                small.clone(),
                widgets::RED,
            );
            continue;
        };
        let bar = egui::Rect::from_min_max(pos2(x_of(s), y + 4.0), pos2(x_of(e), y + row_h - 4.0));
        painter.rect_filled(bar, 4.0, kind_color(p.kind));
        if current == Some(p.name.as_str()) {
            painter.rect_stroke(
                bar,
                4.0,
                egui::Stroke::new(2.5, text),
                egui::StrokeKind::Outside,
            );
        }
        let label = format!(
            "{} · {} measures · {:.0}% of pool",
            p.kind.label(),
            p.measure_ids.len(),
            p.pool_share * 100.0
        );
        painter.with_clip_rect(bar).text(
            bar.left_center() + vec2(6.0, 0.0),
            egui::Align2::LEFT_CENTER,
            label,
            small.clone(),
            Color32::BLACK,
        );
        if response.hover_pos().is_some_and(|h| bar.contains(h)) {
            hover = Some(format!(
                "{} ({})\n{} ➡ {} ({} months)\nMeasures: {}\nEntry criteria:\n{}",
                p.name,
                p.kind.label(),
                p.start,
                end_month(p).unwrap_or_default(),
                p.months,
                if p.measure_ids.is_empty() {
                    "none".to_owned()
                } else {
                    p.measure_ids.join(", ")
                },
                p.entry_criteria
                    .iter()
                    .map(|c| format!("• {c}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    if let Some(h) = hover {
        response.on_hover_text(h);
    }
}
