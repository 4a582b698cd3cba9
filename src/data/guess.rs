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

/// Column-name endings of CMS wide files for standards and upstream scores.
const WIDE_SUFFIXES: &[(&str, WideField)] = &[
    (" Achievement Threshold", WideField::Threshold),
    (" Benchmark", WideField::Benchmark),
    (" Floor", WideField::Floor),
];

/// Words naming who is measured, and words that make such a word an identifier.
const PROVIDER_WORDS: &[&str] = &[
    "provider",
    "practice",
    "clinic",
    "facility",
    "hospital",
    "organization",
    "organisation",
    "org",
    "site",
    "group",
    "pcp",
    "agency",
    "physician",
    "entity",
    "aco",
];
const ID_WORDS: &[&str] = &[
    "id",
    "identifier",
    "number",
    "no",
    "num",
    "code",
    "npi",
    "tin",
    "ccn",
];
/// Identifier schemes that name a provider on their own.
const ID_SCHEMES: &[&str] = &["npi", "tin", "ccn"];
/// Words of a column that counts the people a provider is responsible for.
const LIVES_WORDS: &[&str] = &[
    "lives",
    "members",
    "member",
    "enrollees",
    "enrolled",
    "enrollment",
    "enrolment",
    "attributed",
    "beneficiaries",
    "panel",
    "membership",
    "patients",
];

/// The value a wide column holds, from the last word of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Numerator,
    Denominator,
    Rate,
    Exclusions,
    Expected,
}

impl ValueKind {
    fn of_word(w: &str) -> Option<ValueKind> {
        Some(match w {
            "numerator" | "num" | "numer" => ValueKind::Numerator,
            "denominator" | "den" | "denom" => ValueKind::Denominator,
            "rate" | "pct" | "percent" | "percentage" | "%" => ValueKind::Rate,
            "exclusions" | "exclusion" | "exceptions" | "excl" => ValueKind::Exclusions,
            "expected" => ValueKind::Expected,
            _ => return None,
        })
    }

    /// The mapping's field for this value in `period`.
    pub fn field(self, period: String) -> WideField {
        match self {
            ValueKind::Numerator => WideField::Numerator(period),
            ValueKind::Denominator => WideField::Denominator(period),
            ValueKind::Rate => WideField::Rate(period),
            ValueKind::Exclusions => WideField::Exclusions(period),
            ValueKind::Expected => WideField::Expected(period),
        }
    }
}

/// The period a wide column's name states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodGuess {
    /// "Baseline" in the name: the program's baseline period.
    Baseline,
    /// "Performance", "Perf" or "Current": the program's performance period.
    Performance,
    /// A label such as "2024", "2024 Q1" or "FY2025", used as the period itself.
    Named(String),
    /// No period in the name: the whole file is for one period, chosen on import.
    Unstated,
}

/// One wide column read from its name: `<measure> [period] <value>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WideName {
    pub measure: String,
    pub period: PeriodGuess,
    pub value: ValueKind,
}

/// Reads a column name such as "Breast Cancer Screening Numerator", "BCS Den", "CBP 2024 Num",
/// "HbA1c Baseline Rate" or "Diabetes Rate (2023)". None when it names no measure value.
pub fn parse_wide_name(name: &str) -> Option<WideName> {
    let tokens = tokens(name);
    let n = tokens.len();
    if n < 2 {
        return None;
    }
    let low = |i: usize| tokens[i].2.as_str();
    // The value word is last, or followed only by period words ("Rate (2024 Q1)").
    let mut end = n;
    while end > 1 && period_word(low(end - 1)).is_some() {
        end -= 1;
    }
    let at = end - 1;
    let value = ValueKind::of_word(low(at))?;
    // Period words may lead the name, trail the measure or follow the value.
    let mut period_at: Vec<usize> = (at + 1..n).collect();
    let (mut first, mut last) = (0, at);
    while first < last && period_word(low(first)).is_some() {
        period_at.push(first);
        first += 1;
    }
    while last > first && period_word(low(last - 1)).is_some() {
        period_at.push(last - 1);
        last -= 1;
    }
    if first >= last {
        return None;
    }
    let measure = name[tokens[first].0..tokens[last - 1].1].trim().to_owned();
    period_at.sort_unstable();
    let tags: Vec<Tag> = period_at
        .iter()
        .filter_map(|&i| period_word(low(i)))
        .collect();
    let period = if tags.contains(&Tag::Baseline) {
        PeriodGuess::Baseline
    } else if tags.contains(&Tag::Performance) {
        PeriodGuess::Performance
    } else if let (Some(&a), Some(&b)) = (period_at.first(), period_at.last()) {
        PeriodGuess::Named(name[tokens[a].0..tokens[b].1].trim().to_owned())
    } else {
        PeriodGuess::Unstated
    };
    Some(WideName {
        measure,
        period,
        value,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Baseline,
    Performance,
    Named,
}

/// Whether a (lower-case) word names a period: "baseline", "performance", a year, a quarter.
fn period_word(w: &str) -> Option<Tag> {
    match w {
        "baseline" => return Some(Tag::Baseline),
        "performance" | "perf" | "current" => return Some(Tag::Performance),
        _ => {}
    }
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let year = |s: &str| digits(s, 4..=4) && matches!(&s[..2], "19" | "20");
    let quarter = |s: &str| matches!(s, "q1" | "q2" | "q3" | "q4" | "h1" | "h2");
    let named = year(w)
        || quarter(w)
        || ["fy", "cy", "py", "my"]
            .iter()
            .any(|p| w.strip_prefix(p).is_some_and(|r| digits(r, 2..=4)))
        || (w.len() == 6 && year(&w[..4]) && quarter(&w[4..]));
    named.then_some(Tag::Named)
}

/// Words of a column name with their byte ranges, and lower-cased.
fn tokens(name: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in name.char_indices() {
        let word = ch.is_alphanumeric() || ch == '%';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i, name[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, name.len(), name[s..].to_lowercase()));
    }
    out
}

/// What the import dialog starts from: the layout, and what else the file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportGuess {
    pub layout: Layout,
    /// Provider attributes (name, attributed lives, …) a performance file holds as well, as a
    /// second mapping of the same file.
    pub attributes: Option<ProviderMapping>,
    /// The period each wide column's name states (wide files only).
    pub periods: Vec<(String, PeriodGuess)>,
}

/// The period label a guess without the program uses for a period the name does not state.
pub const UNSTATED_PERIOD: &str = "performance";

/// A layout and mapping guessed from the column names, or None when the file is not
/// recognised. Patient rows win over long rows, long over wide, wide over provider attributes.
pub fn guess_mapping(info: &FileInfo) -> Option<Layout> {
    guess_import(info).map(|g| g.layout)
}

/// [`guess_mapping`] with what a one-row-per-provider file holds besides its measure columns.
pub fn guess_import(info: &FileInfo) -> Option<ImportGuess> {
    let cols = Columns::new(&info.columns);
    let provider_id = cols.provider_id()?;
    let plain = |layout| {
        Some(ImportGuess {
            layout,
            attributes: None,
            periods: Vec::new(),
        })
    };
    if let Some(patient_id) = cols.find(PATIENT_ID) {
        // A patient id without measures and flags is a column of some other file.
        if let (Some(measure_id), Some(period), Some(in_denominator), Some(in_numerator)) = (
            cols.find(MEASURE_ID),
            cols.find(PERIOD),
            cols.find(IN_DENOMINATOR),
            cols.find(IN_NUMERATOR),
        ) {
            return plain(Layout::PatientLevel(PatientMapping {
                patient_id,
                provider_id,
                measure_id,
                period,
                in_denominator,
                in_numerator,
                excluded: cols.find(EXCLUDED),
                exclusion_reason: cols.find(EXCLUSION_REASON),
                expected: cols.find(PATIENT_EXPECTED),
            }));
        }
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
        return has_values.then(|| ImportGuess {
            layout: Layout::Long(m),
            attributes: None,
            periods: Vec::new(),
        });
    }
    let attributes = guess_providers(&cols, provider_id.clone());
    if let Some((wide, periods)) = guess_wide(&info.columns, &provider_id, attributes.name.clone())
    {
        // Attributes beyond a name (which the wide mapping reads itself) make a second mapping.
        let more = attributes.attributed_lives.is_some()
            || attributes.peer_group.is_some()
            || attributes.service_area.is_some()
            || attributes.base_payments.is_some()
            || attributes.spend.is_some();
        let attributes = more.then(|| ProviderMapping {
            stratifiers: Vec::new(),
            ..attributes
        });
        return Some(ImportGuess {
            layout: Layout::Wide(wide),
            attributes,
            periods,
        });
    }
    plain(Layout::Providers(attributes))
}

fn guess_providers(cols: &Columns, provider_id: String) -> ProviderMapping {
    let mut m = ProviderMapping {
        provider_id,
        name: cols.name(),
        service_area: cols.find(SERVICE_AREA),
        peer_group: cols.find(PEER_GROUP),
        attributed_lives: cols.lives(),
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

/// One row per provider, a column per measure value: `<measure> Numerator` / `Denominator`
/// pairs (or `Num` / `Den`, `Rate`), with the period in the name or not, and CMS's Provider
/// Data Catalog style (`<measure> Baseline Rate`, `<measure> Benchmark`, …); a `<measure>
/// Measure Score` for a measure without rates is a score computed upstream (as HVBP's
/// "Combined SSI Measure Score"). Periods the names do not state are [`UNSTATED_PERIOD`].
fn guess_wide(
    columns: &[String],
    provider_id: &str,
    name: Option<String>,
) -> Option<(WideMapping, Vec<(String, PeriodGuess)>)> {
    let mut mapped = Vec::new();
    let mut periods = Vec::new();
    let mut parsed = Vec::new();
    for c in columns {
        if c == provider_id || Some(c) == name.as_ref() {
            continue;
        }
        if let Some(w) = parse_wide_name(c) {
            parsed.push((c, w));
            continue;
        }
        for (suffix, field) in WIDE_SUFFIXES {
            if let Some(measure) = c.strip_suffix(suffix).filter(|m| !m.trim().is_empty()) {
                mapped.push(WideColumn {
                    column: c.clone(),
                    measure_id: measure.trim().to_owned(),
                    field: field.clone(),
                });
                break;
            }
        }
    }
    // A lone "X Rate" column in a file of provider attributes is more likely an attribute.
    let pair = parsed.iter().any(|(_, a)| {
        a.value == ValueKind::Numerator
            && parsed.iter().any(|(_, b)| {
                b.value == ValueKind::Denominator && b.measure == a.measure && b.period == a.period
            })
    });
    let stated = parsed
        .iter()
        .any(|(_, w)| w.value == ValueKind::Rate && w.period != PeriodGuess::Unstated);
    if !(pair || stated || parsed.len() >= 2) {
        return None;
    }
    for (c, w) in parsed {
        let period = match &w.period {
            PeriodGuess::Baseline => "baseline".to_owned(),
            PeriodGuess::Performance | PeriodGuess::Unstated => UNSTATED_PERIOD.to_owned(),
            PeriodGuess::Named(p) => p.clone(),
        };
        mapped.push(WideColumn {
            column: c.clone(),
            measure_id: w.measure.clone(),
            field: w.value.field(period),
        });
        periods.push((c.clone(), w.period));
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
    // Keep the file's column order, which is how the designer reads it.
    mapped.sort_by_key(|w| columns.iter().position(|c| *c == w.column));
    Some((
        WideMapping {
            provider_id: provider_id.to_owned(),
            provider_name: name,
            columns: mapped,
        },
        periods,
    ))
}

/// How well a column's measure label names a measure with this id and title: 0 (not at all)
/// to 100 (the id itself). Used to offer the program's measure for a wide file's columns.
pub fn measure_match(label: &str, id: &str, title: &str) -> u32 {
    let l = normalise(label);
    if l.is_empty() {
        return 0;
    }
    if l == normalise(id) {
        return 100;
    }
    let t = normalise(title);
    if l == t {
        return 95;
    }
    // "CBP" for "CBP-AD": the id without its set's suffix.
    if normalise(id)
        .strip_prefix(&l)
        .is_some_and(|r| r.starts_with('_'))
    {
        return 90;
    }
    let words = |s: &str| -> Vec<String> {
        s.split('_')
            .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
            .map(str::to_owned)
            .collect()
    };
    let (lw, tw) = (words(&l), words(&t));
    // "BCS" for "Breast Cancer Screening".
    let initials: String = tw.iter().filter_map(|w| w.chars().next()).collect();
    if lw.len() == 1 && initials.len() >= 2 && lw[0] == initials {
        return 85;
    }
    if lw.is_empty() || tw.is_empty() {
        return 0;
    }
    let common = lw.iter().filter(|w| tw.contains(w)).count();
    let share = common as f64 / lw.len().max(tw.len()) as f64;
    if common == 0 || share < 0.5 {
        return 0;
    }
    (40.0 + 40.0 * share).round() as u32
}

const STOP_WORDS: &[&str] = &["of", "the", "and", "for", "with", "in", "a", "an", "to"];

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

    /// The provider-id column: a name we know, else a provider word with an id word
    /// ("Clinic ID", "Practice NPI"), an id scheme alone ("NPI"), or a provider word alone.
    fn provider_id(&self) -> Option<String> {
        self.find(PROVIDER_ID)
            .or_else(|| {
                self.find_words(|w| {
                    w.iter().any(|x| PROVIDER_WORDS.contains(&x.as_str()))
                        && w.iter().any(|x| ID_WORDS.contains(&x.as_str()))
                        && !w.iter().any(|x| LIVES_WORDS.contains(&x.as_str()))
                })
            })
            .or_else(|| self.find_words(|w| w.iter().any(|x| ID_SCHEMES.contains(&x.as_str()))))
            .or_else(|| {
                self.find_words(|w| w.len() == 1 && PROVIDER_WORDS.contains(&w[0].as_str()))
            })
    }

    /// The provider-name column: a name we know, else a provider word with "name".
    fn name(&self) -> Option<String> {
        self.find(NAME).or_else(|| {
            self.find_words(|w| {
                w.iter().any(|x| x == "name")
                    && w.iter().any(|x| PROVIDER_WORDS.contains(&x.as_str()))
            })
        })
    }

    /// The attributed-lives column: a name we know, else one counting members, enrollees or
    /// attributed patients (never an id).
    fn lives(&self) -> Option<String> {
        self.find(LIVES).or_else(|| {
            self.find_words(|w| {
                w.iter().any(|x| LIVES_WORDS.contains(&x.as_str()))
                    && !w
                        .iter()
                        .any(|x| ID_WORDS.contains(&x.as_str()) || x == "name")
            })
        })
    }

    /// The first column whose words pass `test`.
    /// Columns read as a wide file's measure values never count.
    fn find_words(&self, test: impl Fn(&[String]) -> bool) -> Option<String> {
        self.normalised
            .iter()
            .zip(self.original)
            .find(|(n, original)| {
                let words: Vec<String> = n.split('_').map(str::to_owned).collect();
                test(&words) && parse_wide_name(original).is_none()
            })
            .map(|(_, o)| o.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::source::FileFormat;
    use std::path::PathBuf;

    fn info(columns: &[&str]) -> FileInfo {
        FileInfo {
            path: PathBuf::from("x.csv"),
            format: FileFormat::Csv,
            delimiter: Some(','),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            row_count: 1,
            preview: Vec::new(),
        }
    }

    #[test]
    fn wide_names_give_measure_period_and_value() {
        let w = |n: &str| parse_wide_name(n).map(|w| (w.measure, w.period, w.value));
        assert_eq!(
            w("Breast Cancer Screening Numerator"),
            Some((
                "Breast Cancer Screening".into(),
                PeriodGuess::Unstated,
                ValueKind::Numerator
            ))
        );
        assert_eq!(
            w("BCS Den"),
            Some(("BCS".into(), PeriodGuess::Unstated, ValueKind::Denominator))
        );
        assert_eq!(
            w("CBP 2024 Num"),
            Some((
                "CBP".into(),
                PeriodGuess::Named("2024".into()),
                ValueKind::Numerator
            ))
        );
        assert_eq!(
            w("HbA1c Baseline Numerator"),
            Some(("HbA1c".into(), PeriodGuess::Baseline, ValueKind::Numerator))
        );
        assert_eq!(
            w("MORT-30-AMI Performance Rate"),
            Some((
                "MORT-30-AMI".into(),
                PeriodGuess::Performance,
                ValueKind::Rate
            ))
        );
        assert_eq!(
            w("Diabetes Rate (2024 Q1)"),
            Some((
                "Diabetes".into(),
                PeriodGuess::Named("2024 Q1".into()),
                ValueKind::Rate
            ))
        );
        assert_eq!(w("Practice Name"), None);
        assert_eq!(w("Rate"), None);
        assert_eq!(w("2024 Rate"), None);
    }

    #[test]
    fn a_practice_file_with_pairs_is_wide_with_its_attributes() {
        let g = guess_import(&info(&[
            "Practice ID",
            "Practice Name",
            "Attributed Members",
            "Breast Cancer Screening Numerator",
            "Breast Cancer Screening Denominator",
            "CBP Num",
            "CBP Den",
            "HbA1c Baseline Numerator",
            "HbA1c Baseline Denominator",
            "HbA1c Numerator",
            "HbA1c Denominator",
        ]))
        .unwrap();
        let Layout::Wide(w) = &g.layout else {
            panic!("guessed {:?}", g.layout);
        };
        assert_eq!(w.provider_id, "Practice ID");
        assert_eq!(w.provider_name.as_deref(), Some("Practice Name"));
        assert_eq!(w.columns.len(), 8);
        assert_eq!(w.columns[0].measure_id, "Breast Cancer Screening");
        assert_eq!(
            w.columns[0].field,
            WideField::Numerator(UNSTATED_PERIOD.into())
        );
        assert_eq!(
            w.columns[3].field,
            WideField::Denominator("performance".into())
        );
        assert_eq!(w.columns[4].field, WideField::Numerator("baseline".into()));
        let a = g.attributes.unwrap();
        assert_eq!(a.provider_id, "Practice ID");
        assert_eq!(a.name.as_deref(), Some("Practice Name"));
        assert_eq!(a.attributed_lives.as_deref(), Some("Attributed Members"));
        assert_eq!(g.periods.len(), 8);
        assert_eq!(g.periods[4].1, PeriodGuess::Baseline);
    }

    #[test]
    fn provider_synonyms_are_recognised() {
        let g = |cols: &[&str]| guess_mapping(&info(cols));
        let Some(Layout::Providers(m)) = g(&["Clinic NPI", "Clinic Name", "Enrollees", "Region"])
        else {
            panic!("not providers");
        };
        assert_eq!(m.provider_id, "Clinic NPI");
        assert_eq!(m.name.as_deref(), Some("Clinic Name"));
        assert_eq!(m.attributed_lives.as_deref(), Some("Enrollees"));
        assert_eq!(m.stratifiers, ["Region"]);
        let Some(Layout::Providers(m)) = g(&["TIN", "Member Count"]) else {
            panic!("not providers");
        };
        assert_eq!(m.provider_id, "TIN");
        assert_eq!(m.attributed_lives.as_deref(), Some("Member Count"));
        // A member id is a patient's, never a count of lives.
        let Some(Layout::Providers(m)) = g(&["Facility", "Member ID"]) else {
            panic!("not providers");
        };
        assert_eq!(m.provider_id, "Facility");
        assert_eq!(m.attributed_lives, None);
        // One rate among attributes stays an attribute.
        assert!(matches!(
            g(&["provider_id", "Poverty Rate"]),
            Some(Layout::Providers(_))
        ));
    }

    #[test]
    fn measures_are_matched_by_id_title_or_initials() {
        assert_eq!(
            measure_match("BCS-E", "BCS-E", "Breast Cancer Screening"),
            100
        );
        assert_eq!(
            measure_match(
                "breast cancer screening",
                "BCS-E",
                "Breast Cancer Screening"
            ),
            95
        );
        assert_eq!(measure_match("BCS", "X1", "Breast Cancer Screening"), 85);
        assert_eq!(
            measure_match("CBP", "CBP-AD", "Controlling High Blood Pressure"),
            90
        );
        assert!(
            measure_match(
                "Controlling Blood Pressure",
                "CBP",
                "Controlling High Blood Pressure"
            ) > 60
        );
        assert_eq!(
            measure_match("Diabetes", "CBP", "Controlling High Blood Pressure"),
            0
        );
    }
}
