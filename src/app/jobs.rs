//! Work that must not block the window: loading data and waiting on native file dialogs.
//!
//! Each job runs on its own thread, sends one result over a channel and wakes the UI with
//! `request_repaint`; the app polls once per frame. A cancelled load stops at its next
//! progress report; a cancelled dialog's thread is left to finish and its answer dropped.

use crate::data::LoadProgress;
use crate::engine::Observations;
use crate::program::Program;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A data load in progress.
pub struct LoadJob {
    rx: Receiver<Result<Observations, String>>,
    pub started: Instant,
    /// The latest progress the loader reported.
    progress: Arc<Mutex<LoadShown>>,
    /// Set to stop the loader at its next progress report.
    cancel: Arc<AtomicBool>,
}

/// What the window shows of a running load.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadShown {
    pub message: String,
    /// 0–1: files finished, plus a guess at how far into the current one.
    pub fraction: f32,
}

/// What a finished poll produced.
pub enum Polled<T> {
    Pending,
    Done(T),
}

/// Rows of a file after which its share of the bar is taken as half done, so the bar creeps
/// on through a file whose length is unknown.
const HALF_FILE_ROWS: f32 = 100_000.0;

impl LoadShown {
    /// What to show after `self` when the load reports `p`: the bar never goes back, not even
    /// when a file is read again from its start.
    fn then(&self, p: &LoadProgress) -> LoadShown {
        let next = LoadShown::of(p);
        LoadShown {
            fraction: next.fraction.max(self.fraction),
            ..next
        }
    }

    fn of(p: &LoadProgress) -> LoadShown {
        let files = p.file_count.max(1) as f32;
        let done = p.file_number.saturating_sub(1) as f32;
        let within = p.rows as f32 / (p.rows as f32 + HALF_FILE_ROWS);
        let again = if p.again {
            " again, its numbers as text"
        } else {
            ""
        };
        LoadShown {
            message: format!(
                "Loading {} ({} of {}){again}: {} rows",
                p.file,
                p.file_number,
                p.file_count,
                crate::app::widgets::thousands(p.rows as u64)
            ),
            fraction: ((done + within) / files).clamp(0.0, 1.0),
        }
    }
}

impl LoadJob {
    /// Loads every data file of `program` (relative to `base_dir`) on a background thread.
    pub fn start(program: &Program, base_dir: &Path, ctx: &egui::Context) -> LoadJob {
        let (tx, rx) = mpsc::channel();
        let program = program.clone();
        let base_dir = base_dir.to_path_buf();
        let n = program.data.files.len();
        let progress = Arc::new(Mutex::new(LoadShown {
            message: match n {
                1 => "Loading 1 data file…".into(),
                n => format!("Loading {n} data files…"),
            },
            fraction: 0.0,
        }));
        let cancel = Arc::new(AtomicBool::new(false));
        let (shown, stop, ctx) = (progress.clone(), cancel.clone(), ctx.clone());
        std::thread::Builder::new()
            .name("load-data".into())
            .spawn(move || {
                let mut report = |p: &LoadProgress| {
                    let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
                    *shown = shown.then(p);
                    ctx.request_repaint();
                    !stop.load(Ordering::Relaxed)
                };
                let result =
                    crate::data::load_program_data_with_progress(&program, &base_dir, &mut report)
                        .map_err(|e| e.to_string());
                // The receiver is gone if the load was cancelled; nothing to do then.
                let _ = tx.send(result);
                ctx.request_repaint();
            })
            .expect("the OS can start a thread");
        LoadJob {
            rx,
            started: Instant::now(),
            progress,
            cancel,
        }
    }

    /// What to show of the load now.
    pub fn shown(&self) -> LoadShown {
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Asks the loader to stop; it does at its next progress report.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Dropping a load (cancelled, or replaced by a newer one) stops its thread too.
impl Drop for LoadJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl LoadJob {
    pub fn poll(&self) -> Polled<Result<Observations, String>> {
        match self.rx.try_recv() {
            Ok(r) => Polled::Done(r),
            Err(TryRecvError::Empty) => Polled::Pending,
            Err(TryRecvError::Disconnected) => {
                Polled::Done(Err("the data loader stopped unexpectedly".into()))
            }
        }
    }
}

/// What a file dialog was opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogPurpose {
    OpenProgram,
    SaveProgramAs,
    ImportData,
}

impl DialogPurpose {
    pub fn title(self) -> &'static str {
        match self {
            DialogPurpose::OpenProgram => "Open program",
            DialogPurpose::SaveProgramAs => "Save program as",
            DialogPurpose::ImportData => "Add a data file",
        }
    }
    pub fn verb(self) -> &'static str {
        match self {
            DialogPurpose::OpenProgram => "Open",
            DialogPurpose::SaveProgramAs => "Save",
            DialogPurpose::ImportData => "Import",
        }
    }
}

/// What a native file dialog shows: its title, the file types it offers, and whether it picks
/// an existing file or names one to save.
#[derive(Debug, Clone)]
pub struct DialogRequest {
    pub title: String,
    /// Name and extensions of the one file filter.
    pub filter: (String, Vec<String>),
    /// A save dialog (else an open dialog).
    pub save: bool,
    pub start_dir: Option<PathBuf>,
    /// The suggested file name, for a save dialog.
    pub file_name: Option<String>,
}

impl DialogPurpose {
    /// The dialog for this purpose.
    pub fn request(self, start_dir: Option<PathBuf>, file_name: Option<String>) -> DialogRequest {
        let (filter, exts, save): (&str, &[&str], bool) = match self {
            DialogPurpose::OpenProgram => ("p4p program", &["ron"], false),
            DialogPurpose::SaveProgramAs => ("p4p program", &["ron"], true),
            DialogPurpose::ImportData => (
                "Data (CSV, Parquet)",
                &["csv", "parquet", "txt", "tsv"],
                false,
            ),
        };
        DialogRequest {
            title: self.title().into(),
            filter: (filter.into(), exts.iter().map(|e| e.to_string()).collect()),
            save,
            start_dir,
            file_name,
        }
    }
}

/// The answer of a file dialog opened for `purpose`.
pub struct DialogAnswer<T = DialogPurpose> {
    pub purpose: T,
    pub path: Option<PathBuf>,
    /// True when the dialog came back empty faster than a person can cancel: there is no
    /// dialog service (no desktop portal, no zenity), so the user must type a path.
    pub unavailable: bool,
}

/// A native file dialog open on its own thread (so the window keeps drawing meanwhile),
/// tagged with what it was opened for.
pub struct DialogJob<T = DialogPurpose> {
    rx: Receiver<DialogAnswer<T>>,
    pub purpose: T,
}

/// No person cancels a dialog this fast; rfd returns this quickly only when it could not show one.
const NO_DIALOG_SERVICE: Duration = Duration::from_millis(250);

impl DialogJob {
    pub fn start(
        purpose: DialogPurpose,
        start_dir: Option<PathBuf>,
        file_name: Option<String>,
        ctx: &egui::Context,
    ) -> DialogJob {
        DialogJob::ask(purpose, purpose.request(start_dir, file_name), ctx)
    }
}

impl<T: Copy + Send + 'static> DialogJob<T> {
    /// Shows `request`'s dialog; the answer comes back tagged with `purpose`.
    pub fn ask(purpose: T, request: DialogRequest, ctx: &egui::Context) -> DialogJob<T> {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let run = move || {
            let started = Instant::now();
            let (name, exts) = &request.filter;
            let mut d = rfd::FileDialog::new()
                .set_title(&request.title)
                .add_filter(name, exts);
            if let Some(dir) = request.start_dir {
                d = d.set_directory(dir);
            }
            let path = if request.save {
                if let Some(name) = request.file_name {
                    d = d.set_file_name(name);
                }
                d.save_file()
            } else {
                d.pick_file()
            };
            let unavailable = path.is_none() && started.elapsed() < NO_DIALOG_SERVICE;
            let _ = tx.send(DialogAnswer {
                purpose,
                path,
                unavailable,
            });
            ctx.request_repaint();
        };
        // macOS only shows dialogs from the main thread; elsewhere keep the window responsive.
        if cfg!(target_os = "macos") {
            run();
        } else {
            std::thread::Builder::new()
                .name("file-dialog".into())
                .spawn(run)
                .expect("the OS can start a thread");
        }
        DialogJob { rx, purpose }
    }

    pub fn poll(&self) -> Polled<DialogAnswer<T>> {
        match self.rx.try_recv() {
            Ok(a) => Polled::Done(a),
            Err(TryRecvError::Empty) => Polled::Pending,
            Err(TryRecvError::Disconnected) => Polled::Done(DialogAnswer {
                purpose: self.purpose,
                path: None,
                unavailable: true,
            }),
        }
    }
}

/// What the typed-path window came to this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedOutcome {
    /// Still open.
    Open,
    /// The user asked for this text to be used.
    Submit,
    /// Cancelled or closed.
    Cancel,
}

/// The words of a typed-path window.
pub struct TypedPathText<'a> {
    pub heading: &'a str,
    /// The path field's label.
    pub field: &'a str,
    /// Shown in the empty field.
    pub hint: &'a str,
    /// The button that uses the path.
    pub verb: &'a str,
}

/// The typed-path window, for when there is no native dialog: a heading, an optional warning,
/// a path field, anything `extra` adds under it, and the verb and Cancel buttons.
pub fn typed_path_modal(
    ctx: &egui::Context,
    id: egui::Id,
    words: &TypedPathText,
    text: &mut String,
    note: Option<&str>,
    extra: impl FnOnce(&mut egui::Ui, &mut String),
) -> TypedOutcome {
    let mut outcome = TypedOutcome::Open;
    let r = egui::Modal::new(id).show(ctx, |ui| {
        let p = crate::app::theme::Palette::of(ui);
        ui.set_width(560.0);
        ui.heading(words.heading);
        if let Some(n) = note {
            ui.add(egui::Label::new(egui::RichText::new(n).color(p.warn)).wrap());
        }
        ui.add_space(4.0);
        let l = ui.label(words.field);
        let edit = ui
            .add(
                egui::TextEdit::singleline(text)
                    .hint_text(words.hint)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            outcome = TypedOutcome::Submit;
        }
        if !edit.has_focus() && text.is_empty() {
            edit.request_focus();
        }
        extra(ui, text);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui
                .button(egui::RichText::new(words.verb).strong())
                .clicked()
            {
                outcome = TypedOutcome::Submit;
            }
            if ui.button("Cancel").clicked() {
                outcome = TypedOutcome::Cancel;
            }
        });
    });
    if outcome == TypedOutcome::Open && r.should_close() {
        outcome = TypedOutcome::Cancel;
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_finished_files_and_creeps_through_the_current_one() {
        let at = |file_number, rows| {
            LoadShown::of(&LoadProgress {
                file: "performance.csv",
                file_number,
                file_count: 4,
                rows,
                again: false,
            })
        };
        assert_eq!(at(1, 0).fraction, 0.0);
        assert_eq!(at(3, 0).fraction, 0.5);
        // Half of the third file's quarter once it has read HALF_FILE_ROWS rows.
        assert_eq!(at(3, 100_000).fraction, 0.625);
        assert!(at(4, 10_000_000).fraction < 1.0);
        assert_eq!(
            at(2, 1_234_567).message,
            "Loading performance.csv (2 of 4): 1,234,567 rows"
        );
        // Read again from its start: said so, and the bar stays where it was.
        let again = at(3, 300_000).then(&LoadProgress {
            file: "performance.csv",
            file_number: 3,
            file_count: 4,
            rows: 50_000,
            again: true,
        });
        assert_eq!(again.fraction, at(3, 300_000).fraction);
        assert_eq!(
            again.message,
            "Loading performance.csv (3 of 4) again, its numbers as text: 50,000 rows"
        );
        assert_eq!(
            at(3, 300_000)
                .then(&LoadProgress {
                    file: "performance.csv",
                    file_number: 4,
                    file_count: 4,
                    rows: 0,
                    again: false,
                })
                .fraction,
            0.75
        );
    }
}
