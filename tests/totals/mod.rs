//! Honest totals in the window, on the bundled sample: the live panel and the providers table
//! say why money is not paid and why practices have no score; step 6 and export follow
//! `validate`.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use p4p_designer::app::steps::Step;
use p4p_designer::app::{AppConfig, DesignerApp, Page};
use p4p_designer::program::Limit;
use std::path::Path;

use crate::app::settle;

/// The window on the sample at `w`×`h` pixels and UI scale `scale`, loaded and settled.
fn window(dir: &Path, w: f32, h: f32, scale: f32) -> Harness<'static, DesignerApp> {
    let config = AppConfig::for_tests(None, dir);
    let mut h = Harness::builder()
        .with_size(egui::vec2(w / scale, h / scale))
        .with_pixels_per_point(scale)
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    settle(&mut h);
    h
}

/// File ▸ Export ▸ the entry whose label starts with `entry`.
fn export_via_menu(h: &mut Harness<'_, DesignerApp>, entry: &str) {
    h.get_by_role_and_label(Role::Button, "File").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    h.get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with(entry))
        })
        .unwrap_or_else(|| panic!("the export menu lists {entry}"))
        .click();
    h.run();
}

/// Whether any node's label contains `text`.
fn shows(h: &Harness<'_, DesignerApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_live_panel_names_the_unscored_and_the_unpaid_at_1280x720_150() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(dir.path(), 1280.0, 720.0, 1.5);
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    // Too narrow for both: the live panel is the central pane's second tab.
    h.get_by_role_and_label(Role::Button, "Live payouts")
        .click();
    h.run();
    let central = h.state().layout().central;
    let line = h.get_by_label("40 not scored: fewer than 2 domains scored.");
    assert!(central.contains_rect(line.rect()), "{:?}", line.rect());
    assert!(!shows(&h, "not paid"), "the sample pays its whole pool");
    // A cap that holds every earning practice leaves money unpaid, and says so.
    h.state_mut().program.payment.cap = Some(Limit::Cents(1_500_000));
    h.run();
    let line = h.get_by_label("$235,000 not paid: 251 providers held at the $15,000 cap.");
    let r = line.rect();
    assert!(central.contains_rect(r), "{r:?} outside {central:?}");
    assert!(
        !shows(&h, "no one eligible, caps, or the payer's share"),
        "the old catch-all wording is gone"
    );
}

#[test]
fn the_providers_table_counts_and_gives_each_unscored_practice_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run();
    assert_eq!(h.state().page, Page::Providers);
    h.get_by_label(
        "40 not scored: fewer than 2 domains scored (score “—”; the Note column gives each one's reason)",
    );
    // A paediatric practice scored in one domain only.
    let app = h.state();
    let (obs, r) = (
        app.session.observations.clone().unwrap(),
        app.session.results.clone().unwrap(),
    );
    let i = (0..r.provider_count())
        .find(|&i| r.total[i].is_nan())
        .unwrap();
    let id = obs.providers.ids[i].clone();
    h.get_by_role_and_label(Role::TextInput, "Filter").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text(&id);
    h.run();
    h.get_by_label("not scored: 1 domain scored, 2 needed (minimum domains)");
    h.get_by_label("Note");
}

#[test]
fn step_6_is_not_done_and_export_refuses_while_validate_reports_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    let done = |h: &Harness<'_, DesignerApp>| {
        p4p_designer::app::steps::status(Step::Payment, &h.state().program, &h.state().session)
    };
    assert!(done(&h).is_done(), "{:?}", done(&h));
    // A measure whose points the data are said to supply, but no column gives them: the
    // `validate` command reports an error about the data.
    let id = h
        .state()
        .program
        .scored_measures()
        .next()
        .unwrap()
        .id
        .clone();
    h.state_mut()
        .program
        .measures
        .iter_mut()
        .find(|m| m.id == id)
        .unwrap()
        .supplied_score = true;
    h.run();
    let why = done(&h).reason().map(str::to_owned).unwrap_or_default();
    assert!(
        why.contains(&format!(
            "measure {id}: its points are supplied by the data, but no column gives them"
        )),
        "{why}"
    );
    // File ▸ Export ▸ a format: the errors are shown and nothing is asked or written.
    export_via_menu(&mut h, "Summary report (HTML)");
    assert_eq!(
        h.state().modal_title().as_deref(),
        Some("Not exported: the program has errors")
    );
    assert!(shows(
        &h,
        "`validate` reports these errors, so no payouts are computed or exported"
    ));
    assert!(shows(
        &h,
        "its points are supplied by the data, but no column gives them"
    ));
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Export to file")
            .is_none(),
        "no file is asked for"
    );
}

/// A workbook's sheet as rows of cell text (shared strings resolved), read back from the file.
fn sheet_rows(bytes: &[u8], sheet: usize) -> Vec<Vec<(String, String)>> {
    use std::io::Read as _;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let shared_xml = read("xl/sharedStrings.xml");
    let shared: Vec<String> = shared_xml
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = si.split("</si>").next().unwrap_or("");
            let inner = t.split('>').nth(1).unwrap_or("");
            unescape(inner.split("</t").next().unwrap_or(""))
        })
        .collect();
    let xml = read(&format!("xl/worksheets/sheet{sheet}.xml"));
    xml.split("<row ")
        .skip(1)
        .map(|row| {
            row.split("<c ")
                .skip(1)
                .map(|c| {
                    let r = c.split("r=\"").nth(1).unwrap().split('"').next().unwrap();
                    let col: String = r.chars().take_while(|ch| ch.is_ascii_uppercase()).collect();
                    let v = c
                        .split("<v>")
                        .nth(1)
                        .map(|v| v.split("</v>").next().unwrap().to_owned())
                        .unwrap_or_default();
                    let v = if c.contains("t=\"s\"") {
                        shared[v.parse::<usize>().unwrap()].clone()
                    } else {
                        v
                    };
                    (col, v)
                })
                .collect()
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[test]
fn the_payouts_workbook_reads_back_with_names_rates_scores_and_the_change_against_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("payouts.xlsx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args([
            "export",
            "sample_programs/medicaid_primary_care.ron",
            "--format",
            "xlsx",
        ])
        .args(["--reference", "Peer-group standards", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let rows = sheet_rows(&std::fs::read(&out).unwrap(), 1);
    let header: Vec<&str> = rows[0].iter().map(|(_, v)| v.as_str()).collect();
    for h in [
        "Provider ID",
        "Provider name",
        "Attributed lives",
        "Service area",
        "Peer group",
        "Controlling High Blood Pressure — rate",
        "Controlling High Blood Pressure — score",
        "Total score",
        "Payment",
        "Payment — scenario “Peer-group standards”",
        "Change against scenario “Peer-group standards”",
    ] {
        assert!(header.contains(&h), "no column {h:?} in {header:?}");
    }
    assert!(!header.iter().any(|h| h.contains("CBP-AD")), "{header:?}");
    assert_eq!(rows.len(), 301, "a header and one row per practice");
    // PC0001 against the engine's own numbers.
    let p = p4p_designer::synth::medicaid_primary_care_program();
    let obs = p4p_designer::synth::medicaid_primary_care_data();
    let (inputs, r) = p4p_designer::engine::run(&p, &obs);
    let scenario = p
        .scenarios
        .iter()
        .find(|s| s.name == "Peer-group standards")
        .unwrap();
    let (_, before) = p4p_designer::engine::run(&scenario.apply(&p), &obs);
    let i = inputs
        .provider_ids
        .iter()
        .position(|x| x == "PC0001")
        .unwrap();
    let row = rows.iter().find(|r| r[0].1 == "PC0001").unwrap();
    let cell = |title: &str| -> String {
        let col = &rows[0].iter().find(|(_, v)| v == title).unwrap().0;
        row.iter()
            .find(|(c, _)| c == col)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(cell("Provider name"), "Riverside Pediatrics");
    assert_eq!(cell("Attributed lives"), "4710");
    assert_eq!(cell("Service area"), "Primary care");
    assert_eq!(cell("Peer group"), "Pediatric");
    let money = |c: i64| c as f64 / 100.0;
    assert_eq!(
        cell("Payment").parse::<f64>().unwrap(),
        money(r.payment.net[i])
    );
    assert_eq!(
        cell("Change against scenario “Peer-group standards”")
            .parse::<f64>()
            .unwrap(),
        money(r.payment.net[i] - before.payment.net[i])
    );
    let cbp = inputs
        .measures
        .iter()
        .position(|m| m.id == "CBP-AD")
        .unwrap();
    let rate = inputs.measures[cbp].performance[i] * inputs.measures[cbp].sign;
    let got = cell("Controlling High Blood Pressure — rate");
    if rate.is_finite() {
        assert!(
            (got.parse::<f64>().unwrap() - rate).abs() < 1e-12,
            "{got} vs {rate}"
        );
    } else {
        assert_eq!(got, "");
    }
    // A practice scored in one domain only: its reason is in the sheet.
    let j = (0..r.provider_count())
        .find(|&j| r.total[j].is_nan())
        .unwrap();
    let why_col = &rows[0]
        .iter()
        .find(|(_, v)| v == "Why not scored or not eligible")
        .unwrap()
        .0;
    let unscored = rows
        .iter()
        .find(|row| row[0].1 == inputs.provider_ids[j])
        .unwrap();
    assert_eq!(
        unscored
            .iter()
            .find(|(c, _)| c == why_col)
            .map(|(_, v)| v.as_str()),
        Some("not scored: 1 domain scored, 2 needed (minimum domains)")
    );
    // The summary sheet says why money is not paid and who is not scored.
    let summary = sheet_rows(&std::fs::read(&out).unwrap(), 2);
    let line = |label: &str| {
        summary
            .iter()
            .find(|r| r[0].1 == label)
            .map(|r| r[1].1.clone())
            .unwrap()
    };
    assert_eq!(
        line("Not scored"),
        "40 not scored: fewer than 2 domains scored"
    );
    assert_eq!(line("Not paid"), "the whole pool is paid");
    assert_eq!(line("Compared with"), "scenario “Peer-group standards”");
}

#[test]
fn an_unknown_reference_scenario_is_refused_with_the_known_names() {
    let dir = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args([
            "export",
            "sample_programs/medicaid_primary_care.ron",
            "--format",
            "xlsx",
        ])
        .args(["--reference", "Nope", "--out"])
        .arg(dir.path().join("x.xlsx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("Peer-group standards"), "{err}");
    assert!(!dir.path().join("x.xlsx").exists());
}

#[test]
fn the_summary_report_uses_names_units_and_the_design_as_it_stands() {
    let mut program = p4p_designer::synth::medicaid_primary_care_program();
    let obs = p4p_designer::synth::medicaid_primary_care_data();
    // The design moved on from the description written for it.
    program.payment.pool = p4p_designer::program::Pool::Fixed { cents: 500_000_000 };
    let (inputs, results) = p4p_designer::engine::run(&program, &obs);
    let html = p4p_designer::report::summary_html(&program, &obs, &inputs, &results);
    for id in [
        "dual_share",
        "behavioural_health",
        "primary_care",
        "complex_share",
        "safety_net",
    ] {
        assert!(!html.contains(id), "{id} is shown as an identifier");
    }
    assert!(html.contains("<h3>By Dual-eligible share</h3>"));
    assert!(
        html.contains("<td>Behavioural health</td>"),
        "service areas by name"
    );
    // Standards in the measure's units: CBP-AD is a proportion.
    let cbp = results.measure("CBP-AD").unwrap().standards[0];
    let row = html
        .lines()
        .find(|l| l.contains("<b>CBP-AD</b> Controlling High Blood Pressure</td>"))
        .expect("the standards row names the measure");
    assert!(
        row.contains(&format!("{:.1}%", cbp.threshold * 100.0))
            && row.contains(&format!("{:.1}%", cbp.benchmark * 100.0)),
        "{row}"
    );
    assert!(row.contains("55.6%"), "{row}");
    // The lede is the design as it stands: the $5M pool, not the description's $4M.
    let lede = html
        .lines()
        .find(|l| l.starts_with("<p class=\"lede\">"))
        .unwrap();
    assert!(
        lede.contains("A pool of $5,000,000, paid once a year"),
        "{lede}"
    );
    assert!(lede.contains("at most $75,000.00 each"), "{lede}");
    assert!(
        lede.contains("threshold: 50th percentile of baseline"),
        "{lede}"
    );
    assert!(html.contains("Program description, as written:"));
    assert!(html.contains("40 not scored: fewer than 2 domains scored."));
    assert!(
        !html.contains("Hospital VBP"),
        "a Medicaid program is not a CMS program"
    );
}

#[test]
fn curve_labels_name_the_rule_not_a_cms_program() {
    use p4p_designer::program::{AchievementCurve, ImprovementCurve};
    for label in [
        AchievementCurve::HvbpPoints.label(),
        AchievementCurve::ScaledPoints.label(),
        ImprovementCurve::HvbpPoints.label(),
        ImprovementCurve::ScaledPoints.label(),
    ] {
        assert!(!label.contains("VBP"), "{label}");
    }
    assert_eq!(
        AchievementCurve::HvbpPoints.label(),
        "Threshold–benchmark points (0–10, whole points)"
    );
}

#[test]
fn save_as_writes_data_paths_relative_to_the_new_file_and_it_reopens_with_data() {
    let dir = tempfile::tempdir().unwrap();
    // The sample and its data, copied into a folder of their own.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_programs");
    let a = dir.path().join("a");
    std::fs::create_dir_all(a.join("data/medicaid_primary_care")).unwrap();
    std::fs::copy(src.join("medicaid_primary_care.ron"), a.join("program.ron")).unwrap();
    for f in std::fs::read_dir(src.join("data/medicaid_primary_care")).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(
                &f,
                a.join("data/medicaid_primary_care")
                    .join(f.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let mut h = crate::app::harness(Some(a.join("program.ron")), &state);
    assert!(h.state().session.results.is_some());
    // Save As into a sibling folder.
    let b = dir.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    let file = b.join("copy.ron");
    crate::app::menu(&mut h, "File", "Save As…");
    h.get_by_role_and_label(Role::TextInput, "File path")
        .focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(Role::TextInput, "File path")
        .type_text(&file.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, "Save").click();
    settle(&mut h);
    let text = std::fs::read_to_string(&file).unwrap();
    let saved = p4p_designer::program::Program::from_ron(&text).unwrap();
    let paths: Vec<&str> = saved.data.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "../a/data/medicaid_primary_care/providers.csv",
            "../a/data/medicaid_primary_care/performance.csv",
        ]
    );
    // Reopened from its new folder, the data load.
    let h2 = crate::app::harness(Some(file.clone()), &state);
    let s = &h2.state().session;
    assert!(s.data_error.is_none(), "{:?}", s.data_error);
    assert_eq!(s.provider_count(), 300);
    assert!(s.results.is_some());
}

/// The window on the sample as on a first launch, at 1280×720 and 150%.
fn first_launch(state: &Path) -> Harness<'static, DesignerApp> {
    let mut config = AppConfig::for_tests(None, state);
    config.start_panel = true;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0 / 1.5, 720.0 / 1.5))
        .with_pixels_per_point(1.5)
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    settle(&mut h);
    h
}

#[test]
fn a_first_launch_says_where_to_start_and_fits_a_projector() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = first_launch(dir.path());
    assert!(h.state().show_start);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0 / 1.5, 720.0 / 1.5));
    // Everything the panel offers is on screen at once.
    for label in [
        "See the live payouts (step 6)",
        "Start at step 1",
        "New program",
        "Open a program…",
        "Load your own data…",
    ] {
        let r = h.get_by_role_and_label(Role::Button, label).rect();
        assert!(
            screen.contains_rect(r),
            "{label:?} at {r:?} is off the {screen:?} screen"
        );
    }
    let text = h.get_by_label_contains("This is the bundled sample");
    assert!(screen.contains_rect(text.rect()));
    assert!(shows(&h, "synthetic data for 300 practices"));
    assert!(shows(&h, "Payouts are simulated live from step 5"));
    // The first button goes to the live payouts and is remembered.
    h.get_by_role_and_label(Role::Button, "See the live payouts (step 6)")
        .click();
    h.run();
    assert!(!h.state().show_start);
    assert_eq!(h.state().page, Page::Step(Step::Payment));
    let prefs = p4p_designer::app::files::Prefs::load(&p4p_designer::app::files::AppPaths::new(
        dir.path().to_path_buf(),
    ));
    assert!(prefs.start_dismissed);
    drop(h);
    // The next launch starts without it; Help ▸ Getting started brings it back.
    let mut h = first_launch(dir.path());
    assert!(!h.state().show_start);
    assert!(!shows(&h, "This is the bundled sample"));
    crate::app::menu(&mut h, "Help", "Getting started");
    assert!(h.state().show_start);
    assert!(shows(&h, "This is the bundled sample"));
    // Its buttons run the window's commands: "New program" starts an empty program.
    h.get_by_role_and_label(Role::Button, "New program").click();
    h.run();
    assert!(!h.state().show_start);
    assert_eq!(h.state().program, p4p_designer::program::Program::default());
}

#[test]
fn the_window_exports_against_the_reference_chosen_in_the_scenarios_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    let export_excel = |h: &mut Harness<'_, DesignerApp>| export_via_menu(h, "Payouts (Excel)");
    export_excel(&mut h);
    let label = |h: &Harness<'_, DesignerApp>| h.state().export.reference.clone().map(|r| r.0);
    assert_eq!(label(&h).as_deref(), Some("the program as saved"));
    h.key_press(egui::Key::Escape);
    h.run();
    h.state_mut().analysis.scenarios.reference = Some("Peer-group standards".into());
    export_excel(&mut h);
    assert_eq!(
        label(&h).as_deref(),
        Some("scenario “Peer-group standards”")
    );
    let (_, design) = h.state().export.reference.clone().unwrap();
    assert!(design.standards.by_peer_group, "the scenario's design");
}
