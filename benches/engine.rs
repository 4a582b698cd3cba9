//! `cargo bench`: the run and sweep timings of `p4p-designer bench` (README, "Speed").

fn main() {
    // `cargo test --all-targets` runs bench targets too, without `--bench`: nothing to time then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    p4p_designer::cli::bench::run(&[1_000, 10_000, 100_000, 1_000_000], 10);
    p4p_designer::cli::bench::run_sweeps(&[10_000], 10, 50);
}
