//! Reading one cell's text as a value: missing markers, numbers as published, yes/no flags.
//!
//! Every column is read as text and parsed here, so a provider ID keeps its leading zeros and a
//! column of counts with one stray decimal is not silently nulled by schema inference.

use std::borrow::Cow;
use std::cell::Cell;

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
    /// Bit `n` set when a code is `n` bytes long (bit 63: 63 or more), so that most cells
    /// are told apart from every code by their length alone.
    code_lengths: u64,
    /// Whether a code reads as a number ("0", "999").
    numeric_code: bool,
}

/// What a cell holds when a number is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Missing,
    Value(f64),
    Invalid,
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
        let code_lengths = missing.iter().fold(0, |bits, m| bits | length_bit(m));
        let numeric_code = missing
            .iter()
            .any(|m| parse_number(m, false).is_some() || m.parse::<f64>().is_ok());
        CellRules {
            hits: vec![Cell::new(0); missing.len()],
            missing,
            decimal_comma,
            blanks: Cell::new(0),
            code_lengths,
            numeric_code,
        }
    }

    fn code_of(&self, t: &str) -> Option<usize> {
        if self.code_lengths & length_bit(t) == 0 {
            return None;
        }
        self.missing.iter().position(|m| m.eq_ignore_ascii_case(t))
    }

    /// The trimmed text of a cell, or None when it means "no value".
    pub(crate) fn text<'a>(&self, cell: Option<&'a str>) -> Option<&'a str> {
        let t = trimmed(cell?);
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

    /// Counts `n` empty numeric cells found elsewhere (by polars, as nulls).
    pub(crate) fn count_blanks(&self, n: u64) {
        self.blanks.set(self.blanks.get() + n);
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

    /// Whether polars may cast this file's numeric cells to numbers before they are read one
    /// by one: not when decimal commas are written (polars reads `1.234` as a fraction where
    /// such a file means a thousand), nor when a code reads as a number (it would be taken as
    /// a value).
    pub(crate) fn numbers_cast_plainly(&self) -> bool {
        !self.decimal_comma && !self.numeric_code
    }

    /// A flag; an empty or missing cell means "no". A missing-value code ("NR") is counted
    /// as in a numeric cell, so the report shows how many flags were read as "no" for it.
    pub(crate) fn flag(&self, cell: Option<&str>) -> Flag {
        // The common forms first, unless a code reads as a number.
        match cell {
            Some("1") if !self.numeric_code => return Flag::Yes,
            Some("0") if !self.numeric_code => return Flag::No,
            _ => {}
        }
        let Some(t) = self.text(cell) else {
            if let Some(i) = cell.map(trimmed).and_then(|t| self.code_of(t)) {
                self.hits[i].set(self.hits[i].get() + 1);
            }
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

/// `t` without surrounding whitespace, as `str::trim` gives it; most cells start and end with a
/// visible ASCII character, which the first and last bytes tell without decoding any character.
fn trimmed(t: &str) -> &str {
    let plain = |b: u8| b.is_ascii_graphic();
    match t.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => t,
        [only] if plain(*only) => t,
        _ => t.trim(),
    }
}

/// The bit of [`CellRules::code_lengths`] for text of `t`'s length.
fn length_bit(t: &str) -> u64 {
    1 << t.len().min(63)
}

/// Parses a number as CMS and spreadsheets publish it: `0.8802`, `-3`, `1e-4`, `1,234.5`,
/// `53.50%` (kept in percent units: 53.5), `6 out of 10` (6), `$1,200`. Infinite values are
/// refused; `NaN` gives NaN (which [`CellRules::number`] refuses).
pub(crate) fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    // "6 out of 10": the points earned; the maximum must itself be a number.
    if t.contains(' ')
        && let Some((got, of)) = t.split_once(" out of ")
    {
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
    fn trimmed_is_str_trim() {
        let cells = [
            "",
            " ",
            "a",
            " a",
            "a ",
            " a ",
            "\u{b}a",
            "a\u{b}",
            "\u{a0}a",
            "a\u{3000}",
            "\ta\r",
            "ab",
            "é",
            " é ",
            "\u{1c}a",
            "a b",
            "\u{85}",
        ];
        for c in cells {
            assert_eq!(trimmed(c), c.trim(), "{c:?}");
        }
    }

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
    fn a_code_in_a_flag_reads_as_no_and_is_counted_but_a_blank_flag_is_not() {
        let r = CellRules::new(&["NR".into()], false);
        for cell in [Some(" nr "), Some("NR"), Some(""), None, Some("no")] {
            assert_eq!(r.flag(cell), Flag::No, "{cell:?}");
        }
        assert_eq!(r.flag(Some("1")), Flag::Yes);
        assert_eq!(r.flag(Some("maybe")), Flag::Invalid);
        assert_eq!(r.code_counts(), vec![("NR".to_owned(), 2, false)]);
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
}
