//! Pure, deterministic computation: standards, scoring, composites and payments.
//! No egui, no polars, no file I/O.

mod observations;

pub use observations::*;
