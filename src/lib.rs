//! p4p-designer: design healthcare pay-for-performance programs and simulate their payouts.

pub mod app;
pub mod catalogue;
pub mod cli;
pub mod data;
pub mod engine;
pub mod format;
pub mod program;
pub mod report;
pub mod synth;
