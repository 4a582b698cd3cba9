//! Scoring: achievement and improvement curves, how they combine, and the measure and
//! domain weights.

use super::super::widgets::{self, combo, section, terms};
use crate::program::{
    AchievementCurve, Combine, Domain, Eligibility, ImprovementCurve, Program, Tier, TotalRule,
};
use egui::{RichText, Ui};

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

pub(super) fn scoring(ui: &mut Ui, program: &mut Program) {
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
                    AchKind::Hvbp => "Threshold–benchmark points (0–10, whole points)",
                    AchKind::Scaled => "Threshold–benchmark points (0–100, unrounded)",
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
                    ImpKind::Hvbp => "Improvement points (0–9, whole points)",
                    ImpKind::Scaled => "Improvement points (0–90, unrounded)",
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
    improvement_target(ui, &mut sc.improvement_target);
    if sc.improvement == ImprovementCurve::None
        && program.payment.eligibility == Eligibility::ImproveOrBenchmark
    {
        widgets::warning(
            ui,
            "Providers are to earn by improving, but improvement earns no points: consider an improvement curve.",
        );
    }
}

pub(super) fn weights(ui: &mut Ui, program: &mut Program) {
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

/// The improvement target: what counts as "improved" (and as a measure met).
fn improvement_target(ui: &mut Ui, target: &mut Option<crate::program::ImprovementTarget>) {
    ui.horizontal_wrapped(|ui| {
        let mut on = target.is_some();
        if ui
            .checkbox(&mut on, "Improvement target")
            .on_hover_text(crate::app::widgets::glossary::IMPROVEMENT_TARGET)
            .changed()
        {
            *target = on.then_some(crate::program::ImprovementTarget {
                gap_share: 0.1,
                min_step: 0.02,
            });
        }
        if let Some(t) = target {
            let mut pct = t.gap_share * 100.0;
            if ui
                .add(
                    egui::DragValue::new(&mut pct)
                        .range(0.0..=100.0)
                        .speed(0.5)
                        .suffix("% of the gap"),
                )
                .changed()
            {
                t.gap_share = pct / 100.0;
            }
            ui.add(
                egui::DragValue::new(&mut t.min_step)
                    .range(0.0..=1_000.0)
                    .speed(0.001)
                    .prefix("at least "),
            );
            ui.label(RichText::new("(in the measure's units)").weak());
        }
    });
}
