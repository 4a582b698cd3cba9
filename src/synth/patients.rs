//! Patient-level rows behind generated provider counts: summed per provider × measure × period
//! by the rules of a patient-level file, they give back the counts they were made from.
//!
//! The rows use every way a file may write a flag (1/0, Y/N, true/false, padded words, blank
//! for "no", "1.0" as Parquet writes a float), put excluded patients in the numerator and
//! patients outside the denominator in it too (neither may count), and mark expected values
//! of patients who are not counted with the missing-value code "NA". Expected values are
//! multiples of 1/8, so their sums are exact in any order of addition.

use crate::engine::Observations;
use crate::program::PatientMapping;

/// The header of the rows [`for_each_patient_row`] gives.
pub const PATIENT_COLUMNS: [&str; 8] = [
    "patient_id",
    "provider_id",
    "measure_id",
    "period",
    "denominator",
    "numerator",
    "excluded",
    "expected",
];

/// The mapping that reads a file of [`PATIENT_COLUMNS`].
pub fn patient_mapping() -> PatientMapping {
    PatientMapping {
        excluded: Some("excluded".into()),
        expected: Some("expected".into()),
        ..PatientMapping::default()
    }
}

const YES: [&str; 5] = ["1", "Y", "true", " yes ", "1.0"];
const NO: [&str; 5] = ["0", "N", "false", "", "no"];
const EXPECTED: [&str; 6] = ["0.125", "0.25", "0.375", "0.5", "0.625", "0.75"];

/// The expected values of the `eligible` patients of one provider × measure × period summed, as
/// the rows give them (the k-th has `EXPECTED[k % 6]`).
pub fn expected_sum(eligible: usize) -> f64 {
    (0..eligible).map(|k| 0.125 * ((k % 6) + 1) as f64).sum()
}

/// Calls `each` with one row per patient (cells in [`PATIENT_COLUMNS`] order) for every
/// provider × measure × period of `obs` with a denominator, measures and periods in key order,
/// providers in their order.
pub fn for_each_patient_row(obs: &Observations, mut each: impl FnMut(&[&str; 8])) {
    let mut k = 0usize;
    for ((measure, period), v) in &obs.series {
        for (i, id) in obs.providers.ids.iter().enumerate() {
            let den = v.denominator[i];
            if den.is_nan() || den < 0.0 {
                continue;
            }
            let den = den as usize;
            let excl = if v.exclusions[i].is_nan() {
                0
            } else {
                (v.exclusions[i] as usize).min(den)
            };
            let num = if v.numerator[i].is_nan() {
                0
            } else {
                (v.numerator[i] as usize).min(den - excl)
            };
            // One patient outside the denominator for every third provider.
            let outside = usize::from(i % 3 == 0);
            for j in 0..den + outside {
                let patient = format!("{id}-{j}");
                let (in_den, excluded, in_num) = if j < excl {
                    (true, true, j % 2 == 0)
                } else if j < excl + num {
                    (true, false, true)
                } else if j < den {
                    (true, false, false)
                } else {
                    (false, false, true)
                };
                let eligible = in_den && !excluded;
                let expected = if eligible {
                    EXPECTED[(j - excl) % EXPECTED.len()]
                } else {
                    "NA"
                };
                let pick = |yes: bool| {
                    if yes {
                        YES[k % YES.len()]
                    } else {
                        NO[k % NO.len()]
                    }
                };
                each(&[
                    &patient,
                    id,
                    measure,
                    period,
                    pick(in_den),
                    pick(in_num),
                    pick(excluded),
                    expected,
                ]);
                k += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_give_back_the_counts() {
        let mut obs = Observations::new();
        obs.provider_index("A");
        obs.provider_index("B");
        let s = obs.series_mut("M", "2025");
        s.denominator[0] = 5.0;
        s.exclusions[0] = 2.0;
        s.numerator[0] = 2.0;
        s.denominator[1] = 1.0;
        s.exclusions[1] = 0.0;
        s.numerator[1] = 0.0;
        let mut rows: Vec<Vec<String>> = Vec::new();
        for_each_patient_row(&obs, |r| {
            rows.push(r.iter().map(|c| c.to_string()).collect())
        });
        // Provider A: 5 patients and one outside the denominator; B: 1.
        assert_eq!(rows.len(), 7);
        let a: Vec<_> = rows.iter().filter(|r| r[1] == "A").collect();
        let yes = |c: &str| YES.contains(&c);
        assert_eq!(a.iter().filter(|r| yes(&r[4])).count(), 5);
        assert_eq!(a.iter().filter(|r| yes(&r[6])).count(), 2);
        let counted = a
            .iter()
            .filter(|r| yes(&r[4]) && !yes(&r[6]) && yes(&r[5]))
            .count();
        assert_eq!(counted, 2);
        // Excluded patients and the one outside the denominator are in the numerator too.
        assert_eq!(a.iter().filter(|r| yes(&r[5])).count(), 4);
        let expected: f64 = a
            .iter()
            .filter(|r| r[7] != "NA")
            .map(|r| r[7].parse::<f64>().unwrap())
            .sum();
        assert_eq!(expected, expected_sum(3));
        assert_eq!(expected_sum(3), 0.125 + 0.25 + 0.375);
    }
}
