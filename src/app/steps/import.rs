//! Step 5's import dialog: a first look at a data file, a guessed column mapping the designer
//! corrects, and on "Import" the file is added to the program and loaded. A file that fails
//! to load is taken out again (see `Session::roll_back_import`). A file handed over for
//! "next period" reuses a data file's saved mapping and loads at once when its columns match.

use super::widgets::{self, combo};
use super::{Action, StepCtx};
use crate::catalogue;
use crate::data::{
    FileInfo, PeriodGuess, guess_import, inspect_file, measure_match, parse_wide_name,
};
use crate::program::{
    DataFile, Layout, LongMapping, PatientMapping, Program, ProviderMapping, WideColumn, WideField,
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
    /// Provider attributes (names, lives…) read from the same file as a second mapping.
    attributes: Option<ProviderMapping>,
    /// Wide columns whose names state no period: they hold `file_period`.
    unstated: Vec<String>,
    /// The period of the values whose column names state none.
    file_period: String,
    /// Wide files: each measure label of the file (the `measure_id` of its columns while the
    /// dialog is open) and the measure it is imported as.
    measures: Vec<(String, String)>,
    /// The program's data file this one replaces, keeping its mapping (next period's file).
    replaces: Option<String>,
    /// Columns of the file the saved mapping does not use, and mapped columns it lacks.
    changes: Option<(Vec<String>, Vec<String>)>,
    /// What the last one-click import did, shown until dismissed.
    notice: Option<String>,
}

const KEY: &str = "baselines.import";

/// Shows the import dialog when the app has handed over a file (`Session::pending_import`,
/// which this takes); returns whether the dialog is open.
pub(super) fn dialog(ui: &mut Ui, ctx: &mut StepCtx) -> bool {
    let mut st: ImportState = widgets::load_state(ui, KEY);
    if let Some(p) = ctx.session.pending_import.take() {
        let next = ctx.session.next_period_for.take();
        st = open(p, next, ctx);
    }
    if let Some(n) = st.notice.clone() {
        let mut dismiss = false;
        ui.horizontal_wrapped(|ui| {
            widgets::ok(ui, n);
            dismiss = ui
                .small_button("✖")
                .on_hover_text("Dismiss")
                .accessible_name("Dismiss the import note")
                .clicked();
        });
        if dismiss {
            st.notice = None;
        }
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
                    ui.label(RichText::new("Nothing was added to the program.").weak());
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
                    if let (Some(old), Some((new, missing))) = (&st.replaces, &st.changes) {
                        ui.label(format!(
                            "Next period's file for {old}, with its saved mapping."
                        ));
                        if !new.is_empty() {
                            widgets::warning(ui, format!("New columns, not used: {}", quoted(new)));
                        }
                        if !missing.is_empty() {
                            widgets::error(
                                ui,
                                format!(
                                    "Missing since last time: {}. Choose their new columns below.",
                                    quoted(missing)
                                ),
                            );
                        }
                        if ui
                            .button("Import as a new file instead")
                            .on_hover_text(
                                "Guess this file's mapping afresh and add it beside the others",
                            )
                            .clicked()
                        {
                            let mut fresh = open_fresh(path.clone(), info.clone(), ctx.program);
                            fresh.info = Some(Ok(info.clone()));
                            st = fresh;
                        }
                    }
                    let columns = info.columns.clone();
                    if st.layout.is_some() {
                        editor(ui, &mut st, &columns, ctx.program, ctx.session);
                        codes(ui, ctx.program, &st, &info);
                        preview(ui, &info);
                        let layout = st.layout.as_ref().expect("checked above");
                        let mut missing = missing_columns(layout, &columns);
                        if let Some(a) = &st.attributes {
                            missing
                                .extend(missing_columns(&Layout::Providers(a.clone()), &columns));
                            missing.dedup();
                        }
                        for m in &missing {
                            if m.is_empty() {
                                widgets::error(ui, "Choose a column for every “choose…” above");
                            } else {
                                widgets::error(ui, format!("“{m}” is not a column of this file"));
                            }
                        }
                        ui.horizontal(|ui| {
                            if ui
                                .add_enabled(missing.is_empty(), egui::Button::new("✔ Import"))
                                .on_hover_text(
                                    "Add this file to the program with this mapping and load it",
                                )
                                .clicked()
                            {
                                let notice = commit(&st, &path, ctx);
                                close = true;
                                st.notice = notice;
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
        let notice = st.notice.take();
        st = ImportState {
            notice,
            ..Default::default()
        };
    }
    widgets::store_state(ui, KEY, st);
    ui.add_space(8.0);
    true
}

/// The dialog for a file just handed over: the saved mapping of the file it replaces (loaded at
/// once when every mapped column is there), else a fresh guess.
fn open(path: PathBuf, next: Option<usize>, ctx: &mut StepCtx) -> ImportState {
    // Reading the header and a preview is quick; counting rows reads the file once.
    let info = match inspect_file(&path) {
        Ok(i) => Arc::new(i),
        Err(e) => {
            return ImportState {
                path: Some(path),
                info: Some(Err(e.to_string())),
                ..Default::default()
            };
        }
    };
    let old = next.and_then(|i| ctx.program.data.files.get(i)).cloned();
    let Some(old) = old else {
        return open_fresh(path, info, ctx.program);
    };
    let same: Vec<DataFile> = ctx
        .program
        .data
        .files
        .iter()
        .filter(|f| f.path == old.path)
        .cloned()
        .collect();
    let mut named: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for f in &same {
        named.extend(mapped_columns(&f.layout).into_iter().map(str::to_owned));
        missing.extend(missing_columns(&f.layout, &info.columns));
    }
    missing.dedup();
    let new: Vec<String> = info
        .columns
        .iter()
        .filter(|c| !named.contains(c))
        .cloned()
        .collect();
    let rel = relative_path(&path, &ctx.session.base_dir);
    if missing.is_empty() {
        replace_path(ctx, &old.path, &rel);
        let mut notice = format!(
            "{} replaces {} with the saved mapping and is loading.",
            rel, old.path
        );
        if !new.is_empty() {
            notice.push_str(&format!(" New columns, not used: {}.", quoted(&new)));
        }
        return ImportState {
            notice: Some(notice),
            ..Default::default()
        };
    }
    let attributes = same.iter().find_map(|f| match &f.layout {
        Layout::Providers(p) if f.layout != old.layout => Some(p.clone()),
        _ => None,
    });
    let measures = measure_ids(&old.layout)
        .into_iter()
        .map(|m| (m.clone(), m))
        .collect();
    ImportState {
        path: Some(path),
        info: Some(Ok(info)),
        layout: Some(old.layout.clone()),
        attributes,
        unstated: Vec::new(),
        file_period: ctx.program.standards.performance_period.clone(),
        measures,
        replaces: Some(old.path.clone()),
        changes: Some((new, missing)),
        notice: None,
    }
}

/// Points every program entry for `old` at `new` (keeping their mappings) and loads.
fn replace_path(ctx: &mut StepCtx, old: &str, new: &str) {
    ctx.session.import_rollback = Some(crate::app::session::ImportRollback {
        data: ctx.program.data.clone(),
        added_measures: Vec::new(),
        file: new.to_owned(),
    });
    for f in ctx.program.data.files.iter_mut().filter(|f| f.path == old) {
        f.path = new.to_owned();
    }
    ctx.actions.push(Action::LoadData);
}

/// A fresh guess at `info`'s layout, with the wide columns' periods and measures matched to
/// the program's.
fn open_fresh(path: PathBuf, info: Arc<FileInfo>, program: &Program) -> ImportState {
    let s = &program.standards;
    let mut st = ImportState {
        path: Some(path),
        file_period: s.performance_period.clone(),
        ..Default::default()
    };
    let guess = guess(&info);
    let mut layout = guess
        .as_ref()
        .map(|g| g.layout.clone())
        .unwrap_or_else(|| Layout::Long(LongMapping::default()));
    if let (Some(g), Layout::Wide(w)) = (&guess, &mut layout) {
        for c in &mut w.columns {
            let Some((_, p)) = g.periods.iter().find(|(col, _)| *col == c.column) else {
                continue;
            };
            let period = match p {
                PeriodGuess::Baseline => s.baseline_period.clone(),
                PeriodGuess::Performance => s.performance_period.clone(),
                PeriodGuess::Named(n) => n.clone(),
                PeriodGuess::Unstated => {
                    st.unstated.push(c.column.clone());
                    s.performance_period.clone()
                }
            };
            set_period(&mut c.field, period);
        }
        st.measures = measure_ids(&layout)
            .into_iter()
            .map(|label| {
                let id = best_measure(&label, program);
                (label, id)
            })
            .collect();
    }
    st.attributes = guess.and_then(|g| g.attributes);
    st.layout = Some(layout);
    st.info = Some(Ok(info));
    st
}

fn set_period(field: &mut WideField, period: String) {
    match field {
        WideField::Rate(p)
        | WideField::Numerator(p)
        | WideField::Denominator(p)
        | WideField::Exclusions(p)
        | WideField::Expected(p) => *p = period,
        _ => {}
    }
}

/// The program's measure a file's label names best; else a catalogue measure it names
/// exactly; else the label itself.
fn best_measure(label: &str, program: &Program) -> String {
    let best = program
        .measures
        .iter()
        .map(|m| (measure_match(label, &m.id, &m.title), m.vital_few, &m.id))
        .filter(|(score, _, _)| *score >= 60)
        .max_by_key(|(score, vital, _)| (*score, *vital));
    if let Some((_, _, id)) = best {
        return id.clone();
    }
    catalogue::entries()
        .iter()
        .map(|e| (measure_match(label, &e.id, &e.title), &e.id))
        .filter(|(score, _)| *score >= 95)
        .max_by_key(|(score, _)| *score)
        .map_or_else(|| label.to_owned(), |(_, id)| id.clone())
}

/// Distinct measure ids of a wide mapping, in column order.
fn measure_ids(layout: &Layout) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Layout::Wide(w) = layout {
        for c in &w.columns {
            if !out.contains(&c.measure_id) {
                out.push(c.measure_id.clone());
            }
        }
    }
    out
}

/// Adds (or, for next period's file, swaps in) the mapped file and asks for a load; the
/// session keeps what the program had, so a file that fails is taken out again.
fn commit(st: &ImportState, path: &Path, ctx: &mut StepCtx) -> Option<String> {
    let mut layout = st.layout.clone()?;
    if let Layout::Wide(w) = &mut layout {
        for c in &mut w.columns {
            if let Some((_, id)) = st.measures.iter().find(|(l, _)| *l == c.measure_id) {
                c.measure_id = id.clone();
            }
            if st.unstated.contains(&c.column) {
                set_period(&mut c.field, st.file_period.clone());
            }
        }
    }
    let rel = relative_path(path, &ctx.session.base_dir);
    let before = ctx.program.data.clone();
    // Measures named from the catalogue join the program as candidates.
    let mut added = Vec::new();
    for id in measure_ids(&layout) {
        if ctx.program.measure(&id).is_none()
            && let Some(e) = catalogue::find(&id, None)
        {
            ctx.program.measures.push(catalogue::to_measure(e));
            added.push(id);
        }
    }
    let mut entries = vec![DataFile {
        path: rel.clone(),
        layout,
    }];
    if let Some(a) = &st.attributes {
        entries.push(DataFile {
            path: rel.clone(),
            layout: Layout::Providers(a.clone()),
        });
    }
    let files = &mut ctx.program.data.files;
    let old = st.replaces.as_deref().unwrap_or(rel.as_str()).to_owned();
    // The entries of the file replaced (or imported again) give way, in place.
    let at = files.iter().position(|f| f.path == old);
    files.retain(|f| f.path != old);
    let at = at.unwrap_or(files.len()).min(files.len());
    files.splice(at..at, entries);
    ctx.session.import_rollback = Some(crate::app::session::ImportRollback {
        data: before,
        added_measures: added.clone(),
        file: rel.clone(),
    });
    ctx.actions.push(Action::LoadData);
    (!added.is_empty()).then(|| {
        format!(
            "Added from the catalogue as candidate measures: {}. Choose them as vital few in \
             step 2 to score them.",
            added.join(", ")
        )
    })
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The data module's guess; when it finds no provider-id column, the first column is taken
/// as the id (files usually lead with it) and the rest guessed as usual.
fn guess(info: &FileInfo) -> Option<crate::data::ImportGuess> {
    if let Some(g) = guess_import(info) {
        return Some(g);
    }
    let first = info.columns.first()?.clone();
    let mut renamed = info.clone();
    renamed.columns[0] = "provider_id".to_owned();
    let mut g = guess_import(&renamed)?;
    match &mut g.layout {
        Layout::Long(m) => m.provider_id = first.clone(),
        Layout::Wide(m) => m.provider_id = first.clone(),
        Layout::PatientLevel(m) => m.provider_id = first.clone(),
        Layout::Providers(m) => m.provider_id = first.clone(),
    }
    if let Some(a) = &mut g.attributes {
        a.provider_id = first;
    }
    Some(g)
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

/// The layout choice and the mapping editor.
fn editor(
    ui: &mut Ui,
    st: &mut ImportState,
    columns: &[String],
    program: &mut Program,
    session: &crate::app::session::Session,
) {
    let Some(layout) = &mut st.layout else {
        return;
    };
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
        switch_kind(st, kind, columns, program);
    }
    if matches!(st.layout, Some(Layout::Wide(_))) {
        wide_extras(ui, st, columns, program, session);
    }
    let Some(layout) = &mut st.layout else {
        return;
    };
    layout_editor(ui, layout, columns, &mut st.measures, program);
}

/// A new layout for the same file, keeping the provider-id column and guessing the rest from
/// the column names (never a name the file does not have).
fn switch_kind(st: &mut ImportState, kind: Kind, columns: &[String], program: &Program) {
    let Some(layout) = &st.layout else {
        return;
    };
    let id = match layout {
        Layout::Long(m) => m.provider_id.clone(),
        Layout::Wide(m) => m.provider_id.clone(),
        Layout::PatientLevel(m) => m.provider_id.clone(),
        Layout::Providers(m) => m.provider_id.clone(),
    };
    let name = st
        .attributes
        .as_ref()
        .and_then(|a| a.name.clone())
        .or_else(|| match layout {
            Layout::Wide(m) => m.provider_name.clone(),
            Layout::Providers(m) => m.name.clone(),
            _ => None,
        });
    let has = |c: &str| -> String {
        if columns.iter().any(|x| x == c) {
            c.to_owned()
        } else {
            String::new()
        }
    };
    let opt = |c: &str| columns.iter().any(|x| x == c).then(|| c.to_owned());
    st.unstated.clear();
    st.measures.clear();
    st.layout = Some(match kind {
        Kind::Long => Layout::Long(LongMapping {
            provider_id: id,
            measure_id: has("measure_id"),
            period: has("period"),
            numerator: opt("numerator"),
            denominator: opt("denominator"),
            rate: opt("rate"),
            exclusions: None,
            expected: None,
        }),
        Kind::Patient => Layout::PatientLevel(PatientMapping {
            patient_id: has("patient_id"),
            provider_id: id,
            measure_id: has("measure_id"),
            period: has("period"),
            in_denominator: has("denominator"),
            in_numerator: has("numerator"),
            excluded: None,
            exclusion_reason: None,
            expected: None,
        }),
        Kind::Providers => {
            let mut m = st.attributes.clone().unwrap_or(ProviderMapping {
                name: None,
                ..ProviderMapping::default()
            });
            m.provider_id = id;
            m.name = name;
            st.attributes = None;
            Layout::Providers(m)
        }
        Kind::Wide => {
            let mut wide = WideMapping {
                provider_id: id.clone(),
                provider_name: name,
                columns: Vec::new(),
            };
            for c in columns.iter().filter(|c| **c != id) {
                if let Some(w) = parse_wide_name(c) {
                    let period = match w.period {
                        PeriodGuess::Baseline => program.standards.baseline_period.clone(),
                        PeriodGuess::Performance => program.standards.performance_period.clone(),
                        PeriodGuess::Named(n) => n,
                        PeriodGuess::Unstated => {
                            st.unstated.push(c.clone());
                            st.file_period.clone()
                        }
                    };
                    wide.columns.push(WideColumn {
                        column: c.clone(),
                        measure_id: w.measure,
                        field: w.value.field(period),
                    });
                }
            }
            let layout = Layout::Wide(wide);
            st.measures = measure_ids(&layout)
                .into_iter()
                .map(|l| {
                    let id = best_measure(&l, program);
                    (l, id)
                })
                .collect();
            layout
        }
    });
}

/// A wide file's period for unlabelled columns, and the provider attributes it also holds.
fn wide_extras(
    ui: &mut Ui,
    st: &mut ImportState,
    columns: &[String],
    program: &Program,
    session: &crate::app::session::Session,
) {
    if !st.unstated.is_empty() {
        let s = &program.standards;
        let mut options = vec![s.performance_period.clone(), s.baseline_period.clone()];
        if let Some(o) = &session.observations {
            for p in o.periods() {
                if !options.contains(&p) {
                    options.push(p);
                }
            }
        }
        ui.horizontal(|ui| {
            ui.label("Columns without a period in their name hold the period");
            egui::ComboBox::from_id_salt("import-file-period")
                .selected_text(st.file_period.as_str())
                .show_ui(ui, |ui| {
                    for p in &options {
                        let label = if *p == s.performance_period {
                            format!("{p} (performance period)")
                        } else if *p == s.baseline_period {
                            format!("{p} (baseline)")
                        } else {
                            p.clone()
                        };
                        ui.selectable_value(&mut st.file_period, p.clone(), label);
                    }
                })
                .response
                .accessible_name("Period of this file")
                .on_hover_text(
                    "One file per period: import the baseline file with its period set to the \
                     baseline, and the performance file with the performance period",
                );
        });
    }
    let mut on = st.attributes.is_some();
    let lives = st
        .attributes
        .as_ref()
        .and_then(|a| a.attributed_lives.clone());
    ui.horizontal(|ui| {
        if ui
            .checkbox(&mut on, "Also read provider attributes from this file")
            .on_hover_text("Attributed lives, peer group, base payments…: one row per provider")
            .changed()
        {
            st.attributes = on.then(|| ProviderMapping {
                provider_id: match &st.layout {
                    Some(Layout::Wide(w)) => w.provider_id.clone(),
                    _ => String::new(),
                },
                name: None,
                ..ProviderMapping::default()
            });
        }
        if let Some(l) = lives {
            ui.label(RichText::new(format!("attributed lives: “{l}”")).weak());
        }
    });
    if let Some(a) = &mut st.attributes {
        if let Some(Layout::Wide(w)) = &st.layout {
            a.provider_id = w.provider_id.clone();
        }
        egui::Grid::new("import-attributes")
            .num_columns(2)
            .show(ui, |ui| {
                opt_col(ui, "Attributed lives", &mut a.attributed_lives, columns);
                opt_col(ui, "Peer group", &mut a.peer_group, columns);
                opt_col(ui, "Base payments ($)", &mut a.base_payments, columns);
            });
    }
}

fn layout_editor(
    ui: &mut Ui,
    layout: &mut Layout,
    columns: &[String],
    measures: &mut Vec<(String, String)>,
    program: &Program,
) {
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
                wide_columns(ui, m, columns, measures, program);
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

/// One row per measure label of the file: the program's measure it is, in a dropdown, and
/// the values its columns give.
fn wide_columns(
    ui: &mut Ui,
    m: &mut WideMapping,
    columns: &[String],
    measures: &mut Vec<(String, String)>,
    program: &Program,
) {
    ui.label("Measures");
    ui.vertical(|ui| {
        let mut remove = None;
        for label in measure_ids(&Layout::Wide(m.clone())) {
            if !measures.iter().any(|(l, _)| *l == label) {
                measures.push((label.clone(), best_measure(&label, program)));
            }
        }
        measures.retain(|(l, _)| m.columns.iter().any(|c| c.measure_id == *l));
        egui::Grid::new("wide-cols").num_columns(4).show(ui, |ui| {
            for (label, id) in measures.iter_mut() {
                ui.label(RichText::new(label.as_str()).monospace());
                measure_choice(ui, label, id, program);
                let fields: Vec<String> = m
                    .columns
                    .iter()
                    .filter(|c| c.measure_id == *label)
                    .map(|c| field_label(&c.field))
                    .collect();
                ui.label(RichText::new(fields.join(", ")).weak());
                if ui
                    .small_button("✖")
                    .accessible_name(format!("Do not import {label}"))
                    .clicked()
                {
                    remove = Some(label.clone());
                }
                ui.end_row();
            }
        });
        if let Some(l) = remove {
            m.columns.retain(|c| c.measure_id != l);
        }
        let unmapped: Vec<&String> = columns
            .iter()
            .filter(|c| {
                **c != m.provider_id
                    && Some(*c) != m.provider_name.as_ref()
                    && !m.columns.iter().any(|w| &w.column == *c)
            })
            .collect();
        if !unmapped.is_empty() {
            let mut pick: Option<(String, WideField)> = None;
            ui.menu_button("➕ Map another column", |ui| {
                for c in unmapped {
                    ui.menu_button(c.as_str(), |ui| {
                        for f in [
                            WideField::Rate("baseline".into()),
                            WideField::Rate("performance".into()),
                            WideField::Numerator("baseline".into()),
                            WideField::Denominator("baseline".into()),
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
            if let Some((column, mut field)) = pick {
                // The menu's period words stand for the program's own labels.
                let s = &program.standards;
                let period = match &field {
                    WideField::Rate(p) | WideField::Numerator(p) | WideField::Denominator(p) => {
                        Some(if p == "baseline" {
                            s.baseline_period.clone()
                        } else {
                            s.performance_period.clone()
                        })
                    }
                    _ => None,
                };
                if let Some(p) = period {
                    set_period(&mut field, p);
                }
                let label = parse_wide_name(&column).map_or(column.clone(), |w| w.measure);
                m.columns.push(WideColumn {
                    measure_id: label,
                    column,
                    field,
                });
            }
        }
    });
    ui.end_row();
}

/// The measure a file's label is imported as: one of the program's, a catalogue measure whose
/// name matches, or the label as it is.
fn measure_choice(ui: &mut Ui, label: &str, id: &mut String, program: &Program) {
    let shown = match program.measure(id) {
        Some(m) => format!("{} — {}", m.id, m.title),
        None => match catalogue::find(id, None) {
            Some(e) => format!("{} — {} (catalogue)", e.id, e.title),
            None => format!("“{id}” (not a measure of the program)"),
        },
    };
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt(("import-measure", label))
            .selected_text(shown)
            .width(320.0)
            .show_ui(ui, |ui| {
                let mut ms: Vec<_> = program.measures.iter().collect();
                ms.sort_by_key(|m| !m.vital_few);
                for m in ms {
                    ui.selectable_value(id, m.id.clone(), format!("{} — {}", m.id, m.title));
                }
                let mut hits: Vec<_> = catalogue::entries()
                    .iter()
                    .filter(|e| program.measure(&e.id).is_none())
                    .map(|e| (measure_match(label, &e.id, &e.title), e))
                    .filter(|(score, _)| *score >= 60)
                    .collect();
                hits.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
                if !hits.is_empty() {
                    ui.separator();
                    ui.label(RichText::new("From the catalogue").weak());
                }
                for (_, e) in hits.into_iter().take(5) {
                    ui.selectable_value(id, e.id.clone(), format!("{} — {}", e.id, e.title));
                }
                ui.separator();
                ui.selectable_value(
                    id,
                    label.to_owned(),
                    format!("as named in the file: “{label}”"),
                );
            })
            .response
            .accessible_name(format!("Measure for {label}"));
        if program.measure(id).is_none() && catalogue::find(id, None).is_none() {
            ui.label(RichText::new("⚠").color(widgets::AMBER))
                .on_hover_text("Not a measure of the program: its values load but are not scored");
        }
    });
}

/// Columns of a mapping that hold numbers, where missing-value codes apply.
fn value_columns(layout: &Layout) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    match layout {
        Layout::Long(m) => {
            for o in [
                &m.numerator,
                &m.denominator,
                &m.rate,
                &m.exclusions,
                &m.expected,
            ] {
                out.extend(o.as_deref());
            }
        }
        Layout::Wide(m) => out.extend(m.columns.iter().map(|c| c.column.as_str())),
        Layout::PatientLevel(m) => {
            out.extend([m.in_denominator.as_str(), &m.in_numerator]);
            out.extend(m.expected.as_deref());
        }
        Layout::Providers(m) => {
            for o in [
                &m.attributed_lives,
                &m.base_payments,
                &m.spend,
                &m.benchmark_spend,
            ] {
                out.extend(o.as_deref());
            }
        }
    }
    out
}

/// Whether a cell reads as a number ("12", "53.5%", "1,234"): never a missing-value code.
fn looks_numeric(cell: &str) -> bool {
    let t: String = cell
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    !t.is_empty() && t.trim().parse::<f64>().is_ok()
}

/// Cells of the preview's value columns that are not numbers, by text (and blank ones).
fn preview_hits(st: &ImportState, info: &FileInfo) -> (Vec<(String, usize)>, usize) {
    let mut cols: Vec<&str> = st.layout.as_ref().map(value_columns).unwrap_or_default();
    if let Some(a) = &st.attributes {
        let l = Layout::Providers(a.clone());
        cols.extend(value_columns(&l).into_iter().map(|c| {
            // Borrowed from a temporary: match by position instead.
            info.columns
                .iter()
                .find(|x| *x == c)
                .map_or("", String::as_str)
        }));
    }
    let idx: Vec<usize> = info
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| cols.contains(&c.as_str()))
        .map(|(i, _)| i)
        .collect();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut blank = 0;
    for row in &info.preview {
        for &i in &idx {
            let cell = row.get(i).map_or("", |c| c.trim());
            if cell.is_empty() {
                blank += 1;
                continue;
            }
            if looks_numeric(cell) {
                continue;
            }
            match counts
                .iter_mut()
                .find(|(c, _)| c.eq_ignore_ascii_case(cell))
            {
                Some((_, n)) => *n += 1,
                None => counts.push((cell.to_owned(), 1)),
            }
        }
    }
    (counts, blank)
}

/// The program's missing-value codes, with the cells of the preview each hits.
fn codes(ui: &mut Ui, program: &mut Program, st: &ImportState, info: &FileInfo) {
    let (hits, blank) = preview_hits(st, info);
    let rows = info.preview.len();
    ui.add_space(4.0);
    ui.label(RichText::new("Missing and suppressed values").strong()).on_hover_text(
        "Cells holding one of these codes (or nothing) are read as missing, not as errors;          small-cell suppression such as “<11” is counted apart.",
    );
    codes_editor(ui, "import", &mut program.data.missing_values, |code| {
        let n = hits
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
            .map_or(0, |(_, n)| *n);
        (n > 0).then(|| format!("{n} in the first {rows} rows"))
    });
    if blank > 0 {
        ui.label(RichText::new(format!("{blank} blank cells in the first {rows} rows")).weak());
    }
    // Text in number columns that no code covers would stop the load: offer it as codes.
    let codes = &mut program.data.missing_values;
    let unknown: Vec<&(String, usize)> = hits
        .iter()
        .filter(|(c, _)| !codes.iter().any(|k| k.trim().eq_ignore_ascii_case(c)))
        .collect();
    if !unknown.is_empty() {
        ui.horizontal_wrapped(|ui| {
            widgets::warning(
                ui,
                format!(
                    "Not numbers in the first {rows} rows: {}",
                    unknown
                        .iter()
                        .map(|(c, n)| format!("“{c}” ×{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            if ui
                .button("Read them as missing")
                .on_hover_text("Add these values to the program's missing-value codes")
                .clicked()
            {
                for (c, _) in unknown {
                    codes.push(c.clone());
                }
            }
        });
    }
}

/// Edits a list of missing-value codes: each with what it hit, a ✖ to drop it, and a field to
/// add one. Returns whether the list changed.
pub(super) fn codes_editor(
    ui: &mut Ui,
    salt: &str,
    codes: &mut Vec<String>,
    hits: impl Fn(&str) -> Option<String>,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    ui.horizontal_wrapped(|ui| {
        for (i, code) in codes.iter().enumerate() {
            egui::Frame::group(ui.style())
                .inner_margin(egui::Margin::symmetric(4, 1))
                .show(ui, |ui| {
                    ui.label(RichText::new(code.as_str()).monospace().strong());
                    if let Some(h) = hits(code) {
                        ui.label(RichText::new(h).color(widgets::BLUE));
                    }
                    if ui
                        .small_button("✖")
                        .accessible_name(format!("Remove code {code}"))
                        .on_hover_text("Read this value as an error again")
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
        }
    });
    if let Some(i) = remove {
        codes.remove(i);
        changed = true;
    }
    let id = egui::Id::unique(("missing-codes", salt));
    let mut text: String = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        let r = widgets::cell_text(ui, "New missing-value code", &mut text, 120.0);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let add = ui
            .button("➕ Add code")
            .on_hover_text("Read cells holding this text as missing (e.g. NR, <11, *)")
            .clicked();
        let t = text.trim().to_owned();
        if (add || enter) && !t.is_empty() {
            if !codes.iter().any(|c| c.eq_ignore_ascii_case(&t)) {
                codes.push(t);
                changed = true;
            }
            text.clear();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, text));
    changed
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
        WideField::NotSubmitted(codes) => format!("not submitted when {}", codes.join(" or ")),
    }
}

/// Every column a mapping names.
fn mapped_columns(layout: &Layout) -> Vec<&str> {
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
    named
}

/// Mapped columns that the file does not have ("" for a choice not made yet).
fn missing_columns(layout: &Layout, columns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = mapped_columns(layout)
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
