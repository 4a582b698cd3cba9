//! The payment and scoring rules: standards, curves, scoring, the equity bonus, payment. Read these as the
//! specification of what a program pays.

// The rule files name their engine siblings (`inputs`, `results`…) through `super::`.
#[allow(unused_imports)]
use super::*;

pub(crate) mod bonus;
pub(crate) mod curves;
mod kernels;
pub(crate) mod payment;
pub(crate) mod scoring;
pub(crate) mod standards;
