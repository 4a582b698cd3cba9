//! The one integration-test crate: every module links against the library once.

mod app;
mod app_analysis;
mod catalogue;
mod data;
mod engine;
mod equity;
mod exports;
mod figures;
mod hvbp;
mod messy;
mod output;
mod plan;
mod robust;
mod steps;
mod synth;
mod whatif;
mod window;
