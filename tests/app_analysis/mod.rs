//! The analysis views (equity, what-if sweep, scenarios, reliability) and File ▸ Export,
//! driven through the window's AccessKit tree on the bundled sample.

use crate::app::harness;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use p4p_designer::app::analysis::View;
use p4p_designer::app::{DesignerApp, Page};
use p4p_designer::engine::equity;
use std::time::{Duration, Instant};

/// Steps the app until `done` holds (background jobs finish on their own threads).
fn step_until(h: &mut Harness<'_, DesignerApp>, what: &str, done: impl Fn(&DesignerApp) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{what} took too long"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run();
}

fn open_view(h: &mut Harness<'_, DesignerApp>, view: View) {
    h.get_by_role_and_label(Role::Button, view.title()).click();
    // A view may start a background job whose progress bar keeps repainting: step, don't settle.
    for _ in 0..3 {
        h.step();
    }
    assert_eq!(h.state().page, Page::Analysis(view));
}

#[test]
fn equity_view_shows_the_highest_risk_quintiles_payout_per_life() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let (expected, label) = {
        let s = &h.state().session;
        let obs = s.observations.as_ref().expect("the sample's data loads");
        let results = s.results.as_ref().expect("the sample is simulated");
        let report = equity::equity_report(&obs.providers, results, None).unwrap();
        let risk = report
            .risk
            .as_ref()
            .expect("the sample has a risk stratifier");
        let strata = report
            .strata
            .iter()
            .find(|st| st.stratifier == risk.stratifier)
            .unwrap();
        let q5 = strata
            .strata
            .iter()
            .find(|st| st.label.starts_with("Q5"))
            .unwrap();
        assert!(q5.payout_per_life > 0.0);
        assert!(
            risk.top_bottom_ratio < 1.0,
            "the sample shows the reverse Robin Hood effect"
        );
        (
            p4p_designer::app::widgets::dollars(q5.payout_per_life),
            q5.label.clone(),
        )
    };
    open_view(&mut h, View::Equity);
    // The Q5 row and its payout per life are on screen.
    h.get_by_label(&label);
    assert!(
        h.query_all_by_label(&expected).count() >= 1,
        "Q5's {expected} per life is shown"
    );
    h.get_by_label_contains("Reverse Robin Hood");
    // The counters finish in the background and fill their table.
    let start = Instant::now();
    while h.query_by_label("Improvement credit").is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the counters took too long"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_small_sweep_runs_and_clicking_a_cell_adopts_its_pool_and_threshold() {
    use p4p_designer::engine::{Axis, SweepSpec};
    use p4p_designer::program::Parameter;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let pool_before = Parameter::PoolDollars.get(&h.state().program);
    assert!(pool_before.is_some(), "the sample has a fixed pool");
    h.state_mut().analysis.whatif.spec = Some(SweepSpec {
        x: Axis::new(Parameter::PoolDollars, 1_000_000.0, 3_000_000.0, 3),
        y: Axis::new(Parameter::ThresholdPercentile, 20.0, 60.0, 2),
        stratifier: None,
    });
    open_view(&mut h, View::Sweep);
    step_until(&mut h, "the sweep", |app| app.analysis.whatif.has_result());
    assert!(!h.state().analysis.whatif.is_running());
    // Six cells; click the one at pool $3.00M, threshold p20.
    let cells = h.query_all_by_label_contains("Cell Pool ($)").count();
    assert_eq!(cells, 6);
    h.get_by_label_contains("Cell Pool ($) $3.00M, Threshold percentile p20")
        .click();
    h.run();
    let p = &h.state().program;
    assert_eq!(Parameter::PoolDollars.get(p), Some(3_000_000.0));
    assert_eq!(Parameter::ThresholdPercentile.get(p), Some(20.0));
    assert_ne!(pool_before, Some(3_000_000.0));
    // Adopting is one undo step.
    h.state_mut().undo(&egui::Context::default());
    assert_eq!(Parameter::PoolDollars.get(&h.state().program), pool_before);
}

/// Opens a menu, then a submenu, and clicks an item whose label starts with `item`.
fn submenu(h: &mut Harness<'_, DesignerApp>, menu: &str, sub: &str, item: &str) {
    h.get_by_role_and_label(Role::Button, menu).click();
    h.run();
    h.get_by_role_and_label(Role::Button, sub).hover();
    h.run();
    h.get_by_role_and_label(Role::Button, sub).click();
    h.run();
    h.get_by_role_and_label(Role::Button, item).click();
    h.run();
}

/// In the export dialog, types `out` over the suggested path and exports (tests have no native
/// dialog); the file must then exist.
pub(crate) fn type_export_path(h: &mut Harness<'_, DesignerApp>, out: &std::path::Path) {
    let field = h.get_by_role_and_label(Role::TextInput, "Export to file");
    field.focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(Role::TextInput, "Export to file")
        .type_text(&out.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    assert!(out.is_file(), "{} was not written", out.display());
}

#[test]
fn file_export_writes_the_payouts_csv_with_one_row_per_provider() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let out = dir.path().join("sample-payouts.csv");
    submenu(&mut h, "File", "Export", "Payouts (CSV)…");
    type_export_path(&mut h, &out);
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "provider_id");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    assert_eq!(rows.len(), h.state().session.provider_count());
    assert!(
        h.state()
            .status_message()
            .is_some_and(|m| m.starts_with("Exported")),
        "{:?}",
        h.state().status_message()
    );
}

#[test]
fn scenarios_are_added_from_the_current_settings_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let before = h.state().program.scenarios.len();
    open_view(&mut h, View::Scenarios);
    // Every scenario is ticked on the first visit, so the totals show them all.
    for s in h.state().program.scenarios.clone() {
        assert!(
            h.query_all_by_label(&s.name).count() >= 2,
            "{} is compared",
            s.name
        );
    }
    h.get_by_label("Base program");
    h.get_by_role_and_label(Role::TextInput, "New scenario name")
        .focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "New scenario name")
        .type_text("As designed today");
    h.run();
    h.get_by_role_and_label(Role::Button, "Add from current settings")
        .click();
    h.run();
    let p = &h.state().program;
    assert_eq!(p.scenarios.len(), before + 1);
    let added = p.scenarios.last().unwrap();
    assert_eq!(added.name, "As designed today");
    // The current settings as a scenario change nobody's payment.
    assert_eq!(added.apply(p).payment, p.payment);
    h.get_by_label_contains("As designed today against Base program");
    h.get_by_label_contains("0 lose $0");
}

#[test]
fn reliability_resamples_in_the_background_and_states_the_misclassification_rate() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    h.state_mut().analysis.reliability.draws = Some(20);
    open_view(&mut h, View::Reliability);
    // The funnel and the flagged exclusions need no resampling.
    h.get_by_label_contains("beyond the 99.8% limits");
    h.get_by_label_contains("providers flagged on");
    h.get_by_role_and_label(Role::Button, "Resample").click();
    h.step();
    step_until(&mut h, "resampling", |app| {
        app.analysis.reliability.has_uncertainty()
    });
    h.get_by_label_contains("would be misclassified by chance alone");
}

#[test]
fn design_linter_lists_the_engines_findings_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None, dir.path());
    let expected = {
        let s = &h.state().session;
        let obs = s.observations.as_ref().expect("the sample's data loads");
        let inputs = s.inputs.as_ref().expect("inputs are built");
        let results = s.results.as_ref().expect("the sample is scored");
        p4p_designer::engine::lint::lint(&h.state().program, obs, inputs, results)
    };
    assert!(!expected.is_empty());
    open_view(&mut h, View::Lint);
    assert_eq!(h.state().analysis.lint.findings(), expected.as_slice());
    h.get_by_label_contains(&format!("{} finding(s).", expected.len()));
    h.get_by_label_contains("CBP-AD: reliability 0.57 at the minimum denominator of 30");
    h.get_by_label_contains("Fix: raise the minimum denominator to 54");
}
