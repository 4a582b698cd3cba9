//! Modal windows: unsaved changes, typed paths, recovery, and the glossary.

use super::*;

impl DesignerApp {
    pub(super) fn modals(&mut self, ctx: &egui::Context) {
        if self.modal.is_none()
            && let Some(outside) = self.outside_prompt.take()
        {
            self.modal = Some(Modal::OutsideData(outside));
        }
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
                let hint = match purpose {
                    DialogPurpose::ImportData => "/path/to/performance.csv",
                    _ => "/path/to/program.ron",
                };
                let words = TypedPathText {
                    heading: purpose.title(),
                    field: "File path",
                    hint,
                    verb: purpose.verb(),
                };
                let recent = &self.prefs.recent;
                let outcome =
                    typed_path_modal(ctx, id, &words, &mut text, note.as_deref(), |ui, text| {
                        if purpose == DialogPurpose::OpenProgram && !recent.is_empty() {
                            ui.add_space(4.0);
                            ui.label(RichText::new("Recent").small().color(Palette::of(ui).muted));
                            for rp in recent.iter().take(5) {
                                if ui.link(rp.display().to_string()).clicked() {
                                    *text = rp.display().to_string();
                                }
                            }
                        }
                    });
                if outcome == TypedOutcome::Submit {
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
                } else if outcome == TypedOutcome::Cancel {
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
            Modal::OutsideData(outside) => {
                let mut choice = None;
                let folder = self.session.base_dir.display().to_string();
                let r = egui::Modal::new(id).show(ctx, |ui| {
                    ui.set_max_width(640.0);
                    ui.heading(OUTSIDE_DATA_TITLE);
                    ui.add(
                        egui::Label::new(format!(
                            "This program was not saved on this computer. It reads these data \
                             files from outside its own folder ({folder}). Read them only if you \
                             trust where the program came from."
                        ))
                        .wrap(),
                    );
                    ui.add_space(6.0);
                    egui::Grid::new("outside_data")
                        .num_columns(2)
                        .striped(true)
                        .show(ui, |ui| {
                            ui.label(RichText::new("Data file").strong());
                            ui.label(RichText::new("Reads").strong());
                            ui.end_row();
                            for o in &outside {
                                ui.label(&o.path);
                                ui.label(format!("{} ({})", o.resolved.display(), o.how));
                                ui.end_row();
                            }
                        });
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button(RichText::new("Read").strong()).clicked() {
                            choice = Some(true);
                        }
                        if ui.button("Don't read").clicked() {
                            choice = Some(false);
                        }
                    });
                });
                match choice {
                    Some(true) => self.confirm_outside_data(ctx),
                    Some(false) => self.set_status(
                        "Data not read: the program's data files outside its folder were not \
                         confirmed."
                            .into(),
                    ),
                    None if r.should_close() => self.set_status(
                        "Data not read: the program's data files outside its folder were not \
                         confirmed."
                            .into(),
                    ),
                    None => self.modal = Some(Modal::OutsideData(outside)),
                }
            }
        }
    }

    pub(super) fn glossary_window(&mut self, ctx: &egui::Context) {
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
pub(super) fn drop_overlay(ctx: &egui::Context) {
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
