//! The pool: how much money there is to pay out, and how often.

use super::super::widgets::{self, combo, section, terms};
use crate::app::session::Session;
use crate::program::{Frequency, Pool, Program};
use egui::{RichText, Ui};

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

pub(super) fn pool(ui: &mut Ui, program: &mut Program, session: &Session) {
    section(
        ui,
        "Pool",
        Some(
            "How much money the program puts at stake in a year, paid out in one or more payments.",
        ),
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
        // The slider gives up width so its value and name stay in view in a narrow pane.
        ui.spacing_mut().slider_width = (ui.available_width() - 260.0).clamp(120.0, 420.0);
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
                "= {} (computed by the engine)",
                crate::app::phasing::per_period_and_year(r.payment.pool_cents, pay.frequency)
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
