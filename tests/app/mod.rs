//! The designer's window, driven through its AccessKit tree as a person would use it:
//! find widgets by their labels, click, drag and type, then check what changed.
//!
//! Every test keeps the app's own files (preferences, recovery) in a temporary folder and
//! uses typed paths instead of native file dialogs. No GPU is needed.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use p4p_designer::app::files::{AppPaths, Prefs, Recovery};
use p4p_designer::app::steps::Step;
use p4p_designer::app::{AppConfig, DesignerApp, Page};
use p4p_designer::program::{Pool, Program};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app on `program` (the bundled sample when `None`), loaded and settled; shared with the
/// analysis tests.
pub(crate) fn harness<'a>(program: Option<PathBuf>, data_dir: &Path) -> Harness<'a, DesignerApp> {
    let config = AppConfig::for_tests(program, data_dir);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    settle(&mut h);
    h
}

/// Steps until background loading is over and the UI stops asking for frames.
pub(crate) fn settle(h: &mut Harness<'_, DesignerApp>) {
    // Frame by frame while a load may still start or run (its spinner repaints without end, so
    // `run` alone would count those frames), then until still.
    let start = Instant::now();
    let mut idle = 0;
    while idle < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "data took too long to load"
        );
        h.step();
        if h.state().is_loading() {
            idle = 0;
            std::thread::sleep(Duration::from_millis(20));
        } else {
            idle += 1;
        }
    }
    h.run();
}

fn paid(h: &Harness<'_, DesignerApp>) -> i64 {
    h.state()
        .session
        .results
        .as_ref()
        .expect("the sample's payouts are simulated")
        .payment
        .paid_cents
}

fn go_to_step(h: &mut Harness<'_, DesignerApp>, step: Step) {
    // The sidebar button is the only *button* with the step's title (the heading is a label).
    h.get_by_role_and_label(Role::Button, step.title()).click();
    h.run();
    assert_eq!(h.state().page, Page::Step(step));
}

/// A slider's rect, found by its label.
fn slider_rect(h: &Harness<'_, DesignerApp>, label: &str) -> egui::Rect {
    h.get_by_role_and_label(Role::Slider, label).rect()
}

/// Drags with the mouse from one point to another, in several moves, like a person would.
fn drag(h: &mut Harness<'_, DesignerApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=5 {
        let t = k as f32 / 5.0;
        h.hover_at(from + (to - from) * t);
        h.step();
    }
    h.drop_at(to);
    h.step();
    h.run();
}

#[test]
fn opens_on_the_sample_with_payouts_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(None, dir.path());
    let app = h.state();
    assert!(
        app.program.name.to_lowercase().contains("medicaid"),
        "{}",
        app.program.name
    );
    assert!(app.session.provider_count() >= 100);
    assert!(paid(&h) > 0);
    assert!(!app.is_dirty());
    assert_eq!(app.page, Page::Step(Step::Identify));
}

#[test]
fn walking_the_seven_steps_through_the_sidebar_shows_each_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    for step in Step::ALL {
        go_to_step(&mut h, step);
        // The screen's own title is drawn in the central panel as well.
        assert!(
            h.query_all_by_label(step.title()).count() >= 2,
            "{} has no screen",
            step.title()
        );
        // The live simulation sits beside the screen from step 5 on.
        let sim = h.query_by_label("Live simulation").is_some();
        assert_eq!(
            sim,
            step.number() >= 5,
            "simulation panel on {}",
            step.title()
        );
    }
    // Keyboard: Alt+Up goes back a step.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.state().page, Page::Step(Step::Payment));
}

#[test]
fn dragging_the_pool_slider_changes_the_paid_total_and_undo_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    go_to_step(&mut h, Step::Payment);
    let pool_before = h.state().program.payment.pool.clone();
    let paid_before = paid(&h);

    let r = slider_rect(&h, "Pool");
    drag(
        &mut h,
        egui::pos2(r.left() + r.width() * 0.5, r.center().y),
        egui::pos2(r.left() + r.width() * 0.85, r.center().y),
    );
    let paid_after = paid(&h);
    assert_ne!(
        h.state().program.payment.pool,
        pool_before,
        "the drag moved the slider"
    );
    assert_ne!(paid_after, paid_before, "payouts were recomputed");
    // The new total is on screen.
    let shown = p4p_designer::app::widgets::money_short(paid_after);
    assert!(
        h.query_all_by_label(&shown).count() >= 1,
        "{shown} not shown"
    );
    assert!(h.state().is_dirty());

    // Let the drag settle into one undo point, then undo it with the keyboard.
    h.run_steps(6);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(
        h.state().program.payment.pool,
        pool_before,
        "one undo reverts the whole drag"
    );
    assert_eq!(paid(&h), paid_before);
    assert!(!h.state().is_dirty());

    // And redo brings it back.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run();
    assert_eq!(paid(&h), paid_after);
}

#[test]
fn the_threshold_slider_rescores_in_the_same_frame() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    go_to_step(&mut h, Step::Payment);
    let slider = h.get_by_role_and_label(Role::Slider, "Threshold");
    slider.set_value_accesskit(90.0);
    // One frame: the slider moves and the engine re-evaluates before the numbers are drawn.
    h.step();
    let app = h.state();
    match &app.program.standards.threshold {
        p4p_designer::program::StandardRule::Percentile { p, .. } => assert_eq!(*p, 90.0),
        other => panic!("threshold is {other:?}"),
    }
    let r = app.session.results.as_ref().unwrap();
    let m = &r.measures[0];
    let inputs = app.session.inputs.as_ref().unwrap();
    let dist = &inputs.measures[0].baseline_dist[0];
    assert!(
        (m.standards[0].threshold * inputs.measures[0].sign - dist.percentile(90.0)).abs() < 1e-12
    );
}

/// Types a path into the typed-path dialog and confirms it.
fn type_path_and_confirm(h: &mut Harness<'_, DesignerApp>, path: &Path, verb: &str) {
    h.run();
    let field = h.get_by_role_and_label(Role::TextInput, "File path");
    field.focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(Role::TextInput, "File path")
        .type_text(&path.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, verb).click();
    // Opening starts a load in the background.
    settle(h);
}

/// Opens a menu and clicks an item (its accessible name also carries the shortcut).
pub(crate) fn menu(h: &mut Harness<'_, DesignerApp>, menu: &str, item: &str) {
    h.get_by_role_and_label(Role::Button, menu).click();
    h.run();
    let button = h
        .get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with(item))
        })
        .unwrap_or_else(|| panic!("no menu item {item:?} in {menu:?}"));
    button.click();
    h.run();
}

#[test]
fn save_then_reopen_gives_the_same_program() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("my program.ron");
    let mut h = harness(None, dir.path());
    // Change something first, so the saved program is not just the sample.
    h.state_mut().program.name = "Workshop draft".into();
    h.run();
    menu(&mut h, "File", "Save As…");
    assert_eq!(h.state().modal_title().as_deref(), Some("Save program as"));
    type_path_and_confirm(&mut h, &file, "Save");
    assert!(file.is_file(), "saved to {}", file.display());
    assert!(!h.state().is_dirty());
    assert_eq!(h.state().program_path(), Some(file.as_path()));
    // It is first among the recent files, remembered for the next run.
    let prefs = Prefs::load(&AppPaths::new(dir.path().into()));
    assert_eq!(prefs.recent.first(), Some(&file.canonicalize().unwrap()));
    let saved = h.state().program.clone();
    // No temporary files are left next to it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_string_lossy().starts_with(".tmp")),
        "{names:?}"
    );

    // Edit, then open the saved file again: the unsaved-changes prompt comes first.
    h.state_mut().program.description = "scribbles".into();
    h.run();
    menu(&mut h, "File", "Open by typing a path…");
    assert_eq!(h.state().modal_title().as_deref(), Some("Unsaved changes"));
    h.get_by_role_and_label(Role::Button, "Don't save").click();
    h.run();
    type_path_and_confirm(&mut h, &file, "Open");
    settle(&mut h);
    assert_eq!(h.state().program, saved);
    assert!(!h.state().is_dirty());

    // A fresh window on the file sees the same program, with its data.
    let h2 = harness(Some(file.clone()), dir.path());
    assert_eq!(h2.state().program, saved);
    assert!(
        h2.state().session.results.is_some(),
        "{:?}",
        h2.state().session.data_error
    );
    assert_eq!(paid(&h2), paid(&h));
}

#[test]
fn new_asks_about_unsaved_changes_and_cancel_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    h.state_mut().program.name = "Edited".into();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    assert_eq!(h.state().modal_title().as_deref(), Some("Unsaved changes"));
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run();
    assert_eq!(h.state().modal_title(), None);
    assert_eq!(h.state().program.name, "Edited");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    h.get_by_role_and_label(Role::Button, "Don't save").click();
    h.run();
    assert_eq!(h.state().program, Program::default());
}

#[test]
fn autosave_is_offered_back_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let edited;
    {
        let mut h = harness(None, dir.path());
        h.state_mut().program.name = "Not saved yet".into();
        h.run();
        h.state_mut().autosave_now();
        edited = h.state().program.clone();
        assert!(Recovery::find(&AppPaths::new(dir.path().into())).is_some());
        // The harness is dropped without quitting: as after a crash.
    }
    let mut h = harness(None, dir.path());
    assert_eq!(
        h.state().modal_title().as_deref(),
        Some("Recover unsaved work")
    );
    h.get_by_role_and_label(Role::Button, "Recover").click();
    settle(&mut h);
    assert_eq!(h.state().program, edited);
    assert!(
        h.state().is_dirty(),
        "recovered work is unsaved until saved"
    );
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_files_opens_programs_and_imports_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let csv = dir.path().join("later.csv");
    std::fs::write(
        &csv,
        "provider_id,measure_id,period,numerator,denominator\n",
    )
    .unwrap();
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(csv.clone())));
    h.run();
    assert_eq!(h.state().page, Page::Step(Step::Baselines));
    // Step 5's import flow takes the file (or it is still waiting for it).
    let waiting = h.state().session.pending_import.clone();
    assert!(waiting.is_none() || waiting == Some(csv));

    let other = Program {
        name: "Dropped program".into(),
        ..Program::default()
    };
    let ron = dir.path().join("dropped.ron");
    std::fs::write(&ron, other.to_ron()).unwrap();
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(ron.clone())));
    h.run();
    assert_eq!(h.state().program.name, "Dropped program");
    assert_eq!(h.state().program_path(), Some(ron.as_path()));
}

#[test]
fn providers_table_filters_and_explains_a_payment() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    h.get_by_role_and_label(Role::Button, "Providers & payouts")
        .click();
    h.run();
    assert_eq!(h.state().page, Page::Providers);
    // Pick an earning provider and find it with the filter.
    let (i, id) = {
        let app = h.state();
        let r = app.session.results.as_ref().unwrap();
        let i = (0..r.provider_count())
            .find(|&i| r.payment.earned[i] > 0)
            .unwrap();
        (
            i,
            app.session.observations.as_ref().unwrap().providers.ids[i].clone(),
        )
    };
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text(&id);
    h.run();
    h.get_by_label(&id).click();
    h.run();
    assert_eq!(h.state().session.selected_provider, Some(i));
    // The why view names the rule and the cents.
    let earned = h.state().session.results.as_ref().unwrap().payment.earned[i];
    let cents = p4p_designer::report::explain::fmt_money(earned);
    assert!(
        h.query_all_by_label_contains(&cents).count() >= 1,
        "{cents} not explained"
    );
    assert!(
        h.query_by_label_contains("Measures: inputs, standards and points")
            .is_some()
    );
}

#[test]
fn a_ten_thousand_provider_table_stays_fast() {
    use p4p_designer::synth;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let spec = synth::SynthSpec::new(10_000, 7, 7);
    let obs = synth::generate(&spec);
    {
        let app = h.state_mut();
        app.program = synth::program_for(&spec);
        let program = app.program.clone();
        app.session.set_observations(&program, obs);
        app.page = Page::Providers;
    }
    h.run();
    // Sorting 10,000 rows happens once; later frames draw only the visible rows.
    let frames = 10;
    let start = Instant::now();
    for _ in 0..frames {
        h.step();
    }
    let per_frame = start.elapsed() / frames;
    assert!(
        per_frame < Duration::from_millis(100),
        "{per_frame:?} per frame"
    );
    // Sort by score, then by provider: still one pass.
    h.get_by_role_and_label(Role::Button, "Score").click();
    h.run();
    assert_eq!(h.state().session.provider_count(), 10_000);
}

#[test]
fn the_pool_kind_decides_what_the_pool_slider_moves() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    h.state_mut().program.payment.pool = Pool::Withhold { percent: 2.0 };
    go_to_step(&mut h, Step::Payment);
    h.get_by_role_and_label(Role::Slider, "Pool")
        .set_value_accesskit(3.0);
    h.run();
    assert_eq!(
        h.state().program.payment.pool,
        Pool::Withhold { percent: 3.0 }
    );
    let r = h.state().session.results.as_ref().unwrap();
    assert!(r.payment.withheld.iter().any(|w| *w > 0));
}

#[test]
fn without_a_dialog_service_the_window_asks_for_a_typed_path() {
    // Only where no portal or zenity can answer: elsewhere a real dialog would open and wait.
    let no_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none();
    let no_zenity = std::env::var_os("PATH")
        .is_none_or(|paths| std::env::split_paths(&paths).all(|d| !d.join("zenity").is_file()));
    if !(no_bus && no_zenity) {
        eprintln!("skipped: this machine may have a file dialog service");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::for_tests(None, dir.path());
    config.native_dialogs = true;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    settle(&mut h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    let start = Instant::now();
    while h.state().modal_title().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the window hung on the dialog"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run();
    assert_eq!(h.state().modal_title().as_deref(), Some("Open program"));
    assert!(
        h.query_by_label_contains("No file dialog is available")
            .is_some()
    );
}

/// Presses the window's close button (as the window manager reports it).
fn request_close(h: &mut Harness<'_, DesignerApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
}

#[test]
fn closing_the_window_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    h.state_mut().program.name = "Edited".into();
    h.run();
    request_close(&mut h);
    assert_eq!(h.state().modal_title().as_deref(), Some("Unsaved changes"));
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run();
    assert_eq!(h.state().program.name, "Edited", "still open, nothing lost");
    // Quitting without saving leaves no recovery file behind: that is for crashes.
    h.state_mut().autosave_now();
    let paths = AppPaths::new(dir.path().into());
    assert!(Recovery::find(&paths).is_some());
    request_close(&mut h);
    h.get_by_role_and_label(Role::Button, "Don't save").click();
    h.run();
    assert!(Recovery::find(&paths).is_none());
}

#[test]
fn a_measure_picked_in_the_catalogue_shows_up_in_step_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    // A catalogue measure the sample does not use yet.
    let entry = p4p_designer::catalogue::entries()
        .iter()
        .find(|e| e.set == "Adult Core Set" && h.state().program.measure(&e.id).is_none())
        .expect("the catalogue has more than the sample uses");
    go_to_step(&mut h, Step::Identify);
    h.get_by_label("Search the measure catalogue").focus();
    h.run();
    h.get_by_label("Search the measure catalogue")
        .type_text(&entry.id);
    h.run();
    h.get_by_label(&format!("Add {} as candidate", entry.id))
        .click();
    h.run();
    assert!(h.state().program.measure(&entry.id).is_some());
    assert!(h.state().is_dirty());

    go_to_step(&mut h, Step::VitalFew);
    // Its row in the crosswalk, ready to be made someone's responsibility.
    let cell = format!("{} in Primary care: none", entry.id);
    h.get_by_label(&cell).click();
    h.run();
    assert!(
        h.state()
            .program
            .crosswalk
            .iter()
            .any(|c| c.measure_id == entry.id && c.service_area_id == "primary_care")
    );
}

/// The reproduced CMS programs open in the window with their payouts simulated, and their
/// payment screens draw.
#[test]
fn the_reproduced_cms_programs_open_with_payouts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (file, providers, multiplier) in [
        ("sample_programs/snf_vbp_fy2025.ron", 10_533, None),
        ("sample_programs/hrrp_mock/fy2020.ron", 1, Some(0.984)),
        ("sample_programs/hacrp_fy2024.ron", 3129, None),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(Some(root.join(file)), dir.path());
        assert_eq!(h.state().session.provider_count(), providers, "{file}");
        let r = h
            .state()
            .session
            .results
            .as_ref()
            .expect("payouts simulated");
        assert!(r.payment.multiplier.iter().all(|m| m.is_finite()), "{file}");
        if let Some(m) = multiplier {
            assert_eq!(r.payment.multiplier[0], m, "{file}");
        }
        go_to_step(&mut h, Step::Payment);
    }
}
