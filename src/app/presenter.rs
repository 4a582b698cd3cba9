//! Presenter mode (F5): the current design's headline figures, its payouts and its payout per
//! attributed life by social-risk quintile, in type large enough for the back of a room,
//! beside the controls under discussion (the modelled phase, the pool and the threshold). The
//! rest of the window steps back; Escape or F5 leaves.

use super::phasing;
use super::session::Session;
use super::sim_panel::{self, Summary, summarise};
use super::theme::{Palette, big_number};
use crate::engine::{Observations, Results, RiskQuintiles, equity, quintile_label};
use crate::format::{money, money_short};
use crate::program::{PhaseKind, Program};
use egui::{RichText, Ui, vec2};

/// One social-risk quintile's payout per attributed life.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub label: String,
    pub providers: usize,
    /// Dollars per attributed life (NaN without lives).
    pub per_life: f64,
}

/// Presenter mode's state: whether it is on, and what it shows (cached per results and phase).
#[derive(Default)]
pub struct Presenter {
    pub on: bool,
    key: Option<(u64, Option<usize>)>,
    summary: Summary,
    risk: Option<(String, Vec<RiskRow>)>,
    counted: Option<(PhaseKind, usize)>,
}

/// How much larger than the window's own text presenter mode writes.
const TYPE_SCALE: f32 = 1.3;

impl Presenter {
    /// The figures presenter mode shows now (after the last frame drew it).
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Draws presenter mode over the whole window; returns true when asked to leave.
    pub fn ui(&mut self, ui: &mut Ui, program: &mut Program, session: &mut Session) -> bool {
        let p = Palette::of(ui);
        let mut leave = false;
        // As large as the window's height allows: 1280×720 at 150% (480 points) takes the
        // full size, at 200% (360 points) a little less.
        let scale = (TYPE_SCALE * ui.available_height() / 470.0).clamp(0.85, TYPE_SCALE);
        {
            let style = ui.style_mut();
            for font in style.text_styles.values_mut() {
                font.size *= scale;
            }
            style.spacing.interact_size.y *= scale;
            style.spacing.item_spacing *= scale;
        }
        egui::Sides::new().shrink_left().truncate().show(
            ui,
            |ui| ui.label(RichText::new(&program.name).small().color(p.muted)),
            |ui| {
                if ui
                    .button("✖ Leave presenter mode")
                    .on_hover_text("Escape or F5")
                    .clicked()
                {
                    leave = true;
                }
            },
        );
        session.refresh_phase(program);
        let phase = session.modelled_phase(program);
        let title = match phase.and_then(|i| program.phases.get(i).map(|ph| (i, ph))) {
            Some((i, ph)) => phasing::phase_label(i, ph),
            None => phasing::WHOLE_PROGRAM.to_owned(),
        };
        ui.label(
            RichText::new(format!("Modelling {title}"))
                .strong()
                .size(ui.text_style_height(&egui::TextStyle::Body) * 1.1),
        );
        self.refresh(session, phase);
        ui.add_space(6.0);
        // Two columns of fixed shares of the window, so nothing pushes the other off screen.
        let full = ui.available_rect_before_wrap();
        let gap = 20.0;
        let left_w = ((full.width() - gap) * 0.5).max(100.0);
        let left = egui::Rect::from_min_size(full.min, vec2(left_w, full.height()));
        let right = egui::Rect::from_min_max(egui::pos2(left.right() + gap, full.top()), full.max);
        let column = |rect| {
            egui::UiBuilder::new()
                .max_rect(rect)
                .layout(egui::Layout::top_down(egui::Align::Min))
        };
        ui.scope_builder(column(left), |ui| {
            self.figures(ui, &p);
            ui.add_space(10.0);
            controls(ui, program, session, scale);
            if let Some((kind @ (PhaseKind::Participation | PhaseKind::Reporting), _)) =
                self.counted
            {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "This phase pays {}: the threshold does not change it.",
                            if kind == PhaseKind::Participation {
                                "for taking part"
                            } else {
                                "for reporting"
                            }
                        ))
                        .small()
                        .color(p.muted),
                    )
                    .wrap(),
                );
            }
        });
        ui.scope_builder(column(right), |ui| self.charts(ui, &p));
        ui.allocate_rect(full, egui::Sense::hover());
        leave
    }

    /// Remakes the figures when the results or the modelled phase changed.
    fn refresh(&mut self, session: &Session, phase: Option<usize>) {
        let key = (session.results_generation, phase);
        if self.key == Some(key) {
            return;
        }
        let (Some(obs), Some((run, results))) =
            (session.observations.as_deref(), session.modelled_results())
        else {
            self.summary = Summary::default();
            self.risk = None;
            self.key = None;
            return;
        };
        self.summary = summarise(obs, results, None);
        self.risk = risk_rows(obs, results);
        self.counted = run.and_then(|r| r.kind.map(|k| (k, r.counted)));
        self.key = Some(key);
    }

    fn figures(&self, ui: &mut Ui, p: &Palette) {
        let s = &self.summary;
        let of = match self.counted {
            Some((PhaseKind::Participation, n)) => format!("of {n} taking part"),
            Some((PhaseKind::Reporting, n)) => format!("of {n} reporting"),
            _ => format!("of {} scored", s.scored),
        };
        let cards = [
            ("Pool".to_owned(), money_short(s.pool_cents), None),
            ("Paid".to_owned(), money_short(s.paid_cents), Some(p.good)),
            (
                format!("providers paid, {of}"),
                s.earning.to_string(),
                Some(p.good),
            ),
            ("median payout".to_owned(), money(s.median_cents), None),
        ];
        let gap = 10.0;
        let w = ((ui.available_width() - gap) / 2.0).max(80.0);
        ui.spacing_mut().item_spacing = vec2(gap, gap);
        for row in cards.chunks(2) {
            ui.horizontal_top(|ui| {
                for (caption, value, color) in row {
                    card(ui, w, caption, value, *color, p);
                }
            });
        }
    }

    fn charts(&self, ui: &mut Ui, p: &Palette) {
        let s = &self.summary;
        ui.label(RichText::new("Payouts").strong());
        let h = (ui.available_height() * 0.36).clamp(70.0, 320.0);
        histogram(ui, s, h, p);
        ui.add_space(6.0);
        match &self.risk {
            Some((name, rows)) => {
                ui.label(
                    RichText::new(format!(
                        "Paid per life, by {} quintile",
                        name.replace('_', " ")
                    ))
                    .strong(),
                );
                per_life_bars(ui, rows, p);
            }
            None => {
                ui.label(RichText::new("No social-risk stratifier in the data").color(p.muted));
            }
        }
    }
}

/// The modelled phase, the pool and the threshold: the levers under discussion.
fn controls(ui: &mut Ui, program: &mut Program, session: &mut Session, scale: f32) {
    // The controls keep the window's own type: at the figures' size they would not fit
    // beside them on a projector.
    for font in ui.style_mut().text_styles.values_mut() {
        font.size /= scale;
    }
    ui.style_mut().spacing.interact_size.y /= scale;
    sim_panel::phase_picker(ui, program, session);
    ui.add_space(4.0);
    sim_panel::levers(ui, program);
    // The bar to earn, when the model has one: the least total score that is paid.
    if let crate::program::Eligibility::MinScore(min) = &mut program.payment.eligibility {
        ui.horizontal(|ui| {
            let l = ui.label("Payment bar");
            ui.add(
                egui::Slider::new(min, 0.0..=100.0)
                    .step_by(1.0)
                    .fixed_decimals(0),
            )
            .labelled_by(l.id)
            .on_hover_text("The least total score that is paid");
        });
    }
    session.refresh_phase(program);
}

fn card(
    ui: &mut Ui,
    width: f32,
    caption: &str,
    value: &str,
    color: Option<egui::Color32>,
    p: &Palette,
) {
    let mut text = RichText::new(value).text_style(big_number()).strong();
    if let Some(c) = color {
        text = text.color(c);
    }
    let margin = egui::Margin::symmetric(12, 6);
    ui.allocate_ui_with_layout(
        vec2(width, 0.0),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            egui::Frame::new()
                .fill(p.card)
                .corner_radius(8.0)
                .inner_margin(margin)
                .show(ui, |ui| {
                    ui.set_width(width - margin.sum().x);
                    ui.add(egui::Label::new(text).truncate());
                    ui.add(egui::Label::new(RichText::new(caption).small().color(p.muted)).wrap());
                });
        },
    );
}

/// The payout histogram, drawn large: bars with their counts, the range underneath.
fn histogram(ui: &mut Ui, s: &Summary, height: f32, p: &Palette) {
    let width = ui.available_width().max(100.0);
    let (rect, _) = ui.allocate_exact_size(vec2(width, height), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let small = egui::TextStyle::Small.resolve(ui.style());
    let label_h = small.size + 6.0;
    let plot = egui::Rect::from_min_max(rect.min, egui::pos2(rect.max.x, rect.max.y - label_h));
    let max = s.histogram.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f32;
    let n = s.histogram.len().max(1) as f32;
    let bw = plot.width() / n;
    for (k, (centre, _, count)) in s.histogram.iter().enumerate() {
        let h = (plot.height() - small.size - 4.0) * (*count as f32 / max);
        let x0 = plot.left() + bw * k as f32 + 1.0;
        let bar = egui::Rect::from_min_max(
            egui::pos2(x0, plot.bottom() - h),
            egui::pos2(x0 + bw - 2.0, plot.bottom()),
        );
        let color = p.payout_bar(*centre);
        painter.rect_filled(bar, 2.0, color);
        if *count > 0 {
            // Held inside the chart so the first and last counts are not cut.
            let x = bar
                .center()
                .x
                .clamp(plot.left() + 12.0, plot.right() - 12.0);
            painter.text(
                egui::pos2(x, bar.top() - 2.0),
                egui::Align2::CENTER_BOTTOM,
                count.to_string(),
                small.clone(),
                ui.visuals().text_color(),
            );
        }
    }
    if let (Some(first), Some(last)) = (s.histogram.first(), s.histogram.last()) {
        let lo = ((first.0 - first.1 / 2.0) * 100.0).round() as i64;
        let hi = ((last.0 + last.1 / 2.0) * 100.0).round() as i64;
        painter.text(
            egui::pos2(rect.left(), rect.bottom()),
            egui::Align2::LEFT_BOTTOM,
            money_short(lo),
            small.clone(),
            p.muted,
        );
        painter.text(
            egui::pos2(rect.right(), rect.bottom()),
            egui::Align2::RIGHT_BOTTOM,
            money_short(hi),
            small,
            p.muted,
        );
    }
}

fn per_life_bars(ui: &mut Ui, rows: &[RiskRow], p: &Palette) {
    let max = rows
        .iter()
        .map(|r| r.per_life.abs())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let body = egui::TextStyle::Body.resolve(ui.style());
    let row_h = body.size + 6.0;
    let width = ui.available_width().max(100.0);
    let label_w = (width * 0.32).min(170.0);
    for r in rows {
        let (rect, resp) = ui.allocate_exact_size(vec2(width, row_h), egui::Sense::hover());
        let painter = ui.painter_at(rect);
        painter.text(
            rect.left_center(),
            egui::Align2::LEFT_CENTER,
            &r.label,
            body.clone(),
            ui.visuals().text_color(),
        );
        let bar_room = (width - label_w) * 0.6;
        let frac = if max > 0.0 && r.per_life.is_finite() {
            (r.per_life.abs() / max) as f32
        } else {
            0.0
        };
        let bar = egui::Rect::from_min_size(
            egui::pos2(rect.left() + label_w, rect.top() + 3.0),
            vec2(bar_room * frac, row_h - 6.0),
        );
        let color = if r.per_life < 0.0 { p.bad } else { p.accent };
        painter.rect_filled(bar, 3.0, color);
        painter.text(
            egui::pos2(bar.right() + 8.0, rect.center().y),
            egui::Align2::LEFT_CENTER,
            crate::format::dollars(r.per_life),
            body.clone(),
            ui.visuals().text_color(),
        );
        resp.on_hover_text(format!("{}: {} providers", r.label, r.providers));
    }
}

/// Payout per attributed life in each quintile of the default social-risk stratifier: the
/// engine's one quintile cut and one payout per life (net cents ÷ lives).
pub fn risk_rows(obs: &Observations, r: &Results) -> Option<(String, Vec<RiskRow>)> {
    let name = RiskQuintiles::default_stratifier(obs)?;
    let p = &obs.providers;
    let values = equity::numeric_values(&p.stratifier(&name)?.values)?;
    let n = values.len().min(r.provider_count()).min(p.ids.len());
    let cut = equity::quintiles(&values[..n], &p.ids[..n]);
    let mut net = [0i64; 5];
    let mut lives = [0.0f64; 5];
    let mut count = [0usize; 5];
    let mut range = [(f64::INFINITY, f64::NEG_INFINITY); 5];
    for (i, q) in cut.iter().enumerate() {
        let Some(q) = q.map(usize::from).filter(|q| *q < 5) else {
            continue;
        };
        net[q] = net[q].saturating_add(r.payment.net.get(i).copied().unwrap_or(0));
        let l = p.lives.get(i).copied().unwrap_or(f64::NAN);
        if l.is_finite() {
            lives[q] += l;
        }
        count[q] += 1;
        range[q] = (range[q].0.min(values[i]), range[q].1.max(values[i]));
    }
    let rows = (0..5)
        .map(|q| RiskRow {
            label: quintile_label(q, range[q].0, range[q].1)
                .split(" (")
                .next()
                .unwrap_or("")
                .to_owned(),
            providers: count[q],
            per_life: equity::payout_per_life(net[q], lives[q]),
        })
        .collect();
    Some((name, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_rows_are_net_over_lives_by_quintile() {
        let program = crate::synth::medicaid_primary_care_program();
        let obs = crate::synth::medicaid_primary_care_data();
        let (_, results) = crate::engine::run(&program, &obs);
        let (name, rows) = risk_rows(&obs, &results).expect("the sample has a risk stratifier");
        let strat = equity::stratify(&obs.providers, &results, &name).unwrap();
        assert_eq!(rows.len(), 5);
        for (row, s) in rows.iter().zip(&strat.strata) {
            assert_eq!(row.providers, s.providers);
            assert_eq!(row.per_life, s.payout_per_life, "{}", row.label);
        }
        assert!(rows[0].label.starts_with("Q1"));
    }
}
