use serde::{Deserialize, Serialize};

/// Where a program's data comes from. Paths are relative to the program file's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSources {
    pub files: Vec<DataFile>,
    /// Cell values that mean "no value" (besides an empty cell), compared trimmed and ignoring
    /// case, in every mapped numeric column. Small-cell suppression markers such as "<11" or
    /// "*" belong here too: they are read as missing and counted apart (see
    /// [`is_suppression_code`]). A program file without this list gets [`DEFAULT_MISSING_VALUES`].
    pub missing_values: Vec<String>,
}

/// The missing-value and suppression codes public health data commonly uses.
pub const DEFAULT_MISSING_VALUES: [&str; 10] = [
    "NR",
    "NA",
    "N/A",
    "Not Available",
    "Not Applicable",
    "Suppressed",
    "*",
    "<11",
    "--",
    ".",
];

impl Default for DataSources {
    fn default() -> Self {
        DataSources {
            files: Vec::new(),
            missing_values: DEFAULT_MISSING_VALUES.map(String::from).to_vec(),
        }
    }
}

/// Whether a missing-value code marks small-cell suppression ("<11", "≤10", "*", "Suppressed")
/// rather than a value that was never reported.
pub fn is_suppression_code(code: &str) -> bool {
    let c = code.trim();
    c.starts_with('<')
        || c.starts_with('≤')
        || (!c.is_empty() && c.chars().all(|ch| ch == '*'))
        || c.to_ascii_lowercase().contains("suppress")
}

/// One data file and how its columns map onto the program's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    pub path: String,
    pub layout: Layout,
}

/// The shape of a data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Layout {
    /// One row per provider × measure × period.
    Long(LongMapping),
    /// One row per provider, a column per measure and field (as in CMS's Provider Data Catalog).
    Wide(WideMapping),
    /// One row per patient × measure × period, aggregated to providers on load.
    PatientLevel(PatientMapping),
    /// One row per provider: attributes.
    Providers(ProviderMapping),
}

/// Column names of a long-format performance file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LongMapping {
    pub provider_id: String,
    pub measure_id: String,
    pub period: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub rate: Option<String>,
    pub exclusions: Option<String>,
    pub expected: Option<String>,
}

impl Default for LongMapping {
    fn default() -> Self {
        LongMapping {
            provider_id: "provider_id".into(),
            measure_id: "measure_id".into(),
            period: "period".into(),
            numerator: Some("numerator".into()),
            denominator: Some("denominator".into()),
            rate: None,
            exclusions: None,
            expected: None,
        }
    }
}

/// Column names of a wide file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WideMapping {
    pub provider_id: String,
    pub provider_name: Option<String>,
    pub columns: Vec<WideColumn>,
}

/// One column of a wide file: which measure and which field it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideColumn {
    pub column: String,
    pub measure_id: String,
    pub field: WideField,
}

/// What a wide column holds. Periods are the labels used in `Standards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WideField {
    Rate(String),
    Numerator(String),
    Denominator(String),
    Exclusions(String),
    Expected(String),
    Threshold,
    Benchmark,
    Floor,
    /// Points computed upstream (for measures with `supplied_score`).
    SuppliedScore,
    /// The measure's weight for this provider, replacing the measure's own weight where given
    /// (HRRP weights each cohort by the hospital's share of DRG payments for it).
    Weight,
    /// A flag column (a footnote, a status): a cell holding one of these codes means the
    /// provider did not submit the measure, or failed its validation, and scores as the worst
    /// (CMS gives such hospitals the maximum winsorised z-score in the HAC Reduction Program).
    NotSubmitted(Vec<String>),
}

/// Column names of a patient-level file; flags are 1/0, true/false or yes/no.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatientMapping {
    pub patient_id: String,
    pub provider_id: String,
    pub measure_id: String,
    pub period: String,
    pub in_denominator: String,
    pub in_numerator: String,
    pub excluded: Option<String>,
    pub exclusion_reason: Option<String>,
    /// Probability of the numerator event given the patient's risk: summed into `expected`.
    pub expected: Option<String>,
}

impl PatientMapping {
    /// The columns the aggregation reads, in one order (patient, provider, measure, period,
    /// denominator and numerator flags, exclusion flag and expected value when mapped).
    pub fn read_columns(&self) -> [Option<&str>; 8] {
        [
            Some(&self.patient_id),
            Some(&self.provider_id),
            Some(&self.measure_id),
            Some(&self.period),
            Some(&self.in_denominator),
            Some(&self.in_numerator),
            self.excluded.as_deref(),
            self.expected.as_deref(),
        ]
    }
}

impl Default for PatientMapping {
    fn default() -> Self {
        PatientMapping {
            patient_id: "patient_id".into(),
            provider_id: "provider_id".into(),
            measure_id: "measure_id".into(),
            period: "period".into(),
            in_denominator: "denominator".into(),
            in_numerator: "numerator".into(),
            excluded: None,
            exclusion_reason: None,
            expected: None,
        }
    }
}

/// Column names of a provider attributes file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderMapping {
    pub provider_id: String,
    pub name: Option<String>,
    pub service_area: Option<String>,
    pub peer_group: Option<String>,
    pub attributed_lives: Option<String>,
    /// Base payments in currency units (dollars).
    pub base_payments: Option<String>,
    /// Total cost of care in currency units.
    pub spend: Option<String>,
    /// Expected (benchmark) spend for shared savings, in currency units.
    pub benchmark_spend: Option<String>,
    /// Columns kept as stratifiers (dual-eligible share, safety-net flag, rurality…).
    pub stratifiers: Vec<String>,
}

impl Default for ProviderMapping {
    fn default() -> Self {
        ProviderMapping {
            provider_id: "provider_id".into(),
            name: Some("name".into()),
            service_area: None,
            peer_group: None,
            attributed_lives: None,
            base_payments: None,
            spend: None,
            benchmark_spend: None,
            stratifiers: Vec::new(),
        }
    }
}
