//! The decision log: what a design workshop settled on, when, and what it meant for payouts.
//! Each entry keeps the whole payment design (standards, scoring, payment) so it can be
//! restored exactly, and the headline figures the room saw when it decided.

use super::{Parameter, Payment, Program, Scoring, Standards};
use serde::{Deserialize, Serialize};

/// The figures a room weighs when it decides, as the engine computed them at the time.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Headline {
    pub pool_cents: i64,
    pub paid_cents: i64,
    /// Providers with a total score.
    pub providers_scored: u32,
    /// Providers paid more than zero.
    pub providers_paid: u32,
    /// Median payout among the providers paid.
    pub median_payout_cents: i64,
    /// Payout per attributed life of the highest-risk quintile ÷ the lowest-risk quintile
    /// (`None` without a risk stratifier or when the lowest quintile gets nothing).
    pub per_life_ratio: Option<f64>,
}

/// One decision, captured as the room takes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Decision {
    /// When it was captured, as "2026-11-29 22:15 UTC".
    pub at: String,
    /// What the facilitator typed: what was decided and why.
    pub note: String,
    pub standards: Standards,
    pub scoring: Scoring,
    pub payment: Payment,
    pub figures: Headline,
}

impl Decision {
    /// A snapshot of `program`'s design with the figures it produced.
    pub fn capture(program: &Program, figures: Headline, at: String, note: String) -> Decision {
        Decision {
            at,
            note,
            standards: program.standards.clone(),
            scoring: program.scoring.clone(),
            payment: program.payment.clone(),
            figures,
        }
    }

    /// `program` with this decision's design put back (nothing else changes).
    pub fn restore(&self, program: &Program) -> Program {
        let mut p = program.clone();
        p.standards = self.standards.clone();
        p.scoring = self.scoring.clone();
        p.payment = self.payment.clone();
        p
    }

    /// Whether `program`'s design is this decision's.
    pub fn matches(&self, program: &Program) -> bool {
        self.standards == program.standards
            && self.scoring == program.scoring
            && self.payment == program.payment
    }

    /// The named settings of this decision's design, each with its value.
    pub fn settings(&self) -> Vec<(Parameter, f64)> {
        let p = self.restore(&Program::default());
        Parameter::ALL
            .into_iter()
            .filter_map(|k| k.get(&p).map(|v| (k, v)))
            .collect()
    }

    /// The named settings that differ from `before`'s (all of them when there is none), and
    /// whether anything else in the design changed that no named setting covers.
    pub fn changes_from(&self, before: Option<&Decision>) -> (Vec<(Parameter, f64)>, bool) {
        let Some(before) = before else {
            return (self.settings(), false);
        };
        let old = before.settings();
        let changed: Vec<(Parameter, f64)> = self
            .settings()
            .into_iter()
            .filter(|(k, v)| old.iter().find(|(o, _)| o == k).map(|(_, w)| w) != Some(v))
            .collect();
        // Undo every named change on the old design: anything still different is "other".
        let mut probe = before.restore(&Program::default());
        for (k, v) in &changed {
            k.set(&mut probe, *v);
        }
        let other = !self.matches(&probe);
        (changed, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Pool;

    fn program_with_pool(dollars: f64) -> Program {
        let mut p = Program::default();
        Parameter::PoolDollars.set(&mut p, dollars);
        p
    }

    #[test]
    fn a_decision_restores_its_design_and_lists_what_changed() {
        let first = Decision::capture(
            &program_with_pool(3_000_000.0),
            Headline::default(),
            "2026-11-29 22:00".into(),
            "Pool $3M".into(),
        );
        let mut p = program_with_pool(3_000_000.0);
        Parameter::ThresholdPercentile.set(&mut p, 60.0);
        Parameter::PeerGroupStandards.set(&mut p, 1.0);
        let second = Decision::capture(&p, Headline::default(), "t".into(), String::new());
        let (changed, other) = second.changes_from(Some(&first));
        assert_eq!(
            changed,
            vec![
                (Parameter::ThresholdPercentile, 60.0),
                (Parameter::PeerGroupStandards, 1.0)
            ]
        );
        assert!(!other);
        // Restoring puts back the pool and leaves the rest of the document alone.
        let mut later = program_with_pool(5_000_000.0);
        later.name = "Renamed".into();
        let back = first.restore(&later);
        assert_eq!(back.payment.pool, Pool::Fixed { cents: 300_000_000 });
        assert_eq!(back.name, "Renamed");
        assert!(first.matches(&back));
        assert!(!second.matches(&back));
        // A change no named setting covers is reported as such.
        let mut q = p.clone();
        q.payment.floor = Some(crate::program::Limit::Cents(100));
        let third = Decision::capture(&q, Headline::default(), "t".into(), String::new());
        assert_eq!(third.changes_from(Some(&second)), (vec![], true));
    }

    #[test]
    fn decisions_round_trip_through_ron_and_old_files_load_without_them() {
        let mut p = program_with_pool(3_000_000.0);
        let d = Decision::capture(
            &p,
            Headline {
                pool_cents: 300_000_000,
                paid_cents: 299_999_999,
                providers_scored: 300,
                providers_paid: 251,
                median_payout_cents: 1_050_000,
                per_life_ratio: Some(0.55),
            },
            "2026-11-29 22:15".into(),
            "Pool $3M, threshold p60, peer groups on".into(),
        );
        p.decisions.push(d.clone());
        let text = p.to_ron();
        assert!(text.contains("decisions"));
        let back = Program::from_ron(&text).unwrap();
        assert_eq!(back.decisions, vec![d]);
        assert_eq!(back, p);
        // A file without the field (every file written before the log existed) still loads,
        // and a program without decisions writes no `decisions` field.
        let old = Program::default().to_ron();
        assert!(!old.contains("decisions"));
        assert!(Program::from_ron(&old).unwrap().decisions.is_empty());
    }
}
