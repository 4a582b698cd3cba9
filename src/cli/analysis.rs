//! The equity, reliability and exceptions commands: the engine's analyses as CSV, with a short
//! summary on standard error so that standard output stays a clean table.

use super::{Failure, ProgramFiles, write_out};
use crate::engine;
use crate::engine::equity::{self, CounterResult, Stratification};
use crate::engine::exceptions::{ExceptionOptions, exception_report};
use crate::engine::reliability::{self, ResampleOptions};
use clap::Args;
use std::sync::atomic::AtomicBool;

/// `p4p-designer equity PROGRAM.ron [--stratifier NAME] [--out FILE.csv]`
#[derive(Args, Debug, Clone)]
pub struct EquityArgs {
    #[command(flatten)]
    pub files: ProgramFiles,
    /// The social-risk stratifier (default: dual-eligible share, else the first numeric one).
    #[arg(long)]
    pub stratifier: Option<String>,
}

/// `p4p-designer reliability PROGRAM.ron [--draws N] [--seed S] [--out FILE.csv]`
#[derive(Args, Debug, Clone)]
pub struct ReliabilityArgs {
    #[command(flatten)]
    pub files: ProgramFiles,
    /// Resampled data sets (1 to 100000).
    #[arg(long, default_value_t = 200, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_DRAWS))]
    pub draws: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `p4p-designer exceptions PROGRAM.ron [--by-peer-group] [--sd K] [--out FILE.csv]`
#[derive(Args, Debug, Clone)]
pub struct ExceptionsArgs {
    #[command(flatten)]
    pub files: ProgramFiles,
    /// Compare each provider's exclusion rate with its own peer group's, not everyone's.
    #[arg(long)]
    pub by_peer_group: bool,
    /// Flag rates above the peers' mean + this many standard deviations (zero or more).
    #[arg(long, default_value_t = 3.0, value_parser = standard_deviations)]
    pub sd: f64,
}

/// The most resampled data sets: each is a full scoring and payment run.
pub const MAX_DRAWS: u64 = 100_000;

/// A number of standard deviations: finite and not negative.
fn standard_deviations(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(k) if k.is_finite() && k >= 0.0 => Ok(k),
        _ => Err(format!("{text:?} must be a number, zero or more")),
    }
}

fn num(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

fn points(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        "not scored".into()
    }
}

use crate::format::money_plain as dollars;

fn strata_rows(
    csv: &mut csv::Writer<&mut Vec<u8>>,
    design: &str,
    s: &Stratification,
) -> Result<(), Failure> {
    for st in &s.strata {
        csv.write_record([
            design.to_owned(),
            s.stratifier.clone(),
            st.label.clone(),
            st.providers.to_string(),
            st.scored.to_string(),
            num(st.lives),
            dollars(st.net_cents),
            num(st.payout_per_life),
            num(st.mean_total),
            num(st.share_earning),
            num(st.share_penalised),
        ])?;
    }
    Ok(())
}

fn describe_counter(c: &CounterResult) -> String {
    let g = |on: bool| {
        let f = if on { &c.on } else { &c.off };
        format!(
            "slope {:.2} $/life per unit, Spearman {:.3}, top/bottom {:.3}",
            f.gradient.payout.slope, f.gradient.payout.spearman, f.gradient.top_bottom_ratio
        )
    };
    format!("  {}\n    off: {}\n    on:  {}", c.label, g(false), g(true))
}

/// `equity`: payment figures by stratum, the reverse Robin Hood indicator and the counters.
pub fn equity(args: &EquityArgs) -> Result<(), Failure> {
    let stratifier = args.stratifier.as_deref();
    let out = args.files.out.as_deref();
    let (program, obs) = args.files.load(&[])?;
    let (_, results) = engine::run(&program, &obs);
    let report = equity::equity_report(&obs.providers, &results, None)?;
    let risk = match stratifier {
        Some(s) => {
            if obs.providers.stratifier(s).is_none() {
                return Err(equity::StratifierError::Unknown(s.to_owned()).into());
            }
            Some(s.to_owned())
        }
        None => equity::default_risk_stratifier(&obs.providers),
    };
    let mut buf = Vec::new();
    let mut csv = csv::Writer::from_writer(&mut buf);
    csv.write_record([
        "design",
        "stratifier",
        "stratum",
        "providers",
        "scored",
        "lives",
        "net_dollars",
        "payout_per_life",
        "mean_total_score",
        "share_earning",
        "share_penalised",
    ])?;
    for s in &report.strata {
        if stratifier.is_none_or(|name| name == s.stratifier) {
            strata_rows(&mut csv, "as designed", s)?;
        }
    }
    let mut summary = String::new();
    let o = &report.overall;
    let per_life = if o.payout_per_life.is_finite() {
        format!("{} per life", crate::format::dollars(o.payout_per_life))
    } else {
        "attributed lives unknown".to_owned()
    };
    summary.push_str(&format!(
        "{} providers, {} lives, ${} paid net, {per_life}; {:.1}% earning, {:.1}% penalised\n",
        o.providers,
        o.lives,
        dollars(o.net_cents),
        100.0 * o.share_earning,
        100.0 * o.share_penalised
    ));
    if let Some(r) = &risk {
        match equity::risk_gradient(&obs.providers, &results, r) {
            Ok(g) => {
                summary.push_str(&format!(
                    "Reverse Robin Hood indicator on {r} ({} providers): payout per life slope {:.2}, \
                     Pearson {:.3}, Spearman {:.3}; total score slope {:.2}, Spearman {:.3}; \
                     payout per life top/bottom stratum {:.2} / {:.2} = {:.3}\n",
                    g.payout.n,
                    g.payout.slope,
                    g.payout.pearson,
                    g.payout.spearman,
                    g.score.slope,
                    g.score.spearman,
                    g.top_payout_per_life,
                    g.bottom_payout_per_life,
                    g.top_bottom_ratio
                ));
                let counters = equity::default_counters(&program, r);
                let results = equity::compare_counters_on(&program, &obs, r, &counters)?;
                summary.push_str("Counters (off → on):\n");
                for c in &results {
                    strata_rows(&mut csv, &format!("{}: off", c.label), &c.off.strata)?;
                    strata_rows(&mut csv, &format!("{}: on", c.label), &c.on.strata)?;
                    summary.push_str(&describe_counter(c));
                    summary.push('\n');
                }
            }
            Err(e) => summary.push_str(&format!("No reverse Robin Hood indicator: {e}\n")),
        }
    }
    csv.flush()?;
    drop(csv);
    write_out(&buf, out)?;
    eprint!("{summary}");
    Ok(())
}

/// `reliability`: per provider × measure reliability and funnel position, and each provider's
/// chance of earning from resampling.
pub fn reliability(args: &ReliabilityArgs) -> Result<(), Failure> {
    let (draws, seed) = (args.draws, args.seed);
    let out = args.files.out.as_deref();
    let (program, obs) = args.files.load(&[])?;
    let rel = reliability::reliability(&program, &obs);
    let opts = ResampleOptions {
        draws,
        seed,
        ..ResampleOptions::default()
    };
    let cancel = AtomicBool::new(false);
    let u = reliability::resample(&program, &obs, &opts, &|_| {}, &cancel)?;
    let mut buf = Vec::new();
    let mut csv = csv::Writer::from_writer(&mut buf);
    csv.write_record([
        "provider_id",
        "measure_id",
        "numerator",
        "denominator",
        "rate",
        "reliability",
        "funnel",
        "below_min_denominator",
        "p_earn",
        "earns_observed",
        "p_flip",
        "net_observed_dollars",
        "net_p05_dollars",
        "net_p95_dollars",
    ])?;
    for i in 0..obs.provider_count() {
        for m in &rel {
            if m.denominator[i].is_nan() {
                continue;
            }
            let below = m.min_denominator.is_some_and(|min| m.denominator[i] < min);
            csv.write_record([
                obs.providers.ids[i].clone(),
                m.measure_id.clone(),
                num(m.numerator[i]),
                num(m.denominator[i]),
                num(m.rate[i]),
                num(m.reliability[i]),
                m.zone[i].label().to_owned(),
                below.to_string(),
                num(u.p_earn[i]),
                u.earns_observed[i].to_string(),
                num(u.p_flip[i]),
                dollars(u.net_observed[i]),
                num(u.net_p05[i] / 100.0),
                num(u.net_p95[i] / 100.0),
            ])?;
        }
    }
    csv.flush()?;
    drop(csv);
    write_out(&buf, out)?;
    let mut summary = String::new();
    for m in &rel {
        summary.push_str(&format!(
            "{}: mean rate {:.4}, between-provider variance {:.6}, median reliability {:.3}, \
             {:.1}% of {} providers at {} or more (needs a denominator of {:.0}); {} below the minimum denominator\n",
            m.measure_id,
            m.mean_rate,
            m.between_variance,
            m.median_reliability,
            100.0 * m.share_reliable,
            m.providers,
            reliability::RELIABLE,
            m.denominator_for_reliable,
            m.below_min_denominator
        ));
    }
    if u.measures_resampled.is_empty() {
        summary.push_str(
            "No scored measure has numerators and denominators: reliability and resampling \
             need counts, not rates\n",
        );
    }
    summary.push_str(&format!(
        "Resampling ({} draws, seed {}): expected misclassification {:.1}% of scored providers; \
         {:.1}% have a {:.0}% or greater chance of landing on the other side of earning by chance\n",
        u.draws,
        u.seed,
        100.0 * u.misclassification_rate,
        100.0 * u.share_could_flip,
        100.0 * u.flip_threshold
    ));
    eprint!("{summary}");
    Ok(())
}

/// `exceptions`: exclusion rates, their effect on scores and payments, and outlier flags.
pub fn exceptions(args: &ExceptionsArgs) -> Result<(), Failure> {
    let out = args.files.out.as_deref();
    let (program, obs) = args.files.load(&[])?;
    let opts = ExceptionOptions {
        by_peer_group: args.by_peer_group,
        sd_multiple: args.sd,
    };
    let r = exception_report(&program, &obs, &opts);
    let mut buf = Vec::new();
    let mut csv = csv::Writer::from_writer(&mut buf);
    csv.write_record([
        "provider_id",
        "measure_id",
        "denominator",
        "exclusions",
        "exclusion_rate",
        "peer_rate",
        "upper_998",
        "mean_plus_k_sd",
        "flag_funnel",
        "flag_sd",
        "rate_with_exclusions",
        "rate_without_exclusions",
        "score_with_exclusions",
        "score_without_exclusions",
        "total_with_exclusions",
        "total_without_exclusions",
        "net_with_exclusions_dollars",
        "net_without_exclusions_dollars",
    ])?;
    for i in 0..obs.provider_count() {
        for m in &r.measures {
            if m.exclusion_rate[i].is_nan() {
                continue;
            }
            csv.write_record([
                obs.providers.ids[i].clone(),
                m.measure_id.clone(),
                num(m.denominator[i]),
                num(m.exclusions[i]),
                num(m.exclusion_rate[i]),
                num(m.peer_rate[i]),
                num(m.upper998[i]),
                num(m.sd_limit[i]),
                m.flag_funnel[i].to_string(),
                m.flag_sd[i].to_string(),
                num(m.rate_with[i]),
                num(m.rate_without[i]),
                num(m.score_with[i]),
                num(m.score_without[i]),
                num(r.total_with[i]),
                num(r.total_without[i]),
                dollars(r.net_with[i]),
                dollars(r.net_without[i]),
            ])?;
        }
    }
    csv.flush()?;
    drop(csv);
    write_out(&buf, out)?;
    let mut summary = String::new();
    for m in &r.measures {
        let flagged = (0..m.flag_funnel.len())
            .filter(|&i| m.flag_funnel[i] || m.flag_sd[i])
            .count();
        summary.push_str(&format!(
            "{}: exclusion rate {:.2}% overall, {} provider(s) flagged\n",
            m.measure_id,
            100.0 * m.overall_rate,
            flagged
        ));
    }
    summary.push_str(&format!(
        "{} flag(s) on {} provider(s):\n",
        r.flagged.len(),
        r.flagged_providers().len()
    ));
    for f in &r.flagged {
        summary.push_str(&format!(
            "  {} {}: {:.1}% excluded vs {:.1}% peers (99.8% limit {:.1}%{}{}); score {} → {} without its exclusions; they are worth ${} to it\n",
            f.provider_id,
            f.measure_id,
            100.0 * f.exclusion_rate,
            100.0 * f.peer_rate,
            100.0 * f.upper998,
            if f.funnel { ", above the funnel" } else { "" },
            if f.sd {
                format!(", above mean + {} SD", args.sd)
            } else {
                String::new()
            },
            points(f.score_with),
            points(f.own_score_without),
            dollars(f.own_payment_effect_cents)
        ));
    }
    eprint!("{summary}");
    Ok(())
}
