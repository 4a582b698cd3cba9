//! The one integration-test crate: every module links against the library once.

mod hvbp;
mod engine;
mod data;
mod exports;
mod catalogue;
mod synth;
mod steps;
mod whatif;
mod equity;
