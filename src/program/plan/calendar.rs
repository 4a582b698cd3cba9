//! The phase calendar: months as "YYYY-MM", phase ends, and when a measure's data is ready.

use crate::program::{Capability, Phase, PhaseKind, Program};

/// "YYYY-MM" → months since year 0 (None when malformed; the year must have four digits).
pub fn parse_month(s: &str) -> Option<i32> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    (1..=12).contains(&m).then_some(y * 12 + m - 1)
}

/// Months since year 0 → "YYYY-MM".
pub fn format_month(k: i32) -> String {
    format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1)
}

/// `s` plus `months`, saturating: a hand-written length near u32::MAX must not overflow.
fn plus_months(s: i32, months: u32) -> i32 {
    s.saturating_add(i32::try_from(months).unwrap_or(i32::MAX))
}

/// The last month of a phase ("YYYY-MM"), when its start is valid.
pub fn end_month(p: &Phase) -> Option<String> {
    parse_month(&p.start).map(|s| format_month(plus_months(s, p.months.max(1)) - 1))
}

/// The month after a phase ends ("YYYY-MM"): where a following phase starts.
pub fn month_after(p: &Phase) -> Option<String> {
    parse_month(&p.start).map(|s| format_month(plus_months(s, p.months)))
}

/// The month a measure's data should be ready: the program's first month plus the longest of
/// the open requirements that name it (None when nothing open names it or no phase has a start).
pub fn data_ready_month(program: &Program, measure: &str) -> Option<i32> {
    let start = program
        .phases
        .iter()
        .filter_map(|p| parse_month(&p.start))
        .min()?;
    let months = program
        .gaps
        .iter()
        .filter(|g| g.capability != Capability::Ready && g.measure_ids.iter().any(|m| m == measure))
        .map(|g| g.months)
        .fold(None, |a: Option<f64>, m| Some(a.map_or(m, |a| a.max(m))))?;
    Some(start.saturating_add(months.ceil() as i32))
}

/// What the gap analysis says about a measure's phasing: the first phase that counts it but
/// begins before its data should be ready (None when the plan fits the gaps).
pub fn timing_conflict(program: &Program, measure: &str) -> Option<String> {
    let ready = data_ready_month(program, measure)?;
    let p = program
        .phases
        .iter()
        .filter(|p| p.measure_ids.iter().any(|m| m == measure))
        .find(|p| parse_month(&p.start).is_some_and(|s| s < ready))?;
    Some(format!(
        "data ready about {}, after {} starts ({})",
        format_month(ready),
        p.name,
        p.start
    ))
}

/// The usual four phases from 2026-01, each starting when the one before ends, sharing the
/// whole pool; every phase after participation counts `measures`.
pub fn standard_phases(measures: &[String]) -> Vec<Phase> {
    let spec = [
        (
            PhaseKind::Participation,
            "Participation",
            6,
            0.1,
            vec!["Provider agreements signed", "Attribution files exchanged"],
        ),
        (
            PhaseKind::Reporting,
            "Reporting",
            12,
            0.2,
            vec!["Data feeds tested for every measure"],
        ),
        (
            PhaseKind::Performance,
            "Performance",
            12,
            0.4,
            vec![
                "Reporting completeness at target for two quarters",
                "Baselines and benchmarks published",
            ],
        ),
        (
            PhaseKind::Success,
            "Success",
            12,
            0.3,
            vec!["Outcome measures risk-adjusted and validated"],
        ),
    ];
    let mut start = parse_month("2026-01").unwrap_or(0);
    spec.into_iter()
        .map(|(kind, name, months, share, criteria)| {
            let p = Phase {
                name: name.to_owned(),
                kind,
                start: format_month(start),
                months,
                measure_ids: if kind == PhaseKind::Participation {
                    Vec::new()
                } else {
                    measures.to_vec()
                },
                pool_share: share,
                entry_criteria: criteria.into_iter().map(str::to_owned).collect(),
            };
            start += months as i32;
            p
        })
        .collect()
}

/// Starts each phase when the one before it ends (a phase after one with no valid start keeps
/// its own).
pub fn chain_dates(phases: &mut [Phase]) {
    for i in 1..phases.len() {
        if let Some(s) = parse_month(&phases[i - 1].start) {
            phases[i].start = format_month(plus_months(s, phases[i - 1].months));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_format() {
        assert_eq!(parse_month("2026-01"), Some(2026 * 12));
        assert_eq!(parse_month("2026-12"), Some(2026 * 12 + 11));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("26-01"), None);
        assert_eq!(parse_month(""), None);
        assert_eq!(format_month(2026 * 12 + 11), "2026-12");
        let p = Phase {
            start: "2026-07".into(),
            months: 12,
            ..Phase::default()
        };
        assert_eq!(end_month(&p).as_deref(), Some("2027-06"));
        assert_eq!(month_after(&p).as_deref(), Some("2027-07"));
    }

    #[test]
    fn a_phase_that_starts_before_the_data_is_ready_is_flagged() {
        use crate::program::GapItem;
        let mut program = Program {
            phases: standard_phases(&["A".into()]),
            gaps: vec![GapItem {
                measure_ids: vec!["A".into()],
                capability: Capability::Missing,
                months: 9.0,
                ..GapItem::default()
            }],
            ..Program::default()
        };
        // Program starts 2026-01; A's data is ready 2026-10, after Reporting starts 2026-07.
        assert_eq!(data_ready_month(&program, "A"), parse_month("2026-10"));
        assert_eq!(
            timing_conflict(&program, "A").as_deref(),
            Some("data ready about 2026-10, after Reporting starts (2026-07)")
        );
        program.gaps[0].months = 6.0;
        assert_eq!(timing_conflict(&program, "A"), None);
        program.gaps[0].capability = Capability::Ready;
        program.gaps[0].months = 24.0;
        assert_eq!(data_ready_month(&program, "A"), None);
    }

    #[test]
    fn standard_phases_chain_and_share_the_whole_pool() {
        let ps = standard_phases(&["A".into()]);
        assert_eq!(ps.len(), 4);
        assert_eq!(ps[1].start, "2026-07");
        assert_eq!(ps[2].start, "2027-07");
        assert_eq!(ps[3].start, "2028-07");
        let share: f64 = ps.iter().map(|p| p.pool_share).sum();
        assert!((share - 1.0).abs() < 1e-9);
        assert!(ps[0].measure_ids.is_empty());
    }

    #[test]
    fn chained_dates_follow_the_phase_before() {
        let mut ps = standard_phases(&[]);
        ps[0].months = 3;
        ps[2].start = "bad".into();
        chain_dates(&mut ps);
        assert_eq!(ps[1].start, "2026-04");
        assert_eq!(ps[2].start, "2027-04");
        assert_eq!(ps[3].start, "2028-04");
    }
}
