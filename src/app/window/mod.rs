//! The designer's window: menus, the step sidebar, the current step, the live simulation,
//! files, undo and background jobs.

mod document;
mod layout;
mod menus;
mod modals;
mod start;
mod workshop;

use document::{expand_home, slug, undoer};
pub use layout::{LayoutReport, MIN_CENTRAL, RAIL_WIDTH};
use layout::{SidePane, Tab};
use modals::drop_overlay;

use super::commands::Command;
use super::files::{self, AppPaths, FileKind, Prefs, Recovery, ThemeChoice, TrustedPrograms};
use super::jobs::{
    DialogAnswer, DialogJob, DialogPurpose, LoadJob, Polled, TypedOutcome, TypedPathText,
    typed_path_modal,
};
use super::providers::{self, ProvidersView};
use super::screenshots::ScreenshotPlan;
use super::session::{LoadStatus, Session};
use super::sim_panel::SimPanel;
use super::steps::{self, Step, StepStatus};
use super::theme::{self, Palette};
use super::widgets::glossary;
use super::{Action, StepCtx};
use crate::program::{Program, plan};
use crate::report::ExportFormat;
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
    /// Start at this UI scale instead of the saved one (`P4P_UI_SCALE`, for screenshots).
    pub ui_scale: Option<f32>,
    /// Show the start panel on a first launch (until it is closed once).
    pub start_panel: bool,
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
            start_panel: screenshots.is_none(),
            screenshots,
            ui_scale: std::env::var("P4P_UI_SCALE")
                .ok()
                .and_then(|s| s.trim().parse::<f32>().ok())
                .filter(|s| s.is_finite() && *s > 0.0),
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
            ui_scale: None,
            start_panel: false,
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
    /// A program from elsewhere reads data from outside its folder: read it?
    OutsideData(Vec<crate::data::OutsidePath>),
}

/// The heading of the dialog asking whether to read data from outside a program's folder.
pub const OUTSIDE_DATA_TITLE: &str = "Read data from outside the program's folder?";

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
    /// Presenter mode (F5): the headline figures alone, in large type.
    pub presenter: super::presenter::Presenter,
    providers: ProvidersView,
    pub analysis: super::analysis::Analysis,
    pub export: super::export::Exporter,
    show_glossary: bool,
    /// The start panel shows (first launch, or Help ▸ Getting started).
    pub show_start: bool,
    allow_close: bool,
    title: String,
    applied_prefs: Option<(ThemeChoice, f32)>,
    screenshots: Option<ScreenshotPlan>,
    styled: bool,
    /// Step statuses as last computed, with the program and results they were computed for.
    statuses: Option<StatusCache>,
    /// Where the panels were drawn in the last frame.
    layout: LayoutReport,
    /// Whether the window is wide enough for the full sidebar beside the central pane.
    sidebar_fits: bool,
    /// The full sidebar is open over the central pane (narrow windows).
    sidebar_drawer: bool,
    /// Which tab shows when the side pane shares the central pane.
    side_tab: Tab,
    /// The provider selected in the last frame: a new selection shows its "why" tab.
    last_selected: Option<usize>,
    /// Outside data to ask about once no other dialog is showing.
    outside_prompt: Option<Vec<crate::data::OutsidePath>>,
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
        let mut prefs = Prefs::load(&config.paths);
        if let Some(scale) = config.ui_scale {
            prefs.ui_scale = scale;
        }
        let recovery = if config.offer_recovery {
            Recovery::find(&config.paths)
        } else {
            None
        };
        let show_start = config.start_panel && !prefs.start_dismissed;
        DesignerApp {
            show_start,
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
            presenter: Default::default(),
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
            layout: LayoutReport::default(),
            sidebar_fits: true,
            sidebar_drawer: false,
            side_tab: Tab::Main,
            last_selected: None,
            outside_prompt: None,
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
            Modal::OutsideData(_) => OUTSIDE_DATA_TITLE.to_owned(),
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

    // ---- actions (opening, saving and commands are in document.rs and menus.rs) ----------

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
                self.side_tab = if shot.side_tab() {
                    Tab::Side
                } else {
                    Tab::Main
                };
                self.prefs.sidebar_collapsed = shot.rail();
                self.presenter.on = shot.presenter();
                self.show_start = shot == super::screenshots::Shot::Start;
                if self.prefs.theme != theme {
                    self.prefs.theme = theme;
                }
                if why && self.session.selected_provider.is_none() {
                    self.session.selected_provider = self.typical_earner();
                }
                self.stage_screenshot(shot);
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
        // Every view that shows a payout reads the modelled phase's, made fresh here.
        self.session.refresh_phase(&self.program);

        let mut commands = Vec::new();
        if self.presenter.on
            && self.modal.is_none()
            && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            self.presenter.on = false;
        }
        if self.presenter.on {
            // The rest of the window steps back: no menus, sidebar or step.
            let leave = egui::CentralPanel::default()
                .show(ui, |ui| {
                    self.presenter.ui(ui, &mut self.program, &mut self.session)
                })
                .inner;
            self.presenter.on = !leave;
        } else {
            self.menu_bar(ui, &mut commands);
            self.status_bar(ui);
            self.sidebar(ui);
            self.right_panel(ui);
            self.central(ui);
        }
        self.modals(&ctx);
        self.start_panel(&ctx);
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
        let changed = self.session.recompute(&self.program);
        self.session.refresh_phase(&self.program);
        if changed {
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

impl DesignerApp {
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
            let statuses = plan::statuses(&self.program, &evidence);
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
        ui.separator();
        ui.label(RichText::new("DATA").small().color(p.muted));
        if let Some(e) = &self.session.data_error {
            ui.add(egui::Label::new(RichText::new(format!("⚠ {e}")).small().color(p.bad)).wrap());
        }
        if let Some(load) = self.session.loading.clone() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.add(egui::Label::new(load.message).wrap());
            });
            ui.add(
                egui::ProgressBar::new(load.fraction)
                    .animate(true)
                    .text(format!(
                        "{:.0}% · {:.0} s",
                        load.fraction * 100.0,
                        load.elapsed
                    )),
            );
            if ui.button("Cancel loading").clicked() {
                self.cancel_load();
            }
        } else if let Some(obs) = &self.session.observations {
            let measures = self.session.inputs.as_ref().map_or(0, |i| i.measures.len());
            ui.add(
                egui::Label::new(format!(
                    "{} providers · {} scored measures",
                    widgets_thousands(obs.provider_count()),
                    measures
                ))
                .wrap(),
            );
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "{} → {}",
                        self.program.standards.baseline_period,
                        self.program.standards.performance_period
                    ))
                    .small()
                    .color(p.muted),
                )
                .wrap(),
            );
        } else {
            ui.label(RichText::new("No data loaded").color(p.muted));
        }
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

    /// The side pane beside the central one, when the page has one and there is room for it
    /// and a central pane of the minimum width; otherwise it becomes a tab of the central pane.
    fn right_panel(&mut self, ui: &mut Ui) {
        self.layout.side = None;
        self.layout.side_tabbed = false;
        let Some(pane) = self.side_pane() else {
            return;
        };
        let remaining = ui.available_rect_before_wrap().width();
        let (min, default, max) = pane.sizes(ui.ctx().content_rect().width());
        let Some(max) = layout::side_max(remaining, min, max) else {
            self.layout.side_tabbed = true;
            return;
        };
        let id = match pane {
            SidePane::Why => "why",
            SidePane::Simulation => "simulation",
        };
        let r = egui::Panel::right(id)
            .resizable(true)
            .default_size(default.min(max))
            .size_range(min..=max)
            .show(ui, |ui| self.side_contents(ui, pane));
        self.layout.side = Some(r.response.rect);
    }

    fn side_contents(&mut self, ui: &mut Ui, pane: SidePane) {
        match pane {
            SidePane::Why => {
                egui::ScrollArea::both().id_salt("why_scroll").show(ui, |ui| {
                    ui.add_space(6.0);
                    match self.session.selected_provider {
                        Some(i) => providers::why_ui(ui, &self.program, &self.session, i),
                        None => {
                            ui.heading("Why this payment?");
                            ui.label("Select a provider in the table to see every input, standard, point, weight and rule behind its payment.");
                        }
                    }
                });
            }
            SidePane::Simulation => {
                egui::ScrollArea::both()
                    .id_salt("sim_scroll")
                    .show(ui, |ui| {
                        ui.add_space(6.0);
                        self.sim
                            .ui(ui, &mut self.program, &mut self.session, &mut self.actions);
                    });
            }
        }
    }

    fn central(&mut self, ui: &mut Ui) {
        let pane = self.side_pane();
        let tabbed = self.layout.side_tabbed;
        // In a shared pane, picking a provider in the table shows why it is paid what it is.
        let selected = self.session.selected_provider;
        if tabbed
            && pane == Some(SidePane::Why)
            && selected.is_some()
            && selected != self.last_selected
        {
            self.side_tab = Tab::Side;
        }
        self.last_selected = selected;
        self.layout.central = ui.available_rect_before_wrap();
        let r = egui::CentralPanel::default().show(ui, |ui| {
            if let Page::Step(step) = self.page {
                self.step_nav(ui, step);
            }
            if let (true, Some(pane)) = (tabbed, pane) {
                self.tab_strip(ui, pane);
                if self.side_tab == Tab::Side {
                    self.side_contents(ui, pane);
                    return;
                }
            }
            match self.page {
                Page::Step(step) => {
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
            }
        });
        self.layout.central_content = r.response.rect;
    }

    /// Back and Next, each in its own half of the bar so they never overlap: a title that
    /// does not fit is cut short, and shown whole on hover.
    fn step_nav(&mut self, ui: &mut Ui, step: Step) {
        egui::Panel::bottom("step_nav").show(ui, |ui| {
            let gap = ui.spacing().item_spacing.x;
            let half = ((ui.available_width() - gap) / 2.0).max(0.0);
            let height = ui.spacing().interact_size.y + 4.0;
            ui.horizontal(|ui| {
                for (to, forward) in [(step.previous(), false), (step.next(), true)] {
                    let layout = if forward {
                        egui::Layout::right_to_left(egui::Align::Center)
                    } else {
                        egui::Layout::left_to_right(egui::Align::Center)
                    };
                    ui.allocate_ui_with_layout(egui::vec2(half, height), layout, |ui| {
                        ui.set_width(half);
                        let Some(to) = to else {
                            return;
                        };
                        let text = if forward {
                            format!("{} →", to.title())
                        } else {
                            format!("← {}", to.title())
                        };
                        let r = ui
                            .add(egui::Button::new(text).truncate())
                            .on_hover_text(to.purpose());
                        if r.clicked() {
                            self.page = Page::Step(to);
                        }
                    });
                }
            });
        });
    }
}

fn widgets_thousands(n: usize) -> String {
    super::widgets::thousands(n as u64)
}
