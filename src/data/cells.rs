//! Reading one cell's text as a value: missing markers, numbers as published, yes/no flags.
//!
//! Every column is read as text and parsed here, so a provider ID keeps its leading zeros and a
//! column of counts with one stray decimal is not silently nulled by schema inference.

use std::borrow::Cow;
use std::cell::Cell;

use polars::prelude::*;

use crate::program::is_suppression_code;

/// How a file writes its numbers and its "no value" markers, and how many numeric cells each
/// marker hit.
#[derive(Debug, Clone, Default)]
pub(crate) struct CellRules {
    /// Markers besides an empty cell, compared trimmed and ignoring ASCII case.
    missing: Vec<String>,
    /// `;`-separated files usually come from locales that write `0,75` for 0.75.
    decimal_comma: bool,
    /// Numeric cells that held each marker of `missing`, in the same order.
    hits: Vec<Cell<u64>>,
    /// Numeric cells that were empty.
    blanks: Cell<u64>,
}

/// What a cell holds when a number is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Missing,
    Value(f64),
    Invalid,
}

/// A status as a polars literal (Int32: polars has no UInt8 literal without its `dtype-u8`).
pub(crate) fn st(status: u8) -> Expr {
    lit(i32::from(status))
}

/// What [`CellRules::number_exprs`] found in a cell.
pub(crate) struct Status;

impl Status {
    pub const VALUE: u8 = 0;
    pub const BLANK: u8 = 1;
    /// The first code; code `i` is `CODE + i`.
    pub const CODE: u8 = 2;
    /// Anything else: for [`CellRules::number`] to read (it may still be a number).
    pub const OTHER: u8 = 255;
}

/// What a cell holds when a yes/no flag is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    Yes,
    No,
    Invalid,
}

impl CellRules {
    pub(crate) fn new(missing_values: &[String], decimal_comma: bool) -> Self {
        let mut missing: Vec<String> = Vec::new();
        for m in missing_values {
            let m = m.trim();
            if !m.is_empty() && !missing.iter().any(|x| x.eq_ignore_ascii_case(m)) {
                missing.push(m.to_owned());
            }
        }
        CellRules {
            hits: vec![Cell::new(0); missing.len()],
            missing,
            decimal_comma,
            blanks: Cell::new(0),
        }
    }

    fn code_of(&self, t: &str) -> Option<usize> {
        self.missing.iter().position(|m| m.eq_ignore_ascii_case(t))
    }

    /// The trimmed text of a cell, or None when it means "no value".
    pub(crate) fn text<'a>(&self, cell: Option<&'a str>) -> Option<&'a str> {
        let t = cell?.trim();
        if t.is_empty() || self.code_of(t).is_some() {
            None
        } else {
            Some(t)
        }
    }

    /// A number; a missing-value code or an empty cell is counted. "NaN" and infinities are
    /// invalid unless listed as codes: they are not values a measure can have.
    pub(crate) fn number(&self, cell: Option<&str>) -> Num {
        // None is an unmapped column (or a Parquet null): not a cell the file wrote.
        let Some(t) = cell.map(str::trim) else {
            return Num::Missing;
        };
        if t.is_empty() {
            self.blanks.set(self.blanks.get() + 1);
            return Num::Missing;
        }
        if let Some(i) = self.code_of(t) {
            self.hits[i].set(self.hits[i].get() + 1);
            return Num::Missing;
        }
        match parse_number(t, self.decimal_comma) {
            Some(v) if v.is_finite() => Num::Value(v),
            _ => Num::Invalid,
        }
    }

    /// How many numeric cells each code hit (blank cells as the code ""), with whether the
    /// code marks suppression; codes that hit nothing are left out.
    pub(crate) fn code_counts(&self) -> Vec<(String, u64, bool)> {
        let mut out: Vec<(String, u64, bool)> = self
            .missing
            .iter()
            .zip(&self.hits)
            .filter(|(_, n)| n.get() > 0)
            .map(|(m, n)| (m.clone(), n.get(), is_suppression_code(m)))
            .collect();
        if self.blanks.get() > 0 {
            out.push((String::new(), self.blanks.get(), false));
        }
        out
    }

    /// Adds cells counted elsewhere (by polars, see [`CellRules::number_exprs`]): `blanks`
    /// empty cells and, per code in order, the cells that held it.
    pub(crate) fn add_counts(&self, blanks: u64, hits: &[u64]) {
        self.blanks.set(self.blanks.get() + blanks);
        for (h, n) in self.hits.iter().zip(hits) {
            h.set(h.get() + n);
        }
    }

    /// Number of missing-value codes.
    pub(crate) fn code_count(&self) -> usize {
        self.missing.len()
    }

    /// Polars expressions reading a column of numbers as [`CellRules::number`] does, for the
    /// common forms only: a plain number, `53.50%`, `6 out of 10`, an empty cell and a code
    /// written as listed (or all lower or upper case). Gives the value (NaN unless a number)
    /// and the cell's [`Status`]; a cell in any other form is [`Status::OTHER`], for
    /// [`CellRules::number`] to read. None when this file's numbers need that reading
    /// throughout (decimal commas), or there are too many codes to number.
    pub(crate) fn number_exprs(&self, cell: Expr, dtype: &DataType) -> Option<(Expr, Expr)> {
        if self.decimal_comma || self.missing.len() > usize::from(Status::OTHER - Status::CODE) {
            return None;
        }
        let nan = || lit(f64::NAN);
        // A number column (Parquet) holds values as they are, unless a code reads as a
        // number: then its text would be compared with the codes.
        let numeric_code = self.missing.iter().any(|m| m.parse::<f64>().is_ok());
        if dtype.is_primitive_numeric() && !numeric_code {
            let v = cell.cast(DataType::Float64);
            let status = when(v.clone().is_null())
                .then(st(Status::BLANK))
                .when(v.clone().is_finite())
                .then(st(Status::VALUE))
                .otherwise(st(Status::OTHER))
                .cast(DataType::Int32);
            let value = when(v.clone().is_finite())
                .then(v)
                .otherwise(nan())
                .cast(DataType::Float64);
            return Some((value, status));
        }
        let t = cell.cast(DataType::String).str().strip_chars(lit(NULL));
        let parts = t.clone().str().split_exact(lit(" out of "), 2);
        let got = parts.clone().struct_().field_by_index(0);
        let of = parts.clone().struct_().field_by_index(1);
        let beyond = parts.struct_().field_by_index(2);
        let plain = t
            .clone()
            .str()
            .strip_suffix(lit("%"))
            .cast(DataType::Float64);
        let v = when(of.clone().is_null())
            .then(plain)
            .when(beyond.is_null().and(of.cast(DataType::Float64).is_finite()))
            .then(got.cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64));
        let mut status = st(Status::OTHER);
        // Written last, tested first: codes before numbers, as `number` does.
        let mut chain: Vec<(Expr, u8)> = Vec::new();
        for (i, m) in self.missing.iter().enumerate() {
            let mut forms = vec![m.clone(), m.to_ascii_lowercase(), m.to_ascii_uppercase()];
            forms.dedup();
            let is_code = forms
                .into_iter()
                .map(|f| t.clone().eq(lit(f)))
                .reduce(|a, b| a.or(b))?;
            chain.push((is_code, Status::CODE + i as u8));
        }
        chain.push((v.clone().is_finite(), Status::VALUE));
        // Built from the innermost test outwards.
        for (cond, code) in chain.into_iter().rev() {
            status = when(cond).then(st(code)).otherwise(status);
        }
        let status = when(t.clone().is_null().or(t.eq(lit(""))))
            .then(st(Status::BLANK))
            .otherwise(status)
            .cast(DataType::Int32);
        let value = when(status.clone().eq(st(Status::VALUE)))
            .then(v)
            .otherwise(nan())
            .cast(DataType::Float64);
        Some((value, status))
    }

    /// The exact forms [`CellRules::number_exprs`] and [`CellRules::flag_exprs`] take a code
    /// in: as listed, all lower or all upper case.
    fn is_code_written(&self, t: &Expr) -> Expr {
        let mut any = lit(false);
        for m in &self.missing {
            for f in [m.clone(), m.to_ascii_lowercase(), m.to_ascii_uppercase()] {
                any = any.or(t.clone().eq(lit(f)));
            }
        }
        any
    }

    /// A polars test for a text cell that may mean "no value" (empty, or a code in any case):
    /// true for every cell [`CellRules::text`] gives None for, and perhaps a few more (Unicode
    /// case), which the cell-by-cell reading then settles.
    pub(crate) fn text_missing_expr(&self, cell: Expr) -> Expr {
        let t = cell.cast(DataType::String).str().strip_chars(lit(NULL));
        let low = t.clone().str().to_lowercase();
        let mut missing = t.clone().is_null().or(t.eq(lit("")));
        for m in &self.missing {
            missing = missing.or(low.clone().eq(lit(m.to_lowercase())));
        }
        missing
    }

    /// Polars expressions reading a yes/no column as [`CellRules::flag`] does: whether the
    /// cell says yes, and whether it is in a form left to [`CellRules::flag`] (which may
    /// find it invalid).
    pub(crate) fn flag_exprs(&self, cell: Expr) -> (Expr, Expr) {
        let t = cell.cast(DataType::String).str().strip_chars(lit(NULL));
        let none = t
            .clone()
            .is_null()
            .or(t.clone().eq(lit("")))
            .or(self.is_code_written(&t));
        let low = t.clone().str().to_lowercase();
        let any_of = |words: &[&str]| {
            words
                .iter()
                .fold(lit(false), |a, w| a.or(low.clone().eq(lit(*w))))
        };
        let number = t.cast(DataType::Float64);
        let yes = any_of(&["1", "true", "t", "yes", "y"]).or(number.clone().eq(lit(1.0)));
        let no = any_of(&["0", "false", "f", "no", "n"]).or(number.eq(lit(0.0)));
        let yes = none.clone().not().and(yes).fill_null(lit(false));
        let other = none.or(yes.clone()).or(no).fill_null(lit(false)).not();
        (yes, other)
    }

    /// A flag; an empty or missing cell means "no".
    pub(crate) fn flag(&self, cell: Option<&str>) -> Flag {
        let Some(t) = self.text(cell) else {
            return Flag::No;
        };
        match t.to_ascii_lowercase().as_str() {
            "1" | "true" | "t" | "yes" | "y" => Flag::Yes,
            "0" | "false" | "f" | "no" | "n" => Flag::No,
            // Parquet booleans and floats cast to text arrive as "1.0" / "0.0".
            other => match parse_number(other, false) {
                Some(1.0) => Flag::Yes,
                Some(0.0) => Flag::No,
                _ => Flag::Invalid,
            },
        }
    }
}

/// Parses a number as CMS and spreadsheets publish it: `0.8802`, `-3`, `1e-4`, `1,234.5`,
/// `53.50%` (kept in percent units: 53.5), `6 out of 10` (6), `$1,200`. Infinite values are
/// refused; `NaN` gives NaN (which [`CellRules::number`] refuses).
pub(crate) fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    // "6 out of 10": the points earned; the maximum must itself be a number.
    if let Some((got, of)) = t.split_once(" out of ") {
        parse_number(of, decimal_comma)?;
        return parse_number(got, decimal_comma);
    }
    let t = t.strip_suffix('%').map_or(t, str::trim_end);
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = t
        .strip_prefix('$')
        .or_else(|| t.strip_prefix('£'))
        .or_else(|| t.strip_prefix('€'))
        .unwrap_or(t);
    if t.is_empty() || t.starts_with(['-', '+']) {
        return None;
    }
    let plain = normalise_separators(t, decimal_comma)?;
    let v: f64 = plain.parse().ok()?;
    if v.is_infinite() {
        return None;
    }
    Some(if negative { -v } else { v })
}

/// Removes thousands separators and turns a decimal comma into a point. Refuses commas that are
/// not valid thousands grouping (`1,23`), which would otherwise change the value silently.
fn normalise_separators(t: &str, decimal_comma: bool) -> Option<Cow<'_, str>> {
    let (group, decimal) = if decimal_comma && t.contains(',') {
        ('.', ',')
    } else {
        (',', '.')
    };
    if !t.contains(group) {
        return Some(if decimal == '.' {
            Cow::Borrowed(t)
        } else {
            Cow::Owned(t.replace(decimal, "."))
        });
    }
    let (int_part, frac) = match t.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let mut groups = int_part.split(group);
    let first = groups.next()?;
    let first_ok =
        !first.is_empty() && first.len() <= 3 && first.bytes().all(|b| b.is_ascii_digit());
    let rest_ok = groups
        .clone()
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok || frac.is_some_and(|f| f.contains(group)) {
        // A lone decimal comma in a `;` file ("0,75") was handled above; a lone point in a
        // decimal-comma file is read as a decimal point.
        return None;
    }
    let mut s: String = int_part.chars().filter(|&c| c != group).collect();
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    Some(Cow::Owned(s))
}

/// Formats a number for a CSV cell: shortest text that reads back to the same value; empty for
/// NaN.
pub(crate) fn format_number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_published() {
        let p = |s| parse_number(s, false);
        assert_eq!(p("0.880237"), Some(0.880237));
        assert_eq!(p("53.50%"), Some(53.5));
        assert_eq!(p(" 77.4970 % "), Some(77.497));
        assert_eq!(p("6 out of 10"), Some(6.0));
        assert_eq!(p("0 out of 9"), Some(0.0));
        assert_eq!(p("1,234,567.5"), Some(1_234_567.5));
        assert_eq!(p("$1,200"), Some(1200.0));
        assert_eq!(p("-$5"), Some(-5.0));
        assert_eq!(p("-2.5"), Some(-2.5));
        assert_eq!(p("1e-3"), Some(0.001));
        assert_eq!(p("1,23"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(p("6 out of ten"), None);
        assert_eq!(p("inf"), None);
        assert_eq!(p("--1"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("%"), None);
        assert!(p("NaN").is_some_and(f64::is_nan));
    }

    #[test]
    fn decimal_comma() {
        let p = |s| parse_number(s, true);
        assert_eq!(p("0,75"), Some(0.75));
        assert_eq!(p("1.234,5"), Some(1234.5));
        assert_eq!(p("0.75"), Some(0.75));
        assert_eq!(p("12"), Some(12.0));
    }

    #[test]
    fn missing_and_flags() {
        let r = CellRules::new(&["Not Available".into()], false);
        assert_eq!(r.number(Some("not available")), Num::Missing);
        assert_eq!(r.number(Some("  ")), Num::Missing);
        assert_eq!(r.number(None), Num::Missing);
        assert_eq!(r.number(Some("N/A")), Num::Invalid);
        assert_eq!(r.number(Some("NaN")), Num::Invalid);
        assert_eq!(r.number(Some("inf")), Num::Invalid);
        assert_eq!(r.flag(Some("Yes")), Flag::Yes);
        assert_eq!(r.flag(Some("n")), Flag::No);
        assert_eq!(r.flag(Some("TRUE")), Flag::Yes);
        assert_eq!(r.flag(Some("1.0")), Flag::Yes);
        assert_eq!(r.flag(Some("")), Flag::No);
        assert_eq!(r.flag(Some("maybe")), Flag::Invalid);
        assert_eq!(r.flag(Some("2")), Flag::Invalid);
    }

    #[test]
    fn codes_are_counted_with_suppression_apart() {
        let r = CellRules::new(&["NR".into(), "<11".into(), "nr".into(), " ".into()], false);
        for cell in ["NR", " nr ", "<11", "", "12"] {
            r.number(Some(cell));
        }
        r.number(None);
        r.number(Some(""));
        // Text cells (IDs) are not counted.
        assert_eq!(r.text(Some("NR")), None);
        assert_eq!(
            r.code_counts(),
            vec![
                ("NR".to_owned(), 2, false),
                ("<11".to_owned(), 1, true),
                (String::new(), 2, false),
            ]
        );
    }

    /// What polars makes of each cell, as (value, status).
    fn polars_reads(rules: &CellRules, cells: &[Option<&str>]) -> Vec<(f64, u8)> {
        let frame =
            DataFrame::new_infer_height(vec![Column::new("c".into(), cells.to_vec())]).unwrap();
        let (value, status) = rules
            .number_exprs(col("c"), &DataType::String)
            .expect("plain rules");
        let out = frame
            .lazy()
            .select([value.alias("v"), status.alias("s")])
            .collect()
            .unwrap();
        let v = out.column("v").unwrap().f64().unwrap().clone();
        let s = out.column("s").unwrap().i32().unwrap().clone();
        v.iter()
            .zip(s.iter())
            .map(|(v, s)| (v.unwrap(), u8::try_from(s.unwrap()).unwrap()))
            .collect()
    }

    #[test]
    fn polars_reads_common_cells_as_the_rules_do_and_leaves_the_rest() {
        let rules = CellRules::new(&["Not Available".into(), "NR".into(), "<11".into()], false);
        let cells = [
            Some("0.880237"),
            Some("53.50%"),
            Some(" 77.4970% "),
            Some("6 out of 10"),
            Some("0 out of 9"),
            Some("-2.5"),
            Some("1e-3"),
            Some("+4"),
            Some(""),
            Some("   "),
            None,
            Some("Not Available"),
            Some("NOT AVAILABLE"),
            Some("not available"),
            Some("NR"),
            Some("nr"),
            Some("<11"),
            Some("1,234.5"),
            Some("$1,200"),
            Some("NaN"),
            Some("inf"),
            Some("-inf"),
            Some("abc"),
            Some("6 out of ten"),
            Some("1 out of 2 out of 3"),
            Some("5 %"),
            Some("%"),
            Some("- 5"),
            Some("1,23"),
            Some("Not available"),
        ];
        let read = polars_reads(&rules, &cells);
        let mut left = 0;
        for (cell, (v, status)) in cells.iter().zip(read) {
            let by_rules = rules.number(*cell);
            match status {
                Status::OTHER => left += 1,
                Status::VALUE => assert_eq!(by_rules, Num::Value(v), "{cell:?}"),
                Status::BLANK => {
                    assert_eq!(by_rules, Num::Missing, "{cell:?}");
                    assert!(cell.is_none_or(|c| c.trim().is_empty()), "{cell:?}");
                }
                code => {
                    assert_eq!(by_rules, Num::Missing, "{cell:?}");
                    let code = usize::from(code - Status::CODE);
                    assert!(
                        cell.is_some_and(|c| c.trim().eq_ignore_ascii_case(&rules.missing[code])),
                        "{cell:?}"
                    );
                }
            }
        }
        // The common forms are read by polars; odd ones (thousands, currency, NaN, "Not
        // available" in mixed case, words) are left to the rules.
        let common = polars_reads(&rules, &cells[..17]);
        assert!(
            common.iter().all(|(_, s)| *s != Status::OTHER),
            "{common:?}"
        );
        assert!(left >= 10, "{left}");
        let odd = [
            Some("1,234.5"),
            Some("$1,200"),
            Some("NaN"),
            Some("inf"),
            Some("abc"),
            Some("Not available"),
        ];
        assert!(
            polars_reads(&rules, &odd)
                .iter()
                .all(|(_, s)| *s == Status::OTHER)
        );
        assert_eq!(common[1], (53.5, Status::VALUE));
        assert_eq!(common[3], (6.0, Status::VALUE));
        assert_eq!(common[12].1, Status::CODE);
        assert_eq!(common[16].1, Status::CODE + 2);
    }

    #[test]
    fn polars_reads_flags_as_the_rules_do() {
        let rules = CellRules::new(&["NA".into()], false);
        let cells = [
            Some("1"),
            Some("0"),
            Some("Yes"),
            Some("n"),
            Some("TRUE"),
            Some("f"),
            Some("1.0"),
            Some("0.0"),
            Some(""),
            None,
            Some("NA"),
            Some("maybe"),
            Some("2"),
            Some(" y "),
        ];
        let frame =
            DataFrame::new_infer_height(vec![Column::new("c".into(), cells.to_vec())]).unwrap();
        let (yes, other) = rules.flag_exprs(col("c"));
        let out = frame
            .lazy()
            .select([yes.alias("yes"), other.alias("other")])
            .collect()
            .unwrap();
        let yes = out.column("yes").unwrap().bool().unwrap().clone();
        let other = out.column("other").unwrap().bool().unwrap().clone();
        for ((cell, y), o) in cells.iter().zip(yes.iter()).zip(other.iter()) {
            let by_rules = rules.flag(*cell);
            if o.unwrap() {
                assert_eq!(by_rules, Flag::Invalid, "{cell:?}");
            } else {
                let expected = if y.unwrap() { Flag::Yes } else { Flag::No };
                assert_eq!(by_rules, expected, "{cell:?}");
            }
        }
        assert_eq!(other.iter().filter(|o| o.unwrap()).count(), 2);
    }
}
