//! Rules about the plan a designer is writing: what keeps each step from being done, the phase
//! calendar, gap totals and readiness, and edits that keep the document consistent.
//!
//! They live with the document, not the window, so the step screens, the report and the
//! command line all apply the same rules.

mod budget;
mod calendar;
mod edits;
mod gaps;
mod problems;

pub use budget::*;
pub use calendar::*;
pub use edits::*;
pub use gaps::*;
pub use problems::*;

use super::Program;

/// The display name of a service area (its id when it has no name).
pub fn area_name(program: &Program, id: &str) -> String {
    program
        .service_areas
        .iter()
        .find(|a| a.id == id)
        .map(|a| {
            if a.name.is_empty() {
                a.id.clone()
            } else {
                a.name.clone()
            }
        })
        .unwrap_or_else(|| id.to_owned())
}
