//! The seven step screens, driven through their AccessKit tree as a designer would use them.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use p4p_designer::app::session::Session;
use p4p_designer::app::steps::{self, Step, StepStatus, widgets};
use p4p_designer::app::{Action, StepCtx};
use p4p_designer::program::*;
use p4p_designer::synth;
use std::path::PathBuf;

/// Everything a step screen needs, owned by the test harness.
struct State {
    step: Step,
    program: Program,
    session: Session,
    actions: Vec<Action>,
}

impl State {
    fn new(step: Step, program: Program, session: Session) -> State {
        State {
            step,
            program,
            session,
            actions: Vec::new(),
        }
    }

    fn status(&self, step: Step) -> StepStatus {
        steps::status(step, &self.program, &self.session)
    }
}

/// The sample Medicaid primary-care program with its synthetic data loaded and scored.
fn sample() -> (Program, Session) {
    let program = synth::medicaid_primary_care_program();
    let mut session = Session::new(PathBuf::from("."), None);
    session.set_observations(&program, synth::medicaid_primary_care_data());
    (program, session)
}

fn harness(state: State) -> Harness<'static, State> {
    Harness::builder()
        .with_size([1500.0, 1100.0])
        .build_ui_state(
            |ui, s: &mut State| {
                egui::CentralPanel::default().show(ui, |ui| {
                    let mut ctx = StepCtx {
                        program: &mut s.program,
                        session: &mut s.session,
                        actions: &mut s.actions,
                    };
                    steps::step_ui(s.step, ui, &mut ctx);
                });
                // The app recomputes after every frame; so do we, so screens see fresh results.
                s.session.recompute(&s.program);
            },
            state,
        )
}

fn reason(s: StepStatus) -> String {
    s.reason().unwrap_or("").to_owned()
}

#[test]
fn every_step_renders_the_sample_program_without_panicking() {
    for step in Step::ALL {
        let (program, session) = sample();
        let mut h = harness(State::new(step, program, session));
        h.run();
        // The step's heading is drawn, and the accessibility check (run by `run`) passed.
        h.get_by_label(step.title());
        assert!(
            h.state().actions.is_empty(),
            "{step:?} asked for {:?}",
            h.state().actions
        );
    }
}

#[test]
fn every_step_renders_an_empty_program() {
    for step in Step::ALL {
        let mut h = harness(State::new(step, Program::default(), Session::default()));
        h.run();
        h.get_by_label(step.title());
    }
}

#[test]
fn pick_a_measure_in_the_catalogue_and_see_it_in_the_crosswalk() {
    let program = Program {
        service_areas: vec![ServiceArea {
            id: "primary_care".into(),
            name: "Primary care".into(),
            description: String::new(),
        }],
        ..Program::default()
    };
    let mut h = harness(State::new(Step::Identify, program, Session::default()));
    h.run();
    assert!(reason(h.state().status(Step::Identify)).starts_with("no candidate measures"));

    let search = h.get_by_label("Search the measure catalogue");
    search.focus();
    h.run();
    h.get_by_label("Search the measure catalogue")
        .type_text("breast cancer screening");
    h.run();
    h.get_by_label("Add BCS-AD as candidate").click();
    h.run();
    let m = h
        .state()
        .program
        .measure("BCS-AD")
        .expect("BCS-AD was added");
    assert_eq!(m.title, "Breast Cancer Screening");
    assert_eq!(m.importance, Importance::Medium);
    // Once added, the catalogue row says so instead of offering it again.
    assert!(h.query_by_label("Add BCS-AD as candidate").is_none());
    h.get_by_label("Rationale for BCS-AD");

    h.state_mut().step = Step::VitalFew;
    h.run();
    h.get_by_label("BCS-AD in Primary care: none").click();
    h.run();
    assert_eq!(
        h.state().program.crosswalk,
        vec![CrosswalkEntry {
            measure_id: "BCS-AD".into(),
            service_area_id: "primary_care".into(),
            accountability: Accountability::Primary,
        }]
    );
    assert_eq!(
        h.state().program.measure("BCS-AD").unwrap().service_areas,
        vec!["primary_care".to_owned()]
    );
    // The cell now reads Primary; clicking on cycles to Shared.
    h.get_by_label("BCS-AD in Primary care: Primary").click();
    h.run();
    assert_eq!(
        h.state().program.crosswalk[0].accountability,
        Accountability::Shared
    );

    // Ticking it as vital few shows under the service area.
    h.get_by_label("BCS-AD is vital few").click();
    h.run();
    assert!(h.state().program.measure("BCS-AD").unwrap().vital_few);
    h.get_by_label_contains("Primary care: 1 vital few of 1 measures");
}

#[test]
fn removing_a_candidate_removes_its_references() {
    let (program, session) = sample();
    let id = program.measures[0].id.clone();
    assert!(program.crosswalk.iter().any(|c| c.measure_id == id));
    let mut h = harness(State::new(Step::Identify, program, session));
    h.run();
    h.get_by_label(&format!("Remove {id}")).click_accesskit();
    h.run();
    let p = &h.state().program;
    assert!(p.measure(&id).is_none());
    assert!(!p.crosswalk.iter().any(|c| c.measure_id == id));
    assert!(!p.phases.iter().any(|ph| ph.measure_ids.contains(&id)));
    assert!(!p.gaps.iter().any(|g| g.measure_ids.contains(&id)));
}

#[test]
fn the_sample_program_is_mostly_done() {
    let (program, session) = sample();
    for step in [
        Step::Identify,
        Step::VitalFew,
        Step::Baselines,
        Step::Payment,
    ] {
        assert_eq!(
            steps::status(step, &program, &session),
            StepStatus::Done,
            "{step:?}: {:?}",
            steps::problems(step, &program, &session)
        );
    }
}

#[test]
fn gap_totals_of_the_sample_are_shown() {
    let (program, session) = sample();
    let t = steps::gap_totals(&program);
    let cost = t.cost_cents;
    let months = t.max_months;
    assert!(cost > 0, "the sample's gaps are costed");

    let mut h = harness(State::new(Step::Gaps, program, session));
    h.run();
    h.get_by_label(&widgets::fmt_money(cost));
    // The longest gap shows as the headline and again as its level's longest.
    assert!(h.query_all_by_label(&format!("{months:.1}")).count() >= 1);

    // Adding a requirement adds an empty, missing-capability row.
    let before = h.state().program.gaps.len();
    h.get_by_label("➕ Add requirement").click_accesskit();
    h.run();
    let p = &h.state().program;
    assert_eq!(p.gaps.len(), before + 1);
    assert_eq!(p.gaps[before].capability, Capability::Missing);
    assert!(
        reason(h.state().status(Step::Gaps)).starts_with("gap costs missing"),
        "{:?}",
        h.state().status(Step::Gaps)
    );
}

#[test]
fn standard_phases_are_one_click_away() {
    let (mut program, session) = sample();
    program.phases.clear();
    let vital: Vec<String> = program.scored_measures().map(|m| m.id.clone()).collect();
    let mut h = harness(State::new(Step::Phase, program, session));
    h.run();
    h.get_by_label("✨ Use the four standard phases")
        .click_accesskit();
    h.run();
    let p = &h.state().program;
    assert_eq!(p.phases.len(), 4);
    assert_eq!(p.phases[0].kind, PhaseKind::Participation);
    assert_eq!(p.phases[3].kind, PhaseKind::Success);
    assert_eq!(p.phases[2].measure_ids, vital);
    // Each vital-few measure now starts to count in the reporting phase.
    assert!(
        p.scored_measures()
            .all(|m| m.phase.as_deref() == Some("Reporting"))
    );
    assert_eq!(h.state().status(Step::Phase), StepStatus::Done);
}

#[test]
fn baselines_show_the_engines_standards_and_edit_the_rules() {
    let (program, session) = sample();
    let first = program.scored_measures().next().unwrap().id.clone();
    let r = session.results.as_ref().unwrap();
    let std = r.measure(&first).unwrap().standards[0];
    let mut h = harness(State::new(Step::Baselines, program, session));
    h.run();
    // The selected measure's threshold and benchmark, as the engine computed them.
    h.get_by_label(&widgets::fmt_value(std.threshold));
    h.get_by_label(&widgets::fmt_value(std.benchmark));

    // Give this measure its own threshold, then move it to the 75th percentile.
    h.get_by_label("Own threshold").click_accesskit();
    h.run();
    h.get_by_label(&format!("{first} Threshold percentile"))
        .set_value_accesskit(75.0);
    h.run();
    let s = &h.state().program.standards;
    assert!(matches!(
        s.threshold_for(&first),
        StandardRule::Percentile { p, .. } if *p == 75.0
    ));
    // Other measures keep the program default.
    let other = h
        .state()
        .program
        .scored_measures()
        .nth(1)
        .unwrap()
        .id
        .clone();
    assert_eq!(s.threshold_for(&other), &s.threshold);
    // And the engine's threshold moved up with it.
    let new = h
        .state()
        .session
        .results
        .as_ref()
        .unwrap()
        .measure(&first)
        .unwrap()
        .standards[0];
    assert_ne!(new.threshold, std.threshold);
    h.get_by_label(&widgets::fmt_value(new.threshold));

    // A provider link asks the app for the "why" view.
    h.get_by_label("Sort by score").click_accesskit();
    h.run();
    assert!(h.state().actions.is_empty());
}

#[test]
fn loading_data_is_asked_of_the_app_and_errors_are_shown() {
    let mut session = Session::default();
    session.data_error =
        Some("perf.csv, row 12, column \"numerator\": \"abc\" is not a number".into());
    let mut h = harness(State::new(Step::Baselines, Program::default(), session));
    h.run();
    h.get_by_label("The data could not be loaded");
    h.get_by_label("perf.csv, row 12, column \"numerator\": \"abc\" is not a number");
    assert!(reason(h.state().status(Step::Baselines)).starts_with("data could not be loaded"));
    h.get_by_label("📂 Import a data file…").click_accesskit();
    h.run();
    assert_eq!(h.state().actions, vec![Action::PickDataFile]);
}

#[test]
fn the_import_dialog_maps_columns_and_adds_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perf.csv");
    std::fs::write(
        &path,
        "practice,measure,period,num,den,excl\nP1,CBP-AD,baseline,5,10,1\nP2,CBP-AD,baseline,7,10,0\n",
    )
    .unwrap();
    let mut session = Session::new(dir.path().to_path_buf(), None);
    session.pending_import = Some(path.clone());
    let mut h = harness(State::new(Step::Baselines, Program::default(), session));
    h.run();
    h.get_by_label("Import perf.csv");
    // "practice" is not a provider-id name we know, so the first column is taken as the id.
    assert_eq!(
        h.get_by_label("Provider id column").value().as_deref(),
        Some("practice")
    );
    // "excl" is not recognised as exclusions: the designer maps it.
    h.get_by_label("Exclusions column").click();
    h.run();
    h.get_by_label("excl").click();
    h.run();
    h.get_by_label("✔ Import").click_accesskit();
    h.run();
    let files = &h.state().program.data.files;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "perf.csv");
    match &files[0].layout {
        Layout::Long(m) => {
            assert_eq!(m.provider_id, "practice");
            assert_eq!(m.measure_id, "measure");
            assert_eq!(m.numerator.as_deref(), Some("num"));
            assert_eq!(m.denominator.as_deref(), Some("den"));
            assert_eq!(m.exclusions.as_deref(), Some("excl"));
        }
        other => panic!("guessed {other:?}"),
    }
    assert_eq!(h.state().actions, vec![Action::LoadData]);
    // The screen took the file from the session, and the dialog closed.
    assert!(h.state().session.pending_import.is_none());
    assert!(h.query_by_label("Import perf.csv").is_none());
}

#[test]
fn payment_model_edits_the_pool_and_shows_the_engines_figures() {
    let (program, session) = sample();
    let mut h = harness(State::new(Step::Payment, program, session));
    h.run();
    let paid = h
        .state()
        .session
        .results
        .as_ref()
        .unwrap()
        .payment
        .paid_cents;
    // Paid (and the pool, when it is paid in full) as headline figures.
    assert!(
        h.query_all_by_label(&widgets::fmt_money_short(paid))
            .count()
            >= 1
    );

    h.get_by_label("Pool type").click();
    h.run();
    h.get_by_label("Withhold from base payments").click();
    h.run();
    assert_eq!(
        h.state().program.payment.pool,
        Pool::Withhold { percent: 2.0 }
    );
    let r = h.state().session.results.as_ref().unwrap();
    let withheld: i64 = r.payment.withheld.iter().sum();
    assert_eq!(r.payment.pool_cents, withheld);
    assert!(withheld > 0);
    assert!(
        h.query_all_by_label(&widgets::fmt_money_short(r.payment.pool_cents))
            .count()
            >= 1
    );

    // A $0 fixed pool is flagged.
    h.state_mut().program.payment.pool = Pool::Fixed { cents: 0 };
    h.run();
    assert_eq!(reason(h.state().status(Step::Payment)), "pool is $0");
}

#[test]
fn implement_monitors_the_later_period() {
    let (mut program, session) = sample();
    program.implementation.monitoring_period = Some("2026Q1".into());
    let obs = session.observations.clone().unwrap();
    let mon = p4p_designer::engine::monitoring::monitoring(&program, &obs, "2026Q1");
    assert!(mon.expected_cells > 0);
    assert!(
        mon.reported_cells < mon.expected_cells,
        "the sample's later period is incomplete"
    );
    // Measures the later period does not carry are missing for everyone.
    assert!(mon.measures.iter().any(|m| m.reported_count == 0));
    assert!(
        mon.measures
            .iter()
            .any(|m| m.reported_count > 0 && m.median_change.is_finite())
    );

    program.implementation.completeness_target = 0.99;
    let mut h = harness(State::new(Step::Implement, program, session));
    h.run();
    assert!(
        h.query_all_by_label(&widgets::fmt_percent(mon.completeness()))
            .count()
            >= 1
    );
    // Measures nobody reported are named, not counted as missing everywhere.
    let absent: Vec<&str> = mon
        .measures
        .iter()
        .filter(|m| !m.in_period)
        .map(|m| m.id.as_str())
        .collect();
    assert!(!absent.is_empty());
    assert_eq!(
        mon.expected_cells,
        mon.measures
            .iter()
            .filter(|m| m.in_period)
            .map(|m| m.expected_count)
            .sum::<usize>()
    );
    h.get_by_label_contains(&format!(
        "No results at all in 2026Q1 for {}",
        absent.join(", ")
    ));
    assert_eq!(
        reason(h.state().status(Step::Implement)),
        format!(
            "data completeness {} is below the 99% target",
            widgets::fmt_percent(mon.completeness())
        )
    );
}

#[test]
fn implement_starts_phase_one() {
    let (mut program, session) = sample();
    program.implementation.current_phase = None;
    let first = program.phases[0].name.clone();
    let mut h = harness(State::new(Step::Implement, program, session));
    h.run();
    h.get_by_label(&format!("▶ Begin phase 1: {first}"))
        .click_accesskit();
    h.run();
    assert_eq!(
        h.state().program.implementation.current_phase.as_deref(),
        Some(first.as_str())
    );
}

#[test]
fn peer_group_standards_show_one_row_per_group() {
    let (program, session) = sample();
    let first = program.scored_measures().next().unwrap().id.clone();
    let mut h = harness(State::new(Step::Baselines, program, session));
    h.run();
    h.get_by_label("Set standards separately within each peer group")
        .click_accesskit();
    h.run();
    assert!(h.state().program.standards.by_peer_group);
    let inputs = h.state().session.inputs.clone().unwrap();
    assert!(inputs.group_names.len() > 1, "{:?}", inputs.group_names);
    let r = h.state().session.results.as_ref().unwrap();
    let stds = &r.measure(&first).unwrap().standards;
    assert_eq!(stds.len(), inputs.group_names.len());
    // Each group's row is shown with the engine's threshold for it.
    for (g, name) in inputs.group_names.iter().enumerate() {
        assert!(h.query_all_by_label(name).count() >= 1, "no row for {name}");
        assert!(
            h.query_all_by_label(&widgets::fmt_value(stds[g].threshold))
                .count()
                >= 1
        );
    }
    // The distribution can be looked at per group.
    h.get_by_label("Peer group shown");
}

#[test]
fn suggested_requirements_cover_each_chosen_measure() {
    let mut program = Program::default();
    for (id, source) in [
        ("A", DataSourceKind::Claims),
        ("B", DataSourceKind::Ehr),
        ("C", DataSourceKind::Claims),
    ] {
        program.measures.push(Measure {
            id: id.into(),
            data_source: source,
            vital_few: true,
            ..Measure::default()
        });
    }
    let mut h = harness(State::new(Step::Gaps, program, Session::default()));
    h.run();
    assert_eq!(
        reason(h.state().status(Step::Gaps)),
        "no requirements assessed"
    );
    h.get_by_label("✨ Suggest requirements (2)")
        .click_accesskit();
    h.run();
    let gaps = &h.state().program.gaps;
    assert_eq!(gaps.len(), 2);
    let claims = gaps
        .iter()
        .find(|g| g.source == DataSourceKind::Claims)
        .unwrap();
    assert_eq!(claims.measure_ids, vec!["A".to_owned(), "C".to_owned()]);
    assert_eq!(claims.level, GapLevel::Payer);
    let ehr = gaps
        .iter()
        .find(|g| g.source == DataSourceKind::Ehr)
        .unwrap();
    assert_eq!(ehr.level, GapLevel::Provider);
    // Suggestions start partial with no cost: the status asks for the estimates.
    assert!(reason(h.state().status(Step::Gaps)).starts_with("gap costs missing (2 open"));
    assert!(
        h.query_by_label_contains("✨ Suggest requirements")
            .is_some()
    );
}

#[test]
fn every_glyph_the_step_screens_use_is_in_the_bundled_fonts() {
    // Screens must not draw tofu on a machine with no extra fonts (a workshop laptop).
    let sources = [
        include_str!("../../src/app/steps/mod.rs"),
        include_str!("../../src/app/steps/widgets.rs"),
        include_str!("../../src/app/steps/identify.rs"),
        include_str!("../../src/app/steps/vital_few.rs"),
        include_str!("../../src/app/steps/gaps.rs"),
        include_str!("../../src/app/steps/phase.rs"),
        include_str!("../../src/app/steps/baselines.rs"),
        include_str!("../../src/app/steps/import.rs"),
        include_str!("../../src/app/steps/payment/mod.rs"),
        include_str!("../../src/app/steps/payment/pool.rs"),
        include_str!("../../src/app/steps/payment/algorithm.rs"),
        include_str!("../../src/app/steps/payment/scoring.rs"),
        include_str!("../../src/app/steps/implement.rs"),
        // The steps' titles and problems, shown in the sidebar and the step headers.
        include_str!("../../src/program/plan/problems.rs"),
        include_str!("../../src/program/plan/calendar.rs"),
    ];
    let mut h = Harness::new_ui(|ui| {
        ui.label("fonts");
    });
    h.run();
    // Comments are never drawn, so only code lines count.
    let mut chars: Vec<char> = sources
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| !l.trim_start().starts_with("//"))
        .flat_map(str::chars)
        .filter(|c| !c.is_ascii())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let font = egui::FontId::proportional(14.0);
    let missing: Vec<char> = h.ctx.fonts_mut(|f| {
        chars
            .iter()
            .copied()
            .filter(|c| !f.has_glyph(&font, *c))
            .collect()
    });
    assert!(missing.is_empty(), "no glyph for {missing:?}");
}

#[test]
fn monitoring_is_kept_while_the_pool_moves_and_made_again_for_another_period() {
    let (mut program, session) = sample();
    program.implementation.monitoring_period = Some("2026Q1".into());
    let first = session.monitoring(&program).expect("data and a period");
    program.payment.pool = Pool::Fixed { cents: 12_300 };
    let same = session.monitoring(&program).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &same),
        "the pool does not change monitoring"
    );
    program.implementation.monitoring_period = Some("performance".into());
    let other = session.monitoring(&program).unwrap();
    assert_eq!(other.period, "performance");
    assert!(
        other.reported_cells > first.reported_cells,
        "the performance period is complete"
    );
    program.implementation.monitoring_period = None;
    assert!(session.monitoring(&program).is_none());
}
