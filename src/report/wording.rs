//! Program settings in plain words, the one wording the window, the command line and the
//! reports share: "Pool: $3,000,000", "Threshold: 60th percentile", "Improvement credit: on".

use crate::format;
use crate::program::Parameter;

/// A setting's value in words: "$3,000,000", "60th percentile", "on", "no cap".
pub fn setting_value(p: Parameter, v: f64) -> String {
    let cents = |v: f64| (v * 100.0).round() as i64;
    match p {
        Parameter::PoolDollars => format::money(cents(v)),
        Parameter::CapDollars if v <= 0.0 => "no cap".into(),
        Parameter::CapDollars => format::money(cents(v)),
        Parameter::PmpmDollars => format!("{} per member per month", format::dollars(v)),
        Parameter::WithholdPercent => format!("{}% of base payments", format::number(v)),
        Parameter::SpendPercent => format!("{}% of spend", format::number(v)),
        Parameter::ThresholdPercentile | Parameter::BenchmarkPercentile => {
            format!("{} percentile", ordinal(v))
        }
        Parameter::MinScore => format::number(v),
        Parameter::ImprovementCredit | Parameter::PeerGroupStandards => {
            if v >= 0.5 { "on" } else { "off" }.into()
        }
        Parameter::ImprovementTargetPercent if v <= 0.0 => "none (any improvement counts)".into(),
        Parameter::ImprovementTargetPercent => {
            format!("{}% of the gap to the benchmark", format::number(v))
        }
        Parameter::GateMeasuresMet if v < 0.5 => "none".into(),
        Parameter::GateMeasuresMet => {
            format!("at least {} measures met", format::number(v.round()))
        }
        Parameter::LadderTopDollars => format::money(cents(v)),
    }
}

/// "Pool: $3,000,000".
pub fn setting(p: Parameter, v: f64) -> String {
    format!("{}: {}", p.name(), setting_value(p, v))
}

/// Settings joined by "; ".
pub fn settings(list: &[(Parameter, f64)]) -> String {
    list.iter()
        .map(|(p, v)| setting(*p, *v))
        .collect::<Vec<_>>()
        .join("; ")
}

/// 60 → "60th", 1 → "1st", 22 → "22nd", 13 → "13th", 62.5 → "62.5th".
pub fn ordinal(v: f64) -> String {
    let text = format::number(v);
    if v.fract() != 0.0 || !v.is_finite() {
        return format!("{text}th");
    }
    let n = v.abs() as u64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_words_not_codes() {
        assert_eq!(
            setting(Parameter::ImprovementCredit, 1.0),
            "Improvement credit: on"
        );
        assert_eq!(
            setting(Parameter::PeerGroupStandards, 0.0),
            "Peer-group standards: off"
        );
        assert_eq!(
            setting(Parameter::PoolDollars, 3_000_000.0),
            "Pool: $3,000,000"
        );
        assert_eq!(
            setting(Parameter::ThresholdPercentile, 60.0),
            "Threshold: 60th percentile"
        );
        assert_eq!(
            setting(Parameter::CapDollars, 0.0),
            "Cap per provider: no cap"
        );
        assert_eq!(
            setting(Parameter::WithholdPercent, 2.5),
            "Withhold: 2.5% of base payments"
        );
        assert_eq!(
            settings(&[
                (Parameter::PoolDollars, 6e6),
                (Parameter::BenchmarkPercentile, 92.0)
            ]),
            "Pool: $6,000,000; Benchmark: 92nd percentile"
        );
        for (v, s) in [
            (1.0, "1st"),
            (11.0, "11th"),
            (23.0, "23rd"),
            (62.5, "62.5th"),
        ] {
            assert_eq!(ordinal(v), s);
        }
        // No setting is ever written with its code or a 0/1 flag.
        for p in Parameter::ALL {
            for v in [0.0, 1.0, 60.0] {
                let s = setting(p, v);
                assert!(!s.contains("0/1") && !s.contains(&format!("{p:?}")), "{s}");
            }
        }
    }
}
