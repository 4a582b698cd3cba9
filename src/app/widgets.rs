//! Small shared widgets and formatting: money, numbers, glossary tooltips, stat cards.

use super::theme::{Palette, big_number};
use egui::{RichText, Ui};

/// Plain-language explanations of the terms people meet in the window, shown as tooltips.
pub mod glossary {
    pub const THRESHOLD: &str = "Achievement threshold: the performance level where a provider \
        starts to earn achievement points. Often a percentile of all providers' baseline rates \
        (the 50th percentile means: better than half of providers were).";
    pub const BENCHMARK: &str = "Benchmark: the level that earns full points, often the mean of \
        the best 10% of providers. Reaching it counts as \"hitting the benchmark\".";
    pub const ACHIEVEMENT: &str = "Achievement points: where a provider's performance stands \
        between the threshold (first point) and the benchmark (full points).";
    pub const IMPROVEMENT: &str = "Improvement points: credit for closing part of the gap between \
        a provider's own baseline and the benchmark, so providers that start low but improve \
        still earn. The measure score is usually the better of achievement and improvement.";
    pub const WITHHOLD: &str = "Withhold: a share of every provider's base payments kept back \
        and paid back according to performance. High performers get back more than was \
        withheld, low performers less.";
    pub const EXCHANGE_FUNCTION: &str = "Exchange function: the rule that turns a total \
        performance score into a payment. A budget-neutral linear exchange function pays each \
        provider in proportion to base payments × score, scaled so the total paid equals the \
        total withheld. A logistic exchange function (SNF VBP) pays base payments × k / (1 + \
        e^(−slope × (score − midpoint))): k is either solved so that a set share of the \
        withhold is paid back, or stated as published (CMS solves SNF VBP's k from every \
        facility's Medicare payments; stating it gives CMS's multipliers without them).";
    pub const POOL: &str = "Pool: the money available for incentive payments in a year (in a phased program, each phase pays its share of it).";
    pub const EXCESS_OVER_THRESHOLD: &str = "Excess over the threshold: a penalty measure's \
        points are how far the result is worse than its threshold (0 at or better). With the \
        peer group's median as the threshold this is HRRP's excess readmission ratio − median.";
    pub const WEIGHTED_SUM: &str = "Weighted sum total: the total score is Σ weight × measure \
        score, where each provider may carry its own weight per measure from the data (HRRP \
        weights each cohort by the hospital's share of DRG payments for it).";
    pub const STANDARDISED_Z: &str = "Winsorised z-score: each result is clamped to the 5th–95th \
        percentile range (winsorised), then standardised, z = (x − mean) / sd over all providers, \
        so measures on different scales can be averaged. Higher is better here; HACRP publishes \
        the negative (higher is worse). A provider the data flag as not submitting a measure \
        (or failing its validation) gets the worst score, that of the winsorised lowest value, \
        and its result sets no standard.";
    pub const PERCENTILE_CUT: &str = "Percentile cut on the total: the cut is computed from the \
        data each run; providers whose total is worse than it (e.g. the worst quartile) lose a \
        set share of base payments (HACRP: 1%).";
    pub const MEAN_OF_SCORES: &str = "Mean of the measure scores: the total is the mean of the \
        scores a provider has (HACRP: of its standardised scores), not scaled to 0–100.";
    pub const PAYMENT_REDUCTION: &str = "Payment reduction (penalty): each provider loses \
        min(most lost, round(scale × total score)) of its base payments; its payment factor is \
        1 − reduction. HRRP: scale = the neutrality modifier, four decimals, at most 3%.";
    pub const PERCENTILE: &str = "Percentile of the baseline: the 60th percentile is the rate \
        that 60% of providers were at or below in the baseline period (ranked worst to best).";
    pub const ELIGIBILITY: &str = "Who may earn. The recommended rule pays a provider that \
        improves on, or hits the benchmark for, at least one measure.";
    pub const IMPROVEMENT_TARGET: &str = "Improvement target: a provider's own target on a \
        measure, baseline + the larger of a share of the gap to the benchmark (10% in the \
        Minnesota method) and a minimum step (e.g. 2 points: 0.02 on a 0–1 rate). With a target \
        set, a measure counts as improved, and as met, only when the result reaches the target \
        or the benchmark; without one, any improvement counts.";
    pub const GATE: &str = "Gate: conditions a provider must meet before it is paid anything, \
        such as reporting every listed measure with at least its minimum denominator, or \
        meeting a minimum number of measures. A provider failing the gate is not eligible.";
    pub const LADDER: &str = "Ladder: pays more for each rung reached. A rung is a number of \
        measures met (at or beyond the benchmark or the provider's improvement target) and an \
        amount; the highest rung reached pays, within the cap. If the pool cannot pay every \
        amount, all are scaled down alike. A gate plus a ladder is \"gate and ladder\".";
    pub const PER_LIFE: &str = "Payout per attributed life: total earned by the group divided \
        by the members attributed to its providers. Lower values for groups serving complex or \
        poorer patients are the \"reverse Robin Hood\" effect.";
}

// Money and counts are written by the one formatter every view shares.
pub use crate::format::{dollars, group_thousands as thousands, money, money_exact, money_short};

/// A number for display, "—" when missing.
pub fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "—".into()
    }
}

/// A rate shown as a percentage when it looks like a proportion, else as a number.
pub fn rate(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if (0.0..=1.0).contains(&x) {
        format!("{:.1}%", x * 100.0)
    } else {
        format!("{x:.3}")
    }
}

/// A small "?" that explains a term when hovered.
pub fn help(ui: &mut Ui, text: &str) -> egui::Response {
    let p = Palette::of(ui);
    ui.add(
        egui::Label::new(RichText::new("(?)").small().color(p.accent)).sense(egui::Sense::hover()),
    )
    .on_hover_text(text)
}

/// A headline number with its caption underneath.
pub fn stat(ui: &mut Ui, caption: &str, value: &str, color: Option<egui::Color32>, tip: &str) {
    stat_sized(ui, 140.0, caption, value, color, tip);
}

/// A headline card exactly `width` points wide, its caption wrapped inside it. Placed as one
/// block, so in a `horizontal_wrapped` row a card that does not fit moves to the next line
/// whole instead of squeezing its text.
pub fn stat_sized(
    ui: &mut Ui,
    width: f32,
    caption: &str,
    value: &str,
    color: Option<egui::Color32>,
    tip: &str,
) {
    let p = Palette::of(ui);
    let margin = egui::Margin::symmetric(10, 6);
    let mut text = RichText::new(value).text_style(big_number()).strong();
    if let Some(c) = color {
        text = text.color(c);
    }
    let text = egui::WidgetText::from(text);
    // The number is never cut: a card too narrow for it grows (and wraps to the next line).
    let value_width = text
        .clone()
        .into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            big_number(),
        )
        .size()
        .x;
    let width = width.max(value_width + margin.sum().x + 2.0);
    let inner = (width - margin.sum().x).max(40.0);
    let height = ui.text_style_height(&big_number())
        + 2.0 * ui.text_style_height(&egui::TextStyle::Small)
        + margin.sum().y;
    ui.allocate_ui_with_layout(
        egui::vec2(width, height),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            egui::Frame::new()
                .fill(p.card)
                .corner_radius(6.0)
                .inner_margin(margin)
                .show(ui, |ui| {
                    ui.set_width(inner);
                    ui.add(egui::Label::new(text).extend());
                    ui.add(egui::Label::new(RichText::new(caption).small().color(p.muted)).wrap());
                })
                .response
                .on_hover_text(tip);
        },
    );
}

/// Width of each card when `count` cards share a row `available` points wide: as many per row
/// as fit at `min` points or more, filling the row.
pub fn card_width(available: f32, gap: f32, min: f32, count: usize) -> f32 {
    let fit = (((available + gap) / (min + gap)).floor() as usize).clamp(1, count.max(1));
    // A point to spare so rounding never pushes the last card of a row onto the next.
    ((available - gap * (fit as f32 - 1.0)) / fit as f32 - 1.0).max(min.min(available))
}

/// A section title inside a panel.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(title).strong().size(16.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_signed() {
        assert_eq!(money(123_456_789), "$1,234,568");
        assert_eq!(money_exact(-123_456_789), "−$1,234,567.89");
        assert_eq!(money_exact(5), "$0.05");
        assert_eq!(money_short(400_000_000), "$4.00M");
        assert_eq!(money_short(85_000_000), "$850K");
        assert_eq!(money_short(1_250_000), "$12.5K");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn cards_fill_the_row_and_never_fall_below_their_minimum() {
        // 304 points: two cards of 147 (and a point to spare).
        assert_eq!(card_width(304.0, 8.0, 130.0, 6), 147.0);
        // 600 points: four of 130 fit.
        assert_eq!(card_width(600.0, 8.0, 130.0, 6), (600.0 - 24.0) / 4.0 - 1.0);
        // Never more per row than there are cards.
        assert_eq!(
            card_width(2000.0, 8.0, 130.0, 2),
            (2000.0 - 8.0) / 2.0 - 1.0
        );
        // Narrower than one card: the card takes the width there is.
        assert_eq!(card_width(100.0, 8.0, 130.0, 6), 100.0);
    }
}
