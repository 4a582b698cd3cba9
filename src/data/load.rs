//! Loading every file of a program into fresh `Observations`, and what the layouts share:
//! row references for messages, count checks, and the record of which values came from where.

use foldhash::HashMap;
use std::path::Path;

use crate::engine::{CodeCount, LoadWarning, Observations, PeriodValues};
use crate::program::{Layout, MeasureKind, Program};

use super::cells::{CellRules, Num};
use super::error::{CellRef, DataError, excerpt};
use super::source::{Source, contain, resolve};
use super::{long, patient, providers, wide};

/// Reads every data file of `program` (paths relative to `base_dir`), in program order.
///
/// Builds new `Observations` from nothing, so a caller that keeps its current data until this
/// returns `Ok` never ends up with a half-loaded mix when a file is bad. Values that cannot be
/// right are errors; values that may be wrong, and the cells each missing-value code hit, are in
/// the returned `load_report`.
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
    /// Whether the file is being read a second time, with its numbers as text: polars,
    /// parsing them as it read, met a cell it could not parse or an error further down.
    pub again: bool,
}

/// [`load_program_data`], calling `progress` as it goes (for a progress bar on a background
/// job); returning `false` from it cancels the load with [`DataError::Cancelled`].
pub fn load_program_data_with_progress(
    program: &Program,
    base_dir: &Path,
    progress: &mut dyn FnMut(&LoadProgress) -> bool,
) -> Result<Observations, DataError> {
    load_files(program, base_dir, progress, true)
}

/// Reads every data file of `program`; with `typed_numbers`, polars parses a CSV file's
/// numbers as it reads where the file writes them plainly (much faster than reading them as
/// text), and a file where it then meets a cell it cannot parse is read again with its
/// numbers as text, after what it gave is forgotten.
fn load_files(
    program: &Program,
    base_dir: &Path,
    progress: &mut dyn FnMut(&LoadProgress) -> bool,
    typed_numbers: bool,
) -> Result<Observations, DataError> {
    let file_count = program.data.files.len();
    let mut loader = Loader::new(&program.data.missing_values, progress, file_count);
    for file in &program.data.files {
        let path = resolve(base_dir, &file.path);
        loader.begin_file(&file.path);
        loader.batch_read(0)?;
        let before = loader.mark();
        let mut typed = typed_numbers;
        loop {
            // After a panic the half-built loader is dropped with the error, never used.
            let read = contain(&file.path, || {
                let mut source = Source::open(&path, &file.path)?;
                if typed {
                    source.allow_typed_numbers();
                }
                match &file.layout {
                    Layout::Long(m) => long::load(&mut loader, source, m),
                    Layout::Wide(m) => wide::load(&mut loader, source, m),
                    Layout::PatientLevel(m) => patient::load(&mut loader, source, m),
                    Layout::Providers(m) => providers::load(&mut loader, source, m),
                }
            });
            match read {
                Err(DataError::NumbersAsText { .. }) if typed => {
                    loader.forget_file(&before);
                    typed = false;
                }
                read => break read?,
            }
        }
    }
    loader.finish();
    loader.check_rates(program)?;
    Ok(loader.obs)
}

/// Where a value was first given, to point at both places when it is given twice: the file's
/// place among the program's files and the data row, in one word, as claims hold one for every
/// provider × series (after the values themselves, the most memory a load writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin(u64);

impl Origin {
    /// Bits of the row: 17 trillion rows; the other 20 number a million files.
    const ROW_BITS: u32 = 44;
    const UNSEEN: Origin = Origin(u64::MAX);

    fn new(file: usize, row: usize) -> Origin {
        let file = (file as u64).min((1 << (64 - Self::ROW_BITS)) - 2);
        let row = (row as u64).min((1 << Self::ROW_BITS) - 1);
        Origin(file << Self::ROW_BITS | row)
    }

    fn file(self) -> u32 {
        (self.0 >> Self::ROW_BITS) as u32
    }

    fn row(self) -> u64 {
        self.0 & ((1 << Self::ROW_BITS) - 1)
    }
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
    /// Each series' values, by series id, until [`Loader::finish`] hands them to `obs`:
    /// indexed by id rather than looked up by name on every row.
    values: Vec<PeriodValues>,
    series_ids: HashMap<(String, String), usize>,
    supplied: Vec<Claims<(String, &'static str)>>,
    /// Each supplied field's values, by supplied id, until [`Loader::finish`] hands them to
    /// `obs` (a column a field: a cell is stored without looking up its measure by name).
    supplied_values: Vec<Vec<f64>>,
    supplied_ids: HashMap<(String, &'static str), usize>,
    /// The provider that followed each provider in the rows read last (see
    /// [`Loader::provider`]).
    after: Vec<usize>,
    /// The column each file gave a series' rates in, for messages about them.
    rate_columns: HashMap<(usize, u32), String>,
    /// The file that last noted each series' rate column.
    rate_noted: Vec<u32>,
    /// Whether the current file is being read again (see [`LoadProgress::again`]).
    again: bool,
}

/// Where a loader stood before a file was read (see [`Loader::forget_file`]).
pub(crate) struct Mark {
    file: u32,
    providers: usize,
    series: usize,
    supplied: usize,
    codes: usize,
    warnings: usize,
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
            values: Vec::new(),
            series_ids: HashMap::default(),
            supplied: Vec::new(),
            supplied_values: Vec::new(),
            supplied_ids: HashMap::default(),
            after: Vec::new(),
            rate_columns: HashMap::default(),
            rate_noted: Vec::new(),
            again: false,
        }
    }

    /// Where the loader stands, before the current file gives anything.
    pub fn mark(&self) -> Mark {
        Mark {
            file: self.here(0).file(),
            providers: self.obs.provider_count(),
            series: self.series.len(),
            supplied: self.supplied.len(),
            codes: self.obs.load_report.codes.len(),
            warnings: self.obs.load_report.warnings.len(),
        }
    }

    /// Forgets what the current file gave since `mark` (the providers, series and supplied
    /// fields it added, the values it gave the others, and what it noted of them), to read it
    /// again. Nothing of it may stay: the rows polars hands over before it stops at an error
    /// may not be all the file's rows up to there, in order, so not even the order in which
    /// they named providers can be kept.
    pub fn forget_file(&mut self, mark: &Mark) {
        let n = mark.providers;
        self.obs.keep_providers(n);
        // The rest of `after` are hints, each checked against the ID before it is taken.
        self.after.truncate(n);
        self.series.truncate(mark.series);
        self.values.truncate(mark.series);
        self.series_ids.retain(|_, id| *id < mark.series);
        self.rate_noted.truncate(mark.series);
        self.supplied.truncate(mark.supplied);
        self.supplied_values.truncate(mark.supplied);
        self.supplied_ids.retain(|_, id| *id < mark.supplied);
        for claims in &mut self.series {
            claims.by_provider.truncate(n);
        }
        for values in &mut self.values {
            values.truncate(n);
        }
        for claims in &mut self.supplied {
            claims.by_provider.truncate(n);
        }
        for values in &mut self.supplied_values {
            values.truncate(n);
        }
        // The providers whose value came from the file forgotten: claimed no more, and unknown.
        let forget = |claims: &mut [Origin]| -> Vec<usize> {
            let mut forgotten = Vec::new();
            for (p, o) in claims.iter_mut().enumerate() {
                if *o != Origin::UNSEEN && o.file() == mark.file {
                    *o = Origin::UNSEEN;
                    forgotten.push(p);
                }
            }
            forgotten
        };
        let clear = |values: &mut [f64], forgotten: &[usize]| {
            for &p in forgotten {
                if let Some(v) = values.get_mut(p) {
                    *v = f64::NAN;
                }
            }
        };
        for (claims, s) in self.series.iter_mut().zip(&mut self.values) {
            let forgotten = forget(&mut claims.by_provider);
            if !forgotten.is_empty() {
                for c in s.columns_mut().into_iter().filter(|c| c.is_given()) {
                    clear(c, &forgotten);
                }
            }
        }
        for (claims, values) in self.supplied.iter_mut().zip(&mut self.supplied_values) {
            clear(values, &forget(&mut claims.by_provider));
        }
        self.rate_columns
            .retain(|&(series, file), _| series < mark.series && file != mark.file);
        for noted in &mut self.rate_noted {
            if *noted == mark.file {
                *noted = u32::MAX;
            }
        }
        self.obs.load_report.codes.truncate(mark.codes);
        self.obs.load_report.warnings.truncate(mark.warnings);
        self.again = true;
    }

    /// Hands every series' and supplied field's values to `obs`, each as long as the list of
    /// providers.
    fn finish(&mut self) {
        let n = self.obs.provider_count();
        for (claims, mut values) in self.series.iter().zip(std::mem::take(&mut self.values)) {
            values.grow(n);
            self.obs.series.insert(claims.key.clone(), values);
        }
        let supplied = std::mem::take(&mut self.supplied_values);
        for (claims, mut values) in self.supplied.iter().zip(supplied) {
            let (measure, field) = &claims.key;
            values.resize(n, f64::NAN);
            let s = self.obs.supplied_mut(measure);
            *match *field {
                THRESHOLD => &mut s.threshold,
                BENCHMARK => &mut s.benchmark,
                FLOOR => &mut s.floor,
                WEIGHT => &mut s.weight,
                NOT_SUBMITTED => &mut s.not_submitted,
                _ => &mut s.score,
            } = values.into();
        }
        for s in self.obs.supplied.values_mut() {
            s.grow(n);
        }
    }

    /// Records a value that may be wrong; loading goes on.
    pub fn warn(&mut self, warning: LoadWarning) {
        self.obs.load_report.warnings.push(warning);
    }

    /// Adds the cells each missing-value code hit in the current file to the report.
    pub fn note_codes(&mut self, rules: &CellRules) {
        let file = self.files.last().cloned().unwrap_or_default();
        for (code, cells, suppressed) in rules.code_counts() {
            self.obs.load_report.codes.push(CodeCount {
                file: file.clone(),
                code,
                cells,
                suppressed,
            });
        }
    }

    /// Records the column the current file gives a series' rates in (once: it is asked on
    /// every row that gives a rate).
    pub fn note_rate_column(&mut self, series: usize, column: &str) {
        let file = self.here(0).file();
        if series >= self.rate_noted.len() {
            self.rate_noted.resize(series + 1, u32::MAX);
        }
        if self.rate_noted[series] == file {
            return;
        }
        self.rate_noted[series] = file;
        self.rate_columns
            .entry((series, file))
            .or_insert_with(|| column.to_owned());
    }

    /// Checks each series' given rates against what the measure is and against each other.
    /// A negative rate of a process or structure measure (a share of patients) is an error; a
    /// rate outside the scale the other rates of its series share (0–1, 0–100, ≥ 0) is a
    /// warning naming where it is.
    fn check_rates(&mut self, program: &Program) -> Result<(), DataError> {
        /// Warnings per series before the rest are summed up in one line.
        const SHOWN: usize = 10;
        let mut warnings = Vec::new();
        for (id, claims) in self.series.iter().enumerate() {
            let (measure, period) = &claims.key;
            let Some(values) = self.obs.series.get(&claims.key) else {
                continue;
            };
            let given: Vec<(usize, f64)> = values
                .rate
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .map(|(p, v)| (p, *v))
                .collect();
            if given.is_empty() {
                continue;
            }
            let kind = program
                .measures
                .iter()
                .find(|m| &m.id == measure)
                .map(|m| m.kind);
            let share = matches!(kind, Some(MeasureKind::Process | MeasureKind::Structure));
            // Outcomes, costs and utilisation are often ratios (an SIR) or rates per 1,000 whose
            // top is open; the others are shares of patients or survey scores.
            let bounded = matches!(
                kind,
                Some(
                    MeasureKind::Process
                        | MeasureKind::Structure
                        | MeasureKind::IntermediateOutcome
                        | MeasureKind::PatientExperience
                )
            );
            let scale = RateScale::of(given.iter().map(|(_, v)| *v), bounded);
            let mut flagged = 0usize;
            for &(p, v) in &given {
                // A share of patients below 0 cannot be right whatever the other rates are.
                let impossible = share && v < 0.0;
                let why = scale.doubt(v);
                if !impossible && why.is_none() {
                    continue;
                }
                let origin = claims.by_provider.get(p).copied().unwrap_or(Origin::UNSEEN);
                let file = self
                    .files
                    .get(origin.file() as usize)
                    .cloned()
                    .unwrap_or_default();
                let column = self.rate_columns.get(&(id, origin.file())).cloned();
                let at = || CellRef {
                    file: file.clone(),
                    row: origin.row() as usize,
                    column: column.clone().unwrap_or_else(|| "rate".into()),
                };
                if impossible {
                    return Err(DataError::Implausible {
                        at: at(),
                        value: format!("{v}"),
                        why: format!(
                            "is a negative rate, but measure {measure} is a process or \
                             structure measure: a share of patients, never below 0"
                        ),
                    });
                }
                let Some(why) = why else {
                    continue;
                };
                flagged += 1;
                if flagged <= SHOWN {
                    warnings.push(LoadWarning {
                        file,
                        row: Some(origin.row() as usize),
                        column,
                        value: Some(format!("{v}")),
                        message: format!("rate of measure {measure} in period {period} {why}"),
                    });
                }
            }
            if flagged > SHOWN {
                warnings.push(LoadWarning {
                    file: String::new(),
                    row: None,
                    column: None,
                    value: None,
                    message: format!(
                        "and {} more rates of measure {measure} in period {period} like these",
                        flagged - SHOWN
                    ),
                });
            }
        }
        self.obs.load_report.warnings.extend(warnings);
        Ok(())
    }

    fn begin_file(&mut self, name: &str) {
        self.files.push(name.to_owned());
        self.again = false;
    }

    /// Reports that `rows` rows of the current file have been read; Err if cancelled.
    pub fn batch_read(&mut self, rows: usize) -> Result<(), DataError> {
        let file = self.files.last().map_or("", String::as_str);
        let go_on = (self.progress)(&LoadProgress {
            file,
            file_number: self.files.len(),
            file_count: self.file_count,
            rows,
            again: self.again,
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
        let file = self.files.get(o.file() as usize).map_or("", String::as_str);
        format!("{file}, data row {}", o.row())
    }

    fn here(&self, row: usize) -> Origin {
        Origin::new(self.files.len().saturating_sub(1), row)
    }

    /// The index of provider `id` (added if new), trying first the provider of the row before
    /// (`last`), the one that followed it last time, and the next one in order: files list
    /// providers in one order, measure after measure and file after file, so most rows find
    /// theirs without a lookup in the index of every provider.
    pub fn provider(&mut self, id: &str, last: &mut Option<usize>) -> usize {
        let ids = &self.obs.providers.ids;
        let is = |p: usize| ids.get(p).is_some_and(|x| x == id);
        let p = match *last {
            Some(l) if is(l) => l,
            Some(l) => {
                let after = self.after.get(l).copied().unwrap_or(usize::MAX);
                let p = if is(after) {
                    after
                } else if is(l + 1) {
                    l + 1
                } else {
                    self.obs.provider_index(id)
                };
                if l >= self.after.len() {
                    self.after.resize(l + 1, usize::MAX);
                }
                self.after[l] = p;
                p
            }
            None => self.obs.provider_index(id),
        };
        *last = Some(p);
        p
    }

    /// The id of a measure × period, creating its (empty) series on first use.
    pub fn series_id(&mut self, measure: &str, period: &str) -> usize {
        let key = (measure.to_owned(), period.to_owned());
        if let Some(&id) = self.series_ids.get(&key) {
            return id;
        }
        let id = self.series.len();
        self.values.push(PeriodValues::new(0));
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
        let id = self.supplied.len();
        self.supplied_values.push(Vec::new());
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
        let s = &mut self.values[series];
        // Every provider known so far at once: most series are read after the first has met
        // them all. Only the fields given take memory; the rest stay unknown (see
        // [`crate::engine::Column`]).
        let n = self.obs.providers.len().max(provider + 1);
        for (dst, v) in [
            (&mut s.numerator, c.numerator),
            (&mut s.denominator, c.denominator),
            (&mut s.rate, c.rate),
            (&mut s.exclusions, c.exclusions),
            (&mut s.expected, c.expected),
        ] {
            if !v.is_nan() {
                if provider >= dst.len() {
                    dst.resize(n);
                }
                dst[provider] = v;
            }
        }
    }

    /// Claims and stores a run of rows of one series, each row's provider in `providers`
    /// (the run starts on data row `first_row`), with each field's values in `fields`
    /// (numerator, denominator, rate, exclusions, expected; None when not mapped): what
    /// [`Loader::claim_series`] and [`Loader::store`] do a row at a time, a column at a time.
    /// Refuses a provider given twice, naming `column` of the row that gives it again.
    pub fn store_run(
        &mut self,
        series: usize,
        providers: &[u32],
        first_row: RowRef<'_>,
        fields: [Option<&[f64]>; 5],
        column: &str,
    ) -> Result<(), DataError> {
        let n = self.obs.providers.len();
        let file = self.files.len().saturating_sub(1);
        let claims = &mut self.series[series].by_provider;
        if claims.len() < n {
            claims.resize(n, Origin::UNSEEN);
        }
        for (k, &p) in providers.iter().enumerate() {
            let slot = &mut claims[p as usize];
            if *slot != Origin::UNSEEN {
                let row = RowRef {
                    file: first_row.file,
                    row: first_row.row + k,
                };
                return self.claim_series(series, p as usize, row, column);
            }
            *slot = Origin::new(file, first_row.row + k);
        }
        // Each cell is claimed once, so a field's cells are empty until written here.
        let columns = self.values[series].columns_mut();
        for (dst, values) in columns.into_iter().zip(fields) {
            let Some(values) = values.filter(|v| v.iter().any(|x| !x.is_nan())) else {
                continue;
            };
            if dst.len() < n {
                dst.resize(n);
            }
            let dst: &mut [f64] = dst;
            for (&p, &v) in providers.iter().zip(values) {
                dst[p as usize] = v;
            }
        }
        Ok(())
    }

    /// Stores one supplied value.
    pub fn store_supplied(&mut self, supplied: usize, provider: usize, v: f64) {
        let dst = &mut self.supplied_values[supplied];
        if provider >= dst.len() {
            dst.resize(self.obs.providers.len().max(provider + 1), f64::NAN);
        }
        dst[provider] = v;
    }
}

/// Names of the supplied fields, as messages show them.
pub(crate) const THRESHOLD: &str = "achievement threshold";
pub(crate) const BENCHMARK: &str = "benchmark";
pub(crate) const FLOOR: &str = "floor";
pub(crate) const SUPPLIED_SCORE: &str = "supplied score";
pub(crate) const WEIGHT: &str = "weight";
pub(crate) const NOT_SUBMITTED: &str = "not-submitted flag";

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

    /// A number; NaN when missing. A value beyond [`LIMIT`] is refused: no measure, count or
    /// amount of money in a pay-for-performance program is that large.
    pub fn number(
        &self,
        rules: &CellRules,
        cell: Option<&str>,
        column: &str,
    ) -> Result<f64, DataError> {
        match rules.number(cell) {
            Num::Missing => Ok(f64::NAN),
            Num::Value(v) if v.abs() >= LIMIT => Err(DataError::Implausible {
                at: self.at(column),
                value: excerpt(cell.unwrap_or("")),
                why: "is beyond any real rate, count or amount (a trillion or more); it is \
                      probably a placeholder or an export error"
                    .into(),
            }),
            Num::Value(v) => Ok(v),
            Num::Invalid => Err(DataError::NotNumeric {
                at: self.at(column),
                value: excerpt(cell.unwrap_or("")),
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

/// Values at or beyond this size are refused as impossible (see [`RowRef::number`]).
pub(crate) const LIMIT: f64 = 1e12;

/// The scale most of a series' given rates share, to find the ones that do not.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RateScale {
    /// 0–1.
    Proportion,
    /// 0–100.
    Percentage,
    /// Non-negative with no set top (a ratio such as an SIR, a rate per 1,000, a cost), with
    /// the median size.
    Open { median: f64 },
    /// Over a fifth of the series' rates are below 0 (a difference or a z-score): no range to
    /// check.
    Signed,
}

impl RateScale {
    /// The scale of a series' rates; `bounded` when the measure is a share or a survey score,
    /// so that 0–1 or 0–100 can be its range.
    fn of(values: impl Iterator<Item = f64>, bounded: bool) -> Self {
        let mut v: Vec<f64> = values.collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let negative = v.iter().filter(|x| **x < 0.0).count();
        // One stray value in five must not set the scale.
        if negative * 5 > n {
            return RateScale::Signed;
        }
        let median = v[n / 2];
        let mostly_within = |top: f64| v.iter().filter(|x| **x <= top).count() * 5 >= n * 4;
        if bounded && n >= 3 && mostly_within(1.0) {
            RateScale::Proportion
        } else if bounded && n >= 3 && mostly_within(100.0) && median > 1.0 {
            RateScale::Percentage
        } else {
            RateScale::Open { median }
        }
    }

    /// Why `v` does not fit the scale, if it does not.
    fn doubt(self, v: f64) -> Option<String> {
        match self {
            RateScale::Signed => None,
            _ if v < 0.0 => Some("is negative, but the other rates of this measure are not".into()),
            RateScale::Proportion if v > 1.0 => {
                Some("is above 1, but the other rates of this measure are proportions (0–1)".into())
            }
            RateScale::Percentage if v > 100.0 => Some(
                "is above 100, but the other rates of this measure are percentages (0–100)".into(),
            ),
            RateScale::Open { median } if median > 0.0 && v > median * 1000.0 => Some(format!(
                "is over 1,000 times the median rate of this measure ({median})"
            )),
            _ => None,
        }
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

    /// Exclusions must fit in the denominator, and the numerator in what is left (see
    /// [`fits`]).
    pub fn check(
        &self,
        row: RowRef<'_>,
        numerator_column: &str,
        exclusions_column: &str,
    ) -> Result<(), DataError> {
        if fits(self.numerator, self.denominator, self.exclusions) {
            return Ok(());
        }
        let den = self.denominator;
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

/// Whether exclusions fit in the denominator and the numerator in what is left; a missing
/// (NaN) value fits anything, and anything fits a missing denominator.
#[inline]
fn fits(numerator: f64, denominator: f64, exclusions: f64) -> bool {
    // Comparisons with NaN are false: no branch is needed for a missing value.
    let eligible = denominator - if exclusions.is_nan() { 0.0 } else { exclusions };
    !(exclusions > denominator + COUNT_TOLERANCE || numerator > eligible + COUNT_TOLERANCE)
}

/// The first of the first `rows` rows whose counts do not fit (see [`Counts::check`]), with
/// each field's values by row (None when not mapped).
pub(crate) fn first_misfit(
    numerators: Option<&[f64]>,
    denominators: Option<&[f64]>,
    exclusions: Option<&[f64]>,
    rows: usize,
) -> Option<usize> {
    let denominators = &denominators?[..rows];
    match (
        numerators.map(|n| &n[..rows]),
        exclusions.map(|e| &e[..rows]),
    ) {
        (Some(n), Some(e)) => (0..rows).find(|&k| !fits(n[k], denominators[k], e[k])),
        (Some(n), None) => (0..rows).find(|&k| !fits(n[k], denominators[k], f64::NAN)),
        (None, Some(e)) => (0..rows).find(|&k| !fits(f64::NAN, denominators[k], e[k])),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Origin, load_files};
    use crate::program::{
        DataFile, Layout, LongMapping, Program, WideColumn, WideField, WideMapping,
    };

    /// Writes a file of `rows` lines after `header`, line `i` from `line(i)`, with `odd` put
    /// in place of the cell after the last comma of its line `at`.
    fn file(
        dir: &std::path::Path,
        name: &str,
        header: &str,
        rows: usize,
        line: impl Fn(usize) -> String,
        odd: &Option<(usize, &str)>,
    ) {
        let mut text = format!("{header}\n");
        for i in 0..rows {
            let mut l = line(i);
            if let Some((at, cell)) = odd
                && *at == i
            {
                let cut = l.rfind(',').unwrap();
                l = format!("{},{cell}", &l[..cut]);
            }
            text.push_str(&l);
            text.push('\n');
        }
        std::fs::write(dir.join(name), text).unwrap();
    }

    /// Rows of the files: more than a batch, and far more than the start and the samples
    /// polars' parsing is decided on; the last two files many batches long, so that polars
    /// hands over and the loader stores batches before it meets a cell it cannot parse.
    const ROWS: [usize; 3] = [60_000, 300_000, 300_000];

    /// Loads three files, with `odds` put in them and, with `repeat`, a row of the first given
    /// again in the third: with polars parsing numbers as it reads (and reading a file again
    /// as text from a cell it cannot parse), and as text throughout. What they give must be the
    /// same: values, names, codes counted and warnings, or the error.
    fn read_both_ways(odds: [Option<(usize, &str)>; 3], repeat: bool) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let long_header = "provider_id,measure_id,period,numerator,denominator";
        // Even providers, in M1.
        file(
            d,
            "a.csv",
            long_header,
            ROWS[0],
            |i| format!("P{:06},M1,base,{},{}.5", 2 * i, i % 7, 10 + i % 5),
            &odds[0],
        );
        // Every provider, named, in M3, with its own threshold.
        file(
            d,
            "w.csv",
            "id,name,M3 threshold,M3 den,M3 num",
            ROWS[1],
            |i| {
                format!(
                    "P{i:06},Practice {i},0.{},{}.25,{}",
                    i % 10,
                    20 + i % 9,
                    i % 11
                )
            },
            &odds[1],
        );
        // Odd providers, in M1.
        file(
            d,
            "b.csv",
            long_header,
            ROWS[2],
            |i| {
                let p = if repeat && i == 250_000 { 8 } else { 2 * i + 1 };
                format!("P{p:06},M1,base,{},{}", i % 3, 4 + i % 6)
            },
            &odds[2],
        );
        let wide = WideMapping {
            provider_id: "id".into(),
            provider_name: Some("name".into()),
            columns: vec![
                WideColumn {
                    column: "M3 num".into(),
                    measure_id: "M3".into(),
                    field: WideField::Numerator("base".into()),
                },
                WideColumn {
                    column: "M3 den".into(),
                    measure_id: "M3".into(),
                    field: WideField::Denominator("base".into()),
                },
                WideColumn {
                    column: "M3 threshold".into(),
                    measure_id: "M3".into(),
                    field: WideField::Threshold,
                },
            ],
        };
        let mut program = Program::default();
        program.data.missing_values = vec!["NR".into(), "<11".into()];
        program.data.files = vec![
            DataFile {
                path: "a.csv".into(),
                layout: Layout::Long(LongMapping::default()),
            },
            DataFile {
                path: "w.csv".into(),
                layout: Layout::Wide(wide),
            },
            DataFile {
                path: "b.csv".into(),
                layout: Layout::Long(LongMapping::default()),
            },
        ];
        let show = |r: Result<crate::engine::Observations, super::DataError>| match r {
            Ok(o) => format!(
                "{:?}",
                (&o.providers, &o.series, &o.supplied, &o.load_report)
            ),
            Err(e) => e.to_string(),
        };
        let typed = show(load_files(&program, d, &mut |_| true, true));
        let text = show(load_files(&program, d, &mut |_| true, false));
        // Where they first differ, with some of what comes before.
        let at = typed
            .bytes()
            .zip(text.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(typed.len().min(text.len()));
        let cut = |s: &str| {
            let from = s.floor_char_boundary(at.saturating_sub(200));
            s[from..].chars().take(400).collect::<String>()
        };
        assert!(
            typed == text,
            "{odds:?} {repeat}, from byte {at}\n{}\n{}",
            cut(&typed),
            cut(&text)
        );
    }

    #[test]
    fn files_read_again_as_text_give_what_text_gives() {
        // Between the samples of the file its reading is decided on, after batches of it have
        // been stored.
        let deep = 52_000;
        let deeper = 280_000;
        read_both_ways([None, None, None], false);
        read_both_ways(
            [
                Some((deep, "NR")),
                Some((deeper, "NR")),
                Some((deeper, "<11")),
            ],
            false,
        );
        read_both_ways([None, Some((deeper, "x")), Some((5, "NR"))], true);
        read_both_ways([Some((deep, "-5")), None, Some((deeper, " 7 "))], false);
        read_both_ways([None, Some((deeper, "inf")), Some((deeper, "1e13"))], false);
    }

    #[test]
    fn a_file_read_again_says_so_as_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 120_000;
        // Between the samples the reading is decided on: polars parses the column, then stops.
        file(
            dir.path(),
            "a.csv",
            "provider_id,measure_id,period,numerator,denominator",
            rows,
            |i| format!("P{i:06},M1,base,{},{}", i % 7, 10 + i % 5),
            &Some((100_000, "NR")),
        );
        let mut program = Program::default();
        program.data.missing_values = vec!["NR".into()];
        program.data.files = vec![DataFile {
            path: "a.csv".into(),
            layout: Layout::Long(LongMapping::default()),
        }];
        let mut seen = Vec::new();
        let obs = load_files(
            &program,
            dir.path(),
            &mut |p| {
                seen.push((p.rows, p.again));
                true
            },
            true,
        )
        .unwrap();
        assert_eq!(obs.load_report.codes.len(), 1);
        // Not again until it is; then again to the end.
        let first = seen.iter().position(|s| s.1).expect("read again");
        assert!(seen[first..].iter().all(|s| s.1));
        assert_eq!(seen.last(), Some(&(rows, true)));
    }

    #[test]
    fn a_file_forgotten_leaves_nothing_of_itself() {
        use super::{Counts, LoadProgress, Loader, RowRef, THRESHOLD};
        use crate::engine::LoadWarning;
        let counts = |n: f64| Counts {
            numerator: n,
            denominator: 10.0,
            ..Counts::default()
        };
        // One file read whole, then a second read once in part and forgotten (with `forget`),
        // then read again; what the loader holds at the end is compared.
        let load = |forget: bool| {
            let mut progress = |_: &LoadProgress| true;
            let mut ld = Loader::new(&[], &mut progress, 2);
            ld.begin_file("a.csv");
            let m1 = ld.series_id("M1", "base");
            let threshold = ld.supplied_id("M1", THRESHOLD);
            let mut last = None;
            for (k, id) in ["P1", "P2", "P3"].into_iter().enumerate() {
                let p = ld.provider(id, &mut last);
                let row = RowRef {
                    file: "a.csv",
                    row: k + 1,
                };
                ld.claim_series(m1, p, row, "id").unwrap();
                ld.store(m1, p, &counts(k as f64));
                ld.claim_supplied(threshold, p, row, "id").unwrap();
                ld.store_supplied(threshold, p, 0.5);
            }
            ld.begin_file("b.csv");
            let mark = ld.mark();
            if forget {
                // A provider first named here, then one known; a series and a supplied field
                // first given here; values for providers known and new; notes.
                let mut last = None;
                let p9 = ld.provider("P9", &mut last);
                let p2 = ld.provider("P2", &mut last);
                let m2 = ld.series_id("M2", "base");
                let benchmark = ld.supplied_id("M2", "benchmark");
                let row = RowRef {
                    file: "b.csv",
                    row: 1,
                };
                ld.store_run(
                    m1,
                    &[p9 as u32],
                    row,
                    [Some(&[1.0]), None, None, None, None],
                    "id",
                )
                .unwrap();
                ld.store_run(
                    m2,
                    &[p2 as u32],
                    row,
                    [Some(&[2.0]), None, None, None, None],
                    "id",
                )
                .unwrap();
                ld.note_rate_column(m2, "rate");
                ld.claim_supplied(benchmark, p2, row, "id").unwrap();
                ld.store_supplied(benchmark, p2, 0.7);
                ld.claim_supplied(threshold, p9, row, "id").unwrap();
                ld.store_supplied(threshold, p9, 0.6);
                ld.warn(LoadWarning {
                    file: "b.csv".into(),
                    row: Some(1),
                    column: None,
                    value: None,
                    message: "noted".into(),
                });
                ld.forget_file(&mark);
                assert_eq!(ld.obs.find_provider("P9"), None);
            }
            // The second file as read again: a provider of its own, and P2 in M1 again.
            let mut last = None;
            let p4 = ld.provider("P4", &mut last);
            let p2 = ld.provider("P2", &mut last);
            let row = RowRef {
                file: "b.csv",
                row: 1,
            };
            ld.claim_series(m1, p4, row, "id").unwrap();
            ld.store(m1, p4, &counts(4.0));
            let again = ld.claim_series(m1, p2, row, "id").unwrap_err().to_string();
            ld.finish();
            format!(
                "{:?}\n{again}",
                (
                    &ld.obs.providers,
                    &ld.obs.series,
                    &ld.obs.supplied,
                    &ld.obs.load_report,
                    ld.obs.find_provider("P4"),
                    ld.series.len(),
                    ld.supplied.len(),
                )
            )
        };
        assert_eq!(load(true), load(false));
    }

    #[test]
    fn an_origin_keeps_its_file_and_row_and_is_never_unseen() {
        for (file, row) in [
            (0, 0),
            (0, 1),
            (3, 123_456_789),
            (1_000, 17_000_000_000_000),
        ] {
            let o = Origin::new(file, row);
            assert_eq!((o.file() as usize, o.row() as usize), (file, row));
            assert_ne!(o, Origin::UNSEEN);
        }
        // Beyond a million files or 17 trillion rows, the last there is; never "unseen".
        assert_ne!(Origin::new(usize::MAX, usize::MAX), Origin::UNSEEN);
    }
}
