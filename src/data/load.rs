//! Loading every file of a program into fresh `Observations`, and what the layouts share:
//! row references for messages, count checks, and the record of which values came from where.

use std::collections::HashMap;
use std::path::Path;

use crate::engine::Observations;
use crate::program::{Layout, Program};

use super::cells::{CellRules, Num};
use super::error::{CellRef, DataError};
use super::source::{Source, contain, resolve};
use super::{long, patient, providers, wide};

/// Reads every data file of `program` (paths relative to `base_dir`), in program order.
///
/// Builds new `Observations` from nothing, so a caller that keeps its current data until this
/// returns `Ok` never ends up with a half-loaded mix when a file is bad.
pub fn load_program_data(program: &Program, base_dir: &Path) -> Result<Observations, DataError> {
    load_program_data_with_progress(program, base_dir, &mut |_| true)
}

/// How far a load has got: reported when a file is opened and after each batch of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress<'a> {
    /// The file being read, as the program names it.
    pub file: &'a str,
    /// 1-based position of the file among the program's files.
    pub file_number: usize,
    pub file_count: usize,
    /// Data rows of this file read so far.
    pub rows: usize,
}

/// [`load_program_data`], calling `progress` as it goes (for a progress bar on a background
/// job); returning `false` from it cancels the load with [`DataError::Cancelled`].
pub fn load_program_data_with_progress(
    program: &Program,
    base_dir: &Path,
    progress: &mut dyn FnMut(&LoadProgress) -> bool,
) -> Result<Observations, DataError> {
    let file_count = program.data.files.len();
    let mut loader = Loader::new(&program.data.missing_values, progress, file_count);
    for file in &program.data.files {
        let path = resolve(base_dir, &file.path);
        loader.begin_file(&file.path);
        loader.batch_read(0)?;
        // After a panic the half-built loader is dropped with the error, never used.
        contain(&file.path, || {
            let source = Source::open(&path, &file.path)?;
            match &file.layout {
                Layout::Long(m) => long::load(&mut loader, source, m),
                Layout::Wide(m) => wide::load(&mut loader, source, m),
                Layout::PatientLevel(m) => patient::load(&mut loader, source, m),
                Layout::Providers(m) => providers::load(&mut loader, source, m),
            }
        })?;
    }
    Ok(loader.obs)
}

/// Where a value was first given, to point at both places when it is given twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    file: u32,
    row: u64,
}

impl Origin {
    const UNSEEN: Origin = Origin {
        file: u32::MAX,
        row: 0,
    };
}

/// One measure × period (or measure × supplied field) and, per provider, where it was given.
struct Claims<K> {
    key: K,
    by_provider: Vec<Origin>,
}

impl<K> Claims<K> {
    /// Records `here` for `provider`, or returns where it was given before.
    fn claim(&mut self, provider: usize, here: Origin) -> Result<(), Origin> {
        if provider >= self.by_provider.len() {
            self.by_provider.resize(provider + 1, Origin::UNSEEN);
        }
        let slot = &mut self.by_provider[provider];
        if *slot != Origin::UNSEEN {
            return Err(*slot);
        }
        *slot = here;
        Ok(())
    }
}

/// The observations being built, and which provider × measure × period (or supplied field) has
/// already been given by which file and row. Measure × period pairs get small ids so that the
/// per-row work allocates nothing.
pub(crate) struct Loader<'p> {
    pub obs: Observations,
    pub missing_values: &'p [String],
    progress: &'p mut dyn FnMut(&LoadProgress) -> bool,
    file_count: usize,
    files: Vec<String>,
    series: Vec<Claims<(String, String)>>,
    series_ids: HashMap<(String, String), usize>,
    supplied: Vec<Claims<(String, &'static str)>>,
    supplied_ids: HashMap<(String, &'static str), usize>,
}

impl<'p> Loader<'p> {
    pub fn new(
        missing_values: &'p [String],
        progress: &'p mut dyn FnMut(&LoadProgress) -> bool,
        file_count: usize,
    ) -> Self {
        Loader {
            obs: Observations::new(),
            missing_values,
            progress,
            file_count,
            files: Vec::new(),
            series: Vec::new(),
            series_ids: HashMap::new(),
            supplied: Vec::new(),
            supplied_ids: HashMap::new(),
        }
    }

    fn begin_file(&mut self, name: &str) {
        self.files.push(name.to_owned());
    }

    /// Reports that `rows` rows of the current file have been read; Err if cancelled.
    pub fn batch_read(&mut self, rows: usize) -> Result<(), DataError> {
        let file = self.files.last().map_or("", String::as_str);
        let go_on = (self.progress)(&LoadProgress {
            file,
            file_number: self.files.len(),
            file_count: self.file_count,
            rows,
        });
        if go_on {
            Ok(())
        } else {
            Err(DataError::Cancelled {
                file: file.to_owned(),
            })
        }
    }

    fn origin_text(&self, o: Origin) -> String {
        let file = self.files.get(o.file as usize).map_or("", String::as_str);
        format!("{file}, data row {}", o.row)
    }

    fn here(&self, row: usize) -> Origin {
        Origin {
            file: u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(u32::MAX - 1),
            row: row as u64,
        }
    }

    /// The id of a measure × period, creating its (empty) series on first use.
    pub fn series_id(&mut self, measure: &str, period: &str) -> usize {
        let key = (measure.to_owned(), period.to_owned());
        if let Some(&id) = self.series_ids.get(&key) {
            return id;
        }
        self.obs.series_mut(measure, period);
        let id = self.series.len();
        self.series_ids.insert(key.clone(), id);
        self.series.push(Claims {
            key,
            by_provider: Vec::new(),
        });
        id
    }

    /// The id of a supplied field (threshold, benchmark…) of a measure.
    pub fn supplied_id(&mut self, measure: &str, field: &'static str) -> usize {
        let key = (measure.to_owned(), field);
        if let Some(&id) = self.supplied_ids.get(&key) {
            return id;
        }
        self.obs.supplied_mut(measure);
        let id = self.supplied.len();
        self.supplied_ids.insert(key.clone(), id);
        self.supplied.push(Claims {
            key,
            by_provider: Vec::new(),
        });
        id
    }

    /// Records that `row` gives provider × measure × period, refusing a second source.
    pub fn claim_series(
        &mut self,
        series: usize,
        provider: usize,
        row: RowRef<'_>,
        column: &str,
    ) -> Result<(), DataError> {
        let here = self.here(row.row);
        let first = match self.series[series].claim(provider, here) {
            Ok(()) => return Ok(()),
            Err(first) => first,
        };
        let (measure, period) = &self.series[series].key;
        let id = &self.obs.providers.ids[provider];
        Err(DataError::Duplicate {
            what: format!("provider {id}, measure {measure}, period {period}"),
            first: self.origin_text(first),
            at: row.at(column),
        })
    }

    /// Records that `row` gives a supplied field of a measure for a provider, refusing a
    /// second source.
    pub fn claim_supplied(
        &mut self,
        supplied: usize,
        provider: usize,
        row: RowRef<'_>,
        column: &str,
    ) -> Result<(), DataError> {
        let here = self.here(row.row);
        let first = match self.supplied[supplied].claim(provider, here) {
            Ok(()) => return Ok(()),
            Err(first) => first,
        };
        let (measure, field) = &self.supplied[supplied].key;
        let id = &self.obs.providers.ids[provider];
        Err(DataError::Duplicate {
            what: format!("{field} of measure {measure} for provider {id}"),
            first: self.origin_text(first),
            at: row.at(column),
        })
    }

    /// Stores the known values of one provider × measure × period.
    pub fn store(&mut self, series: usize, provider: usize, c: &Counts) {
        let Some(s) = self.obs.series.get_mut(&self.series[series].key) else {
            return;
        };
        for (dst, v) in [
            (&mut s.numerator, c.numerator),
            (&mut s.denominator, c.denominator),
            (&mut s.rate, c.rate),
            (&mut s.exclusions, c.exclusions),
            (&mut s.expected, c.expected),
        ] {
            if !v.is_nan() {
                dst[provider] = v;
            }
        }
    }

    /// Stores one supplied value.
    pub fn store_supplied(&mut self, supplied: usize, provider: usize, v: f64) {
        let (measure, field) = &self.supplied[supplied].key;
        let Some(s) = self.obs.supplied.get_mut(measure) else {
            return;
        };
        let dst = match *field {
            THRESHOLD => &mut s.threshold,
            BENCHMARK => &mut s.benchmark,
            FLOOR => &mut s.floor,
            WEIGHT => &mut s.weight,
            _ => &mut s.score,
        };
        dst[provider] = v;
    }
}

/// Names of the supplied fields, as messages show them.
pub(crate) const THRESHOLD: &str = "achievement threshold";
pub(crate) const BENCHMARK: &str = "benchmark";
pub(crate) const FLOOR: &str = "floor";
pub(crate) const SUPPLIED_SCORE: &str = "supplied score";
pub(crate) const WEIGHT: &str = "weight";

/// A data row of a file, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowRef<'a> {
    pub file: &'a str,
    /// 1-based data row.
    pub row: usize,
}

impl RowRef<'_> {
    pub fn at(&self, column: &str) -> CellRef {
        CellRef {
            file: self.file.to_owned(),
            row: self.row,
            column: column.to_owned(),
        }
    }

    /// A text cell that must be present (an ID, a measure, a period).
    pub fn required<'c>(
        &self,
        rules: &CellRules,
        cell: Option<&'c str>,
        column: &str,
        what: &str,
    ) -> Result<&'c str, DataError> {
        rules.text(cell).ok_or_else(|| DataError::MissingValue {
            at: self.at(column),
            what: what.to_owned(),
        })
    }

    /// A number; NaN when missing.
    pub fn number(
        &self,
        rules: &CellRules,
        cell: Option<&str>,
        column: &str,
    ) -> Result<f64, DataError> {
        match rules.number(cell) {
            Num::Missing => Ok(f64::NAN),
            Num::Value(v) => Ok(v),
            Num::Invalid => Err(DataError::NotNumeric {
                at: self.at(column),
                value: cell.unwrap_or("").to_owned(),
            }),
        }
    }

    /// A number that cannot be negative (a count, lives, spend); NaN when missing.
    pub fn count(
        &self,
        rules: &CellRules,
        cell: Option<&str>,
        column: &str,
        what: &str,
    ) -> Result<f64, DataError> {
        let v = self.number(rules, cell, column)?;
        if v < 0.0 {
            return Err(DataError::Negative {
                at: self.at(column),
                what: what.to_owned(),
                value: v,
            });
        }
        Ok(v)
    }
}

/// The values of one provider × measure × period; NaN where not given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub numerator: f64,
    pub denominator: f64,
    pub rate: f64,
    pub exclusions: f64,
    pub expected: f64,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            numerator: f64::NAN,
            denominator: f64::NAN,
            rate: f64::NAN,
            exclusions: f64::NAN,
            expected: f64::NAN,
        }
    }
}

/// Counts agree when compared within this much (counts may arrive as "12.0").
const COUNT_TOLERANCE: f64 = 1e-9;

impl Counts {
    pub fn is_empty(&self) -> bool {
        [
            self.numerator,
            self.denominator,
            self.rate,
            self.exclusions,
            self.expected,
        ]
        .iter()
        .all(|v| v.is_nan())
    }

    /// Exclusions must fit in the denominator, and the numerator in what is left.
    pub fn check(
        &self,
        row: RowRef<'_>,
        numerator_column: &str,
        exclusions_column: &str,
    ) -> Result<(), DataError> {
        let den = self.denominator;
        if den.is_nan() {
            return Ok(());
        }
        let excl = self.exclusions;
        if !excl.is_nan() && excl > den + COUNT_TOLERANCE {
            return Err(DataError::ExclusionsExceedDenominator {
                at: row.at(exclusions_column),
                exclusions: excl,
                denominator: den,
            });
        }
        let eligible = if excl.is_nan() { den } else { den - excl };
        if !self.numerator.is_nan() && self.numerator > eligible + COUNT_TOLERANCE {
            return Err(DataError::NumeratorExceedsDenominator {
                at: row.at(numerator_column),
                numerator: self.numerator,
                denominator: den,
                exclusions: (!excl.is_nan()).then_some(excl),
            });
        }
        Ok(())
    }
}
