//! The figures every view shares (DESIGN.md §4): the live panel, the equity analysis, the
//! scenario comparison and the report show the same quintiles and payouts per life, because
//! they all take them from the engine's one quintile cut and one payout per life.

use p4p_designer::app::sim_panel::{Grouping, summarise};
use p4p_designer::engine::equity::{self, StrataKind};
use p4p_designer::engine::{self, CompareOptions, RiskQuintiles};

use crate::equity::sample;

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn panel_equity_scenarios_and_report_agree_on_the_medicaid_sample() {
    let (program, obs) = sample();
    let (inputs, results) = engine::run(&program, &obs);
    let n = obs.provider_count();
    let stratifier = "dual_share";

    // The equity analysis: five quintiles of dual share.
    let strat = equity::stratify(&obs.providers, &results, stratifier).unwrap();
    assert_eq!(strat.kind, StrataKind::Quintiles);
    let quintiles = &strat.strata[..5];
    // ⌊n/5⌋ or ⌈n/5⌉ providers each, every provider counted, scored or not.
    let with_value = quintiles.iter().map(|s| s.providers).sum::<usize>();
    for s in quintiles {
        assert!(s.providers == with_value / 5 || s.providers == with_value.div_ceil(5));
    }
    let scored: usize = quintiles.iter().map(|s| s.scored).sum();
    assert!(
        scored < with_value,
        "the sample has unscored providers: {scored}"
    );
    // Payout per life is Σ net ÷ Σ lives, through the one function.
    for s in quintiles {
        assert!(s.payout_per_life.is_finite());
        assert!(same(
            s.payout_per_life,
            equity::payout_per_life(s.net_cents, s.lives)
        ));
    }

    // The live panel: the same groups, counts, lives, net and per life.
    let summary = summarise(
        &obs,
        &results,
        Some(&Grouping::Stratifier(stratifier.into())),
    );
    assert!(summary.strata.len() >= 5);
    for (row, s) in summary.strata.iter().zip(quintiles) {
        assert!(
            row.label.starts_with(&s.label[..2]),
            "{} vs {}",
            row.label,
            s.label
        );
        assert_eq!(row.providers, s.providers, "{}", s.label);
        assert_eq!(row.lives, s.lives, "{}", s.label);
        assert_eq!(row.paid_cents, s.net_cents, "{}", s.label);
        assert!(same(row.per_life, s.payout_per_life), "{}", s.label);
    }

    // The risk gradient of the equity report: its bottom and top quintiles are these.
    let report = equity::equity_report(&obs.providers, &results, Some(stratifier)).unwrap();
    let g = report.risk.as_ref().unwrap();
    assert!(same(g.bottom_payout_per_life, quintiles[0].payout_per_life));
    assert!(same(g.top_payout_per_life, quintiles[4].payout_per_life));

    // Sweeps and scenarios: the same cut of providers, and the same per life for the base.
    let rq = RiskQuintiles::new(&obs, Some(stratifier)).unwrap();
    for i in 0..n {
        let q = strat.stratum_of[i];
        let expect = if q < 5 {
            q as u8
        } else {
            RiskQuintiles::UNKNOWN
        };
        assert_eq!(rq.quintile[i], expect, "provider {}", obs.providers.ids[i]);
    }
    let opts = CompareOptions {
        stratifier: Some(stratifier.into()),
        ..CompareOptions::default()
    };
    let cmp = engine::compare(&program, &obs, &opts).unwrap();
    let base = &cmp.outcomes[0];
    assert_eq!(base.equity.len(), 5);
    for (row, s) in base.equity.iter().zip(quintiles) {
        assert_eq!(row.lives, s.lives, "{}", row.label);
        assert!(same(row.per_life, s.payout_per_life), "{}", row.label);
    }

    // The report prints each quintile's payout per life with the shared formatter.
    let html = p4p_designer::report::summary_html(&program, &obs, &inputs, &results);
    for s in quintiles {
        let shown = p4p_designer::format::dollars_short(s.payout_per_life);
        assert!(html.contains(&shown), "{} not in the report", shown);
    }
}

#[test]
fn quintiles_break_ties_by_provider_id_never_row_order() {
    let values = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    let ids: Vec<String> = ["j", "i", "h", "g", "f", "e", "d", "c", "b", "a"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let q = equity::quintiles(&values, &ids);
    // Among the 1.0s f and g come first (lowest fifth), then h and i, then j with a (the
    // first of the 2.0s by id).
    assert_eq!(
        q,
        [2, 1, 1, 0, 0, 4, 4, 3, 3, 2].map(Some).to_vec(),
        "ties ordered by id"
    );
    // Reversing the rows moves no provider.
    let rev_values: Vec<f64> = values.iter().rev().copied().collect();
    let rev_ids: Vec<String> = ids.iter().rev().cloned().collect();
    let mut rev = equity::quintiles(&rev_values, &rev_ids);
    rev.reverse();
    assert_eq!(rev, q);
}
