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
    h.get_by_role_and_label(Role::Button, "Live payouts").click();
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
    let id = h.state().program.scored_measures().next().unwrap().id.clone();
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
    h.get_by_role_and_label(Role::Button, "File").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    h.get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("Summary report (HTML)"))
        })
        .expect("the export menu lists the HTML report")
        .click();
    h.run();
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
