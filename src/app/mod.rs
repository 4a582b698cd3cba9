//! The eframe application: the seven steps, the live simulation and files.

pub mod session;
pub mod steps;
