//! Why a provider is paid what it is: every input, standard, point, weight, rule and cent, with
//! the formula actually applied and the numbers plugged in.
//!
//! The rows are plain data so that the window's "why" view and the CSV/XLSX audit exports show
//! exactly the same thing. Nothing here decides a number: every value is read from the
//! [`Results`] the engine produced; the explanations re-derive the intermediate quantities
//! (ratios, shares, sums) with the same expressions the engine uses, so a reader can check them.

use crate::engine::payment::{self, cents, finite_or_zero, limit_cents, logistic};
use std::fmt;

use crate::format::money_plain;
pub use crate::format::{group_thousands, money_exact as fmt_money, number as fmt_num};

use crate::engine::consistency_points;
use crate::engine::{Inputs, MeasureInputs, MeasureResult, Results};
use crate::program::{
    AchievementCurve, Combine, Distribution, Eligibility, ImprovementCurve, Limit, Pool, Program,
    StandardRule, WeightBy,
};

/// Where in the chain from data to cents a row belongs, in the order the chain runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Provider,
    Inputs,
    Standards,
    Points,
    Domains,
    Total,
    Eligibility,
    Payment,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Provider,
        Section::Inputs,
        Section::Standards,
        Section::Points,
        Section::Domains,
        Section::Total,
        Section::Eligibility,
        Section::Payment,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Section::Provider => "Provider",
            Section::Inputs => "Inputs",
            Section::Standards => "Standards",
            Section::Points => "Points",
            Section::Domains => "Domains",
            Section::Total => "Total score",
            Section::Eligibility => "Eligibility",
            Section::Payment => "Payment",
        }
    }
}

/// One audited value.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditValue {
    Number(f64),
    /// Money in integer cents.
    Cents(i64),
    Flag(bool),
    Text(String),
    /// Not known or not computed (a rate not reported, a score not given).
    Missing,
}

impl AuditValue {
    /// From a float, NaN (the engine's "missing") becoming [`AuditValue::Missing`].
    pub fn num(x: f64) -> AuditValue {
        if x.is_nan() {
            AuditValue::Missing
        } else {
            AuditValue::Number(x)
        }
    }
    /// The value as a number, where it is one (cents in currency units).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AuditValue::Number(x) => Some(*x),
            AuditValue::Cents(c) => Some(*c as f64 / 100.0),
            _ => None,
        }
    }
    /// "currency" for money (shown in currency units, two decimals), else empty.
    pub fn unit(&self) -> &'static str {
        match self {
            AuditValue::Cents(_) => "currency",
            _ => "",
        }
    }
}

/// Machine-readable: numbers round-trip exactly, money in currency units with two decimals
/// (exact, from the integer cents), flags as `yes`/`no`, missing as an empty string.
impl fmt::Display for AuditValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditValue::Number(x) => write!(f, "{x}"),
            AuditValue::Cents(c) => write!(f, "{}", money_plain(*c)),
            AuditValue::Flag(b) => f.write_str(if *b { "yes" } else { "no" }),
            AuditValue::Text(t) => f.write_str(t),
            AuditValue::Missing => Ok(()),
        }
    }
}

/// One line of a provider's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub section: Section,
    /// The measure or domain the row is about (empty for provider-level rows).
    pub subject: String,
    pub item: String,
    pub value: AuditValue,
    /// The rule that set the value, with the numbers plugged in.
    pub rule: String,
}

/// A provider's whole audit trail, in the order the engine computes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderAudit {
    /// Index in `Inputs::provider_ids`.
    pub index: usize,
    pub provider_id: String,
    pub rows: Vec<AuditRow>,
}

impl ProviderAudit {
    /// The row for `item` about `subject` (a measure or domain id; "" for provider-level rows).
    pub fn find(&self, subject: &str, item: &str) -> Option<&AuditRow> {
        self.rows
            .iter()
            .find(|r| r.subject == subject && r.item == item)
    }
    /// The numeric value of [`ProviderAudit::find`]'s row.
    pub fn number(&self, subject: &str, item: &str) -> Option<f64> {
        self.find(subject, item).and_then(|r| r.value.as_f64())
    }
    pub fn section(&self, section: Section) -> impl Iterator<Item = &AuditRow> {
        self.rows.iter().filter(move |r| r.section == section)
    }
}

/// Explains provider `provider` (an index below `inputs.provider_count()`).
///
/// Program-wide sums are computed once per call; to audit every provider use [`audit_rows`],
/// which computes them once in all.
pub fn explain(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    provider: usize,
) -> ProviderAudit {
    Auditor::new(program, inputs, results).explain(provider)
}

/// Every provider's audit rows, provider by provider in input order, each with its id.
pub fn audit_rows<'a>(
    program: &'a Program,
    inputs: &'a Inputs,
    results: &'a Results,
) -> impl Iterator<Item = (&'a str, AuditRow)> + 'a {
    let auditor = Auditor::new(program, inputs, results);
    (0..inputs.provider_count()).flat_map(move |i| {
        let id = inputs.provider_ids[i].as_str();
        auditor.explain(i).rows.into_iter().map(move |r| (id, r))
    })
}

fn limit_label(limit: &Limit) -> String {
    match limit {
        Limit::Cents(c) => fmt_money(*c),
        Limit::PercentOfBase(p) => format!("{}% of base payments", fmt_num(*p)),
    }
}

/// Program-wide quantities the per-provider explanations refer to.
struct Auditor<'a> {
    program: &'a Program,
    inputs: &'a Inputs,
    results: &'a Results,
    /// Σ over providers of the distribution's raw weight (score × weight, base × score…).
    raw_sum: f64,
    /// Mean payment weight of eligible providers (points × value).
    mean_weight: f64,
    /// Floors paid to every earning provider before the pool is shared, if affordable.
    floors_need: i64,
    /// Σ of tier amounts wanted before any scaling down.
    tiers_want: i64,
}

impl<'a> Auditor<'a> {
    fn new(program: &'a Program, inputs: &'a Inputs, results: &'a Results) -> Self {
        let mut a = Auditor {
            program,
            inputs,
            results,
            raw_sum: 0.0,
            mean_weight: 1.0,
            floors_need: 0,
            tiers_want: 0,
        };
        let n = inputs.provider_count();
        a.raw_sum = (0..n).map(|i| a.raw_weight(i)).sum();
        let pay = &program.payment;
        if let Some(floor) = &pay.floor {
            a.floors_need = (0..n)
                .map(|i| {
                    let base = inputs.base_payments[i];
                    payment::floor_cents(Some(floor), a.raw_weight(i), base, a.cap(i))
                })
                .fold(0, i64::saturating_add);
        }
        if matches!(pay.distribution, Distribution::PointsValue { .. }) {
            a.mean_weight = payment::mean_eligible_weight(
                &inputs.canonical_order,
                &results.eligible,
                &results.payment.weight,
            );
        }
        if matches!(
            pay.distribution,
            Distribution::Tiered { .. } | Distribution::Ladder { .. }
        ) {
            a.tiers_want = (0..n).map(|i| a.tier_amount(i).1).sum();
        }
        a
    }

    fn participates(&self, i: usize) -> bool {
        !self.results.total[i].is_nan()
    }

    fn cap(&self, i: usize) -> i64 {
        self.program.payment.cap.as_ref().map_or(i64::MAX, |c| {
            limit_cents(Some(c), self.inputs.base_payments[i])
        })
    }

    /// The weight the engine shares the pool by (the payment rule's own function).
    fn raw_weight(&self, i: usize) -> f64 {
        let r = self.results;
        payment::raw_weight(
            &self.program.payment.distribution,
            r.total[i],
            r.eligible[i],
            r.payment.weight[i],
            self.inputs.base_payments[i],
        )
    }

    /// Why every tier or rung amount was scaled down alike, when together they ask for more
    /// than the pool.
    fn scaled_down(&self, pool_cents: i64, what: &str) -> Option<String> {
        (self.tiers_want > pool_cents).then(|| {
            format!(
                "{what} amounts total {}, more than the pool {}: every amount scaled down alike",
                fmt_money(self.tiers_want),
                fmt_money(pool_cents)
            )
        })
    }

    /// (tier index, amount in cents) of the tiered distribution (the payment rule's own function).
    fn tier_amount(&self, i: usize) -> (Option<usize>, i64) {
        let tiers = match &self.program.payment.distribution {
            Distribution::Tiered { tiers } => tiers,
            Distribution::Ladder { rungs } => {
                let met = self.results.measures_met.get(i).copied().unwrap_or(0);
                let (k, amount) = crate::engine::rung_reached(rungs, met, self.results.eligible[i]);
                return (k, amount.min(self.cap(i)));
            }
            _ => return (None, 0),
        };
        payment::tier_amount(
            tiers,
            self.results.total[i],
            self.results.eligible[i],
            self.cap(i),
        )
    }

    fn explain(&self, i: usize) -> ProviderAudit {
        let mut out = ProviderAudit {
            index: i,
            provider_id: self.inputs.provider_ids[i].clone(),
            rows: Vec::with_capacity(16 + 12 * self.inputs.measures.len()),
        };
        self.provider_rows(i, &mut out.rows);
        for (mi, mr) in self.inputs.measures.iter().zip(&self.results.measures) {
            self.measure_rows(i, mi, mr, &mut out.rows);
        }
        self.domain_rows(i, &mut out.rows);
        self.total_rows(i, &mut out.rows);
        self.eligibility_rows(i, &mut out.rows);
        self.payment_rows(i, &mut out.rows);
        out
    }

    fn provider_rows(&self, i: usize, rows: &mut Vec<AuditRow>) {
        let inp = self.inputs;
        let push = |rows: &mut Vec<AuditRow>, item: &str, value: AuditValue, rule: String| {
            rows.push(row(Section::Provider, "", item, value, rule));
        };
        push(
            rows,
            "provider id",
            AuditValue::Text(inp.provider_ids[i].clone()),
            String::new(),
        );
        let g = inp.group[i] as usize;
        let group = inp.group_names.get(g).cloned().unwrap_or_default();
        let rule = if self.program.standards.by_peer_group {
            let from = match &self.program.standards.peer_groups_from {
                Some(s) => format!(", cut from {s}"),
                None => String::new(),
            };
            format!(
                "standards are computed within this peer group ({} groups{from})",
                inp.group_names.len()
            )
        } else {
            "standards are computed over all providers".to_owned()
        };
        push(rows, "peer group", AuditValue::Text(group), rule);
        push(
            rows,
            "attributed lives",
            AuditValue::num(inp.lives[i]),
            "from the provider attributes".into(),
        );
        push(
            rows,
            "base payments",
            AuditValue::Cents(cents(inp.base_payments[i])),
            "from the provider attributes; the program's default where not given".into(),
        );
    }

    fn measure_rows(
        &self,
        i: usize,
        mi: &MeasureInputs,
        mr: &MeasureResult,
        rows: &mut Vec<AuditRow>,
    ) {
        let program = self.program;
        let std = &program.standards;
        let sign = mi.sign;
        let id = mi.id.as_str();
        let g = self.inputs.group[i] as usize;
        let group_name = self.inputs.group_names.get(g).map_or("", String::as_str);
        let measure = program.measure(id);
        let direction = measure.map_or("", |m| m.direction.label());
        let (p, b) = (mi.performance[i], mi.baseline[i]);
        let (pu, bu) = (p * sign, b * sign);
        let min_den = measure.and_then(|m| m.min_denominator);

        // Inputs, in the measure's own units.
        let reported = |x: f64, period: &str| {
            if x.is_nan() {
                format!("not reported for period '{period}'")
            } else {
                format!("rate for period '{period}' ({})", direction.to_lowercase())
            }
        };
        rows.push(row(
            Section::Inputs,
            id,
            "baseline rate",
            AuditValue::num(bu),
            reported(bu, &self.inputs.baseline_period),
        ));
        rows.push(row(
            Section::Inputs,
            id,
            "performance rate",
            AuditValue::num(pu),
            reported(pu, &self.inputs.performance_period),
        ));
        let den = mi.denominator[i];
        let den_rule = match min_den {
            Some(m) => format!(
                "eligible cases after exclusions; the minimum to be scored is {}",
                fmt_num(m)
            ),
            None => "eligible cases after exclusions; no minimum".to_owned(),
        };
        rows.push(row(
            Section::Inputs,
            id,
            "denominator",
            AuditValue::num(den),
            den_rule,
        ));
        let ex = mi.exclusions[i];
        let ex_rule = if ex.is_nan() {
            "no exclusions reported".to_owned()
        } else {
            "exceptions / personalised care adjustments removed from the denominator".to_owned()
        };
        rows.push(row(
            Section::Inputs,
            id,
            "exclusions",
            AuditValue::num(ex),
            ex_rule,
        ));

        // Standards of the provider's peer group.
        let st = mr.standards.get(g).copied().unwrap_or_default();
        let of_group = if std.by_peer_group {
            format!(" within peer group '{group_name}'")
        } else {
            String::new()
        };
        let standard = |rule: &StandardRule, value: f64| -> String {
            let n = match rule {
                StandardRule::Percentile { of, .. } | StandardRule::TopDecileMean { of } => {
                    let d = match of {
                        crate::program::PeriodRef::Baseline => &mi.baseline_dist[g],
                        crate::program::PeriodRef::Performance => &mi.performance_dist[g],
                    };
                    format!(" (n = {} providers{of_group})", d.len())
                }
                _ => of_group.clone(),
            };
            let note = if value.is_nan() {
                "; could not be set"
            } else {
                ""
            };
            format!("{}{n}{note}", rule.label())
        };
        let t_rule = std.threshold_for(id);
        let b_rule = std.benchmark_for(id);
        let f_rule = std.floor_for(id);
        rows.push(row(
            Section::Standards,
            id,
            "threshold",
            AuditValue::num(st.threshold),
            standard(t_rule, st.threshold),
        ));
        rows.push(row(
            Section::Standards,
            id,
            "benchmark",
            AuditValue::num(st.benchmark),
            standard(b_rule, st.benchmark),
        ));
        rows.push(row(
            Section::Standards,
            id,
            "floor",
            AuditValue::num(st.floor),
            standard(f_rule, st.floor),
        ));

        // Points.
        let sc = &program.scoring;
        let (at, bm) = (st.threshold * sign, st.benchmark * sign);
        let (atu, bmu) = (st.threshold, st.benchmark);
        let a = mr.achievement[i];
        let im = mr.improvement[i];
        let (a_rule, im_rule) = if mi.supplied_score {
            let s = "points supplied by the data (computed upstream), not from rates".to_owned();
            (s.clone(), s)
        } else {
            (
                achievement_rule(&sc.achievement, p, at, bm, pu, atu, bmu, a),
                improvement_rule(&sc.improvement, p, b, bm, pu, bu, bmu, im),
            )
        };
        rows.push(row(
            Section::Points,
            id,
            "achievement",
            AuditValue::num(a),
            a_rule,
        ));
        rows.push(row(
            Section::Points,
            id,
            "improvement",
            AuditValue::num(im),
            im_rule,
        ));
        let score = mr.score[i];
        let below_min = min_den.is_some_and(|m| den < m);
        let not_submitted = mi.not_submitted.get(i).copied().unwrap_or(false);
        let score_rule = if not_submitted {
            "flagged in the data as not submitted (or failing validation): scored as the worst"
                .to_owned()
        } else if mi.supplied_score {
            if score.is_nan() {
                "no points supplied: not scored".to_owned()
            } else {
                "points supplied by the data".to_owned()
            }
        } else if below_min {
            format!(
                "denominator {} below the minimum {}: not scored",
                fmt_num(den),
                fmt_num(min_den.unwrap_or(f64::NAN))
            )
        } else if score.is_nan() {
            format!(
                "not reported for period '{}': not scored",
                self.inputs.performance_period
            )
        } else {
            match sc.combine {
                Combine::Max => {
                    if im.is_nan() {
                        format!(
                            "achievement ({}); no improvement points to compare",
                            fmt_num(a)
                        )
                    } else {
                        format!(
                            "the better of achievement ({}) and improvement ({})",
                            fmt_num(a),
                            fmt_num(im)
                        )
                    }
                }
                Combine::AchievementOnly => "achievement only".to_owned(),
                Combine::ImprovementOnly => "improvement only".to_owned(),
            }
        };
        rows.push(row(
            Section::Points,
            id,
            "score",
            AuditValue::num(score),
            format!("{score_rule} (out of {})", fmt_num(mr.max_points)),
        ));
        let domain_name = mi.domain.and_then(|d| sc.domains.get(d)).map(|d| {
            if d.name.is_empty() {
                d.id.clone()
            } else {
                d.name.clone()
            }
        });
        let w_rule = match domain_name {
            Some(d) => format!("weight within domain '{d}'"),
            None if sc.domains.is_empty() => "weight in the total score".to_owned(),
            None => "not in any of the program's domains: does not count".to_owned(),
        };
        rows.push(row(
            Section::Points,
            id,
            "weight",
            AuditValue::Number(mi.weight),
            w_rule,
        ));
    }

    fn domain_rows(&self, i: usize, rows: &mut Vec<AuditRow>) {
        let sc = &self.program.scoring;
        for (d_idx, (d, dr)) in sc.domains.iter().zip(&self.results.domains).enumerate() {
            let id = d.id.as_str();
            let (mut sum, mut max) = (0.0, 0.0);
            // Lowest position between floor and threshold, and the measure that has it.
            let mut lo = (f64::INFINITY, "", f64::NAN, f64::NAN, f64::NAN);
            for (m, mr) in self.inputs.measures.iter().zip(&self.results.measures) {
                if m.domain != Some(d_idx) {
                    continue;
                }
                let s = mr.score[i];
                if !s.is_nan() {
                    sum += m.weight * s;
                    max += m.weight * mr.max_points;
                }
                if d.consistency.is_some() {
                    let g = &mr.standards[self.inputs.group[i] as usize];
                    let p = m.performance[i] * m.sign;
                    let pos = (p - g.floor) / (g.threshold - g.floor);
                    if !pos.is_nan() && pos < lo.0 {
                        lo = (pos, m.id.as_str(), p, g.floor, g.threshold);
                    }
                }
            }
            let scored = dr.measures_scored[i];
            let need = d.min_measures.max(1);
            rows.push(row(
                Section::Domains,
                id,
                "measures scored",
                AuditValue::Number(scored as f64),
                format!("at least {need} needed for a domain score"),
            ));
            rows.push(row(
                Section::Domains,
                id,
                "points",
                AuditValue::Number(sum),
                format!("Σ weight × measure score, of a possible {}", fmt_num(max)),
            ));
            let score = dr.score[i];
            if let Some(c) = &d.consistency {
                let cons = dr.consistency[i];
                let rule = if score.is_nan() {
                    "no domain score, so no consistency points".to_owned()
                } else if !lo.0.is_finite() {
                    "no dimension with a performance rate and standards: 0".to_owned()
                } else {
                    let max_p = fmt_num(c.max_points);
                    format!(
                        "lowest position between floor and threshold is {} on {}: ({} − {}) / ({} − {}); \
                         {max_p} if ≥ 1, 0 if ≤ 0, else round half up({max_p} × {} − 0.5) = {}",
                        fmt_num(lo.0),
                        lo.1,
                        fmt_num(lo.2),
                        fmt_num(lo.3),
                        fmt_num(lo.4),
                        fmt_num(lo.3),
                        fmt_num(lo.0),
                        fmt_num(consistency_points(lo.0, c.max_points))
                    )
                };
                rows.push(row(
                    Section::Domains,
                    id,
                    "consistency",
                    AuditValue::num(cons),
                    rule,
                ));
            }
            let rule = if score.is_nan() {
                format!("{scored} scored measure(s), fewer than the {need} needed: no domain score")
            } else if let Some(c) = &d.consistency {
                format!(
                    "(100 − {}) × {} / {} + consistency {} = {}",
                    fmt_num(c.max_points),
                    fmt_num(sum),
                    fmt_num(max),
                    fmt_num(dr.consistency[i]),
                    fmt_num(score)
                )
            } else {
                format!(
                    "100 × {} / {} = {}",
                    fmt_num(sum),
                    fmt_num(max),
                    fmt_num(score)
                )
            };
            rows.push(row(
                Section::Domains,
                id,
                "score",
                AuditValue::num(score),
                rule,
            ));
        }
    }

    fn total_rows(&self, i: usize, rows: &mut Vec<AuditRow>) {
        let sc = &self.program.scoring;
        let total = self.results.total[i];
        if sc.domains.is_empty() {
            let (mut sum, mut max) = (0.0, 0.0);
            for (m, mr) in self.inputs.measures.iter().zip(&self.results.measures) {
                if !mr.score[i].is_nan() {
                    sum += m.weight * mr.score[i];
                    max += m.weight * mr.max_points;
                }
            }
            let rule = if total.is_nan() {
                "no scored measures: no total score".to_owned()
            } else {
                format!(
                    "no domains: 100 × Σ weight × score / Σ weight × max = 100 × {} / {} = {}",
                    fmt_num(sum),
                    fmt_num(max),
                    fmt_num(total)
                )
            };
            rows.push(row(
                Section::Total,
                "",
                "total score",
                AuditValue::num(total),
                rule,
            ));
            return;
        }
        let all: f64 = sc.domains.iter().map(|d| d.weight).sum();
        let present: Vec<bool> = self
            .results
            .domains
            .iter()
            .map(|d| !d.score[i].is_nan())
            .collect();
        let w_present: f64 = sc
            .domains
            .iter()
            .zip(&present)
            .filter(|(_, p)| **p)
            .map(|(d, _)| d.weight)
            .sum();
        let n_present = present.iter().filter(|p| **p).count();
        let denom = if sc.reweight_missing_domains {
            w_present
        } else {
            all
        };
        let mut terms = Vec::new();
        for ((d, dr), here) in sc.domains.iter().zip(&self.results.domains).zip(&present) {
            let nominal = if all > 0.0 { d.weight / all } else { f64::NAN };
            let (effective, rule) = if !*here {
                (
                    0.0,
                    format!(
                        "nominal {}; no score in this domain{}",
                        pct(nominal),
                        if sc.reweight_missing_domains {
                            ", its weight is spread over the others in proportion"
                        } else {
                            ", counts as 0"
                        }
                    ),
                )
            } else {
                let e = if denom > 0.0 {
                    d.weight / denom
                } else {
                    f64::NAN
                };
                let rule = if (e - nominal).abs() > 1e-12 {
                    format!(
                        "nominal {} re-spread over the {n_present} domains scored: {}",
                        pct(nominal),
                        pct(e)
                    )
                } else {
                    format!("nominal {}", pct(nominal))
                };
                terms.push(format!("{} × {}", pct(e), fmt_num(dr.score[i])));
                (e, rule)
            };
            rows.push(row(
                Section::Total,
                &d.id,
                "domain weight",
                AuditValue::num(if total.is_nan() { f64::NAN } else { effective }),
                rule,
            ));
        }
        let need = sc.min_domains.max(1);
        let bonus = self
            .results
            .equity_bonus
            .get(i)
            .copied()
            .unwrap_or(f64::NAN);
        let rule = if total.is_nan() {
            format!("{n_present} domain score(s), fewer than the {need} needed: no total score")
        } else if bonus.is_nan() {
            format!("{} = {}", terms.join(" + "), fmt_num(total))
        } else {
            format!(
                "{} = {}; + equity bonus {} (total at most 100) = {}",
                terms.join(" + "),
                fmt_num(self.weighted_domains(i, denom)),
                fmt_num(bonus),
                fmt_num(total)
            )
        };
        if let Some(eb) = &sc.equity_bonus
            && !total.is_nan()
        {
            rows.push(row(
                Section::Total,
                "",
                "equity bonus",
                AuditValue::num(bonus),
                format!(
                    "performance scaler ({} points per domain in the top third, {} in the middle third) × underserved multiplier on '{}' ({}), at most {}",
                    fmt_num(eb.top_third_points),
                    fmt_num(eb.middle_third_points),
                    eb.stratifier,
                    eb.multiplier.label().to_lowercase(),
                    fmt_num(eb.max_points)
                ),
            ));
        }
        rows.push(row(
            Section::Total,
            "",
            "total score",
            AuditValue::num(total),
            rule,
        ));
    }

    /// The weighted mean of domain scores before any equity bonus, as `score_domains` sums it.
    fn weighted_domains(&self, i: usize, denom: f64) -> f64 {
        let acc: f64 = self
            .program
            .scoring
            .domains
            .iter()
            .zip(&self.results.domains)
            .filter(|(_, r)| !r.score[i].is_nan())
            .map(|(d, r)| d.weight * r.score[i])
            .sum();
        acc / denom
    }

    fn eligibility_rows(&self, i: usize, rows: &mut Vec<AuditRow>) {
        let r = self.results;
        let total = r.total[i];
        let eligible = r.eligible[i];
        let rule = if total.is_nan() {
            "no total score: cannot earn".to_owned()
        } else {
            match &self.program.payment.eligibility {
                Eligibility::Any => "any provider with a total score may earn".to_owned(),
                Eligibility::MinScore(min) => format!(
                    "total score {} {} the minimum {}",
                    fmt_num(total),
                    if total >= *min { "≥" } else { "<" },
                    fmt_num(*min)
                ),
                Eligibility::ImproveOrBenchmark => {
                    let mut improved = Vec::new();
                    let mut hit = Vec::new();
                    for (m, mr) in self.inputs.measures.iter().zip(&r.measures) {
                        // Only a scored measure counts (not one below its minimum denominator).
                        if m.supplied_score || mr.score[i].is_nan() {
                            continue;
                        }
                        let bm = mr.standards[self.inputs.group[i] as usize].benchmark * m.sign;
                        let (p, b) = (m.performance[i], m.baseline[i]);
                        let improves = match &self.program.scoring.improvement_target {
                            Some(t) => p >= t.target(b, bm),
                            None => p > b,
                        };
                        if improves {
                            improved.push(m.id.as_str());
                        }
                        if p >= bm {
                            hit.push(m.id.as_str());
                        }
                    }
                    let list = |v: &[&str]| {
                        if v.is_empty() {
                            "none".to_owned()
                        } else {
                            v.join(", ")
                        }
                    };
                    let how = if self.program.scoring.improvement_target.is_some() {
                        "reached its improvement target on"
                    } else {
                        "improved on"
                    };
                    format!(
                        "earns if it improved on any scored measure or reached a benchmark; {how}: {}; at benchmark on: {}",
                        list(&improved),
                        list(&hit)
                    )
                }
            }
        };
        let rule = match crate::engine::gate_failure(self.program, self.inputs, &r.measures_met, i)
        {
            Some(f) if !total.is_nan() => format!("{rule}; {}", f.describe()),
            None if self.program.payment.gate.is_some() && !total.is_nan() => {
                format!("{rule}; passed the gate")
            }
            _ => rule,
        };
        rows.push(row(
            Section::Eligibility,
            "",
            "eligible",
            AuditValue::Flag(eligible),
            rule,
        ));
        if let Some(t) = &self.program.scoring.improvement_target {
            rows.push(row(
                Section::Eligibility,
                "",
                "measures met",
                AuditValue::Number(f64::from(r.measures_met.get(i).copied().unwrap_or(0))),
                format!(
                    "scored measures at or beyond the benchmark or the improvement target (baseline + max({} × gap to the benchmark, {}))",
                    fmt_num(t.gap_share),
                    fmt_num(t.min_step)
                ),
            ));
        } else if self.program.payment.gate.is_some()
            || matches!(
                self.program.payment.distribution,
                Distribution::Ladder { .. }
            )
        {
            rows.push(row(
                Section::Eligibility,
                "",
                "measures met",
                AuditValue::Number(f64::from(r.measures_met.get(i).copied().unwrap_or(0))),
                "scored measures at or beyond the benchmark".into(),
            ));
        }
    }

    fn payment_rows(&self, i: usize, rows: &mut Vec<AuditRow>) {
        let pay = &self.program.payment;
        let inp = self.inputs;
        let r = &self.results.payment;
        let total = self.results.total[i];
        let base = inp.base_payments[i];
        let mut push = |item: &str, value: AuditValue, rule: String| {
            rows.push(row(Section::Payment, "", item, value, rule));
        };
        let pool_rule = match &pay.pool {
            Pool::Fixed { .. } => "a fixed amount".to_owned(),
            Pool::PercentOfSpend { percent } => {
                let spend: i64 = inp.spend.iter().map(|s| cents(*s)).sum();
                format!("{}% of total spend {}", fmt_num(*percent), fmt_money(spend))
            }
            Pool::Pmpm {
                cents_per_member_month,
                months,
            } => {
                let lives: i64 = inp
                    .lives
                    .iter()
                    .map(|l| finite_or_zero(*l).round() as i64)
                    .sum();
                format!(
                    "{} per member per month × {lives} attributed lives × {months} months",
                    fmt_money(*cents_per_member_month)
                )
            }
            Pool::Withhold { percent } => format!(
                "{}% withheld from the base payments of every provider with a total score",
                fmt_num(*percent)
            ),
        };
        push(
            "pool",
            AuditValue::Cents(r.pool_cents),
            format!(
                "{pool_rule}; {} paid, {} unallocated",
                fmt_money(r.paid_cents),
                fmt_money(r.unallocated_cents)
            ),
        );
        push(
            "distribution",
            AuditValue::Text(pay.distribution.label().to_owned()),
            distribution_words(&pay.distribution),
        );
        let weight_rule = match pay.weight_by {
            WeightBy::Equal => "equal weights".to_owned(),
            WeightBy::AttributedLives => "weighted by attributed lives".to_owned(),
            WeightBy::BasePayments => "weighted by base payments".to_owned(),
        };
        let withheld = r.withheld[i];
        match &pay.pool {
            Pool::Withhold { percent } => push(
                "withheld",
                AuditValue::Cents(withheld),
                if self.participates(i) {
                    format!(
                        "{}% × base payments {}",
                        fmt_num(*percent),
                        fmt_money(cents(base))
                    )
                } else {
                    "no total score: nothing withheld".to_owned()
                },
            ),
            _ => push(
                "withheld",
                AuditValue::Cents(0),
                "no withhold in this program".into(),
            ),
        }
        let raw = self.raw_weight(i);
        let share = if self.raw_sum > 0.0 {
            raw / self.raw_sum
        } else {
            0.0
        };
        match &pay.distribution {
            Distribution::ShareOfPool => {
                push(
                    "payment weight",
                    AuditValue::Number(r.weight[i]),
                    weight_rule,
                );
                let rule = if self.results.eligible[i] {
                    format!(
                        "total score {} × payment weight {}",
                        fmt_num(total.max(0.0)),
                        fmt_num(r.weight[i])
                    )
                } else {
                    "not eligible: 0".to_owned()
                };
                push("score × weight", AuditValue::Number(raw), rule);
                let mut pool = r.pool_cents;
                if let Some(floor) = &pay.floor {
                    let applied = self.floors_need <= r.pool_cents;
                    let mine = payment::floor_cents(Some(floor), raw, base, self.cap(i));
                    push(
                        "floor",
                        AuditValue::Cents(if applied { mine } else { 0 }),
                        if applied {
                            pool -= self.floors_need;
                            format!(
                                "floor {} paid first to every earning provider ({} in all, affordable from the pool)",
                                limit_label(floor),
                                fmt_money(self.floors_need)
                            )
                        } else {
                            format!(
                                "floor {} not applied: floors for all earning providers ({}) exceed the pool",
                                limit_label(floor),
                                fmt_money(self.floors_need)
                            )
                        },
                    );
                }
                push(
                    "share of pool",
                    AuditValue::Number(share),
                    format!(
                        "{} / Σ score × weight over earning providers {} = {}; × {} shared = {} before caps and rounding to cents",
                        fmt_num(raw),
                        fmt_num(self.raw_sum),
                        pct(share),
                        fmt_money(pool),
                        fmt_money((pool as f64 * share).round() as i64)
                    ),
                );
            }
            Distribution::LinearExchange => {
                let a = match &pay.pool {
                    Pool::Withhold { percent } => *percent,
                    _ => f64::NAN,
                };
                push(
                    "exchange weight",
                    AuditValue::num(raw),
                    format!(
                        "base payments {} × total score {} / 100",
                        fmt_money(cents(base)),
                        fmt_num(total)
                    ),
                );
                push(
                    "exchange slope",
                    AuditValue::num(r.exchange_factor),
                    "Σ base payments / Σ (base payments × score / 100), so incentives total the pool".into(),
                );
                let incentive = a / 100.0 * total / 100.0 * r.exchange_factor;
                push(
                    "incentive %",
                    AuditValue::num(incentive * 100.0),
                    format!(
                        "withhold {}% × score {} / 100 × slope {} = {}% of base payments",
                        fmt_num(a),
                        fmt_num(total),
                        fmt_num(r.exchange_factor),
                        fmt_num(incentive * 100.0)
                    ),
                );
                push(
                    "share of pool",
                    AuditValue::Number(share),
                    format!(
                        "{} / Σ {} = {}",
                        fmt_num(raw),
                        fmt_num(self.raw_sum),
                        pct(share)
                    ),
                );
            }
            Distribution::LogisticExchange {
                payback_share,
                slope,
                midpoint,
                stated_k,
            } => {
                let l = logistic(total, *slope, *midpoint);
                push(
                    "logistic value",
                    AuditValue::num(if self.participates(i) { l } else { f64::NAN }),
                    format!(
                        "1 / (1 + e^(−{} × (score {} − {})))",
                        fmt_num(*slope),
                        fmt_num(total),
                        fmt_num(*midpoint)
                    ),
                );
                let k_rule = match stated_k {
                    Some(_) => {
                        "stated as published; incentive = k × base payments × logistic value"
                            .to_owned()
                    }
                    None => format!(
                        "solved so that incentives total {}% of the pool",
                        fmt_num(*payback_share)
                    ),
                };
                push("exchange k", AuditValue::num(r.exchange_factor), k_rule);
                // A stated k pays k × base payments × logistic value, not a share of the pool.
                if stated_k.is_none() {
                    push(
                        "share of pool",
                        AuditValue::Number(share),
                        format!(
                            "base payments × logistic value {} / Σ {} = {}",
                            fmt_num(raw),
                            fmt_num(self.raw_sum),
                            pct(share)
                        ),
                    );
                }
            }
            Distribution::Tiered { tiers } => {
                let (k, amount) = self.tier_amount(i);
                let rule = match k {
                    Some(k) => format!(
                        "total score {} reaches the tier from {}",
                        fmt_num(total),
                        fmt_num(tiers[k].min_score)
                    ),
                    None if !self.results.eligible[i] => "not eligible".to_owned(),
                    None => format!("total score {} reaches no tier", fmt_num(total)),
                };
                push("tier amount", AuditValue::Cents(amount), rule);
                if let Some(why) = self.scaled_down(r.pool_cents, "tier") {
                    push("scaled down", AuditValue::Flag(true), why);
                }
            }
            Distribution::Ladder { rungs } => {
                let (k, amount) = self.tier_amount(i);
                let met = self.results.measures_met.get(i).copied().unwrap_or(0);
                let rule = match k {
                    Some(k) => format!(
                        "{met} measure(s) met reaches the rung from {} measure(s) met",
                        rungs[k].measures_met
                    ),
                    None if !self.results.eligible[i] => "not eligible".to_owned(),
                    None => format!("{met} measure(s) met reaches no rung"),
                };
                push("rung amount", AuditValue::Cents(amount), rule);
                if let Some(why) = self.scaled_down(r.pool_cents, "rung") {
                    push("scaled down", AuditValue::Flag(true), why);
                }
            }
            Distribution::PointsValue { cents_per_point } => {
                let points = payment::measure_points(&self.results.measures, &inp.measures, i);
                push(
                    "payment weight",
                    AuditValue::Number(r.weight[i]),
                    weight_rule,
                );
                push(
                    "points",
                    AuditValue::Number(points),
                    "Σ measure weight × measure score".into(),
                );
                push(
                    "amount",
                    AuditValue::Cents(payment::points_amount(
                        points,
                        *cents_per_point,
                        r.weight[i],
                        self.mean_weight,
                    )),
                    format!(
                        "{} points × {} per point × weight {} / mean eligible weight {}",
                        fmt_num(points),
                        fmt_money(*cents_per_point),
                        fmt_num(r.weight[i]),
                        fmt_num(self.mean_weight)
                    ),
                );
            }
            Distribution::WorstShareReduction {
                worst_percent,
                percent,
            } => {
                push(
                    "percentile cut",
                    AuditValue::num(r.exchange_factor),
                    format!(
                        "the {}th percentile of all totals; total {} is {}",
                        fmt_num(*worst_percent),
                        fmt_num(total),
                        if total < r.exchange_factor {
                            format!("worse: {}% of base payments lost", fmt_num(*percent))
                        } else {
                            "not worse: no reduction".to_owned()
                        }
                    ),
                );
            }
            Distribution::Reduction {
                scale,
                round_decimals,
                max_percent,
            } => {
                let red = crate::engine::rules::penalty::reduction(
                    total,
                    *scale,
                    *round_decimals,
                    *max_percent,
                );
                push(
                    "payment reduction",
                    AuditValue::num(red),
                    format!(
                        "min({}%, round({} × total {}, {} decimals))",
                        fmt_num(*max_percent),
                        fmt_num(*scale),
                        fmt_num(total),
                        round_decimals.map_or("all".to_owned(), |d| d.to_string())
                    ),
                );
            }
            Distribution::SharedSavings(ss) => {
                let bench = inp.benchmark_spend[i];
                let spend = inp.spend[i];
                let savings = bench - spend;
                push(
                    "benchmark spend",
                    AuditValue::Cents(cents(bench)),
                    "expected spend".into(),
                );
                push(
                    "spend",
                    AuditValue::Cents(cents(spend)),
                    "actual spend".into(),
                );
                push(
                    "savings",
                    AuditValue::Cents(cents(savings)),
                    format!(
                        "benchmark − spend = {} of the benchmark; minimum savings rate {}",
                        pct(savings / bench),
                        pct(ss.min_savings_rate)
                    ),
                );
                let quality = if ss.quality_adjusted {
                    format!(" × quality {} / 100", fmt_num(total))
                } else {
                    String::new()
                };
                push(
                    "shared savings",
                    AuditValue::Cents(r.earned[i]),
                    format!(
                        "savings × sharing rate {}{quality}, capped at {} of the benchmark{}",
                        pct(ss.sharing_rate),
                        pct(ss.cap_rate),
                        if pay.two_sided {
                            format!(
                                "; losses beyond {} owed at {}",
                                pct(ss.min_loss_rate),
                                pct(ss.loss_sharing_rate)
                            )
                        } else {
                            String::new()
                        }
                    ),
                );
            }
        }
        if let Some(cap) = &pay.cap {
            let c = self.cap(i);
            push(
                "cap",
                AuditValue::Cents(c),
                if r.capped[i] {
                    format!(
                        "cap {} reached: what it cut went to the others in proportion",
                        limit_label(cap)
                    )
                } else {
                    format!("cap {} not reached", limit_label(cap))
                },
            );
        }
        let earned = r.earned[i];
        let earned_rule = match &pay.distribution {
            Distribution::ShareOfPool
            | Distribution::LinearExchange
            | Distribution::LogisticExchange { .. } => {
                if pay.cap.is_some() {
                    "share × pool, what caps cut shared among the uncapped in proportion, in whole cents (largest remainder, so Σ earned = the pool shared, to the cent)"
                } else {
                    "share × pool in whole cents (largest remainder, so Σ earned = the pool shared, to the cent)"
                }
            }
            Distribution::Tiered { .. } => {
                "the tier amount (scaled down in whole cents if the pool is short)"
            }
            Distribution::Ladder { .. } => {
                "the rung amount (scaled down in whole cents if the pool is short)"
            }
            Distribution::PointsValue { .. } => {
                "points × value per point, rounded to the cent and capped"
            }
            Distribution::SharedSavings(_) => "shared savings, rounded to the cent and capped",
            Distribution::Reduction { .. } | Distribution::WorstShareReduction { .. } => {
                "− payment reduction × base payments, to the cent"
            }
        };
        let earned_rule = if !pay.two_sided && earned == 0 && raw <= 0.0 && total.is_nan() {
            "no total score: nothing earned".to_owned()
        } else {
            earned_rule.to_owned()
        };
        push("earned", AuditValue::Cents(earned), earned_rule);
        push(
            "net",
            AuditValue::Cents(r.net[i]),
            format!(
                "earned {} − withheld {}",
                fmt_money(earned),
                fmt_money(withheld)
            ),
        );
        let m = r.multiplier[i];
        if !m.is_nan() {
            push(
                "payment multiplier",
                AuditValue::Number(m),
                format!(
                    "1 + (earned − withheld) / base payments = 1 + {} / {}",
                    fmt_money(r.net[i]),
                    fmt_money(cents(base))
                ),
            );
        }
    }
}

fn row(section: Section, subject: &str, item: &str, value: AuditValue, rule: String) -> AuditRow {
    AuditRow {
        section,
        subject: subject.to_owned(),
        item: item.to_owned(),
        value,
        rule,
    }
}

fn pct(share: f64) -> String {
    if share.is_nan() {
        "—".into()
    } else {
        format!("{}%", fmt_num((share * 100.0 * 1e4).round() / 1e4))
    }
}

/// The payment algorithm in words, for the audit and the summary report.
pub fn distribution_words(d: &Distribution) -> String {
    match d {
        Distribution::ShareOfPool => {
            "each eligible provider gets pool × (score × weight) / Σ (score × weight); the pool is paid in full".into()
        }
        Distribution::LinearExchange => {
            "budget-neutral linear exchange function: incentive ∝ base payments × score, scaled so incentives total the pool".into()
        }
        Distribution::LogisticExchange {
            payback_share,
            slope,
            midpoint,
            stated_k,
        } => match stated_k {
            Some(k) => format!(
                "logistic exchange function (slope {}, midpoint {}): incentive = {} × base payments / (1 + e^(−slope × (score − midpoint))), k as published, never more than the pool",
                fmt_num(*slope),
                fmt_num(*midpoint),
                fmt_num(*k)
            ),
            None => format!(
                "logistic exchange function (slope {}, midpoint {}): incentive ∝ base payments / (1 + e^(−slope × (score − midpoint))), solved to pay back {}% of the pool",
                fmt_num(*slope),
                fmt_num(*midpoint),
                fmt_num(*payback_share)
            ),
        },
        Distribution::Tiered { tiers } => {
            let t: Vec<String> = tiers
                .iter()
                .map(|t| format!("{} from score {}", fmt_money(t.cents), fmt_num(t.min_score)))
                .collect();
            format!("a fixed bonus by score tier: {}", t.join("; "))
        }
        Distribution::Ladder { rungs } => {
            let t: Vec<String> = rungs
                .iter()
                .map(|r| format!("{} from {} measure(s) met", fmt_money(r.cents), r.measures_met))
                .collect();
            format!("a ladder, the highest rung reached paid: {}", t.join("; "))
        }
        Distribution::PointsValue { cents_per_point } => format!(
            "points × {} per point, scaled by the provider's weight relative to the average",
            fmt_money(*cents_per_point)
        ),
        Distribution::SharedSavings(ss) => format!(
            "shared savings: {} of savings beyond a {} minimum savings rate{}, capped at {} of the benchmark",
            pct(ss.sharing_rate),
            pct(ss.min_savings_rate),
            if ss.quality_adjusted { ", × quality score / 100" } else { "" },
            pct(ss.cap_rate)
        ),
        Distribution::WorstShareReduction {
            worst_percent,
            percent,
        } => format!(
            "percentile cut (penalty): providers whose total is worse than the {}th percentile of all totals lose {}% of base payments",
            fmt_num(*worst_percent),
            fmt_num(*percent)
        ),
        Distribution::Reduction {
            scale,
            round_decimals,
            max_percent,
        } => format!(
            "payment reduction (penalty): each provider loses min({}%, round({} × total score, {} decimals)) of its base payments",
            fmt_num(*max_percent),
            fmt_num(*scale),
            round_decimals.map_or("all".to_owned(), |d| d.to_string())
        ),
    }
}

/// The achievement formula with the numbers plugged in. `p`, `at`, `bm` are oriented (greater
/// is better, as the engine compares them); the `*u` values are in the measure's own units,
/// in which the ratio (P − AT) / (BM − AT) is the same.
#[allow(clippy::too_many_arguments)]
fn achievement_rule(
    curve: &AchievementCurve,
    p: f64,
    at: f64,
    bm: f64,
    pu: f64,
    atu: f64,
    bmu: f64,
    pts: f64,
) -> String {
    if p.is_nan() {
        return "no performance rate: no points".into();
    }
    if at.is_nan() || bm.is_nan() {
        return format!("threshold or benchmark could not be set: {}", fmt_num(pts));
    }
    let sym = "(P − AT) / (BM − AT)";
    let nums = format!(
        "({} − {}) / ({} − {})",
        fmt_num(pu),
        fmt_num(atu),
        fmt_num(bmu),
        fmt_num(atu)
    );
    let beyond = || {
        format!(
            "P = {} at or beyond the benchmark {}: {}",
            fmt_num(pu),
            fmt_num(bmu),
            fmt_num(pts)
        )
    };
    let below = || {
        format!(
            "P = {} worse than the threshold {}: 0",
            fmt_num(pu),
            fmt_num(atu)
        )
    };
    match curve {
        AchievementCurve::HvbpPoints => {
            if p >= bm {
                beyond()
            } else if p < at {
                below()
            } else {
                let raw = 9.0 * (p - at) / (bm - at) + 0.5;
                format!(
                    "round half up(9 × {sym} + 0.5) = round half up(9 × {nums} + 0.5) = round half up({}) = {} (at most 9 below the benchmark)",
                    fmt_num(raw),
                    fmt_num(pts)
                )
            }
        }
        AchievementCurve::ScaledPoints => {
            if p >= bm {
                beyond()
            } else if p < at {
                below()
            } else {
                format!(
                    "10 × (9 × {sym} + 0.5) = 10 × (9 × {nums} + 0.5) = {}",
                    fmt_num(pts)
                )
            }
        }
        AchievementCurve::Linear { max } => {
            if p >= bm {
                beyond()
            } else if p <= at {
                format!(
                    "P = {} at or worse than the threshold {}: 0",
                    fmt_num(pu),
                    fmt_num(atu)
                )
            } else {
                let m = fmt_num(*max);
                format!("{m} × {sym} = {m} × {nums} = {}", fmt_num(pts))
            }
        }
        AchievementCurve::Tiers { tiers } => {
            let f = if p >= bm { 1.0 } else { (p - at) / (bm - at) };
            let reached = tiers
                .iter()
                .filter(|t| f >= t.at - 1e-9 && t.points == pts)
                .map(|t| t.at)
                .fold(f64::NAN, f64::max);
            format!(
                "position between threshold and benchmark {sym} = {nums} = {}; highest tier reached (from {}) gives {}",
                fmt_num(f),
                fmt_num(reached),
                fmt_num(pts)
            )
        }
        AchievementCurve::PassFail { points } => {
            format!("reported: {} points for reporting", fmt_num(*points))
        }
        AchievementCurve::StandardisedZ { winsorise_percent } => format!(
            "winsorised z-score: P = {} clamped to the {}th–{}th percentiles, minus the mean, over the standard deviation: {}",
            fmt_num(pu),
            fmt_num(*winsorise_percent),
            fmt_num(100.0 - winsorise_percent),
            fmt_num(pts)
        ),
        AchievementCurve::ExcessOverThreshold => format!(
            "excess over the threshold: P = {} against {}: {} (0 at or better than the threshold)",
            fmt_num(pu),
            fmt_num(atu),
            fmt_num(pts)
        ),
    }
}

/// The improvement formula with the numbers plugged in (see [`achievement_rule`]).
#[allow(clippy::too_many_arguments)]
fn improvement_rule(
    curve: &ImprovementCurve,
    p: f64,
    b: f64,
    bm: f64,
    pu: f64,
    bu: f64,
    bmu: f64,
    pts: f64,
) -> String {
    if matches!(curve, ImprovementCurve::None) {
        return "no improvement credit in this program".into();
    }
    if b.is_nan() {
        return "no baseline rate: no improvement points".into();
    }
    if p.is_nan() {
        return "no performance rate: no points".into();
    }
    // Both are known here, so "not better" is plain `<=`.
    if p <= b {
        return format!(
            "P = {} not better than the baseline B = {}: 0",
            fmt_num(pu),
            fmt_num(bu)
        );
    }
    if bm.is_nan() {
        return format!("benchmark could not be set: {}", fmt_num(pts));
    }
    let sym = "(P − B) / (BM − B)";
    let nums = format!(
        "({} − {}) / ({} − {})",
        fmt_num(pu),
        fmt_num(bu),
        fmt_num(bmu),
        fmt_num(bu)
    );
    let beyond = |max: &str| {
        format!(
            "improved and at or beyond the benchmark {}: {max}",
            fmt_num(bmu)
        )
    };
    match curve {
        ImprovementCurve::None => unreachable!("handled above"),
        ImprovementCurve::HvbpPoints => {
            if p >= bm {
                beyond("9")
            } else {
                let raw = 10.0 * (p - b) / (bm - b) - 0.5;
                format!(
                    "round half up(10 × {sym} − 0.5) = round half up(10 × {nums} − 0.5) = round half up({}) = {} (0 to 9)",
                    fmt_num(raw),
                    fmt_num(pts)
                )
            }
        }
        ImprovementCurve::ScaledPoints => {
            if p >= bm {
                beyond("90")
            } else {
                format!(
                    "10 × (10 × {sym} − 0.5) = 10 × (10 × {nums} − 0.5), within 0 to 90 = {}",
                    fmt_num(pts)
                )
            }
        }
        ImprovementCurve::Linear { max } => {
            if p >= bm {
                beyond(&fmt_num(*max))
            } else {
                let m = fmt_num(*max);
                format!("{m} × {sym} = {m} × {nums} = {}", fmt_num(pts))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(15.583333333333334), "15.583333");
        assert_eq!(fmt_num(7.0), "7");
        assert_eq!(fmt_num(0.8802), "0.8802");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(f64::NAN), "—");
        assert_eq!(fmt_money(123_456_789), "$1,234,567.89");
        assert_eq!(fmt_money(-5), "−$0.05");
        assert_eq!(money_plain(-1205), "-12.05");
        assert_eq!(AuditValue::Cents(100_001).to_string(), "1000.01");
    }
}
