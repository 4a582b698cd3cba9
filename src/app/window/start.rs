//! The start panel: on first launch (and from Help ▸ Getting started), what the open program
//! is, where the live payouts are, and buttons to start a new program, open one or load data.
//! Closing it is remembered in the preferences.

use super::*;

/// What the start panel asked for.
enum Choice {
    Close,
    Go(Page),
    Run(Command),
}

impl DesignerApp {
    pub(super) fn start_panel(&mut self, ctx: &egui::Context) {
        if !self.show_start || self.modal.is_some() {
            return;
        }
        let sample =
            self.session.program_path.is_none() && self.untitled_name.ends_with("(sample)");
        let name = if self.program.name.trim().is_empty() {
            self.display_name()
        } else {
            self.program.name.clone()
        };
        let providers = self.session.provider_count();
        let screen = ctx.content_rect();
        let mut choice = None;
        // Modal: nothing behind it reacts (no hover text over it) until it is closed.
        let r = egui::Modal::new(egui::Id::unique("start_panel")).show(ctx, |ui| {
            ui.set_max_width(520.0_f32.min(screen.width() - 60.0));
            ui.horizontal(|ui| {
                ui.heading("Getting started");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Close").clicked() {
                        choice = Some(Choice::Close);
                    }
                });
            });
            egui::ScrollArea::vertical()
                .max_height(screen.height() - 120.0)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    if let Some(c) = body(ui, sample, &name, providers) {
                        choice = Some(c);
                    }
                });
        });
        if choice.is_none() && r.should_close() {
            choice = Some(Choice::Close);
        }
        let Some(choice) = choice else {
            return;
        };
        self.show_start = false;
        if !self.prefs.start_dismissed {
            self.prefs.start_dismissed = true;
            self.save_prefs();
        }
        match choice {
            Choice::Close => {}
            Choice::Go(page) => self.page = page,
            Choice::Run(cmd) => self.run_command(cmd, ctx),
        }
    }
}

fn body(ui: &mut Ui, sample: bool, name: &str, providers: usize) -> Option<Choice> {
    let mut choice = None;
    ui.spacing_mut().item_spacing.y = 6.0;
    if sample {
        ui.label(format!(
            "This is the bundled sample: “{name}”, a Medicaid primary-care pay-for-performance \
             program on synthetic data for {providers} practices, with all seven steps filled in \
             for you to explore and change."
        ));
    } else {
        ui.label(format!(
            "“{name}” is open{}.",
            if providers > 0 {
                format!(", with data on {providers} providers")
            } else {
                String::new()
            }
        ));
    }
    ui.label(
        "The sidebar lists the seven steps of building a program. Payouts are simulated live \
         from step 5 (baselines and benchmarks) and step 6 (payment model): the live panel \
         beside them — a “Live payouts” tab on a narrow screen — shows who is paid what as \
         you move the pool and the threshold.",
    );
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(RichText::new("See the live payouts (step 6)").strong())
            .clicked()
        {
            choice = Some(Choice::Go(Page::Step(Step::Payment)));
        }
        if ui.button("Start at step 1").clicked() {
            choice = Some(Choice::Go(Page::Step(Step::Identify)));
        }
    });
    ui.separator();
    ui.label("Or start on your own:");
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("New program")
            .on_hover_text("An empty program, from step 1")
            .clicked()
        {
            choice = Some(Choice::Run(Command::New));
        }
        if ui
            .button("Open a program…")
            .on_hover_text("A saved program (.ron)")
            .clicked()
        {
            choice = Some(Choice::Run(Command::Open));
        }
        if ui
            .button("Load your own data…")
            .on_hover_text(
                "A CSV or Parquet file of provider results; you map its columns in step 5",
            )
            .clicked()
        {
            choice = Some(Choice::Run(Command::AddData));
        }
    });
    ui.add_space(2.0);
    ui.label(
        RichText::new("Help ▸ Getting started shows this again.")
            .small()
            .weak(),
    );
    choice
}
