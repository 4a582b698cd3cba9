//! Analyses over the rules: equity strata, reliability, exceptions, sweeps, scenarios and
//! monitoring. They run the rules; they never change what a program pays.

// The analysis files name their engine siblings (`run`, `inputs`, `results`…) through `super::`.
use super::*;

pub mod equity;
pub mod exceptions;
pub mod lint;
pub mod monitoring;
pub mod reliability;
pub(crate) mod scenarios;
pub(crate) mod sweep;
pub mod totals;
