//! Long files: one row per provider × measure × period.

use crate::program::LongMapping;

use super::error::DataError;
use super::load::{Counts, Loader, RowRef};
use super::source::Source;

pub(crate) fn load(ld: &mut Loader, source: Source, m: &LongMapping) -> Result<(), DataError> {
    let optional = [
        (&m.numerator, "numerator"),
        (&m.denominator, "denominator"),
        (&m.rate, "rate"),
        (&m.exclusions, "exclusions"),
        (&m.expected, "expected"),
    ];
    let mut wanted = vec![
        (m.provider_id.as_str(), "provider_id"),
        (m.measure_id.as_str(), "measure_id"),
        (m.period.as_str(), "period"),
    ];
    wanted.extend(
        optional
            .iter()
            .filter_map(|(c, role)| c.as_deref().map(|c| (c, *role))),
    );
    for (column, role) in &wanted {
        source.require(column, role)?;
    }
    let names: Vec<&str> = wanted.iter().map(|(c, _)| *c).collect();
    let table = source.read(&names)?;
    let rules = table.rules(ld.missing_values);

    let ids = table.column(&m.provider_id)?;
    let measures = table.column(&m.measure_id)?;
    let periods = table.column(&m.period)?;
    let nums = table.column_or_empty(m.numerator.as_deref())?;
    let dens = table.column_or_empty(m.denominator.as_deref())?;
    let rates = table.column_or_empty(m.rate.as_deref())?;
    let excls = table.column_or_empty(m.exclusions.as_deref())?;
    let exps = table.column_or_empty(m.expected.as_deref())?;
    let num_col = m.numerator.as_deref().unwrap_or("numerator");
    let den_col = m.denominator.as_deref().unwrap_or("denominator");
    let rate_col = m.rate.as_deref().unwrap_or("rate");
    let excl_col = m.exclusions.as_deref().unwrap_or("exclusions");
    let exp_col = m.expected.as_deref().unwrap_or("expected");

    for r in 0..table.height() {
        let row = RowRef {
            file: &table.name,
            row: r + 1,
        };
        let id = row.required(&rules, ids[r], &m.provider_id, "the provider ID")?;
        let measure = row.required(&rules, measures[r], &m.measure_id, "the measure ID")?;
        let period = row.required(&rules, periods[r], &m.period, "the period")?;
        let counts = Counts {
            numerator: row.count(&rules, nums[r], num_col, "a numerator")?,
            denominator: row.count(&rules, dens[r], den_col, "a denominator")?,
            rate: row.number(&rules, rates[r], rate_col)?,
            exclusions: row.count(&rules, excls[r], excl_col, "exclusions")?,
            expected: row.count(&rules, exps[r], exp_col, "expected events")?,
        };
        counts.check(row, num_col, excl_col)?;
        let p = ld.obs.provider_index(id);
        ld.claim_series(p, measure, period, row, &m.provider_id)?;
        ld.store(p, measure, period, &counts);
    }
    Ok(())
}
