//! Provider attribute files: one row per provider, named attributes and stratifiers.

use std::collections::HashMap;

use crate::engine::{AttributeValues, LoadWarning, Observations};
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
    let rules = source.rules(ld.missing_values);

    let mut wanted = vec![Some(m.provider_id.as_str())];
    wanted.extend(text_fields.iter().map(|(c, _)| c.as_deref()));
    wanted.extend(number_fields.iter().map(|(c, _)| c.as_deref()));
    wanted.extend(m.stratifiers.iter().map(|c| Some(c.as_str())));
    let mut index = Vec::new();
    let mut first_row: HashMap<usize, usize> = HashMap::new();
    // A stratifier is numeric only if all its values are, so its cells are kept until the end
    // (a provider file has one row per provider: small).
    let mut strata: Vec<Vec<Option<String>>> = vec![Vec::new(); m.stratifiers.len()];
    // Values each number field gave, to name a mapped column that is empty throughout.
    let mut given = [0usize; 4];
    // Names, areas, groups and stratifiers are descriptive: a row short of them still counts.
    let mut optional: Vec<&str> = text_fields
        .iter()
        .filter_map(|(c, _)| c.as_deref())
        .collect();
    optional.extend(m.stratifiers.iter().map(String::as_str));
    let mut last_provider = None;
    let short = source.read_batches(&names, &optional, |table| {
        let mut rows = table.rows(&wanted)?;
        while let Some((r, cells)) = rows.next_row() {
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let id = row.required(&rules, cells[0], &m.provider_id, "the provider ID")?;
            let p = ld.provider(id, &mut last_provider);
            if let Some(first) = first_row.insert(p, row.row) {
                return Err(DataError::Duplicate {
                    at: row.at(&m.provider_id),
                    what: format!("provider {id}"),
                    first: format!("{}, data row {first}", table.name),
                });
            }
            index.push(p);

            let providers = &mut ld.obs.providers;
            let text_dst = [
                &mut providers.names,
                &mut providers.service_area,
                &mut providers.peer_group,
            ];
            for (dst, cell) in text_dst.into_iter().zip(&cells[1..4]) {
                if let Some(t) = rules.text(*cell) {
                    dst[p] = t.to_owned();
                }
            }
            let number_dst = [
                &mut providers.lives,
                &mut providers.base_payments,
                &mut providers.spend,
                &mut providers.benchmark_spend,
            ];
            for (((dst, cell), (column, what)), n) in number_dst
                .into_iter()
                .zip(&cells[4..8])
                .zip(&number_fields)
                .zip(&mut given)
            {
                let column = column.as_deref().unwrap_or(*what);
                let v = row.count(&rules, *cell, column, what)?;
                if !v.is_nan() {
                    dst[p] = v;
                    *n += 1;
                }
            }
            for (dst, cell) in strata.iter_mut().zip(&cells[8..]) {
                dst.push(cell.map(str::to_owned));
            }
        }
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    if let Some(short) = short {
        ld.warn(LoadWarning {
            file: source.name.clone(),
            row: Some(short.first),
            column: None,
            value: None,
            message: format!(
                "{} row(s) have fewer fields than the header; their last descriptive columns \
                 are read as empty",
                short.rows
            ),
        });
    }
    for ((column, what), n) in number_fields.iter().zip(given) {
        if let Some(column) = column
            && n == 0
        {
            ld.warn(LoadWarning {
                file: source.name.clone(),
                row: None,
                column: Some(column.clone()),
                value: None,
                message: format!(
                    "mapped as {what} but no row gives a value, so everything computed from \
                     {what} (a pool shared by it, for one) comes to nothing"
                ),
            });
        }
    }

    for (name, cells) in m.stratifiers.iter().zip(&strata) {
        let cells: Vec<Option<&str>> = cells.iter().map(Option::as_deref).collect();
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
