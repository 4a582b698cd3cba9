//! Step 6: the pool, payment frequency, the algorithm (scoring and distribution), weights, caps
//! and floors, with the engine's resulting figures. The live simulation panel beside this
//! screen is the app's.

use super::StepCtx;
use super::widgets::{self, combo, section, terms};
use crate::app::session::Session;
use crate::program::{
    AchievementCurve, BonusTier, Combine, Distribution, Domain, Eligibility, Frequency,
    ImprovementCurve, Limit, Pool, Program, SharedSavings, Tier, TotalRule, WeightBy,
};
use egui::{RichText, Ui};

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    egui::ScrollArea::vertical()
        .id_salt("payment-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            figures(ui, ctx.program, ctx.session);
            pool(ui, ctx.program, ctx.session);
            algorithm(ui, ctx.program);
            scoring(ui, ctx.program);
            weights(ui, ctx.program);
            limits(ui, ctx.program);
        });
}

fn figures(ui: &mut Ui, program: &Program, session: &Session) {
    let Some(r) = &session.results else {
        widgets::warning(
            ui,
            "No simulation yet: load data in step 5 to see what this model pays.",
        );
        return;
    };
    let p = &r.payment;
    let n = r.provider_count();
    ui.horizontal_wrapped(|ui| {
        widgets::figure(
            ui,
            "pool",
            &widgets::fmt_money_short(p.pool_cents),
            "The pool this model makes available",
        );
        ui.add_space(18.0);
        widgets::figure(
            ui,
            "paid",
            &widgets::fmt_money_short(p.paid_cents),
            "Total paid to providers",
        );
        ui.add_space(18.0);
        widgets::figure(
            ui,
            "not paid out",
            &widgets::fmt_money_short(p.unallocated_cents),
            "Pool left over: nobody eligible, caps, or the payer's share of a withhold",
        );
        ui.add_space(18.0);
        widgets::figure(
            ui,
            "providers earning",
            &format!("{} of {n}", r.earning_count()),
            "Providers paid more than zero",
        );
        if program.payment.two_sided || matches!(program.payment.pool, Pool::Withhold { .. }) {
            ui.add_space(18.0);
            widgets::figure(
                ui,
                "net losers",
                &r.penalised_count().to_string(),
                "Providers whose payout is less than what was withheld (or who owe a penalty)",
            );
        }
        ui.add_space(18.0);
        let eligible = r.eligible.iter().filter(|e| **e).count();
        widgets::figure(
            ui,
            "eligible",
            &format!("{eligible} of {n}"),
            "Providers the eligibility rule lets earn",
        );
        if p.exchange_factor.is_finite() {
            ui.add_space(18.0);
            widgets::figure(
                ui,
                "exchange factor",
                &format!("{:.6}", p.exchange_factor),
                "Slope (linear) or k (logistic) the engine solved so the pool is paid as designed",
            );
        }
    });
    let per_year = program.payment.frequency.payments_per_year() as i64;
    if per_year > 1 {
        ui.label(
            RichText::new(format!(
                "Paid {}: {per_year} payments of about {} each",
                program.payment.frequency.label().to_lowercase(),
                widgets::fmt_money_short(p.paid_cents / per_year)
            ))
            .weak(),
        );
    }
}

#[derive(Clone, Copy, PartialEq)]
enum PoolKind {
    Fixed,
    Spend,
    Pmpm,
    Withhold,
}

impl PoolKind {
    fn of(p: &Pool) -> PoolKind {
        match p {
            Pool::Fixed { .. } => PoolKind::Fixed,
            Pool::PercentOfSpend { .. } => PoolKind::Spend,
            Pool::Pmpm { .. } => PoolKind::Pmpm,
            Pool::Withhold { .. } => PoolKind::Withhold,
        }
    }
    fn label(self) -> String {
        match self {
            PoolKind::Fixed => "Fixed amount",
            PoolKind::Spend => "% of total spend",
            PoolKind::Pmpm => "Per member per month (PMPM)",
            PoolKind::Withhold => "Withhold from base payments",
        }
        .to_owned()
    }
}

fn pool(ui: &mut Ui, program: &mut Program, session: &Session) {
    section(
        ui,
        "Pool",
        Some("How much money the program puts at stake in a period."),
    );
    let pay = &mut program.payment;
    let mut kind = PoolKind::of(&pay.pool);
    ui.horizontal(|ui| {
        ui.label("Pool is");
        combo(
            ui,
            "pool-kind",
            "Pool type",
            &mut kind,
            &[
                PoolKind::Fixed,
                PoolKind::Spend,
                PoolKind::Pmpm,
                PoolKind::Withhold,
            ],
            PoolKind::label,
        );
        let tip = match kind {
            PoolKind::Withhold => terms::WITHHOLD,
            PoolKind::Pmpm => terms::PMPM,
            _ => "",
        };
        if !tip.is_empty() {
            widgets::help(ui, tip);
        }
    });
    if kind != PoolKind::of(&pay.pool) {
        let current = session
            .results
            .as_ref()
            .map_or(100_000_000, |r| r.payment.pool_cents);
        pay.pool = match kind {
            PoolKind::Fixed => Pool::Fixed {
                cents: current.max(0),
            },
            PoolKind::Spend => Pool::PercentOfSpend { percent: 1.0 },
            PoolKind::Pmpm => Pool::Pmpm {
                cents_per_member_month: 500,
                months: 12,
            },
            PoolKind::Withhold => Pool::Withhold { percent: 2.0 },
        };
    }
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().slider_width = 420.0;
        match &mut pay.pool {
            Pool::Fixed { cents } => {
                // The slider spans twice the current pool (at least $10M); typing goes beyond it.
                let max = ((*cents as f64 / 100.0) * 2.0).max(10_000_000.0);
                let mut dollars = *cents as f64 / 100.0;
                let r = ui.add(
                    egui::Slider::new(&mut dollars, 0.0..=max)
                        .text("Pool size")
                        .prefix("$")
                        .step_by(1000.0)
                        .clamping(egui::SliderClamping::Never)
                        .custom_formatter(|v, _| widgets::group_thousands(v, 0))
                        .custom_parser(widgets::parse_money),
                );
                if r.changed() {
                    *cents = (dollars.max(0.0) * 100.0).round() as i64;
                }
            }
            Pool::PercentOfSpend { percent } => {
                ui.add(
                    egui::Slider::new(percent, 0.0..=10.0)
                        .step_by(0.1)
                        .suffix("%")
                        .text("of total spend"),
                );
            }
            Pool::Pmpm {
                cents_per_member_month,
                months,
            } => {
                let mut d = *cents_per_member_month as f64 / 100.0;
                let r = ui.add(
                    egui::Slider::new(&mut d, 0.0..=50.0)
                        .step_by(0.25)
                        .prefix("$")
                        .text("per member per month"),
                );
                if r.changed() {
                    *cents_per_member_month = (d * 100.0).round() as i64;
                }
                ui.label("for");
                ui.add(egui::DragValue::new(months).range(1..=36).suffix(" months"))
                    .accessible_name("PMPM months");
            }
            Pool::Withhold { percent } => {
                ui.add(
                    egui::Slider::new(percent, 0.0..=10.0)
                        .step_by(0.1)
                        .suffix("%")
                        .text("of base payments withheld"),
                )
                .on_hover_text(terms::WITHHOLD);
            }
        }
    });
    if let Some(r) = &session.results {
        ui.label(
            RichText::new(format!(
                "= {} this period (computed by the engine)",
                widgets::fmt_money(r.payment.pool_cents)
            ))
            .weak(),
        );
    }
    ui.horizontal(|ui| {
        ui.label("Paid");
        combo(
            ui,
            "frequency",
            "Payment frequency",
            &mut pay.frequency,
            &Frequency::ALL,
            |f| f.label().to_owned(),
        );
        widgets::help(
            ui,
            "More frequent payments keep the incentive close to the work but need data that \
             arrives as often; annual is common while data matures.",
        );
    });
}

#[derive(Clone, Copy, PartialEq)]
enum DistKind {
    Share,
    Linear,
    Logistic,
    Tiered,
    Points,
    Savings,
    Reduction,
    WorstShare,
}

impl DistKind {
    const ALL: [DistKind; 8] = [
        DistKind::Share,
        DistKind::Linear,
        DistKind::Logistic,
        DistKind::Tiered,
        DistKind::Points,
        DistKind::Savings,
        DistKind::Reduction,
        DistKind::WorstShare,
    ];
    fn of(d: &Distribution) -> DistKind {
        match d {
            Distribution::ShareOfPool => DistKind::Share,
            Distribution::LinearExchange => DistKind::Linear,
            Distribution::LogisticExchange { .. } => DistKind::Logistic,
            Distribution::Tiered { .. } => DistKind::Tiered,
            Distribution::PointsValue { .. } => DistKind::Points,
            Distribution::SharedSavings(_) => DistKind::Savings,
            Distribution::Reduction { .. } => DistKind::Reduction,
            Distribution::WorstShareReduction { .. } => DistKind::WorstShare,
        }
    }
    fn make(self) -> Distribution {
        match self {
            DistKind::Share => Distribution::ShareOfPool,
            DistKind::Linear => Distribution::LinearExchange,
            DistKind::Logistic => Distribution::LogisticExchange {
                payback_share: 60.0,
                slope: 0.1,
                midpoint: 50.0,
                stated_k: None,
            },
            DistKind::Tiered => Distribution::Tiered {
                tiers: vec![
                    BonusTier {
                        min_score: 50.0,
                        cents: 1_000_000,
                    },
                    BonusTier {
                        min_score: 75.0,
                        cents: 2_500_000,
                    },
                    BonusTier {
                        min_score: 90.0,
                        cents: 5_000_000,
                    },
                ],
            },
            DistKind::Points => Distribution::PointsValue {
                cents_per_point: 10_000,
            },
            DistKind::Savings => Distribution::SharedSavings(SharedSavings::default()),
            DistKind::Reduction => Distribution::Reduction {
                scale: 1.0,
                round_decimals: Some(4),
                max_percent: 3.0,
            },
            DistKind::WorstShare => Distribution::WorstShareReduction {
                worst_percent: 25.0,
                percent: 1.0,
            },
        }
    }
    fn label(self) -> String {
        self.make().label().to_owned()
    }
    fn help(self) -> &'static str {
        match self {
            DistKind::Share => {
                "Each earning provider gets pool × its score·weight ÷ everyone's score·weight; the whole pool is paid."
            }
            DistKind::Linear => terms::EXCHANGE,
            DistKind::Logistic => terms::EXCHANGE,
            DistKind::Tiered => {
                "A fixed bonus for reaching a score tier: the highest tier reached pays."
            }
            DistKind::Points => {
                "QOF-style: each point is worth a fixed amount (scaled by the provider's weight)."
            }
            DistKind::Savings => {
                "Providers share the savings below their benchmark spend beyond a minimum savings rate, optionally scaled by quality."
            }
            DistKind::Reduction => crate::app::widgets::glossary::PAYMENT_REDUCTION,
            DistKind::WorstShare => crate::app::widgets::glossary::PERCENTILE_CUT,
        }
    }
}

fn algorithm(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Who earns, and how the pool is shared",
        Some(terms::IMPROVE_OR_BENCHMARK),
    );
    let pay = &mut program.payment;
    // Eligibility.
    #[derive(Clone, Copy, PartialEq)]
    enum Elig {
        Any,
        Min,
        ImproveOrBench,
    }
    let mut e = match pay.eligibility {
        Eligibility::Any => Elig::Any,
        Eligibility::MinScore(_) => Elig::Min,
        Eligibility::ImproveOrBenchmark => Elig::ImproveOrBench,
    };
    ui.horizontal(|ui| {
        ui.label("A provider earns if it");
        combo(
            ui,
            "eligibility",
            "Eligibility rule",
            &mut e,
            &[Elig::ImproveOrBench, Elig::Min, Elig::Any],
            |e| {
                match e {
                    Elig::ImproveOrBench => "improves or hits the benchmark (recommended)",
                    Elig::Min => "reaches a minimum total score",
                    Elig::Any => "has any total score",
                }
                .to_owned()
            },
        );
        widgets::help(ui, terms::IMPROVE_OR_BENCHMARK);
    });
    let new = match (e, pay.eligibility) {
        (Elig::Any, _) => Eligibility::Any,
        (Elig::ImproveOrBench, _) => Eligibility::ImproveOrBenchmark,
        (Elig::Min, Eligibility::MinScore(v)) => Eligibility::MinScore(v),
        (Elig::Min, _) => Eligibility::MinScore(50.0),
    };
    if new != pay.eligibility {
        pay.eligibility = new;
    }
    if let Eligibility::MinScore(v) = &mut pay.eligibility {
        ui.add(
            egui::Slider::new(v, 0.0..=100.0)
                .step_by(1.0)
                .text("minimum total score"),
        );
    }

    // Distribution.
    let mut d = DistKind::of(&pay.distribution);
    ui.horizontal(|ui| {
        ui.label("Pool shared by");
        combo(
            ui,
            "distribution",
            "Distribution algorithm",
            &mut d,
            &DistKind::ALL,
            DistKind::label,
        );
        widgets::help(ui, d.help());
    });
    if d != DistKind::of(&pay.distribution) {
        pay.distribution = d.make();
    }
    let withhold = matches!(pay.pool, Pool::Withhold { .. });
    match &mut pay.distribution {
        Distribution::ShareOfPool => {}
        Distribution::LinearExchange => {
            if !withhold {
                widgets::warning(
                    ui,
                    "The linear exchange function pays back a withhold: choose “Withhold” as the pool.",
                );
            }
        }
        Distribution::LogisticExchange {
            payback_share,
            slope,
            midpoint,
            stated_k,
        } => {
            if !withhold {
                widgets::warning(
                    ui,
                    "The logistic exchange function pays back a withhold: choose “Withhold” as the pool.",
                );
            }
            ui.horizontal_wrapped(|ui| {
                ui.add(
                    egui::Slider::new(payback_share, 0.0..=100.0)
                        .suffix("%")
                        .text("of the withhold paid back"),
                );
                ui.add(egui::Slider::new(slope, 0.01..=0.5).text("slope"));
                ui.add(egui::Slider::new(midpoint, 0.0..=100.0).text("midpoint score"));
            });
            // k solved from the payback share, or stated as a program publishes it.
            ui.horizontal_wrapped(|ui| {
                let mut stated = stated_k.is_some();
                if ui
                    .checkbox(&mut stated, "State k as published")
                    .on_hover_text(crate::app::widgets::glossary::EXCHANGE_FUNCTION)
                    .changed()
                {
                    *stated_k = stated.then_some(0.04);
                }
                if let Some(k) = stated_k {
                    ui.add(
                        egui::DragValue::new(k)
                            .range(0.0..=1.0)
                            .speed(0.0001)
                            .max_decimals(9)
                            .prefix("k = "),
                    );
                }
            });
        }
        Distribution::Tiered { tiers } => {
            let mut remove = None;
            egui::Grid::new("tiers").num_columns(3).show(ui, |ui| {
                ui.label(RichText::new("Minimum score").weak());
                ui.label(RichText::new("Bonus").weak());
                ui.end_row();
                for (i, t) in tiers.iter_mut().enumerate() {
                    widgets::number(
                        ui,
                        &format!("Tier {} minimum score", i + 1),
                        &mut t.min_score,
                        0.0..=100.0,
                        0.5,
                    );
                    widgets::money(ui, &format!("Tier {} bonus", i + 1), &mut t.cents, 1e9);
                    if ui
                        .small_button("✖")
                        .accessible_name(format!("Remove tier {}", i + 1))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                tiers.remove(i);
            }
            if ui.button("➕ Add tier").clicked() {
                let min = tiers
                    .last()
                    .map_or(50.0, |t| (t.min_score + 10.0).min(100.0));
                tiers.push(BonusTier {
                    min_score: min,
                    cents: 1_000_000,
                });
            }
        }
        Distribution::PointsValue { cents_per_point } => {
            ui.horizontal(|ui| {
                ui.label("Each point is worth");
                widgets::money(ui, "Value per point", cents_per_point, 1e8);
            });
        }
        Distribution::WorstShareReduction {
            worst_percent,
            percent,
        } => {
            ui.horizontal_wrapped(|ui| {
                ui.add(
                    egui::Slider::new(worst_percent, 0.0..=100.0)
                        .suffix("%")
                        .text("worst-scoring share penalised"),
                );
                ui.add(
                    egui::Slider::new(percent, 0.0..=100.0)
                        .suffix("%")
                        .text("of base payments lost"),
                );
            });
        }
        Distribution::Reduction {
            scale, max_percent, ..
        } => {
            ui.horizontal_wrapped(|ui| {
                ui.add(
                    egui::DragValue::new(scale)
                        .range(0.0..=10.0)
                        .speed(0.001)
                        .prefix("scale × total: "),
                );
                ui.add(
                    egui::Slider::new(max_percent, 0.0..=100.0)
                        .suffix("%")
                        .text("most a provider loses"),
                );
            });
        }
        Distribution::SharedSavings(s) => {
            ui.horizontal_wrapped(|ui| {
                for (v, text, max) in [
                    (&mut s.min_savings_rate, "minimum savings rate", 0.2),
                    (&mut s.sharing_rate, "sharing rate", 1.0),
                    (&mut s.cap_rate, "cap (share of benchmark)", 0.5),
                ] {
                    let mut pct = *v * 100.0;
                    if ui
                        .add(
                            egui::Slider::new(&mut pct, 0.0..=max * 100.0)
                                .suffix("%")
                                .text(text),
                        )
                        .changed()
                    {
                        *v = pct / 100.0;
                    }
                }
                ui.checkbox(&mut s.quality_adjusted, "Scale by quality score");
            });
            if pay.two_sided {
                ui.horizontal_wrapped(|ui| {
                    for (v, text) in [
                        (&mut s.min_loss_rate, "minimum loss rate"),
                        (&mut s.loss_sharing_rate, "loss sharing rate"),
                    ] {
                        let mut pct = *v * 100.0;
                        if ui
                            .add(
                                egui::Slider::new(&mut pct, 0.0..=100.0)
                                    .suffix("%")
                                    .text(text),
                            )
                            .changed()
                        {
                            *v = pct / 100.0;
                        }
                    }
                });
            }
        }
    }
    ui.horizontal(|ui| {
        ui.label("Weight each provider's share by");
        combo(
            ui,
            "weight-by",
            "Weight providers by",
            &mut pay.weight_by,
            &WeightBy::ALL,
            |w| w.label().to_owned(),
        );
        widgets::help(
            ui,
            "Equal: every provider's score counts the same. Attributed lives or base payments: \
             larger providers get proportionally more for the same score.",
        );
    });
}

#[derive(Clone, Copy, PartialEq)]
enum AchKind {
    Hvbp,
    Scaled,
    Linear,
    Tiers,
    PassFail,
    Excess,
    Z,
}

#[derive(Clone, Copy, PartialEq)]
enum ImpKind {
    None,
    Hvbp,
    Scaled,
    Linear,
}

fn scoring(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Scoring",
        Some(
            "How each measure's result becomes points, and how achievement and improvement combine.",
        ),
    );
    let sc = &mut program.scoring;
    let mut a = match sc.achievement {
        AchievementCurve::HvbpPoints => AchKind::Hvbp,
        AchievementCurve::ScaledPoints => AchKind::Scaled,
        AchievementCurve::Linear { .. } => AchKind::Linear,
        AchievementCurve::Tiers { .. } => AchKind::Tiers,
        AchievementCurve::PassFail { .. } => AchKind::PassFail,
        AchievementCurve::ExcessOverThreshold => AchKind::Excess,
        AchievementCurve::StandardisedZ { .. } => AchKind::Z,
    };
    ui.horizontal(|ui| {
        ui.label("Achievement points")
            .on_hover_text(terms::THRESHOLD);
        combo(
            ui,
            "achievement",
            "Achievement curve",
            &mut a,
            &[
                AchKind::Hvbp,
                AchKind::Scaled,
                AchKind::Linear,
                AchKind::Tiers,
                AchKind::PassFail,
                AchKind::Excess,
                AchKind::Z,
            ],
            |k| {
                match k {
                    AchKind::Hvbp => "Hospital VBP points (0–10, rounded)",
                    AchKind::Scaled => "SNF VBP scaled points (0–100)",
                    AchKind::Linear => "Linear from threshold to benchmark",
                    AchKind::Tiers => "Tiers",
                    AchKind::PassFail => "Pass / fail (pay for reporting)",
                    AchKind::Excess => "Excess over the threshold (penalty)",
                    AchKind::Z => "Winsorised z-score (standardised)",
                }
                .to_owned()
            },
        );
    });
    ui.horizontal(|ui| {
        ui.label("Total score")
            .on_hover_text(crate::app::widgets::glossary::WEIGHTED_SUM);
        combo(
            ui,
            "total-rule",
            "Total score",
            &mut sc.total,
            &[
                TotalRule::WeightedMean,
                TotalRule::WeightedSum,
                TotalRule::MeanOfScores,
            ],
            |t| t.label().to_owned(),
        );
    });
    if matches!(sc.achievement, AchievementCurve::ExcessOverThreshold) {
        ui.label(RichText::new(crate::app::widgets::glossary::EXCESS_OVER_THRESHOLD).weak());
    }
    if let AchievementCurve::StandardisedZ { winsorise_percent } = &mut sc.achievement {
        ui.label(RichText::new(crate::app::widgets::glossary::STANDARDISED_Z).weak());
        ui.add(
            egui::Slider::new(winsorise_percent, 0.0..=25.0)
                .suffix("%")
                .text("winsorised at this percentile and its mirror"),
        );
    }
    let cur = match sc.achievement {
        AchievementCurve::HvbpPoints => AchKind::Hvbp,
        AchievementCurve::ScaledPoints => AchKind::Scaled,
        AchievementCurve::Linear { .. } => AchKind::Linear,
        AchievementCurve::Tiers { .. } => AchKind::Tiers,
        AchievementCurve::PassFail { .. } => AchKind::PassFail,
        AchievementCurve::ExcessOverThreshold => AchKind::Excess,
        AchievementCurve::StandardisedZ { .. } => AchKind::Z,
    };
    if a != cur {
        sc.achievement = match a {
            AchKind::Hvbp => AchievementCurve::HvbpPoints,
            AchKind::Scaled => AchievementCurve::ScaledPoints,
            AchKind::Linear => AchievementCurve::Linear { max: 10.0 },
            AchKind::Tiers => AchievementCurve::Tiers {
                tiers: vec![
                    Tier {
                        at: 0.0,
                        points: 5.0,
                    },
                    Tier {
                        at: 1.0,
                        points: 10.0,
                    },
                ],
            },
            AchKind::PassFail => AchievementCurve::PassFail { points: 10.0 },
            AchKind::Excess => AchievementCurve::ExcessOverThreshold,
            AchKind::Z => AchievementCurve::StandardisedZ {
                winsorise_percent: 5.0,
            },
        };
    }
    match &mut sc.achievement {
        AchievementCurve::Linear { max } | AchievementCurve::PassFail { points: max } => {
            ui.add(egui::Slider::new(max, 1.0..=100.0).text("points at most"));
        }
        AchievementCurve::Tiers { tiers } => {
            let mut remove = None;
            egui::Grid::new("ach-tiers").num_columns(3).show(ui, |ui| {
                ui.label(RichText::new("Reached (0 = threshold, 1 = benchmark)").weak());
                ui.label(RichText::new("Points").weak());
                ui.end_row();
                for (i, t) in tiers.iter_mut().enumerate() {
                    widgets::number(
                        ui,
                        &format!("Achievement tier {} position", i + 1),
                        &mut t.at,
                        -1.0..=2.0,
                        0.01,
                    );
                    widgets::number(
                        ui,
                        &format!("Achievement tier {} points", i + 1),
                        &mut t.points,
                        0.0..=100.0,
                        0.1,
                    );
                    if ui
                        .small_button("✖")
                        .accessible_name(format!("Remove achievement tier {}", i + 1))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                tiers.remove(i);
            }
            if ui.button("➕ Add achievement tier").clicked() {
                tiers.push(Tier {
                    at: 1.0,
                    points: 10.0,
                });
            }
        }
        _ => {}
    }
    let mut im = match sc.improvement {
        ImprovementCurve::None => ImpKind::None,
        ImprovementCurve::HvbpPoints => ImpKind::Hvbp,
        ImprovementCurve::ScaledPoints => ImpKind::Scaled,
        ImprovementCurve::Linear { .. } => ImpKind::Linear,
    };
    let cur = im;
    ui.horizontal(|ui| {
        ui.label("Improvement points")
            .on_hover_text(terms::IMPROVEMENT);
        combo(
            ui,
            "improvement",
            "Improvement curve",
            &mut im,
            &[
                ImpKind::Hvbp,
                ImpKind::Scaled,
                ImpKind::Linear,
                ImpKind::None,
            ],
            |k| {
                match k {
                    ImpKind::None => "No improvement credit",
                    ImpKind::Hvbp => "Hospital VBP points (0–9, rounded)",
                    ImpKind::Scaled => "SNF VBP scaled points (0–90)",
                    ImpKind::Linear => "Linear share of the gap closed",
                }
                .to_owned()
            },
        );
        widgets::help(ui, terms::IMPROVEMENT);
    });
    if im != cur {
        sc.improvement = match im {
            ImpKind::None => ImprovementCurve::None,
            ImpKind::Hvbp => ImprovementCurve::HvbpPoints,
            ImpKind::Scaled => ImprovementCurve::ScaledPoints,
            ImpKind::Linear => ImprovementCurve::Linear { max: 9.0 },
        };
    }
    if let ImprovementCurve::Linear { max } = &mut sc.improvement {
        ui.add(egui::Slider::new(max, 1.0..=100.0).text("improvement points at most"));
    }
    ui.horizontal(|ui| {
        ui.label("Measure score");
        combo(
            ui,
            "combine",
            "How achievement and improvement combine",
            &mut sc.combine,
            &Combine::ALL,
            |c| c.label().to_owned(),
        );
    });
    if sc.improvement == ImprovementCurve::None
        && program.payment.eligibility == Eligibility::ImproveOrBenchmark
    {
        widgets::warning(
            ui,
            "Providers are to earn by improving, but improvement earns no points: consider an improvement curve.",
        );
    }
}

fn weights(ui: &mut Ui, program: &mut Program) {
    section(
        ui,
        "Domains and weights",
        Some(
            "Measures are grouped into domains; each domain's weight is its share of the total score.",
        ),
    );
    let total: f64 = program
        .scoring
        .domains
        .iter()
        .map(|d| d.weight.max(0.0))
        .sum();
    let mut remove = None;
    let counts: Vec<usize> = program
        .scoring
        .domains
        .iter()
        .map(|d| {
            program
                .scored_measures()
                .filter(|m| m.domain == d.id)
                .count()
        })
        .collect();
    egui::Grid::new("domains").num_columns(6).striped(true).show(ui, |ui| {
        if !program.scoring.domains.is_empty() {
            for h in ["Domain", "Weight", "Share of total", "Min. measures", "Measures", ""] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
        }
        for (i, d) in program.scoring.domains.iter_mut().enumerate() {
            widgets::cell_text(ui, &format!("Domain {} name", i + 1), &mut d.name, 200.0);
            widgets::number(ui, &format!("{} weight", d.name), &mut d.weight, 0.0..=100.0, 0.01);
            ui.label(widgets::fmt_percent(if total > 0.0 { d.weight.max(0.0) / total } else { f64::NAN }));
            ui.add(egui::DragValue::new(&mut d.min_measures).range(0..=20))
                .accessible_name(format!("{} minimum measures", d.name))
                .on_hover_text("A provider with fewer scored measures than this has no score in the domain");
            ui.label(counts[i].to_string());
            if ui.small_button("✖").accessible_name(format!("Remove domain {}", d.name)).clicked() {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        let d = program.scoring.domains.remove(i);
        for m in &mut program.measures {
            if m.domain == d.id {
                m.domain.clear();
            }
        }
    }
    if ui.button("➕ Add domain").clicked() {
        let mut k = program.scoring.domains.len() + 1;
        while program
            .scoring
            .domains
            .iter()
            .any(|d| d.id == format!("domain_{k}"))
        {
            k += 1;
        }
        program.scoring.domains.push(Domain {
            id: format!("domain_{k}"),
            name: format!("Domain {k}"),
            ..Domain::default()
        });
    }
    // Which domain each vital-few measure counts in, and its weight there.
    let domains: Vec<(String, String)> = program
        .scoring
        .domains
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                if d.name.is_empty() {
                    d.id.clone()
                } else {
                    d.name.clone()
                },
            )
        })
        .collect();
    ui.add_space(6.0);
    ui.label(RichText::new("Vital-few measures").strong());
    egui::Grid::new("measure-weights")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for h in ["Measure", "", "Domain", "Weight in domain"] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for m in program.measures.iter_mut().filter(|m| m.vital_few) {
                ui.label(RichText::new(&m.id).monospace().strong());
                widgets::fixed_label(ui, &m.title, 260.0).on_hover_text(&m.title);
                if domains.is_empty() {
                    ui.label(RichText::new("all measures count equally").weak());
                } else {
                    let shown = domains
                        .iter()
                        .find(|(id, _)| *id == m.domain)
                        .map_or("none (not counted)".to_owned(), |(_, n)| n.clone());
                    egui::ComboBox::from_id_salt(("measure-domain", &m.id))
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            for (id, name) in &domains {
                                ui.selectable_value(&mut m.domain, id.clone(), name);
                            }
                        })
                        .response
                        .accessible_name(format!("Domain of {}", m.id));
                }
                widgets::number(
                    ui,
                    &format!("Weight of {}", m.id),
                    &mut m.weight,
                    0.0..=100.0,
                    0.01,
                );
                ui.end_row();
            }
        });
}

#[derive(Clone, Copy, PartialEq)]
enum LimitKind {
    Cents,
    Percent,
}

/// Edits an optional per-provider limit; `what` names it ("Cap", "Floor").
fn limit_editor(ui: &mut Ui, what: &str, tip: &str, limit: &mut Option<Limit>) {
    ui.horizontal(|ui| {
        let mut on = limit.is_some();
        if ui.checkbox(&mut on, what).on_hover_text(tip).changed() {
            *limit = on.then_some(Limit::Cents(5_000_000));
        }
        let Some(l) = limit else {
            return;
        };
        let mut k = match l {
            Limit::Cents(_) => LimitKind::Cents,
            Limit::PercentOfBase(_) => LimitKind::Percent,
        };
        let before = k;
        combo(
            ui,
            (what, "kind"),
            &format!("{what} kind"),
            &mut k,
            &[LimitKind::Cents, LimitKind::Percent],
            |k| {
                match k {
                    LimitKind::Cents => "amount per provider",
                    LimitKind::Percent => "% of base payments",
                }
                .to_owned()
            },
        );
        if k != before {
            *l = match k {
                LimitKind::Cents => Limit::Cents(5_000_000),
                LimitKind::Percent => Limit::PercentOfBase(5.0),
            };
        }
        match l {
            Limit::Cents(c) => {
                widgets::money(ui, &format!("{what} amount"), c, 1e9);
            }
            Limit::PercentOfBase(p) => {
                ui.add(
                    egui::DragValue::new(p)
                        .range(0.0..=100.0)
                        .speed(0.1)
                        .suffix("%"),
                )
                .accessible_name(format!("{what} percent of base payments"));
            }
        }
    });
}

fn limits(ui: &mut Ui, program: &mut Program) {
    section(ui, "Caps, floors and risk", None);
    let pay = &mut program.payment;
    limit_editor(
        ui,
        "Cap",
        "Most a provider may be paid in the period; what a cap cuts goes to the others.",
        &mut pay.cap,
    );
    limit_editor(
        ui,
        "Floor",
        "Least an earning provider is paid (upside only), or the most it can lose (two-sided).",
        &mut pay.floor,
    );
    ui.checkbox(
        &mut pay.two_sided,
        "Two-sided: providers can owe money as well as earn",
    )
    .on_hover_text(terms::TWO_SIDED);
}

pub(super) fn problems(program: &Program, session: &Session) -> Vec<String> {
    let mut out = Vec::new();
    let pay = &program.payment;
    let zero_rule = match &pay.pool {
        Pool::Fixed { cents } => *cents <= 0,
        Pool::PercentOfSpend { percent } | Pool::Withhold { percent } => *percent <= 0.0,
        Pool::Pmpm {
            cents_per_member_month,
            months,
        } => *cents_per_member_month <= 0 || *months == 0,
    };
    match &session.results {
        Some(r) if zero_rule || r.payment.pool_cents <= 0 => out.push("pool is $0".to_owned()),
        None if zero_rule => out.push("pool is $0".to_owned()),
        _ => {}
    }
    let exchange = matches!(
        pay.distribution,
        Distribution::LinearExchange | Distribution::LogisticExchange { .. }
    );
    if exchange && !matches!(pay.pool, Pool::Withhold { .. }) {
        out.push("an exchange function needs a withhold pool".to_owned());
    }
    let sc = &program.scoring;
    if !sc.domains.is_empty() {
        if sc.domains.iter().map(|d| d.weight.max(0.0)).sum::<f64>() <= 0.0 {
            out.push("domain weights add to 0".to_owned());
        }
        let loose: Vec<&str> = program
            .scored_measures()
            .filter(|m| !sc.domains.iter().any(|d| d.id == m.domain))
            .map(|m| m.id.as_str())
            .collect();
        if !loose.is_empty() {
            out.push(format!("no scoring domain for {}", loose.join(", ")));
        }
    }
    match &session.results {
        None => out.push("no simulation yet (load data in step 5)".to_owned()),
        Some(r) if r.payment.pool_cents > 0 && r.payment.paid_cents == 0 => {
            out.push("no provider earns anything".to_owned());
        }
        _ => {}
    }
    out
}
