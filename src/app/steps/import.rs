//! Step 5's import dialog: a first look at a data file, a guessed column mapping the designer
//! corrects, and on "Import" the file is added to the program and loaded.

use super::widgets::{self, combo};
use super::{Action, StepCtx};
use crate::data::{FileInfo, guess_mapping, inspect_file};
use crate::program::{
    DataFile, Layout, LongMapping, PatientMapping, ProviderMapping, WideColumn, WideField,
    WideMapping,
};
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The dialog's state, kept in egui's memory between frames.
#[derive(Clone, Default)]
struct ImportState {
    /// The file the dialog is open for.
    path: Option<PathBuf>,
    info: Option<Result<Arc<FileInfo>, String>>,
    layout: Option<Layout>,
}

const KEY: &str = "baselines.import";

/// Shows the import dialog when the app has handed over a file (`Session::pending_import`,
/// which this takes); returns whether the dialog is open.
pub(super) fn dialog(ui: &mut Ui, ctx: &mut StepCtx) -> bool {
    let mut st: ImportState = widgets::load_state(ui, KEY);
    if let Some(p) = ctx.session.pending_import.take() {
        // Reading the header and a preview is quick; counting rows reads the file once.
        let info = inspect_file(&p).map(Arc::new).map_err(|e| e.to_string());
        st.layout = Some(
            info.as_ref()
                .ok()
                .and_then(|i| guess(i))
                .unwrap_or_else(|| Layout::Long(LongMapping::default())),
        );
        st.info = Some(info);
        st.path = Some(p);
    }
    let Some(path) = st.path.clone() else {
        widgets::store_state(ui, KEY, st);
        return false;
    };
    let mut close = false;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(2.0, widgets::BLUE))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(format!("Import {}", file_name(&path)))
                    .strong()
                    .size(18.0),
            );
            ui.label(RichText::new(path.display().to_string()).weak());
            match st.info.clone() {
                Some(Err(e)) => {
                    widgets::error(ui, e);
                    if ui.button("Close").clicked() {
                        close = true;
                    }
                }
                Some(Ok(info)) => {
                    ui.label(format!(
                        "{} rows × {} columns{}",
                        widgets::group_thousands(info.row_count as f64, 0),
                        info.columns.len(),
                        info.delimiter
                            .map(|d| format!(", separated by “{d}”"))
                            .unwrap_or_default()
                    ));
                    if let Some(layout) = &mut st.layout {
                        layout_editor(ui, layout, &info.columns);
                        preview(ui, &info);
                        let missing = missing_columns(layout, &info.columns);
                        for m in &missing {
                            widgets::error(ui, format!("“{m}” is not a column of this file"));
                        }
                        ui.horizontal(|ui| {
                            if ui
                                .add_enabled(missing.is_empty(), egui::Button::new("✔ Import"))
                                .on_hover_text(
                                    "Add this file to the program with this mapping and load it",
                                )
                                .clicked()
                            {
                                let rel = relative_path(&path, &ctx.session.base_dir);
                                let files = &mut ctx.program.data.files;
                                let file = DataFile {
                                    path: rel.clone(),
                                    layout: layout.clone(),
                                };
                                match files.iter_mut().find(|f| f.path == rel) {
                                    Some(f) => *f = file,
                                    None => files.push(file),
                                }
                                ctx.actions.push(Action::LoadData);
                                close = true;
                            }
                            if ui.button("Cancel").clicked() {
                                close = true;
                            }
                        });
                    }
                }
                None => {}
            }
        });
    if close {
        st.path = None;
        st.info = None;
        st.layout = None;
    }
    widgets::store_state(ui, KEY, st);
    ui.add_space(8.0);
    true
}

/// The data module's guess; when it finds no provider-id column, the first column is taken
/// as the id (files usually lead with it) and the rest guessed as usual.
fn guess(info: &FileInfo) -> Option<Layout> {
    if let Some(l) = guess_mapping(info) {
        return Some(l);
    }
    let first = info.columns.first()?.clone();
    let mut renamed = info.clone();
    renamed.columns[0] = "provider_id".to_owned();
    let mut layout = guess_mapping(&renamed)?;
    match &mut layout {
        Layout::Long(m) => m.provider_id = first,
        Layout::Wide(m) => m.provider_id = first,
        Layout::PatientLevel(m) => m.provider_id = first,
        Layout::Providers(m) => m.provider_id = first,
    }
    Some(layout)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The path as the program stores it: relative to the program's folder when inside it.
fn relative_path(path: &Path, base: &Path) -> String {
    match path.strip_prefix(base) {
        Ok(p) => p
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Long,
    Wide,
    Patient,
    Providers,
}

impl Kind {
    fn of(l: &Layout) -> Kind {
        match l {
            Layout::Long(_) => Kind::Long,
            Layout::Wide(_) => Kind::Wide,
            Layout::PatientLevel(_) => Kind::Patient,
            Layout::Providers(_) => Kind::Providers,
        }
    }
    fn label(self) -> String {
        match self {
            Kind::Long => "Performance, one row per provider × measure × period",
            Kind::Wide => "Performance, one row per provider (a column per measure)",
            Kind::Patient => "Patient-level rows (aggregated to providers)",
            Kind::Providers => "Provider attributes (lives, spend, stratifiers)",
        }
        .to_owned()
    }
}

fn layout_editor(ui: &mut Ui, layout: &mut Layout, columns: &[String]) {
    let mut kind = Kind::of(layout);
    ui.horizontal(|ui| {
        ui.label("This file holds");
        combo(
            ui,
            "import-kind",
            "What the file holds",
            &mut kind,
            &[Kind::Long, Kind::Wide, Kind::Patient, Kind::Providers],
            Kind::label,
        );
    });
    if kind != Kind::of(layout) {
        *layout = match kind {
            Kind::Long => Layout::Long(LongMapping::default()),
            Kind::Wide => Layout::Wide(WideMapping::default()),
            Kind::Patient => Layout::PatientLevel(PatientMapping::default()),
            Kind::Providers => Layout::Providers(ProviderMapping::default()),
        };
    }
    ui.label(RichText::new("Which column holds what:").weak());
    egui::Grid::new("import-mapping")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| match layout {
            Layout::Long(m) => {
                col(ui, "Provider id", &mut m.provider_id, columns);
                col(ui, "Measure id", &mut m.measure_id, columns);
                col(ui, "Period", &mut m.period, columns);
                opt_col(ui, "Numerator", &mut m.numerator, columns);
                opt_col(ui, "Denominator", &mut m.denominator, columns);
                opt_col(ui, "Rate", &mut m.rate, columns);
                opt_col(ui, "Exclusions", &mut m.exclusions, columns);
                opt_col(ui, "Expected events", &mut m.expected, columns);
            }
            Layout::PatientLevel(m) => {
                col(ui, "Patient id", &mut m.patient_id, columns);
                col(ui, "Provider id", &mut m.provider_id, columns);
                col(ui, "Measure id", &mut m.measure_id, columns);
                col(ui, "Period", &mut m.period, columns);
                col(ui, "In denominator (flag)", &mut m.in_denominator, columns);
                col(ui, "In numerator (flag)", &mut m.in_numerator, columns);
                opt_col(ui, "Excluded (flag)", &mut m.excluded, columns);
                opt_col(ui, "Exclusion reason", &mut m.exclusion_reason, columns);
                opt_col(ui, "Expected probability", &mut m.expected, columns);
            }
            Layout::Providers(m) => {
                col(ui, "Provider id", &mut m.provider_id, columns);
                opt_col(ui, "Name", &mut m.name, columns);
                opt_col(ui, "Service area", &mut m.service_area, columns);
                opt_col(ui, "Peer group", &mut m.peer_group, columns);
                opt_col(ui, "Attributed lives", &mut m.attributed_lives, columns);
                opt_col(ui, "Base payments ($)", &mut m.base_payments, columns);
                opt_col(ui, "Spend ($)", &mut m.spend, columns);
                opt_col(ui, "Benchmark spend ($)", &mut m.benchmark_spend, columns);
                ui.label("Stratifiers");
                ui.horizontal_wrapped(|ui| {
                    for c in columns {
                        let mut on = m.stratifiers.contains(c);
                        if ui
                            .checkbox(&mut on, c)
                            .accessible_name(format!("Keep {c} as a stratifier"))
                            .changed()
                        {
                            if on {
                                m.stratifiers.push(c.clone());
                            } else {
                                m.stratifiers.retain(|s| s != c);
                            }
                        }
                    }
                });
                ui.end_row();
            }
            Layout::Wide(m) => {
                col(ui, "Provider id", &mut m.provider_id, columns);
                opt_col(ui, "Provider name", &mut m.provider_name, columns);
                wide_columns(ui, m, columns);
            }
        });
}

/// A required column choice.
fn col(ui: &mut Ui, what: &str, value: &mut String, columns: &[String]) {
    ui.label(what);
    egui::ComboBox::from_id_salt(("import-col", what))
        .selected_text(if value.is_empty() {
            "choose…"
        } else {
            value.as_str()
        })
        .show_ui(ui, |ui| {
            for c in columns {
                ui.selectable_value(value, c.clone(), c);
            }
        })
        .response
        .accessible_name(format!("{what} column"));
    ui.end_row();
}

/// An optional column choice ("not in this file" when None).
fn opt_col(ui: &mut Ui, what: &str, value: &mut Option<String>, columns: &[String]) {
    ui.label(what);
    egui::ComboBox::from_id_salt(("import-col", what))
        .selected_text(value.as_deref().unwrap_or("not in this file"))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "not in this file");
            for c in columns {
                ui.selectable_value(value, Some(c.clone()), c);
            }
        })
        .response
        .accessible_name(format!("{what} column"));
    ui.end_row();
}

fn wide_columns(ui: &mut Ui, m: &mut WideMapping, columns: &[String]) {
    ui.label("Measure columns");
    ui.vertical(|ui| {
        let mut remove = None;
        egui::Grid::new("wide-cols").num_columns(4).show(ui, |ui| {
            for (i, wc) in m.columns.iter_mut().enumerate() {
                ui.label(RichText::new(&wc.column).monospace());
                widgets::cell_text(
                    ui,
                    &format!("Measure id of {}", wc.column),
                    &mut wc.measure_id,
                    120.0,
                );
                ui.label(field_label(&wc.field));
                if ui
                    .small_button("✖")
                    .accessible_name(format!("Do not import {}", wc.column))
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
        if let Some(i) = remove {
            m.columns.remove(i);
        }
        let unmapped: Vec<&String> = columns
            .iter()
            .filter(|c| **c != m.provider_id && !m.columns.iter().any(|w| &w.column == *c))
            .collect();
        if !unmapped.is_empty() {
            let mut pick: Option<(String, WideField)> = None;
            ui.menu_button("➕ Map another column", |ui| {
                for c in unmapped {
                    ui.menu_button(c.as_str(), |ui| {
                        for f in [
                            WideField::Rate("baseline".into()),
                            WideField::Rate("performance".into()),
                            WideField::Numerator("performance".into()),
                            WideField::Denominator("performance".into()),
                            WideField::Threshold,
                            WideField::Benchmark,
                            WideField::Floor,
                            WideField::SuppliedScore,
                        ] {
                            if ui.button(field_label(&f)).clicked() {
                                pick = Some((c.clone(), f));
                            }
                        }
                    });
                }
            });
            if let Some((column, field)) = pick {
                m.columns.push(WideColumn {
                    measure_id: column.clone(),
                    column,
                    field,
                });
            }
        }
    });
    ui.end_row();
}

fn field_label(f: &WideField) -> String {
    match f {
        WideField::Rate(p) => format!("rate ({p})"),
        WideField::Numerator(p) => format!("numerator ({p})"),
        WideField::Denominator(p) => format!("denominator ({p})"),
        WideField::Exclusions(p) => format!("exclusions ({p})"),
        WideField::Expected(p) => format!("expected ({p})"),
        WideField::Threshold => "threshold".into(),
        WideField::Benchmark => "benchmark".into(),
        WideField::Floor => "floor".into(),
        WideField::SuppliedScore => "score computed upstream".into(),
        WideField::Weight => "weight for this provider".into(),
    }
}

/// Mapped columns that the file does not have.
fn missing_columns(layout: &Layout, columns: &[String]) -> Vec<String> {
    let mut named: Vec<&str> = Vec::new();
    match layout {
        Layout::Long(m) => {
            named.extend([m.provider_id.as_str(), &m.measure_id, &m.period]);
            for o in [
                &m.numerator,
                &m.denominator,
                &m.rate,
                &m.exclusions,
                &m.expected,
            ] {
                named.extend(o.as_deref());
            }
        }
        Layout::PatientLevel(m) => {
            named.extend([
                m.patient_id.as_str(),
                &m.provider_id,
                &m.measure_id,
                &m.period,
                &m.in_denominator,
                &m.in_numerator,
            ]);
            for o in [&m.excluded, &m.exclusion_reason, &m.expected] {
                named.extend(o.as_deref());
            }
        }
        Layout::Providers(m) => {
            named.push(&m.provider_id);
            for o in [
                &m.name,
                &m.service_area,
                &m.peer_group,
                &m.attributed_lives,
                &m.base_payments,
                &m.spend,
                &m.benchmark_spend,
            ] {
                named.extend(o.as_deref());
            }
            named.extend(m.stratifiers.iter().map(String::as_str));
        }
        Layout::Wide(m) => {
            named.push(&m.provider_id);
            named.extend(m.provider_name.as_deref());
            named.extend(m.columns.iter().map(|c| c.column.as_str()));
        }
    }
    let mut out: Vec<String> = named
        .into_iter()
        .filter(|n| !columns.iter().any(|c| c == n))
        .map(str::to_owned)
        .collect();
    out.dedup();
    out
}

fn preview(ui: &mut Ui, info: &FileInfo) {
    egui::CollapsingHeader::new(format!(
        "First {} rows",
        info.preview.len().min(crate::data::PREVIEW_ROWS)
    ))
    .id_salt("import-preview")
    .show(ui, |ui| {
        egui::ScrollArea::both()
            .id_salt("import-preview-scroll")
            .max_height(220.0)
            .show(ui, |ui| {
                egui::Grid::new("import-preview-grid")
                    .striped(true)
                    .show(ui, |ui| {
                        for c in &info.columns {
                            ui.label(RichText::new(c).strong());
                        }
                        ui.end_row();
                        for row in &info.preview {
                            for cell in row {
                                ui.label(cell);
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_program_folder_are_stored_relative() {
        let base = Path::new("/home/a/programs");
        assert_eq!(
            relative_path(Path::new("/home/a/programs/data/perf.csv"), base),
            "data/perf.csv"
        );
        assert!(relative_path(Path::new("/elsewhere/x.csv"), base).ends_with("x.csv"));
    }

    #[test]
    fn unmapped_columns_are_reported() {
        let cols: Vec<String> = ["provider_id", "measure_id", "period", "numerator"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let m = LongMapping::default();
        assert_eq!(
            missing_columns(&Layout::Long(m), &cols),
            vec!["denominator"]
        );
    }
}
