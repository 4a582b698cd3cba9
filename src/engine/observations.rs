//! The engine's view of loaded data: plain columns indexed by provider, no I/O.

use std::collections::BTreeMap;

use foldhash::HashMap;

pub use super::column::Column;

/// A provider attribute column that is not one of the named ones: a stratifier.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValues {
    /// Numbers (dual-eligible share, deprivation quintile…); NaN where unknown.
    Numeric(Vec<f64>),
    /// Categories (safety-net flag, rurality…); empty where unknown.
    Text(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stratifier {
    pub name: String,
    pub values: AttributeValues,
}

/// Provider attributes, one entry per provider in every column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Providers {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub service_area: Vec<String>,
    pub peer_group: Vec<String>,
    /// Attributed lives; NaN where unknown.
    pub lives: Vec<f64>,
    /// Base payments in currency units; NaN where unknown.
    pub base_payments: Vec<f64>,
    /// Total cost of care in currency units; NaN where unknown.
    pub spend: Vec<f64>,
    /// Expected spend for shared savings; NaN where unknown.
    pub benchmark_spend: Vec<f64>,
    pub stratifiers: Vec<Stratifier>,
}

impl Providers {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Keeps the first `n` providers, in every column.
    pub fn truncate(&mut self, n: usize) {
        for c in [
            &mut self.ids,
            &mut self.names,
            &mut self.service_area,
            &mut self.peer_group,
        ] {
            c.truncate(n);
        }
        for c in [
            &mut self.lives,
            &mut self.base_payments,
            &mut self.spend,
            &mut self.benchmark_spend,
        ] {
            c.truncate(n);
        }
        for s in &mut self.stratifiers {
            match &mut s.values {
                AttributeValues::Numeric(v) => v.truncate(n),
                AttributeValues::Text(v) => v.truncate(n),
            }
        }
    }
    /// Appends a provider with unknown attributes and returns its index.
    pub fn push(&mut self, id: &str) -> usize {
        self.ids.push(id.to_owned());
        self.names.push(String::new());
        self.service_area.push(String::new());
        self.peer_group.push(String::new());
        self.lives.push(f64::NAN);
        self.base_payments.push(f64::NAN);
        self.spend.push(f64::NAN);
        self.benchmark_spend.push(f64::NAN);
        for s in &mut self.stratifiers {
            match &mut s.values {
                AttributeValues::Numeric(v) => v.push(f64::NAN),
                AttributeValues::Text(v) => v.push(String::new()),
            }
        }
        self.ids.len() - 1
    }
    pub fn stratifier(&self, name: &str) -> Option<&Stratifier> {
        self.stratifiers.iter().find(|s| s.name == name)
    }
}

/// One measure in one period, a value per provider (NaN where not reported).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValues {
    pub numerator: Column,
    pub denominator: Column,
    /// A rate given directly (when counts are not known).
    pub rate: Column,
    /// Exceptions / personalised care adjustments removed from the denominator.
    pub exclusions: Column,
    /// Expected events, for observed / expected measures.
    pub expected: Column,
}

impl PeriodValues {
    pub fn new(n: usize) -> Self {
        PeriodValues {
            numerator: Column::unknown(n),
            denominator: Column::unknown(n),
            rate: Column::unknown(n),
            exclusions: Column::unknown(n),
            expected: Column::unknown(n),
        }
    }

    /// Every column: numerator, denominator, rate, exclusions, expected.
    pub fn columns_mut(&mut self) -> [&mut Column; 5] {
        [
            &mut self.numerator,
            &mut self.denominator,
            &mut self.rate,
            &mut self.exclusions,
            &mut self.expected,
        ]
    }

    /// Cuts every column longer than `n` providers to `n`.
    pub fn truncate(&mut self, n: usize) {
        Column::truncate_all(self.columns_mut(), n);
    }

    /// Sets every column to `n` providers: new ones with unknown values, any beyond `n` cut.
    pub fn grow(&mut self, n: usize) {
        Column::resize_all(self.columns_mut(), n);
    }

    /// The rate the engine scores: a given rate, else observed/expected when expected events
    /// are known, else numerator / (denominator − exclusions).
    pub fn effective_rate(&self, i: usize) -> f64 {
        let r = self.rate[i];
        if !r.is_nan() {
            return r;
        }
        let num = self.numerator[i];
        let exp = self.expected[i];
        if !exp.is_nan() && exp > 0.0 {
            return num / exp;
        }
        let den = self.denominator[i] - zero_if_nan(self.exclusions[i]);
        if den > 0.0 { num / den } else { f64::NAN }
    }

    /// The denominator after exclusions (NaN when unknown).
    pub fn eligible_denominator(&self, i: usize) -> f64 {
        self.denominator[i] - zero_if_nan(self.exclusions[i])
    }

    /// Whether provider `i` reported anything for this measure and period.
    pub fn reported(&self, i: usize) -> bool {
        !self.effective_rate(i).is_nan()
    }
}

fn zero_if_nan(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x }
}

/// Threshold, benchmark, floor and points supplied by the data for one measure, per provider.
#[derive(Debug, Clone, PartialEq)]
pub struct SuppliedValues {
    pub threshold: Column,
    pub benchmark: Column,
    pub floor: Column,
    pub score: Column,
    /// The measure's weight for each provider (NaN: the measure's own weight).
    pub weight: Column,
    /// 1 where the provider did not submit the measure or failed its validation (NaN: no flag).
    pub not_submitted: Column,
}

impl SuppliedValues {
    pub fn new(n: usize) -> Self {
        SuppliedValues {
            threshold: Column::unknown(n),
            benchmark: Column::unknown(n),
            floor: Column::unknown(n),
            score: Column::unknown(n),
            weight: Column::unknown(n),
            not_submitted: Column::unknown(n),
        }
    }
    fn columns_mut(&mut self) -> [&mut Column; 6] {
        [
            &mut self.threshold,
            &mut self.benchmark,
            &mut self.floor,
            &mut self.score,
            &mut self.weight,
            &mut self.not_submitted,
        ]
    }

    /// Cuts every column longer than `n` providers to `n`.
    pub fn truncate(&mut self, n: usize) {
        Column::truncate_all(self.columns_mut(), n);
    }

    /// Sets every column to `n` providers: new ones with unknown values, any beyond `n` cut.
    pub fn grow(&mut self, n: usize) {
        Column::resize_all(self.columns_mut(), n);
    }
}

/// Everything loaded from a program's data files, as plain columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observations {
    pub providers: Providers,
    /// Keyed by (measure id, period label).
    pub series: BTreeMap<(String, String), PeriodValues>,
    /// Keyed by measure id.
    pub supplied: BTreeMap<String, SuppliedValues>,
    /// What loading noticed: missing-value codes met and values to look at.
    pub load_report: LoadReport,
    index: HashMap<String, usize>,
}

impl Observations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn provider_count(&self) -> usize {
        self.providers.len()
    }

    /// The index of a provider, adding it (with unknown attributes) if new.
    pub fn provider_index(&mut self, id: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.providers.push(id);
        self.index.insert(id.to_owned(), i);
        let n = self.providers.len();
        for v in self.series.values_mut() {
            v.grow(n);
        }
        for v in self.supplied.values_mut() {
            v.grow(n);
        }
        i
    }

    /// Keeps the first `n` providers and forgets those added after them, as if never added.
    pub fn keep_providers(&mut self, n: usize) {
        for id in self.providers.ids.get(n..).unwrap_or(&[]) {
            self.index.remove(id);
        }
        self.providers.truncate(n);
        for v in self.series.values_mut() {
            v.truncate(n);
        }
        for v in self.supplied.values_mut() {
            v.truncate(n);
        }
    }

    /// The index of a provider already known.
    pub fn find_provider(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The values of a measure in a period, created empty if absent.
    pub fn series_mut(&mut self, measure_id: &str, period: &str) -> &mut PeriodValues {
        let n = self.providers.len();
        self.series
            .entry((measure_id.to_owned(), period.to_owned()))
            .or_insert_with(|| PeriodValues::new(n))
    }

    pub fn series(&self, measure_id: &str, period: &str) -> Option<&PeriodValues> {
        self.series.get(&(measure_id.to_owned(), period.to_owned()))
    }

    pub fn supplied_mut(&mut self, measure_id: &str) -> &mut SuppliedValues {
        let n = self.providers.len();
        self.supplied
            .entry(measure_id.to_owned())
            .or_insert_with(|| SuppliedValues::new(n))
    }

    /// Every period label present, in sorted order.
    pub fn periods(&self) -> Vec<String> {
        let mut p: Vec<String> = self.series.keys().map(|(_, p)| p.clone()).collect();
        p.sort();
        p.dedup();
        p
    }

    /// Every measure id present in the performance data.
    pub fn measure_ids(&self) -> Vec<String> {
        let mut m: Vec<String> = self.series.keys().map(|(m, _)| m.clone()).collect();
        m.extend(self.supplied.keys().cloned());
        m.sort();
        m.dedup();
        m
    }

    /// Adds a stratifier column (filled as unknown) and returns its position.
    pub fn add_stratifier(&mut self, name: &str, numeric: bool) -> usize {
        if let Some(p) = self
            .providers
            .stratifiers
            .iter()
            .position(|s| s.name == name)
        {
            return p;
        }
        let n = self.providers.len();
        let values = if numeric {
            AttributeValues::Numeric(vec![f64::NAN; n])
        } else {
            AttributeValues::Text(vec![String::new(); n])
        };
        self.providers.stratifiers.push(Stratifier {
            name: name.to_owned(),
            values,
        });
        self.providers.stratifiers.len() - 1
    }
}

/// What the step checks ask of loaded data.
impl crate::program::plan::LoadedData for Observations {
    fn has_period(&self, period: &str) -> bool {
        self.periods().iter().any(|p| p == period)
    }

    fn any_reported(&self, measure: &str, period: &str) -> bool {
        self.series(measure, period)
            .is_some_and(|v| (0..self.provider_count()).any(|i| v.reported(i)))
    }
}

/// What loading the data files noticed without refusing them: how many cells each
/// missing-value code hit, and values that may be wrong (shown to the designer, never dropped).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadReport {
    pub codes: Vec<CodeCount>,
    pub warnings: Vec<LoadWarning>,
}

/// How many numeric cells of one file held one missing-value code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeCount {
    pub file: String,
    /// The code as the program lists it; empty for blank cells.
    pub code: String,
    pub cells: u64,
    /// A small-cell suppression marker ("<11", "*"), counted apart from plain missing values.
    pub suppressed: bool,
}

/// A value loaded as given that may be wrong, with where it is and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadWarning {
    pub file: String,
    /// 1-based data row, when the warning is about one row.
    pub row: Option<usize>,
    pub column: Option<String>,
    /// A short excerpt of the cell.
    pub value: Option<String>,
    pub message: String,
}

impl std::fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", data row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column \"{c}\"")?;
        }
        if let Some(v) = &self.value {
            write!(f, ": \"{v}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl LoadReport {
    /// One line per file: the cells each code hit, e.g.
    /// `perf.csv: 3 cells "NR", 2 blank; 4 suppressed ("<11")`.
    pub fn code_summary(&self) -> Vec<String> {
        let mut files: Vec<&str> = Vec::new();
        for c in &self.codes {
            if !files.contains(&c.file.as_str()) {
                files.push(&c.file);
            }
        }
        files
            .into_iter()
            .map(|file| {
                let part = |suppressed: bool| {
                    self.codes
                        .iter()
                        .filter(|c| c.file == file && c.suppressed == suppressed)
                        .map(|c| {
                            let cells = if c.cells == 1 { "cell" } else { "cells" };
                            if c.code.is_empty() {
                                format!("{} blank {cells}", c.cells)
                            } else {
                                format!("{} {cells} \"{}\"", c.cells, c.code)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let missing = part(false);
                let suppressed = part(true);
                let mut line = format!("{file}: read as missing: ");
                line.push_str(if missing.is_empty() { "none" } else { &missing });
                if !suppressed.is_empty() {
                    line.push_str("; suppressed (small cells): ");
                    line.push_str(&suppressed);
                }
                line
            })
            .collect()
    }

    /// Cells of `file` read as missing (`suppressed` false) or suppressed (true).
    pub fn cells(&self, file: &str, suppressed: bool) -> u64 {
        self.codes
            .iter()
            .filter(|c| c.file == file && c.suppressed == suppressed)
            .map(|c| c.cells)
            .sum()
    }

    /// Cells of `file` that held `code` (compared ignoring ASCII case).
    pub fn code_cells(&self, file: &str, code: &str) -> u64 {
        self.codes
            .iter()
            .filter(|c| c.file == file && c.code.eq_ignore_ascii_case(code))
            .map(|c| c.cells)
            .sum()
    }
}
