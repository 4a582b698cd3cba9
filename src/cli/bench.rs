//! `p4p-designer bench`: times scoring and payment on synthetic programs of growing size.

use crate::engine::{self, Inputs, Observations, Results};
use crate::program::Program;
use crate::synth::{SynthSpec, generate};
use std::time::{Duration, Instant};

/// The sample program's design scoring every measure in `obs` (synthetic data from
/// [`generate`]): its domains, standards, eligibility and $4M pool paid by score × lives.
pub fn program_for(obs: &Observations) -> Program {
    crate::synth::program_for(&SynthSpec {
        measures: obs.measure_ids().len(),
        ..SynthSpec::default()
    })
}

/// The most cells per sweep axis, as `sweep --x` allows.
pub const MAX_GRID: usize = 10_000;

/// Refuses sizes the synthetic data cannot be generated for, and grids beyond [`MAX_GRID`],
/// before anything is timed.
pub fn check_args(sizes: &[usize], measures: usize, grid: usize) -> Result<(), super::Failure> {
    for &providers in sizes {
        SynthSpec::new(providers, measures, 42)
            .check()
            .map_err(|e| super::Failure(format!("--sizes/--measures: {e}")))?;
    }
    if !(1..=MAX_GRID).contains(&grid) {
        return Err(super::Failure(format!(
            "--grid {grid}: ask for 1 to {MAX_GRID} cells per axis"
        )));
    }
    Ok(())
}

/// Synthetic data of `providers` × `measures` (seed 42) and the program that scores it.
fn synthetic(providers: usize, measures: usize) -> (Observations, Program) {
    let obs = generate(&SynthSpec {
        providers,
        measures,
        seed: 42,
        ..SynthSpec::default()
    });
    let program = program_for(&obs);
    (obs, program)
}

/// Median time of `f` over enough runs to fill about `budget`.
fn time(budget: Duration, mut f: impl FnMut()) -> (Duration, usize) {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed() < budget && times.len() < 1000) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times.len())
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// Prints the median time per run for each size.
pub fn run(sizes: &[usize], measures: usize) {
    println!(
        "{:>10} {:>9} {:>14} {:>22} {:>6} {:>11} {:>11} {:>11}",
        "providers",
        "measures",
        "align (load)",
        "standards→cents (run)",
        "runs",
        "measures",
        "domains",
        "pay"
    );
    for &n in sizes {
        let (obs, program) = synthetic(n, measures);
        let (align, _) = time(Duration::from_millis(300), || {
            std::hint::black_box(Inputs::build(&program, &obs));
        });
        let inputs = Inputs::build(&program, &obs);
        let mut results = Results::default();
        engine::evaluate_into(&program, &inputs, &mut results);
        let (run, runs) = time(Duration::from_secs(2), || {
            engine::evaluate_into(&program, &inputs, &mut results);
            std::hint::black_box(&results);
        });
        // The run's three parts, timed alone on the same inputs.
        let budget = Duration::from_millis(500);
        let (measures_t, _) = time(budget, || {
            engine::scoring::score_measures(&program, &inputs, &mut results);
            std::hint::black_box(&results);
        });
        let (domains_t, _) = time(budget, || {
            engine::scoring::score_domains(&program, &inputs, &mut results);
            std::hint::black_box(&results);
        });
        let (pay_t, _) = time(budget, || {
            engine::pay_into(&program, &inputs, &mut results);
            std::hint::black_box(&results);
        });
        println!(
            "{:>10} {:>9} {:>14} {:>22} {:>6} {:>11} {:>11} {:>11}",
            n,
            measures,
            fmt(align),
            fmt(run),
            runs,
            fmt(measures_t),
            fmt(domains_t),
            fmt(pay_t)
        );
    }
}

/// Prints the time of whole what-if sweeps (`grid` × `grid` cells) for each size, over three
/// kinds of grid: the default pool × threshold (one scoring pass per threshold), pool × cap
/// (payments only) and threshold × benchmark (every cell scored).
pub fn run_sweeps(sizes: &[usize], measures: usize, grid: usize) {
    use crate::engine::{Axis, SweepSpec, sweep};
    use crate::program::Parameter;
    use std::sync::atomic::AtomicBool;
    println!(
        "{:>10} {:>9} {:>24} {:>8} {:>10} {:>10} {:>5}",
        "providers", "measures", "grid", "cells", "sweep", "per cell", "runs"
    );
    let threads = rayon::current_num_threads();
    for &n in sizes {
        let (obs, program) = synthetic(n, measures);
        let axis = |p: Parameter, from: f64, to: f64| Axis::new(p, from, to, grid);
        let grids = [
            (
                Parameter::PoolDollars,
                Parameter::ThresholdPercentile,
                axis(Parameter::PoolDollars, 1e6, 8e6),
                axis(Parameter::ThresholdPercentile, 10.0, 90.0),
            ),
            (
                Parameter::PoolDollars,
                Parameter::CapDollars,
                axis(Parameter::PoolDollars, 1e6, 8e6),
                axis(Parameter::CapDollars, 0.0, 20_000.0),
            ),
            (
                Parameter::ThresholdPercentile,
                Parameter::BenchmarkPercentile,
                axis(Parameter::ThresholdPercentile, 10.0, 60.0),
                axis(Parameter::BenchmarkPercentile, 70.0, 99.0),
            ),
        ];
        for (px, py, x, y) in grids {
            let spec = SweepSpec {
                x,
                y,
                stratifier: None,
            };
            let cancel = AtomicBool::new(false);
            // Inputs are aligned inside each sweep, as the CLI and window do.
            let (t, runs) = time(Duration::from_secs(3), || {
                let r = sweep(&program, &obs, &spec, &|_| {}, &cancel).expect("not cancelled");
                std::hint::black_box(r);
            });
            let cells = spec.cell_count();
            println!(
                "{:>10} {:>9} {:>24} {:>8} {:>10} {:>10} {:>5}",
                n,
                measures,
                format!("{} × {}", px.key(), py.key()),
                cells,
                fmt(t),
                fmt(t / cells as u32),
                runs
            );
        }
    }
    println!("({threads} threads)");
}
