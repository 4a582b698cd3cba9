//! The algorithm: how the pool is distributed, and the caps and floors on what a provider
//! is paid.

use super::super::widgets::{self, combo, section, terms};
use crate::program::{
    BonusTier, Distribution, Eligibility, Gate, Limit, Pool, Program, Rung, SharedSavings, WeightBy,
};
use egui::{RichText, Ui};

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
    Ladder,
}

impl DistKind {
    const ALL: [DistKind; 9] = [
        DistKind::Share,
        DistKind::Linear,
        DistKind::Logistic,
        DistKind::Tiered,
        DistKind::Points,
        DistKind::Savings,
        DistKind::Reduction,
        DistKind::WorstShare,
        DistKind::Ladder,
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
            Distribution::Ladder { .. } => DistKind::Ladder,
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
            DistKind::Ladder => Distribution::Ladder {
                rungs: vec![
                    Rung {
                        measures_met: 1,
                        cents: 1_000_000,
                    },
                    Rung {
                        measures_met: 2,
                        cents: 2_500_000,
                    },
                    Rung {
                        measures_met: 3,
                        cents: 5_000_000,
                    },
                ],
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
            DistKind::Ladder => crate::app::widgets::glossary::LADDER,
        }
    }
}

pub(super) fn algorithm(ui: &mut Ui, program: &mut Program) {
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
    let measure_ids: Vec<String> = program.measures.iter().map(|m| m.id.clone()).collect();
    gate(ui, &mut program.payment, &measure_ids);
    let pay = &mut program.payment;

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
        Distribution::Ladder { rungs } => ladder_rungs(ui, rungs),
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

pub(super) fn limits(ui: &mut Ui, program: &mut Program) {
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

/// The gate: measures that must be reported and a least number of measures met.
fn gate(ui: &mut Ui, pay: &mut crate::program::Payment, measure_ids: &[String]) {
    ui.horizontal_wrapped(|ui| {
        let mut on = pay.gate.is_some();
        if ui
            .checkbox(
                &mut on,
                "Gate: a least number of measures met before anything is paid",
            )
            .on_hover_text(crate::app::widgets::glossary::GATE)
            .changed()
        {
            pay.gate = on.then(|| Gate {
                reported: Vec::new(),
                min_measures_met: 1,
            });
        }
        if let Some(g) = &mut pay.gate {
            ui.add(
                egui::DragValue::new(&mut g.min_measures_met)
                    .range(0..=100)
                    .prefix("measures met ≥ "),
            );
            ui.label("and reports");
            for id in measure_ids {
                let mut listed = g.reported.contains(id);
                if ui.checkbox(&mut listed, id.as_str()).changed() {
                    if listed {
                        g.reported.push(id.clone());
                    } else {
                        g.reported.retain(|r| r != id);
                    }
                }
            }
        }
    });
}

/// A ladder's rungs: measures met and the amount paid.
fn ladder_rungs(ui: &mut Ui, rungs: &mut Vec<Rung>) {
    let mut remove = None;
    egui::Grid::new("rungs").num_columns(3).show(ui, |ui| {
        ui.label(RichText::new("Measures met").weak());
        ui.label(RichText::new("Paid").weak());
        ui.end_row();
        for (i, r) in rungs.iter_mut().enumerate() {
            ui.add(egui::DragValue::new(&mut r.measures_met).range(0..=100))
                .accessible_name(format!("Rung {} measures met", i + 1));
            widgets::money(ui, &format!("Rung {} amount", i + 1), &mut r.cents, 1e9);
            if ui
                .small_button("✖")
                .accessible_name(format!("Remove rung {}", i + 1))
                .clicked()
            {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        rungs.remove(i);
    }
    if ui.button("➕ Add rung").clicked() {
        let next = rungs.last().map_or(1, |r| r.measures_met.saturating_add(1));
        rungs.push(Rung {
            measures_met: next,
            cents: 1_000_000,
        });
    }
}
