//! How money and numbers are written for people, everywhere: the window, the report, the audit
//! trail and the command line. Pure string functions, usable from every layer.
//!
//! Money is integer cents. Negative amounts take a true minus sign ("−$12.00") in text for
//! people; [`money_plain`] is the machine form ("-12.00") for CSV.
//!
//! Short money, for headlines and per-life figures, follows one precision rule:
//! below $100 to the cent ("$12.34"), below $10,000 in whole dollars ("$9,200"), then thousands
//! with one decimal unless whole ("$12.5K", "$850K"), millions and billions with two decimals
//! ("$4.20M", "$1.25B"). Zero is "$0".

/// `1234567` → `"1,234,567"`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A number with thousands grouped and `decimals` decimals: `-1234.5`, 1 → `"-1,234.5"`;
/// not finite → "—". The sign is an ASCII hyphen, and is dropped when the rounded value is 0.
pub fn grouped_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if v < 0.0 && s.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn minus(negative: bool) -> &'static str {
    if negative { "−" } else { "" }
}

/// Cents exactly: `"$1,234,567.89"`, `"−$12.00"`.
pub fn money_exact(cents: i64) -> String {
    let a = cents.unsigned_abs();
    format!(
        "{}${}.{:02}",
        minus(cents < 0),
        group_thousands(a / 100),
        a % 100
    )
}

/// Cents in whole dollars, half a dollar rounding away from zero: `"$1,234,568"`.
pub fn money(cents: i64) -> String {
    let dollars = (cents.unsigned_abs() + 50) / 100;
    format!(
        "{}${}",
        minus(cents < 0 && dollars > 0),
        group_thousands(dollars)
    )
}

/// Cents as a plain decimal amount for machines: `"-1234.05"`.
pub fn money_plain(cents: i64) -> String {
    let a = cents.unsigned_abs();
    format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        a / 100,
        a % 100
    )
}

/// Cents, short (see the module's precision rule): `"$12.5K"`, `"$4.20M"`.
pub fn money_short(cents: i64) -> String {
    dollars_short(cents as f64 / 100.0)
}

/// A dollar amount (a float, such as a payout per life), short by the module's rule; "—" when
/// not finite.
pub fn dollars_short(d: f64) -> String {
    if !d.is_finite() {
        return "—".into();
    }
    let a = d.abs();
    // Rounded to the precision shown, so "−$0.00" and "$1000K" never appear.
    let body = if a >= 999_995_000.0 {
        format!("{:.2}B", a / 1e9)
    } else if a >= 999_950.0 {
        format!("{:.2}M", a / 1e6)
    } else if a >= 9_999.5 {
        let k = a / 1e3;
        if (k - k.round()).abs() < 0.05 {
            format!("{k:.0}K")
        } else {
            format!("{k:.1}K")
        }
    } else if a >= 99.995 {
        group_thousands(a.round() as u64)
    } else {
        let c = (a * 100.0).round() as u64;
        if c == 0 {
            return "$0".into();
        }
        format!("{}.{:02}", c / 100, c % 100)
    };
    format!("{}${body}", minus(d < 0.0))
}

/// A dollar amount (a float) exactly to the cent: `"$12.34"`; "—" when not finite.
pub fn dollars(amount: f64) -> String {
    if amount.is_finite() {
        money_exact((amount * 100.0).round() as i64)
    } else {
        "—".into()
    }
}

/// A 0–1 share as a percentage with `decimals` decimals: 0.123, 1 → `"12.3%"`; "—" when not
/// finite.
pub fn percent(share: f64, decimals: usize) -> String {
    if share.is_finite() {
        format!("{:.*}%", decimals, share * 100.0)
    } else {
        "—".into()
    }
}

/// A number for reading in formulas: up to six decimals, trailing zeros dropped; "—" when
/// missing, "∞" / "−∞" when infinite.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "—".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.into();
    }
    let s = format!("{x:.6}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_grouped_by_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(grouped_number(1234567.891, 2), "1,234,567.89");
        assert_eq!(grouped_number(-1234.5, 1), "-1,234.5");
        assert_eq!(grouped_number(-0.04, 1), "0.0");
        assert_eq!(grouped_number(999.0, 0), "999");
        assert_eq!(grouped_number(f64::NAN, 0), "—");
    }

    #[test]
    fn money_exact_and_whole() {
        assert_eq!(money_exact(123_456_789), "$1,234,567.89");
        assert_eq!(money_exact(-1200), "−$12.00");
        assert_eq!(money_exact(5), "$0.05");
        assert_eq!(money_exact(i64::MIN), "−$92,233,720,368,547,758.08");
        assert_eq!(money(123_456_789), "$1,234,568");
        assert_eq!(money(123_456_749), "$1,234,567");
        assert_eq!(money(-150), "−$2");
        assert_eq!(money(-49), "$0");
        assert_eq!(money_plain(-123_405), "-1234.05");
        assert_eq!(money_plain(7), "0.07");
        assert_eq!(dollars(12.345), "$12.35");
        assert_eq!(dollars(f64::NAN), "—");
    }

    #[test]
    fn short_money_has_one_case_and_precision_rule() {
        assert_eq!(money_short(0), "$0");
        assert_eq!(money_short(1234), "$12.34");
        assert_eq!(money_short(92_000), "$920");
        assert_eq!(money_short(920_000), "$9,200");
        assert_eq!(money_short(1_250_000), "$12.5K");
        assert_eq!(money_short(1_296_000), "$13K");
        assert_eq!(money_short(35_000_000), "$350K");
        assert_eq!(money_short(85_000_000), "$850K");
        assert_eq!(money_short(99_999_000), "$1.00M");
        assert_eq!(money_short(420_000_000), "$4.20M");
        assert_eq!(money_short(125_000_000_000), "$1.25B");
        assert_eq!(money_short(-1_250_000), "−$12.5K");
        assert_eq!(dollars_short(-0.001), "$0");
        assert_eq!(dollars_short(f64::INFINITY), "—");
    }

    #[test]
    fn percentages_and_numbers() {
        assert_eq!(percent(0.123, 1), "12.3%");
        assert_eq!(percent(0.87, 0), "87%");
        assert_eq!(percent(f64::NAN, 1), "—");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-0.0000001), "0");
        assert_eq!(number(f64::NAN), "—");
        assert_eq!(number(f64::NEG_INFINITY), "−∞");
    }
}
