use serde::{Deserialize, Serialize};

/// One quality or efficiency measure, from candidate (step 1) to scored (steps 2 and 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Measure {
    pub id: String,
    pub title: String,
    pub steward: String,
    /// The scoring domain this measure belongs to (an id in `Scoring::domains`).
    pub domain: String,
    pub kind: MeasureKind,
    pub direction: Direction,
    pub data_source: DataSourceKind,
    /// Ids of the service areas it applies to.
    pub service_areas: Vec<String>,
    pub importance: Importance,
    pub rationale: String,
    pub rationale_score: RationaleScore,
    /// Chosen as one of the vital few: scored and paid on.
    pub vital_few: bool,
    /// The phase (by name) in which it starts to count.
    pub phase: Option<String>,
    /// Weight within its domain.
    pub weight: f64,
    /// Providers with a smaller denominator are not scored on this measure.
    pub min_denominator: Option<f64>,
    /// Points come straight from the data (a score computed upstream) rather than from rates.
    pub supplied_score: bool,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            id: String::new(),
            title: String::new(),
            steward: String::new(),
            domain: String::new(),
            kind: MeasureKind::Process,
            direction: Direction::HigherIsBetter,
            data_source: DataSourceKind::Claims,
            service_areas: Vec::new(),
            importance: Importance::Medium,
            rationale: String::new(),
            rationale_score: RationaleScore::default(),
            vital_few: false,
            phase: None,
            weight: 1.0,
            min_denominator: None,
            supplied_score: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeasureKind {
    Structure,
    Process,
    IntermediateOutcome,
    Outcome,
    PatientExperience,
    Efficiency,
    Utilization,
    Composite,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 8] = [
        MeasureKind::Structure,
        MeasureKind::Process,
        MeasureKind::IntermediateOutcome,
        MeasureKind::Outcome,
        MeasureKind::PatientExperience,
        MeasureKind::Efficiency,
        MeasureKind::Utilization,
        MeasureKind::Composite,
    ];
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Structure => "Structure",
            MeasureKind::Process => "Process",
            MeasureKind::IntermediateOutcome => "Intermediate outcome",
            MeasureKind::Outcome => "Outcome",
            MeasureKind::PatientExperience => "Patient experience",
            MeasureKind::Efficiency => "Efficiency / cost",
            MeasureKind::Utilization => "Utilization",
            MeasureKind::Composite => "Composite",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "Higher is better",
            Direction::LowerIsBetter => "Lower is better",
        }
    }
    /// +1 when higher is better, −1 when lower is better: multiplying a rate by this makes
    /// "greater" mean "better" everywhere in the engine.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }
}

/// Where a measure's data comes from; drives the gap analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataSourceKind {
    Claims,
    Ehr,
    Hybrid,
    Survey,
    Registry,
    Hie,
    Administrative,
}

impl DataSourceKind {
    pub const ALL: [DataSourceKind; 7] = [
        DataSourceKind::Claims,
        DataSourceKind::Ehr,
        DataSourceKind::Hybrid,
        DataSourceKind::Survey,
        DataSourceKind::Registry,
        DataSourceKind::Hie,
        DataSourceKind::Administrative,
    ];
    pub fn label(self) -> &'static str {
        match self {
            DataSourceKind::Claims => "Claims",
            DataSourceKind::Ehr => "EHR / clinical",
            DataSourceKind::Hybrid => "Hybrid (claims + chart)",
            DataSourceKind::Survey => "Survey",
            DataSourceKind::Registry => "Registry",
            DataSourceKind::Hie => "HIE",
            DataSourceKind::Administrative => "Administrative",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Importance {
    Low,
    Medium,
    High,
    Critical,
}

impl Importance {
    pub const ALL: [Importance; 4] = [
        Importance::Low,
        Importance::Medium,
        Importance::High,
        Importance::Critical,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Importance::Low => "Low",
            Importance::Medium => "Medium",
            Importance::High => "High",
            Importance::Critical => "Critical",
        }
    }
}

/// Step 2's rationale score: each criterion 0–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RationaleScore {
    /// Health and cost impact on the population.
    pub impact: u8,
    /// Can providers and the payer actually collect and act on it.
    pub feasibility: u8,
    /// Used by national programs (Core Set, MIPS, HEDIS, hospital programs).
    pub alignment: u8,
    /// Sensitive to disparities; can be stratified.
    pub disparity_sensitivity: u8,
}

impl RationaleScore {
    pub const MAX: u32 = 20;
    pub fn total(&self) -> u32 {
        self.impact as u32
            + self.feasibility as u32
            + self.alignment as u32
            + self.disparity_sensitivity as u32
    }
}
