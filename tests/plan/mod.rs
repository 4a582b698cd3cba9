//! The plan's rules (step checks, calendar, gap totals), tested on documents alone: no window,
//! no session.

use p4p_designer::program::plan::{
    self, Evidence, LoadedData, Monitored, Simulated, SimulatedMeasure, Step, StepStatus,
};
use p4p_designer::program::*;
use p4p_designer::synth;

fn reason(s: StepStatus) -> String {
    s.reason().unwrap_or("").to_owned()
}

#[test]
fn status_reasons_for_an_empty_program() {
    let p = Program::default();
    let none = Evidence::default();
    assert_eq!(
        reason(plan::status(Step::Identify, &p, &none)),
        "no candidate measures (and 1 more)"
    );
    assert_eq!(
        reason(plan::status(Step::VitalFew, &p, &none)),
        "no service areas"
    );
    assert_eq!(
        reason(plan::status(Step::Gaps, &p, &none)),
        "no requirements assessed"
    );
    assert_eq!(reason(plan::status(Step::Phase, &p, &none)), "no phases");
    assert_eq!(
        reason(plan::status(Step::Baselines, &p, &none)),
        "no data loaded"
    );
    assert_eq!(
        reason(plan::status(Step::Payment, &p, &none)),
        "no simulation yet (load data in step 5)"
    );
    assert_eq!(
        reason(plan::status(Step::Implement, &p, &none)),
        "no phase plan (step 4) (and 1 more)"
    );
    let problems = plan::problems(Step::Implement, &p, &none);
    assert_eq!(problems, vec!["no phase plan (step 4)", "no data loaded"]);
}

#[test]
fn status_reasons_for_bad_programs() {
    // Nine vital few in one service area.
    let mut p = Program {
        service_areas: vec![ServiceArea {
            id: "pc".into(),
            name: "Primary care".into(),
            description: String::new(),
        }],
        ..Program::default()
    };
    for k in 0..9 {
        let id = format!("M{k}");
        p.measures.push(Measure {
            id: id.clone(),
            vital_few: true,
            rationale: "needed".into(),
            ..Measure::default()
        });
        plan::set_accountability(&mut p, &id, "pc", Some(Accountability::Primary));
    }
    let none = Evidence::default();
    assert_eq!(
        reason(plan::status(Step::VitalFew, &p, &none)),
        "service area Primary care has 9 vital few (aim for 3–7)"
    );

    // Phase pool shares that add to 120%.
    p.phases = vec![
        Phase {
            name: "Reporting".into(),
            kind: PhaseKind::Reporting,
            start: "2026-01".into(),
            measure_ids: p.measures.iter().map(|m| m.id.clone()).collect(),
            pool_share: 0.6,
            ..Phase::default()
        },
        Phase {
            name: "Performance".into(),
            kind: PhaseKind::Performance,
            start: "2027-01".into(),
            measure_ids: vec!["M1".into()],
            pool_share: 0.6,
            ..Phase::default()
        },
    ];
    assert_eq!(
        reason(plan::status(Step::Phase, &p, &none)),
        "phase pool shares add to 120%"
    );
    p.phases[1].pool_share = 0.4;
    assert_eq!(plan::status(Step::Phase, &p, &none), StepStatus::Done);
    p.phases[1].start = "2027-13".into();
    assert_eq!(
        reason(plan::status(Step::Phase, &p, &none)),
        "phase Performance has no start month (YYYY-MM)"
    );

    // An open gap without a cost.
    p.gaps = vec![GapItem {
        requirement: "EHR extract".into(),
        source: DataSourceKind::Claims,
        capability: Capability::Partial,
        months: 6.0,
        cost_cents: 0,
        ..GapItem::default()
    }];
    assert_eq!(
        reason(plan::status(Step::Gaps, &p, &none)),
        "gap costs missing (1 open requirement without a cost)"
    );
    p.gaps[0].cost_cents = 25_000_000;
    assert_eq!(plan::status(Step::Gaps, &p, &none), StepStatus::Done);

    // A $0 pool.
    p.payment.pool = Pool::Fixed { cents: 0 };
    assert_eq!(
        reason(plan::status(Step::Payment, &p, &none)),
        "pool is $0 (and 1 more)"
    );
}

#[test]
fn all_statuses_at_once_equal_each_step_s_status() {
    let mut programs = vec![Program::default(), synth::medicaid_primary_care_program()];
    // A scenario that breaks validation, and a $0 pool: errors named by several steps.
    let mut bad = synth::medicaid_primary_care_program();
    bad.payment.pool = Pool::Fixed { cents: 0 };
    bad.measures[0].weight = -1.0;
    programs.push(bad);
    let none = Evidence::default();
    for p in &programs {
        let each: Vec<StepStatus> = Step::ALL
            .iter()
            .map(|s| plan::status(*s, p, &none))
            .collect();
        assert_eq!(plan::statuses(p, &none), each);
    }
    let all = plan::statuses(&programs[2], &none);
    assert!(all.iter().filter(|s| **s != StepStatus::Done).count() >= 2);
}

#[test]
fn gap_totals_of_the_sample_add_up() {
    let program = synth::medicaid_primary_care_program();
    let t = plan::gap_totals(&program);
    let cost: i64 = program.gaps.iter().map(|g| g.cost_cents).sum();
    let months = program.gaps.iter().map(|g| g.months).fold(0.0, f64::max);
    assert_eq!(t.items, program.gaps.len());
    assert_eq!(t.cost_cents, cost);
    assert_eq!(t.max_months, months);
    assert_eq!(t.provider.items + t.payer.items, t.items);
    assert_eq!(t.provider.cost_cents + t.payer.cost_cents, cost);
    assert_eq!(t.by_capability.iter().sum::<usize>(), t.items);
    assert!(cost > 0, "the sample's gaps are costed");
}

/// Data that hold one period and report only the listed measures in it.
struct FakeData {
    period: &'static str,
    reported: Vec<&'static str>,
}

impl LoadedData for FakeData {
    fn has_period(&self, period: &str) -> bool {
        period == self.period
    }
    fn any_reported(&self, measure: &str, period: &str) -> bool {
        period == self.period && self.reported.contains(&measure)
    }
}

/// Two vital-few measures, standards judged on one period, a started phase counting both.
fn two_measures() -> Program {
    let mut p = Program::default();
    for id in ["A", "B"] {
        p.measures.push(Measure {
            id: id.into(),
            vital_few: true,
            ..Measure::default()
        });
    }
    p.standards.baseline_period = "2025".into();
    p.standards.performance_period = "2025".into();
    p.phases = vec![Phase {
        name: "Performance".into(),
        kind: PhaseKind::Performance,
        start: "2026-01".into(),
        measure_ids: vec!["A".into(), "B".into()],
        pool_share: 1.0,
        ..Phase::default()
    }];
    p.implementation.current_phase = Some("Performance".into());
    p.implementation.monitoring_period = Some("2025".into());
    p.implementation.completeness_target = 0.9;
    p
}

#[test]
fn baselines_are_judged_on_the_data_and_the_simulation() {
    let p = two_measures();
    let data = FakeData {
        period: "2025",
        reported: vec!["A"],
    };
    let failed = Evidence {
        data_error: Some("bad.csv: no such file"),
        ..Evidence::default()
    };
    assert_eq!(
        plan::problems(Step::Baselines, &p, &failed),
        vec!["data could not be loaded: bad.csv: no such file"]
    );
    let mut ev = Evidence::data(&data);
    assert_eq!(
        plan::problems(Step::Baselines, &p, &ev),
        vec!["no baseline data for B", "no performance-period data for B"]
    );
    ev.simulation = Some(Simulated {
        pool_cents: 100_000,
        paid_cents: 0,
        measures: vec![
            SimulatedMeasure {
                id: "A".into(),
                standards_unset: false,
                standards_flat: true,
            },
            SimulatedMeasure {
                id: "B".into(),
                standards_unset: true,
                standards_flat: false,
            },
        ],
    });
    let problems = plan::problems(Step::Baselines, &p, &ev);
    assert_eq!(
        &problems[2..],
        [
            "threshold or benchmark could not be set for B",
            "threshold equals benchmark for A"
        ]
    );
    assert_eq!(
        plan::problems(Step::Payment, &p, &ev),
        vec!["no provider earns anything"]
    );
}

#[test]
fn monitoring_is_judged_on_the_current_phase_and_the_target() {
    let mut p = two_measures();
    let data = FakeData {
        period: "2025",
        reported: vec!["A", "B"],
    };
    let mut ev = Evidence::data(&data);
    ev.monitoring = Some(Monitored {
        completeness: 0.75,
        absent: vec!["B".into()],
    });
    assert_eq!(
        plan::problems(Step::Implement, &p, &ev),
        vec![
            "no 2025 results for B",
            "data completeness 75% is below the 90% target"
        ]
    );
    p.implementation.monitoring_period = Some("2024".into());
    assert_eq!(
        plan::problems(Step::Implement, &p, &ev),
        vec!["period 2024 is not in the data"]
    );
}

#[test]
fn step_warnings_name_their_step_and_skip_what_needs_a_simulation() {
    let p = two_measures();
    let data = FakeData {
        period: "2025",
        reported: vec!["A", "B"],
    };
    let warnings: Vec<String> = plan::step_warnings(&p, &Evidence::data(&data))
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert!(warnings.iter().all(|w| w.starts_with("warning: step ")));
    assert!(
        warnings.contains(&"warning: step 3 · Gap analysis: no requirements assessed".to_owned()),
        "{warnings:?}"
    );
    assert!(!warnings.iter().any(|w| w.contains("6 · Payment")));
    assert!(!warnings.iter().any(|w| w.contains("5 · Baselines")));
}
