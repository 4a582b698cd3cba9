//! What the window has loaded and computed for the open program (never saved in it).

use crate::engine::{Inputs, Observations, Results};
use std::path::PathBuf;
use std::sync::Arc;

/// Loaded data and the latest simulation for the open program.
#[derive(Default)]
pub struct Session {
    /// Folder the program's data paths are relative to.
    pub base_dir: PathBuf,
    /// The data as loaded (kept when a later load fails).
    pub observations: Option<Arc<Observations>>,
    /// Observations aligned with the program's measures; rebuilt when measures or periods change.
    pub inputs: Option<Arc<Inputs>>,
    /// The latest scores and payments, recomputed by the engine whenever the program changes.
    pub results: Option<Results>,
    /// The last data-loading error, shown until the next successful load.
    pub data_error: Option<String>,
    /// Provider selected for the "why" view.
    pub selected_provider: Option<usize>,
}
