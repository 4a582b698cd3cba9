//! Analysis views under "Results": the equity lens, what-if sweeps, scenarios, and
//! reliability with exceptions. Long computations run on background threads with a progress
//! bar and a Cancel button ([`Job`]); results are cached by the session's results generation.

pub mod decisions;
pub mod equity;
pub mod exceptions;
pub mod lint;
pub mod reliability;
pub mod scenarios;
pub mod whatif;

use super::StepCtx;
use egui::Ui;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Instant;

/// Which analysis view is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Equity,
    Sweep,
    Scenarios,
    Reliability,
    Lint,
    /// The decision log (not an analysis: what the room decided, listed after them).
    Decisions,
}

impl View {
    /// The analyses.
    pub const ALL: [View; 5] = [
        View::Equity,
        View::Sweep,
        View::Scenarios,
        View::Reliability,
        View::Lint,
    ];

    /// What the sidebar lists under the analyses, in order (Alt+1 … Alt+6): the analyses, then
    /// the decision log.
    pub const LISTED: [View; 6] = [
        View::Equity,
        View::Sweep,
        View::Scenarios,
        View::Reliability,
        View::Lint,
        View::Decisions,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Equity => "Equity",
            View::Sweep => "What-if sweep",
            View::Scenarios => "Scenarios",
            View::Reliability => "Reliability & exceptions",
            View::Lint => "Design linter",
            View::Decisions => "Decision log",
        }
    }

    /// Name in `P4P_SCREENSHOT_STEPS` and screenshot files.
    pub fn key(self) -> &'static str {
        match self {
            View::Equity => "equity",
            View::Sweep => "sweep",
            View::Scenarios => "scenarios",
            View::Reliability => "reliability",
            View::Lint => "lint",
            View::Decisions => "decisions",
        }
    }

    pub fn from_key(key: &str) -> Option<View> {
        View::LISTED.into_iter().find(|v| v.key() == key)
    }

    pub fn hint(self) -> &'static str {
        match self {
            View::Equity => "Who gets paid per life, by stratum, and what counters do",
            View::Sweep => "Try a grid of two settings and adopt a cell",
            View::Scenarios => "Named alternatives compared with the current design",
            View::Reliability => "Chance, funnel plots and unusually high exclusions",
            View::Lint => {
                "Known pay-for-performance pitfalls in this design, with evidence and fixes"
            }
            View::Decisions => "What the room decided, when, and what it meant for payouts",
        }
    }
}

/// State of every analysis view (kept while the user moves around the window).
#[derive(Default)]
pub struct Analysis {
    pub equity: equity::EquityView,
    pub whatif: whatif::WhatIfView,
    pub scenarios: scenarios::ScenariosView,
    pub reliability: reliability::ReliabilityView,
    pub lint: lint::LintView,
    pub decisions: decisions::DecisionsView,
}

impl Analysis {
    /// Draws `view` in the central panel.
    pub fn ui(&mut self, view: View, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        ui.heading(view.title());
        ui.label(egui::RichText::new(view.hint()).weak());
        ui.add_space(6.0);
        // The log can be read, stepped through and restored without data.
        if view != View::Decisions
            && (ctx.session.observations.is_none() || ctx.session.results.is_none())
        {
            ui.label("Load the program's data (step 5) to see this analysis.");
            return;
        }
        egui::ScrollArea::both()
            .id_salt(("analysis", view.title()))
            .auto_shrink([false, false])
            .show(ui, |ui| match view {
                View::Equity => self.equity.ui(ui, ctx),
                View::Sweep => self.whatif.ui(ui, ctx),
                View::Scenarios => self.scenarios.ui(ui, ctx),
                View::Reliability => self.reliability.ui(ui, ctx),
                View::Lint => self.lint.ui(ui, ctx),
                View::Decisions => self.decisions.ui(ui, ctx),
            });
    }
}

/// A computation on a background thread that reports progress (0–1) and can be cancelled.
/// Dropping the job cancels it.
pub struct Job<T> {
    rx: Receiver<T>,
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    pub started: Instant,
    pub what: String,
}

/// Handles a job's closure gets to report progress and see cancellation.
#[derive(Clone)]
pub struct JobHandle {
    progress: Arc<AtomicU32>,
    pub cancel: Arc<AtomicBool>,
    ctx: egui::Context,
}

impl JobHandle {
    /// Records progress (0–1) and asks for a repaint.
    pub fn progress(&self, share: f32) {
        self.progress.store(share.to_bits(), Ordering::Relaxed);
        self.ctx.request_repaint();
    }
}

impl<T: Send + 'static> Job<T> {
    pub fn start(
        what: impl Into<String>,
        ctx: &egui::Context,
        work: impl FnOnce(&JobHandle) -> T + Send + 'static,
    ) -> Job<T> {
        let (tx, rx) = mpsc::channel();
        let progress = Arc::new(AtomicU32::new(0f32.to_bits()));
        let cancel = Arc::new(AtomicBool::new(false));
        let handle = JobHandle {
            progress: progress.clone(),
            cancel: cancel.clone(),
            ctx: ctx.clone(),
        };
        std::thread::Builder::new()
            .name("analysis".into())
            .spawn(move || {
                let out = work(&handle);
                let _ = tx.send(out);
                handle.ctx.request_repaint();
            })
            .expect("the OS can start a thread");
        Job {
            rx,
            progress,
            cancel,
            started: Instant::now(),
            what: what.into(),
        }
    }

    /// The result once the job is done (`Some(None)` when its thread died).
    pub fn poll(&self) -> Option<Option<T>> {
        match self.rx.try_recv() {
            Ok(t) => Some(Some(t)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(None),
        }
    }

    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// A progress bar and a Cancel button; returns true when Cancel was clicked.
    pub fn progress_ui(&self, ui: &mut Ui) -> bool {
        let mut cancel = false;
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(self.progress())
                    .desired_width(320.0)
                    .show_percentage(),
            );
            ui.label(format!(
                "{} ({:.0} s)",
                self.what,
                self.started.elapsed().as_secs_f32()
            ));
            if ui.button("Cancel").clicked() {
                cancel = true;
            }
        });
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
        cancel
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// "$12.34" per life, or "—" when unknown.
pub fn per_life(x: f64) -> String {
    super::widgets::dollars(x)
}

/// "12.3%", or "—".
pub fn percent(share: f64) -> String {
    crate::format::percent(share, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::screenshots::{Shot, parse_shots};
    use std::time::Duration;

    #[test]
    fn view_keys_round_trip_and_name_screenshot_steps() {
        for v in View::ALL {
            assert_eq!(View::from_key(v.key()), Some(v));
        }
        assert_eq!(
            parse_shots("equity, sweep,scenarios,reliability,lint"),
            View::ALL.map(Shot::Analysis).to_vec()
        );
        assert_eq!(Shot::Analysis(View::Sweep).file_name(), "sweep.png");
    }

    #[test]
    fn a_job_reports_progress_and_stops_when_cancelled() {
        let ctx = egui::Context::default();
        let job = Job::start("waiting", &ctx, |h| {
            h.progress(0.25);
            while !h.cancel.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
            }
            42
        });
        let start = Instant::now();
        while job.progress() < 0.25 {
            assert!(start.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(job.poll().is_none(), "still running until cancelled");
        job.cancel();
        let out = loop {
            if let Some(out) = job.poll() {
                break out;
            }
            assert!(start.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(out, Some(42));
    }
}
