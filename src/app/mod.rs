//! The eframe application: the seven steps, the live simulation and files.
//!
//! Step screens never change app-wide state directly: they edit the [`Program`] they are given
//! and push [`Action`]s, which the app applies after the frame is drawn (opening dialogs,
//! loading data, switching steps), so that every such change is one undo step and never
//! happens half-way through drawing.

pub mod analysis;
pub mod commands;
pub mod export;
pub mod files;
pub mod jobs;
pub mod phasing;
pub mod presenter;
pub mod providers;
pub mod screenshots;
pub mod session;
pub mod sim_panel;
pub mod steps;
pub mod theme;
pub mod widgets;
mod window;

pub use window::{
    AppConfig, DesignerApp, LayoutReport, MIN_CENTRAL, OUTSIDE_DATA_TITLE, Page, RAIL_WIDTH,
};

use crate::program::Program;
use session::Session;
use std::path::PathBuf;
use steps::Step;

/// A request from a screen to the app, applied after the current frame is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Show this step in the central panel.
    GoTo(Step),
    /// (Re)load every data file the program lists, on a background thread.
    LoadData,
    /// Ask the user for a CSV or Parquet file, then start the import flow with it.
    PickDataFile,
    /// Start the import (column mapping) flow for this file: the app sets
    /// `Session::pending_import` and shows step 5, whose screen runs the mapping dialog.
    OpenImportDialog(PathBuf),
    /// Open the "why" view for the provider with this index (as in `Observations::providers`).
    SelectProvider(usize),
    /// Show the providers table.
    ShowProviders,
    /// Replace the whole program by this one (e.g. a what-if scenario), as one undo step.
    AdoptScenario {
        program: Box<Program>,
        /// What is shown to the user, e.g. "Pool $4.0M, threshold 60th percentile".
        label: String,
    },
    /// Show a short message in the status bar.
    Notify(String),
}

/// What a step screen gets to work with.
pub struct StepCtx<'a> {
    /// The document being designed; edit it in place (undo is handled by the app).
    pub program: &'a mut Program,
    /// Loaded data and the latest results. Screens read it, and may take
    /// `pending_import` or set `selected_provider`; loading is requested with actions.
    pub session: &'a mut Session,
    /// Requests to apply after this frame.
    pub actions: &'a mut Vec<Action>,
}

impl StepCtx<'_> {
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }
}

/// Opens the designer's window on `program_path`, or on the bundled sample program.
pub fn run_window(program_path: Option<PathBuf>) -> eframe::Result {
    let config = AppConfig::from_env(program_path);
    let size = window_size();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("p4p-designer")
            .with_app_id("p4p-designer")
            .with_inner_size(size)
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "p4p-designer",
        options,
        Box::new(move |cc| Ok(Box::new(DesignerApp::new(cc, config)))),
    )
}

/// `P4P_WINDOW_SIZE=1600x1000`, else a size that fits a 1080p screen or projector.
fn window_size() -> [f32; 2] {
    std::env::var("P4P_WINDOW_SIZE")
        .ok()
        .and_then(|s| {
            let (w, h) = s.split_once('x')?;
            Some([w.trim().parse().ok()?, h.trim().parse().ok()?])
        })
        .unwrap_or([1500.0, 920.0])
}
