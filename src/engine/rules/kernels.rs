//! The fast loops under the payment rule: the exact split of a pool in whole cents
//! (water-filling caps, then largest remainder), compiled also for AVX2 and chosen at run
//! time. Kept apart from `payment.rs` so the rule reads as the specification.

/// Buffers a distribution reuses between calls.
#[derive(Debug, Default)]
pub struct DistributeScratch {
    /// Providers still sharing, in the order given, with their weights and caps alongside so
    /// that the loops over them read contiguous memory.
    active: Vec<u32>,
    weight: Vec<f64>,
    cap: Vec<i64>,
    /// What each active provider is owed beyond its whole cents, 0 ≤ f < 1.
    fraction: Vec<f64>,
    /// Positions in `active` given a leftover cent.
    chosen: Vec<u32>,
    /// (fraction, position) pairs being ranked.
    ranked: Vec<(f64, u32)>,
    /// Providers per band of fraction.
    bands: Vec<u32>,
}

/// Splits `pool` cents in proportion to `weights`, exactly: Σ out = pool unless every provider
/// with weight reaches its cap, in which case the rest is returned as unallocated.
/// Caps are enforced by water-filling (what a capped provider cannot take goes to the others in
/// proportion), then whole cents by largest remainder, ties to the lower index.
/// `out` must be zeroed by the caller; amounts are added to it.
pub fn distribute(pool: i64, weights: &[f64], caps: &[i64], out: &mut [i64]) -> i64 {
    let order: Vec<u32> = (0..weights.len() as u32).collect();
    distribute_in(pool, weights, caps, &order, out)
}

/// As [`distribute`], visiting providers (for sums and ties) in `order` rather than by index.
pub fn distribute_in(
    pool: i64,
    weights: &[f64],
    caps: &[i64],
    order: &[u32],
    out: &mut [i64],
) -> i64 {
    distribute_with(
        pool,
        Shares {
            weights,
            caps,
            order,
        },
        out,
        &mut DistributeScratch::default(),
    )
}

/// What a distribution splits the pool by.
#[derive(Clone, Copy)]
pub(crate) struct Shares<'a> {
    pub weights: &'a [f64],
    /// i64::MAX where uncapped.
    pub caps: &'a [i64],
    pub order: &'a [u32],
}

/// Ranking of leftover cents: the larger fraction first, ties to the earlier position.
fn by_fraction(a: &(f64, u32), b: &(f64, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Bands the fractions fall into when choosing who gets the leftover cents.
const BANDS: usize = 1024;

/// Band of a fraction: monotone, so every fraction in a higher band ranks before any in a
/// lower one.
#[inline(always)]
fn band(f: f64) -> usize {
    ((f * BANDS as f64) as i64).clamp(0, BANDS as i64 - 1) as usize
}

/// As [`distribute_in`], with reused buffers. Compiled also for AVX2 and chosen at run time.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub(crate) fn distribute_with(
    pool: i64,
    s: Shares,
    out: &mut [i64],
    scratch: &mut DistributeScratch,
) -> i64 {
    let Shares {
        weights,
        caps,
        order,
    } = s;
    if pool <= 0 {
        return pool.max(0);
    }
    let DistributeScratch {
        active,
        weight,
        cap,
        fraction,
        chosen,
        ranked,
        bands,
    } = scratch;
    // Compacted without branches: whether a provider shares is as good as random, and a
    // mispredicted branch per provider costs more than the writes.
    let n = order.len();
    active.resize(n, 0);
    weight.resize(n, 0.0);
    cap.resize(n, 0);
    let mut kept = 0;
    // Summed in the same pass, in the same order as the kept weights (adding 0.0 for the others
    // changes no bit).
    let mut total = 0.0;
    let (to_active, to_weight, to_cap) = (&mut active[..], &mut weight[..], &mut cap[..]);
    for &i in order {
        let (w, c) = (weights[i as usize], caps[i as usize]);
        to_active[kept] = i;
        to_weight[kept] = w;
        to_cap[kept] = c;
        let keep = (w > 0.0) & w.is_finite() & (c > 0);
        total += if keep { w } else { 0.0 };
        kept += usize::from(keep);
    }
    active.truncate(kept);
    weight.truncate(kept);
    cap.truncate(kept);
    let mut remaining = pool;
    // Water-filling: fix providers whose share exceeds their cap, until no share does. The
    // exact shares are kept in `fraction` for the split that follows.
    loop {
        if active.is_empty() || total <= 0.0 {
            return remaining;
        }
        let rem = remaining as f64;
        fraction.clear();
        fraction.extend(weight.iter().map(|w| rem * w / total));
        let over = fraction
            .iter()
            .zip(cap.iter())
            .fold(false, |any, (share, c)| any | (*share >= *c as f64));
        if !over {
            break;
        }
        let mut kept = 0;
        for k in 0..active.len() {
            if fraction[k] >= cap[k] as f64 {
                out[active[k] as usize] += cap[k];
                remaining -= cap[k];
            } else {
                active[kept] = active[k];
                weight[kept] = weight[k];
                cap[kept] = cap[k];
                kept += 1;
            }
        }
        active.truncate(kept);
        weight.truncate(kept);
        cap.truncate(kept);
        if remaining <= 0 {
            return 0;
        }
        total = weight.iter().sum();
    }
    let mut given: i64 = 0;
    // Fractions are counted into bands as they are made, for `choose_largest`.
    bands.clear();
    bands.resize(BANDS, 0);
    for ((f, &i), &c) in fraction.iter_mut().zip(active.iter()).zip(cap.iter()) {
        let exact = *f;
        // Truncation is floor here (exact ≥ 0), without the call `floor` costs.
        let whole = (exact as i64).min(c);
        out[i as usize] += whole;
        given += whole;
        *f = exact - whole as f64;
        bands[band(*f)] += 1;
    }
    let at = |pos: u32| active[pos as usize] as usize;
    let mut left = remaining - given;
    // Floating error can leave the sum a few cents off either way; settle it exactly.
    if left > 0 {
        let k = (left as usize).min(fraction.len());
        if k < fraction.len() {
            choose_largest(fraction, k, chosen, ranked, bands);
            // The common case: each of the k largest fractions has room under its cap, so each
            // gets one cent whatever their order.
            if chosen.iter().all(|&pos| out[at(pos)] < caps[at(pos)]) {
                for &pos in chosen.iter() {
                    out[at(pos)] += 1;
                }
                return 0;
            }
        }
        // First the largest fractions; then, should cents still be left, round-robin.
        ranked.clear();
        ranked.extend(fraction.iter().enumerate().map(|(p, f)| (*f, p as u32)));
        ranked.sort_unstable_by(by_fraction);
        let mut progress = true;
        while left > 0 && progress {
            progress = false;
            let take = if left as usize >= ranked.len() {
                ranked.len()
            } else {
                k.min(left as usize)
            };
            for &(_, pos) in ranked.iter().take(take) {
                let i = at(pos);
                if left > 0 && out[i] < caps[i] {
                    out[i] += 1;
                    left -= 1;
                    progress = true;
                }
            }
        }
    } else if left < 0 {
        ranked.clear();
        ranked.extend(fraction.iter().enumerate().map(|(p, f)| (*f, p as u32)));
        ranked.sort_unstable_by(|a, b| by_fraction(b, a));
        for &(_, pos) in ranked.iter() {
            let i = at(pos);
            if left == 0 {
                break;
            }
            if out[i] > 0 {
                out[i] -= 1;
                left += 1;
            }
        }
    }
    left.max(0)
}

/// Puts into `chosen` the positions of the `k` largest fractions (ties to the earlier
/// position), 0 < k < fraction.len(), in no particular order. `bands` counts the fractions per
/// [`band`]: it finds the band the k-th falls in, and only that band is ranked, so the work is
/// linear and small.
fn choose_largest(
    fraction: &[f64],
    k: usize,
    chosen: &mut Vec<u32>,
    ranked: &mut Vec<(f64, u32)>,
    bands: &[u32],
) {
    // The band holding the k-th largest, and how many rank above it.
    let (mut edge, mut above) = (BANDS, 0usize);
    while edge > 0 {
        edge -= 1;
        let here = bands[edge] as usize;
        if above + here >= k {
            break;
        }
        above += here;
    }
    // Everyone above the edge band is chosen (written without a branch, see `distribute_with`);
    // the edge band, a small share, is ranked.
    chosen.resize(fraction.len(), 0);
    ranked.clear();
    let mut taken = 0;
    let to = &mut chosen[..];
    for (pos, &f) in fraction.iter().enumerate() {
        let b = band(f);
        to[taken] = pos as u32;
        taken += usize::from(b > edge);
        if b == edge {
            ranked.push((f, pos as u32));
        }
    }
    chosen.truncate(taken);
    let need = k - above;
    if need < ranked.len() {
        ranked.select_nth_unstable_by(need - 1, by_fraction);
    }
    chosen.extend(ranked[..need].iter().map(|&(_, pos)| pos));
}
