//! A field's values, one per provider, where a field no file gives takes no memory of its own.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// One value per provider, NaN where unknown. Most files give two or three of a series' five
/// fields, so a column no value was written to reads from one shared run of NaNs instead of
/// holding its own: a loaded series then costs the memory of the fields it has (fresh memory
/// costs the kernel's zeroing of it, a large part of a load's time). Writing through it
/// (`column[i] = v`) first gives it values of its own.
#[derive(Clone)]
pub struct Column(Held);

#[derive(Clone)]
enum Held {
    Own(Vec<f64>),
    /// Every value unknown: the first `len` of a shared run of NaNs.
    Unknown {
        nans: &'static [f64],
        len: usize,
    },
}

impl Column {
    /// `n` unknown values.
    pub fn unknown(n: usize) -> Column {
        Column(Held::Unknown {
            nans: nans(n),
            len: n,
        })
    }

    /// Whether any value has been written (a column of its own).
    pub fn is_given(&self) -> bool {
        matches!(self.0, Held::Own(_))
    }

    /// Sets the length to `n`: values past the old end unknown, any past `n` dropped.
    pub fn resize(&mut self, n: usize) {
        match &mut self.0 {
            Held::Own(v) => v.resize(n, f64::NAN),
            Held::Unknown { nans: shared, len } => {
                if shared.len() < n {
                    *shared = nans(n);
                }
                *len = n;
            }
        }
    }

    /// Keeps the first `n` values.
    pub fn truncate(&mut self, n: usize) {
        match &mut self.0 {
            Held::Own(v) => v.truncate(n),
            Held::Unknown { len, .. } => *len = (*len).min(n),
        }
    }

    /// [`Column::resize`] for each of `columns`.
    pub fn resize_all<'a>(columns: impl IntoIterator<Item = &'a mut Column>, n: usize) {
        columns.into_iter().for_each(|c| c.resize(n));
    }

    /// [`Column::truncate`] for each of `columns`.
    pub fn truncate_all<'a>(columns: impl IntoIterator<Item = &'a mut Column>, n: usize) {
        columns.into_iter().for_each(|c| c.truncate(n));
    }
}

/// A shared run of at least `n` NaNs. Runs are made a power of two long and never freed (a
/// new, longer one when a column outgrows the last): all of them together take less than
/// twice the longest column.
fn nans(n: usize) -> &'static [f64] {
    static LONGEST: Mutex<&'static [f64]> = Mutex::new(&[]);
    let mut longest = LONGEST.lock().unwrap_or_else(|e| e.into_inner());
    if longest.len() < n {
        *longest = Box::leak(vec![f64::NAN; n.next_power_of_two()].into_boxed_slice());
    }
    *longest
}

impl Default for Column {
    fn default() -> Self {
        Column(Held::Own(Vec::new()))
    }
}

impl From<Vec<f64>> for Column {
    fn from(values: Vec<f64>) -> Self {
        Column(Held::Own(values))
    }
}

impl Deref for Column {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        match &self.0 {
            Held::Own(v) => v,
            Held::Unknown { nans, len } => &nans[..*len],
        }
    }
}

impl DerefMut for Column {
    fn deref_mut(&mut self) -> &mut [f64] {
        if let Held::Unknown { len, .. } = self.0 {
            self.0 = Held::Own(vec![f64::NAN; len]);
        }
        match &mut self.0 {
            Held::Own(v) => v,
            Held::Unknown { .. } => unreachable!("given values of its own just above"),
        }
    }
}

impl std::fmt::Debug for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl PartialEq<Vec<f64>> for Column {
    fn eq(&self, other: &Vec<f64>) -> bool {
        self[..] == other[..]
    }
}

impl<const N: usize> PartialEq<[f64; N]> for Column {
    fn eq(&self, other: &[f64; N]) -> bool {
        self[..] == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_column_reads_nan_until_written() {
        let mut c = Column::unknown(3);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|v| v.is_nan()));
        assert!(!c.is_given());
        c.resize(5);
        assert_eq!(c.len(), 5);
        assert!(!c.is_given());
        c[4] = 2.5;
        assert!(c.is_given());
        assert_eq!(c.len(), 5);
        assert!(c[..4].iter().all(|v| v.is_nan()));
        assert_eq!(c[4], 2.5);
        c.truncate(4);
        assert!(c.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn unknown_columns_longer_than_the_shared_run_get_a_longer_one() {
        let short = Column::unknown(2);
        let long = Column::unknown(10_000);
        assert_eq!((short.len(), long.len()), (2, 10_000));
        assert!(long.iter().chain(short.iter()).all(|v| v.is_nan()));
        let mut grown = Column::unknown(1);
        grown.resize(20_000);
        assert_eq!(grown.len(), 20_000);
        assert!(grown.iter().all(|v| v.is_nan()));
    }
}
