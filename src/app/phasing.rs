//! Phases as the window names them, the pool's per-period wording, and the budget view (money
//! by phase and by calendar year; the figures come from `program::plan::budget`).

use crate::format::{money_exact, percent};
use crate::program::plan::{Budget, budget, end_month, even_payment, payments_in};
use crate::program::{Frequency, Phase, PhaseKind, Program};
use egui::{RichText, Ui};

/// "Phase 2 · Pay for reporting · 2027-01 to 2027-12" (`index` from 0).
pub fn phase_label(index: usize, p: &Phase) -> String {
    let months = match end_month(p) {
        Some(end) => format!("{} to {end}", p.start.trim()),
        None => format!("{} months, no start month", p.months),
    };
    let kind = p.kind.label();
    let name = p.name.trim();
    // "Phase 2 · Reporting · Pay for reporting" says the same thing twice.
    if name.is_empty() || kind.to_lowercase().contains(&name.to_lowercase()) {
        format!("Phase {} · {kind} · {months}", index + 1)
    } else {
        format!("Phase {} · {name} · {kind} · {months}", index + 1)
    }
}

/// The live panel's choice for the whole program.
pub const WHOLE_PROGRAM: &str = "Whole program (the full design)";

/// What the live panel's Modelling list has chosen, as every view that shows a payout names
/// it: "Modelling: Phase 1 · Pay for participation · 2026-01 to 2026-12 (10% of the pool)", or
/// "Modelling: Whole program (the full design)". `phase` indexes `program.phases`.
pub fn modelling_text(program: &Program, phase: Option<usize>) -> String {
    match phase.and_then(|i| program.phases.get(i).map(|p| (i, p))) {
        Some((i, p)) => format!(
            "Modelling: {} ({} of the pool)",
            phase_label(i, p),
            percent(p.pool_share, 0)
        ),
        None => format!("Modelling: {WHOLE_PROGRAM}"),
    }
}

/// "$1,000,000.00 per quarter · $4,000,000.00 per year" for a year's pool of `per_year_cents`
/// paid at `frequency` ("$4,000,000.00 per year" when paid once a year). Where the year does
/// not divide evenly into payments, the first ones are a cent larger and the text says
/// "about".
pub fn per_period_and_year(per_year_cents: i64, frequency: Frequency) -> String {
    let per_year = frequency.payments_per_year();
    let year = format!("{} per year", money_exact(per_year_cents));
    if per_year <= 1 {
        return year;
    }
    let (first, equal) = even_payment(per_year_cents, per_year);
    let about = if equal { "" } else { "about " };
    format!(
        "{about}{} per {} · {year}",
        money_exact(first),
        frequency.period()
    )
}

/// What a phase pays over its months: "$400,000.00 over 6 months: 2 payments of
/// $200,000.00 (quarterly)".
pub fn phase_payments(phase_cents: i64, months: u32, frequency: Frequency) -> String {
    let n = payments_in(months, frequency);
    let (first, equal) = even_payment(phase_cents, n);
    let about = if equal { "" } else { "about " };
    let months = months.max(1);
    if n == 1 {
        format!(
            "{} over {months} months, in one payment",
            money_exact(phase_cents)
        )
    } else {
        format!(
            "{} over {months} months: {n} payments of {about}{} ({})",
            money_exact(phase_cents),
            money_exact(first),
            frequency.label().to_lowercase()
        )
    }
}

/// How a phase of this kind pays, in a few words.
pub fn kind_rule(kind: PhaseKind) -> &'static str {
    match kind {
        PhaseKind::Participation => "paid to every provider taking part (attributed lives)",
        PhaseKind::Reporting => {
            "paid for each of the phase's measures a provider reports with a valid denominator"
        }
        PhaseKind::Performance | PhaseKind::Success => {
            "paid on scores of the phase's measures, with the program's payment model"
        }
    }
}

/// The budget view: money by phase and by calendar year, from a year's pool of `pool_cents`.
pub fn budget_view(ui: &mut Ui, program: &Program, pool_cents: Option<i64>) {
    let Some(pool) = pool_cents else {
        ui.label(RichText::new("Load data to see the pool the budget shares out.").weak());
        return;
    };
    let freq = program.payment.frequency;
    let b = budget(pool, &program.phases, freq);
    ui.label(
        RichText::new(format!(
            "The pool: {}. Each phase pays its share of it over its months, {}.",
            per_period_and_year(pool, freq),
            freq.label().to_lowercase()
        ))
        .weak(),
    );
    egui::Grid::new("budget-phases")
        .num_columns(5)
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in ["Phase", "Months", "Share", "Money", "Payments"] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for (i, (p, pb)) in program.phases.iter().zip(&b.phases).enumerate() {
                ui.label(format!("{}. {} ({})", i + 1, p.name, p.kind.label()));
                ui.label(match (&pb.start, &pb.end) {
                    (Some(s), Some(e)) => format!("{s} to {e}"),
                    _ => "no start month".to_owned(),
                });
                ui.label(percent(pb.share, 0));
                ui.label(money_exact(pb.cents));
                ui.label(payments_text(
                    pb.payments,
                    pb.payment_cents,
                    pb.payments_equal,
                    freq,
                ));
                ui.end_row();
            }
            ui.label(RichText::new("Total").strong());
            ui.label("");
            ui.label(percent(b.share_total, 0));
            ui.label(RichText::new(money_exact(b.total_cents)).strong());
            ui.label("");
            ui.end_row();
        });
    years_table(ui, program, &b);
}

fn payments_text(n: u32, first: i64, equal: bool, freq: Frequency) -> String {
    let about = if equal { "" } else { "about " };
    if n <= 1 {
        "one payment".to_owned()
    } else {
        format!(
            "{n} × {about}{} (per {})",
            money_exact(first),
            freq.period()
        )
    }
}

fn years_table(ui: &mut Ui, program: &Program, b: &Budget) {
    if b.years.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new("By calendar year (a phase spanning years is split by its months)").weak(),
    );
    egui::Grid::new("budget-years")
        .num_columns(3)
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in ["Year", "Money", "From"] {
                ui.label(RichText::new(h).weak());
            }
            ui.end_row();
            for y in &b.years {
                ui.label(y.year.to_string());
                ui.label(money_exact(y.cents));
                let from: Vec<String> = y
                    .by_phase
                    .iter()
                    .map(|(i, c)| {
                        let name = program.phases.get(*i).map_or("", |p| p.name.as_str());
                        format!("{name} {}", money_exact(*c))
                    })
                    .collect();
                ui.label(from.join(" + "));
                ui.end_row();
            }
            ui.label(RichText::new("Total").strong());
            ui.label(RichText::new(money_exact(b.years.iter().map(|y| y.cents).sum())).strong());
            ui.label(if b.unscheduled_cents > 0 {
                format!(
                    "{} more in phases without a start month",
                    money_exact(b.unscheduled_cents)
                )
            } else {
                String::new()
            });
            ui.end_row();
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_reads_per_period_and_per_year() {
        assert_eq!(
            per_period_and_year(400_000_000, Frequency::Quarterly),
            "$1,000,000.00 per quarter · $4,000,000.00 per year"
        );
        assert_eq!(
            per_period_and_year(400_000_000, Frequency::Annual),
            "$4,000,000.00 per year"
        );
        assert_eq!(
            per_period_and_year(100, Frequency::Monthly),
            "about $0.09 per month · $1.00 per year"
        );
        assert_eq!(
            phase_payments(40_000_000, 6, Frequency::Quarterly),
            "$400,000.00 over 6 months: 2 payments of $200,000.00 (quarterly)"
        );
    }

    #[test]
    fn the_modelled_phase_is_named_with_its_months_and_share() {
        let program = Program {
            phases: vec![Phase {
                name: "Participation".into(),
                kind: PhaseKind::Participation,
                start: "2026-01".into(),
                months: 12,
                pool_share: 0.1,
                ..Phase::default()
            }],
            ..Program::default()
        };
        assert_eq!(
            modelling_text(&program, Some(0)),
            "Modelling: Phase 1 · Pay for participation · 2026-01 to 2026-12 (10% of the pool)"
        );
        assert_eq!(
            modelling_text(&program, None),
            "Modelling: Whole program (the full design)"
        );
        // A phase that no longer exists: the whole program.
        assert_eq!(
            modelling_text(&program, Some(3)),
            modelling_text(&program, None)
        );
    }

    #[test]
    fn phases_are_labelled_with_name_kind_and_months() {
        let p = Phase {
            name: "Reporting".into(),
            kind: PhaseKind::Reporting,
            start: "2027-01".into(),
            months: 12,
            ..Phase::default()
        };
        assert_eq!(
            phase_label(1, &p),
            "Phase 2 · Pay for reporting · 2027-01 to 2027-12"
        );
        let p = Phase {
            name: "Data sharing".into(),
            ..p
        };
        assert_eq!(
            phase_label(0, &p),
            "Phase 1 · Data sharing · Pay for reporting · 2027-01 to 2027-12"
        );
    }
}
