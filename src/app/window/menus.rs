//! The menu bar and the commands it and the shortcuts run.

use super::*;

/// A menu item: the command's text, with its shortcut shown on the right.
pub(super) fn item(
    ui: &mut Ui,
    cmd: Command,
    enabled: bool,
    out: &mut Vec<Command>,
) -> egui::Response {
    let mut b = egui::Button::new(cmd.label());
    // An empty shortcut text would still add a space to the item's accessible name.
    if cmd.shortcut().is_some() {
        b = b.shortcut_text(cmd.shortcut_text(ui.ctx()));
    }
    let r = ui.add_enabled(enabled, b);
    if r.clicked() {
        out.push(cmd);
    }
    r
}

impl DesignerApp {
    /// Runs `pending` now, or first asks what to do with unsaved changes.
    pub(super) fn request(&mut self, pending: Pending, ctx: &egui::Context) {
        if self.is_dirty() {
            self.modal = Some(Modal::Unsaved(pending));
        } else {
            self.perform(pending, ctx);
        }
    }

    pub(super) fn perform(&mut self, pending: Pending, ctx: &egui::Context) {
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

    pub(super) fn run_command(&mut self, cmd: Command, ctx: &egui::Context) {
        match cmd {
            Command::New => self.request(Pending::New, ctx),
            Command::Open => self.request(Pending::OpenDialog, ctx),
            Command::OpenRecent(path) => self.request(Pending::OpenPath(path), ctx),
            Command::OpenSample => self.request(Pending::OpenSample, ctx),
            Command::Export(f) => {
                // A program `validate` rejects is not exported: say why, before asking for a file.
                if let Some(errors) = crate::app::export::refusal_for(&self.program, &self.session)
                {
                    self.modal = Some(Modal::Message {
                        title: "Not exported: the program has errors".into(),
                        text: format!(
                            "`validate` reports these errors, so no payouts are computed or exported until they are fixed:\n\n{errors}"
                        ),
                    });
                } else if let Some(why) =
                    crate::app::export::phase_refusal(f, &self.program, &self.session)
                {
                    self.modal = Some(Modal::Message {
                        title: "Not exported: the audit trail does not explain this phase".into(),
                        text: format!("{}.", capitalise(&why)),
                    });
                } else if self.session.results.is_some() {
                    let mut suggested = self.program_path().map_or_else(
                        || PathBuf::from(slug(&self.program.name)),
                        Path::to_path_buf,
                    );
                    // A phase's payouts are named for it: "program-phase-1-payouts.csv".
                    if let Some(i) = self.session.modelled_phase(&self.program)
                        && let Some(stem) = suggested.file_stem()
                    {
                        let stem = format!("{}-phase-{}", stem.to_string_lossy(), i + 1);
                        suggested.set_file_name(stem);
                    }
                    // The payouts workbook shows each payment's change against the reference
                    // chosen in the scenarios view, else the program as saved (or as opened).
                    let chosen =
                        self.analysis.scenarios.reference.as_ref().and_then(|name| {
                            self.program.scenarios.iter().find(|s| &s.name == name)
                        });
                    self.export.reference = Some(match chosen {
                        Some(s) => (format!("scenario “{}”", s.name), s.apply(&self.program)),
                        None => ("the program as saved".to_owned(), self.saved.clone()),
                    });
                    self.export.begin(f, self.native_dialogs, &suggested, ctx);
                } else {
                    self.set_status_error(
                        "Nothing to export yet: load the program's data first (step 5).".into(),
                    );
                }
            }
            Command::ShowGlossary => self.show_glossary = true,
            Command::Presenter => self.presenter.on = !self.presenter.on,
            Command::CaptureDecision => self.capture_decision(),
            Command::ShowStart => self.show_start = true,
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
            Command::ToggleSidebar => self.toggle_sidebar(),
            Command::ShowProviders => self.page = Page::Providers,
            Command::ShowView(v) => self.page = Page::Analysis(v),
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

    pub(super) fn menu_bar(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
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
                        for f in ExportFormat::ALL {
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
                    ui.separator();
                    let has_data = self.session.observations.is_some();
                    item(ui, Command::CaptureDecision, has_data, out);
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
                    item(ui, Command::ToggleSidebar, true, out);
                    item(ui, Command::ShowProviders, true, out);
                    item(ui, Command::Presenter, true, out);
                });
                ui.menu_button("Go", |ui| {
                    for i in 0..Step::ALL.len() {
                        item(ui, Command::Step(i), true, out);
                    }
                    ui.separator();
                    item(ui, Command::PreviousStep, true, out);
                    item(ui, Command::NextStep, true, out);
                    ui.separator();
                    item(ui, Command::ShowProviders, true, out);
                    for v in crate::app::analysis::View::LISTED {
                        item(ui, Command::ShowView(v), true, out);
                    }
                });
                ui.menu_button("Help", |ui| {
                    item(ui, Command::ShowStart, true, out);
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
}

/// `text` with its first letter in capitals.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
