//! The providers table (sortable, filterable, virtualised) and the "why" view that shows every
//! input, standard, point, weight, rule and cent behind one provider's payment.

use super::phasing;
use super::session::Session;
use super::theme::Palette;
use super::widgets::{self, glossary, money, money_exact, num, rate};
use crate::engine::{AttributeValues, Inputs, Observations, PhaseRun, Results, totals};
use crate::program::{PhaseKind, Program};
use crate::report::explain::{self as audit, AuditRow, AuditValue, Section};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::sync::{Arc, Weak};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Name,
    Area,
    Lives,
    Score,
    Earned,
    Net,
    PerLife,
}

impl SortKey {
    const ALL: [SortKey; 8] = [
        SortKey::Id,
        SortKey::Name,
        SortKey::Area,
        SortKey::Lives,
        SortKey::Score,
        SortKey::Earned,
        SortKey::Net,
        SortKey::PerLife,
    ];
    fn title(self) -> &'static str {
        match self {
            SortKey::Id => "Provider",
            SortKey::Name => "Name",
            SortKey::Area => "Service area",
            SortKey::Lives => "Lives",
            SortKey::Score => "Score",
            SortKey::Earned => "Earned",
            SortKey::Net => "Net",
            SortKey::PerLife => "Per life",
        }
    }
    fn numeric(self) -> bool {
        !matches!(self, SortKey::Id | SortKey::Name | SortKey::Area)
    }
}

/// What the row order was made from: (results generation, modelled phase), filter, sort key,
/// direction and provider count.
type OrderKey = ((u64, Option<usize>), String, SortKey, bool, usize);

/// Table state: sorting, filter and the cached row order.
pub struct ProvidersView {
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    order: Vec<usize>,
    order_key: Option<OrderKey>,
    id_rank: Option<(Weak<Observations>, Vec<u32>)>,
    scroll_to_selected: bool,
    /// "40 not scored: fewer than 2 domains scored", for the scores generation and modelled
    /// phase it was counted on.
    not_scored: (Option<(u64, Option<usize>)>, String),
}

impl Default for ProvidersView {
    fn default() -> Self {
        ProvidersView {
            filter: String::new(),
            sort: SortKey::Earned,
            descending: true,
            order: Vec::new(),
            order_key: None,
            id_rank: None,
            scroll_to_selected: false,
            not_scored: (None, String::new()),
        }
    }
}

impl ProvidersView {
    /// Rows in display order (cached until results, the modelled phase, filter or sort
    /// change).
    pub fn order(&mut self, program: &Program, session: &Session) -> &[usize] {
        let n = session.provider_count();
        let shown = session.shown(program);
        let key = (
            (
                session.results_generation,
                shown.as_ref().and_then(|s| s.phase),
            ),
            self.filter.clone(),
            self.sort,
            self.descending,
            n,
        );
        if self.order_key.as_ref() != Some(&key) {
            self.order = match (&session.observations, &shown) {
                (Some(obs), Some(shown)) => {
                    let ranks = Self::id_ranks(&mut self.id_rank, obs);
                    let r = shown.results;
                    sorted_rows_ranked(obs, r, &self.filter, self.sort, self.descending, ranks)
                }
                _ => Vec::new(),
            };
            self.order_key = Some(key);
        }
        &self.order
    }

    /// Each provider's place in the order of ids, kept while the data stays the same: every
    /// sort breaks ties by id, and comparing numbers is much cheaper than comparing ids.
    fn id_ranks<'a>(
        cache: &'a mut Option<(Weak<Observations>, Vec<u32>)>,
        obs: &Arc<Observations>,
    ) -> &'a [u32] {
        let fresh = cache
            .as_ref()
            .is_some_and(|(data, _)| data.ptr_eq(&Arc::downgrade(obs)));
        if !fresh {
            *cache = Some((Arc::downgrade(obs), id_ranks(&obs.providers.ids)));
        }
        cache.as_ref().map_or(&[], |(_, r)| r.as_slice())
    }

    /// The table; clicking a row selects that provider.
    pub fn table_ui(&mut self, ui: &mut Ui, program: &Program, session: &mut Session) {
        let p = Palette::of(ui);
        // The selection is written back once the table is drawn, so the table reads the
        // session's results in place instead of copying them every frame.
        let mut selected = session.selected_provider;
        let (Some(obs), Some(shown)) = (session.observations.clone(), session.shown(program))
        else {
            ui.label("No data loaded yet: the providers appear here once data is loaded (step 5).");
            return;
        };
        // The payments of what the live panel models; a performance phase's scores and notes
        // come from its own program and inputs.
        let (results, phase, run) = (shown.results, shown.phase, shown.run);
        let scored_by = shown.program;
        let units = run
            .and_then(|r| r.kind)
            .filter(|k| matches!(k, PhaseKind::Participation | PhaseKind::Reporting));
        ui.label(RichText::new(phasing::modelling_text(program, phase)).strong());
        ui.horizontal(|ui| {
            let l = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("provider id, name or service area")
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
            if !self.filter.is_empty() && ui.small_button("Clear").clicked() {
                self.filter.clear();
            }
        });
        let order = self.order(program, session).to_vec();
        // Something is always explained: the top row until the user picks another.
        if selected.is_none()
            && let Some(first) = order.first()
        {
            selected = Some(*first);
        }
        ui.label(
            RichText::new(format!(
                "{} of {} providers · click a row to see why it is paid what it is · click a column title to sort",
                order.len(),
                obs.provider_count()
            ))
            .small()
            .color(p.muted),
        );
        let scores = (session.scores_generation(), phase);
        if self.not_scored.0 != Some(scores) {
            let counts = totals::not_scored_counts(scored_by, shown.inputs, results);
            self.not_scored = (Some(scores), totals::not_scored_sentence(&counts));
        }
        if !self.not_scored.1.is_empty() {
            ui.label(
                RichText::new(format!(
                    "{} (score “—”; the Note column gives each one's reason)",
                    self.not_scored.1
                ))
                .small()
                .color(p.warn),
            );
        }
        let inputs = Some(shown.inputs);
        // Keyboard: up/down move the selection through the visible rows.
        if !ui.ctx().text_edit_focused() && !order.is_empty() {
            let (up, down) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::ArrowUp),
                    i.key_pressed(egui::Key::ArrowDown),
                )
            });
            if up || down {
                let pos = selected.and_then(|s| order.iter().position(|&i| i == s));
                let next = match (pos, down) {
                    (None, _) => 0,
                    (Some(k), true) => (k + 1).min(order.len() - 1),
                    (Some(k), false) => k.saturating_sub(1),
                };
                selected = Some(order[next]);
                self.scroll_to_selected = true;
            }
        }
        let net_view = results.payment.withheld.iter().any(|w| *w > 0);
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
        let mut clicked = None;
        let mut sort_clicked = None;
        // Too narrow for every column: the table scrolls sideways rather than dropping some.
        egui::ScrollArea::horizontal()
            .id_salt("providers_hscroll")
            .show(ui, |ui| {
                let mut table = TableBuilder::new(ui)
                    .id_salt("providers_table")
                    .striped(true)
                    .sense(egui::Sense::click())
                    .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                    .column(Column::auto().at_least(70.0))
                    // The name takes whatever width is left, so the numbers always stay in view.
                    .column(Column::remainder().at_least(120.0).clip(true))
                    .column(
                        Column::initial(120.0)
                            .at_least(60.0)
                            .clip(true)
                            .resizable(true),
                    )
                    .columns(Column::auto().at_least(60.0), if net_view { 5 } else { 4 })
                    // Why a provider has no score or may not earn.
                    .column(Column::auto().at_least(80.0));
                let keys: Vec<SortKey> = SortKey::ALL
                    .into_iter()
                    .filter(|k| net_view || *k != SortKey::Net)
                    .collect();
                if self.scroll_to_selected
                    && let Some(sel) = selected
                    && let Some(k) = order.iter().position(|&i| i == sel)
                {
                    table = table.scroll_to_row(k, None);
                    self.scroll_to_selected = false;
                }
                table
                    .header(row_h + 4.0, |mut header| {
                        for key in keys.iter().copied() {
                            header.col(|ui| {
                                let title = key.title();
                                let arrow = if self.sort == key {
                                    if self.descending { " ▼" } else { " ▲" }
                                } else {
                                    ""
                                };
                                let r = ui
                                    .add(
                                        egui::Button::new(
                                            RichText::new(format!("{title}{arrow}")).strong(),
                                        )
                                        .frame(false),
                                    )
                                    .on_hover_text(format!("Sort by {}", title.to_lowercase()));
                                if r.clicked() {
                                    sort_clicked = Some(key);
                                }
                            });
                        }
                        header.col(|ui| {
                            ui.label(RichText::new("Note").strong()).on_hover_text(
                                "Why a provider has no total score, or may not earn",
                            );
                        });
                    })
                    .body(|body| {
                        body.rows(row_h, order.len(), |mut row| {
                            let i = order[row.index()];
                            row.set_selected(selected == Some(i));
                            let pr = &obs.providers;
                            let cell = |row: &mut egui_extras::TableRow<'_, '_>, text: String| {
                                row.col(|ui| {
                                    ui.style_mut().interaction.selectable_labels = false;
                                    ui.add(egui::Label::new(text).truncate());
                                });
                            };
                            cell(&mut row, pr.ids[i].clone());
                            cell(&mut row, pr.names.get(i).cloned().unwrap_or_default());
                            let area = pr.service_area.get(i).map(String::as_str).unwrap_or("");
                            cell(&mut row, super::steps::area_name(program, area));
                            cell(
                                &mut row,
                                lives_text(pr.lives.get(i).copied().unwrap_or(f64::NAN)),
                            );
                            let note = inputs.as_ref().and_then(|inputs| {
                                totals::not_scored(scored_by, inputs, results, i)
                                    .map(|why| (why.detail(), true))
                                    .or_else(|| match units {
                                        Some(kind) => phase_note(kind, results, i)
                                            .map(|why| (why.to_owned(), false)),
                                        None => totals::not_eligible(scored_by, inputs, results, i)
                                            .map(|why| (why, false)),
                                    })
                            });
                            row.col(|ui| {
                                ui.style_mut().interaction.selectable_labels = false;
                                let r =
                                    ui.add(egui::Label::new(num(results.total[i], 1)).truncate());
                                if let Some((why, true)) = &note {
                                    r.on_hover_text(format!("Not scored: {why}"));
                                }
                            });
                            let earned = results.payment.earned[i];
                            let net = results.payment.net[i];
                            row.col(|ui| {
                                ui.style_mut().interaction.selectable_labels = false;
                                ui.colored_label(p.money(earned), money(earned));
                            });
                            if net_view {
                                row.col(|ui| {
                                    ui.style_mut().interaction.selectable_labels = false;
                                    ui.colored_label(p.money(net), money(net));
                                });
                            }
                            cell(
                                &mut row,
                                per_life_text(net_or_earned(results, i, net_view), pr.lives[i]),
                            );
                            row.col(|ui| {
                                ui.style_mut().interaction.selectable_labels = false;
                                if let Some((why, scored_not)) = &note {
                                    let text = if *scored_not {
                                        format!("not scored: {why}")
                                    } else {
                                        format!("not eligible: {why}")
                                    };
                                    ui.add(
                                        egui::Label::new(
                                            RichText::new(&text).small().color(if *scored_not {
                                                p.warn
                                            } else {
                                                p.muted
                                            }),
                                        )
                                        .truncate(),
                                    )
                                    .on_hover_text(text);
                                }
                            });
                            if row.response().clicked() {
                                clicked = Some(i);
                            }
                        });
                    });
            });
        if let Some(key) = sort_clicked {
            if self.sort == key {
                self.descending = !self.descending;
            } else {
                self.sort = key;
                self.descending = key.numeric();
            }
        }
        if let Some(i) = clicked {
            selected = Some(i);
        }
        session.selected_provider = selected;
    }
}

/// Why a participation or reporting phase pays provider `i` nothing (`None` when it pays it).
fn phase_note(kind: PhaseKind, r: &Results, i: usize) -> Option<&'static str> {
    if r.eligible.get(i).copied().unwrap_or(true) {
        return None;
    }
    Some(match kind {
        PhaseKind::Participation => "not taking part in this phase (no attributed lives)",
        _ => "reports none of this phase's measures",
    })
}

fn net_or_earned(r: &Results, i: usize, net_view: bool) -> i64 {
    if net_view {
        r.payment.net[i]
    } else {
        r.payment.earned[i]
    }
}

fn lives_text(l: f64) -> String {
    if l.is_finite() {
        widgets::thousands(l.round().max(0.0) as u64)
    } else {
        "—".into()
    }
}

fn per_life_text(cents: i64, lives: f64) -> String {
    crate::engine::equity::counted_lives(lives).map_or_else(
        || "—".into(),
        |l| crate::format::dollars(crate::engine::equity::payout_per_life(cents, l)),
    )
}

/// Provider indices matching `filter`, sorted by `key` (ties by id, so the order is stable).
pub fn sorted_rows(
    obs: &Observations,
    r: &Results,
    filter: &str,
    key: SortKey,
    descending: bool,
) -> Vec<usize> {
    let ranks = id_ranks(&obs.providers.ids);
    sorted_rows_ranked(obs, r, filter, key, descending, &ranks)
}

/// Each id's place in the ids sorted (equal ids by position).
fn id_ranks(ids: &[String]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let mut rank = vec![0u32; ids.len()];
    for (k, &i) in order.iter().enumerate() {
        rank[i] = k as u32;
    }
    rank
}

/// A number as a key that sorts as `f64::total_cmp` does, reversed when `descending`; missing
/// values (NaN) last either way.
fn sort_key(x: f64, descending: bool) -> u64 {
    if x.is_nan() {
        return u64::MAX;
    }
    let bits = x.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    if descending { !ordered } else { ordered }
}

/// [`sorted_rows`] with each provider's rank by id (`ranks[i]`) already known.
fn sorted_rows_ranked(
    obs: &Observations,
    r: &Results,
    filter: &str,
    key: SortKey,
    descending: bool,
    ranks: &[u32],
) -> Vec<usize> {
    let p = &obs.providers;
    let n = r.provider_count().min(p.len()).min(ranks.len());
    let f = filter.trim().to_lowercase();
    let rows = (0..n).filter(|&i| {
        f.is_empty()
            || p.ids[i].to_lowercase().contains(&f)
            || p.names[i].to_lowercase().contains(&f)
            || p.service_area[i].to_lowercase().contains(&f)
    });
    let net_view = r.payment.withheld.iter().any(|w| *w > 0);
    let number = |i: usize| -> f64 {
        match key {
            SortKey::Lives => p.lives[i],
            SortKey::Score => r.total[i],
            SortKey::Earned => r.payment.earned[i] as f64,
            SortKey::Net => r.payment.net[i] as f64,
            SortKey::PerLife => {
                if p.lives[i] > 0.0 {
                    net_or_earned(r, i, net_view) as f64 / p.lives[i]
                } else {
                    f64::NAN
                }
            }
            _ => 0.0,
        }
    };
    match key {
        SortKey::Name | SortKey::Area => {
            let text = |i: usize| -> &str {
                if key == SortKey::Name {
                    &p.names[i]
                } else {
                    &p.service_area[i]
                }
            };
            let mut rows: Vec<usize> = rows.collect();
            rows.sort_unstable_by(|&a, &b| {
                let ord = text(a).cmp(text(b));
                let ord = if descending { ord.reverse() } else { ord };
                ord.then(ranks[a].cmp(&ranks[b]))
            });
            rows
        }
        _ => {
            // (key, rank by id, row): each rank is unique, so the unstable sort is stable.
            let mut keyed: Vec<(u64, u32, u32)> = rows
                .map(|i| {
                    let k = match key {
                        SortKey::Id => {
                            if descending {
                                !u64::from(ranks[i])
                            } else {
                                u64::from(ranks[i])
                            }
                        }
                        _ => sort_key(number(i), descending),
                    };
                    (k, ranks[i], i as u32)
                })
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, i)| i as usize).collect()
        }
    }
}

/// The "why" view for provider `i`.
pub fn why_ui(ui: &mut Ui, program: &Program, session: &Session, i: usize) {
    let p = Palette::of(ui);
    let (Some(obs), Some(shown)) = (&session.observations, session.shown(program)) else {
        ui.label("No results yet.");
        return;
    };
    // The payment of what the live panel models; a performance phase is explained with its
    // own program and inputs, a participation or reporting phase by its own rule.
    let (inputs, r, run) = (shown.inputs.as_ref(), shown.results, shown.run);
    let units = run.filter(|run| {
        matches!(
            run.kind,
            Some(PhaseKind::Participation | PhaseKind::Reporting)
        )
    });
    if i >= r.provider_count() || i >= obs.provider_count() {
        ui.label("This provider is no longer in the data.");
        return;
    }
    let pr = &obs.providers;
    ui.heading(session.provider_label(i));
    ui.label(RichText::new(phasing::modelling_text(program, shown.phase)).strong());
    let program = shown.program;
    let mut facts: Vec<String> = Vec::new();
    if !pr.service_area[i].is_empty() {
        facts.push(super::steps::area_name(program, &pr.service_area[i]));
    }
    if program.standards.by_peer_group {
        let g = inputs.group[i] as usize;
        facts.push(format!(
            "peer group {}",
            inputs.group_names.get(g).cloned().unwrap_or_default()
        ));
    } else if !pr.peer_group[i].is_empty() {
        facts.push(format!("peer group {}", pr.peer_group[i]));
    }
    if pr.lives[i].is_finite() {
        facts.push(format!("{} attributed lives", lives_text(pr.lives[i])));
    }
    if pr.base_payments[i].is_finite() {
        facts.push(format!(
            "base payments {}",
            widgets::dollars(pr.base_payments[i])
        ));
    }
    if pr.spend[i].is_finite() {
        facts.push(format!("spend {}", widgets::dollars(pr.spend[i])));
    }
    ui.label(RichText::new(facts.join(" · ")).color(p.muted));
    let strata: Vec<String> = pr
        .stratifiers
        .iter()
        .filter_map(|s| match &s.values {
            AttributeValues::Numeric(v) if v[i].is_finite() => {
                Some(format!("{} {}", s.name.replace('_', " "), num(v[i], 2)))
            }
            AttributeValues::Text(v) if !v[i].is_empty() => {
                Some(format!("{} {}", s.name.replace('_', " "), v[i]))
            }
            _ => None,
        })
        .collect();
    if !strata.is_empty() {
        ui.label(RichText::new(strata.join(" · ")).small().color(p.muted));
    }

    // The bottom line first, then how it was reached.
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        let pay = &r.payment;
        widgets::stat(
            ui,
            "Total score",
            &num(r.total[i], 1),
            Some(p.accent),
            "0–100: the weighted domain scores.",
        );
        widgets::stat(
            ui,
            "Earned",
            &money_exact(pay.earned[i]),
            Some(p.money(pay.earned[i])),
            "What the engine pays this provider.",
        );
        if pay.withheld[i] > 0 {
            widgets::stat(
                ui,
                "Withheld",
                &money_exact(pay.withheld[i]),
                None,
                glossary::WITHHOLD,
            );
            widgets::stat(
                ui,
                "Net",
                &money_exact(pay.net[i]),
                Some(p.money(pay.net[i])),
                "Earned − withheld.",
            );
        }
    });

    widgets::section(ui, "1. Measures: inputs, standards and points");
    measures_grid(ui, program, inputs, r, i, &p);

    if !program.scoring.domains.is_empty() {
        widgets::section(ui, "2. Domains");
        domains_grid(ui, program, r, i, &p);
    }

    let audit = audit::explain(program, inputs, r, i);
    widgets::section(ui, "3. Total score and who may earn");
    audit_grid(
        ui,
        "why_total",
        audit
            .rows
            .iter()
            .filter(|row| matches!(row.section, Section::Total | Section::Eligibility)),
        &p,
    );

    widgets::section(ui, "4. Payment: pool, share and cents");
    match units {
        Some(run) => phase_payment_grid(ui, run, r, i, &p),
        None => audit_grid(ui, "why_payment", audit.section(Section::Payment), &p),
    }

    ui.add_space(6.0);
    egui::CollapsingHeader::new(format!("Full audit trail ({} rows)", audit.rows.len()))
        .id_salt("why_full_audit")
        .show(ui, |ui| {
            for section in Section::ALL {
                // The program's payment rule does not pay a participation or reporting phase.
                if units.is_some() && section == Section::Payment {
                    continue;
                }
                let rows: Vec<&AuditRow> = audit.section(section).collect();
                if rows.is_empty() {
                    continue;
                }
                ui.label(RichText::new(section.label()).strong());
                audit_grid(ui, ("why_full", section.label()), rows.into_iter(), &p);
            }
        });
}

/// How a participation or reporting phase paid provider `i`: its rule, what it counted for the
/// provider, the weight and the cents, as the engine's phase run has them.
fn phase_payment_grid(ui: &mut Ui, run: &PhaseRun, r: &Results, i: usize, p: &Palette) {
    let Some(kind) = run.kind else {
        return;
    };
    let pay = &r.payment;
    let counted = match kind {
        PhaseKind::Participation => (
            "taking part",
            if r.eligible.get(i).copied().unwrap_or(false) {
                "yes".to_owned()
            } else {
                "no (no attributed lives)".to_owned()
            },
        ),
        _ => (
            "measures reported",
            run.reported.get(i).map_or("—".into(), |k| k.to_string()),
        ),
    };
    egui::Grid::new("why_phase_payment")
        .striped(true)
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.label("rule");
            ui.add(egui::Label::new(phasing::kind_rule(kind)).wrap());
            ui.end_row();
            ui.label("phase pool");
            ui.label(RichText::new(money_exact(run.pool_cents)).strong());
            ui.end_row();
            ui.label(counted.0);
            ui.label(RichText::new(counted.1).strong());
            ui.end_row();
            ui.label("payment weight");
            ui.label(num(pay.weight.get(i).copied().unwrap_or(f64::NAN), 2));
            ui.end_row();
            let earned = pay.earned.get(i).copied().unwrap_or(0);
            ui.label("earned");
            ui.label(
                RichText::new(money_exact(earned))
                    .strong()
                    .color(p.money(earned)),
            );
            ui.end_row();
        });
}

/// Rows of the engine's audit trail: what, value, and the rule with its numbers plugged in.
fn audit_grid<'a>(
    ui: &mut Ui,
    id: impl egui::AsIdSalt,
    rows: impl Iterator<Item = &'a AuditRow>,
    p: &Palette,
) {
    egui::Grid::new(id)
        .striped(true)
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for row in rows {
                let what = if row.subject.is_empty() {
                    row.item.replace('_', " ")
                } else {
                    format!("{} · {}", row.subject, row.item.replace('_', " "))
                };
                ui.label(what);
                let value = match &row.value {
                    AuditValue::Number(x) => RichText::new(audit::fmt_num(*x)),
                    AuditValue::Cents(c) => RichText::new(audit::fmt_money(*c)).color(p.money(*c)),
                    AuditValue::Flag(b) => RichText::new(if *b { "yes" } else { "no" })
                        .color(if *b { p.good } else { p.bad }),
                    AuditValue::Text(t) => RichText::new(t),
                    AuditValue::Missing => RichText::new("—").color(p.muted),
                };
                ui.label(value.strong());
                ui.add(egui::Label::new(RichText::new(&row.rule).small().color(p.muted)).wrap());
                ui.end_row();
            }
        });
}

fn measures_grid(
    ui: &mut Ui,
    program: &Program,
    inputs: &Inputs,
    r: &Results,
    i: usize,
    p: &Palette,
) {
    let g = inputs.group.get(i).copied().unwrap_or(0) as usize;
    let head = |ui: &mut Ui, t: &str, tip: &str| {
        ui.label(RichText::new(t).small().strong().color(p.muted))
            .on_hover_text(tip);
    };
    egui::ScrollArea::horizontal().id_salt("why_measures").show(ui, |ui| {
        egui::Grid::new("why_measures_grid")
            .striped(true)
            .spacing([9.0, 4.0])
            .show(ui, |ui| {
                head(ui, "Measure", "The vital-few measures this provider is scored on.");
                head(ui, "Baseline", "The provider's own rate in the baseline period.");
                head(ui, "Perform.", "The provider's rate in the performance period.");
                head(ui, "n", "Eligible cases in the performance period (after exclusions).");
                head(ui, "Threshold", glossary::THRESHOLD);
                head(ui, "Benchmark", glossary::BENCHMARK);
                head(ui, "Achiev.", glossary::ACHIEVEMENT);
                head(ui, "Improv.", glossary::IMPROVEMENT);
                head(ui, "Score", "The measure score (by the program's rule, usually the better of achievement and improvement).");
                head(ui, "Weight", "The measure's weight within its domain.");
                ui.end_row();
                for (m, mr) in inputs.measures.iter().zip(&r.measures) {
                    let pm = program.measure(&m.id);
                    let title = pm.map_or(m.id.as_str(), |pm| pm.title.as_str());
                    let dir = if m.sign > 0.0 { "↑ higher is better" } else { "↓ lower is better" };
                    ui.label(RichText::new(&m.id).strong())
                        .on_hover_text(format!("{title}\n{dir}"));
                    let b = m.baseline[i] * m.sign;
                    let perf = m.performance[i] * m.sign;
                    ui.label(rate(b));
                    let better = m.performance[i] > m.baseline[i];
                    let perf_text = RichText::new(rate(perf));
                    ui.label(if better { perf_text.color(p.good) } else { perf_text })
                        .on_hover_text(if better { "Improved on the baseline" } else { "" });
                    let den = m.denominator[i];
                    let exc = m.exclusions[i];
                    let den_label = ui.label(num(den, 0));
                    if exc.is_finite() && exc > 0.0 {
                        den_label.on_hover_text(format!("{} excluded (exceptions)", num(exc, 0)));
                    }
                    let st = mr.standards.get(g).copied().unwrap_or_default();
                    ui.label(rate(st.threshold));
                    ui.label(rate(st.benchmark));
                    let (a, im, s) = (mr.achievement[i], mr.improvement[i], mr.score[i]);
                    let pts = |x: f64, is_score: bool| {
                        let t = RichText::new(num(x, if x.fract() == 0.0 { 0 } else { 2 }));
                        if is_score && x.is_finite() { t.strong().color(p.accent) } else { t }
                    };
                    ui.label(pts(a, s == a && s.is_finite()));
                    ui.label(pts(im, s == im && s != a && s.is_finite()));
                    if s.is_finite() {
                        ui.label(RichText::new(format!("{} / {}", num(s, if s.fract() == 0.0 { 0 } else { 2 }), num(mr.max_points, 0))).strong());
                    } else {
                        let why = if m.supplied_score {
                            "no supplied score"
                        } else if perf.is_nan() {
                            "not reported"
                        } else if pm.and_then(|pm| pm.min_denominator).is_some_and(|md| den < md) {
                            "below minimum denominator"
                        } else {
                            "not scored"
                        };
                        ui.label(RichText::new(why).italics().color(p.warn));
                    }
                    ui.label(num(m.weight, 2));
                    ui.end_row();
                }
            });
    });
}

fn domains_grid(ui: &mut Ui, program: &Program, r: &Results, i: usize, p: &Palette) {
    egui::Grid::new("why_domains")
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for t in [
                "Domain",
                "Weight",
                "Measures scored",
                "Consistency",
                "Domain score",
            ] {
                ui.label(RichText::new(t).small().strong().color(p.muted));
            }
            ui.end_row();
            for (d, dr) in program.scoring.domains.iter().zip(&r.domains) {
                ui.label(if d.name.is_empty() { &d.id } else { &d.name });
                ui.label(num(d.weight, 2));
                ui.label(format!(
                    "{} (needs {})",
                    dr.measures_scored[i], d.min_measures
                ));
                ui.label(num(dr.consistency[i], 1));
                let s = dr.score[i];
                ui.label(if s.is_finite() {
                    RichText::new(num(s, 1)).strong()
                } else {
                    RichText::new("too few measures").italics().color(p.warn)
                });
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(format!(
            "Total score = weighted mean of domain scores{} (needs {} domain{}): {}",
            if program.scoring.reweight_missing_domains {
                ", weights re-spread over the domains it has"
            } else {
                ""
            },
            program.scoring.min_domains,
            if program.scoring.min_domains == 1 {
                ""
            } else {
                "s"
            },
            num(r.total[i], 2)
        ))
        .small(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PaymentResult;

    fn data() -> (Observations, Results) {
        let mut obs = Observations::new();
        for id in ["b", "a", "c"] {
            obs.provider_index(id);
        }
        obs.providers.names = vec!["Beta Clinic".into(), "Alpha".into(), "Gamma".into()];
        obs.providers.lives = vec![100.0, f64::NAN, 50.0];
        let r = Results {
            total: vec![50.0, 80.0, f64::NAN],
            payment: PaymentResult {
                earned: vec![500, 800, 0],
                net: vec![500, 800, 0],
                withheld: vec![0; 3],
                ..Default::default()
            },
            ..Default::default()
        };
        (obs, r)
    }

    #[test]
    fn rows_sort_and_filter() {
        let (obs, r) = data();
        assert_eq!(
            sorted_rows(&obs, &r, "", SortKey::Earned, true),
            vec![1, 0, 2]
        );
        assert_eq!(sorted_rows(&obs, &r, "", SortKey::Id, false), vec![1, 0, 2]);
        // Missing scores go last in both directions.
        assert_eq!(
            sorted_rows(&obs, &r, "", SortKey::Score, false),
            vec![0, 1, 2]
        );
        assert_eq!(sorted_rows(&obs, &r, "clinic", SortKey::Id, false), vec![0]);
    }

    /// The order as a plain comparison sort gives it: by key (missing last either way), then by
    /// id, then by position.
    fn reference(obs: &Observations, r: &Results, key: SortKey, descending: bool) -> Vec<usize> {
        let p = &obs.providers;
        let mut rows: Vec<usize> = (0..p.len()).collect();
        let net_view = r.payment.withheld.iter().any(|w| *w > 0);
        let number = |i: usize| match key {
            SortKey::Lives => p.lives[i],
            SortKey::Score => r.total[i],
            SortKey::Earned => r.payment.earned[i] as f64,
            SortKey::Net => r.payment.net[i] as f64,
            SortKey::PerLife if p.lives[i] > 0.0 => {
                net_or_earned(r, i, net_view) as f64 / p.lives[i]
            }
            _ => f64::NAN,
        };
        rows.sort_by(|&a, &b| {
            let ord = match key {
                SortKey::Id => p.ids[a].cmp(&p.ids[b]),
                SortKey::Name => p.names[a].cmp(&p.names[b]),
                SortKey::Area => p.service_area[a].cmp(&p.service_area[b]),
                _ => {
                    let (x, y) = (number(a), number(b));
                    match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => return std::cmp::Ordering::Greater,
                        (false, true) => return std::cmp::Ordering::Less,
                        _ => x.total_cmp(&y),
                    }
                }
            };
            let ord = if descending { ord.reverse() } else { ord };
            ord.then_with(|| p.ids[a].cmp(&p.ids[b]))
        });
        rows
    }

    #[test]
    fn every_sort_matches_a_plain_comparison_sort() {
        let mut obs = Observations::new();
        let n = 60;
        for k in 0..n {
            // Ids not in row order, so ties by id differ from ties by position.
            obs.provider_index(&format!("p{:03}", (k * 37) % n));
        }
        obs.providers.names = (0..n).map(|k| format!("N{}", k % 7)).collect();
        obs.providers.service_area = (0..n).map(|k| format!("A{}", k % 3)).collect();
        obs.providers.lives = (0..n)
            .map(|k| match k % 5 {
                0 => f64::NAN,
                1 => 0.0,
                _ => (k % 11) as f64 * 10.0,
            })
            .collect();
        let earned: Vec<i64> = (0..n).map(|k| ((k as i64 * 13) % 9 - 3) * 100).collect();
        let withheld: Vec<i64> = (0..n).map(|k| (k as i64 % 2) * 150).collect();
        let r = Results {
            total: (0..n)
                .map(|k| {
                    if k % 4 == 0 {
                        f64::NAN
                    } else {
                        (k % 6) as f64 * 12.5 - 0.0
                    }
                })
                .collect(),
            payment: PaymentResult {
                net: earned.iter().zip(&withheld).map(|(e, w)| e - w).collect(),
                earned,
                withheld,
                ..Default::default()
            },
            ..Default::default()
        };
        for key in SortKey::ALL {
            for descending in [false, true] {
                assert_eq!(
                    sorted_rows(&obs, &r, "", key, descending),
                    reference(&obs, &r, key, descending),
                    "{key:?} descending {descending}"
                );
            }
        }
        // Negative zero sorts below zero, as total_cmp has it.
        assert!(sort_key(-0.0, false) < sort_key(0.0, false));
        assert!(sort_key(f64::NEG_INFINITY, true) < sort_key(f64::NAN, true));
    }
}
