//! The payment and scoring rules: standards, curves, scoring, the equity bonus and payment.
//! Read these as the specification of what a program pays; the fast loops the payment rule
//! runs on are kept apart in `kernels`.

// The rule files name their engine siblings (`inputs`, `results`…) through `super::`.
use super::*;

pub(crate) mod bonus;
pub(crate) mod curves;
pub(crate) mod exchange;
mod kernels;
pub mod ladder;
pub(crate) mod payment;
pub(crate) mod penalty;
pub mod phase;
pub(crate) mod scoring;
mod scoring_kernels;
pub(crate) mod standardise;
pub(crate) mod standards;
