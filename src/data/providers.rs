//! Provider attribute files: one row per provider, named attributes and stratifiers.

use std::collections::HashMap;

use crate::engine::{AttributeValues, Observations};
use crate::program::ProviderMapping;

use super::cells::{CellRules, Num, format_number};
use super::error::DataError;
use super::load::{Loader, RowRef};
use super::source::Source;

pub(crate) fn load(ld: &mut Loader, source: Source, m: &ProviderMapping) -> Result<(), DataError> {
    let text_fields = [
        (&m.name, "name"),
        (&m.service_area, "service area"),
        (&m.peer_group, "peer group"),
    ];
    let number_fields = [
        (&m.attributed_lives, "attributed lives"),
        (&m.base_payments, "base payments"),
        (&m.spend, "spend"),
        (&m.benchmark_spend, "benchmark spend"),
    ];
    let mut wanted = vec![(m.provider_id.as_str(), "provider_id")];
    for (c, role) in text_fields.iter().chain(number_fields.iter()) {
        wanted.extend(c.as_deref().map(|c| (c, *role)));
    }
    wanted.extend(m.stratifiers.iter().map(|c| (c.as_str(), "stratifier")));
    for (column, role) in &wanted {
        source.require(column, role)?;
    }
    let names: Vec<&str> = wanted.iter().map(|(c, _)| *c).collect();
    let table = source.read(&names)?;
    let rules = table.rules(ld.missing_values);

    let ids = table.column(&m.provider_id)?;
    let texts = text_fields
        .iter()
        .map(|(c, _)| table.column_or_empty(c.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let numbers = number_fields
        .iter()
        .map(|(c, _)| table.column_or_empty(c.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;

    // Providers first, so every later column has a slot for each of them.
    let mut index = Vec::with_capacity(table.height());
    let mut first_row: HashMap<usize, usize> = HashMap::new();
    for (r, cell) in ids.iter().enumerate() {
        let row = RowRef {
            file: &table.name,
            row: r + 1,
        };
        let id = row.required(&rules, *cell, &m.provider_id, "the provider ID")?;
        let p = ld.obs.provider_index(id);
        if let Some(first) = first_row.insert(p, row.row) {
            return Err(DataError::Duplicate {
                at: row.at(&m.provider_id),
                what: format!("provider {id}"),
                first: format!("{}, data row {first}", table.name),
            });
        }
        index.push(p);
    }

    let providers = &mut ld.obs.providers;
    for (r, &p) in index.iter().enumerate() {
        let row = RowRef {
            file: &table.name,
            row: r + 1,
        };
        let text_dst = [
            &mut providers.names,
            &mut providers.service_area,
            &mut providers.peer_group,
        ];
        for (dst, cells) in text_dst.into_iter().zip(&texts) {
            if let Some(t) = rules.text(cells[r]) {
                dst[p] = t.to_owned();
            }
        }
        let number_dst = [
            &mut providers.lives,
            &mut providers.base_payments,
            &mut providers.spend,
            &mut providers.benchmark_spend,
        ];
        for ((dst, cells), (column, what)) in
            number_dst.into_iter().zip(&numbers).zip(&number_fields)
        {
            let column = column.as_deref().unwrap_or(*what);
            let v = row.count(&rules, cells[r], column, what)?;
            if !v.is_nan() {
                dst[p] = v;
            }
        }
    }

    for name in &m.stratifiers {
        let cells = table.column(name)?;
        add_stratifier(&mut ld.obs, &rules, name, &cells, &index);
    }
    Ok(())
}

/// Fills a stratifier column: numeric when every given value is a number, otherwise text. A
/// column already loaded from another file as numbers becomes text if this file's is text.
fn add_stratifier(
    obs: &mut Observations,
    rules: &CellRules,
    name: &str,
    cells: &[Option<&str>],
    index: &[usize],
) {
    let parsed: Vec<Num> = cells.iter().map(|c| rules.number(*c)).collect();
    let numeric = parsed.iter().all(|v| !matches!(v, Num::Invalid));
    let pos = obs.add_stratifier(name, numeric);
    let values = &mut obs.providers.stratifiers[pos].values;
    if !numeric && let AttributeValues::Numeric(v) = values {
        *values = AttributeValues::Text(v.iter().map(|x| format_number(*x)).collect());
    }
    match values {
        AttributeValues::Numeric(dst) => {
            for (&p, v) in index.iter().zip(&parsed) {
                if let Num::Value(v) = v {
                    dst[p] = *v;
                }
            }
        }
        AttributeValues::Text(dst) => {
            for (&p, c) in index.iter().zip(cells) {
                if let Some(t) = rules.text(*c) {
                    dst[p] = t.to_owned();
                }
            }
        }
    }
}
