//! Step 6: the pool, payment frequency, the algorithm (scoring and distribution), weights, caps
//! and floors, with the engine's resulting figures. The live simulation panel beside this
//! screen is the app's.

mod algorithm;
mod pool;
mod scoring;

use super::StepCtx;
use super::widgets;
use crate::app::session::Session;
use crate::program::{PhaseKind, Pool, Program};
use algorithm::{algorithm, limits};
use egui::{RichText, Ui};
use pool::pool;
use scoring::{scoring, weights};

pub(super) fn ui(ui: &mut Ui, ctx: &mut StepCtx) {
    // Both ways: a table wider than a narrow pane scrolls sideways instead of being cut off.
    egui::ScrollArea::both()
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
    let Some(shown) = session.shown(program) else {
        widgets::warning(
            ui,
            "No simulation yet: load data in step 5 to see what this model pays.",
        );
        return;
    };
    // The figures are the live panel's choice: say which, before the numbers.
    ui.label(RichText::new(crate::app::phasing::modelling_text(program, shown.phase)).strong());
    let r = shown.results;
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
        // The engine's own account of why, by cause and amount.
        let why = match shown.run.and_then(|run| run.kind) {
            // Participation and reporting pay by their own rule: the program's causes do not
            // apply to them.
            Some(PhaseKind::Participation | PhaseKind::Reporting) => {
                crate::app::sim_panel::phase_unpaid(p.unallocated_cents)
            }
            _ => crate::engine::totals::unpaid(shown.program, shown.inputs, r)
                .sentence(shown.program),
        };
        widgets::figure(
            ui,
            "not paid out",
            &widgets::fmt_money_short(p.unallocated_cents),
            if why.is_empty() {
                "The whole pool is paid out"
            } else {
                &why
            },
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
    let freq = program.payment.frequency;
    // A phase pays over its own months, not a year.
    let phase = shown.phase.and_then(|i| program.phases.get(i));
    if let Some(ph) = phase {
        ui.label(
            RichText::new(format!(
                "Paid {}",
                crate::app::phasing::phase_payments(p.paid_cents, ph.months, freq)
            ))
            .weak(),
        );
    } else if freq.payments_per_year() > 1 {
        ui.label(
            RichText::new(format!(
                "Paid {}: {}",
                freq.label().to_lowercase(),
                crate::app::phasing::per_period_and_year(p.paid_cents, freq)
            ))
            .weak(),
        );
    }
}
