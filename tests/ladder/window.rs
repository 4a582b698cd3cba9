//! Step 6 sets an improvement target, a gate and a ladder, and the engine follows.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use p4p_designer::app::session::Session;
use p4p_designer::app::steps::{self, Step};
use p4p_designer::app::{Action, StepCtx};
use p4p_designer::program::*;
use p4p_designer::synth;
use std::path::PathBuf;

struct State {
    program: Program,
    session: Session,
    actions: Vec<Action>,
}

fn harness() -> Harness<'static, State> {
    let program = synth::medicaid_primary_care_program();
    let mut session = Session::new(PathBuf::from("."), None);
    session.set_observations(&program, synth::medicaid_primary_care_data());
    let state = State {
        program,
        session,
        actions: Vec::new(),
    };
    Harness::builder()
        .with_size([1500.0, 1400.0])
        .build_ui_state(
            |ui, s: &mut State| {
                egui::CentralPanel::default().show(ui, |ui| {
                    let mut ctx = StepCtx {
                        program: &mut s.program,
                        session: &mut s.session,
                        actions: &mut s.actions,
                    };
                    steps::step_ui(Step::Payment, ui, &mut ctx);
                });
                s.session.recompute(&s.program);
            },
            state,
        )
}

#[test]
fn step_6_picks_a_target_a_gate_and_a_ladder() {
    let mut h = harness();
    h.run();
    h.get_by_label("Distribution algorithm").click();
    h.run();
    h.get_by_label("Ladder by measures met").click();
    h.run();
    assert!(matches!(
        &h.state().program.payment.distribution,
        Distribution::Ladder { rungs } if rungs.len() == 3
    ));
    h.get_by_label("➕ Add rung").click_accesskit();
    h.run();
    let Distribution::Ladder { rungs } = &h.state().program.payment.distribution else {
        panic!("still a ladder");
    };
    assert_eq!(rungs.len(), 4);
    assert_eq!(rungs[3].measures_met, 4);

    h.get_by_label("Improvement target").click_accesskit();
    h.run();
    assert_eq!(
        h.state().program.scoring.improvement_target,
        Some(ImprovementTarget {
            gap_share: 0.1,
            min_step: 0.02
        })
    );
    h.get_by_label_contains("Gate:").click_accesskit();
    h.run();
    assert_eq!(
        h.state().program.payment.gate,
        Some(Gate {
            reported: Vec::new(),
            min_measures_met: 1
        })
    );
    // The engine follows: no one meeting fewer measures than the gate asks is paid.
    let r = h.state().session.results.as_ref().unwrap();
    for i in 0..r.payment.earned.len() {
        if r.measures_met[i] < 1 {
            assert_eq!(r.payment.earned[i], 0);
        }
    }
    assert!(r.payment.paid_cents <= r.payment.pool_cents);
    assert!(
        validate(&h.state().program)
            .iter()
            .all(|p| p.severity != Severity::Error)
    );
}
