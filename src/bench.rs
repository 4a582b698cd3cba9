//! `p4p-designer bench`: times scoring and payment on synthetic programs of growing size.

use crate::engine::{self, Inputs, Observations, Results};
use crate::program::{
    Direction, Distribution, Domain, Eligibility, Measure, Pool, Program, WeightBy,
};
use crate::synth::{SynthSpec, generate};
use std::time::{Duration, Instant};

/// A program scoring every measure in `obs` in two domains, paying a $4M pool by score × lives.
pub fn program_for(obs: &Observations) -> Program {
    let mut p = Program {
        name: "Benchmark".into(),
        ..Program::default()
    };
    p.scoring.domains = vec![
        Domain {
            id: "a".into(),
            name: "A".into(),
            weight: 0.5,
            ..Domain::default()
        },
        Domain {
            id: "b".into(),
            name: "B".into(),
            weight: 0.5,
            ..Domain::default()
        },
    ];
    for (k, id) in obs.measure_ids().into_iter().enumerate() {
        let lower = obs
            .series(&id, "baseline")
            .is_some_and(|_| id.contains("ED") || id.contains("READM"));
        p.measures.push(Measure {
            id,
            vital_few: true,
            domain: if k % 2 == 0 { "a" } else { "b" }.into(),
            direction: if lower {
                Direction::LowerIsBetter
            } else {
                Direction::HigherIsBetter
            },
            ..Measure::default()
        });
    }
    p.payment.pool = Pool::Fixed {
        cents: 400_000_000,
    };
    p.payment.distribution = Distribution::ShareOfPool;
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    p.payment.weight_by = WeightBy::AttributedLives;
    p
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
        "{:>10} {:>9} {:>14} {:>22} {:>6}",
        "providers", "measures", "align (load)", "standards→cents (run)", "runs"
    );
    for &n in sizes {
        let obs = generate(&SynthSpec {
            providers: n,
            measures,
            seed: 42,
            ..SynthSpec::default()
        });
        let program = program_for(&obs);
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
        println!(
            "{:>10} {:>9} {:>14} {:>22} {:>6}",
            n,
            measures,
            fmt(align),
            fmt(run),
            runs
        );
    }
}
