//! The decision log as a one-page record: what was decided, when, and what it meant for
//! payouts (each decision's headline figures and their change from the decision before).
//! As plain text for a terminal and as a self-contained HTML page that prints on one sheet.

use super::svg::esc;
use super::wording;
use crate::format;
use crate::program::{Decision, Headline, Program};

/// One decision as the record states it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordEntry {
    /// 1-based.
    pub number: usize,
    pub at: String,
    pub note: String,
    /// "Pool: $3,000,000" for each named setting that changed (every one for the first).
    pub settings: Vec<String>,
    /// Whether the design changed in ways no named setting covers.
    pub other_changes: bool,
    /// (figure, value, change from the previous decision: empty for the first).
    pub figures: Vec<(String, String, String)>,
}

/// Every decision of `program`, in order, with what changed.
pub fn record(program: &Program) -> Vec<RecordEntry> {
    program
        .decisions
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let before = k.checked_sub(1).map(|j| &program.decisions[j]);
            let (changed, other_changes) = d.changes_from(before);
            RecordEntry {
                number: k + 1,
                at: d.at.clone(),
                note: d.note.clone(),
                settings: changed
                    .iter()
                    .map(|(p, v)| wording::setting(*p, *v))
                    .collect(),
                other_changes,
                figures: figures(&d.figures, before.map(|b: &Decision| &b.figures)),
            }
        })
        .collect()
}

/// "+12", "−3", "0" (a true minus sign, as money has).
fn signed(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None if text.chars().all(|c| c == '0' || c == '.') => text,
        None => format!("+{text}"),
    }
}

fn signed_money(cents: i64) -> String {
    if cents > 0 {
        format!("+{}", format::money(cents))
    } else {
        format::money(cents)
    }
}

/// Headline figures in words, with their change from `before`.
pub fn figures(h: &Headline, before: Option<&Headline>) -> Vec<(String, String, String)> {
    let ratio = |r: Option<f64>| r.map_or("—".to_owned(), |r| format!("{r:.2}"));
    let change = |f: &dyn Fn(&Headline) -> String| before.map_or(String::new(), f);
    vec![
        (
            "Pool".into(),
            format::money(h.pool_cents),
            change(&|b| signed_money(h.pool_cents - b.pool_cents)),
        ),
        (
            "Paid".into(),
            format::money(h.paid_cents),
            change(&|b| signed_money(h.paid_cents - b.paid_cents)),
        ),
        (
            "Providers paid".into(),
            format!("{} of {}", h.providers_paid, h.providers_scored),
            change(&|b| signed((h.providers_paid as i64 - b.providers_paid as i64).to_string())),
        ),
        (
            "Median payout".into(),
            format::money(h.median_payout_cents),
            change(&|b| signed_money(h.median_payout_cents - b.median_payout_cents)),
        ),
        (
            "Payout per life, highest ÷ lowest risk quintile".into(),
            ratio(h.per_life_ratio),
            change(&|b| match (h.per_life_ratio, b.per_life_ratio) {
                (Some(x), Some(y)) => signed(format!("{:.2}", x - y)),
                _ => String::new(),
            }),
        ),
    ]
}

/// The record as plain text.
pub fn decisions_text(program: &Program) -> String {
    let mut out = format!("Decision log: {}\n", program.name);
    let entries = record(program);
    if entries.is_empty() {
        out.push_str("No decisions recorded.\n");
        return out;
    }
    for e in entries {
        out.push_str(&format!("\n{}. {}", e.number, e.at));
        if !e.note.is_empty() {
            out.push_str(&format!(" — {}", e.note));
        }
        out.push('\n');
        let lead = if e.number == 1 { "Settings" } else { "Changed" };
        if e.settings.is_empty() && !e.other_changes {
            out.push_str(&format!("   {lead}: nothing\n"));
        } else {
            let mut s = e.settings.join("; ");
            if e.other_changes {
                if !s.is_empty() {
                    s.push_str("; ");
                }
                s.push_str("other design details");
            }
            out.push_str(&format!("   {lead}: {s}\n"));
        }
        for (name, value, change) in &e.figures {
            if change.is_empty() {
                out.push_str(&format!("   {name}: {value}\n"));
            } else {
                out.push_str(&format!("   {name}: {value} ({change})\n"));
            }
        }
    }
    out
}

/// The record as one self-contained HTML page (inline CSS, no scripts).
pub fn decisions_html(program: &Program) -> String {
    let entries = record(program);
    let mut body = String::new();
    if entries.is_empty() {
        body.push_str("<p>No decisions recorded.</p>");
    } else {
        body.push_str(
            "<table><thead><tr><th>#</th><th>When</th><th>Decision</th><th>Settings</th>\
             <th>What it meant for payouts</th></tr></thead><tbody>",
        );
        for e in &entries {
            let mut settings: Vec<String> = e.settings.iter().map(|s| esc(s)).collect();
            if e.other_changes {
                settings.push("other design details".into());
            }
            let settings = if settings.is_empty() {
                "<span class=\"weak\">no change</span>".to_owned()
            } else {
                settings.join("<br>")
            };
            let figures: Vec<String> = e
                .figures
                .iter()
                .map(|(n, v, c)| {
                    if c.is_empty() {
                        format!("{}: <b>{}</b>", esc(n), esc(v))
                    } else {
                        format!(
                            "{}: <b>{}</b> <span class=\"weak\">({})</span>",
                            esc(n),
                            esc(v),
                            esc(c)
                        )
                    }
                })
                .collect();
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"when\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.number,
                esc(&e.at),
                esc(&e.note),
                settings,
                figures.join("<br>")
            ));
        }
        body.push_str("</tbody></table>");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Decision log: {name}</title><style>\
         body{{font-family:system-ui,sans-serif;font-size:11pt;margin:1.5em;color:#222}}\
         h1{{font-size:16pt;margin:0 0 .2em}}\
         table{{border-collapse:collapse;width:100%}}\
         th,td{{border-bottom:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left}}\
         th{{background:#f2f2f2}} .weak{{color:#666}} .when{{white-space:nowrap}}\
         @page{{size:landscape;margin:1cm}}\
         </style></head><body><h1>Decision log: {name}</h1>\
         <p class=\"weak\">Each row is a decision as it was captured, with the settings that \
         changed from the one before and the payouts the design produced then; changes in \
         brackets are from the previous decision. Ratio below 1: the highest-risk quintile \
         gets less per attributed life than the lowest.</p>{body}</body></html>\n",
        name = esc(&program.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Parameter;

    fn headline(pool: i64, paid: u32, ratio: f64) -> Headline {
        Headline {
            pool_cents: pool,
            paid_cents: pool,
            providers_scored: 260,
            providers_paid: paid,
            median_payout_cents: pool / paid as i64,
            per_life_ratio: Some(ratio),
        }
    }

    #[test]
    fn the_record_states_changes_and_their_effect_in_words() {
        let mut p = Program {
            name: "Medicaid <primary care>".into(),
            ..Program::default()
        };
        Parameter::PoolDollars.set(&mut p, 4_000_000.0);
        let first = Decision::capture(
            &p,
            headline(400_000_000, 250, 0.55),
            "2026-11-29 22:00".into(),
            "Start from the $4M design".into(),
        );
        Parameter::PoolDollars.set(&mut p, 3_000_000.0);
        Parameter::ThresholdPercentile.set(&mut p, 60.0);
        Parameter::PeerGroupStandards.set(&mut p, 1.0);
        let second = Decision::capture(
            &p,
            headline(300_000_000, 200, 1.19),
            "2026-11-29 22:20".into(),
            "Pool $3M, threshold p60, peer groups on".into(),
        );
        p.decisions = vec![first, second];
        let r = record(&p);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[1].settings,
            vec![
                "Pool: $3,000,000",
                "Threshold: 60th percentile",
                "Peer-group standards: on"
            ]
        );
        assert!(!r[1].other_changes);
        assert_eq!(
            r[1].figures[0],
            ("Pool".into(), "$3,000,000".into(), "−$1,000,000".into())
        );
        assert_eq!(r[1].figures[2].2, "−50");
        assert_eq!(r[1].figures[4].1, "1.19");
        assert_eq!(r[1].figures[4].2, "+0.64");
        // The first lists every setting and no change.
        assert!(r[0].settings.contains(&"Pool: $4,000,000".to_owned()));
        assert!(r[0].figures.iter().all(|f| f.2.is_empty()));
        let text = decisions_text(&p);
        assert!(text.contains("2. 2026-11-29 22:20 — Pool $3M, threshold p60, peer groups on"));
        assert!(text.contains("Changed: Pool: $3,000,000; Threshold: 60th percentile"));
        assert!(text.contains("Providers paid: 200 of 260 (−50)"));
        let html = decisions_html(&p);
        assert!(html.contains("Medicaid &lt;primary care&gt;"));
        assert!(html.contains("Peer-group standards: on"));
        assert!(!html.contains("<script"));
        assert!(decisions_text(&Program::default()).contains("No decisions recorded."));
    }
}
