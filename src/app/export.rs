//! File ▸ Export: payouts (CSV, Excel, Parquet), the audit trail (CSV, Excel) and the HTML
//! summary, written from the window's current results with the same formats and writer as the
//! `export` command. The file is chosen with the native save dialog on its own thread; when
//! there is no dialog service (or in tests) a path is typed instead.

use crate::app::jobs::{
    DialogJob, DialogRequest, Polled, TypedOutcome, TypedPathText, typed_path_modal,
};
use crate::app::phasing;
use crate::app::session::Session;
use crate::data::program_files::data_files;
use crate::data::{check_program, ensure_not_input, refusal, write_atomic};
use crate::engine;
use crate::program::plan::phase_pool_cents;
use crate::program::{PhaseKind, Program};
use crate::report::ExportFormat;
use std::path::{Path, PathBuf};

/// Writes `format` for the program and the session's data to `path` (atomically), from the
/// results the window already holds. The program's own file and its data files are refused.
pub fn export_to(
    format: ExportFormat,
    program: &Program,
    session: &Session,
    path: &Path,
) -> Result<(), String> {
    export_against(format, program, session, path, None)
}

/// As [`export_to`], with the payouts workbook comparing each payment with `reference`: a
/// design (e.g. the program as saved) and its name, evaluated on the same data.
pub fn export_against(
    format: ExportFormat,
    program: &Program,
    session: &Session,
    path: &Path,
    reference: Option<(&str, &Program)>,
) -> Result<(), String> {
    let obs = session
        .observations
        .as_ref()
        .ok_or("Load the program's data first: there is nothing to export.")?;
    let mut inputs_read: Vec<PathBuf> = session.program_path.iter().cloned().collect();
    inputs_read.extend(data_files(program, &session.base_dir));
    ensure_not_input(path, &inputs_read)?;
    // No money leaves the window from a program `validate` rejects.
    if let Some(errors) = refusal(&check_program(program, obs)) {
        return Err(format!(
            "{} (as validate reports; fix the program first)",
            errors.replace('\n', "; ")
        ));
    }
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let phase = session
        .modelled_phase(program)
        .and_then(|i| program.phases.get(i).map(|p| (i, p)));
    if let Some(why) = phase_refusal(format, program, session) {
        return Err(why);
    }
    // The reference is only read by the payouts workbook; a reference `validate` rejects is
    // left out rather than compared with, and a phase's payouts are not compared with a
    // whole design's.
    let reference = reference
        .filter(|_| format == ExportFormat::Xlsx && phase.is_none())
        .filter(|(_, p)| refusal(&check_program(p, obs)).is_none())
        .map(|(label, p)| crate::report::Reference {
            label: label.to_owned(),
            results: engine::run(p, obs).1,
        });
    let reference = reference.as_ref();
    let bytes = match phase {
        None => match (&session.inputs, &session.results) {
            (Some(inputs), Some(results)) if session.is_current(program) => {
                format.render_with(program, obs, inputs, results, reference)
            }
            // Results lag the program only within a frame; compute them rather than export
            // stale ones.
            _ => {
                let (inputs, results) = engine::run(program, obs);
                format.render_with(program, obs, &inputs, &results, reference)
            }
        },
        // The phase the live panel models: its payouts, named in the file.
        Some((index, p)) => {
            let note = phasing::modelling_text(program, Some(index));
            let note = Some(note.as_str());
            match session.shown(program) {
                Some(shown) if session.is_current(program) && shown.phase == Some(index) => format
                    .render_modelled(
                        shown.program,
                        obs,
                        shown.inputs,
                        shown.results,
                        reference,
                        note,
                    ),
                _ => {
                    let (inputs, whole) = engine::run(program, obs);
                    let mut results = engine::Results::default();
                    engine::pay_phase(program, p, &inputs, &whole, &mut results);
                    if matches!(p.kind, PhaseKind::Performance | PhaseKind::Success) {
                        let pool = phase_pool_cents(whole.payment.pool_cents, p.pool_share);
                        let scored_by = engine::rules::phase::phase_program(program, p, pool);
                        let inputs = engine::rules::phase::phase_inputs(&inputs, p);
                        format.render_modelled(&scored_by, obs, &inputs, &results, reference, note)
                    } else {
                        format.render_modelled(program, obs, &inputs, &results, reference, note)
                    }
                }
            }
        }
    }
    .map_err(|e| fail(&e))?;
    write_atomic(path, &bytes).map_err(|e| fail(&e))
}

/// Why `format` cannot be exported for the phase the live panel models (`None` when it can):
/// the audit trail explains the program's own payment rule, which does not pay a
/// participation or reporting phase.
pub fn phase_refusal(format: ExportFormat, program: &Program, session: &Session) -> Option<String> {
    let phase = program.phases.get(session.modelled_phase(program)?)?;
    let audit = matches!(format, ExportFormat::AuditCsv | ExportFormat::AuditXlsx);
    let own_rule = matches!(phase.kind, PhaseKind::Participation | PhaseKind::Reporting);
    (audit && own_rule).then(|| {
        format!(
            "the audit trail explains the program's own payment rule, and a {} phase is paid \
             by its own: pick \u{201c}{}\u{201d} under Modelling to export the audit trail",
            phase.kind.label().to_lowercase(),
            phasing::WHOLE_PROGRAM
        )
    })
}

/// `validate`'s errors for the program and the session's data, one per line, or None when an
/// export may go ahead (or there is no data to check yet).
pub fn refusal_for(program: &Program, session: &Session) -> Option<String> {
    let obs = session.observations.as_ref()?;
    refusal(&check_program(program, obs))
}

/// An export waiting for its file name.
enum Stage {
    /// The native save dialog is open on another thread.
    Dialog(DialogJob<ExportFormat>),
    /// The user types a path.
    Typed { text: String, note: Option<String> },
}

/// The export flow's state.
#[derive(Default)]
pub struct Exporter {
    pending: Option<(ExportFormat, Stage)>,
    /// What the payouts workbook compares with: a name and a design (set when an export begins).
    pub reference: Option<(String, Program)>,
    /// The last export's outcome, for the status bar: (message, is error).
    pub outcome: Option<(String, bool)>,
}

impl Exporter {
    /// Starts an export: the native dialog when allowed, else the typed-path window.
    /// `suggested` is the program's file (or name), whose stem names the export.
    pub fn begin(&mut self, f: ExportFormat, native: bool, suggested: &Path, ctx: &egui::Context) {
        let stem = suggested
            .file_stem()
            .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
        let dir = suggested.parent().map(Path::to_path_buf);
        let name = f.file_name(&stem);
        if !native {
            let text = dir
                .filter(|d| !d.as_os_str().is_empty())
                .map_or(name.clone(), |d| d.join(&name).display().to_string());
            self.pending = Some((f, Stage::Typed { text, note: None }));
            return;
        }
        let request = DialogRequest {
            title: "Export".into(),
            filter: (f.extension().into(), vec![f.extension().into()]),
            save: true,
            start_dir: dir,
            file_name: Some(name),
        };
        self.pending = Some((f, Stage::Dialog(DialogJob::ask(f, request, ctx))));
    }

    /// Polls the dialog and draws the typed-path window; writes the file when a path is known.
    pub fn ui(&mut self, ctx: &egui::Context, program: &Program, session: &Session) {
        let Some((f, stage)) = self.pending.take() else {
            return;
        };
        match stage {
            Stage::Dialog(job) => match job.poll() {
                Polled::Pending => self.pending = Some((f, Stage::Dialog(job))),
                Polled::Done(answer) => match answer.path {
                    Some(path) => self.write(f, program, session, &path),
                    None if answer.unavailable => {
                        self.pending = Some((
                            f,
                            Stage::Typed {
                                text: f.suffix().to_string(),
                                note: Some("No file dialog is available here: type a path.".into()),
                            },
                        ));
                    }
                    None => {}
                },
            },
            Stage::Typed { mut text, mut note } => {
                let heading = format!("Export {}", f.label().trim_end_matches('…'));
                let hint = format!("/path/to/{}", f.suffix());
                let words = TypedPathText {
                    heading: &heading,
                    field: "Export to file",
                    hint: &hint,
                    verb: "Export",
                };
                let outcome = typed_path_modal(
                    ctx,
                    egui::Id::unique("export_typed_path"),
                    &words,
                    &mut text,
                    note.as_deref(),
                    |_, _| {},
                );
                match outcome {
                    TypedOutcome::Cancel => return,
                    TypedOutcome::Open => {}
                    TypedOutcome::Submit => {
                        let path = PathBuf::from(text.trim());
                        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                        if text.trim().is_empty() {
                            note = Some("Type a path first.".into());
                        } else if let Some(d) = dir.filter(|d| !d.is_dir()) {
                            note = Some(format!("There is no folder {}.", d.display()));
                        } else {
                            self.write(f, program, session, &path);
                            return;
                        }
                    }
                }
                self.pending = Some((f, Stage::Typed { text, note }));
            }
        }
    }

    fn write(&mut self, f: ExportFormat, program: &Program, session: &Session, path: &Path) {
        let reference = self.reference.as_ref().map(|(l, p)| (l.as_str(), p));
        self.outcome = Some(match export_against(f, program, session, path, reference) {
            Ok(()) => (format!("Exported {}", path.display()), false),
            Err(e) => (format!("Export failed: {e}"), true),
        });
    }
}
