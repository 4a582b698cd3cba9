use serde::{Deserialize, Serialize};

/// Step 6: the pool and how it is paid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Payment {
    pub pool: Pool,
    pub frequency: Frequency,
    pub distribution: Distribution,
    /// Who must do what to earn at all.
    pub eligibility: Eligibility,
    /// What a provider's share of the pool is weighted by.
    pub weight_by: WeightBy,
    /// Most a provider may be paid in the period, in every model; what a cap cuts from a shared
    /// pool (share of pool, exchange functions, scaled-down tiers) goes to the others.
    pub cap: Option<Limit>,
    /// Least an earning provider is paid (upside) or most it can lose (two-sided). A minimum
    /// payment in share of pool (paid first, when the pool affords every earner's), tiers and
    /// points × value (raised to it, then capped; tiers scaled down alike if the pool is short)
    /// and upside shared savings; the most a provider owes in two-sided shared savings. Exchange
    /// functions pay by their function alone: `validate` warns that the floor does nothing there.
    pub floor: Option<Limit>,
    /// Providers can owe money (penalties) as well as earn: shared savings only (`validate`
    /// warns elsewhere, where no model makes a provider owe).
    pub two_sided: bool,
    /// Base payments assumed for a provider whose data gives none (currency units), so that
    /// withholds and payment weights stay defined: equal base payments unless given.
    pub default_base_payments: f64,
    /// Conditions a provider must meet before it is paid anything (none when `None`); a
    /// provider failing the gate is not eligible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
}

/// A gate: every condition must hold for a provider to be eligible at all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gate {
    /// Measure ids the provider must report, each with at least its minimum denominator
    /// (reporting completeness).
    pub reported: Vec<String>,
    /// The least number of measures met: scored, and at or beyond the benchmark or the
    /// provider's improvement target.
    pub min_measures_met: u32,
}

/// A ladder rung: what a provider that meets at least `measures_met` measures is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    pub measures_met: u32,
    pub cents: i64,
}

impl Default for Payment {
    fn default() -> Self {
        Payment {
            pool: Pool::Fixed { cents: 100_000_000 },
            frequency: Frequency::Annual,
            distribution: Distribution::ShareOfPool,
            eligibility: Eligibility::Any,
            weight_by: WeightBy::Equal,
            cap: None,
            floor: None,
            two_sided: false,
            default_base_payments: 1_000_000.0,
            gate: None,
        }
    }
}

/// How big the pool is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Pool {
    /// A fixed amount, in cents.
    Fixed { cents: i64 },
    /// A percentage of total spend (provider attribute `spend`).
    PercentOfSpend { percent: f64 },
    /// Per member per month × attributed lives × months.
    Pmpm {
        cents_per_member_month: i64,
        months: u32,
    },
    /// Withheld from each provider's base payments; what is withheld is paid back by score.
    Withhold { percent: f64 },
}

impl Pool {
    pub fn label(&self) -> &'static str {
        match self {
            Pool::Fixed { .. } => "Fixed amount",
            Pool::PercentOfSpend { .. } => "% of spend",
            Pool::Pmpm { .. } => "Per member per month",
            Pool::Withhold { .. } => "Withhold from base payments",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frequency {
    Annual,
    SemiAnnual,
    Quarterly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Annual,
        Frequency::SemiAnnual,
        Frequency::Quarterly,
        Frequency::Monthly,
    ];
    pub fn payments_per_year(self) -> u32 {
        match self {
            Frequency::Annual => 1,
            Frequency::SemiAnnual => 2,
            Frequency::Quarterly => 4,
            Frequency::Monthly => 12,
        }
    }
    /// One payment period, as in "per quarter".
    pub fn period(self) -> &'static str {
        match self {
            Frequency::Annual => "year",
            Frequency::SemiAnnual => "half-year",
            Frequency::Quarterly => "quarter",
            Frequency::Monthly => "month",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Annual => "Annual",
            Frequency::SemiAnnual => "Twice a year",
            Frequency::Quarterly => "Quarterly",
            Frequency::Monthly => "Monthly",
        }
    }
}

/// How the pool reaches providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Distribution {
    /// Each earning provider gets pool × score·weight / Σ score·weight; the pool is paid in full.
    ShareOfPool,
    /// Hospital VBP's budget-neutral linear exchange function: incentive ∝ base payment × score,
    /// scaled so incentives total the withhold.
    LinearExchange,
    /// SNF VBP's logistic exchange function: multiplier = (1 − w) + k / (1 + e^(−slope·(score −
    /// midpoint))). k is solved so incentives total `payback_share` percent (0–100; never more
    /// than the pool) of the withhold (60 in SNF VBP), unless `stated_k` states it as published
    /// (CMS's 0.038322115 for FY2025): CMS solves k from every facility's Medicare payments,
    /// which a designer may not have.
    LogisticExchange {
        payback_share: f64,
        slope: f64,
        midpoint: f64,
        /// The slope k stated outright (a share of base payments at the top of the curve), in
        /// place of solving it from `payback_share`. Never pays more than the pool.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stated_k: Option<f64>,
    },
    /// Fixed bonus by score tier: the highest tier whose minimum score is reached.
    Tiered { tiers: Vec<BonusTier> },
    /// QOF-style: points × value per point (× weight relative to the average weight). Paid as
    /// earned: not limited to the pool.
    PointsValue { cents_per_point: i64 },
    /// Shared savings: benchmark spend − actual spend, paid beyond the minimum savings rate.
    /// Paid from the savings: not limited to the pool.
    SharedSavings(SharedSavings),
    /// A penalty: each provider with a total score loses a share of its base payments,
    /// reduction = min(`max_percent`%, round(`scale` × total, `round_decimals`)), and its
    /// payment factor is 1 − reduction (HRRP: scale = the neutrality modifier, four decimals,
    /// at most 3%). A provider without a total is not reduced (factor 1). Nothing is pooled;
    /// the model is two-sided.
    Reduction {
        scale: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round_decimals: Option<u32>,
        max_percent: f64,
    },
    /// A percentile cut on the total score, computed from the data: providers whose total is
    /// strictly worse than the `worst_percent`-th percentile of all totals lose `percent`% of
    /// their base payments (HACRP: the worst quartile, 25, loses 1%). Nothing is pooled; the
    /// model is two-sided.
    WorstShareReduction { worst_percent: f64, percent: f64 },
    /// A ladder: an eligible provider is paid the amount of the highest rung it reaches, by
    /// the number of measures it meets (scored, and at or beyond the benchmark or its
    /// improvement target); capped, raised to the floor, and scaled down alike when the pool
    /// cannot pay every amount, as tiered bonuses are.
    Ladder { rungs: Vec<Rung> },
}

impl Distribution {
    pub fn label(&self) -> &'static str {
        match self {
            Distribution::ShareOfPool => "Share of pool by score",
            Distribution::LinearExchange => "Budget-neutral linear exchange function",
            Distribution::LogisticExchange { .. } => "Logistic exchange function",
            Distribution::Tiered { .. } => "Tiered bonuses",
            Distribution::PointsValue { .. } => "Points × value per point",
            Distribution::SharedSavings(_) => "Shared savings",
            Distribution::Reduction { .. } => "Payment reduction by score (penalty)",
            Distribution::WorstShareReduction { .. } => "Penalty for the worst-scoring share",
            Distribution::Ladder { .. } => "Ladder by measures met",
        }
    }

    /// Whether the model pays out of the pool: penalties pool nothing, and points × value
    /// and shared savings are paid as earned.
    pub fn pays_from_pool(&self) -> bool {
        !matches!(
            self,
            Distribution::Reduction { .. }
                | Distribution::WorstShareReduction { .. }
                | Distribution::PointsValue { .. }
                | Distribution::SharedSavings(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BonusTier {
    pub min_score: f64,
    pub cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SharedSavings {
    /// Minimum savings rate: savings below this share of the benchmark earn nothing.
    pub min_savings_rate: f64,
    /// Share of savings paid to the provider.
    pub sharing_rate: f64,
    /// Multiply the shared amount by the quality score / 100.
    pub quality_adjusted: bool,
    /// Most a provider can earn, as a share of its benchmark.
    pub cap_rate: f64,
    /// Two-sided: losses beyond this share of the benchmark are owed back.
    pub min_loss_rate: f64,
    pub loss_sharing_rate: f64,
}

impl Default for SharedSavings {
    fn default() -> Self {
        SharedSavings {
            min_savings_rate: 0.02,
            sharing_rate: 0.5,
            quality_adjusted: true,
            cap_rate: 0.1,
            min_loss_rate: 0.02,
            loss_sharing_rate: 0.3,
        }
    }
}

/// Who may earn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Eligibility {
    /// Any provider with a total score.
    Any,
    /// Earns only with a total score of at least this.
    MinScore(f64),
    /// The seed's recommendation: earns if it improved on any scored measure or reached the
    /// benchmark on one.
    ImproveOrBenchmark,
}

impl Eligibility {
    pub fn label(&self) -> &'static str {
        match self {
            Eligibility::Any => "Any provider with a score",
            Eligibility::MinScore(_) => "Minimum total score",
            Eligibility::ImproveOrBenchmark => "Improves or hits the benchmark",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WeightBy {
    Equal,
    AttributedLives,
    BasePayments,
}

impl WeightBy {
    pub const ALL: [WeightBy; 3] = [
        WeightBy::Equal,
        WeightBy::AttributedLives,
        WeightBy::BasePayments,
    ];
    pub fn label(self) -> &'static str {
        match self {
            WeightBy::Equal => "Equal",
            WeightBy::AttributedLives => "Attributed lives",
            WeightBy::BasePayments => "Base payments",
        }
    }
}

/// A per-provider limit on a payout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Limit {
    /// An amount in cents.
    Cents(i64),
    /// A percentage of the provider's base payments.
    PercentOfBase(f64),
}
