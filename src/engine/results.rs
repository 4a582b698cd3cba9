//! What the engine computes for a program: per measure, per domain, totals and payments.

/// Standards of one measure in one peer group, in the measure's own units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GroupStandards {
    pub threshold: f64,
    pub benchmark: f64,
    pub floor: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeasureResult {
    pub id: String,
    /// Per peer group (index as in `Inputs::group`).
    pub standards: Vec<GroupStandards>,
    /// Most points the measure can earn.
    pub max_points: f64,
    pub achievement: Vec<f64>,
    pub improvement: Vec<f64>,
    /// The measure score (NaN: not scored, e.g. not reported or below the minimum denominator).
    pub score: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DomainResult {
    pub id: String,
    /// 0–100; NaN when the provider has too few scored measures.
    pub score: Vec<f64>,
    /// Consistency points (NaN when the domain has none).
    pub consistency: Vec<f64>,
    /// Number of scored measures per provider.
    pub measures_scored: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaymentResult {
    /// The pool available, in cents.
    pub pool_cents: i64,
    /// Withheld from each provider, in cents (0 unless the pool is a withhold).
    pub withheld: Vec<i64>,
    /// Earned by each provider, in cents (negative only in a two-sided model).
    pub earned: Vec<i64>,
    /// Earned − withheld.
    pub net: Vec<i64>,
    /// The weight each provider's score was multiplied by.
    pub weight: Vec<f64>,
    /// Whether a cap cut this provider's payout.
    pub capped: Vec<bool>,
    /// Exchange-function payment multiplier (1 + incentive − withhold); NaN for other models.
    pub multiplier: Vec<f64>,
    /// Σ earned.
    pub paid_cents: i64,
    /// Pool not paid out (e.g. everyone capped, no one eligible, or the payer's share).
    pub unallocated_cents: i64,
    /// Exchange-function slope or logistic k solved for the pool; NaN for other models.
    pub exchange_factor: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    pub measures: Vec<MeasureResult>,
    pub domains: Vec<DomainResult>,
    /// Total performance score 0–100; NaN when the provider has too few domains.
    pub total: Vec<f64>,
    /// Health-equity bonus points included in `total` (empty when the program has no bonus).
    pub equity_bonus: Vec<f64>,
    /// May earn under the program's eligibility rule.
    pub eligible: Vec<bool>,
    /// Improved on, or reached the benchmark of, at least one measure: what the eligibility
    /// rule "improve or reach the benchmark" asks.
    pub improved_or_benchmark: Vec<bool>,
    /// Number of scored measures at or beyond the benchmark or the provider's improvement
    /// target: what a ladder's rungs and a gate's minimum count.
    pub measures_met: Vec<u32>,
    pub payment: PaymentResult,
    /// Working buffers reused by the next run.
    pub scratch: Scratch,
}

/// Buffers the engine reuses from one run to the next. They hold no results: two `Results`
/// are equal whatever their scratch, and a clone starts with none.
#[derive(Default)]
pub struct Scratch {
    pub(crate) pay: super::payment::PayScratch,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl Results {
    pub fn provider_count(&self) -> usize {
        self.total.len()
    }
    pub fn measure(&self, id: &str) -> Option<&MeasureResult> {
        self.measures.iter().find(|m| m.id == id)
    }
    pub fn domain(&self, id: &str) -> Option<&DomainResult> {
        self.domains.iter().find(|d| d.id == id)
    }
    /// Providers earning more than zero.
    pub fn earning_count(&self) -> usize {
        self.payment.earned.iter().filter(|e| **e > 0).count()
    }
    /// Providers whose net is negative.
    pub fn penalised_count(&self) -> usize {
        self.payment.net.iter().filter(|e| **e < 0).count()
    }
}
