//! Step 1: the population profile, the measure catalogue and the candidate measures.

use super::widgets::{self, combo, section};
use super::{StepCtx, remove_measure};
use crate::catalogue::{self, CatalogueEntry, Filters};
use crate::program::{
    DataSourceKind, Importance, Measure, MeasureKind, PopulationSegment, Program,
};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// What the catalogue browser is showing (not saved in the program).
#[derive(Clone, Default)]
struct BrowserState {
    query: String,
    set: Option<String>,
    year: Option<u16>,
    kind: Option<MeasureKind>,
    source: Option<DataSourceKind>,
    custom_id: String,
    custom_title: String,
}

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
        .id_salt("identify-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            population(ui, ctx.program);
            catalogue_browser(ui, ctx.program);
            candidates(ui, ctx.program);
        });
}

/// The profile folds to a one-line summary once filled in, so the catalogue is in view.
fn population(ui: &mut Ui, program: &mut Program) {
    let pop = &program.population;
    let empty = pop.description.trim().is_empty() && pop.members == 0 && pop.segments.is_empty();
    let title = if empty {
        "Population profile".to_owned()
    } else {
        format!(
            "Population profile: {} members · {} segments · {} priorities",
            widgets::group_thousands(pop.members as f64, 0),
            pop.segments.len(),
            pop.priorities.len()
        )
    };
    ui.add_space(8.0);
    egui::CollapsingHeader::new(RichText::new(title).strong().size(18.0))
        .id_salt("population-profile")
        .default_open(empty)
        .show(ui, |ui| population_body(ui, program))
        .header_response
        .on_hover_text(
            "Who the program serves: the basis for choosing measures that matter to them.",
        );
}

fn population_body(ui: &mut Ui, program: &mut Program) {
    let pop = &mut program.population;
    ui.horizontal(|ui| {
        let l = ui.label("Description");
        ui.add(
            egui::TextEdit::multiline(&mut pop.description)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("e.g. Adults and children enrolled in Medicaid managed care, statewide"),
        )
        .labelled_by(l.id);
    });
    ui.horizontal(|ui| {
        let l = ui.label("Members covered");
        ui.add(
            egui::DragValue::new(&mut pop.members)
                .speed(1000.0)
                .custom_formatter(|v, _| widgets::group_thousands(v, 0)),
        )
        .labelled_by(l.id);
    });

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Segments").strong());
        widgets::help(
            ui,
            "Notable groups and their share of members (they may overlap), e.g. dual-eligible, \
             children with special health care needs, rural.",
        );
    });
    let mut remove = None;
    egui::Grid::new("segments")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            if !pop.segments.is_empty() {
                ui.label(RichText::new("Segment").weak());
                ui.label(RichText::new("Share of members").weak());
                ui.label(RichText::new("Notes").weak());
                ui.end_row();
            }
            for (i, s) in pop.segments.iter_mut().enumerate() {
                let n = i + 1;
                widgets::cell_text(ui, &format!("Segment {n} name"), &mut s.name, 220.0);
                widgets::share_percent(ui, &format!("Segment {n} share"), &mut s.share);
                widgets::cell_text(ui, &format!("Segment {n} notes"), &mut s.notes, 320.0);
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove this segment")
                    .accessible_name(format!("Remove segment {n}"))
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        pop.segments.remove(i);
    }
    if ui.button("➕ Add segment").clicked() {
        pop.segments.push(PopulationSegment::default());
    }

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Health priorities").strong());
        widgets::help(
            ui,
            "What the program should move: e.g. diabetes control, well-child visits, follow-up \
             after a mental-health hospitalisation.",
        );
    });
    widgets::string_list(ui, "priority", &mut pop.priorities);
}

fn catalogue_browser(ui: &mut Ui, program: &mut Program) {
    let all = catalogue::entries();
    section(
        ui,
        "Measure catalogue",
        Some(
            "National measure sets: Medicaid Adult, Child and Health Home Core Sets, hospital \
             programs (VBP, HAC, readmissions), SNF VBP, MIPS and QOF. Ids and titles only; \
             specifications come from each measure's steward.",
        ),
    );
    let mut st: BrowserState = widgets::load_state(ui, "identify.browser");
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut st.query)
                .hint_text("Search id, title or steward")
                .desired_width(260.0),
        )
        .accessible_name("Search the measure catalogue");
        option_combo(
            ui,
            "Set",
            &mut st.set,
            catalogue::sets().into_iter().map(str::to_owned).collect(),
            |s| s.clone(),
        );
        option_combo(ui, "Year", &mut st.year, catalogue::years(), |y| {
            y.to_string()
        });
        option_combo(ui, "Kind", &mut st.kind, MeasureKind::ALL.to_vec(), |k| {
            k.label().to_owned()
        });
        option_combo(
            ui,
            "Data source",
            &mut st.source,
            DataSourceKind::ALL.to_vec(),
            |k| k.label().to_owned(),
        );
        if ui.button("Clear").clicked() {
            st = BrowserState::default();
        }
    });
    let filters = Filters {
        set: st.set.clone(),
        kind: st.kind,
        year: st.year,
    };
    let hits: Vec<&CatalogueEntry> = catalogue::search(&st.query, &filters)
        .into_iter()
        .filter(|e| st.source.is_none_or(|s| e.data_source == s))
        .collect();
    ui.label(RichText::new(format!("{} of {} measures", hits.len(), all.len())).weak());

    let mut add: Option<&CatalogueEntry> = None;
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    ui.push_id("catalogue-table", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(280.0)
            .min_scrolled_height(280.0)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(120.0))
            .column(Column::exact(100.0))
            .column(Column::remainder().at_least(240.0).clip(true))
            .column(Column::exact(150.0).clip(true))
            .column(Column::exact(90.0))
            .column(Column::exact(140.0).clip(true))
            .column(Column::exact(130.0).clip(true))
            .header(row_h, |mut h| {
                for t in ["", "Id", "Title", "Set", "Years", "Kind", "Data source"] {
                    h.col(|ui| {
                        ui.label(RichText::new(t).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, hits.len(), |mut row| {
                    let e = hits[row.index()];
                    let have = program.measure(&e.id).is_some();
                    row.col(|ui| {
                        if have {
                            ui.label(RichText::new("✔ candidate").color(widgets::GREEN));
                        } else if ui
                            .button("➕ Add")
                            .on_hover_text("Add as a candidate measure for this program")
                            .accessible_name(format!("Add {} as candidate", e.id))
                            .clicked()
                        {
                            add = Some(e);
                        }
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(&e.id).monospace());
                    });
                    row.col(|ui| {
                        ui.label(&e.title).on_hover_text(format!(
                            "{}\nSteward: {}\nFrom: {}",
                            e.title,
                            if e.steward.is_empty() {
                                "not stated"
                            } else {
                                &e.steward
                            },
                            e.source
                        ));
                    });
                    row.col(|ui| {
                        ui.label(&e.set);
                    });
                    row.col(|ui| {
                        ui.label(e.years_label());
                    });
                    row.col(|ui| {
                        ui.label(e.kind.label());
                    });
                    row.col(|ui| {
                        ui.label(e.data_source.label());
                    });
                });
            });
    });
    if let Some(e) = add {
        program.measures.push(catalogue::to_measure(e));
    }

    // Measures a program needs are not always in a national set (a state's own measure).
    ui.horizontal(|ui| {
        ui.label("Or add your own:");
        ui.add(
            egui::TextEdit::singleline(&mut st.custom_id)
                .hint_text("Id")
                .desired_width(100.0),
        )
        .accessible_name("Custom measure id");
        ui.add(
            egui::TextEdit::singleline(&mut st.custom_title)
                .hint_text("Title")
                .desired_width(300.0),
        )
        .accessible_name("Custom measure title");
        let id = st.custom_id.trim().to_owned();
        let taken = program.measure(&id).is_some();
        let ok = !id.is_empty() && !taken;
        let r = ui.add_enabled(ok, egui::Button::new("➕ Add custom measure"));
        if taken {
            widgets::warning(ui, format!("{id} is already a candidate"));
        }
        if r.clicked() {
            program.measures.push(Measure {
                id,
                title: st.custom_title.trim().to_owned(),
                ..Measure::default()
            });
            st.custom_id.clear();
            st.custom_title.clear();
        }
    });
    widgets::store_state(ui, "identify.browser", st);
}

/// A filter drop-down whose first choice is "any".
fn option_combo<T: Clone + PartialEq>(
    ui: &mut Ui,
    name: &str,
    value: &mut Option<T>,
    options: Vec<T>,
    label: impl Fn(&T) -> String,
) {
    let shown = value.as_ref().map_or_else(
        || format!("{name}: any"),
        |v| format!("{name}: {}", label(v)),
    );
    egui::ComboBox::from_id_salt(("catalogue-filter", name))
        .selected_text(shown)
        .width(150.0)
        .show_ui(ui, |ui| {
            if ui.selectable_label(value.is_none(), "any").clicked() {
                *value = None;
            }
            for o in options {
                let sel = value.as_ref() == Some(&o);
                if ui.selectable_label(sel, label(&o)).clicked() {
                    *value = Some(o);
                }
            }
        })
        .response
        .accessible_name(format!("Filter by {}", name.to_lowercase()));
}

fn candidates(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        &format!("Candidate measures ({})", program.measures.len()),
        Some(
            "Measures worth considering for this population, with how important they are and \
             why. Step 2 narrows them to the vital few.",
        ),
    );
    if program.measures.is_empty() {
        widgets::warning(
            ui,
            "No candidates yet: search the catalogue above and press “Add”.",
        );
        return;
    }
    let mut remove = None;
    egui::Grid::new("candidates")
        .num_columns(6)
        .striped(true)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for h in ["Id", "Title", "Importance", "Rationale", "", ""] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for m in &mut program.measures {
                ui.label(RichText::new(&m.id).monospace().strong());
                widgets::fixed_label(ui, &m.title, 280.0).on_hover_text(format!(
                    "{}\n{} · {} · {}",
                    m.title,
                    m.kind.label(),
                    m.direction.label(),
                    m.data_source.label()
                ));
                combo(
                    ui,
                    ("importance", &m.id),
                    &format!("Importance of {}", m.id),
                    &mut m.importance,
                    &Importance::ALL,
                    |i| i.label().to_owned(),
                );
                widgets::sized_text(
                    ui,
                    &format!("Rationale for {}", m.id),
                    egui::TextEdit::singleline(&mut m.rationale).hint_text("Why it matters here"),
                    420.0,
                )
                .on_hover_text(m.rationale.clone());
                if m.vital_few {
                    ui.label(RichText::new("vital few").color(widgets::BLUE))
                        .on_hover_text(widgets::terms::VITAL_FEW);
                } else {
                    ui.label("");
                }
                if ui
                    .small_button("✖ Remove")
                    .accessible_name(format!("Remove {}", m.id))
                    .on_hover_text("Remove this candidate and its crosswalk, gap and phase entries")
                    .clicked()
                {
                    remove = Some(m.id.clone());
                }
                ui.end_row();
            }
        });
    if let Some(id) = remove {
        remove_measure(program, &id);
    }
}
