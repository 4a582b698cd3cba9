//! Monitoring of a later period's data: who reported what against who was expected to, and
//! how each measure moved since the baseline. Step 7 of the designer shows it.

use super::observations::Observations;
use crate::program::{Measure, Program};

/// Reporting and improvement in one monitored period, per measure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Monitoring {
    pub period: String,
    pub measures: Vec<MeasureMonitoring>,
    /// Provider × measure cells expected to be reported, and those that were.
    pub expected_cells: usize,
    pub reported_cells: usize,
}

impl Monitoring {
    /// Share of expected provider × measure cells reported (NaN when none expected).
    pub fn completeness(&self) -> f64 {
        if self.expected_cells == 0 {
            f64::NAN
        } else {
            self.reported_cells as f64 / self.expected_cells as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeasureMonitoring {
    pub id: String,
    /// Whether any provider reported it in the period. A measure nobody reported is not being
    /// collected for this period yet; it is listed apart rather than counted as missing.
    pub in_period: bool,
    /// Per provider (as in `Observations::providers`): expected to report this measure.
    pub expected: Vec<bool>,
    /// Per provider: reported a result in the monitored period.
    pub reported: Vec<bool>,
    pub expected_count: usize,
    pub reported_count: usize,
    /// Medians over providers with a result in both periods, in the measure's units.
    pub baseline_median: f64,
    pub later_median: f64,
    /// Median of each provider's change (later − baseline).
    pub median_change: f64,
    /// Share of those providers that moved in the better direction.
    pub improved_share: f64,
    /// Providers with a result in both periods.
    pub paired: usize,
}

impl MeasureMonitoring {
    pub fn completeness(&self) -> f64 {
        if self.expected_count == 0 {
            f64::NAN
        } else {
            self.reported_count as f64 / self.expected_count as f64
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Summarises reporting and change since the baseline for the program's vital few (or every
/// candidate before any is chosen) in `period`. Completeness counts the measures collected in
/// the period (reported by anyone).
///
/// A provider is expected to report a measure when its service area is one the measure is
/// crosswalked to (either side unknown: expected), so that a primary-care practice is not
/// counted missing on a hospital measure.
pub fn monitoring(program: &Program, obs: &Observations, period: &str) -> Monitoring {
    let n = obs.provider_count();
    let mut measures: Vec<&Measure> = program.scored_measures().collect();
    if measures.is_empty() {
        measures = program.measures.iter().collect();
    }
    let area_matches = |provider_area: &str, m: &Measure| {
        if provider_area.is_empty() || m.service_areas.is_empty() {
            return true;
        }
        m.service_areas.iter().any(|a| {
            a.eq_ignore_ascii_case(provider_area)
                || program
                    .service_areas
                    .iter()
                    .any(|sa| sa.id == *a && sa.name.eq_ignore_ascii_case(provider_area))
        })
    };
    let baseline = &program.standards.baseline_period;
    let mut out = Monitoring {
        period: period.to_owned(),
        ..Default::default()
    };
    for m in measures {
        let later = obs.series(&m.id, period);
        let base = obs.series(&m.id, baseline);
        let mut expected: Vec<bool> = (0..n)
            .map(|i| {
                area_matches(
                    obs.providers.service_area.get(i).map_or("", String::as_str),
                    m,
                )
            })
            .collect();
        if !expected.iter().any(|e| *e) {
            expected = vec![true; n];
        }
        let reported: Vec<bool> = (0..n)
            .map(|i| expected[i] && later.is_some_and(|v| v.reported(i)))
            .collect();
        let (mut b, mut l, mut d) = (Vec::new(), Vec::new(), Vec::new());
        let mut improved = 0usize;
        if let (Some(bv), Some(lv)) = (base, later) {
            for i in 0..n {
                let (x, y) = (bv.effective_rate(i), lv.effective_rate(i));
                if x.is_finite() && y.is_finite() {
                    b.push(x);
                    l.push(y);
                    d.push(y - x);
                    if (y - x) * m.direction.sign() > 0.0 {
                        improved += 1;
                    }
                }
            }
        }
        let paired = d.len();
        let in_period = reported.iter().any(|r| *r);
        let mm = MeasureMonitoring {
            id: m.id.clone(),
            in_period,
            expected_count: expected.iter().filter(|e| **e).count(),
            reported_count: reported.iter().filter(|r| **r).count(),
            expected,
            reported,
            baseline_median: median(b),
            later_median: median(l),
            median_change: median(d),
            improved_share: if paired == 0 {
                f64::NAN
            } else {
                improved as f64 / paired as f64
            },
            paired,
        };
        if in_period {
            out.expected_cells += mm.expected_count;
            out.reported_cells += mm.reported_count;
        }
        out.measures.push(mm);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs() -> Observations {
        let mut o = Observations::new();
        for id in ["a", "b", "c", "d"] {
            o.provider_index(id);
        }
        for (period, rates) in [
            ("baseline", [0.5, 0.6, 0.7, f64::NAN]),
            ("2026Q1", [0.6, 0.5, 0.9, f64::NAN]),
        ] {
            let s = o.series_mut("M1", period);
            s.rate = rates.to_vec().into();
        }
        o
    }

    #[test]
    fn completeness_and_median_change() {
        let program = Program {
            measures: vec![Measure {
                id: "M1".into(),
                vital_few: true,
                ..Measure::default()
            }],
            ..Program::default()
        };
        let m = monitoring(&program, &obs(), "2026Q1");
        assert_eq!(m.expected_cells, 4);
        assert_eq!(m.reported_cells, 3);
        assert!((m.completeness() - 0.75).abs() < 1e-12);
        let mm = &m.measures[0];
        assert_eq!(mm.paired, 3);
        // Changes +0.1, −0.1, +0.2: median +0.1; two of three improved.
        assert!((mm.median_change - 0.1).abs() < 1e-12);
        assert!((mm.improved_share - 2.0 / 3.0).abs() < 1e-12);
        assert!((mm.baseline_median - 0.6).abs() < 1e-12);
    }

    #[test]
    fn providers_of_other_service_areas_are_not_expected() {
        let mut o = obs();
        o.providers.service_area = vec!["pc".into(), "pc".into(), "hosp".into(), "hosp".into()];
        let program = Program {
            measures: vec![Measure {
                id: "M1".into(),
                vital_few: true,
                service_areas: vec!["pc".into()],
                ..Measure::default()
            }],
            ..Program::default()
        };
        let m = monitoring(&program, &o, "2026Q1");
        assert_eq!(m.expected_cells, 2);
        assert_eq!(m.reported_cells, 2);
    }
}
