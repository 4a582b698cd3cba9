//! The window on a projector: at 1280×720 from 100% to 200% UI scale, and at 1600×1000,
//! every step and view is reached through the sidebar (scrolled to and clicked by its label),
//! the central pane keeps its minimum width and no panel overlaps it, and Back and Next never
//! overlap.
//!
//! A window `w`×`h` pixels at UI scale `s` lays out `w/s`×`h/s` points; the harness is built
//! at that size in points with `s` pixels per point, which is what the real window gets.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use p4p_designer::app::analysis::View;
use p4p_designer::app::steps::Step;
use p4p_designer::app::{AppConfig, DesignerApp, MIN_CENTRAL, Page};
use std::time::{Duration, Instant};

struct Screen {
    width: f32,
    height: f32,
    scale: f32,
}

impl Screen {
    fn points(&self) -> egui::Vec2 {
        egui::vec2(self.width / self.scale, self.height / self.scale)
    }
}

const SCREENS: [Screen; 5] = [
    Screen {
        width: 1280.0,
        height: 720.0,
        scale: 1.0,
    },
    Screen {
        width: 1280.0,
        height: 720.0,
        scale: 1.5,
    },
    Screen {
        width: 1280.0,
        height: 720.0,
        scale: 2.0,
    },
    Screen {
        width: 1600.0,
        height: 1000.0,
        scale: 1.0,
    },
    // Where Back and Next used to overlap and step 5 sat under the live panel.
    Screen {
        width: 1280.0,
        height: 720.0,
        scale: 1.25,
    },
];

fn harness_on(screen: &Screen, dir: &std::path::Path) -> Harness<'static, DesignerApp> {
    let config = AppConfig::for_tests(None, dir);
    let mut h = Harness::builder()
        .with_size(screen.points())
        .with_pixels_per_point(screen.scale)
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    let start = Instant::now();
    while h.state().is_loading() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "data took too long"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run();
    h
}

/// Every page, with the name its sidebar entry carries.
fn pages() -> Vec<(Page, &'static str)> {
    let mut pages: Vec<(Page, &'static str)> = Step::ALL
        .iter()
        .map(|s| (Page::Step(*s), s.title()))
        .collect();
    pages.push((Page::Providers, "Providers & payouts"));
    pages.extend(View::LISTED.iter().map(|v| (Page::Analysis(*v), v.title())));
    pages
}

fn overlaps(a: egui::Rect, b: egui::Rect) -> bool {
    // Panels share an edge; more than a pixel of overlap is an overlap.
    let i = a.intersect(b);
    i.width() > 1.0 && i.height() > 1.0
}

/// The sidebar entry for `label`: scrolled into view, inside the sidebar, then clicked.
fn reach(h: &mut Harness<'_, DesignerApp>, label: &str, what: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.run();
    let sidebar = h.state().layout().sidebar;
    let node = h.get_by_role_and_label(Role::Button, label);
    let r = node.rect();
    assert!(
        sidebar.expand(1.0).contains_rect(r),
        "{what}: the sidebar entry {label:?} at {r:?} is not inside the sidebar {sidebar:?}"
    );
    node.click();
    h.run();
}

fn check_layout(h: &Harness<'_, DesignerApp>, screen: &Screen, what: &str) {
    let size = screen.points();
    let l = h.state().layout();
    assert!(
        l.central.width() >= MIN_CENTRAL - 1.0,
        "{what}: the central pane is {} points wide",
        l.central.width()
    );
    assert!(
        l.central.right() <= size.x + 0.5 && l.central.left() >= 0.0,
        "{what}: the central pane {:?} leaves the window {size:?}",
        l.central
    );
    assert!(
        !overlaps(l.central, l.sidebar),
        "{what}: the sidebar {:?} overlaps the central pane {:?}",
        l.sidebar,
        l.central
    );
    assert!(
        l.central_content.right() <= l.central.right() + 1.0,
        "{what}: the content {:?} is wider than the central pane {:?}",
        l.central_content,
        l.central
    );
    if let Some(side) = l.side {
        assert!(
            !overlaps(l.central, side),
            "{what}: the side pane {side:?} overlaps the central pane {:?}",
            l.central
        );
        assert!(side.right() <= size.x + 0.5, "{what}: side pane {side:?}");
        assert!(!l.side_tabbed);
        // The side pane's sliders (the live panel's levers) are not cut off at its edge.
        for r in h.query_all_by_role(Role::Slider).map(|n| n.rect()) {
            if side.contains(r.left_center()) {
                assert!(
                    r.right() <= side.right(),
                    "{what}: a slider {r:?} runs past the side pane {side:?}"
                );
            }
        }
    }
}

/// The page's own title (not the sidebar entry) is drawn whole inside the central pane.
fn check_title(h: &Harness<'_, DesignerApp>, title: &str, what: &str) {
    let central = h.state().layout().central;
    let heading = h
        .query_all_by_label(title)
        .find(|n| n.accesskit_node().role() != Role::Button)
        .unwrap_or_else(|| panic!("{what}: no title {title:?}"));
    let r = heading.rect();
    assert!(
        central.expand(0.5).contains_rect(r),
        "{what}: the title {title:?} at {r:?} is not inside the central pane {central:?}"
    );
}

/// Back and Next side by side, apart.
fn check_nav(h: &Harness<'_, DesignerApp>, step: Step, what: &str) {
    let central = h.state().layout().central;
    let find = |f: fn(&str) -> bool| {
        h.query_all_by(move |n| n.role() == Role::Button && n.label().is_some_and(|l| f(&l)))
            .map(|n| n.rect())
            .next()
    };
    let back = find(|l| l.starts_with("← "));
    let next = find(|l| l.ends_with(" →"));
    assert_eq!(back.is_some(), step.previous().is_some(), "{what}: Back");
    assert_eq!(next.is_some(), step.next().is_some(), "{what}: Next");
    for r in [back, next].into_iter().flatten() {
        assert!(
            central.expand(0.5).contains_rect(r),
            "{what}: {r:?} is outside the central pane {central:?}"
        );
    }
    if let (Some(b), Some(n)) = (back, next) {
        assert!(
            b.right() < n.left(),
            "{what}: Back {b:?} and Next {n:?} overlap"
        );
    }
}

fn walk(screen: &Screen) {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(screen, dir.path());
    let name = format!(
        "{}×{} at {:.0}%",
        screen.width,
        screen.height,
        screen.scale * 100.0
    );
    for (page, label) in pages() {
        let what = format!("{name}, {label}");
        reach(&mut h, label, &what);
        assert_eq!(
            h.state().page,
            page,
            "{what}: the entry did not open its page"
        );
        check_layout(&h, screen, &what);
        if h.state().layout().side_tabbed {
            // The side pane is a tab of the central pane: both of its tabs are usable.
            let side_tab = match page {
                Page::Providers => "Why this payment",
                _ => "Live payouts",
            };
            h.get_by_role_and_label(Role::Button, side_tab).click();
            h.run();
            check_layout(&h, screen, &what);
            let heading = match page {
                Page::Providers => {
                    // The provider the table selected is explained, under its name.
                    let app = h.state();
                    let i = app
                        .session
                        .selected_provider
                        .expect("a provider is selected");
                    let name = app.session.provider_label(i);
                    h.query_all_by_label(&name).next().map(|n| n.rect())
                }
                _ => h.query_by_label("Live simulation").map(|n| n.rect()),
            };
            let heading = heading.unwrap_or_else(|| panic!("{what}: the side tab is empty"));
            assert!(
                h.state().layout().central.contains_rect(heading),
                "{what}: the side tab's title {heading:?} is outside the central pane"
            );
            let main_tab = match page {
                Page::Providers => "Table",
                _ => "Step",
            };
            h.get_by_role_and_label(Role::Button, main_tab).click();
            h.run();
        }
        match page {
            Page::Step(step) => {
                check_title(&h, label, &what);
                check_nav(&h, step, &what);
            }
            Page::Providers => check_title(&h, "Providers & payouts", &what),
            Page::Analysis(_) => check_title(&h, label, &what),
        }
    }
}

#[test]
fn every_page_is_reachable_and_nothing_overlaps_at_1280x720_100() {
    walk(&SCREENS[0]);
}

#[test]
fn every_page_is_reachable_and_nothing_overlaps_at_1280x720_150() {
    walk(&SCREENS[1]);
}

#[test]
fn every_page_is_reachable_and_nothing_overlaps_at_1280x720_200() {
    walk(&SCREENS[2]);
}

#[test]
fn every_page_is_reachable_and_nothing_overlaps_at_1600x1000_100() {
    walk(&SCREENS[3]);
}

#[test]
fn every_page_is_reachable_and_nothing_overlaps_at_1280x720_125() {
    walk(&SCREENS[4]);
}

#[test]
fn the_live_panel_docks_where_there_is_room_and_is_a_tab_where_there_is_not() {
    let expect = [
        // (screen, sidebar collapsed, live panel docked)
        (&SCREENS[0], false, true),
        (&SCREENS[1], false, false),
        (&SCREENS[2], true, false),
        (&SCREENS[3], false, true),
        (&SCREENS[4], false, false),
    ];
    for (screen, collapsed, docked) in expect {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness_on(screen, dir.path());
        h.get_by_role_and_label(Role::Button, Step::Payment.title())
            .click();
        h.run();
        let l = h.state().layout();
        let what = format!("{}×{} at {}", screen.width, screen.height, screen.scale);
        assert_eq!(l.sidebar_collapsed, collapsed, "{what}: sidebar");
        assert_eq!(l.side.is_some(), docked, "{what}: live panel docked");
        assert_eq!(l.side_tabbed, !docked, "{what}: live panel as a tab");
    }
}

#[test]
fn the_sidebar_collapses_with_its_button_and_ctrl_b_and_the_views_have_shortcuts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&SCREENS[0], dir.path());
    let full = h.state().layout().sidebar.width();
    h.get_by_label("Collapse the sidebar").click();
    h.run();
    let l = h.state().layout();
    assert!(l.sidebar_collapsed);
    assert!(
        l.sidebar.width() < full / 2.0,
        "{} vs {full}",
        l.sidebar.width()
    );
    assert!(
        h.state().prefs.sidebar_collapsed,
        "remembered in the preferences"
    );
    // Collapsed, every entry is still there by name.
    reach(&mut h, Step::Baselines.title(), "rail");
    assert_eq!(h.state().page, Page::Step(Step::Baselines));
    reach(&mut h, "Scenarios", "rail");
    assert_eq!(h.state().page, Page::Analysis(View::Scenarios));
    // At 1280 wide with the rail, the live panel docks beside step 5.
    reach(&mut h, Step::Baselines.title(), "rail");
    assert!(h.state().layout().side.is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::B);
    h.run();
    assert!(!h.state().layout().sidebar_collapsed);
    assert!(!h.state().prefs.sidebar_collapsed);

    for (i, view) in View::LISTED.iter().enumerate() {
        let key = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
        ][i];
        h.key_press_modifiers(egui::Modifiers::ALT, key);
        h.run();
        assert_eq!(h.state().page, Page::Analysis(*view));
    }
}

#[test]
fn at_200_percent_the_full_sidebar_opens_over_the_page_and_closes_on_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&SCREENS[2], dir.path());
    assert!(h.state().layout().sidebar_collapsed);
    h.get_by_label("Expand the sidebar").click();
    h.run();
    // Still a rail beside the central pane: the full sidebar is drawn over it for a moment.
    assert!(h.state().layout().sidebar_collapsed);
    assert!(h.query_by_label("SEVEN STEPS").is_some());
    let rail = h.state().layout().sidebar;
    let drawer_entry = |h: &Harness<'_, DesignerApp>| {
        h.get_all_by_role_and_label(Role::Button, Step::Gaps.title())
            .find(|n| n.rect().left() >= rail.right() - 1.0)
            .map(|n| n.rect())
            .expect("the step in the open sidebar")
    };
    let _ = drawer_entry(&h);
    h.get_all_by_role_and_label(Role::Button, Step::Gaps.title())
        .find(|n| n.rect().left() >= rail.right() - 1.0)
        .unwrap()
        .scroll_to_me();
    h.run();
    let r = drawer_entry(&h);
    assert!(
        rail.contains(egui::pos2(rail.center().x, r.center().y)),
        "{r:?} is off screen"
    );
    h.get_all_by_role_and_label(Role::Button, Step::Gaps.title())
        .find(|n| n.rect().left() >= rail.right() - 1.0)
        .unwrap()
        .click();
    h.run();
    assert_eq!(h.state().page, Page::Step(Step::Gaps));
    assert!(
        h.query_by_label("SEVEN STEPS").is_none(),
        "the drawer closes"
    );
}

#[test]
fn step_6_figures_stay_on_one_line_at_any_width_with_the_live_panel_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&SCREENS[2], dir.path());
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::P,
    );
    h.run();
    assert!(!h.state().prefs.show_simulation);
    // From 1280×720 at 200% (640 points) to 1000 points, in steps that land the row's last
    // figure at every kind of leftover width.
    for width in (640..=1000).step_by(7) {
        h.set_size(egui::vec2(width as f32, 420.0));
        h.run();
        let l = h.state().layout();
        assert!(!l.side_tabbed && l.side.is_none());
        // Each figure's caption is one line, not a column of letters.
        for caption in [
            "pool",
            "paid",
            "not paid out",
            "providers earning",
            "eligible",
        ] {
            let r = h.get_by_label(caption).rect();
            assert!(
                r.height() < 24.0 && r.width() > r.height(),
                "at {width} points {caption:?} is drawn {r:?}"
            );
            assert!(
                l.central.contains_rect(r),
                "at {width} points {caption:?} at {r:?} is outside the pane"
            );
        }
    }
}
