//! The one integration-test crate: every module links against the library once.

mod app;
mod app_analysis;
mod catalogue;
mod data;
mod datasets;
mod engine;
mod equity;
mod exports;
mod figures;
mod hacrp;
mod hrrp;
mod hvbp;
mod import;
mod ladder;
mod layout;
mod lint;
mod messy;
mod output;
mod plan;
mod robust;
mod snf_vbp;
mod steps;
mod synth;
mod whatif;
mod window;
