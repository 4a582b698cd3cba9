//! Small widgets the step screens share: labelled inputs, money and percentages, status chips,
//! explanations of terms, and a painted heat map with readable row and column labels.
//!
//! Every input here carries an accessible name, so screen readers and the UI tests can reach it.

use super::StepStatus;
use crate::program::Capability;
use egui::{Color32, Response, RichText, Sense, Ui, vec2};

/// Colours that read on both light and dark themes and on a projector.
pub const GREEN: Color32 = Color32::from_rgb(56, 142, 60);
pub const AMBER: Color32 = Color32::from_rgb(240, 160, 0);
pub const RED: Color32 = Color32::from_rgb(211, 47, 47);
pub const GREY: Color32 = Color32::from_rgb(140, 140, 140);
pub const BLUE: Color32 = Color32::from_rgb(30, 136, 229);

/// Explanations of the terms designers meet, shown as tooltips.
pub mod terms {
    pub const THRESHOLD: &str = "Achievement threshold: the performance level at which a provider starts to earn achievement points. Often a percentile of the baseline (e.g. the 50th).";
    pub const BENCHMARK: &str = "Benchmark: the level that earns full achievement points: the goal. Often the mean of the top decile of the baseline.";
    pub const FLOOR: &str = "Floor: the worst level observed; consistency points measure where a provider's weakest measure sits between floor and threshold.";
    pub const IMPROVEMENT: &str = "Improvement points reward closing the gap between a provider's own baseline and the benchmark, so providers that start low can still earn.";
    pub const WITHHOLD: &str = "Withhold: a share of each provider's base payments held back and paid back according to performance. The pool is what is withheld.";
    pub const EXCHANGE: &str = "Exchange function: turns a total performance score into a payment multiplier. Linear scales incentives so they total the withhold (as CMS does in Hospital VBP); logistic pays a set share of it back (as in SNF VBP).";
    pub const PMPM: &str = "Per member per month: the pool is a fixed amount for every attributed member in every month of the period.";
    pub const VITAL_FEW: &str = "The vital few: the 3–7 highest-value measures for a service area. Fewer measures make a clearer signal and less reporting burden.";
    pub const CROSSWALK: &str = "Crosswalk: which service area answers for which measure. Primary owns the result, Shared splits it with another area, Contributing helps but is not held to it.";
    pub const PEER_GROUP: &str = "Peer groups: compute thresholds and benchmarks separately within groups of similar providers (e.g. by share of dual-eligible patients), as the readmissions program does, so providers serving complex patients are compared with each other. The groups come from the data's peer-group column, or are cut from a stratifier: quintiles Q1–Q5 of a number such as dual-eligible share (ties by provider id), the categories of a text.";
    pub const MIN_DENOMINATOR: &str = "Minimum denominator: providers with fewer eligible patients than this are not scored on the measure, because small samples make rates unreliable.";
    pub const IMPROVE_OR_BENCHMARK: &str = "The seven-step method recommends that a provider earns its bonus if it either shows improvement or hits the benchmark.";
    pub const TWO_SIDED: &str = "Two-sided: providers can owe money (penalties) as well as earn. Upside-only: no payout is negative.";
    pub const CAPABILITY: &str = "Capability: Ready = in place today; Partial = exists but incomplete (some providers, some fields); Missing = must be built.";
    pub const COMPLETENESS: &str =
        "Completeness: the share of provider × measure cells with a reported result in the period.";
}

/// A chip showing a step's status: green "Done" or amber with the reason.
pub fn status_chip(ui: &mut Ui, status: &StepStatus) -> Response {
    match status {
        StepStatus::Done => ui.label(RichText::new("✔ Done").color(GREEN).strong()),
        StepStatus::NeedsAttention(why) => ui
            .label(RichText::new(format!("⚠ {why}")).color(AMBER).strong())
            .on_hover_text("Needs attention before this step is done"),
    }
}

/// A warning line (amber, with a sign).
pub fn warning(ui: &mut Ui, text: impl Into<String>) -> Response {
    ui.label(RichText::new(format!("⚠ {}", text.into())).color(AMBER))
}

/// An error line (red).
pub fn error(ui: &mut Ui, text: impl Into<String>) -> Response {
    ui.label(RichText::new(format!("✖ {}", text.into())).color(RED))
}

/// A good-news line (green).
pub fn ok(ui: &mut Ui, text: impl Into<String>) -> Response {
    ui.label(RichText::new(format!("✔ {}", text.into())).color(GREEN))
}

/// A small "?" that explains a term on hover.
pub fn help(ui: &mut Ui, text: &str) -> Response {
    ui.label(RichText::new("ℹ").weak()).on_hover_text(text)
}

/// A section heading with an optional explanation.
pub fn section(ui: &mut Ui, title: &str, explanation: Option<&str>) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(title).strong().size(18.0));
        if let Some(e) = explanation {
            help(ui, e);
        }
    });
    ui.separator();
}

/// A label followed by a one-line text field tied to it.
pub fn text_field(ui: &mut Ui, label: &str, value: &mut String, hint: &str) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).hint_text(hint.to_owned()))
            .labelled_by(l.id)
    })
    .inner
}

/// A one-line text field without a visible label (in a table cell), named for screen readers.
pub fn cell_text(ui: &mut Ui, name: &str, value: &mut String, width: f32) -> Response {
    sized_text(ui, name, egui::TextEdit::singleline(value), width)
}

/// A text field exactly `width` wide. In a `Grid` a field's desired width is capped by the
/// column's width from the last frame, so without a fixed size it never grows.
pub fn sized_text(ui: &mut Ui, name: &str, edit: egui::TextEdit<'_>, width: f32) -> Response {
    ui.add_sized(vec2(width, ui.spacing().interact_size.y), edit)
        .accessible_name(name)
}

/// A label cut to `width` (with "…"); add the whole text as a tooltip where it matters.
pub fn fixed_label(ui: &mut Ui, text: &str, width: f32) -> Response {
    let h = ui.spacing().interact_size.y;
    ui.allocate_ui_with_layout(
        vec2(width, h),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_width(width);
            ui.add(egui::Label::new(text).truncate())
        },
    )
    .inner
}

/// A drop-down choosing one of `options`, named `name`.
pub fn combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    id_salt: impl egui::AsIdSalt,
    name: &str,
    value: &mut T,
    options: &[T],
    label: impl Fn(T) -> String,
) -> Response {
    let mut changed = false;
    let mut r = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(label(*value))
        .show_ui(ui, |ui| {
            for o in options {
                let l = label(*o);
                if ui.selectable_label(*value == *o, l).clicked() && *value != *o {
                    *value = *o;
                    changed = true;
                }
            }
        })
        .response
        .accessible_name(name);
    if changed {
        r.mark_changed();
    }
    r
}

/// A dollar amount stored in cents, edited by dragging or typing.
pub fn money(ui: &mut Ui, name: &str, cents: &mut i64, max_dollars: f64) -> Response {
    let mut dollars = *cents as f64 / 100.0;
    // Dragging moves about half a percent of the amount per pixel, whatever its size.
    let speed = (dollars.abs() * 0.005).max(10.0);
    let r = ui
        .add(
            egui::DragValue::new(&mut dollars)
                .range(0.0..=max_dollars)
                .speed(speed)
                .prefix("$")
                .custom_formatter(|v, _| group_thousands(v, 0))
                .custom_parser(parse_money),
        )
        .accessible_name(name);
    if r.changed() {
        *cents = (dollars * 100.0).round() as i64;
    }
    r
}

/// A share stored as 0–1, shown and edited as a percentage.
pub fn share_percent(ui: &mut Ui, name: &str, share: &mut f64) -> Response {
    let mut pct = *share * 100.0;
    let r = ui
        .add(
            egui::DragValue::new(&mut pct)
                .range(0.0..=100.0)
                .speed(0.5)
                .max_decimals(1)
                .suffix("%"),
        )
        .accessible_name(name);
    if r.changed() {
        *share = pct / 100.0;
    }
    r
}

/// A number with a name, for table cells.
pub fn number(
    ui: &mut Ui,
    name: &str,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    speed: f64,
) -> Response {
    ui.add(egui::DragValue::new(value).range(range).speed(speed))
        .accessible_name(name)
}

/// Parses "$1,234.50", "1.2M", "250k" into dollars.
pub(crate) fn parse_money(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | ' ' | '_'))
        .collect();
    let (num, mult) = match t.chars().last()?.to_ascii_lowercase() {
        'k' => (&t[..t.len() - 1], 1e3),
        'm' => (&t[..t.len() - 1], 1e6),
        'b' => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    num.parse::<f64>().ok().map(|v| v * mult)
}

// Money and grouped numbers are written by the one formatter every view shares.
pub use crate::format::{
    grouped_number as group_thousands, money_exact as fmt_money, money_short as fmt_money_short,
};

/// A rate or value for display: NaN as "—", otherwise enough digits for rates and counts.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v.abs() >= 1000.0 {
        group_thousands(v, 0)
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A count ("1,234"; NaN as "—").
pub fn fmt_count(v: f64) -> String {
    group_thousands(v, 0)
}

/// Points: whole numbers without decimals ("9"), others with two ("7.25"); NaN as "—".
pub fn fmt_points(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A 0–1 share as "87%" (NaN as "—").
pub fn fmt_percent(share: f64) -> String {
    crate::format::percent(share, 0)
}

pub fn capability_color(c: Capability) -> Color32 {
    match c {
        Capability::Ready => GREEN,
        Capability::Partial => AMBER,
        Capability::Missing => RED,
    }
}

/// Red → amber → green for 0 → 0.5 → 1.
pub fn ramp(t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: Color32, b: Color32, u: f32| {
        let l = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * u).round() as u8;
        Color32::from_rgb(l(a.r(), b.r()), l(a.g(), b.g()), l(a.b(), b.b()))
    };
    if t < 0.5 {
        lerp(RED, AMBER, t * 2.0)
    } else {
        lerp(AMBER, GREEN, (t - 0.5) * 2.0)
    }
}

/// One cell of a [`heat_grid`].
pub struct HeatCell {
    pub color: Color32,
    /// Short text drawn in the cell (may be empty).
    pub text: String,
    /// Shown on hover.
    pub tooltip: String,
}

/// A painted grid with row labels on the left and column labels on top; `cell(r, c)` gives
/// each cell (None leaves it blank). Cells are at least `cell_size` and stretch to the width.
pub fn heat_grid(
    ui: &mut Ui,
    rows: &[String],
    cols: &[String],
    cell_size: egui::Vec2,
    cell: impl Fn(usize, usize) -> Option<HeatCell>,
) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    let text_color = ui.visuals().text_color();
    let label_w = rows
        .iter()
        .map(|r| {
            ui.painter()
                .layout_no_wrap(r.clone(), font.clone(), text_color)
                .size()
                .x
        })
        .fold(60.0_f32, f32::max)
        + 8.0;
    let header_h = 22.0;
    let avail = (ui.available_width() - label_w).max(cell_size.x * cols.len() as f32);
    let cw = (avail / cols.len().max(1) as f32).clamp(cell_size.x, cell_size.x * 1.6);
    let ch = cell_size.y;
    let size = vec2(
        label_w + cw * cols.len() as f32,
        header_h + ch * rows.len() as f32,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    for (c, name) in cols.iter().enumerate() {
        let x = rect.left() + label_w + cw * (c as f32 + 0.5);
        let g = painter.layout(name.clone(), small.clone(), text_color, cw - 2.0);
        painter.galley(
            egui::pos2(
                x - g.size().x / 2.0,
                rect.top() + header_h - g.size().y - 2.0,
            ),
            g,
            text_color,
        );
    }
    let mut hovered = None;
    for (r, name) in rows.iter().enumerate() {
        let y = rect.top() + header_h + ch * r as f32;
        painter.text(
            egui::pos2(rect.left() + label_w - 6.0, y + ch / 2.0),
            egui::Align2::RIGHT_CENTER,
            name,
            font.clone(),
            text_color,
        );
        for c in 0..cols.len() {
            let cr = egui::Rect::from_min_size(
                egui::pos2(rect.left() + label_w + cw * c as f32, y),
                vec2(cw, ch),
            )
            .shrink(1.0);
            let Some(hc) = cell(r, c) else {
                painter.rect_stroke(
                    cr,
                    2.0,
                    egui::Stroke::new(1.0, ui.visuals().faint_bg_color),
                    egui::StrokeKind::Inside,
                );
                continue;
            };
            painter.rect_filled(cr, 2.0, hc.color);
            if !hc.text.is_empty() {
                painter.text(
                    cr.center(),
                    egui::Align2::CENTER_CENTER,
                    &hc.text,
                    small.clone(),
                    Color32::BLACK,
                );
            }
            if response
                .hover_pos()
                .is_some_and(|p| cr.expand(1.0).contains(p))
            {
                hovered = Some(hc.tooltip);
            }
        }
    }
    if let Some(t) = hovered {
        response.on_hover_text(t);
    }
}

/// A list of short texts edited in place (priorities, entry criteria): one field per item with
/// a remove button, and an add button. `noun` names the items ("priority", "criterion").
pub fn string_list(ui: &mut Ui, noun: &str, items: &mut Vec<String>) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (i, item) in items.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            changed |= cell_text(ui, &format!("{noun} {}", i + 1), item, 520.0).changed();
            if ui
                .small_button("✖")
                .on_hover_text(format!("Remove this {noun}"))
                .accessible_name(format!("Remove {noun} {}", i + 1))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        items.remove(i);
        changed = true;
    }
    if ui.button(format!("➕ Add {noun}")).clicked() {
        items.push(String::new());
        changed = true;
    }
    changed
}

/// A headline figure: a big number with a caption under it.
pub fn figure(ui: &mut Ui, caption: &str, value: &str, tooltip: &str) -> Response {
    // Measured and placed as one block, so in a `horizontal_wrapped` row a figure that does
    // not fit moves to the next line whole instead of wrapping its text a letter a line.
    let value = egui::WidgetText::from(RichText::new(value).size(22.0).strong());
    let caption = egui::WidgetText::from(RichText::new(caption).weak());
    let galley = |ui: &Ui, t: &egui::WidgetText| {
        t.clone().into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Body,
        )
    };
    let (v, c) = (galley(ui, &value), galley(ui, &caption));
    let size = vec2(
        v.size().x.max(c.size().x),
        v.size().y + c.size().y + ui.spacing().item_spacing.y,
    );
    ui.allocate_ui_with_layout(size, egui::Layout::top_down(egui::Align::Min), |ui| {
        ui.add(egui::Label::new(value).extend());
        ui.add(egui::Label::new(caption).extend());
    })
    .response
    .on_hover_text(tooltip)
}

/// Reads a screen's transient state (search text, selection…) from egui's memory.
pub fn load_state<T: Clone + Default + Send + Sync + 'static>(ui: &Ui, key: &str) -> T {
    ui.data(|d| d.get_temp(egui::Id::unique(("p4p-steps", key))))
        .unwrap_or_default()
}

/// Stores a screen's transient state in egui's memory.
pub fn store_state<T: Clone + Send + Sync + 'static>(ui: &Ui, key: &str, state: T) {
    ui.data_mut(|d| d.insert_temp(egui::Id::unique(("p4p-steps", key)), state));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_and_parses() {
        assert_eq!(fmt_money(123_456_789), "$1,234,567.89");
        assert_eq!(fmt_money(-1200), "−$12.00");
        assert_eq!(fmt_money(5), "$0.05");
        assert_eq!(fmt_money_short(420_000_000), "$4.20M");
        assert_eq!(fmt_money_short(35_000_000), "$350K");
        assert_eq!(parse_money("$1,250,000"), Some(1_250_000.0));
        assert_eq!(parse_money("2.5M"), Some(2_500_000.0));
        assert_eq!(parse_money("250k"), Some(250_000.0));
        assert_eq!(parse_money("abc"), None);
        assert_eq!(group_thousands(999.0, 0), "999");
        assert_eq!(group_thousands(1000.0, 0), "1,000");
        assert_eq!(group_thousands(-1234.5, 1), "-1,234.5");
    }

    #[test]
    fn ramp_runs_red_to_green() {
        assert_eq!(ramp(0.0), RED);
        assert_eq!(ramp(0.5), AMBER);
        assert_eq!(ramp(1.0), GREEN);
    }
}
