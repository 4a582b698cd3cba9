//! File ▸ Export: payouts (CSV, Excel, Parquet), the audit trail (CSV, Excel) and the HTML
//! summary, written from the window's current results through the same report code as the
//! `export` command. The file is chosen with the native save dialog on its own thread; when
//! there is no dialog service (or in tests) a path is typed instead.

use crate::app::session::Session;
use crate::cli_export::{ExportFormat, parquet_columns, readable_temp_file};
use crate::data::export::write_parquet_table;
use crate::engine;
use crate::program::Program;
use crate::report;
use egui::RichText;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Every export, in menu order, with its menu text.
pub const FORMATS: [(ExportFormat, &str); 6] = [
    (ExportFormat::Csv, "Payouts (CSV)…"),
    (ExportFormat::Xlsx, "Payouts (Excel)…"),
    (ExportFormat::Parquet, "Payouts (Parquet)…"),
    (ExportFormat::AuditCsv, "Audit trail (CSV)…"),
    (ExportFormat::AuditXlsx, "Audit trail (Excel)…"),
    (ExportFormat::Html, "Summary report (HTML)…"),
];

fn extension(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Csv | ExportFormat::AuditCsv => "csv",
        ExportFormat::Xlsx | ExportFormat::AuditXlsx => "xlsx",
        ExportFormat::Parquet => "parquet",
        ExportFormat::Html => "html",
    }
}

fn suffix(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Csv => "payouts.csv",
        ExportFormat::Xlsx => "payouts.xlsx",
        ExportFormat::Parquet => "payouts.parquet",
        ExportFormat::AuditCsv => "audit.csv",
        ExportFormat::AuditXlsx => "audit.xlsx",
        ExportFormat::Html => "summary.html",
    }
}

/// Writes `format` for the program and the session's data to `path` (atomically).
pub fn export_to(
    format: ExportFormat,
    program: &Program,
    session: &Session,
    path: &Path,
) -> Result<(), String> {
    let obs = session
        .observations
        .as_ref()
        .ok_or("Load the program's data first: there is nothing to export.")?;
    let (inputs, results) = engine::run(program, obs);
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    if format == ExportFormat::Parquet {
        let table = report::payout_table(program, &inputs, &results);
        return write_parquet_table(path, parquet_columns(table)).map_err(|e| fail(&e));
    }
    let mut buf: Vec<u8> = Vec::new();
    match format {
        ExportFormat::Csv => report::write_payouts_csv(program, &inputs, &results, &mut buf),
        ExportFormat::Xlsx => report::payouts_xlsx(program, &inputs, &results, &mut buf),
        ExportFormat::AuditCsv => report::write_audit_csv(program, &inputs, &results, &mut buf),
        ExportFormat::AuditXlsx => report::audit_xlsx(program, &inputs, &results, &mut buf),
        ExportFormat::Html => {
            buf = report::summary_html(program, obs, &inputs, &results).into_bytes();
            Ok(())
        }
        ExportFormat::Parquet => unreachable!("written above"),
    }
    .map_err(|e| fail(&e))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = readable_temp_file(&dir).map_err(|e| fail(&e))?;
    tmp.write_all(&buf).map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// No person cancels a dialog this fast: rfd returns this quickly only when it showed none.
const NO_DIALOG_SERVICE: Duration = Duration::from_millis(250);

/// An export waiting for its file name.
enum Stage {
    /// The native save dialog is open on another thread.
    Dialog(Receiver<(Option<PathBuf>, bool)>),
    /// The user types a path.
    Typed { text: String, note: Option<String> },
}

/// The export flow's state.
#[derive(Default)]
pub struct Exporter {
    pending: Option<(ExportFormat, Stage)>,
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
        let name = format!("{stem}-{}", suffix(f));
        if !native {
            let text = dir
                .filter(|d| !d.as_os_str().is_empty())
                .map_or(name.clone(), |d| d.join(&name).display().to_string());
            self.pending = Some((f, Stage::Typed { text, note: None }));
            return;
        }
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let run = move || {
            let started = Instant::now();
            let mut d = rfd::FileDialog::new()
                .set_title("Export")
                .set_file_name(name)
                .add_filter(extension(f), &[extension(f)]);
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            let path = d.save_file();
            let unavailable = path.is_none() && started.elapsed() < NO_DIALOG_SERVICE;
            let _ = tx.send((path, unavailable));
            ctx.request_repaint();
        };
        if cfg!(target_os = "macos") {
            run();
        } else {
            std::thread::Builder::new()
                .name("export-dialog".into())
                .spawn(run)
                .expect("the OS can start a thread");
        }
        self.pending = Some((f, Stage::Dialog(rx)));
    }

    /// Polls the dialog and draws the typed-path window; writes the file when a path is known.
    pub fn ui(&mut self, ctx: &egui::Context, program: &Program, session: &Session) {
        let Some((f, stage)) = self.pending.take() else {
            return;
        };
        match stage {
            Stage::Dialog(rx) => match rx.try_recv() {
                Ok((Some(path), _)) => self.write(f, program, session, &path),
                Ok((None, true)) | Err(mpsc::TryRecvError::Disconnected) => {
                    self.pending = Some((
                        f,
                        Stage::Typed {
                            text: suffix(f).to_string(),
                            note: Some("No file dialog is available here: type a path.".into()),
                        },
                    ));
                }
                Ok((None, false)) => {}
                Err(mpsc::TryRecvError::Empty) => self.pending = Some((f, Stage::Dialog(rx))),
            },
            Stage::Typed { mut text, mut note } => {
                let (mut submit, mut cancel) = (false, false);
                let label = FORMATS
                    .iter()
                    .find(|(g, _)| *g == f)
                    .map_or("Export", |(_, l)| l.trim_end_matches('…'));
                egui::Modal::new(egui::Id::unique("export_typed_path")).show(ctx, |ui| {
                    ui.set_width(560.0);
                    ui.heading(format!("Export {label}"));
                    if let Some(n) = &note {
                        ui.colored_label(ui.visuals().warn_fg_color, n);
                    }
                    let l = ui.label("Export to file");
                    let edit = ui
                        .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
                        .labelled_by(l.id);
                    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        submit = true;
                    }
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Export").strong()).clicked() {
                            submit = true;
                        }
                        if ui.button("Cancel").clicked() {
                            cancel = true;
                        }
                    });
                });
                if cancel {
                    return;
                }
                if submit {
                    let path = PathBuf::from(text.trim());
                    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                    if text.trim().is_empty() {
                        note = Some("Type a path first.".into());
                    } else if dir.is_some_and(|d| !d.is_dir()) {
                        note = Some(format!(
                            "There is no folder {}.",
                            dir.unwrap_or(Path::new(".")).display()
                        ));
                    } else {
                        self.write(f, program, session, &path);
                        return;
                    }
                }
                self.pending = Some((f, Stage::Typed { text, note }));
            }
        }
    }

    fn write(&mut self, f: ExportFormat, program: &Program, session: &Session, path: &Path) {
        self.outcome = Some(match export_to(f, program, session, path) {
            Ok(()) => (format!("Exported {}", path.display()), false),
            Err(e) => (format!("Export failed: {e}"), true),
        });
    }
}
