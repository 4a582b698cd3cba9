use serde::{Deserialize, Serialize};

/// Step 5: the periods compared and how thresholds and benchmarks are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Standards {
    /// Period label of the baseline (as in the data's `period` column).
    pub baseline_period: String,
    /// Period label being scored and paid on.
    pub performance_period: String,
    /// Achievement threshold: the level that starts to earn points.
    pub threshold: StandardRule,
    /// Benchmark: the level that earns full points.
    pub benchmark: StandardRule,
    /// Floor (worst level), used by consistency points.
    pub floor: StandardRule,
    /// Per-measure overrides of the rules above.
    pub overrides: Vec<MeasureStandards>,
    /// When set, standards are computed separately within each peer group
    /// (the provider attribute `peer_group`), as the readmissions program does.
    pub by_peer_group: bool,
    /// With `by_peer_group`, the peer groups are cut from this stratifier instead of the
    /// `peer_group` attribute: quintiles Q1–Q5 of a numeric one (as the readmissions program
    /// groups hospitals by dual-eligible share), the categories of a text one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_groups_from: Option<String>,
}

impl Default for Standards {
    fn default() -> Self {
        Standards {
            baseline_period: "baseline".into(),
            performance_period: "performance".into(),
            threshold: StandardRule::Percentile {
                p: 50.0,
                of: PeriodRef::Baseline,
            },
            benchmark: StandardRule::TopDecileMean {
                of: PeriodRef::Baseline,
            },
            floor: StandardRule::Percentile {
                p: 0.0,
                of: PeriodRef::Baseline,
            },
            overrides: Vec::new(),
            by_peer_group: false,
            peer_groups_from: None,
        }
    }
}

impl Standards {
    /// Whether the measure's threshold or benchmark is set from the baseline period, so that
    /// without baseline data it cannot be set at all.
    pub fn reads_baseline(&self, measure_id: &str) -> bool {
        [
            self.threshold_for(measure_id),
            self.benchmark_for(measure_id),
        ]
        .into_iter()
        .any(|r| {
            matches!(
                r,
                StandardRule::Percentile {
                    of: PeriodRef::Baseline,
                    ..
                } | StandardRule::TopDecileMean {
                    of: PeriodRef::Baseline
                }
            )
        })
    }

    pub fn override_for(&self, measure_id: &str) -> Option<&MeasureStandards> {
        self.overrides.iter().find(|o| o.measure_id == measure_id)
    }
    pub fn threshold_for(&self, measure_id: &str) -> &StandardRule {
        self.override_for(measure_id)
            .and_then(|o| o.threshold.as_ref())
            .unwrap_or(&self.threshold)
    }
    pub fn benchmark_for(&self, measure_id: &str) -> &StandardRule {
        self.override_for(measure_id)
            .and_then(|o| o.benchmark.as_ref())
            .unwrap_or(&self.benchmark)
    }
    pub fn floor_for(&self, measure_id: &str) -> &StandardRule {
        self.override_for(measure_id)
            .and_then(|o| o.floor.as_ref())
            .unwrap_or(&self.floor)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureStandards {
    pub measure_id: String,
    #[serde(default)]
    pub threshold: Option<StandardRule>,
    #[serde(default)]
    pub benchmark: Option<StandardRule>,
    #[serde(default)]
    pub floor: Option<StandardRule>,
}

/// Which period's distribution a standard is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodRef {
    Baseline,
    Performance,
}

/// How a threshold, benchmark or floor is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum StandardRule {
    /// The p-th percentile (0–100) of providers' rates, ranked from worst to best: the 60th
    /// percentile is better than 60% of providers whatever the measure's direction. Linear
    /// between the closest ranks, and exactly their value when they tie.
    Percentile { p: f64, of: PeriodRef },
    /// Mean of the best 10% of providers' rates (at least one provider); exactly their value
    /// when they tie, and never beyond the values averaged.
    TopDecileMean { of: PeriodRef },
    /// A fixed value in the measure's own units.
    Fixed(f64),
    /// Read from the data (a column mapped to threshold, benchmark or floor).
    Supplied,
}

impl StandardRule {
    pub fn label(&self) -> String {
        let of = |p: &PeriodRef| match p {
            PeriodRef::Baseline => "baseline",
            PeriodRef::Performance => "performance period",
        };
        match self {
            StandardRule::Percentile { p, of: o } => format!("{p}th percentile of {}", of(o)),
            StandardRule::TopDecileMean { of: o } => format!("mean of top decile of {}", of(o)),
            StandardRule::Fixed(v) => format!("fixed at {v}"),
            StandardRule::Supplied => "supplied in the data".into(),
        }
    }
}
