//! How the window shares its width: the step sidebar (full, or a rail of step numbers and
//! icons), the central pane, and a side pane (the live simulation, or the "why" of a payment)
//! that sits beside the central pane when there is room and becomes a tab of it when there is
//! not. The central pane never gets narrower than [`MIN_CENTRAL`] while the window is at least
//! [`RAIL_WIDTH`] + [`MIN_CENTRAL`] wide (1280×720 at 200% is 640 points wide).

use super::*;

/// The narrowest the central pane may be, in points.
pub const MIN_CENTRAL: f32 = 560.0;
/// The collapsed sidebar: step numbers and icons.
pub const RAIL_WIDTH: f32 = 56.0;
/// The full sidebar's width range.
pub const SIDEBAR_MIN: f32 = 200.0;
pub const SIDEBAR_MAX: f32 = 420.0;
pub const SIDEBAR_DEFAULT: f32 = 250.0;

/// Whether the full sidebar can sit beside a central pane of the minimum width.
pub fn sidebar_fits(width: f32) -> bool {
    width >= SIDEBAR_MIN + MIN_CENTRAL
}

/// The widest the full sidebar may be dragged in a window `width` points wide.
pub fn sidebar_max(width: f32) -> f32 {
    (width - MIN_CENTRAL).clamp(SIDEBAR_MIN, SIDEBAR_MAX)
}

/// The widest a side pane may be beside a central pane of the minimum width, or `None` when
/// even its narrowest (`min`) does not fit in `remaining` points: then it becomes a tab.
pub fn side_max(remaining: f32, min: f32, max: f32) -> Option<f32> {
    let room = remaining - MIN_CENTRAL;
    (room >= min).then(|| room.min(max))
}

/// The pane beside the central one, on pages that have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidePane {
    /// The live simulation, from step 5 on.
    Simulation,
    /// Why the selected provider is paid what it is, beside the providers table.
    Why,
}

impl SidePane {
    /// (narrowest, default, widest) in points, for a window `width` points wide.
    pub(super) fn sizes(self, width: f32) -> (f32, f32, f32) {
        match self {
            SidePane::Simulation => (320.0, 370.0, 640.0),
            SidePane::Why => (360.0, (width * 0.48).max(480.0), 1000.0),
        }
    }

    /// The central pane's own tab and the side pane's tab, when they share the central pane.
    fn tab_titles(self) -> (&'static str, &'static str) {
        match self {
            SidePane::Simulation => ("Step", "Live payouts"),
            SidePane::Why => ("Table", "Why this payment"),
        }
    }
}

/// Which of the two shows when the side pane is a tab of the central pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Main,
    Side,
}

/// Where the panels were drawn in the last frame, in points: for tests and for the next
/// frame's decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutReport {
    /// The step sidebar (full or rail).
    pub sidebar: egui::Rect,
    pub sidebar_collapsed: bool,
    /// The side pane, when it sits beside the central pane.
    pub side: Option<egui::Rect>,
    /// The side pane is a tab of the central pane.
    pub side_tabbed: bool,
    /// The area the central pane was given.
    pub central: egui::Rect,
    /// What the central pane's content took; wider than `central` when something does not fit.
    pub central_content: egui::Rect,
}

impl Default for LayoutReport {
    fn default() -> Self {
        LayoutReport {
            sidebar: egui::Rect::NOTHING,
            sidebar_collapsed: false,
            side: None,
            side_tabbed: false,
            central: egui::Rect::NOTHING,
            central_content: egui::Rect::NOTHING,
        }
    }
}

impl DesignerApp {
    /// The side pane this page has, if any.
    pub(super) fn side_pane(&self) -> Option<SidePane> {
        match self.page {
            Page::Providers => Some(SidePane::Why),
            Page::Step(step)
                if step.number() >= Step::Baselines.number() && self.prefs.show_simulation =>
            {
                Some(SidePane::Simulation)
            }
            Page::Step(_) | Page::Analysis(_) => None,
        }
    }

    /// Where the panels were drawn in the last frame.
    pub fn layout(&self) -> LayoutReport {
        self.layout
    }

    /// Ctrl+B: collapse or expand the sidebar. When the window is too narrow for the full
    /// sidebar beside the central pane, it opens over the central pane until a page is picked.
    pub(super) fn toggle_sidebar(&mut self) {
        if self.sidebar_fits {
            self.prefs.sidebar_collapsed = !self.prefs.sidebar_collapsed;
            self.sidebar_drawer = false;
            self.save_prefs();
        } else {
            self.sidebar_drawer = !self.sidebar_drawer;
        }
    }

    pub(super) fn sidebar(&mut self, ui: &mut Ui) {
        let width = ui.available_rect_before_wrap().width();
        self.sidebar_fits = sidebar_fits(width);
        let expanded = self.sidebar_fits && !self.prefs.sidebar_collapsed;
        let p = Palette::of(ui);
        let page_before = self.page;
        let rect = if expanded {
            self.sidebar_drawer = false;
            egui::Panel::left("steps")
                .resizable(true)
                .default_size(SIDEBAR_DEFAULT)
                .size_range(SIDEBAR_MIN..=sidebar_max(width))
                .show(ui, |ui| self.sidebar_contents(ui, &p))
                .response
                .rect
        } else {
            egui::Panel::left("steps_rail")
                .resizable(false)
                .exact_size(RAIL_WIDTH)
                .show(ui, |ui| self.rail(ui, &p))
                .response
                .rect
        };
        self.layout.sidebar = rect;
        self.layout.sidebar_collapsed = !expanded;
        if !expanded && self.sidebar_drawer {
            self.drawer(ui, rect, &p);
            if self.page != page_before {
                self.sidebar_drawer = false;
            }
        }
    }

    /// The full sidebar over the central pane, when the window is too narrow to keep it open.
    fn drawer(&mut self, ui: &mut Ui, rail: egui::Rect, p: &Palette) {
        let frame = egui::Frame::side_top_panel(ui.style()).shadow(ui.style().visuals.popup_shadow);
        let width = SIDEBAR_DEFAULT.min(ui.ctx().content_rect().width() - rail.width());
        let rect = egui::Rect::from_min_size(rail.right_top(), egui::vec2(width, rail.height()));
        egui::Area::new(egui::Id::unique("sidebar_drawer"))
            .order(egui::Order::Foreground)
            .fixed_pos(rail.right_top())
            .show(ui.ctx(), |ui| {
                frame.show(ui, |ui| {
                    let inner = egui::vec2(width, rail.height()) - frame.total_margin().sum();
                    ui.set_min_size(inner);
                    ui.set_max_size(inner);
                    self.sidebar_contents(ui, p);
                });
            });
        // A click anywhere else closes it, as a menu would.
        let outside = ui.input(|i| {
            i.pointer.any_pressed()
                && i.pointer
                    .interact_pos()
                    .is_some_and(|pos| !rect.contains(pos) && !rail.contains(pos))
        });
        if outside {
            self.sidebar_drawer = false;
        }
    }

    fn sidebar_contents(&mut self, ui: &mut Ui, p: &Palette) {
        // The data summary stays at the bottom; everything above it scrolls.
        egui::Panel::bottom("sidebar_data")
            .show_separator_line(false)
            .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
            .show(ui, |ui| self.data_summary(ui, p));
        egui::ScrollArea::vertical()
            .id_salt("sidebar_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    ui.label(RichText::new("PROGRAM").small().color(p.muted));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let tip = format!(
                            "Show only step numbers and icons ({})",
                            Command::ToggleSidebar.shortcut_text(ui.ctx())
                        );
                        if ui
                            .small_button("«")
                            .accessible_name("Collapse the sidebar")
                            .on_hover_text(tip)
                            .clicked()
                        {
                            self.toggle_sidebar();
                        }
                    });
                });
                ui.add(
                    egui::Label::new(RichText::new(&self.program.name).strong().size(18.0)).wrap(),
                );
                ui.add_space(10.0);
                ui.label(RichText::new("SEVEN STEPS").small().color(p.muted));
                let statuses = self.step_statuses(ui.ctx());
                for (step, status) in Step::ALL.into_iter().zip(statuses) {
                    self.step_entry(ui, step, &status, p);
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
                for view in crate::app::analysis::View::LISTED {
                    let on = self.page == Page::Analysis(view);
                    if ui
                        .add_sized(
                            [ui.available_width(), 30.0],
                            egui::Button::selectable(on, (view.title(), egui::Atom::grow())),
                        )
                        .on_hover_text(format!(
                            "{} ({})",
                            view.hint(),
                            Command::ShowView(view).shortcut_text(ui.ctx())
                        ))
                        .clicked()
                    {
                        self.page = Page::Analysis(view);
                    }
                }
                ui.add_space(6.0);
            });
    }

    /// The collapsed sidebar: a button per step (its number and status) and per result view
    /// (an icon), each named in full for screen readers and in its tooltip.
    fn rail(&mut self, ui: &mut Ui, p: &Palette) {
        let tip = if self.sidebar_fits {
            "Show the full sidebar"
        } else {
            "Show the full sidebar over the page (the window is too narrow to keep it open)"
        };
        let tip = format!("{tip} ({})", Command::ToggleSidebar.shortcut_text(ui.ctx()));
        ui.add_space(6.0);
        if ui
            .add_sized([ui.available_width(), 26.0], egui::Button::new("»"))
            .accessible_name("Expand the sidebar")
            .on_hover_text(tip)
            .clicked()
        {
            self.toggle_sidebar();
        }
        if self.session.loading.is_some() {
            ui.vertical_centered(|ui| ui.spinner())
                .response
                .on_hover_text("Loading data…");
        }
        egui::ScrollArea::vertical()
            .id_salt("rail_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add_space(6.0);
                let statuses = self.step_statuses(ui.ctx());
                for (step, status) in Step::ALL.into_iter().zip(statuses) {
                    let (icon, color, state) = match &status {
                        StepStatus::Done => ("✔", p.good, "Done".to_owned()),
                        StepStatus::NeedsAttention(why) => {
                            ("⚠", p.warn, format!("Needs attention: {why}"))
                        }
                    };
                    let button = egui::Button::selectable(
                        self.page == Page::Step(step),
                        (
                            RichText::new(step.number().to_string()).size(16.0).strong(),
                            RichText::new(icon).small().color(color),
                        ),
                    );
                    if ui
                        .add_sized([ui.available_width(), 32.0], button)
                        .accessible_name(step.title())
                        .on_hover_text(format!(
                            "{}\n{state}\n\n{}",
                            step.title(),
                            Command::Step(step.number() - 1).shortcut_text(ui.ctx())
                        ))
                        .clicked()
                    {
                        self.page = Page::Step(step);
                    }
                }
                ui.add_space(4.0);
                ui.separator();
                let mut entries = vec![(
                    Page::Providers,
                    "☰",
                    "Providers & payouts",
                    Command::ShowProviders,
                )];
                entries.extend(crate::app::analysis::View::LISTED.map(|v| {
                    let icon = match v {
                        crate::app::analysis::View::Equity => "⚖",
                        crate::app::analysis::View::Sweep => "▦",
                        crate::app::analysis::View::Scenarios => "⇄",
                        crate::app::analysis::View::Reliability => "◎",
                        crate::app::analysis::View::Lint => "⚠",
                        crate::app::analysis::View::Decisions => "✍",
                    };
                    (Page::Analysis(v), icon, v.title(), Command::ShowView(v))
                }));
                for (page, icon, title, cmd) in entries {
                    let button =
                        egui::Button::selectable(self.page == page, RichText::new(icon).size(18.0));
                    if ui
                        .add_sized([ui.available_width(), 32.0], button)
                        .accessible_name(title)
                        .on_hover_text(format!("{title} ({})", cmd.shortcut_text(ui.ctx())))
                        .clicked()
                    {
                        self.page = page;
                    }
                }
            });
    }

    /// The two tabs of a central pane that shares its room with the side pane.
    pub(super) fn tab_strip(&mut self, ui: &mut Ui, pane: SidePane) {
        let (main, side) = pane.tab_titles();
        ui.horizontal(|ui| {
            for (tab, title) in [(Tab::Main, main), (Tab::Side, side)] {
                if ui
                    .add(egui::Button::selectable(
                        self.side_tab == tab,
                        RichText::new(title).strong(),
                    ))
                    .clicked()
                {
                    self.side_tab = tab;
                }
            }
            ui.add(
                egui::Label::new(
                    RichText::new(
                        "Widen the window or lower the UI scale to see both side by side",
                    )
                    .small()
                    .weak(),
                )
                .truncate(),
            );
        });
        ui.separator();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (logical width of a window at a UI scale) → what fits.
    fn points(pixels: f32, scale: f32) -> f32 {
        pixels / scale
    }

    #[test]
    fn the_full_sidebar_folds_to_a_rail_only_when_the_central_pane_would_be_too_narrow() {
        assert!(sidebar_fits(points(1280.0, 1.0)));
        assert!(sidebar_fits(points(1280.0, 1.5)));
        assert!(!sidebar_fits(points(1280.0, 2.0)));
        assert!(sidebar_fits(SIDEBAR_MIN + MIN_CENTRAL));
        assert!(!sidebar_fits(SIDEBAR_MIN + MIN_CENTRAL - 1.0));
        assert_eq!(sidebar_max(1280.0), SIDEBAR_MAX);
        assert_eq!(
            sidebar_max(points(1280.0, 1.5)),
            points(1280.0, 1.5) - MIN_CENTRAL
        );
        // A rail always leaves the minimum at 1280×720 and 200%.
        assert!(points(1280.0, 2.0) - RAIL_WIDTH >= MIN_CENTRAL);
    }

    #[test]
    fn the_side_pane_docks_only_beside_a_central_pane_of_the_minimum_width() {
        // 1280 at 100% with a 250-point sidebar: 1030 left, the simulation docks.
        assert_eq!(side_max(1030.0, 320.0, 640.0), Some(1030.0 - MIN_CENTRAL));
        // 1600 at 100%: room to spare, the widest is the pane's own limit.
        assert_eq!(side_max(1350.0, 320.0, 640.0), Some(640.0));
        // 1280 at 150% (853 points) beside a 250-point sidebar: a tab.
        assert_eq!(side_max(points(1280.0, 1.5) - 250.0, 320.0, 640.0), None);
        // 1280 at 125% with the sidebar collapsed: docks again.
        assert!(side_max(points(1280.0, 1.25) - RAIL_WIDTH, 320.0, 640.0).is_some());
        assert_eq!(side_max(MIN_CENTRAL + 319.0, 320.0, 640.0), None);
    }
}
