//! Phases in the live panel and presenter mode, on a projector (1280×720 at 150%): the room
//! picks a phase and the headline says which and pays by its rules; F5 shows the figures large
//! beside the pool and threshold, and leaves again.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use p4p_designer::app::session::Modelled;
use p4p_designer::app::steps::Step;
use p4p_designer::app::{AppConfig, DesignerApp};
use p4p_designer::format::money_short;
use p4p_designer::program::{PhaseKind, Pool};

use crate::app::settle;

/// The sample at 1280×720 pixels and 150% UI scale (853×480 points), loaded and settled.
fn projector(dir: &std::path::Path) -> Harness<'static, DesignerApp> {
    projector_at(dir, 1.5)
}

/// The sample at 1280×720 pixels and UI scale `scale`.
fn projector_at(dir: &std::path::Path, scale: f32) -> Harness<'static, DesignerApp> {
    let config = AppConfig::for_tests(None, dir);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0 / scale, 720.0 / scale))
        .with_pixels_per_point(scale)
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    settle(&mut h);
    h
}

/// The modelled phase's counted providers, providers earning and pool, as the app holds them.
fn modelled(h: &Harness<'_, DesignerApp>) -> (Option<PhaseKind>, usize, usize, i64, i64) {
    let (run, r) = h
        .state()
        .session
        .modelled_results()
        .expect("the sample is simulated");
    (
        run.and_then(|r| r.kind),
        run.map_or(0, |r| r.counted),
        r.earning_count(),
        r.payment.pool_cents,
        r.payment.paid_cents,
    )
}

fn shown(h: &Harness<'_, DesignerApp>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

/// What the "Modelling" list shows as chosen.
fn modelling(h: &Harness<'_, DesignerApp>) -> Option<String> {
    h.get_by_label("Modelling").value()
}

/// Opens the "Modelling" list and picks the entry labelled `label`.
fn pick(h: &mut Harness<'_, DesignerApp>, label: &str) {
    h.get_by_label("Modelling").click();
    h.run();
    // The list's entry is the last node with the label (the closed box may carry it too).
    let entry = h
        .query_all_by_label(label)
        .last()
        .unwrap_or_else(|| panic!("no entry {label:?}"));
    entry.click();
    h.run();
}

#[test]
fn the_room_switches_phases_in_the_live_panel_and_the_headline_follows() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    // Too narrow to dock at 150%: the live panel is the second tab.
    h.get_by_label("Live payouts").click();
    h.run();
    assert!(shown(&h, "Live simulation"));

    // By default the panel models the whole program and names the phase running now.
    assert_eq!(
        modelling(&h).as_deref(),
        Some("Whole program (the full design)")
    );
    assert!(
        h.query_all_by_label_contains("Phase 1 (pay for participation) is running now")
            .next()
            .is_some()
    );
    // The sample is in its participation phase (step 7): the room picks it.
    pick(
        &mut h,
        "Phase 1 · Pay for participation · 2026-01 to 2026-06",
    );
    let whole_pool = h
        .state()
        .session
        .results
        .as_ref()
        .unwrap()
        .payment
        .pool_cents;
    assert_eq!(whole_pool, 400_000_000);
    let (kind, counted, earning, pool, paid) = modelled(&h);
    assert_eq!(kind, Some(PhaseKind::Participation));
    assert_eq!(pool, 40_000_000, "10% of the $4M pool");
    assert_eq!(paid, pool, "participation pays its pool in full");
    // Everyone taking part is paid, scored or not.
    let obs = h.state().session.observations.clone().unwrap();
    let attributed = obs.providers.lives.iter().filter(|l| **l > 0.0).count();
    assert_eq!(counted, attributed);
    assert_eq!(earning, attributed);
    let scored = h
        .state()
        .session
        .results
        .as_ref()
        .unwrap()
        .total
        .iter()
        .filter(|t| t.is_finite())
        .count();
    assert!(earning > scored, "{earning} paid, {scored} scored");
    assert_eq!(
        modelling(&h).as_deref(),
        Some("Phase 1 · Pay for participation · 2026-01 to 2026-06")
    );
    assert!(shown(&h, "Pool · Phase 1"));
    assert!(shown(&h, &money_short(40_000_000)));
    assert!(shown(
        &h,
        &format!("Providers earning (of {attributed} taking part)")
    ));

    // The performance phase pays half the pool on scores of its measures.
    pick(&mut h, "Phase 3 · Pay for performance · 2027-07 to 2028-06");
    assert_eq!(
        h.state().session.modelled,
        Some(Modelled::Phase("Performance".into()))
    );
    assert_eq!(
        modelling(&h).as_deref(),
        Some("Phase 3 · Pay for performance · 2027-07 to 2028-06")
    );
    let (kind, counted, earning, pool, paid) = modelled(&h);
    assert_eq!(kind, Some(PhaseKind::Performance));
    assert_eq!(pool, 200_000_000);
    assert!(paid <= pool && paid > 0);
    assert!(earning < attributed, "not everyone earns on scores");
    assert!(earning <= counted);
    {
        let (_, r) = h.state().session.modelled_results().unwrap();
        for i in 0..r.provider_count() {
            if r.payment.earned[i] > 0 {
                assert!(r.total[i].is_finite() && r.eligible[i], "provider {i}");
            }
        }
    }
    assert!(shown(&h, "Pool · Phase 3"));
    assert!(shown(&h, &money_short(200_000_000)));
    assert!(
        shown(&h, &format!("Providers earning ({earning}"),) || shown(&h, &earning.to_string())
    );

    // And the whole program pays the whole pool, as without phases.
    pick(&mut h, "Whole program (the full design)");
    let (kind, _, _, pool, paid) = modelled(&h);
    assert_eq!(kind, None);
    assert_eq!(pool, 400_000_000);
    assert_eq!(
        paid,
        h.state()
            .session
            .results
            .as_ref()
            .unwrap()
            .payment
            .paid_cents
    );
    assert!(shown(&h, "Pool"));
    assert!(shown(&h, &money_short(400_000_000)));
}

#[test]
fn presenter_mode_opens_with_f5_follows_the_pool_and_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    assert!(shown(&h, Step::Identify.title()));
    // The room has picked the phase running now (step 7).
    h.state_mut().session.modelled = Some(Modelled::Phase("Participation".into()));
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().presenter.on);
    // The rest of the window steps back.
    assert!(!shown(&h, Step::Identify.title()));
    assert!(shown(
        &h,
        "Modelling Phase 1 · Pay for participation · 2026-01 to 2026-06"
    ));
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0 / 1.5, 720.0 / 1.5));
    presenter_controls_on(&h, screen);
    let before = h.state().presenter.summary().clone();
    assert_eq!(before.pool_cents, 40_000_000);
    assert!(shown(&h, &money_short(40_000_000)));

    // The pool moves: its figures change in the same frame.
    h.get_by_role_and_label(Role::Slider, "Pool")
        .set_value_accesskit(2_000_000.0);
    h.run();
    assert_eq!(
        h.state().program.payment.pool,
        Pool::Fixed { cents: 200_000_000 }
    );
    let after = h.state().presenter.summary().clone();
    assert_eq!(after.pool_cents, 20_000_000, "10% of $2M");
    assert_eq!(after.paid_cents, 20_000_000);
    assert!(after.median_cents < before.median_cents);
    assert!(shown(&h, &money_short(20_000_000)));

    // Escape leaves; F5 comes back and F5 leaves again.
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state().presenter.on);
    assert!(shown(&h, Step::Identify.title()));
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().presenter.on);
    h.key_press(egui::Key::F5);
    h.run();
    assert!(!h.state().presenter.on);
    assert!(shown(&h, Step::Identify.title()));
}

#[test]
fn step_4_shows_the_budget_by_phase_and_by_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    h.get_by_role_and_label(Role::Button, Step::Phase.title())
        .click();
    h.run();
    // The sample: $4M shared 10/20/50/20% by Participation (2026-01, 6 months), Reporting
    // (2026-07, 12), Performance (2027-07, 12) and Success (2028-07, 12), paid annually.
    for text in [
        "$400,000.00",
        "$800,000.00",
        "$2,000,000.00",
        "$4,000,000.00",
        // 2026: Participation and half of Reporting; 2027: half of Reporting and of
        // Performance; 2028: half of Performance and of Success.
        "Participation $400,000.00 + Reporting $400,000.00",
        "Reporting $400,000.00 + Performance $1,000,000.00",
        "Performance $1,000,000.00 + Success $400,000.00",
    ] {
        assert!(shown(&h, text), "{text} not in the budget");
    }
}

#[test]
fn a_quarterly_pool_reads_per_quarter_and_per_year_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    h.state_mut().program.payment.frequency = p4p_designer::program::Frequency::Quarterly;
    h.state_mut().session.modelled = Some(Modelled::WholeProgram);
    h.run();
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    let both = "$1,000,000.00 per quarter · $4,000,000.00 per year";
    assert!(shown(&h, &format!("= {both} (computed by the engine)")));
    // Step 6's pool and paid lines, and the live panel's note on the whole program.
    assert_eq!(h.query_all_by_label_contains(both).count(), 3);
    assert!(
        h.query_all_by_label_contains("this period")
            .next()
            .is_none()
    );
    assert!(
        h.query_all_by_label_contains("payments of about")
            .next()
            .is_none()
    );
    // A phase reads as its payments over its months.
    h.state_mut().session.modelled = Some(Modelled::Phase("Reporting".into()));
    h.run();
    assert!(
        h.query_all_by_label_contains(
            "$800,000.00 over 12 months: 4 payments of $200,000.00 (quarterly)"
        )
        .next()
        .is_some()
    );
}

#[test]
fn presenter_mode_shows_the_payment_bar_of_a_minimum_score_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector(dir.path());
    h.state_mut().program.payment.eligibility = p4p_designer::program::Eligibility::MinScore(20.0);
    h.state_mut().session.modelled = Some(Modelled::Phase("Performance".into()));
    h.key_press(egui::Key::F5);
    h.run();
    let paid_before = h.state().presenter.summary().earning;
    h.get_by_role_and_label(Role::Slider, "Payment bar")
        .set_value_accesskit(60.0);
    h.run();
    assert_eq!(
        h.state().program.payment.eligibility,
        p4p_designer::program::Eligibility::MinScore(60.0)
    );
    let paid_after = h.state().presenter.summary().earning;
    assert!(
        paid_after < paid_before,
        "a higher bar pays fewer providers: {paid_after} vs {paid_before}"
    );
}

#[test]
fn presenter_mode_fits_1280x720_at_200_percent_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = projector_at(dir.path(), 2.0);
    h.key_press(egui::Key::F5);
    h.run();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(640.0, 360.0));
    presenter_controls_on(&h, screen);
}

/// Presenter mode's sliders and its way out lie within `screen`.
fn presenter_controls_on(h: &Harness<'static, DesignerApp>, screen: egui::Rect) {
    for (role, label) in [
        (Role::Slider, "Pool"),
        (Role::Slider, "Threshold"),
        (Role::Button, "✖ Leave presenter mode"),
    ] {
        let r = h.get_by_role_and_label(role, label).rect();
        assert!(
            screen.expand(0.5).contains_rect(r),
            "{label} at {r:?} is off the screen"
        );
    }
}

/// The participation phase of the sample, as every payout view names it once picked.
const PARTICIPATION: &str =
    "Modelling: Phase 1 · Pay for participation · 2026-01 to 2026-06 (10% of the pool)";

/// File ▸ Export ▸ `entry`, typed into `out`.
fn export_to_file(h: &mut Harness<'_, DesignerApp>, entry: &str, out: &std::path::Path) {
    h.get_by_role_and_label(Role::Button, "File").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    h.get_by_role_and_label(Role::Button, entry).click();
    h.run();
    let field = h.get_by_role_and_label(Role::TextInput, "Export to file");
    // The suggested name says which phase.
    if let Some(i) = h.state().session.modelled_phase(&h.state().program) {
        let suggested = field.value().unwrap_or_default();
        assert!(
            suggested.contains(&format!("-phase-{}-", i + 1)),
            "{suggested}"
        );
    }
    crate::app_analysis::type_export_path(h, out);
}

/// The payouts CSV as (header, rows).
fn read_csv(path: &std::path::Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    (headers, rdr.records().map(Result::unwrap).collect())
}

fn column(headers: &csv::StringRecord, name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn the_phase_picked_in_the_live_panel_is_named_and_paid_in_step_6_the_table_and_the_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    // Before a pick, step 6 says it shows the whole program.
    assert!(shown(&h, "Modelling: Whole program (the full design)"));
    let whole_earning = h.state().session.results.as_ref().unwrap().earning_count();
    pick(
        &mut h,
        "Phase 1 · Pay for participation · 2026-01 to 2026-06",
    );
    assert!(shown(&h, PARTICIPATION), "step 6 names the phase");
    assert!(!shown(&h, "Modelling: Whole program (the full design)"));
    // Step 6's figures are the phase's: everyone taking part earns.
    let (kind, counted, earning, _, _) = modelled(&h);
    assert_eq!(kind, Some(PhaseKind::Participation));
    assert_eq!(earning, counted);
    assert_ne!(earning, whole_earning);
    let n = h.state().session.provider_count();
    assert!(shown(&h, &format!("{earning} of {n}")), "providers earning");
    assert!(!shown(&h, &format!("{whole_earning} of {n}")));
    // Paid over the phase's six months, not a year.
    assert!(shown(&h, "Paid $400,000.00 over 6 months, in one payment"));

    // The providers table and the why of its first row: named, and the phase's cents.
    h.state_mut().page = p4p_designer::app::Page::Providers;
    h.run();
    h.run();
    assert!(
        h.query_all_by_label(PARTICIPATION).count() >= 2,
        "the table and the why view each name the phase"
    );
    let selected = h
        .state()
        .session
        .selected_provider
        .expect("the top row is explained");
    let (_, r) = h.state().session.modelled_results().unwrap();
    let top = r.payment.earned.iter().copied().max().unwrap();
    assert!(top > 0);
    assert_eq!(
        r.payment.earned[selected], top,
        "sorted by the phase's earnings"
    );
    let whole = h.state().session.results.as_ref().unwrap().payment.earned[selected];
    assert_ne!(whole, top, "the whole program pays it otherwise");
    assert!(shown(&h, &p4p_designer::format::money_exact(top)));
    assert!(shown(&h, "phase pool"));
    assert!(shown(&h, "taking part"));
}

#[test]
fn window_exports_name_the_modelled_phase_and_carry_its_payouts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    // The live panel stands beside step 6.
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    pick(
        &mut h,
        "Phase 1 · Pay for participation · 2026-01 to 2026-06",
    );
    let csv_path = dir.path().join("phase-payouts.csv");
    export_to_file(&mut h, "Payouts (CSV)…", &csv_path);
    let (headers, rows) = read_csv(&csv_path);
    let (_, r) = h.state().session.modelled_results().unwrap();
    assert_eq!(rows.len(), r.provider_count());
    let (m, earned, net) = (
        column(&headers, "modelling"),
        column(&headers, "earned_cents"),
        column(&headers, "payment_cents"),
    );
    let obs = h.state().session.observations.clone().unwrap();
    let whole = h.state().session.results.as_ref().unwrap();
    let mut differs = 0;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], obs.providers.ids[i].as_str());
        assert_eq!(&row[m], PARTICIPATION);
        assert_eq!(row[earned].parse::<i64>().unwrap(), r.payment.earned[i]);
        assert_eq!(row[net].parse::<i64>().unwrap(), r.payment.net[i]);
        differs += usize::from(r.payment.earned[i] != whole.payment.earned[i]);
    }
    assert!(differs > 0, "the phase's payouts, not the whole program's");
    let sum: i64 = rows
        .iter()
        .map(|row| row[earned].parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, 40_000_000, "10% of the $4M pool, to the cent");

    // The report says it under its title; the audit trail, which explains the program's
    // own payment rule, is refused with the way out.
    let html_path = dir.path().join("phase-summary.html");
    export_to_file(&mut h, "Summary report (HTML)…", &html_path);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains(&format!("<b>{PARTICIPATION}</b>")));
    // The workbook: a Modelling line in its Summary and the column in its Scores.
    let xlsx = dir.path().join("phase-payouts.xlsx");
    p4p_designer::app::export::export_to(
        p4p_designer::report::ExportFormat::Xlsx,
        &h.state().program,
        &h.state().session,
        &xlsx,
    )
    .unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(strings.contains(PARTICIPATION));
    assert!(strings.contains(">Modelling<"));
    let audit = dir.path().join("audit.csv");
    let e = p4p_designer::app::export::export_to(
        p4p_designer::report::ExportFormat::AuditCsv,
        &h.state().program,
        &h.state().session,
        &audit,
    )
    .unwrap_err();
    assert!(e.contains("under Modelling"), "{e}");
    assert!(!audit.exists());
    // From the menu, it is said before a file is asked for.
    h.get_by_role_and_label(Role::Button, "File").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Audit trail (CSV)…")
        .click();
    h.run();
    assert_eq!(
        h.state().modal_title().as_deref(),
        Some("Not exported: the audit trail does not explain this phase")
    );
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Export to file")
            .is_none()
    );
}

#[test]
fn a_performance_phase_exports_its_own_scores_and_payouts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::app::harness(None, dir.path());
    // The live panel stands beside step 6.
    h.get_by_role_and_label(Role::Button, Step::Payment.title())
        .click();
    h.run();
    pick(&mut h, "Phase 3 · Pay for performance · 2027-07 to 2028-06");
    let (kind, ..) = modelled(&h);
    assert_eq!(kind, Some(PhaseKind::Performance));
    let state = h.state();
    let (program, session) = (&state.program, &state.session);
    let phase = &program.phases[2];
    let out = dir.path().join("performance.csv");
    let format = p4p_designer::report::ExportFormat::Csv;
    p4p_designer::app::export::export_to(format, program, session, &out).unwrap();
    let (headers, rows) = read_csv(&out);
    let (_, r) = session.modelled_results().unwrap();
    let (earned, total) = (
        column(&headers, "earned_cents"),
        column(&headers, "total_score"),
    );
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[earned].parse::<i64>().unwrap(), r.payment.earned[i]);
        let t = row[total].parse::<f64>().unwrap_or(f64::NAN);
        assert!(
            t == r.total[i] || (t.is_nan() && r.total[i].is_nan()),
            "row {i}"
        );
    }
    // Only the phase's measures are scored columns.
    for m in &program.measures {
        let has = headers.iter().any(|h| h == format!("{} score", m.id));
        if has {
            assert!(phase.measure_ids.contains(&m.id), "{}", m.id);
        }
    }
    assert_eq!(
        &rows[0][column(&headers, "modelling")],
        "Modelling: Phase 3 · Pay for performance · 2027-07 to 2028-06 (50% of the pool)"
    );
    // The same bytes as computing the phase afresh from the program (the export's own path
    // when the window's results lag a frame).
    let (inputs, whole) =
        p4p_designer::engine::run(program, session.observations.as_ref().unwrap());
    let mut fresh = p4p_designer::engine::Results::default();
    p4p_designer::engine::pay_phase(program, phase, &inputs, &whole, &mut fresh);
    assert_eq!(fresh.payment.earned, r.payment.earned);
    // The audit trail of a performance phase is its own program's, and may be exported.
    let audit = dir.path().join("audit.csv");
    p4p_designer::app::export::export_to(
        p4p_designer::report::ExportFormat::AuditCsv,
        program,
        session,
        &audit,
    )
    .unwrap();
    assert!(audit.is_file());
}
