//! The seven design steps, one module each.

use serde::{Deserialize, Serialize};

/// The seven steps of designing a P4P program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    Identify,
    VitalFew,
    Gaps,
    Phase,
    Baselines,
    Payment,
    Implement,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Identify,
        Step::VitalFew,
        Step::Gaps,
        Step::Phase,
        Step::Baselines,
        Step::Payment,
        Step::Implement,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Step::Identify => "1 · Identify what's important",
            Step::VitalFew => "2 · Select the vital few",
            Step::Gaps => "3 · Gap analysis",
            Step::Phase => "4 · Revise & phase",
            Step::Baselines => "5 · Baselines & benchmarks",
            Step::Payment => "6 · Payment model",
            Step::Implement => "7 · Implement & monitor",
        }
    }
}
