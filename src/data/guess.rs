//! Guessing a file's layout and column mapping from its column names, as a starting point the
//! import dialog shows for the user to correct.

use crate::program::{
    Layout, LongMapping, PatientMapping, ProviderMapping, WideColumn, WideField, WideMapping,
};

use super::inspect::FileInfo;

/// Names (normalised: lower case, words joined by `_`) we recognise for each field.
const PROVIDER_ID: &[&str] = &[
    "provider_id",
    "provider",
    "providerid",
    "facility_id",
    "ccn",
    "cms_certification_number_ccn",
    "provider_number",
    "hospital_id",
    "practice_id",
    "practice_code",
    "org_code",
    "organisation_code",
    "npi",
    "tin",
];
const MEASURE_ID: &[&str] = &[
    "measure_id",
    "measure",
    "measure_code",
    "indicator",
    "indicator_code",
    "indicator_id",
];
const PERIOD: &[&str] = &["period", "reporting_period", "performance_period", "year"];
const NUMERATOR: &[&str] = &["numerator", "num", "numerator_count"];
const DENOMINATOR: &[&str] = &["denominator", "den", "denom", "denominator_count"];
const RATE: &[&str] = &["rate", "performance_rate", "observed_rate"];
const EXCLUSIONS: &[&str] = &[
    "exclusions",
    "exceptions",
    "exclusion_count",
    "pcas",
    "personalised_care_adjustments",
];
const EXPECTED: &[&str] = &["expected", "expected_events", "expected_count"];
const PATIENT_ID: &[&str] = &[
    "patient_id",
    "patient",
    "member_id",
    "person_id",
    "nhs_number",
];
const IN_DENOMINATOR: &[&str] = &[
    "denominator",
    "in_denominator",
    "denominator_flag",
    "den_flag",
    "eligible",
];
const IN_NUMERATOR: &[&str] = &[
    "numerator",
    "in_numerator",
    "numerator_flag",
    "num_flag",
    "met",
];
const EXCLUDED: &[&str] = &["excluded", "exclusion", "exclusion_flag", "exception"];
const EXCLUSION_REASON: &[&str] = &["exclusion_reason", "exception_reason", "reason"];
const PATIENT_EXPECTED: &[&str] = &["expected", "expected_probability", "risk", "risk_score"];
const NAME: &[&str] = &["name", "provider_name", "facility_name", "hospital_name"];
const SERVICE_AREA: &[&str] = &["service_area", "setting"];
const PEER_GROUP: &[&str] = &["peer_group", "peer"];
const LIVES: &[&str] = &["attributed_lives", "lives", "members", "list_size"];
const BASE_PAYMENTS: &[&str] = &["base_payments", "base_payment", "payments"];
const SPEND: &[&str] = &["spend", "total_cost", "total_cost_of_care", "cost"];
const BENCHMARK_SPEND: &[&str] = &["benchmark_spend", "expected_spend"];
/// Descriptive columns of CMS provider files that are not stratifiers.
const NOT_STRATIFIERS: &[&str] = &[
    "address",
    "city",
    "city_town",
    "zip_code",
    "county",
    "county_parish",
    "phone_number",
    "fiscal_year",
];

/// Column-name endings of CMS wide files, and what they hold. The baseline and performance
/// rates go to the periods `baseline` and `performance` (the default period labels).
const WIDE_SUFFIXES: &[(&str, WideSuffix)] = &[
    (" Baseline Rate", WideSuffix::Rate("baseline")),
    (" Performance Rate", WideSuffix::Rate("performance")),
    (" Achievement Threshold", WideSuffix::Threshold),
    (" Benchmark", WideSuffix::Benchmark),
    (" Floor", WideSuffix::Floor),
];

#[derive(Clone, Copy)]
enum WideSuffix {
    Rate(&'static str),
    Threshold,
    Benchmark,
    Floor,
}

/// A layout and mapping guessed from the column names, or None when the file is not
/// recognised. Patient rows win over long rows, long over wide, wide over provider attributes.
pub fn guess_mapping(info: &FileInfo) -> Option<Layout> {
    let cols = Columns::new(&info.columns);
    let provider_id = cols.find(PROVIDER_ID)?;
    if let Some(patient_id) = cols.find(PATIENT_ID) {
        return Some(Layout::PatientLevel(PatientMapping {
            patient_id,
            provider_id,
            measure_id: cols.find(MEASURE_ID)?,
            period: cols.find(PERIOD)?,
            in_denominator: cols.find(IN_DENOMINATOR)?,
            in_numerator: cols.find(IN_NUMERATOR)?,
            excluded: cols.find(EXCLUDED),
            exclusion_reason: cols.find(EXCLUSION_REASON),
            expected: cols.find(PATIENT_EXPECTED),
        }));
    }
    if let (Some(measure_id), Some(period)) = (cols.find(MEASURE_ID), cols.find(PERIOD)) {
        let m = LongMapping {
            provider_id,
            measure_id,
            period,
            numerator: cols.find(NUMERATOR),
            denominator: cols.find(DENOMINATOR),
            rate: cols.find(RATE),
            exclusions: cols.find(EXCLUSIONS),
            expected: cols.find(EXPECTED),
        };
        let has_values = m.numerator.is_some() || m.denominator.is_some() || m.rate.is_some();
        return has_values.then_some(Layout::Long(m));
    }
    if let Some(wide) = guess_wide(&info.columns, &provider_id, cols.find(NAME)) {
        return Some(Layout::Wide(wide));
    }
    Some(Layout::Providers(guess_providers(&cols, provider_id)))
}

fn guess_providers(cols: &Columns, provider_id: String) -> ProviderMapping {
    let mut m = ProviderMapping {
        provider_id,
        name: cols.find(NAME),
        service_area: cols.find(SERVICE_AREA),
        peer_group: cols.find(PEER_GROUP),
        attributed_lives: cols.find(LIVES),
        base_payments: cols.find(BASE_PAYMENTS),
        spend: cols.find(SPEND),
        benchmark_spend: cols.find(BENCHMARK_SPEND),
        stratifiers: Vec::new(),
    };
    let used: Vec<&String> = [
        Some(&m.provider_id),
        m.name.as_ref(),
        m.service_area.as_ref(),
        m.peer_group.as_ref(),
        m.attributed_lives.as_ref(),
        m.base_payments.as_ref(),
        m.spend.as_ref(),
        m.benchmark_spend.as_ref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    m.stratifiers = cols
        .original
        .iter()
        .zip(&cols.normalised)
        .filter(|(c, n)| !used.contains(c) && !NOT_STRATIFIERS.contains(&n.as_str()))
        .map(|(c, _)| c.clone())
        .collect();
    m
}

/// CMS's Provider Data Catalog style: `<measure> Baseline Rate`, `<measure> Benchmark`, …; a
/// `<measure> Measure Score` for a measure without rates is a score computed upstream (as
/// HVBP's "Combined SSI Measure Score").
fn guess_wide(columns: &[String], provider_id: &str, name: Option<String>) -> Option<WideMapping> {
    let mut mapped = Vec::new();
    for c in columns {
        for (suffix, what) in WIDE_SUFFIXES {
            if let Some(measure) = c.strip_suffix(suffix).filter(|m| !m.trim().is_empty()) {
                let field = match what {
                    WideSuffix::Rate(p) => WideField::Rate((*p).to_owned()),
                    WideSuffix::Threshold => WideField::Threshold,
                    WideSuffix::Benchmark => WideField::Benchmark,
                    WideSuffix::Floor => WideField::Floor,
                };
                mapped.push(WideColumn {
                    column: c.clone(),
                    measure_id: measure.trim().to_owned(),
                    field,
                });
                break;
            }
        }
    }
    if !mapped.iter().any(|c| matches!(c.field, WideField::Rate(_))) {
        return None;
    }
    for c in columns {
        if let Some(measure) = c.strip_suffix(" Measure Score").map(str::trim)
            && !measure.is_empty()
            && !mapped.iter().any(|w| w.measure_id == measure)
        {
            mapped.push(WideColumn {
                column: c.clone(),
                measure_id: measure.to_owned(),
                field: WideField::SuppliedScore,
            });
        }
    }
    Some(WideMapping {
        provider_id: provider_id.to_owned(),
        provider_name: name,
        columns: mapped,
    })
}

/// Column names as given and normalised for matching.
struct Columns<'a> {
    original: &'a [String],
    normalised: Vec<String>,
}

impl<'a> Columns<'a> {
    fn new(original: &'a [String]) -> Self {
        Columns {
            original,
            normalised: original.iter().map(|c| normalise(c)).collect(),
        }
    }

    /// The first column (in order of the candidate names) matching one of `names`.
    fn find(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|want| {
            self.normalised
                .iter()
                .position(|n| n == want)
                .map(|i| self.original[i].clone())
        })
    }
}

/// `"Facility ID"` → `facility_id`; `"City/Town"` → `city_town`.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.trim().chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}
