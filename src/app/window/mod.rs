//! The designer's window: menus, the step sidebar, the current step, the live simulation,
//! files, undo and background jobs.

use super::commands::Command;
use super::export::FORMATS;
use super::files::{self, AppPaths, FileKind, Prefs, Recovery, ThemeChoice};
use super::jobs::{DialogAnswer, DialogJob, DialogPurpose, LoadJob, Polled};
use super::providers::{self, ProvidersView};
use super::screenshots::ScreenshotPlan;
use super::session::{LoadStatus, Session};
use super::sim_panel::SimPanel;
use super::steps::{self, Step, StepStatus};
use super::theme::{self, Palette};
use super::widgets::glossary;
use super::{Action, StepCtx};
use crate::program::{Program, plan};
use egui::util::undoer::{Settings as UndoSettings, Undoer};
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How the window starts; everything a test needs to isolate it from the user's machine.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Program to open; `None` opens the bundled sample.
    pub program_path: Option<PathBuf>,
    /// Where preferences, recent files and the recovery file live.
    pub paths: AppPaths,
    /// Use the operating system's file dialogs (off in tests: they cannot be driven).
    pub native_dialogs: bool,
    /// Write the recovery file this often while there are unsaved changes.
    pub autosave_every: Duration,
    /// Offer to recover unsaved work left by a crash.
    pub offer_recovery: bool,
    /// Visit pages and save screenshots of them, then quit.
    pub screenshots: Option<ScreenshotPlan>,
}

impl AppConfig {
    /// The configuration of a normal run, adjusted by environment variables
    /// (`P4P_DATA_DIR`, `P4P_NO_NATIVE_DIALOGS`, `P4P_AUTOSAVE_SECS`, `P4P_SCREENSHOT_DIR`).
    pub fn from_env(program_path: Option<PathBuf>) -> AppConfig {
        let screenshots = ScreenshotPlan::from_env();
        let autosave = std::env::var("P4P_AUTOSAVE_SECS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(30.0);
        AppConfig {
            program_path,
            paths: AppPaths::from_env(),
            native_dialogs: std::env::var_os("P4P_NO_NATIVE_DIALOGS").is_none(),
            autosave_every: Duration::from_secs_f64(autosave.max(0.0)),
            offer_recovery: screenshots.is_none(),
            screenshots,
        }
    }

    /// A configuration for tests: app files in `data_dir`, no native dialogs.
    pub fn for_tests(program_path: Option<PathBuf>, data_dir: &Path) -> AppConfig {
        AppConfig {
            program_path,
            paths: AppPaths::new(data_dir.to_path_buf()),
            native_dialogs: false,
            autosave_every: Duration::from_secs(30),
            offer_recovery: true,
            screenshots: None,
        }
    }
}

/// What the central panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Step(Step),
    Providers,
    Analysis(super::analysis::View),
}

/// Something that must wait until unsaved changes are dealt with.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    New,
    OpenDialog,
    OpenPath(PathBuf),
    OpenSample,
    Quit,
}

/// A dialog drawn over the window.
enum Modal {
    /// "Save changes to … before …?"
    Unsaved(Pending),
    /// A file path typed by hand (when there is no native dialog, or by choice).
    TypedPath {
        purpose: DialogPurpose,
        text: String,
        note: Option<String>,
    },
    /// Unsaved work from a previous run was found.
    Recover(Recovery),
    /// Something went wrong and the user must know.
    Message { title: String, text: String },
}

/// The designer's window.
pub struct DesignerApp {
    pub program: Program,
    pub session: Session,
    pub page: Page,
    pub prefs: Prefs,
    /// The program as last saved or opened, to know whether there are unsaved changes.
    saved: Program,
    /// Shown in the title when the program has no file yet.
    untitled_name: String,
    undoer: Undoer<Program>,
    paths: AppPaths,
    native_dialogs: bool,
    autosave_every: Duration,
    last_autosave: Instant,
    autosaved: Option<Program>,
    load_job: Option<LoadJob>,
    /// The data sources the loaded observations came from.
    loaded_sources: Option<crate::program::DataSources>,
    dialog_job: Option<DialogJob>,
    /// Run once the current save succeeds (e.g. "save, then quit").
    after_save: Option<Pending>,
    modal: Option<Modal>,
    status: Option<(String, bool, Instant)>,
    actions: Vec<Action>,
    sim: SimPanel,
    providers: ProvidersView,
    pub analysis: super::analysis::Analysis,
    pub export: super::export::Exporter,
    show_glossary: bool,
    allow_close: bool,
    title: String,
    applied_prefs: Option<(ThemeChoice, f32)>,
    screenshots: Option<ScreenshotPlan>,
    styled: bool,
    /// Step statuses as last computed, with the program and results they were computed for.
    statuses: Option<StatusCache>,
}

/// Checking every step can take a while on big data, so the sidebar reuses the last answer
/// until the program or results change, and refreshes at most twice a second while the
/// program is being changed continuously (a slider drag, typing).
struct StatusCache {
    program: Program,
    results_generation: u64,
    at: Instant,
    statuses: Vec<StepStatus>,
}

const STATUS_REFRESH: Duration = Duration::from_millis(500);

fn undoer() -> Undoer<Program> {
    Undoer::with_settings(UndoSettings {
        max_undos: 200,
        stable_time: 0.6,
        auto_save_interval: 30.0,
    })
}

impl DesignerApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> DesignerApp {
        let ctx = cc.egui_ctx.clone();
        let program_path = config.program_path.clone();
        let mut app = DesignerApp::headless(config);
        theme::install(&ctx);
        app.styled = true;
        match program_path {
            Some(p) => app.open_path(&p, &ctx),
            None => app.open_sample(&ctx),
        }
        app
    }

    /// The app before it has a window: preferences read, nothing opened yet.
    fn headless(config: AppConfig) -> DesignerApp {
        let prefs = Prefs::load(&config.paths);
        let recovery = if config.offer_recovery {
            Recovery::find(&config.paths)
        } else {
            None
        };
        DesignerApp {
            program: Program::default(),
            session: Session::new(PathBuf::from("."), None),
            page: Page::Step(Step::Identify),
            prefs,
            saved: Program::default(),
            untitled_name: "Untitled".into(),
            undoer: undoer(),
            paths: config.paths,
            native_dialogs: config.native_dialogs,
            autosave_every: config.autosave_every,
            last_autosave: Instant::now(),
            autosaved: None,
            load_job: None,
            loaded_sources: None,
            dialog_job: None,
            after_save: None,
            modal: recovery.map(Modal::Recover),
            status: None,
            actions: Vec::new(),
            sim: SimPanel::default(),
            providers: ProvidersView::default(),
            analysis: Default::default(),
            export: Default::default(),
            show_glossary: false,
            allow_close: false,
            title: String::new(),
            applied_prefs: None,
            screenshots: config.screenshots,
            styled: false,
            statuses: None,
        }
    }

    // ---- state a test or the CLI may ask about -------------------------------------------

    /// Whether the program differs from the file it was opened from or last saved to.
    pub fn is_dirty(&self) -> bool {
        self.program != self.saved
    }

    /// The program's file, if it has one.
    pub fn program_path(&self) -> Option<&Path> {
        self.session.program_path.as_deref()
    }

    /// Whether data is being loaded in the background.
    pub fn is_loading(&self) -> bool {
        self.load_job.is_some()
    }

    /// Whether a dialog (unsaved changes, typed path, recovery, message) is showing.
    pub fn modal_title(&self) -> Option<String> {
        self.modal.as_ref().map(|m| match m {
            Modal::Unsaved(_) => "Unsaved changes".to_owned(),
            Modal::TypedPath { purpose, .. } => purpose.title().to_owned(),
            Modal::Recover(_) => "Recover unsaved work".to_owned(),
            Modal::Message { title, .. } => title.clone(),
        })
    }

    /// The latest status-bar message.
    pub fn status_message(&self) -> Option<&str> {
        self.status.as_ref().map(|(m, _, _)| m.as_str())
    }

    /// Writes the recovery file now (normally every `autosave_every` while there are changes).
    pub fn autosave_now(&mut self) {
        self.last_autosave = Instant::now() - self.autosave_every - Duration::from_secs(1);
        self.autosave();
    }

    // ---- opening and saving --------------------------------------------------------------

    fn set_program(
        &mut self,
        program: Program,
        path: Option<PathBuf>,
        base_dir: PathBuf,
        ctx: &egui::Context,
    ) {
        self.program = program;
        self.saved = self.program.clone();
        self.undoer = undoer();
        self.session = Session::new(base_dir, path);
        self.load_job = None;
        self.loaded_sources = None;
        self.sim = SimPanel::default();
        self.providers = ProvidersView::default();
        self.autosaved = None;
        if !self.program.data.files.is_empty() {
            self.start_load(ctx);
        }
    }

    /// Opens the bundled sample: from `sample_programs/` when it can be found, else the
    /// copy built into the binary with its data generated in memory.
    fn open_sample(&mut self, ctx: &egui::Context) {
        if let Some(path) = files::find_sample() {
            match files::read_program(&path) {
                Ok(p) => {
                    self.untitled_name = format!("{} (sample)", p.name);
                    self.set_program(p, None, files::base_dir_of(&path), ctx);
                    self.page = Page::Step(Step::Identify);
                    return;
                }
                Err(e) => self.set_status_error(e),
            }
        }
        let p = crate::synth::medicaid_primary_care_program();
        self.untitled_name = format!("{} (sample)", p.name);
        let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        self.set_program(p, None, base, ctx);
        // The data files are not on disk: use the same data, generated in memory.
        self.load_job = None;
        self.session.loading = None;
        self.loaded_sources = Some(self.program.data.clone());
        let obs = crate::synth::medicaid_primary_care_data();
        self.session.set_observations(&self.program, obs);
    }

    fn open_path(&mut self, path: &Path, ctx: &egui::Context) {
        match files::read_program(path) {
            Ok(p) => {
                self.untitled_name = p.name.clone();
                self.set_program(p, Some(path.to_path_buf()), files::base_dir_of(path), ctx);
                self.prefs.add_recent(path);
                self.save_prefs();
                self.set_status(format!("Opened {}", path.display()));
            }
            Err(e) => {
                self.modal = Some(Modal::Message {
                    title: "Could not open the program".into(),
                    text: format!("{e}\n\nThe program you had open is unchanged."),
                });
            }
        }
    }

    fn save(&mut self, ctx: &egui::Context) {
        match self.session.program_path.clone() {
            Some(p) => self.save_to(&p, ctx),
            None => self.open_dialog(DialogPurpose::SaveProgramAs, ctx),
        }
    }

    /// Saves to `path` atomically; data paths are rewritten if the folder changes so they
    /// still point at the same files.
    pub fn save_to(&mut self, path: &Path, ctx: &egui::Context) {
        let path = with_ron_extension(path);
        let new_base = files::base_dir_of(&path);
        let mut program = self.program.clone();
        if files::rebase_data_paths(&mut program, &self.session.base_dir, &new_base) {
            self.undoer.add_undo(&self.program);
            self.program = program;
            // Same files, new names: no need to load them again.
            self.loaded_sources = Some(self.program.data.clone());
        }
        match files::save_program(&path, &self.program) {
            Ok(()) => {
                self.saved = self.program.clone();
                self.session.program_path = Some(path.clone());
                self.session.base_dir = new_base;
                self.untitled_name = self.program.name.clone();
                self.prefs.add_recent(&path);
                self.save_prefs();
                Recovery::remove(&self.paths);
                self.autosaved = None;
                self.set_status(format!("Saved to {}", path.display()));
                if let Some(next) = self.after_save.take() {
                    self.perform(next, ctx);
                }
            }
            Err(e) => {
                self.after_save = None;
                self.modal = Some(Modal::Message {
                    title: "Could not save".into(),
                    text: format!("{e}\n\nNothing was overwritten; your work is still open."),
                });
            }
        }
        let _ = ctx;
    }

    /// Asks for a file: the native dialog on a background thread, or a typed path.
    fn open_dialog(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        if self.dialog_job.is_some() {
            self.set_status("A file dialog is already open.".into());
            return;
        }
        if self.native_dialogs {
            let start_dir = Some(self.dialog_dir());
            let file_name = Some(format!("{}.ron", slug(&self.program.name)));
            self.dialog_job = Some(DialogJob::start(purpose, start_dir, file_name, ctx));
            self.set_status("Waiting for the file dialog…".into());
        } else {
            self.typed_path(purpose, None);
        }
    }

    fn dialog_dir(&self) -> PathBuf {
        match &self.session.program_path {
            Some(p) => files::base_dir_of(p),
            None => std::env::current_dir().unwrap_or_else(|_| self.session.base_dir.clone()),
        }
    }

    fn typed_path(&mut self, purpose: DialogPurpose, note: Option<String>) {
        let text = match purpose {
            DialogPurpose::SaveProgramAs => self
                .dialog_dir()
                .join(format!("{}.ron", slug(&self.program.name)))
                .display()
                .to_string(),
            _ => String::new(),
        };
        self.modal = Some(Modal::TypedPath {
            purpose,
            text,
            note,
        });
    }

    fn on_dialog_answer(&mut self, a: DialogAnswer, ctx: &egui::Context) {
        match a.path {
            Some(p) => self.use_path(a.purpose, &p, ctx),
            None if a.unavailable => self.typed_path(
                a.purpose,
                Some(
                    "No file dialog is available on this computer (no desktop portal or zenity \
                     was found). Type the file's path instead."
                        .into(),
                ),
            ),
            None => {
                self.after_save = None;
                self.set_status("Cancelled.".into());
            }
        }
    }

    fn use_path(&mut self, purpose: DialogPurpose, path: &Path, ctx: &egui::Context) {
        match purpose {
            DialogPurpose::OpenProgram => self.open_path(path, ctx),
            DialogPurpose::SaveProgramAs => self.save_to(path, ctx),
            DialogPurpose::ImportData => self.import_file(path.to_path_buf()),
        }
    }

    /// Hands a data file to step 5's import (column mapping) flow.
    fn import_file(&mut self, path: PathBuf) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.session.pending_import = Some(path);
        self.page = Page::Step(Step::Baselines);
        self.set_status(format!("Map the columns of {name} to import it."));
    }

    fn start_load(&mut self, ctx: &egui::Context) {
        if self.program.data.files.is_empty() {
            self.set_status("This program lists no data files yet: add one in step 5.".into());
            return;
        }
        let job = LoadJob::start(&self.program, &self.session.base_dir, ctx);
        let shown = job.shown();
        self.session.loading = Some(LoadStatus {
            message: shown.message,
            fraction: shown.fraction,
            elapsed: 0.0,
        });
        self.load_job = Some(job);
        self.loaded_sources = Some(self.program.data.clone());
    }

    fn cancel_load(&mut self) {
        if let Some(job) = self.load_job.take() {
            job.cancel();
            self.session.loading = None;
            self.set_status("Loading cancelled; the data loaded before is kept.".into());
        }
    }

    /// Reloads when undo or redo changed which data files the program reads.
    fn reload_if_sources_changed(&mut self, ctx: &egui::Context) {
        if self.loaded_sources.as_ref() != Some(&self.program.data)
            && !self.program.data.files.is_empty()
        {
            self.start_load(ctx);
        }
    }

    fn poll_jobs(&mut self, ctx: &egui::Context) {
        if let Some(job) = &self.load_job {
            match job.poll() {
                Polled::Pending => {
                    let shown = job.shown();
                    self.session.loading = Some(LoadStatus {
                        message: shown.message,
                        fraction: shown.fraction,
                        elapsed: job.started.elapsed().as_secs_f64(),
                    });
                    ctx.request_repaint_after(Duration::from_millis(200));
                }
                Polled::Done(Ok(obs)) => {
                    let secs = job.started.elapsed().as_secs_f64();
                    self.load_job = None;
                    self.session.loading = None;
                    let n = obs.provider_count();
                    self.session.set_observations(&self.program, obs);
                    self.set_status(format!("Loaded {n} providers in {secs:.1} s."));
                }
                Polled::Done(Err(e)) => {
                    self.load_job = None;
                    self.session.loading = None;
                    self.session.data_error = Some(e.clone());
                    let kept = if self.session.observations.is_some() {
                        " The data loaded before is kept."
                    } else {
                        ""
                    };
                    self.set_status_error(format!("Data not loaded: {e}.{kept}"));
                }
            }
        }
        if let Some(job) = &self.dialog_job
            && let Polled::Done(answer) = job.poll()
        {
            self.dialog_job = None;
            self.status = None;
            self.on_dialog_answer(answer, ctx);
        }
    }

    // ---- commands and actions ------------------------------------------------------------

    /// Runs `pending` now, or first asks what to do with unsaved changes.
    fn request(&mut self, pending: Pending, ctx: &egui::Context) {
        if self.is_dirty() {
            self.modal = Some(Modal::Unsaved(pending));
        } else {
            self.perform(pending, ctx);
        }
    }

    fn perform(&mut self, pending: Pending, ctx: &egui::Context) {
        match pending {
            Pending::New => {
                let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
                self.untitled_name = "Untitled".into();
                self.set_program(Program::default(), None, base, ctx);
                self.page = Page::Step(Step::Identify);
                self.set_status("New program.".into());
            }
            Pending::OpenDialog => self.open_dialog(DialogPurpose::OpenProgram, ctx),
            Pending::OpenPath(p) => self.open_path(&p, ctx),
            Pending::OpenSample => self.open_sample(ctx),
            Pending::Quit => {
                // Leaving on purpose: the recovery file is for crashes only.
                Recovery::remove(&self.paths);
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn run_command(&mut self, cmd: Command, ctx: &egui::Context) {
        match cmd {
            Command::New => self.request(Pending::New, ctx),
            Command::Open => self.request(Pending::OpenDialog, ctx),
            Command::OpenRecent(path) => self.request(Pending::OpenPath(path), ctx),
            Command::OpenSample => self.request(Pending::OpenSample, ctx),
            Command::Export(f) => {
                if self.session.results.is_some() {
                    let suggested = self.program_path().map_or_else(
                        || PathBuf::from(slug(&self.program.name)),
                        Path::to_path_buf,
                    );
                    self.export.begin(f, self.native_dialogs, &suggested, ctx);
                }
            }
            Command::ShowGlossary => self.show_glossary = true,
            Command::OpenPath => {
                if self.is_dirty() {
                    self.modal = Some(Modal::Unsaved(Pending::OpenDialog));
                } else {
                    self.typed_path(DialogPurpose::OpenProgram, None);
                }
            }
            Command::Save => self.save(ctx),
            Command::SaveAs => self.open_dialog(DialogPurpose::SaveProgramAs, ctx),
            Command::Quit => self.request(Pending::Quit, ctx),
            Command::Undo => self.undo(ctx),
            Command::Redo => self.redo(ctx),
            Command::AddData => self.actions.push(Action::PickDataFile),
            Command::ReloadData => self.actions.push(Action::LoadData),
            Command::ToggleTheme => {
                self.prefs.theme = if ctx.theme() == egui::Theme::Dark {
                    ThemeChoice::Light
                } else {
                    ThemeChoice::Dark
                };
            }
            Command::ToggleSimulation => {
                self.prefs.show_simulation = !self.prefs.show_simulation;
                self.save_prefs();
            }
            Command::ShowProviders => self.page = Page::Providers,
            Command::Step(i) => {
                if let Some(s) = Step::ALL.get(i) {
                    self.page = Page::Step(*s);
                }
            }
            Command::PreviousStep | Command::NextStep => {
                let current = match self.page {
                    Page::Step(s) => s,
                    Page::Providers | Page::Analysis(_) => Step::Payment,
                };
                let to = if cmd == Command::NextStep {
                    current.next()
                } else {
                    current.previous()
                };
                if let Some(s) = to {
                    self.page = Page::Step(s);
                }
            }
        }
    }

    pub fn undo(&mut self, ctx: &egui::Context) {
        match self.undoer.undo(&self.program) {
            Some(s) => {
                self.program = s.clone();
                self.set_status("Undone.".into());
                self.reload_if_sources_changed(ctx);
            }
            None => self.set_status("Nothing to undo.".into()),
        }
    }

    pub fn redo(&mut self, ctx: &egui::Context) {
        match self.undoer.redo(&self.program) {
            Some(s) => {
                self.program = s.clone();
                self.set_status("Redone.".into());
                self.reload_if_sources_changed(ctx);
            }
            None => self.set_status("Nothing to redo.".into()),
        }
    }

    fn apply_actions(&mut self, ctx: &egui::Context) {
        for action in std::mem::take(&mut self.actions) {
            match action {
                Action::GoTo(s) => self.page = Page::Step(s),
                Action::LoadData => self.start_load(ctx),
                Action::PickDataFile => self.open_dialog(DialogPurpose::ImportData, ctx),
                Action::OpenImportDialog(p) => self.import_file(p),
                Action::SelectProvider(i) => {
                    self.session.selected_provider = Some(i);
                    self.page = Page::Providers;
                }
                Action::ShowProviders => self.page = Page::Providers,
                Action::AdoptScenario { program, label } => {
                    self.undoer.add_undo(&self.program);
                    self.program = *program;
                    self.undoer.add_undo(&self.program);
                    self.set_status(format!("Adopted: {label}. Undo (Ctrl+Z) goes back."));
                    self.reload_if_sources_changed(ctx);
                }
                Action::Notify(m) => self.set_status(m),
            }
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        for path in dropped {
            match files::file_kind(&path) {
                FileKind::Program => self.request(Pending::OpenPath(path), ctx),
                FileKind::Data => self.import_file(path),
                FileKind::Other => self.set_status_error(format!(
                    "{} is neither a program (.ron) nor a data file (.csv, .parquet).",
                    path.display()
                )),
            }
        }
    }

    // ---- housekeeping --------------------------------------------------------------------

    fn set_status(&mut self, message: String) {
        self.status = Some((message, false, Instant::now()));
    }

    fn set_status_error(&mut self, message: String) {
        self.status = Some((message, true, Instant::now()));
    }

    fn save_prefs(&mut self) {
        if let Err(e) = self.prefs.save(&self.paths) {
            self.set_status_error(format!("Could not save preferences: {e}"));
        }
    }

    fn sync_prefs(&mut self, ctx: &egui::Context) {
        let want = (self.prefs.theme, self.prefs.ui_scale);
        match self.applied_prefs {
            Some(had) if had == want => {
                // Ctrl +/− zoom changes the scale directly; remember it.
                let zoom = ctx.zoom_factor();
                if (zoom - self.prefs.ui_scale).abs() > 0.001 {
                    self.prefs.ui_scale = zoom;
                    self.applied_prefs = Some((self.prefs.theme, zoom));
                    self.save_prefs();
                }
            }
            had => {
                theme::apply_prefs(ctx, &self.prefs);
                self.applied_prefs = Some(want);
                if had.is_some() {
                    self.save_prefs();
                }
            }
        }
    }

    fn feed_undo(&mut self, ctx: &egui::Context) {
        // While a slider or drag is held the state is in flux: the whole drag becomes one step.
        if ctx.input(|i| i.pointer.any_down()) {
            return;
        }
        let now = ctx.input(|i| i.time);
        self.undoer.feed_state(now, &self.program);
        if self.undoer.is_in_flux() {
            ctx.request_repaint_after(Duration::from_millis(700));
        }
    }

    fn autosave(&mut self) {
        if matches!(self.modal, Some(Modal::Recover(_))) {
            return;
        }
        if self.last_autosave.elapsed() < self.autosave_every {
            return;
        }
        self.last_autosave = Instant::now();
        if self.is_dirty() {
            if self.autosaved.as_ref() != Some(&self.program) {
                let rec = Recovery::new(
                    &self.program,
                    self.session.program_path.as_deref(),
                    &self.session.base_dir,
                );
                match rec.write(&self.paths) {
                    Ok(()) => self.autosaved = Some(self.program.clone()),
                    Err(e) => self.set_status_error(format!("Autosave failed: {e}")),
                }
            }
        } else if self.autosaved.take().is_some() {
            Recovery::remove(&self.paths);
        }
    }

    fn handle_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.allow_close {
            return;
        }
        if self.is_dirty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.modal = Some(Modal::Unsaved(Pending::Quit));
        } else {
            Recovery::remove(&self.paths);
        }
    }

    fn display_name(&self) -> String {
        match &self.session.program_path {
            Some(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            None => self.untitled_name.clone(),
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = format!(
            "{}{} — p4p-designer",
            if self.is_dirty() { "● " } else { "" },
            self.display_name()
        );
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn drive_screenshots(&mut self, ctx: &egui::Context) {
        let busy = self.load_job.is_some();
        let Some(plan) = &mut self.screenshots else {
            return;
        };
        match plan.tick(busy, ctx) {
            super::screenshots::Tick::Wait => {}
            super::screenshots::Tick::Show(shot) => {
                let (page, theme, why) = shot.view();
                self.page = page;
                if self.prefs.theme != theme {
                    self.prefs.theme = theme;
                }
                if why && self.session.selected_provider.is_none() {
                    self.session.selected_provider = self.typical_earner();
                }
            }
            super::screenshots::Tick::Quit => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// The provider with the median positive payment: a representative "why".
    fn typical_earner(&self) -> Option<usize> {
        let r = self.session.results.as_ref()?;
        let mut earners: Vec<usize> = (0..r.provider_count())
            .filter(|&i| r.payment.earned[i] > 0)
            .collect();
        earners.sort_by_key(|&i| r.payment.earned[i]);
        earners.get(earners.len() / 2).copied()
    }
}

fn with_ron_extension(path: &Path) -> PathBuf {
    if path.extension().is_some() {
        path.to_path_buf()
    } else {
        path.with_extension("ron")
    }
}

/// A file-name-friendly version of a program name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let s = s
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() { "program".into() } else { s }
}

fn expand_home(text: &str) -> PathBuf {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    PathBuf::from(t)
}

// ---- drawing -----------------------------------------------------------------------------

impl eframe::App for DesignerApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.styled {
            theme::install(&ctx);
            self.styled = true;
        }
        self.sync_prefs(&ctx);
        self.poll_jobs(&ctx);
        self.handle_dropped_files(&ctx);
        if self.modal.is_none() {
            for cmd in Command::pressed(&ctx) {
                self.run_command(cmd, &ctx);
            }
        }
        self.session.recompute(&self.program);

        let mut commands = Vec::new();
        self.menu_bar(ui, &mut commands);
        self.status_bar(ui);
        self.sidebar(ui);
        self.right_panel(ui);
        self.central(ui);
        self.modals(&ctx);
        self.export.ui(&ctx, &self.program, &self.session);
        if let Some((message, error)) = self.export.outcome.take() {
            if error {
                self.set_status_error(message);
            } else {
                self.set_status(message);
            }
        }
        self.glossary_window(&ctx);
        drop_overlay(&ctx);
        for cmd in commands {
            self.run_command(cmd, &ctx);
        }

        self.apply_actions(&ctx);
        // Edits made in the central panel show in the side panels on the very next frame.
        if self.session.recompute(&self.program) {
            ctx.request_repaint();
        }
        self.feed_undo(&ctx);
        self.autosave();
        if self.is_dirty() {
            ctx.request_repaint_after(self.autosave_every);
        }
        self.handle_close(&ctx);
        self.update_title(&ctx);
        self.drive_screenshots(&ctx);
    }

    fn on_exit(&mut self) {
        if !self.is_dirty() {
            Recovery::remove(&self.paths);
        }
    }
}

/// A menu item: the command's text, with its shortcut shown on the right.
fn item(ui: &mut Ui, cmd: Command, enabled: bool, out: &mut Vec<Command>) -> egui::Response {
    let b = egui::Button::new(cmd.label()).shortcut_text(cmd.shortcut_text(ui.ctx()));
    let r = ui.add_enabled(enabled, b);
    if r.clicked() {
        out.push(cmd);
    }
    r
}

impl DesignerApp {
    fn menu_bar(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    item(ui, Command::New, true, out);
                    item(ui, Command::Open, true, out);
                    ui.menu_button("Open recent", |ui| {
                        if self.prefs.recent.is_empty() {
                            ui.label("No recent files yet");
                        }
                        for p in &self.prefs.recent {
                            item(ui, Command::OpenRecent(p.clone()), true, out)
                                .on_hover_text(p.display().to_string());
                        }
                    });
                    item(ui, Command::OpenPath, true, out);
                    item(ui, Command::OpenSample, true, out);
                    ui.separator();
                    item(ui, Command::Save, true, out);
                    item(ui, Command::SaveAs, true, out);
                    ui.separator();
                    ui.menu_button("Export", |ui| {
                        let enabled = self.session.results.is_some();
                        for (f, _) in FORMATS {
                            item(ui, Command::Export(f), enabled, out);
                        }
                        if !enabled {
                            ui.label(RichText::new("Load data to export results").small().weak());
                        }
                    });
                    ui.separator();
                    item(ui, Command::AddData, true, out);
                    item(
                        ui,
                        Command::ReloadData,
                        !self.program.data.files.is_empty(),
                        out,
                    );
                    ui.separator();
                    item(ui, Command::Quit, true, out);
                });
                ui.menu_button("Edit", |ui| {
                    let can_undo = self.undoer.has_undo(&self.program);
                    let can_redo = self.undoer.has_redo(&self.program);
                    item(ui, Command::Undo, can_undo, out);
                    item(ui, Command::Redo, can_redo, out);
                });
                ui.menu_button("View", |ui| {
                    ui.label(RichText::new("Theme").small().weak());
                    let before = self.prefs.theme;
                    ui.radio_value(&mut self.prefs.theme, ThemeChoice::Light, "Light");
                    ui.radio_value(&mut self.prefs.theme, ThemeChoice::Dark, "Dark");
                    ui.radio_value(
                        &mut self.prefs.theme,
                        ThemeChoice::System,
                        "Follow the system",
                    );
                    if before != self.prefs.theme {
                        ui.close();
                    }
                    item(ui, Command::ToggleTheme, true, out);
                    ui.separator();
                    ui.label(RichText::new("UI scale (for projectors)").small().weak());
                    ui.horizontal(|ui| {
                        for s in [1.0f32, 1.25, 1.5, 1.75, 2.0] {
                            let on = (self.prefs.ui_scale - s).abs() < 0.01;
                            if ui
                                .selectable_label(on, format!("{:.0}%", s * 100.0))
                                .clicked()
                            {
                                self.prefs.ui_scale = s;
                            }
                        }
                    });
                    let zoom_in = ui
                        .ctx()
                        .format_shortcut(&egui::gui_zoom::kb_shortcuts::ZOOM_IN);
                    let zoom_out = ui
                        .ctx()
                        .format_shortcut(&egui::gui_zoom::kb_shortcuts::ZOOM_OUT);
                    ui.label(
                        RichText::new(format!("Zoom with {zoom_in} and {zoom_out}"))
                            .small()
                            .weak(),
                    );
                    ui.separator();
                    let mut show = self.prefs.show_simulation;
                    if ui
                        .add(egui::Checkbox::new(
                            &mut show,
                            Command::ToggleSimulation.label(),
                        ))
                        .on_hover_text(format!(
                            "Shown from step 5 on ({})",
                            Command::ToggleSimulation.shortcut_text(ui.ctx())
                        ))
                        .changed()
                    {
                        out.push(Command::ToggleSimulation);
                    }
                    item(ui, Command::ShowProviders, true, out);
                });
                ui.menu_button("Go", |ui| {
                    for i in 0..Step::ALL.len() {
                        item(ui, Command::Step(i), true, out);
                    }
                    ui.separator();
                    item(ui, Command::PreviousStep, true, out);
                    item(ui, Command::NextStep, true, out);
                });
                ui.menu_button("Help", |ui| {
                    item(ui, Command::ShowGlossary, true, out);
                    ui.separator();
                    ui.label(
                        RichText::new(format!("p4p-designer {}", env!("CARGO_PKG_VERSION")))
                            .small()
                            .weak(),
                    );
                });
            });
        });
    }

    fn sidebar(&mut self, ui: &mut Ui) {
        let p = Palette::of(ui);
        egui::Panel::left("steps")
            .resizable(true)
            .default_size(250.0)
            .size_range(220.0..=420.0)
            .show(ui, |ui| {
                ui.add_space(10.0);
                ui.label(RichText::new("PROGRAM").small().color(p.muted));
                ui.add(
                    egui::Label::new(RichText::new(&self.program.name).strong().size(18.0)).wrap(),
                );
                ui.add_space(10.0);
                ui.label(RichText::new("SEVEN STEPS").small().color(p.muted));
                let statuses = self.step_statuses(ui.ctx());
                for (step, status) in Step::ALL.into_iter().zip(statuses) {
                    self.step_entry(ui, step, &status, &p);
                }
                ui.add_space(8.0);
                ui.separator();
                ui.label(RichText::new("RESULTS").small().color(p.muted));
                let on = self.page == Page::Providers;
                if ui
                    .add_sized(
                        [ui.available_width(), 30.0],
                        egui::Button::selectable(on, ("Providers & payouts", egui::Atom::grow())),
                    )
                    .on_hover_text(format!(
                        "Every provider's score and payment, and why ({})",
                        Command::ShowProviders.shortcut_text(ui.ctx())
                    ))
                    .clicked()
                {
                    self.page = Page::Providers;
                }
                for view in super::analysis::View::ALL {
                    let on = self.page == Page::Analysis(view);
                    if ui
                        .add_sized(
                            [ui.available_width(), 30.0],
                            egui::Button::selectable(on, (view.title(), egui::Atom::grow())),
                        )
                        .on_hover_text(view.hint())
                        .clicked()
                    {
                        self.page = Page::Analysis(view);
                    }
                }
                ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
                    ui.add_space(6.0);
                    self.data_summary(ui, &p);
                });
            });
    }

    fn step_statuses(&mut self, ctx: &egui::Context) -> Vec<StepStatus> {
        let generation = self.session.results_generation;
        let fresh = match &self.statuses {
            None => false,
            Some(c) if c.program == self.program && c.results_generation == generation => true,
            // While a slider is dragged or text typed, refresh at most twice a second.
            Some(c)
                if c.at.elapsed() < STATUS_REFRESH
                    && (ctx.input(|i| i.pointer.any_down()) || ctx.text_edit_focused()) =>
            {
                ctx.request_repaint_after(STATUS_REFRESH);
                true
            }
            Some(_) => false,
        };
        if !fresh {
            let evidence = self.session.evidence(&self.program);
            let statuses = Step::ALL
                .iter()
                .map(|s| plan::status(*s, &self.program, &evidence))
                .collect();
            self.statuses = Some(StatusCache {
                program: self.program.clone(),
                results_generation: generation,
                at: Instant::now(),
                statuses,
            });
        }
        self.statuses
            .as_ref()
            .map(|c| c.statuses.clone())
            .unwrap_or_default()
    }

    fn step_entry(&mut self, ui: &mut Ui, step: Step, status: &StepStatus, p: &Palette) {
        let selected = self.page == Page::Step(step);
        let (icon, color, tip) = match status {
            StepStatus::Done => ("✔", p.good, "Done".to_owned()),
            StepStatus::NeedsAttention(why) => ("⚠", p.warn, format!("Needs attention: {why}")),
        };
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            ui.add(
                egui::Label::new(RichText::new(icon).color(color).size(16.0))
                    .sense(egui::Sense::hover()),
            )
            .on_hover_text(&tip);
            let r = ui
                .add_sized(
                    [ui.available_width(), 28.0],
                    // The growing atom pushes the title to the left edge, like a list.
                    egui::Button::selectable(
                        selected,
                        (RichText::new(step.title()).size(15.0), egui::Atom::grow()),
                    ),
                )
                .on_hover_text(format!(
                    "{}\n\n{tip}\n\n{}",
                    step.purpose(),
                    Command::Step(step.number() - 1).shortcut_text(ui.ctx())
                ));
            if r.clicked() {
                self.page = Page::Step(step);
            }
        });
        if let Some(why) = status.reason() {
            ui.horizontal(|ui| {
                ui.add_space(28.0);
                ui.add(egui::Label::new(RichText::new(why).small().color(p.warn)).wrap());
            });
        }
    }

    fn data_summary(&mut self, ui: &mut Ui, p: &Palette) {
        // Drawn bottom-up: last line first.
        if let Some(load) = self.session.loading.clone() {
            if ui.button("Cancel loading").clicked() {
                self.cancel_load();
            }
            ui.add(
                egui::ProgressBar::new(load.fraction)
                    .animate(true)
                    .text(format!(
                        "{:.0}% · {:.0} s",
                        load.fraction * 100.0,
                        load.elapsed
                    )),
            );
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(load.message);
            });
        } else if let Some(obs) = &self.session.observations {
            let measures = self.session.inputs.as_ref().map_or(0, |i| i.measures.len());
            ui.label(
                RichText::new(format!(
                    "{} → {}",
                    self.program.standards.baseline_period,
                    self.program.standards.performance_period
                ))
                .small()
                .color(p.muted),
            );
            ui.label(format!(
                "{} providers · {} scored measures",
                widgets_thousands(obs.provider_count()),
                measures
            ));
        } else {
            ui.label(RichText::new("No data loaded").color(p.muted));
        }
        if let Some(e) = &self.session.data_error {
            ui.add(egui::Label::new(RichText::new(format!("⚠ {e}")).small().color(p.bad)).wrap());
        }
        ui.label(RichText::new("DATA").small().color(p.muted));
        ui.separator();
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        let p = Palette::of(ui);
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                match &self.session.program_path {
                    Some(path) => ui.label(RichText::new(path.display().to_string()).small()),
                    None => ui.label(RichText::new("Not saved to a file yet").small().color(p.muted)),
                };
                if self.is_dirty() {
                    ui.label(RichText::new("● unsaved changes").small().color(p.warn))
                        .on_hover_text("Save with Ctrl+S. Unsaved work is also kept in a recovery file every 30 seconds.");
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if let Some((msg, is_error, at)) = &self.status
                        && at.elapsed() < Duration::from_secs(12)
                    {
                        let color = if *is_error { p.bad } else { p.muted };
                        ui.add(egui::Label::new(RichText::new(msg).small().color(color)).truncate())
                            .on_hover_text(msg);
                        ui.ctx().request_repaint_after(Duration::from_secs(12));
                    }
                });
            });
        });
    }

    fn right_panel(&mut self, ui: &mut Ui) {
        match self.page {
            Page::Providers => {
                egui::Panel::right("why")
                    .resizable(true)
                    .default_size((ui.available_width() * 0.48).max(480.0))
                    .size_range(360.0..=1000.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical().id_salt("why_scroll").show(ui, |ui| {
                            ui.add_space(6.0);
                            match self.session.selected_provider {
                                Some(i) => providers::why_ui(ui, &self.program, &self.session, i),
                                None => {
                                    ui.heading("Why this payment?");
                                    ui.label("Select a provider in the table to see every input, standard, point, weight and rule behind its payment.");
                                }
                            }
                        });
                    });
            }
            Page::Step(step)
                if step.number() >= Step::Baselines.number() && self.prefs.show_simulation =>
            {
                egui::Panel::right("simulation")
                    .resizable(true)
                    .default_size(370.0)
                    .size_range(320.0..=640.0)
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .id_salt("sim_scroll")
                            .show(ui, |ui| {
                                ui.add_space(6.0);
                                self.sim.ui(
                                    ui,
                                    &mut self.program,
                                    &mut self.session,
                                    &mut self.actions,
                                );
                            });
                    });
            }
            Page::Step(_) | Page::Analysis(_) => {}
        }
    }

    fn central(&mut self, ui: &mut Ui) {
        egui::CentralPanel::default().show(ui, |ui| match self.page {
            Page::Step(step) => {
                egui::Panel::bottom("step_nav").show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if let Some(prev) = step.previous()
                            && ui.button(format!("← {}", prev.title())).clicked()
                        {
                            self.page = Page::Step(prev);
                        }
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            if let Some(next) = step.next()
                                && ui.button(format!("{} →", next.title())).clicked()
                            {
                                self.page = Page::Step(next);
                            }
                        });
                    });
                });
                let mut ctx = StepCtx {
                    program: &mut self.program,
                    session: &mut self.session,
                    actions: &mut self.actions,
                };
                steps::step_ui(step, ui, &mut ctx);
            }
            Page::Providers => {
                ui.heading("Providers & payouts");
                ui.add_space(4.0);
                self.providers
                    .table_ui(ui, &self.program, &mut self.session);
            }
            Page::Analysis(view) => {
                let mut ctx = StepCtx {
                    program: &mut self.program,
                    session: &mut self.session,
                    actions: &mut self.actions,
                };
                self.analysis.ui(view, ui, &mut ctx);
            }
        });
    }

    fn modals(&mut self, ctx: &egui::Context) {
        let Some(modal) = self.modal.take() else {
            return;
        };
        let id = egui::Id::unique("app_modal");
        let keep = |m: Modal, close: bool| if close { None } else { Some(m) };
        match modal {
            Modal::Unsaved(pending) => {
                let name = self.display_name();
                let mut choice = None;
                let r = egui::Modal::new(id).show(ctx, |ui| {
                    ui.set_max_width(480.0);
                    ui.heading("Save your changes?");
                    let what = match &pending {
                        Pending::Quit => "before quitting",
                        Pending::New => "before starting a new program",
                        _ => "before opening another program",
                    };
                    ui.label(format!(
                        "“{name}” has changes that are not saved. Save them {what}?"
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Save").strong()).clicked() {
                            choice = Some(true);
                        }
                        if ui.button("Don't save").clicked() {
                            choice = Some(false);
                        }
                        if ui.button("Cancel").clicked() {
                            choice = None;
                            ui.close();
                        }
                    });
                });
                match choice {
                    Some(true) => {
                        self.after_save = Some(pending);
                        self.save(ctx);
                    }
                    Some(false) => {
                        Recovery::remove(&self.paths);
                        self.autosaved = None;
                        self.perform(pending, ctx);
                    }
                    None => self.modal = keep(Modal::Unsaved(pending), r.should_close()),
                }
            }
            Modal::TypedPath {
                purpose,
                mut text,
                mut note,
            } => {
                let mut submit = false;
                let mut cancel = false;
                let r = egui::Modal::new(id).show(ctx, |ui| {
                    let p = Palette::of(ui);
                    ui.set_width(560.0);
                    ui.heading(purpose.title());
                    if let Some(n) = &note {
                        ui.add(egui::Label::new(RichText::new(n).color(p.warn)).wrap());
                    }
                    ui.add_space(4.0);
                    let l = ui.label("File path");
                    let hint = match purpose {
                        DialogPurpose::ImportData => "/path/to/performance.csv",
                        _ => "/path/to/program.ron",
                    };
                    let edit = ui
                        .add(
                            egui::TextEdit::singleline(&mut text)
                                .hint_text(hint)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(l.id);
                    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        submit = true;
                    }
                    if !edit.has_focus() && text.is_empty() {
                        edit.request_focus();
                    }
                    if purpose == DialogPurpose::OpenProgram && !self.prefs.recent.is_empty() {
                        ui.add_space(4.0);
                        ui.label(RichText::new("Recent").small().color(p.muted));
                        for rp in self.prefs.recent.iter().take(5) {
                            if ui.link(rp.display().to_string()).clicked() {
                                text = rp.display().to_string();
                            }
                        }
                    }
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new(purpose.verb()).strong()).clicked() {
                            submit = true;
                        }
                        if ui.button("Cancel").clicked() {
                            cancel = true;
                        }
                    });
                });
                if submit {
                    let path = expand_home(&text);
                    let problem = match purpose {
                        _ if text.trim().is_empty() => Some("Type a path first.".to_owned()),
                        DialogPurpose::SaveProgramAs => {
                            let dir = files::base_dir_of(&path);
                            (!dir.is_dir())
                                .then(|| format!("There is no folder {}.", dir.display()))
                        }
                        _ => (!path.is_file())
                            .then(|| format!("There is no file at {}.", path.display())),
                    };
                    match problem {
                        Some(p) => {
                            note = Some(p);
                            self.modal = Some(Modal::TypedPath {
                                purpose,
                                text,
                                note,
                            });
                        }
                        None => self.use_path(purpose, &path, ctx),
                    }
                } else if cancel || r.should_close() {
                    self.after_save = None;
                } else {
                    self.modal = Some(Modal::TypedPath {
                        purpose,
                        text,
                        note,
                    });
                }
            }
            Modal::Recover(rec) => {
                let mut choice = None;
                let r = egui::Modal::new(id).show(ctx, |ui| {
                    ui.set_max_width(500.0);
                    ui.heading("Recover unsaved work?");
                    let what = match &rec.program_path {
                        Some(p) => format!("changes to {}", p.display()),
                        None => "a program that was never saved".to_owned(),
                    };
                    ui.label(format!(
                        "p4p-designer closed without saving {what}. The last autosave is from {}.",
                        rec.age_label()
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Recover").strong()).clicked() {
                            choice = Some(true);
                        }
                        if ui.button("Discard").clicked() {
                            choice = Some(false);
                        }
                    });
                });
                match choice {
                    Some(true) => self.recover(rec, ctx),
                    Some(false) => Recovery::remove(&self.paths),
                    // Closing with Escape decides nothing: ask again next time.
                    None => self.modal = keep(Modal::Recover(rec), r.should_close()),
                }
            }
            Modal::Message { title, text } => {
                let mut ok = false;
                let r = egui::Modal::new(id).show(ctx, |ui| {
                    ui.set_max_width(520.0);
                    ui.heading(&title);
                    ui.add(egui::Label::new(&text).wrap());
                    ui.add_space(8.0);
                    ok = ui.button("OK").clicked();
                });
                if !(ok || r.should_close()) {
                    self.modal = Some(Modal::Message { title, text });
                }
            }
        }
    }

    fn recover(&mut self, rec: Recovery, ctx: &egui::Context) {
        match Program::from_ron(&rec.program) {
            Ok(program) => {
                // What is on disk (if anything) stays the "saved" state, so the recovered work
                // shows as unsaved until the user saves it.
                let on_disk = rec
                    .program_path
                    .as_deref()
                    .and_then(|p| files::read_program(p).ok());
                self.untitled_name = program.name.clone();
                self.set_program(program, rec.program_path.clone(), rec.base_dir.clone(), ctx);
                self.saved = on_disk.unwrap_or_default();
                self.set_status("Recovered your unsaved work. Save it to keep it.".into());
            }
            Err(e) => {
                self.modal = Some(Modal::Message {
                    title: "Could not recover".into(),
                    text: format!("The recovery file could not be read: {e}"),
                });
            }
        }
    }

    fn glossary_window(&mut self, ctx: &egui::Context) {
        let mut open = self.show_glossary;
        egui::Window::new("Terms explained")
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| {
                for (term, text) in [
                    ("Threshold", glossary::THRESHOLD),
                    ("Benchmark", glossary::BENCHMARK),
                    ("Achievement points", glossary::ACHIEVEMENT),
                    ("Improvement points", glossary::IMPROVEMENT),
                    ("Withhold", glossary::WITHHOLD),
                    ("Exchange function", glossary::EXCHANGE_FUNCTION),
                    ("Pool", glossary::POOL),
                    ("Percentile", glossary::PERCENTILE),
                    ("Who may earn", glossary::ELIGIBILITY),
                    ("Paid per attributed life", glossary::PER_LIFE),
                ] {
                    ui.label(RichText::new(term).strong());
                    ui.add(egui::Label::new(text).wrap());
                    ui.add_space(6.0);
                }
            });
        self.show_glossary = open;
    }
}

/// A hint over the whole window while files are dragged over it.
fn drop_overlay(ctx: &egui::Context) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop_overlay"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a program (.ron) to open it, or data (.csv, .parquet) to import it",
        egui::FontId::proportional(22.0),
        egui::Color32::WHITE,
    );
}

fn widgets_thousands(n: usize) -> String {
    super::widgets::thousands(n as u64)
}
