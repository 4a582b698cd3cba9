//! Patient-level files: one row per patient × measure × period, summed to providers.
//!
//! Polars reads the file in batches on its streaming engine and casts the expected values to
//! numbers as it reads; each row is checked where it is, and a batch's rows are then added to
//! their provider × measure × period, so memory follows the number of groups rather than rows
//! (and the fingerprints of the rows looked at for repeated patients, up to a set number). A
//! patient counts in the numerator, exclusions and expected events only when in the
//! denominator; an excluded patient leaves the eligible denominator, so it does not count in
//! the numerator or expected events either.

use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use foldhash::HashMap;
use foldhash::quality::FixedState;

use crate::program::PatientMapping;

use super::cells::{CellRules, Flag};
use super::error::{DataError, excerpt};
use super::load::{Counts, Loader, RowRef};
use super::source::{NumericColumn, Source};

/// The sums of one provider × measure × period, and the data row it first appears on (0
/// until it does). Counts are 32-bit so that a group fits half a cache line: the groups are
/// met in no order, and each row's look-up is a trip to memory.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    expected: f64,
    first_row: u64,
    denominator: u32,
    numerator: u32,
    exclusions: u32,
}

/// What one row adds to its group's sums.
#[derive(Debug, Clone, Copy)]
struct Part {
    group: (u32, u32),
    in_denominator: bool,
    in_numerator: bool,
    excluded: bool,
    /// NaN when the row adds no expected events.
    expected: f64,
}

/// The groups of a patient-level file: providers, measures and periods numbered as they
/// first appear (their tables are small enough to stay in the cache), and each measure ×
/// period's sums in a column indexed by provider, so a row's sums are found in one step.
#[derive(Default)]
struct Groups {
    providers: HashMap<Box<str>, u32>,
    provider_ids: Vec<Box<str>>,
    measures: HashMap<Box<str>, u32>,
    periods: HashMap<Box<str>, u32>,
    /// Series by (measure, period) number, and each series' names.
    series: HashMap<(u32, u32), u32>,
    series_names: Vec<(Box<str>, Box<str>)>,
    /// The series of the row before, as rows often repeat it.
    last: Option<((u32, u32), u32)>,
    sums: Vec<Vec<Sums>>,
    /// (series, provider) in the order the groups first appear.
    order: Vec<(u32, u32)>,
}

/// The number of `key` in `table`, numbered next if new.
fn number_of(table: &mut HashMap<Box<str>, u32>, key: &str) -> u32 {
    if let Some(&n) = table.get(key) {
        return n;
    }
    let n = u32::try_from(table.len()).unwrap_or(u32::MAX);
    table.insert(key.into(), n);
    n
}

impl Groups {
    /// The group of a row: (series, provider).
    fn locate(&mut self, provider: &str, measure: &str, period: &str) -> (u32, u32) {
        let p = number_of(&mut self.providers, provider);
        if p as usize == self.provider_ids.len() {
            self.provider_ids.push(provider.into());
        }
        let key = (
            number_of(&mut self.measures, measure),
            number_of(&mut self.periods, period),
        );
        let s = match self.last {
            Some((k, s)) if k == key => s,
            _ => {
                let next = u32::try_from(self.series.len()).unwrap_or(u32::MAX);
                let s = *self.series.entry(key).or_insert(next);
                if s == next {
                    self.series_names.push((measure.into(), period.into()));
                    self.sums.push(Vec::new());
                }
                self.last = Some((key, s));
                s
            }
        };
        (s, p)
    }

    /// Adds the parts of rows `first_row`, `first_row + 1`…; Err(row) for a group whose
    /// denominator would not fit its count.
    fn add(&mut self, parts: &[Part], first_row: usize) -> Result<(), usize> {
        for (i, part) in parts.iter().enumerate() {
            let sums = self.sums(part.group, first_row + i);
            if sums.denominator == u32::MAX {
                return Err(first_row + i);
            }
            sums.denominator += u32::from(part.in_denominator);
            sums.numerator += u32::from(part.in_numerator);
            sums.exclusions += u32::from(part.excluded);
            if !part.expected.is_nan() {
                sums.expected += part.expected;
            }
        }
        Ok(())
    }

    /// The sums of group (series, provider), first met on data row `row` if new.
    fn sums(&mut self, (s, p): (u32, u32), row: usize) -> &mut Sums {
        let column = &mut self.sums[s as usize];
        if p as usize >= column.len() {
            column.resize(self.provider_ids.len().max(p as usize + 1), Sums::default());
        }
        let g = &mut column[p as usize];
        if g.first_row == 0 {
            g.first_row = row as u64;
            self.order.push((s, p));
        }
        g
    }
}

pub(crate) fn load(ld: &mut Loader, source: Source, m: &PatientMapping) -> Result<(), DataError> {
    let mut wanted = vec![
        (m.patient_id.as_str(), "patient_id"),
        (m.provider_id.as_str(), "provider_id"),
        (m.measure_id.as_str(), "measure_id"),
        (m.period.as_str(), "period"),
        (m.in_denominator.as_str(), "denominator flag"),
        (m.in_numerator.as_str(), "numerator flag"),
    ];
    wanted.extend(m.excluded.as_deref().map(|c| (c, "exclusion flag")));
    wanted.extend(m.expected.as_deref().map(|c| (c, "expected")));
    for (column, role) in &wanted {
        source.require(column, role)?;
    }
    // The reason is not summed, but a mapping naming a column that is not there is wrong.
    if let Some(c) = &m.exclusion_reason {
        source.require(c, "exclusion reason")?;
    }
    let groups = sum(ld, &source, m)?;
    store_groups(ld, &source, m, &groups)
}

/// A row's patient × provider × measure × period fingerprint, and its data row.
type Fingerprints = Vec<((u64, u64), u32)>;

/// A patient given twice: the data rows of the first and the second time.
#[derive(Debug, Clone, Copy)]
struct Repeat {
    first: u32,
    row: u32,
}

/// Looks for repeated patients on a thread of its own, so the look-ups in a table as large as
/// the rows checked (far larger than a cache) run beside the reading: each batch's
/// fingerprints and rows go to it, and it keeps the first repeat.
struct RepeatCheck {
    send: Option<std::sync::mpsc::SyncSender<Fingerprints>>,
    /// Batches looked through, handed back empty to be filled again: fresh memory for each
    /// would cost the kernel's zeroing of it.
    spare: std::sync::mpsc::Receiver<Fingerprints>,
    thread: Option<std::thread::JoinHandle<Option<Repeat>>>,
    found: std::sync::Arc<std::sync::Mutex<Option<Repeat>>>,
}

impl RepeatCheck {
    /// Starts the check, its table sized for `rows` (growing it as it fills would copy it
    /// again and again, each time into memory the kernel must zero first).
    fn start(rows: usize) -> std::io::Result<Self> {
        let (send, recv) = std::sync::mpsc::sync_channel::<Fingerprints>(4);
        let (give_back, spare) = std::sync::mpsc::channel::<Fingerprints>();
        let found = std::sync::Arc::new(std::sync::Mutex::new(None));
        let shared = std::sync::Arc::clone(&found);
        let thread = std::thread::Builder::new()
            .name("p4p-repeats".into())
            .spawn(move || {
                let mut seen: HashMap<(u64, u64), u32> =
                    HashMap::with_capacity_and_hasher(rows, Default::default());
                for mut batch in recv {
                    for &(key, row) in &batch {
                        match seen.entry(key) {
                            Entry::Vacant(v) => {
                                v.insert(row);
                            }
                            Entry::Occupied(o) => {
                                let repeat = Repeat {
                                    first: *o.get(),
                                    row,
                                };
                                if let Ok(mut f) = shared.lock() {
                                    *f = Some(repeat);
                                }
                                return Some(repeat);
                            }
                        }
                    }
                    batch.clear();
                    // The reader may have stopped; then the batch is not needed.
                    let _ = give_back.send(batch);
                }
                None
            })?;
        Ok(RepeatCheck {
            send: Some(send),
            spare,
            thread: Some(thread),
            found,
        })
    }

    /// Hands a batch's fingerprints over.
    fn send(&mut self, batch: Fingerprints) {
        if let Some(send) = &self.send {
            // An error means the check has stopped at a repeat, which `finish` gives.
            let _ = send.send(batch);
        }
    }

    /// An empty batch to fill, one handed back if any.
    fn batch(&self, rows: usize) -> Fingerprints {
        self.spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(rows))
    }

    /// Whether a repeat has been found so far.
    fn found(&self) -> bool {
        self.found.lock().is_ok_and(|f| f.is_some())
    }

    /// Waits for the check to go through every batch handed over; the first repeat.
    fn finish(mut self) -> Option<Repeat> {
        drop(self.send.take());
        self.thread.take().and_then(|t| t.join().ok()).flatten()
    }
}

/// Repeated patients are looked for in this many rows at most, so memory stays bounded on
/// the largest files (a 128-bit fingerprint and a row number a row, about 210 MB).
pub(crate) const REPEAT_CHECK_ROWS: usize = 7_000_000;

/// Sums the file row by row, checking each cell where it is.
fn sum(ld: &mut Loader, source: &Source, m: &PatientMapping) -> Result<Groups, DataError> {
    let rules = source.rules(ld.missing_values);
    let excl_col = m.excluded.as_deref().unwrap_or("excluded");
    let exp_col = m.expected.as_deref().unwrap_or("expected");
    let numeric: Vec<NumericColumn> = m
        .expected
        .as_deref()
        .map(|name| NumericColumn {
            name,
            count: Some("an expected value"),
        })
        .into_iter()
        .collect();

    // Keys are known by a fingerprint of two independent 64-bit hashes (a false match among
    // a billion rows has odds below 1e-20): one look-up a row, nothing allocated, no text
    // compared, and far less memory than the keys, which are gone with their batch.
    let hashers = (
        FixedState::with_seed(0x5eed_0001),
        FixedState::with_seed(0x5eed_0002),
    );
    let fingerprint = |key: &dyn Fn(&FixedState) -> u64| (key(&hashers.0), key(&hashers.1));
    // Patient × provider × measure × period seen so far, looked for on a thread of its own.
    let rows = source.rows_estimate().unwrap_or(0).min(REPEAT_CHECK_ROWS);
    let mut repeats = RepeatCheck::start(rows).map_err(|e| DataError::Unreadable {
        file: source.name.clone(),
        message: e.to_string(),
    })?;
    // Whether the reading stopped because a repeat had been found.
    let mut stopped_for_repeat = false;
    let mut groups = Groups::default();
    // Each row's part, checked in one pass over a batch and added up in a second: the second
    // is a tight loop of independent trips to memory, which the processor overlaps.
    let mut parts: Vec<Part> = Vec::new();
    let (mut read, mut checked) = (0usize, 0usize);

    let text: Vec<&str> = m.read_columns()[..7].iter().flatten().copied().collect();
    let summed = source.read_typed_batches(&text, &numeric, &rules, |table, numbers| {
        // A repeat found in a batch sent before: every row before it has been read well.
        if repeats.found() {
            stopped_for_repeat = true;
            return Err(DataError::Cancelled {
                file: table.name.clone(),
            });
        }
        let mut rows = table.rows(&m.read_columns()[..7])?;
        let mut fingerprints = repeats.batch(table.height());
        parts.clear();
        let mut k = 0;
        // The rows up to an error are checked for repeats too: a repeat before it comes first.
        let mut rows_of_batch = || -> Result<(), DataError> {
            while let Some((r, cells)) = rows.next_row() {
                numbers.check_row(r)?;
                let row = RowRef {
                    file: &table.name,
                    row: r,
                };
                let patient = row.required(&rules, cells[0], &m.patient_id, "the patient ID")?;
                let id = row.required(&rules, cells[1], &m.provider_id, "the provider ID")?;
                let mid = row.required(&rules, cells[2], &m.measure_id, "the measure ID")?;
                let per = row.required(&rules, cells[3], &m.period, "the period")?;
                let flag = |cell: Option<&str>, column: &str| match rules.flag(cell) {
                    Flag::Yes => Ok(true),
                    Flag::No => Ok(false),
                    Flag::Invalid => Err(DataError::NotAFlag {
                        at: row.at(column),
                        value: excerpt(cell.unwrap_or("")),
                    }),
                };
                let in_den = flag(cells[4], &m.in_denominator)?;
                let in_num = flag(cells[5], &m.in_numerator)?;
                let excluded = flag(cells[6], excl_col)?;
                let expected = numbers.values.first().map_or(f64::NAN, |v| v[k]);
                k += 1;

                let group = groups.locate(id, mid, per);
                if r <= REPEAT_CHECK_ROWS {
                    let here = u32::try_from(r).unwrap_or(u32::MAX);
                    fingerprints.push((fingerprint(&|h| h.hash_one((group, patient))), here));
                    checked = r;
                }
                let eligible = in_den && !excluded;
                if eligible && m.expected.is_some() && expected.is_nan() {
                    return Err(DataError::MissingValue {
                        at: row.at(exp_col),
                        what: "the expected value of a patient in the denominator".into(),
                    });
                }
                parts.push(Part {
                    group,
                    in_denominator: in_den,
                    in_numerator: eligible && in_num,
                    excluded: in_den && excluded,
                    expected: if eligible { expected } else { f64::NAN },
                });
            }
            numbers.finish()
        };
        let batch = rows_of_batch();
        repeats.send(fingerprints);
        // The rows before an error are added up first: one too many may come before it.
        if let Err(r) = groups.add(&parts, table.first_data_row()) {
            return Err(DataError::Unreadable {
                file: table.name.clone(),
                message: format!(
                    "data row {r}: more than {} patients for one provider, measure and period; \
                     split the file by period",
                    u32::MAX
                ),
            });
        }
        batch?;
        read = table.rows_through();
        ld.batch_read(read)
    });
    // The earlier of a repeated patient and any other error; a cancelled load stays so.
    let repeat = repeats.finish();
    match (summed, repeat) {
        (Err(e), Some(found))
            if !stopped_for_repeat
                && (matches!(e, DataError::Cancelled { .. })
                    || e.row().is_some_and(|r| r < found.row as usize)) =>
        {
            return Err(e);
        }
        (_, Some(found)) => return Err(repeat_error(source, m, &rules, found)),
        (Err(e), None) => return Err(e),
        (Ok(_), None) => {}
    }
    if read > checked {
        ld.warn(crate::engine::LoadWarning {
            file: source.name.clone(),
            row: Some(checked + 1),
            column: Some(m.patient_id.clone()),
            value: None,
            message: format!(
                "patients given twice were looked for in the first {checked} rows only, to \
                 keep memory bounded"
            ),
        });
    }
    ld.note_codes(&rules);
    Ok(groups)
}

/// The error for a patient given twice, naming the patient, provider, measure and period of
/// the second row: read again from the file, as only fingerprints were kept.
fn repeat_error(
    source: &Source,
    m: &PatientMapping,
    rules: &CellRules,
    found: Repeat,
) -> DataError {
    let row = found.row as usize;
    let mut cells: Option<[String; 4]> = None;
    let columns = [
        m.patient_id.as_str(),
        m.provider_id.as_str(),
        m.measure_id.as_str(),
        m.period.as_str(),
    ];
    let read = source.read_batches(&columns, &[], |table| {
        if table.rows_through() < row {
            return Ok(());
        }
        let mut rows = table.rows(&columns.map(Some))?;
        while let Some((r, c)) = rows.next_row() {
            if r == row {
                cells = Some([0, 1, 2, 3].map(|i| rules.text(c[i]).unwrap_or_default().to_owned()));
                // Found: the rest of the file is not needed.
                return Err(DataError::Cancelled {
                    file: table.name.clone(),
                });
            }
        }
        Ok(())
    });
    let Some([patient, id, mid, per]) = cells else {
        return read.err().unwrap_or_else(|| DataError::Unreadable {
            file: source.name.clone(),
            message: format!("data row {row} could not be read again"),
        });
    };
    DataError::Duplicate {
        at: RowRef {
            file: &source.name,
            row,
        }
        .at(&m.patient_id),
        what: format!("patient {patient} for provider {id}, measure {mid}, period {per}"),
        first: format!("{}, data row {}", source.name, found.first),
    }
}

/// Stores the sums of each provider × measure × period, in the order they first appear.
fn store_groups(
    ld: &mut Loader,
    source: &Source,
    m: &PatientMapping,
    groups: &Groups,
) -> Result<(), DataError> {
    let series: Vec<usize> = groups
        .series_names
        .iter()
        .map(|(measure, period)| ld.series_id(measure, period))
        .collect();
    for &(s, p) in &groups.order {
        let g = groups.sums[s as usize][p as usize];
        let row = RowRef {
            file: &source.name,
            row: usize::try_from(g.first_row).unwrap_or(usize::MAX),
        };
        let counts = Counts {
            denominator: f64::from(g.denominator),
            numerator: f64::from(g.numerator),
            exclusions: if m.excluded.is_some() {
                f64::from(g.exclusions)
            } else {
                f64::NAN
            },
            expected: if m.expected.is_some() {
                g.expected
            } else {
                f64::NAN
            },
            rate: f64::NAN,
        };
        let series = series[s as usize];
        let p = ld.obs.provider_index(&groups.provider_ids[p as usize]);
        ld.claim_series(series, p, row, &m.provider_id)?;
        ld.store(series, p, &counts);
    }
    Ok(())
}
