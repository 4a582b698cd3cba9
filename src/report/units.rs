//! A measure's own units, read from its data: a proportion (shown as a percentage), an
//! observed / expected ratio (shown as a ratio, e.g. a SIR) or a plain number. One rule for the
//! payouts workbook and the summary report.

use crate::engine::Observations;
use crate::program::Program;

/// How a measure's rates and standards are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// A share of a denominator, 0–1: "72.4%".
    Proportion,
    /// Observed / expected (a standardised ratio such as a SIR): "0.842".
    Ratio,
    /// Anything else (a count, a cost, a score): "12.5".
    Number,
}

impl RateUnit {
    /// `x` in this unit, "—" when missing.
    pub fn format(self, x: f64) -> String {
        if !x.is_finite() {
            return "—".into();
        }
        match self {
            RateUnit::Proportion => format!("{:.1}%", x * 100.0),
            RateUnit::Ratio => format!("{x:.3}"),
            RateUnit::Number => {
                let s = format!("{x:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
        }
    }

    /// The Excel number format for a cell in this unit.
    pub fn excel_format(self) -> &'static str {
        match self {
            RateUnit::Proportion => "0.0%",
            RateUnit::Ratio => "0.000",
            RateUnit::Number => "0.###",
        }
    }

    /// Words for a column title, e.g. "rate" or "ratio".
    pub fn noun(self) -> &'static str {
        match self {
            RateUnit::Proportion => "rate",
            RateUnit::Ratio => "ratio",
            RateUnit::Number => "value",
        }
    }
}

/// The unit of measure `id`: a ratio when the data give expected events, a proportion when
/// every rate it has (in the baseline and performance periods) lies within 0–1 (a measure with
/// no data is taken as a proportion), else a number.
pub fn measure_unit(program: &Program, obs: &Observations, id: &str) -> RateUnit {
    let periods = [
        program.standards.baseline_period.as_str(),
        program.standards.performance_period.as_str(),
    ];
    let series: Vec<_> = periods.iter().filter_map(|p| obs.series(id, p)).collect();
    if series
        .iter()
        .any(|v| v.expected.iter().any(|e| e.is_finite()))
    {
        return RateUnit::Ratio;
    }
    let within = series.iter().all(|v| {
        (0..v.rate.len()).all(|i| {
            let r = v.effective_rate(i);
            !r.is_finite() || (0.0..=1.0).contains(&r)
        })
    });
    if within {
        RateUnit::Proportion
    } else {
        RateUnit::Number
    }
}
