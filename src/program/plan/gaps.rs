//! Gap totals and readiness: what closing the data and infrastructure gaps costs, how long it
//! takes, and how ready each measure's data is.

use crate::program::{Capability, DataSourceKind, GapItem, GapLevel, Program};

/// Totals of the gap analysis, as shown on screen and in the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GapTotals {
    pub items: usize,
    pub cost_cents: i64,
    /// The longest gap: time to readiness if gaps close in parallel.
    pub max_months: f64,
    pub provider: LevelTotals,
    pub payer: LevelTotals,
    /// Items by capability: ready, partial, missing.
    pub by_capability: [usize; 3],
}

impl GapTotals {
    /// Requirements not yet ready, at either level.
    pub fn not_ready(&self) -> usize {
        self.provider.not_ready + self.payer.not_ready
    }

    /// The totals of one level.
    pub fn level(&self, level: GapLevel) -> &LevelTotals {
        match level {
            GapLevel::Provider => &self.provider,
            GapLevel::Payer => &self.payer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LevelTotals {
    pub items: usize,
    pub not_ready: usize,
    pub cost_cents: i64,
    pub max_months: f64,
}

pub fn gap_totals(program: &Program) -> GapTotals {
    let mut t = GapTotals::default();
    for g in &program.gaps {
        t.items += 1;
        // Saturating: a hand-written cost near i64::MAX must not overflow (validate refuses it).
        t.cost_cents = t.cost_cents.saturating_add(g.cost_cents);
        t.max_months = t.max_months.max(g.months);
        let l = match g.level {
            GapLevel::Provider => &mut t.provider,
            GapLevel::Payer => &mut t.payer,
        };
        l.items += 1;
        l.cost_cents = l.cost_cents.saturating_add(g.cost_cents);
        l.max_months = l.max_months.max(g.months);
        if g.capability != Capability::Ready {
            l.not_ready += 1;
        }
        t.by_capability[capability_rank(g.capability)] += 1;
    }
    t
}

/// Ready 0, partial 1, missing 2: higher is worse.
fn capability_rank(c: Capability) -> usize {
    Capability::ALL.iter().position(|x| *x == c).unwrap_or(2)
}

/// The worst capability among some requirements (None when there are none).
pub fn worst_capability<'a>(gaps: impl IntoIterator<Item = &'a GapItem>) -> Option<Capability> {
    gaps.into_iter()
        .map(|g| g.capability)
        .max_by_key(|c| capability_rank(*c))
}

/// The data sources a measure's data comes from: hybrid measures also need claims.
pub fn sources_of(s: DataSourceKind) -> Vec<DataSourceKind> {
    match s {
        DataSourceKind::Hybrid => vec![DataSourceKind::Claims, DataSourceKind::Hybrid],
        other => vec![other],
    }
}

/// Whether a requirement covers a measure from a source: it names the measure, or it is
/// program-wide.
fn covers_item(g: &GapItem, measure: &str, source: DataSourceKind) -> bool {
    g.source == source && (g.measure_ids.is_empty() || g.measure_ids.iter().any(|m| m == measure))
}

/// Whether some requirement covers this measure's data from this source.
pub fn covers(program: &Program, measure: &str, source: DataSourceKind) -> bool {
    program.gaps.iter().any(|g| covers_item(g, measure, source))
}

/// The worst capability among requirements covering a measure from a source (None: none do).
pub fn readiness(program: &Program, measure: &str, source: DataSourceKind) -> Option<Capability> {
    worst_capability(
        program
            .gaps
            .iter()
            .filter(|g| covers_item(g, measure, source)),
    )
}

/// The worst capability among the requirements that name a measure (None: none does).
/// Program-wide requirements are left out: they say nothing about one measure's data.
pub fn measure_readiness(program: &Program, measure: &str) -> Option<Capability> {
    worst_capability(
        program
            .gaps
            .iter()
            .filter(|g| g.measure_ids.iter().any(|m| m == measure)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        level: GapLevel,
        source: DataSourceKind,
        capability: Capability,
        measures: &[&str],
        months: f64,
        cost_cents: i64,
    ) -> GapItem {
        GapItem {
            level,
            source,
            capability,
            measure_ids: measures.iter().map(|m| (*m).to_owned()).collect(),
            months,
            cost_cents,
            ..GapItem::default()
        }
    }

    #[test]
    fn totals_add_up_by_level_and_capability() {
        let program = Program {
            gaps: vec![
                item(
                    GapLevel::Provider,
                    DataSourceKind::Claims,
                    Capability::Ready,
                    &["A"],
                    0.0,
                    100,
                ),
                item(
                    GapLevel::Provider,
                    DataSourceKind::Ehr,
                    Capability::Missing,
                    &["A"],
                    9.0,
                    5_000,
                ),
                item(
                    GapLevel::Payer,
                    DataSourceKind::Claims,
                    Capability::Partial,
                    &[],
                    4.5,
                    2_000,
                ),
            ],
            ..Program::default()
        };
        let t = gap_totals(&program);
        assert_eq!(t.items, 3);
        assert_eq!(t.cost_cents, 7_100);
        assert_eq!(t.max_months, 9.0);
        assert_eq!(t.provider.items, 2);
        assert_eq!(t.provider.not_ready, 1);
        assert_eq!(t.provider.cost_cents, 5_100);
        assert_eq!(t.payer.max_months, 4.5);
        assert_eq!(t.level(GapLevel::Payer).cost_cents, 2_000);
        assert_eq!(t.not_ready(), 2);
        assert_eq!(t.by_capability, [1, 1, 1]);

        assert_eq!(measure_readiness(&program, "A"), Some(Capability::Missing));
        assert_eq!(measure_readiness(&program, "B"), None);
        // The program-wide payer item covers every measure's claims.
        assert_eq!(
            readiness(&program, "B", DataSourceKind::Claims),
            Some(Capability::Partial)
        );
        assert_eq!(readiness(&program, "B", DataSourceKind::Ehr), None);
        assert!(covers(&program, "A", DataSourceKind::Ehr));
        assert!(!covers(&program, "B", DataSourceKind::Ehr));
        assert_eq!(gap_totals(&Program::default()), GapTotals::default());
    }
}
