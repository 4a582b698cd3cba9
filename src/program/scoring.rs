use serde::{Deserialize, Serialize};

/// How measure results become points, domain scores and a total score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scoring {
    pub achievement: AchievementCurve,
    pub improvement: ImprovementCurve,
    pub combine: Combine,
    pub domains: Vec<Domain>,
    /// A provider needs at least this many scored domains for a total score.
    pub min_domains: usize,
    /// Spread the weight of a domain a provider has no score in over the domains it has,
    /// in proportion to their weights.
    pub reweight_missing_domains: bool,
    /// Health-equity bonus points added to the total score (none when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equity_bonus: Option<super::EquityBonus>,
    /// How measure or domain scores make the total score.
    #[serde(default, skip_serializing_if = "TotalRule::is_default")]
    pub total: TotalRule,
    /// Improvement counts only when it reaches the provider's own target, not any step up
    /// (none when `None`: any improvement counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement_target: Option<ImprovementTarget>,
}

/// A provider's own improvement target on a measure (Oregon CCO incentives, the Minnesota
/// method): baseline + max(`gap_share` × (benchmark − baseline), `min_step`), in the oriented
/// (higher is better) scale. A scored measure counts as improved, and as met, when the result
/// reaches it. Example: close 10% of the gap (0.1), at least 2 points on a 0–1 rate (0.02).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImprovementTarget {
    /// Share of the gap between baseline and benchmark to close (0–1).
    pub gap_share: f64,
    /// The least step up, in the measure's own units (at least 0).
    pub min_step: f64,
}

impl Default for ImprovementTarget {
    fn default() -> Self {
        ImprovementTarget {
            gap_share: 0.1,
            min_step: 0.0,
        }
    }
}

impl ImprovementTarget {
    /// The oriented result a provider must reach, from its oriented baseline and benchmark; NaN
    /// when either is missing.
    pub fn target(&self, baseline: f64, benchmark: f64) -> f64 {
        if baseline.is_nan() || benchmark.is_nan() {
            return f64::NAN;
        }
        baseline + (self.gap_share * (benchmark - baseline)).max(self.min_step)
    }
}

/// How the total score is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TotalRule {
    /// 0–100: the weighted mean of domain scores (or of measure points over the most points).
    #[default]
    WeightedMean,
    /// Σ weight × measure score over the scored measures, with each provider's own measure
    /// weights where the data gives them (HRRP: Σ DRG payment share × excess readmission
    /// ratio); no total when no measure is scored. Domains are not used.
    WeightedSum,
    /// The weighted mean of the scored measures' scores, unscaled (HACRP: the mean of the
    /// available standardised scores); no total when no measure is scored. Domains are not used.
    MeanOfScores,
}

impl TotalRule {
    pub fn is_default(&self) -> bool {
        *self == TotalRule::WeightedMean
    }
    pub fn label(self) -> &'static str {
        match self {
            TotalRule::WeightedMean => "Weighted mean of scores (0–100)",
            TotalRule::WeightedSum => "Weighted sum of measure scores",
            TotalRule::MeanOfScores => "Mean of the measure scores",
        }
    }
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            achievement: AchievementCurve::HvbpPoints,
            improvement: ImprovementCurve::HvbpPoints,
            combine: Combine::Max,
            domains: Vec::new(),
            min_domains: 1,
            reweight_missing_domains: true,
            equity_bonus: None,
            total: TotalRule::WeightedMean,
            improvement_target: None,
        }
    }
}

/// Achievement: points for where a provider stands against the threshold and benchmark.
///
/// Rules every curve follows (except pass/fail, which reads no standards):
/// - *Equal or crossed standards.* When the benchmark is not better than the threshold (equal,
///   or worse: "crossed"), the benchmark is the only cut: a result at or beyond it earns the
///   most points, anything else none. `validate` warns about crossed standards.
/// - *A standard that cannot be set* (e.g. a percentile of a baseline no one reported): the
///   measure is not scored for the providers it applies to (no achievement points, and no
///   improvement points without a benchmark), and `validate` warns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum AchievementCurve {
    /// Hospital VBP: 0–10 whole points, round(9·(P−AT)/(BM−AT) + 0.5); P == AT gives 1.
    HvbpPoints,
    /// SNF VBP: 0–100, 10·(9·(P−AT)/(BM−AT) + 0.5) unrounded.
    ScaledPoints,
    /// 0 at the threshold rising straight to `max` at the benchmark, unrounded
    /// (QOF's lower and upper thresholds).
    Linear { max: f64 },
    /// Points by tier: the highest tier whose cut (as a share of the way from threshold to
    /// benchmark, 0 = threshold, 1 = benchmark) the result reaches.
    Tiers { tiers: Vec<Tier> },
    /// Reporting: `points` when the measure was reported (denominator at least the measure's
    /// minimum), else 0 — not reporting is scored, as a fail, not left unscored.
    PassFail { points: f64 },
    /// How far the result is worse than the threshold, in the measure's own units; 0 at or
    /// better than it (HRRP: excess readmission ratio − the peer group's median). A penalty
    /// measure: more points are worse. The benchmark is not used.
    ExcessOverThreshold,
    /// A standardised score: z = (x − mean) / sd over the providers' performance-period results
    /// (within the peer group), after winsorising x at the `winsorise_percent`-th and
    /// (100 − `winsorise_percent`)-th percentiles; sd is the population standard deviation.
    /// Oriented like every score here: higher is better (HACRP's published z-scores, where
    /// higher is worse, are the negatives). Lets measures on different scales be averaged.
    StandardisedZ { winsorise_percent: f64 },
}

impl AchievementCurve {
    /// The most points a measure can earn.
    pub fn max_points(&self) -> f64 {
        match self {
            AchievementCurve::HvbpPoints => 10.0,
            AchievementCurve::ScaledPoints => 100.0,
            AchievementCurve::Linear { max } => *max,
            AchievementCurve::Tiers { tiers } => tiers.iter().map(|t| t.points).fold(0.0, f64::max),
            AchievementCurve::PassFail { points } => *points,
            // Unbounded; 1 so that a mean over the most points stays defined.
            AchievementCurve::ExcessOverThreshold | AchievementCurve::StandardisedZ { .. } => 1.0,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            AchievementCurve::HvbpPoints => "Threshold–benchmark points (0–10, whole points)",
            AchievementCurve::ScaledPoints => "Threshold–benchmark points (0–100, unrounded)",
            AchievementCurve::Linear { .. } => "Linear between threshold and benchmark",
            AchievementCurve::Tiers { .. } => "Tiers",
            AchievementCurve::PassFail { .. } => "Pass / fail (reporting)",
            AchievementCurve::ExcessOverThreshold => "Excess over the threshold (penalty)",
            AchievementCurve::StandardisedZ { .. } => "Winsorised z-score (standardised)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// 0 = at the threshold, 1 = at the benchmark.
    pub at: f64,
    pub points: f64,
}

/// Improvement: points for closing the gap between the provider's own baseline and the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ImprovementCurve {
    /// No improvement credit.
    None,
    /// Hospital VBP: 0–9, round(10·(P−B)/(BM−B) − 0.5); 9 at or beyond the benchmark.
    HvbpPoints,
    /// SNF VBP: 0–90, 10·(10·(P−B)/(BM−B) − 0.5) unrounded.
    ScaledPoints,
    /// `max` × share of the gap to the benchmark closed, unrounded.
    Linear { max: f64 },
}

impl ImprovementCurve {
    pub fn label(&self) -> &'static str {
        match self {
            ImprovementCurve::None => "No improvement credit",
            ImprovementCurve::HvbpPoints => "Improvement points (0–9, whole points)",
            ImprovementCurve::ScaledPoints => "Improvement points (0–90, unrounded)",
            ImprovementCurve::Linear { .. } => "Linear share of gap closed",
        }
    }
}

/// How achievement and improvement make the measure score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Combine {
    /// The better of the two ("improve or hit the benchmark").
    Max,
    AchievementOnly,
    ImprovementOnly,
}

impl Combine {
    pub const ALL: [Combine; 3] = [
        Combine::Max,
        Combine::AchievementOnly,
        Combine::ImprovementOnly,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Combine::Max => "Better of achievement and improvement",
            Combine::AchievementOnly => "Achievement only",
            Combine::ImprovementOnly => "Improvement only",
        }
    }
}

/// A group of measures scored together and weighted into the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub name: String,
    /// Share of the total score (weights are normalised over the domains a provider has).
    pub weight: f64,
    /// Fewer scored measures than this and the provider has no score in this domain.
    pub min_measures: usize,
    /// HCAHPS-style consistency points added to the domain.
    pub consistency: Option<Consistency>,
}

impl Default for Domain {
    fn default() -> Self {
        Domain {
            id: String::new(),
            name: String::new(),
            weight: 1.0,
            min_measures: 1,
            consistency: None,
        }
    }
}

/// Consistency points: reward for the worst dimension's position between floor and threshold.
/// The domain becomes (100 − max_points) × base share + consistency points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consistency {
    pub max_points: f64,
}
