//! The document's lifecycle: opening, saving, autosave and recovery, undo, and loading the
//! data the program names.

use super::*;

impl DesignerApp {
    pub(super) fn set_program(
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
    pub(super) fn open_sample(&mut self, ctx: &egui::Context) {
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

    pub(super) fn open_path(&mut self, path: &Path, ctx: &egui::Context) {
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

    pub(super) fn save(&mut self, ctx: &egui::Context) {
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
                // Saved here: its data paths are this user's own.
                if let Err(e) = TrustedPrograms::add(&self.paths, &path) {
                    self.set_status_error(format!("Could not record the saved program: {e}"));
                }
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
    pub(super) fn open_dialog(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
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

    pub(super) fn dialog_dir(&self) -> PathBuf {
        match &self.session.program_path {
            Some(p) => files::base_dir_of(p),
            None => std::env::current_dir().unwrap_or_else(|_| self.session.base_dir.clone()),
        }
    }

    pub(super) fn typed_path(&mut self, purpose: DialogPurpose, note: Option<String>) {
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

    pub(super) fn on_dialog_answer(&mut self, a: DialogAnswer, ctx: &egui::Context) {
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
                self.session.next_period_for = None;
                self.set_status("Cancelled.".into());
            }
        }
    }

    pub(super) fn use_path(&mut self, purpose: DialogPurpose, path: &Path, ctx: &egui::Context) {
        match purpose {
            DialogPurpose::OpenProgram => self.open_path(path, ctx),
            DialogPurpose::SaveProgramAs => self.save_to(path, ctx),
            DialogPurpose::ImportData => self.import_file(path.to_path_buf()),
        }
    }

    /// Hands a data file to step 5's import (column mapping) flow.
    pub(super) fn import_file(&mut self, path: PathBuf) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.session.pending_import = Some(path);
        self.page = Page::Step(Step::Baselines);
        self.set_status(format!("Map the columns of {name} to import it."));
    }

    pub(super) fn start_load(&mut self, ctx: &egui::Context) {
        if self.program.data.files.is_empty() {
            self.set_status("This program lists no data files yet: add one in step 5.".into());
            return;
        }
        if let Some(outside) = self.outside_to_confirm() {
            self.outside_prompt = Some(outside);
            self.set_status("Confirm the data files outside the program's folder first.".into());
            return;
        }
        self.load_now(ctx);
    }

    /// Starts loading the program's data, without asking.
    fn load_now(&mut self, ctx: &egui::Context) {
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

    /// The data files outside the program's folder, when the program file was neither saved
    /// on this computer nor confirmed before (as it is on disk now): someone else's program
    /// could otherwise read any file the user can. None when there is nothing to ask.
    fn outside_to_confirm(&self) -> Option<Vec<crate::data::OutsidePath>> {
        // A program never saved was made in this window.
        let path = self.session.program_path.as_deref()?;
        let mut outside = crate::data::outside_data(&self.program, path, None);
        if let Some(root) = files::samples_folder_of(path) {
            outside.retain(|o| !o.resolved.starts_with(&root));
        }
        (!outside.is_empty() && !TrustedPrograms::contains(&self.paths, path)).then_some(outside)
    }

    /// The user agreed to read the outside data: remember the program file, then load.
    pub(super) fn confirm_outside_data(&mut self, ctx: &egui::Context) {
        if let Some(path) = self.session.program_path.clone()
            && let Err(e) = TrustedPrograms::add(&self.paths, &path)
        {
            // Loading goes on; the question comes back next time.
            self.set_status_error(format!("Could not record the confirmation: {e}"));
        }
        self.outside_prompt = None;
        if !self.program.data.files.is_empty() {
            self.load_now(ctx);
        }
    }

    pub(super) fn cancel_load(&mut self) {
        if let Some(job) = self.load_job.take() {
            job.cancel();
            self.session.loading = None;
            self.session.roll_back_import(&mut self.program);
            self.set_status("Loading cancelled; the data loaded before is kept.".into());
        }
    }

    /// Reloads when undo or redo changed which data files the program reads.
    pub(super) fn reload_if_sources_changed(&mut self, ctx: &egui::Context) {
        if self.loaded_sources.as_ref() != Some(&self.program.data)
            && !self.program.data.files.is_empty()
        {
            self.start_load(ctx);
        }
    }

    pub(super) fn poll_jobs(&mut self, ctx: &egui::Context) {
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
                    // A file an import added leaves the program again.
                    self.session.roll_back_import(&mut self.program);
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

    pub(super) fn feed_undo(&mut self, ctx: &egui::Context) {
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

    pub(super) fn autosave(&mut self) {
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

    pub(super) fn handle_close(&mut self, ctx: &egui::Context) {
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

    pub(super) fn recover(&mut self, rec: Recovery, ctx: &egui::Context) {
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
}

pub(super) fn undoer() -> Undoer<Program> {
    Undoer::with_settings(UndoSettings {
        max_undos: 200,
        stable_time: 0.6,
        auto_save_interval: 30.0,
    })
}

pub(super) fn with_ron_extension(path: &Path) -> PathBuf {
    if path.extension().is_some() {
        path.to_path_buf()
    } else {
        path.with_extension("ron")
    }
}

/// A file-name-friendly version of a program name.
pub(super) fn slug(name: &str) -> String {
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

pub(super) fn expand_home(text: &str) -> PathBuf {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    PathBuf::from(t)
}
