//! Scenarios a room can act on and the decision log, on the bundled sample at 1280×720 and
//! 150% (a projector): apply a scenario, compare two designs A against B, capture a decision
//! with Ctrl+D, change the pool, restore the decision; and the `decisions` command.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use p4p_designer::app::analysis::View;
use p4p_designer::app::{AppConfig, DesignerApp, Page};
use p4p_designer::engine::{self, CompareOptions};
use p4p_designer::program::{Decision, Parameter, Program};
use p4p_designer::synth::{medicaid_primary_care_data, medicaid_primary_care_program};
use std::path::Path;
use std::process::Command;

/// The sample at 1280×720 pixels and 150% UI scale, loaded and settled.
fn projector(dir: &Path) -> Harness<'static, DesignerApp> {
    let config = AppConfig::for_tests(None, dir);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0 / 1.5, 720.0 / 1.5))
        .with_pixels_per_point(1.5)
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    crate::app::settle(&mut h);
    h
}

fn keys(h: &mut Harness<'_, DesignerApp>, m: egui::Modifiers, k: egui::Key) {
    h.key_combination_modifiers(m, &[k]);
    for _ in 0..3 {
        h.step();
    }
    h.run();
}

fn pool(h: &Harness<'_, DesignerApp>) -> Option<f64> {
    Parameter::PoolDollars.get(&h.state().program)
}

/// Picks `option` in the drop-down labelled `label`.
fn choose(h: &mut Harness<'_, DesignerApp>, label: &str, option: &str) {
    let combo = h.get_by_role_and_label(Role::ComboBox, label);
    combo.scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run();
    h.get_by_role_and_label(Role::Button, option).click();
    h.run();
}

#[test]
fn a_scenario_is_applied_and_two_scenarios_compare_a_against_b() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    keys(&mut h, egui::Modifiers::ALT, egui::Key::Num3);
    assert_eq!(h.state().page, Page::Analysis(View::Scenarios));
    // Settings read in words.
    h.get_by_label("Pool: $6,000,000; Threshold: 60th percentile");
    h.get_by_label("Improvement credit: off");
    assert_eq!(h.query_all_by_label_contains("0/1").count(), 0);

    // Apply "$6M pool, 60th percentile": its settings become the program's, undoably.
    let before = pool(&h);
    assert_eq!(before, Some(4_000_000.0));
    let apply = "Apply $6M pool, 60th percentile";
    h.get_by_role_and_label(Role::Button, apply).scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, apply).click();
    h.run();
    assert_eq!(pool(&h), Some(6_000_000.0));
    assert_eq!(
        Parameter::ThresholdPercentile.get(&h.state().program),
        Some(60.0)
    );
    // The applied scenario is now the current design: against it, nobody moves.
    h.get_by_label_contains("$6M pool, 60th percentile against Base program");
    h.get_by_label_contains("0 providers gain $0 in all, 0 lose $0");
    h.state_mut().undo(&egui::Context::default());
    h.run();
    assert_eq!(pool(&h), before);

    // A: peer-group standards, B: achievement only.
    choose(&mut h, "A", "Peer-group standards");
    choose(&mut h, "B", "Achievement only");
    let (a, b) = (
        h.state().analysis.scenarios.a.clone(),
        h.state().analysis.scenarios.b.clone(),
    );
    assert_eq!(a.as_deref(), Some("Peer-group standards"));
    assert_eq!(b.as_deref(), Some("Achievement only"));
    h.get_by_label("A: Peer-group standards");
    h.get_by_label("B: Achievement only");
    // The counts, winners and losers are the engine's.
    let program = h.state().program.clone();
    let obs = h.state().session.observations.clone().unwrap();
    let cmp = engine::compare(&program, &*obs, &CompareOptions::default()).unwrap();
    let (ia, ib) = (
        cmp.index_of("Peer-group standards").unwrap(),
        cmp.index_of("Achievement only").unwrap(),
    );
    let v = cmp.versus(ia, ib, 5);
    assert!(v.shift.gained > 0 && v.shift.lost > 0);
    h.get_by_label_contains(&format!("From A to B: {} providers gain", v.shift.gained));
    h.get_by_label_contains(&format!(
        "{} lose {}",
        v.shift.lost,
        p4p_designer::format::money(-v.shift.lost_cents)
    ));
    let top = &v.winners[0];
    let line = format!(
        "+{}  {}",
        p4p_designer::format::money(top.delta_cents),
        cmp.provider_label(top.index)
    );
    assert!(h.query_all_by_label(&line).count() >= 1, "{line}");
    // Headline figures of both designs sit side by side.
    let median = |k: usize| p4p_designer::format::money(cmp.outcomes[k].totals.median_payout_cents);
    assert!(h.query_all_by_label(&median(ia)).count() >= 1);
    assert!(h.query_all_by_label(&median(ib)).count() >= 1);
}

#[test]
fn ctrl_d_captures_a_decision_which_restores_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    assert!(h.state().program.decisions.is_empty());
    keys(&mut h, egui::Modifiers::COMMAND, egui::Key::D);
    assert_eq!(h.state().page, Page::Analysis(View::Decisions));
    assert_eq!(h.state().program.decisions.len(), 1);
    let d = h.state().program.decisions[0].clone();
    assert_eq!(d.figures.pool_cents, 400_000_000);
    assert!(d.figures.providers_paid > 0);
    assert!(d.figures.per_life_ratio.is_some_and(|r| r > 0.0 && r < 1.0));
    assert!(d.at.ends_with(" UTC"), "{}", d.at);
    // The note field has the keyboard: the facilitator types what was decided.
    h.get_by_role_and_label(Role::TextInput, "Note")
        .type_text("Pool $4M as proposed");
    h.run();
    assert_eq!(h.state().program.decisions[0].note, "Pool $4M as proposed");
    // Ctrl+D while typing is not a second capture.
    keys(&mut h, egui::Modifiers::COMMAND, egui::Key::D);
    assert_eq!(h.state().program.decisions.len(), 1);

    // The room moves the pool on; the log keeps the decision.
    Parameter::PoolDollars.set(&mut h.state_mut().program, 5_000_000.0);
    h.run();
    assert_eq!(pool(&h), Some(5_000_000.0));
    let restore = h.get_by_role_and_label(Role::Button, "Restore this decision");
    restore.scroll_to_me();
    h.run();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0 / 1.5, 720.0 / 1.5));
    let r = h
        .get_by_role_and_label(Role::Button, "Restore this decision")
        .rect();
    assert!(window.contains_rect(r), "{r:?}");
    // The log fits the projector: the central pane keeps its width and its content inside it.
    let l = h.state().layout();
    assert!(
        l.central.width() >= p4p_designer::app::MIN_CENTRAL - 1.0,
        "{l:?}"
    );
    assert!(
        l.central_content.right() <= l.central.right() + 1.0,
        "{l:?}"
    );
    h.get_by_role_and_label(Role::Button, "Restore this decision")
        .click();
    h.run();
    assert_eq!(pool(&h), Some(4_000_000.0));
    assert!(h.state().program.decisions[0].matches(&h.state().program));
    // Restoring is one undo step.
    h.state_mut().undo(&egui::Context::default());
    h.run();
    assert_eq!(pool(&h), Some(5_000_000.0));

    // A second decision, after the pool change; the view steps back to the first.
    h.get_by_role_and_label(Role::Button, "Capture decision (Ctrl+D)")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, "Capture decision (Ctrl+D)")
        .click();
    h.run();
    assert_eq!(h.state().program.decisions.len(), 2);
    h.get_by_label("Decision 2 of 2");
    h.get_by_label("Pool: $5,000,000");
    h.get_by_role_and_label(Role::Button, "◀ Previous").click();
    h.run();
    h.get_by_label("Decision 1 of 2");
    // Alt+6 opens the log from anywhere.
    h.state_mut().page = Page::Providers;
    h.run();
    keys(&mut h, egui::Modifiers::ALT, egui::Key::Num6);
    assert_eq!(h.state().page, Page::Analysis(View::Decisions));
}

/// The sample program with two decisions, as a workshop would leave it.
fn program_with_decisions() -> Program {
    let mut p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let first = Decision::capture(
        &p,
        engine::headline(&p, &obs),
        "2026-11-29 22:00 UTC".into(),
        "As proposed".into(),
    );
    Parameter::PoolDollars.set(&mut p, 3_000_000.0);
    Parameter::ThresholdPercentile.set(&mut p, 60.0);
    Parameter::PeerGroupStandards.set(&mut p, 1.0);
    let second = Decision::capture(
        &p,
        engine::headline(&p, &obs),
        "2026-11-29 22:20 UTC".into(),
        "Pool $3M, threshold p60, peer groups on".into(),
    );
    p.decisions = vec![first, second];
    p
}

#[test]
fn the_decisions_command_prints_and_writes_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let program = program_with_decisions();
    let path = dir.path().join("workshop.ron");
    std::fs::write(&path, program.to_ron()).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let o = run(&["decisions", "workshop.ron"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("2. 2026-11-29 22:20 UTC — Pool $3M, threshold p60, peer groups on"));
    assert!(text.contains(
        "Changed: Pool: $3,000,000; Threshold: 60th percentile; Peer-group standards: on"
    ));
    assert!(text.contains("Pool: $3,000,000 (−$1,000,000)"), "{text}");
    let paid = program.decisions[1].figures.providers_paid;
    let scored = program.decisions[1].figures.providers_scored;
    assert!(text.contains(&format!("Providers paid: {paid} of {scored}")));
    // HTML to a file, written whole.
    let o = run(&["decisions", "workshop.ron", "--out", "record.html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(dir.path().join("record.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Peer-group standards: on"));
    assert!(html.contains("Pool $3M, threshold p60, peer groups on"));
    // Never over the program it reads.
    let o = run(&["decisions", "workshop.ron", "--out", "workshop.ron"]);
    assert!(!o.status.success());
    assert_eq!(
        Program::from_ron(&std::fs::read_to_string(&path).unwrap()).unwrap(),
        program
    );
    // A program without a log says so.
    std::fs::write(dir.path().join("plain.ron"), Program::default().to_ron()).unwrap();
    let o = run(&["decisions", "plain.ron"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("No decisions recorded."));
}

#[test]
fn the_default_sweep_adopts_round_figures_and_the_outline_follows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    keys(&mut h, egui::Modifiers::ALT, egui::Key::Num2);
    assert_eq!(h.state().page, Page::Analysis(View::Sweep));
    let start = std::time::Instant::now();
    while !h.state().analysis.whatif.has_result() {
        assert!(start.elapsed() < std::time::Duration::from_secs(120));
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    h.run();
    let r = h.state().analysis.whatif.result().unwrap().clone();
    // Every value on the grid is a round figure: whole $1M steps, whole-ten percentiles.
    assert!(
        r.x_values.iter().all(|v| v % 1_000_000.0 == 0.0),
        "{:?}",
        r.x_values
    );
    assert!(
        r.y_values.iter().all(|v| v % 10.0 == 0.0),
        "{:?}",
        r.y_values
    );
    // The outline is on the design as it stands: $4M at the 50th percentile.
    let here = h.state().analysis.whatif.outlined().unwrap();
    assert_eq!(
        (r.x_values[here.0], r.y_values[here.1]),
        (4_000_000.0, 50.0)
    );
    // Adopting $3M at the 60th percentile sets exactly that, and the outline moves there.
    let cell = "Cell Pool ($) $3.00M, Threshold percentile p60";
    h.get_by_label_contains(cell).scroll_to_me();
    h.run();
    h.get_by_label_contains(cell).click();
    h.run();
    assert_eq!(pool(&h), Some(3_000_000.0));
    assert_eq!(
        Parameter::ThresholdPercentile.get(&h.state().program),
        Some(60.0)
    );
    let status = h.state().status_message().unwrap_or_default().to_owned();
    assert!(
        status.contains("Pool: $3,000,000; Threshold: 60th percentile"),
        "{status}"
    );
    let there = h.state().analysis.whatif.outlined().unwrap();
    assert_eq!(
        (r.x_values[there.0], r.y_values[there.1]),
        (3_000_000.0, 60.0)
    );
}

#[test]
fn compare_states_settings_in_words_and_takes_any_reference() {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_programs/medicaid_primary_care.ron");
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args([
            "compare",
            &sample.display().to_string(),
            "--reference",
            "Peer-group standards",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = csv::Reader::from_reader(&o.stdout[..]);
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let row = |section: &str, figure: &str| {
        rows.iter()
            .find(|r| &r[0] == section && &r[1] == figure)
            .unwrap_or_else(|| panic!("no row {section},{figure}"))
            .clone()
    };
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let settings = row("design", "settings");
    assert_eq!(
        &settings[col("Peer-group standards")],
        "Peer-group standards: on"
    );
    assert_eq!(
        &settings[col("Achievement only")],
        "Improvement credit: off"
    );
    assert_eq!(
        &settings[col("$6M pool, 60th percentile")],
        "Pool: $6,000,000; Threshold: 60th percentile"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("0/1"));
    // Against the chosen reference: itself moves nobody; the base moves as the engine says.
    let program = Program::from_ron(&std::fs::read_to_string(&sample).unwrap()).unwrap();
    let cmp = engine::compare(
        &program,
        &medicaid_primary_care_data(),
        &CompareOptions::default(),
    )
    .unwrap();
    let peer = cmp.index_of("Peer-group standards").unwrap();
    let gaining = row("vs_reference", "providers_gaining");
    assert_eq!(&gaining[col("Peer-group standards")], "0");
    assert_eq!(
        gaining[col("Base program")].parse::<u32>().unwrap(),
        cmp.versus(peer, 0, 5).shift.gained
    );
    // An unknown reference is refused, naming the scenarios there are.
    let o = Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args([
            "compare",
            &sample.display().to_string(),
            "--reference",
            "Nope",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("Achievement only"));
}
