use super::DataSourceKind;
use serde::{Deserialize, Serialize};

/// Step 1: the population the program serves.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Population {
    pub description: String,
    /// Members (lives) covered.
    pub members: u64,
    /// Notable groups and their share of members (0–1).
    pub segments: Vec<PopulationSegment>,
    /// The health priorities the program should move.
    pub priorities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationSegment {
    pub name: String,
    pub share: f64,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceArea {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// Who answers for a measure in a service area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Accountability {
    /// The service area owns the result.
    Primary,
    /// Shares the result with another area.
    Shared,
    /// Contributes but is not held to it.
    Contributing,
}

impl Accountability {
    pub const ALL: [Accountability; 3] = [
        Accountability::Primary,
        Accountability::Shared,
        Accountability::Contributing,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Accountability::Primary => "Primary",
            Accountability::Shared => "Shared",
            Accountability::Contributing => "Contributing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkEntry {
    pub measure_id: String,
    pub service_area_id: String,
    pub accountability: Accountability,
}

/// Step 3: whether a requirement sits with providers or the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GapLevel {
    Provider,
    Payer,
}

impl GapLevel {
    pub fn label(self) -> &'static str {
        match self {
            GapLevel::Provider => "Provider",
            GapLevel::Payer => "Payer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capability {
    Ready,
    Partial,
    Missing,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Ready, Capability::Partial, Capability::Missing];
    pub fn label(self) -> &'static str {
        match self {
            Capability::Ready => "Ready",
            Capability::Partial => "Partial",
            Capability::Missing => "Missing",
        }
    }
}

/// Step 3: one data-collection or infrastructure requirement and the gap to close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GapItem {
    /// Measures that need it (empty: program-wide).
    pub measure_ids: Vec<String>,
    pub requirement: String,
    pub level: GapLevel,
    pub source: DataSourceKind,
    pub capability: Capability,
    /// Months to close the gap.
    pub months: f64,
    /// Cost to close the gap, in cents.
    pub cost_cents: i64,
    pub notes: String,
}

impl Default for GapItem {
    fn default() -> Self {
        GapItem {
            measure_ids: Vec::new(),
            requirement: String::new(),
            level: GapLevel::Provider,
            source: DataSourceKind::Claims,
            capability: Capability::Missing,
            months: 0.0,
            cost_cents: 0,
            notes: String::new(),
        }
    }
}

/// Step 4: what a phase pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhaseKind {
    Participation,
    Reporting,
    Performance,
    Success,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 4] = [
        PhaseKind::Participation,
        PhaseKind::Reporting,
        PhaseKind::Performance,
        PhaseKind::Success,
    ];
    pub fn label(self) -> &'static str {
        match self {
            PhaseKind::Participation => "Pay for participation",
            PhaseKind::Reporting => "Pay for reporting",
            PhaseKind::Performance => "Pay for performance",
            PhaseKind::Success => "Pay for success",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    pub kind: PhaseKind,
    /// First month, as `YYYY-MM`.
    pub start: String,
    pub months: u32,
    /// Measures that count in this phase.
    pub measure_ids: Vec<String>,
    /// Share of the pool paid out in this phase (0–1).
    pub pool_share: f64,
    /// What must be true to move into this phase.
    pub entry_criteria: Vec<String>,
}

impl Default for Phase {
    fn default() -> Self {
        Phase {
            name: String::new(),
            kind: PhaseKind::Participation,
            start: String::new(),
            months: 12,
            measure_ids: Vec::new(),
            pool_share: 1.0,
            entry_criteria: Vec::new(),
        }
    }
}

/// Step 7: running the program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Implementation {
    /// The phase currently running (by name).
    pub current_phase: Option<String>,
    /// A later period loaded for monitoring (compared with the baseline).
    pub monitoring_period: Option<String>,
    /// Share of provider × measure cells that must be reported for data flow to count as complete.
    pub completeness_target: f64,
    pub notes: String,
}

impl Default for Implementation {
    fn default() -> Self {
        Implementation {
            current_phase: None,
            monitoring_period: None,
            completeness_target: 0.9,
            notes: String::new(),
        }
    }
}
