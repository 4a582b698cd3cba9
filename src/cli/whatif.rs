//! `p4p-designer sweep` and `p4p-designer compare`: what-if grids and scenario comparisons from
//! the command line, over the same engine functions the window calls.

use super::{Failure, ProgramFiles, write_out};
use crate::engine::{self, Axis, CompareOptions, Comparison, Metric, SweepResult, SweepSpec};
use crate::program::{Program, Severity, validate};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub files: ProgramFiles,
    /// Columns: KEY:FROM:TO:STEPS, e.g. pool:1000000:8000000:50 (KEY alone: default range, 50
    /// steps). Keys: pool, withhold, spend-percent, pmpm, threshold, benchmark, min-score, cap,
    /// improvement, peer-groups, target, gate, ladder. Default: the program's pool over its
    /// default range on round steps (at most 50 values).
    #[arg(long)]
    pub x: Option<String>,
    /// Rows, as --x. Default: threshold 10th–90th percentile on round steps.
    #[arg(long)]
    pub y: Option<String>,
    /// Numeric stratifier for the equity gap (default: dual_share when present, else the first
    /// numeric one).
    #[arg(long)]
    pub stratifier: Option<String>,
}

#[derive(Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub files: ProgramFiles,
    /// A scenario to compare with the base program (repeatable; default: all of them).
    #[arg(long = "scenario")]
    pub scenarios: Vec<String>,
    /// Numeric stratifier for the equity figures (default: dual_share when present).
    #[arg(long)]
    pub stratifier: Option<String>,
    /// Winners and losers against this scenario instead of the base program (rows
    /// `vs_reference` instead of `vs_base`).
    #[arg(long)]
    pub reference: Option<String>,
    /// Biggest winners and losers listed per scenario, against the base program (0 to 10000).
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=10_000))]
    pub top: usize,
    /// Also write one row per provider: payout and score in every variant, change from base.
    #[arg(long)]
    pub providers: Option<PathBuf>,
}

/// Runs `sweep`: one CSV row per cell.
pub fn sweep(a: &SweepArgs) -> Result<(), Failure> {
    let (program, obs) = a.files.load(&[])?;
    // Defaults on round steps, so every row's pool and percentile can be adopted as it reads.
    let mut spec = SweepSpec::default_for(&program).nice();
    let axis = |text: &str, flag: &str| {
        Axis::parse(text, &program).map_err(|e| Failure(format!("--{flag}: {e}")))
    };
    if let Some(x) = &a.x {
        spec.x = axis(x, "x")?;
    }
    if let Some(y) = &a.y {
        spec.y = axis(y, "y")?;
    }
    check_axes(&program, &spec)?;
    spec.stratifier.clone_from(&a.stratifier);
    if let Some(name) = &a.stratifier
        && engine::RiskQuintiles::new(&obs, Some(name)).is_none()
    {
        return Err(Failure(format!(
            "--stratifier: {name:?} is not a numeric provider stratifier in the data"
        )));
    }
    let start = Instant::now();
    let cancel = AtomicBool::new(false);
    let result = engine::sweep(&program, &obs, &spec, &|_| {}, &cancel)?;
    let elapsed = start.elapsed();
    let mut buf = Vec::with_capacity(256 * result.cells.len());
    write_sweep_csv(&result, &mut buf)?;
    write_out(&buf, a.files.out.as_deref())?;
    eprintln!(
        "{} × {} cells over {} providers in {:.3} s; equity by quintiles of {}",
        result.nx(),
        result.ny(),
        result.providers,
        elapsed.as_secs_f64(),
        result
            .equity_stratifier
            .as_deref()
            .unwrap_or("(no numeric stratifier)")
    );
    Ok(())
}

/// The most cells one sweep computes: each holds a full set of figures.
pub const MAX_CELLS: usize = 1_000_000;

/// A sweep computes money in every cell: refuses axes whose ends take the program where
/// `validate` reports an error the program itself does not have (a pool beyond the largest
/// amount, say), naming the values, and grids of more than [`MAX_CELLS`] cells.
fn check_axes(program: &Program, spec: &SweepSpec) -> Result<(), Failure> {
    let cells = spec.x.len().saturating_mul(spec.y.len());
    if cells > MAX_CELLS {
        return Err(Failure(format!(
            "{} × {} = {cells} cells: a sweep computes at most {MAX_CELLS}",
            spec.x.len(),
            spec.y.len()
        )));
    }
    let errors = |p: &Program| -> Vec<String> {
        validate(p)
            .into_iter()
            .filter(|e| e.severity == Severity::Error)
            .map(|e| e.to_string())
            .collect()
    };
    let before = errors(program);
    let ends = |a: &engine::Axis| [a.value(0), a.value(a.len() - 1)];
    for x in ends(&spec.x) {
        for y in ends(&spec.y) {
            let mut p = program.clone();
            spec.x.param.set(&mut p, x);
            spec.y.param.set(&mut p, y);
            if let Some(e) = errors(&p).into_iter().find(|e| !before.contains(e)) {
                // 1e308 reads better than its 309 digits.
                let show = |v: f64| {
                    if v.abs() >= 1e15 {
                        format!("{v:e}")
                    } else {
                        v.to_string()
                    }
                };
                return Err(Failure(format!(
                    "--x {} = {}, --y {} = {}: {e}",
                    spec.x.param.key(),
                    show(x),
                    spec.y.param.key(),
                    show(y)
                )));
            }
        }
    }
    Ok(())
}

fn num(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

// Cents as currency units with two decimals.
use crate::format::money_plain as money;

/// One row per cell: the two parameter values, providers scored, every [`Metric`], and the
/// stratifier the equity columns use.
pub fn write_sweep_csv(result: &SweepResult, w: &mut impl Write) -> Result<(), Failure> {
    let mut csv = csv::Writer::from_writer(w);
    let mut header: Vec<String> = vec![
        result.spec.x.param.key().into(),
        result.spec.y.param.key().into(),
        "providers_scored".into(),
    ];
    header.extend(Metric::ALL.iter().map(|m| m.key().to_owned()));
    header.push("equity_stratifier".into());
    csv.write_record(&header)?;
    let stratifier = result.equity_stratifier.clone().unwrap_or_default();
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for c in &result.cells {
        row.clear();
        row.push(num(c.x));
        row.push(num(c.y));
        row.push(c.providers_scored.to_string());
        row.extend(Metric::ALL.iter().map(|m| num(m.value(c))));
        row.push(stratifier.clone());
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// Runs `compare`: the variants side by side, one column each.
pub fn compare(a: &CompareArgs) -> Result<(), Failure> {
    let (program, obs) = a.files.load(&[a.providers.as_deref()])?;
    let mut scenarios = a.scenarios.clone();
    if let Some(r) = &a.reference
        && !scenarios.is_empty()
        && !scenarios.contains(r)
    {
        scenarios.push(r.clone());
    }
    let opts = CompareOptions {
        scenarios,
        stratifier: a.stratifier.clone(),
        ..CompareOptions::default()
    };
    let cmp = engine::compare(&program, &obs, &opts)?;
    let reference = match &a.reference {
        None => 0,
        Some(name) => cmp.index_of(name).ok_or_else(|| {
            Failure(format!(
                "--reference: {}",
                engine::UnknownScenario {
                    name: name.clone(),
                    known: program.scenarios.iter().map(|s| s.name.clone()).collect(),
                }
            ))
        })?,
    };
    let mut buf = Vec::new();
    write_comparison_csv(&cmp, a.top, reference, &mut buf)?;
    write_out(&buf, a.files.out.as_deref())?;
    if let Some(p) = &a.providers {
        let mut buf = Vec::new();
        write_provider_deltas_csv(&cmp, &mut buf)?;
        write_out(&buf, Some(p))?;
    }
    if cmp.outcomes.len() == 1 {
        eprintln!(
            "{}: no scenarios to compare; showing the base program",
            a.files.program.display()
        );
    }
    Ok(())
}

/// Rows `section,figure,<variant>…`: each design's settings in words, totals, payout
/// quantiles, histogram, equity by risk quintile, and against the base program (or, when
/// `reference` is not 0, against that variant) the providers gaining and losing.
pub fn write_comparison_csv(
    cmp: &Comparison,
    top: usize,
    reference: usize,
    w: &mut impl Write,
) -> Result<(), Failure> {
    let vs_section = if reference == 0 {
        "vs_base"
    } else {
        "vs_reference"
    };
    let mut csv = csv::Writer::from_writer(w);
    let mut header = vec!["section".to_owned(), "figure".to_owned()];
    header.extend(cmp.outcomes.iter().map(|o| o.name.clone()));
    csv.write_record(&header)?;
    let mut put = |section: &str, figure: &str, cells: Vec<String>| -> Result<(), Failure> {
        let mut row = vec![section.to_owned(), figure.to_owned()];
        row.extend(cells);
        csv.write_record(&row)?;
        Ok(())
    };
    let each =
        |f: &dyn Fn(&engine::Outcome) -> String| cmp.outcomes.iter().map(f).collect::<Vec<_>>();
    put(
        "design",
        "settings",
        each(&|o| crate::report::wording::settings(&o.overrides)),
    )?;
    put(
        "totals",
        "pool_dollars",
        each(&|o| money(o.totals.pool_cents)),
    )?;
    put(
        "totals",
        "paid_dollars",
        each(&|o| money(o.totals.paid_cents)),
    )?;
    put(
        "totals",
        "withheld_dollars",
        each(&|o| money(o.totals.withheld_cents)),
    )?;
    put(
        "totals",
        "unallocated_dollars",
        each(&|o| money(o.totals.unallocated_cents)),
    )?;
    put(
        "totals",
        "providers_scored",
        each(&|o| o.totals.scored.to_string()),
    )?;
    put(
        "totals",
        "providers_earning",
        each(&|o| o.totals.earning.to_string()),
    )?;
    put(
        "totals",
        "providers_penalised",
        each(&|o| o.totals.penalised.to_string()),
    )?;
    put(
        "totals",
        "median_payout_dollars",
        each(&|o| money(o.totals.median_payout_cents)),
    )?;
    put(
        "totals",
        "max_payout_dollars",
        each(&|o| money(o.totals.max_payout_cents)),
    )?;
    put("totals", "gini", each(&|o| num(o.totals.gini)))?;
    for (k, p) in engine::QUANTILE_LEVELS.iter().enumerate() {
        put(
            "payout_quantile_dollars",
            &format!("p{p}"),
            each(&|o| {
                let q = o.quantiles[k];
                if q.is_finite() {
                    money(q.round() as i64)
                } else {
                    String::new()
                }
            }),
        )?;
    }
    for k in 0..cmp.bin_edges.len().saturating_sub(1) {
        let (lo, hi) = (cmp.bin_edges[k], cmp.bin_edges[k + 1]);
        put(
            "histogram_providers",
            &format!(
                "{} to {}",
                money(lo.round() as i64),
                money(hi.round() as i64)
            ),
            each(&|o| o.histogram[k].to_string()),
        )?;
    }
    let strat = cmp.equity_stratifier.clone().unwrap_or_default();
    if let Some(first) = cmp.outcomes.first() {
        for (q, row) in first.equity.iter().enumerate() {
            put(
                &format!("per_life_dollars_by_{strat}"),
                &row.label,
                each(&|o| num(o.equity.get(q).map_or(f64::NAN, |r| r.per_life))),
            )?;
        }
    }
    put(
        "equity",
        "gap_per_life_high_minus_low",
        each(&|o| num(o.equity_gap)),
    )?;
    put(
        "equity",
        "ratio_high_over_low",
        each(&|o| num(o.equity_ratio)),
    )?;
    // Against the reference: how many gain and lose, and the biggest of each.
    let vs = |f: &dyn Fn(usize) -> String| (0..cmp.outcomes.len()).map(f).collect::<Vec<_>>();
    put(
        vs_section,
        "providers_gaining",
        vs(&|k| cmp.shift(reference, k).gained.to_string()),
    )?;
    put(
        vs_section,
        "providers_losing",
        vs(&|k| cmp.shift(reference, k).lost.to_string()),
    )?;
    put(
        vs_section,
        "gained_dollars",
        vs(&|k| money(cmp.shift(reference, k).gained_cents)),
    )?;
    put(
        vs_section,
        "lost_dollars",
        vs(&|k| money(cmp.shift(reference, k).lost_cents)),
    )?;
    let fmt = |d: Option<&engine::ProviderDelta>| {
        d.map_or(String::new(), |d| {
            let sign = if d.delta_cents > 0 { "+" } else { "" };
            format!("{} ({sign}{})", d.provider_id, money(d.delta_cents))
        })
    };
    let winners: Vec<_> = (0..cmp.outcomes.len())
        .map(|k| cmp.winners(reference, k, top))
        .collect();
    let losers: Vec<_> = (0..cmp.outcomes.len())
        .map(|k| cmp.losers(reference, k, top))
        .collect();
    for r in 0..top {
        put(
            vs_section,
            &format!("winner_{}", r + 1),
            vs(&|k| fmt(winners[k].get(r))),
        )?;
    }
    for r in 0..top {
        put(
            vs_section,
            &format!("loser_{}", r + 1),
            vs(&|k| fmt(losers[k].get(r))),
        )?;
    }
    csv.flush()?;
    Ok(())
}

/// One row per provider: payout (dollars) and total score in each variant, and each scenario's
/// change from the base program.
pub fn write_provider_deltas_csv(cmp: &Comparison, w: &mut impl Write) -> Result<(), Failure> {
    let mut csv = csv::Writer::from_writer(w);
    let mut header = vec!["provider_id".to_owned(), "name".to_owned()];
    for o in &cmp.outcomes {
        header.push(format!("{} payout_dollars", o.name));
        header.push(format!("{} total_score", o.name));
    }
    for o in cmp.outcomes.iter().skip(1) {
        header.push(format!("{} change_dollars", o.name));
    }
    csv.write_record(&header)?;
    let mut order: Vec<usize> = (0..cmp.provider_ids.len()).collect();
    order.sort_by(|a, b| cmp.provider_ids[*a].cmp(&cmp.provider_ids[*b]));
    for i in order {
        let mut row = vec![
            cmp.provider_ids[i].clone(),
            cmp.provider_names.get(i).cloned().unwrap_or_default(),
        ];
        for o in &cmp.outcomes {
            row.push(money(o.payouts[i]));
            row.push(num(o.scores[i]));
        }
        let base = &cmp.outcomes[0].payouts;
        for o in cmp.outcomes.iter().skip(1) {
            row.push(money(o.payouts[i] - base[i]));
        }
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}
