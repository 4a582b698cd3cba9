//! Named numeric parameters of a program: what sweeps vary and scenarios override.

use super::{
    Combine, Distribution, Eligibility, ImprovementCurve, Limit, Pool, Program, StandardRule,
};
use serde::{Deserialize, Serialize};

/// A program setting that can be read and set as one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Parameter {
    /// Fixed pool, in dollars.
    PoolDollars,
    /// Withhold, % of base payments.
    WithholdPercent,
    /// Pool as % of spend.
    SpendPercent,
    /// PMPM amount, in dollars.
    PmpmDollars,
    /// Achievement threshold percentile (0–100).
    ThresholdPercentile,
    /// Benchmark percentile (0–100).
    BenchmarkPercentile,
    /// Minimum total score to earn.
    MinScore,
    /// Per-provider cap, in dollars (0 = no cap).
    CapDollars,
    /// Improvement credit: 1 on, 0 off.
    ImprovementCredit,
    /// Standards per peer group: 1 on, 0 off.
    PeerGroupStandards,
    /// Improvement target: the share of the gap to the benchmark a provider must close (%;
    /// 0 = no target, any improvement counts).
    ImprovementTargetPercent,
    /// Gate: the least number of measures met before anything is paid (0 = no gate).
    GateMeasuresMet,
    /// Ladder: the top rung's amount in dollars, the other rungs scaled with it.
    LadderTopDollars,
}

impl Parameter {
    pub const ALL: [Parameter; 13] = [
        Parameter::PoolDollars,
        Parameter::WithholdPercent,
        Parameter::SpendPercent,
        Parameter::PmpmDollars,
        Parameter::ThresholdPercentile,
        Parameter::BenchmarkPercentile,
        Parameter::MinScore,
        Parameter::CapDollars,
        Parameter::ImprovementCredit,
        Parameter::PeerGroupStandards,
        Parameter::ImprovementTargetPercent,
        Parameter::GateMeasuresMet,
        Parameter::LadderTopDollars,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Parameter::PoolDollars => "Pool ($)",
            Parameter::WithholdPercent => "Withhold (% of base)",
            Parameter::SpendPercent => "Pool (% of spend)",
            Parameter::PmpmDollars => "PMPM ($)",
            Parameter::ThresholdPercentile => "Threshold percentile",
            Parameter::BenchmarkPercentile => "Benchmark percentile",
            Parameter::MinScore => "Minimum score to earn",
            Parameter::CapDollars => "Cap per provider ($)",
            Parameter::ImprovementCredit => "Improvement credit",
            Parameter::PeerGroupStandards => "Peer-group standards",
            Parameter::ImprovementTargetPercent => "Improvement target (% of gap)",
            Parameter::GateMeasuresMet => "Gate: measures met",
            Parameter::LadderTopDollars => "Ladder top rung ($)",
        }
    }

    /// The setting's name in a sentence, without its unit: "Pool", "Threshold",
    /// "Improvement credit" (the value's wording carries the unit: "Pool: $3,000,000").
    pub fn name(self) -> &'static str {
        match self {
            Parameter::PoolDollars | Parameter::SpendPercent | Parameter::PmpmDollars => "Pool",
            Parameter::WithholdPercent => "Withhold",
            Parameter::ThresholdPercentile => "Threshold",
            Parameter::BenchmarkPercentile => "Benchmark",
            Parameter::MinScore => "Minimum score to earn",
            Parameter::CapDollars => "Cap per provider",
            Parameter::ImprovementCredit => "Improvement credit",
            Parameter::PeerGroupStandards => "Peer-group standards",
            Parameter::ImprovementTargetPercent => "Improvement target",
            Parameter::GateMeasuresMet => "Gate",
            Parameter::LadderTopDollars => "Ladder top rung",
        }
    }

    /// Whether the value is a switch (on at 0.5 and above, off below).
    pub fn is_switch(self) -> bool {
        matches!(
            self,
            Parameter::ImprovementCredit | Parameter::PeerGroupStandards
        )
    }

    /// Short name for command lines and file headers.
    pub fn key(self) -> &'static str {
        match self {
            Parameter::PoolDollars => "pool",
            Parameter::WithholdPercent => "withhold",
            Parameter::SpendPercent => "spend-percent",
            Parameter::PmpmDollars => "pmpm",
            Parameter::ThresholdPercentile => "threshold",
            Parameter::BenchmarkPercentile => "benchmark",
            Parameter::MinScore => "min-score",
            Parameter::CapDollars => "cap",
            Parameter::ImprovementCredit => "improvement",
            Parameter::PeerGroupStandards => "peer-groups",
            Parameter::ImprovementTargetPercent => "target",
            Parameter::GateMeasuresMet => "gate",
            Parameter::LadderTopDollars => "ladder",
        }
    }

    pub fn from_key(key: &str) -> Option<Parameter> {
        Parameter::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Whether changing it changes standards or scores (not only payments).
    pub fn affects_scores(self) -> bool {
        matches!(
            self,
            Parameter::ThresholdPercentile
                | Parameter::BenchmarkPercentile
                | Parameter::ImprovementCredit
                | Parameter::PeerGroupStandards
                // A target decides which measures count as improved and as met.
                | Parameter::ImprovementTargetPercent
        )
    }

    /// The current value, when the program uses this parameter.
    pub fn get(self, p: &Program) -> Option<f64> {
        let pay = &p.payment;
        match self {
            Parameter::PoolDollars => match pay.pool {
                Pool::Fixed { cents } => Some(cents as f64 / 100.0),
                _ => None,
            },
            Parameter::WithholdPercent => match pay.pool {
                Pool::Withhold { percent } => Some(percent),
                _ => None,
            },
            Parameter::SpendPercent => match pay.pool {
                Pool::PercentOfSpend { percent } => Some(percent),
                _ => None,
            },
            Parameter::PmpmDollars => match pay.pool {
                Pool::Pmpm {
                    cents_per_member_month,
                    ..
                } => Some(cents_per_member_month as f64 / 100.0),
                _ => None,
            },
            Parameter::ThresholdPercentile => match p.standards.threshold {
                StandardRule::Percentile { p, .. } => Some(p),
                _ => None,
            },
            Parameter::BenchmarkPercentile => match p.standards.benchmark {
                StandardRule::Percentile { p, .. } => Some(p),
                _ => None,
            },
            Parameter::MinScore => match pay.eligibility {
                Eligibility::MinScore(s) => Some(s),
                _ => None,
            },
            Parameter::CapDollars => match pay.cap {
                Some(Limit::Cents(c)) => Some(c as f64 / 100.0),
                None => Some(0.0),
                _ => None,
            },
            Parameter::ImprovementCredit => Some(
                if p.scoring.improvement == ImprovementCurve::None
                    || p.scoring.combine == Combine::AchievementOnly
                {
                    0.0
                } else {
                    1.0
                },
            ),
            Parameter::PeerGroupStandards => {
                Some(if p.standards.by_peer_group { 1.0 } else { 0.0 })
            }
            // The next three only where the design uses them, so that they are not listed as
            // settings of every design.
            Parameter::ImprovementTargetPercent => {
                p.scoring.improvement_target.map(|t| t.gap_share * 100.0)
            }
            Parameter::GateMeasuresMet => pay.gate.as_ref().map(|g| f64::from(g.min_measures_met)),
            Parameter::LadderTopDollars => match &pay.distribution {
                Distribution::Ladder { rungs } => rungs
                    .iter()
                    .map(|r| r.cents)
                    .max()
                    .map(|c| c as f64 / 100.0),
                _ => None,
            },
        }
    }

    /// Sets the parameter, switching the program to the rule it belongs to when needed
    /// (e.g. setting a threshold percentile makes the threshold a percentile of baseline).
    pub fn set(self, p: &mut Program, v: f64) {
        let pay = &mut p.payment;
        let dollars = |v: f64| (v * 100.0).round() as i64;
        match self {
            Parameter::PoolDollars => {
                pay.pool = Pool::Fixed {
                    cents: dollars(v).max(0),
                }
            }
            Parameter::WithholdPercent => {
                pay.pool = Pool::Withhold {
                    percent: v.clamp(0.0, 100.0),
                }
            }
            Parameter::SpendPercent => {
                pay.pool = Pool::PercentOfSpend {
                    percent: v.clamp(0.0, 100.0),
                }
            }
            Parameter::PmpmDollars => {
                let months = match pay.pool {
                    Pool::Pmpm { months, .. } => months,
                    _ => 12,
                };
                pay.pool = Pool::Pmpm {
                    cents_per_member_month: dollars(v).max(0),
                    months,
                }
            }
            Parameter::ThresholdPercentile => {
                let of = match p.standards.threshold {
                    StandardRule::Percentile { of, .. } => of,
                    _ => super::PeriodRef::Baseline,
                };
                p.standards.threshold = StandardRule::Percentile {
                    p: v.clamp(0.0, 100.0),
                    of,
                }
            }
            Parameter::BenchmarkPercentile => {
                let of = match p.standards.benchmark {
                    StandardRule::Percentile { of, .. } | StandardRule::TopDecileMean { of } => of,
                    _ => super::PeriodRef::Baseline,
                };
                p.standards.benchmark = StandardRule::Percentile {
                    p: v.clamp(0.0, 100.0),
                    of,
                }
            }
            Parameter::MinScore => pay.eligibility = Eligibility::MinScore(v),
            Parameter::CapDollars => {
                pay.cap = if v > 0.0 {
                    Some(Limit::Cents(dollars(v)))
                } else {
                    None
                }
            }
            Parameter::ImprovementCredit => {
                if v >= 0.5 {
                    if p.scoring.improvement == ImprovementCurve::None {
                        p.scoring.improvement = ImprovementCurve::HvbpPoints;
                    }
                    if p.scoring.combine == Combine::AchievementOnly {
                        p.scoring.combine = Combine::Max;
                    }
                } else {
                    p.scoring.combine = Combine::AchievementOnly;
                }
            }
            Parameter::PeerGroupStandards => p.standards.by_peer_group = v >= 0.5,
            Parameter::ImprovementTargetPercent => {
                p.scoring.improvement_target = if v > 0.0 {
                    let min_step = p.scoring.improvement_target.map_or(0.0, |t| t.min_step);
                    Some(super::ImprovementTarget {
                        gap_share: v.min(100.0) / 100.0,
                        min_step,
                    })
                } else {
                    None
                }
            }
            Parameter::GateMeasuresMet => {
                let met = if v.is_finite() {
                    v.round().max(0.0) as u32
                } else {
                    0
                };
                match &mut pay.gate {
                    Some(g) => g.min_measures_met = met,
                    None if met > 0 => {
                        pay.gate = Some(super::Gate {
                            reported: Vec::new(),
                            min_measures_met: met,
                        })
                    }
                    None => {}
                }
                // A gate that asks for nothing is no gate.
                if pay
                    .gate
                    .as_ref()
                    .is_some_and(|g| g.min_measures_met == 0 && g.reported.is_empty())
                {
                    pay.gate = None;
                }
            }
            Parameter::LadderTopDollars => {
                // Only a ladder has rungs to scale; each keeps its share of the top one.
                if let Distribution::Ladder { rungs } = &mut pay.distribution {
                    let top = rungs.iter().map(|r| r.cents).max().unwrap_or(0);
                    let want = dollars(v).max(0);
                    for r in rungs.iter_mut() {
                        r.cents = if top > 0 {
                            (r.cents as f64 * want as f64 / top as f64).round() as i64
                        } else {
                            want
                        };
                    }
                }
            }
        }
        // Exchange functions only make sense with a withhold; keep the pair consistent.
        if matches!(
            self,
            Parameter::PoolDollars | Parameter::SpendPercent | Parameter::PmpmDollars
        ) && matches!(
            p.payment.distribution,
            Distribution::LinearExchange | Distribution::LogisticExchange { .. }
        ) {
            p.payment.distribution = Distribution::ShareOfPool;
        }
    }

    /// A sensible range to sweep, given the program's current value.
    pub fn default_range(self, p: &Program) -> (f64, f64) {
        let cur = self.get(p).unwrap_or(0.0);
        match self {
            Parameter::PoolDollars | Parameter::CapDollars | Parameter::PmpmDollars => {
                let c = if cur > 0.0 { cur } else { 1_000_000.0 };
                (c * 0.25, c * 2.0)
            }
            Parameter::WithholdPercent | Parameter::SpendPercent => (0.5, 5.0),
            Parameter::ThresholdPercentile => (10.0, 90.0),
            Parameter::BenchmarkPercentile => (60.0, 99.0),
            Parameter::MinScore => (0.0, 80.0),
            Parameter::ImprovementCredit | Parameter::PeerGroupStandards => (0.0, 1.0),
            Parameter::ImprovementTargetPercent => (0.0, 50.0),
            Parameter::GateMeasuresMet => (0.0, p.scored_measures().count().max(1) as f64),
            Parameter::LadderTopDollars => {
                let c = if cur > 0.0 { cur } else { 10_000.0 };
                (c * 0.25, c * 2.0)
            }
        }
    }
}

/// A named set of parameter overrides kept inside a program, to compare designs side by side.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub overrides: Vec<(Parameter, f64)>,
}

impl Scenario {
    /// The program with this scenario's overrides applied.
    pub fn apply(&self, base: &Program) -> Program {
        let mut p = base.clone();
        for (param, v) in &self.overrides {
            param.set(&mut p, *v);
        }
        p
    }
}
