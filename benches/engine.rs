//! `cargo bench`: the run and sweep timings of `p4p-designer bench` (README, "Speed"), and the
//! time of one window frame while the pool slider moves (`cargo bench --bench engine --
//! --frame` for that alone).

use egui_kittest::Harness;
use p4p_designer::app::steps::Step;
use p4p_designer::app::{AppConfig, DesignerApp, Page};
use p4p_designer::program::Pool;
use std::time::{Duration, Instant};

fn main() {
    // `cargo test --all-targets` runs bench targets too, without `--bench`: nothing to time then.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let frame_only = args.iter().any(|a| a == "--frame");
    if !frame_only {
        p4p_designer::cli::bench::run(&[1_000, 10_000, 100_000, 1_000_000], 10);
        p4p_designer::cli::bench::run_sweeps(&[10_000], 10, 50);
    }
    frames(10_000, 60);
}

/// Times frames of the window on a generated program of `providers` providers while the pool
/// moves every frame, as a slider drag does: step 6 with the live panel, then the providers
/// table with the live panel. Prints the median and the 90th percentile.
fn frames(providers: usize, count: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["generate", "--providers", &providers.to_string(), "--out"])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("p4p-designer generate runs");
    assert!(status.success(), "generate failed");
    let state = tempfile::tempdir().expect("a temporary folder");
    let config = AppConfig::for_tests(Some(dir.path().join("program.ron")), state.path());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_max_steps(40)
        .build_eframe(move |cc| DesignerApp::new(cc, config));
    let start = Instant::now();
    while h.state().is_loading() && start.elapsed() < Duration::from_secs(300) {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run();
    for (name, page) in [
        ("step 6 + live panel", Page::Step(Step::Payment)),
        ("providers table + live panel", Page::Providers),
    ] {
        h.state_mut().page = page;
        h.run();
        let ms = time_pool_moves(&mut h, count);
        println!(
            "frame, {name}, {} providers, pool moving: median {:.2} ms, p90 {:.2} ms ({count} frames)",
            thousands(providers),
            ms[ms.len() / 2],
            ms[ms.len() * 9 / 10],
        );
    }
}

/// Milliseconds of each of `count` frames, each after a new pool, sorted.
fn time_pool_moves(h: &mut Harness<'_, DesignerApp>, count: usize) -> Vec<f64> {
    let mut ms = Vec::with_capacity(count);
    for k in 0..count {
        h.state_mut().program.payment.pool = Pool::Fixed {
            cents: 300_000_000 + 1_000_000 * k as i64,
        };
        let t = Instant::now();
        h.step();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    ms
}

fn thousands(n: usize) -> String {
    p4p_designer::format::group_thousands(n as u64)
}
