//! Long files: one row per provider × measure × period.

use std::ops::Range;

use foldhash::HashMap;

use crate::program::LongMapping;

use super::cells::CellRules;
use super::error::DataError;
use super::load::{Counts, Loader, RowRef, first_misfit};
use super::source::{NumericColumn, Source, ViewColumn};

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
    let rules = source.rules(ld.missing_values);

    let num_col = m.numerator.as_deref().unwrap_or("numerator");
    let rate_col = m.rate.as_deref().unwrap_or("rate");
    let excl_col = m.exclusions.as_deref().unwrap_or("exclusions");
    let mapped = [
        (m.numerator.as_deref(), Some("a numerator")),
        (m.denominator.as_deref(), Some("a denominator")),
        (m.rate.as_deref(), None),
        (m.exclusions.as_deref(), Some("exclusions")),
        (m.expected.as_deref(), Some("expected events")),
    ];
    // The mapped numeric columns, and where each of the five fields is among them.
    let numeric: Vec<NumericColumn> = mapped
        .iter()
        .filter_map(|&(c, count)| c.map(|name| NumericColumn { name, count }))
        .collect();
    let mut slot = [None; 5];
    let mut next = 0;
    for (s, (c, _)) in slot.iter_mut().zip(&mapped) {
        if c.is_some() {
            *s = Some(next);
            next += 1;
        }
    }
    let mut keys = Keys::default();
    // Each row's series and provider, by batch; kept from batch to batch.
    let mut row_series: Vec<u32> = Vec::new();
    let mut row_providers: Vec<u32> = Vec::new();
    source.read_typed_batches(&names[..3], &numeric, &rules, |table, numbers| {
        let cells = IdCells {
            ids: table.view_column(&m.provider_id)?,
            measures: table.view_column(&m.measure_id)?,
            periods: table.view_column(&m.period)?,
        };
        let first = table.first_data_row();
        let row_ref = |k: usize| RowRef {
            file: &table.name,
            row: first + k,
        };
        // Rows before the batch's first unreadable number need no check of their own; its
        // error comes after them, from `numbers.finish`.
        let clean = numbers
            .first_bad_row()
            .map_or(table.height(), |r| r - first);
        let fields = slot.map(|s| s.map(|i| numbers.values[i].as_slice()));
        // First each row's series and provider, up to the first row whose IDs are wrong, and
        // the counts of the rows before it checked; then the rows before the first wrong one
        // stored, a run of one series at a time.
        row_series.clear();
        row_providers.clear();
        let mut wrong = None;
        let mut k = 0;
        while k < clean {
            let run = keys.run(&cells, k..clean, &mut row_series, &mut row_providers);
            if run > 0 {
                k += run;
                continue;
            }
            match keys.row(ld, &rules, m, &cells, k, row_ref(k)) {
                Ok((series, p)) => {
                    row_series.push(series as u32);
                    row_providers.push(p as u32);
                }
                Err(e) => {
                    wrong = Some(e);
                    break;
                }
            }
            k += 1;
        }
        // The first row whose counts do not fit comes before any later row's error.
        let [numerators, denominators, rates, exclusions, _] = fields;
        if let Some(r) = first_misfit(numerators, denominators, exclusions, row_series.len()) {
            let at = |values: Option<&[f64]>| values.map_or(f64::NAN, |v| v[r]);
            let counts = Counts {
                numerator: at(numerators),
                denominator: at(denominators),
                exclusions: at(exclusions),
                ..Counts::default()
            };
            wrong = counts.check(row_ref(r), num_col, excl_col).err();
            row_series.truncate(r);
            row_providers.truncate(r);
        }
        let mut a = 0;
        while a < row_series.len() {
            let series = row_series[a];
            let b = row_series[a..]
                .iter()
                .position(|&s| s != series)
                .map_or(row_series.len(), |n| a + n);
            ld.store_run(
                series as usize,
                &row_providers[a..b],
                row_ref(a),
                fields.map(|v| v.map(|v| &v[a..b])),
                &m.provider_id,
            )?;
            if rates.is_some_and(|r| r[a..b].iter().any(|v| !v.is_nan())) {
                ld.note_rate_column(series as usize, rate_col);
            }
            a = b;
        }
        if let Some(e) = wrong {
            return Err(e);
        }
        numbers.finish()?;
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    Ok(())
}

/// A batch's ID cells, known by their views (see [`ViewColumn`]).
struct IdCells<'a> {
    ids: ViewColumn<'a>,
    measures: ViewColumn<'a>,
    periods: ViewColumn<'a>,
}

/// Each row's measure × period (its series) and provider, found from what the rows before
/// said: by the views of its cells where polars holds their text in them, by their text,
/// checked, where not. Most rows repeat the row before's series and name the provider the file
/// lists next.
#[derive(Default)]
struct Keys {
    series_views: HashMap<(u128, u128), usize>,
    last_series: Option<(String, String, usize)>,
    /// The views of the row before's measure and period, and its series ((0, 0, 0) when the
    /// views do not hold the text).
    last_series_view: (u128, u128, usize),
    series_read: Option<usize>,
    providers: ProviderOrder,
    last_provider: Option<usize>,
}

impl Keys {
    /// Rows of `rows` from its start that continue the row before's series and name the
    /// providers expected next, as many as do, known by their views alone (most rows of most
    /// files): their series and providers are added to `series` and `providers`, and their
    /// count returned (0 when the first row does not).
    fn run(
        &mut self,
        cells: &IdCells,
        rows: Range<usize>,
        series: &mut Vec<u32>,
        providers: &mut Vec<u32>,
    ) -> usize {
        let (lm, lq, ls) = self.last_series_view;
        let k = rows.start;
        let (pv, mv, qv) = (
            cells.ids.inline[k],
            cells.measures.inline[k],
            cells.periods.inline[k],
        );
        if lm == 0 || lq == 0 || (mv, qv) != (lm, lq) || pv == 0 {
            return 0;
        }
        let run = matching(&cells.ids.inline[rows.clone()], self.providers.expected());
        let run = matching(&cells.measures.inline[k..k + run], std::iter::repeat(&lm));
        let run = matching(&cells.periods.inline[k..k + run], std::iter::repeat(&lq));
        let (n, last) = match run {
            0 => match self.providers.skip(pv, providers) {
                Some(p) => (1, p),
                None => return 0,
            },
            n => (n, self.providers.take(n, providers)),
        };
        series.extend(std::iter::repeat_n(ls as u32, n));
        self.last_provider = Some(last);
        n
    }

    /// Row `k`'s series and provider, from the text of its cells where their views are not
    /// known.
    fn row(
        &mut self,
        ld: &mut Loader,
        rules: &CellRules,
        m: &LongMapping,
        cells: &IdCells,
        k: usize,
        row: RowRef<'_>,
    ) -> Result<(usize, usize), DataError> {
        let (pv, mv, qv) = (
            cells.ids.inline[k],
            cells.measures.inline[k],
            cells.periods.inline[k],
        );
        let in_views = mv != 0 && qv != 0;
        let known_provider = self.providers.known(pv);
        let id = match known_provider {
            Some(_) => "",
            None => row.required(
                rules,
                Some(cells.ids.text(k)),
                &m.provider_id,
                "the provider ID",
            )?,
        };
        let (lm, lq, ls) = self.last_series_view;
        let known_series = match in_views {
            true if (mv, qv) == (lm, lq) => Some(ls),
            true => self.series_views.get(&(mv, qv)).copied(),
            false => None,
        };
        let series = match known_series {
            Some(s) => s,
            None => {
                let measure = row.required(
                    rules,
                    Some(cells.measures.text(k)),
                    &m.measure_id,
                    "the measure ID",
                )?;
                let period =
                    row.required(rules, Some(cells.periods.text(k)), &m.period, "the period")?;
                let s = match &self.last_series {
                    Some((lm, lp, s)) if lm == measure && lp == period => *s,
                    _ => {
                        let s = ld.series_id(measure, period);
                        self.last_series = Some((measure.to_owned(), period.to_owned(), s));
                        s
                    }
                };
                if in_views {
                    self.series_views.insert((mv, qv), s);
                }
                s
            }
        };
        self.last_series_view = if in_views {
            (mv, qv, series)
        } else {
            (0, 0, 0)
        };
        if self.series_read != Some(series) {
            self.series_read = Some(series);
            self.providers.next_series();
        }
        let p = match known_provider {
            Some(p) => p,
            None => ld.provider(id, &mut self.last_provider),
        };
        self.providers.saw(p, pv);
        self.last_provider = Some(p);
        Ok((series, p))
    }
}

/// How many leading cells of `cells` (views, see [`super::source::ViewColumn`]) are those of
/// `expected`, one for one; a view of 0 (text not held in a view) matches nothing.
fn matching<'e>(cells: &[u128], expected: impl IntoIterator<Item = &'e u128>) -> usize {
    // Compared a block at a time, in a pass the compiler can vectorise.
    const BLOCK: usize = 16;
    let mut expected = expected.into_iter();
    let mut n = 0;
    for block in cells.chunks(BLOCK) {
        let mut same = 0;
        let mut all = true;
        for (c, e) in block.iter().zip(expected.by_ref()) {
            let hit = c == e && *c != 0;
            all &= hit;
            same += usize::from(all);
        }
        n += same;
        if same < block.len() {
            break;
        }
    }
    n
}

/// Providers by the view of their ID cell (see [`super::source::ViewColumn`]), and the order
/// the file lists them in: files list providers in one order, measure after measure, so most
/// rows are found by comparing their views with those of the providers expected next, a run at
/// a time, with no look-up.
#[derive(Default)]
struct ProviderOrder {
    by_view: HashMap<u128, u32>,
    /// The providers of the longest series read so far, in the order it listed them, and
    /// their views.
    order: Vec<u32>,
    views: Vec<u128>,
    /// Each provider's place in `order` (u32::MAX when not in it).
    place: Vec<u32>,
    /// The providers of the series being read, in its order.
    current: Vec<u32>,
    current_views: Vec<u128>,
    /// The place in `order` expected next.
    next: usize,
}

impl ProviderOrder {
    /// The views of the providers expected next, in order.
    fn expected(&self) -> &[u128] {
        self.views.get(self.next..).unwrap_or(&[])
    }

    /// The next `n` providers expected, which the rows read have named: the last of them.
    fn take(&mut self, n: usize, into: &mut Vec<u32>) -> usize {
        let taken = &self.order[self.next..self.next + n];
        into.extend_from_slice(taken);
        self.current.extend_from_slice(taken);
        self.current_views
            .extend_from_slice(&self.views[self.next..self.next + n]);
        self.next += n;
        taken[n - 1] as usize
    }

    /// The provider of view `v` when it is one of the three after the one expected next
    /// (providers absent from a measure's rows leave gaps), taken as if named in order and
    /// added to `into`.
    fn skip(&mut self, v: u128, into: &mut Vec<u32>) -> Option<usize> {
        let d = (1..4).find(|&d| self.views.get(self.next + d) == Some(&v))?;
        self.next += d;
        Some(self.take(1, into))
    }

    /// The provider of view `v`, when known.
    fn known(&self, v: u128) -> Option<usize> {
        if v == 0 {
            return None;
        }
        self.by_view.get(&v).map(|&p| p as usize)
    }

    /// A row of the series being read names provider `p`, whose ID cell has view `v` (0 when
    /// its ID is not held in one), found other than in order.
    fn saw(&mut self, p: usize, v: u128) {
        if v != 0 {
            self.by_view.insert(v, p as u32);
        }
        self.current.push(p as u32);
        self.current_views.push(v);
        if let Some(&at) = self.place.get(p)
            && at != u32::MAX
        {
            self.next = at as usize + 1;
        }
    }

    /// A new series begins: the one just read becomes the order to expect when it is the
    /// longest so far.
    fn next_series(&mut self) {
        if self.current.len() > self.order.len() {
            std::mem::swap(&mut self.order, &mut self.current);
            std::mem::swap(&mut self.views, &mut self.current_views);
            self.place.fill(u32::MAX);
            for (at, &p) in self.order.iter().enumerate() {
                let p = p as usize;
                if p >= self.place.len() {
                    self.place.resize(p + 1, u32::MAX);
                }
                self.place[p] = at as u32;
            }
        }
        self.current.clear();
        self.current_views.clear();
        self.next = 0;
    }
}
