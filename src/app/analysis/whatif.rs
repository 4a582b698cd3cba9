//! What-if sweep: a grid over two parameters, run in the background, drawn as a heat map;
//! clicking a cell adopts its two values into the program (one undo step).

use super::{Job, per_life, percent};
use crate::app::widgets::{money_short, thousands};
use crate::app::{Action, StepCtx};
use crate::engine::{self, Axis, Cancelled, Metric, SweepData, SweepResult, SweepSpec, Unit};
use crate::program::{Parameter, Program};
use egui::{Color32, RichText, Role, Sense, Ui, WidgetInfo};

/// Metrics offered for the heat map, the default first. The median payout among earners is
/// what the room weighs when it sets a pool and a bar: whether the reward a typical practice
/// earns is big enough to act on (a bigger pool raises it, a higher bar concentrates it). The
/// equity ratio (payout per life, highest- ÷ lowest-risk quintile) shows who the design
/// favours without growing with the pool, as a dollar gap does.
pub const METRICS: [Metric; 6] = [
    Metric::MedianPayout,
    Metric::EquityRatio,
    Metric::ProvidersEarning,
    Metric::PoolUsed,
    Metric::Gini,
    Metric::EquityGap,
];

/// Grid size used until the user picks another.
const DEFAULT_STEPS: usize = 12;

#[derive(Default)]
pub struct WhatIfView {
    /// The grid to run (starts as pool × threshold percentile for the program).
    pub spec: Option<SweepSpec>,
    pub metric: Option<Metric>,
    result: Option<SweepResult>,
    job: Option<Job<Result<SweepResult, Cancelled>>>,
    note: Option<String>,
    /// The first visit runs the default grid without asking.
    started_once: bool,
    /// The cell outlined as the current design in the last frame.
    outlined: Option<(usize, usize)>,
}

impl WhatIfView {
    /// Whether a finished sweep is on screen (for tests).
    pub fn has_result(&self) -> bool {
        self.result.is_some()
    }

    /// The grid on screen, once a sweep has finished.
    pub fn result(&self) -> Option<&SweepResult> {
        self.result.as_ref()
    }

    /// The cell outlined as the current design (column, row from the lowest y value).
    pub fn outlined(&self) -> Option<(usize, usize)> {
        self.outlined
    }

    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let spec = self.spec.get_or_insert_with(|| {
            let mut s = SweepSpec::default_for(ctx.program);
            s.x.steps = s.x.steps.min(DEFAULT_STEPS);
            s.y.steps = s.y.steps.min(DEFAULT_STEPS);
            s.nice()
        });
        ui.horizontal_wrapped(|ui| {
            axis_ui(ui, "across", &mut spec.x, ctx.program);
        });
        ui.horizontal_wrapped(|ui| {
            axis_ui(ui, "down", &mut spec.y, ctx.program);
        });
        ui.label(
            RichText::new(format!(
                "{} designs, each scored and paid on the loaded data.",
                spec.cell_count()
            ))
            .weak(),
        );
        ui.add_space(4.0);
        self.run_ui(ui, ctx);
        if let Some(note) = &self.note {
            ui.label(note);
        }
        let Some(result) = &self.result else {
            return;
        };
        ui.add_space(8.0);
        let mut metric = self.metric.unwrap_or(METRICS[0]);
        egui::ComboBox::from_label("Colour the grid by")
            .selected_text(metric.label())
            .show_ui(ui, |ui| {
                for m in METRICS {
                    ui.selectable_value(&mut metric, m, m.label());
                }
            });
        self.metric = Some(metric);
        ui.label(
            RichText::new(
                "Click a cell to adopt its two settings into the program (Ctrl+Z undoes it).",
            )
            .weak(),
        );
        // The outline marks the design as it stands now, so it follows an adopted cell.
        let current = (
            result.spec.x.param.get(ctx.program),
            result.spec.y.param.get(ctx.program),
        );
        self.outlined = outlined_cell(result, current);
        if let Some((cell, label)) = heatmap_ui(ui, result, metric, current) {
            let program = engine::adopt(ctx.program, &result.spec, cell);
            ctx.push(Action::AdoptScenario {
                program: Box::new(program),
                label,
            });
        }
    }

    fn run_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        if let Some(job) = &self.job {
            if let Some(done) = job.poll() {
                self.job = None;
                match done {
                    Some(Ok(r)) => {
                        self.note = None;
                        self.result = Some(r);
                    }
                    Some(Err(Cancelled)) => self.note = Some("The sweep was cancelled.".into()),
                    None => self.note = Some("The sweep stopped unexpectedly.".into()),
                }
            } else {
                if job.progress_ui(ui) {
                    self.job = None;
                    self.note = Some("The sweep was cancelled.".into());
                }
                return;
            }
        }
        if !self.started_once {
            self.started_once = true;
            self.start(ui, ctx);
            return;
        }
        if ui
            .button("Run sweep")
            .on_hover_text("Runs the grid on round steps ($1M, $500K, whole percentiles…)")
            .clicked()
        {
            // Values a room can adopt as they read: round steps over the asked range.
            self.spec = self.spec.as_ref().map(SweepSpec::nice);
            self.start(ui, ctx);
        }
    }

    fn start(&mut self, ui: &Ui, ctx: &mut StepCtx<'_>) {
        let (Some(obs), Some(spec)) = (ctx.session.observations.clone(), self.spec.clone()) else {
            return;
        };
        let inputs = ctx.session.inputs.clone();
        let program = ctx.program.clone();
        let cells = spec.cell_count();
        self.job = Some(Job::start(
            format!("Running {} designs…", thousands(cells as u64)),
            ui.ctx(),
            move |h| {
                let data = match &inputs {
                    Some(i) => SweepData::with_inputs(&obs, i),
                    None => SweepData::from(&*obs),
                };
                engine::sweep(&program, data, &spec, &|p| h.progress(p), &h.cancel)
            },
        ));
    }
}

/// One axis: parameter, range and number of steps, each with a visible label.
fn axis_ui(ui: &mut Ui, name: &str, axis: &mut Axis, program: &Program) {
    let before = axis.param;
    egui::ComboBox::from_label(format!("{name},"))
        .selected_text(axis.param.label())
        .show_ui(ui, |ui| {
            for p in Parameter::ALL {
                ui.selectable_value(&mut axis.param, p, p.label());
            }
        });
    if axis.param != before {
        *axis = Axis::default_for(axis.param, program, DEFAULT_STEPS).nice();
    }
    let speed = ((axis.to - axis.from).abs() / 200.0).max(0.01);
    let l = ui.label("from");
    ui.add(egui::DragValue::new(&mut axis.from).speed(speed))
        .labelled_by(l.id)
        .on_hover_text(format!("{name}: first value"));
    let l = ui.label("to");
    ui.add(egui::DragValue::new(&mut axis.to).speed(speed))
        .labelled_by(l.id)
        .on_hover_text(format!("{name}: last value"));
    let l = ui.label("in");
    ui.add(egui::DragValue::new(&mut axis.steps).range(1..=60))
        .labelled_by(l.id)
        .on_hover_text(format!("{name}: number of values"));
    ui.label("steps");
}

pub fn param_text(p: Parameter, v: f64) -> String {
    match p {
        Parameter::PoolDollars | Parameter::CapDollars => money_short((v * 100.0).round() as i64),
        Parameter::PmpmDollars => crate::format::dollars(v),
        Parameter::ThresholdPercentile | Parameter::BenchmarkPercentile => format!("p{v:.0}"),
        Parameter::WithholdPercent | Parameter::SpendPercent => format!("{v:.2}%"),
        Parameter::ImprovementCredit | Parameter::PeerGroupStandards => {
            if v >= 0.5 { "on" } else { "off" }.into()
        }
        Parameter::MinScore => format!("{v:.1}"),
        Parameter::ImprovementTargetPercent => format!("{v:.0}%"),
        Parameter::GateMeasuresMet => format!("≥{v:.0} met"),
        Parameter::LadderTopDollars => money_short((v * 100.0).round() as i64),
    }
}

pub fn metric_text(m: Metric, v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    match m.unit() {
        Unit::Count => format!("{v:.0}"),
        Unit::Share => percent(v),
        Unit::Index | Unit::Ratio => format!("{v:.2}"),
        Unit::Dollars => money_short((v * 100.0).round() as i64),
        Unit::DollarsPerLife => per_life(v),
    }
}

/// The cell of the design as it stands (`current`: its values of the two parameters), when it
/// falls within the grid.
pub fn outlined_cell(
    r: &SweepResult,
    current: (Option<f64>, Option<f64>),
) -> Option<(usize, usize)> {
    let (Some(cx), Some(cy)) = current else {
        return None;
    };
    let (nx, ny) = (r.nx(), r.ny());
    if nx == 0 || ny == 0 {
        return None;
    }
    let within = |v: f64, values: &[f64]| {
        let (a, b) = (values[0], values[values.len() - 1]);
        v >= a.min(b) && v <= a.max(b)
    };
    (within(cx, &r.x_values) && within(cy, &r.y_values)).then(|| r.nearest_cell(cx, cy))
}

/// Colour from a light to a dark blue; grey for no value.
fn colour(t: f64) -> Color32 {
    if !t.is_finite() {
        return Color32::from_gray(200);
    }
    let t = t.clamp(0.0, 1.0) as f32;
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    Color32::from_rgb(lerp(237.0, 8.0), lerp(248.0, 64.0), lerp(251.0, 129.0))
}

/// Draws the grid (y rows from the top: highest y value first) with axis labels; returns the
/// clicked cell and a description of it.
fn heatmap_ui(
    ui: &mut Ui,
    r: &SweepResult,
    metric: Metric,
    current: (Option<f64>, Option<f64>),
) -> Option<((usize, usize), String)> {
    let (nx, ny) = (r.nx(), r.ny());
    if nx == 0 || ny == 0 {
        return None;
    }
    let (lo, hi) = r.range(metric);
    let (xp, yp) = (r.spec.x.param, r.spec.y.param);
    let left = 90.0;
    let bottom = 40.0;
    let width = (ui.available_width() - left - 10.0).clamp(200.0, 900.0);
    let cell_w = width / nx as f32;
    let cell_h = (cell_w * 0.6).clamp(14.0, 48.0);
    let height = cell_h * ny as f32;
    ui.label(RichText::new(format!("Rows: {}", yp.label())).small());
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(left + width, height + bottom), Sense::hover());
    let painter = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let font = egui::FontId::proportional(12.0);
    let mut clicked = None;
    let show_values = cell_w >= 44.0 && cell_h >= 16.0;
    for iy in 0..ny {
        let row = ny - 1 - iy;
        for ix in 0..nx {
            let v = metric.value(r.cell(ix, iy));
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let min = rect.min + egui::vec2(left + ix as f32 * cell_w, row as f32 * cell_h);
            let cell = egui::Rect::from_min_size(min, egui::vec2(cell_w, cell_h));
            let fill = colour(t);
            painter.rect_filled(cell.shrink(0.5), 0.0, fill);
            let label = format!(
                "{} {}, {} {}",
                xp.label(),
                param_text(xp, r.x_values[ix]),
                yp.label(),
                param_text(yp, r.y_values[iy])
            );
            let id = ui.scope_id().with(("sweep_cell", ix, iy));
            let resp = ui.interact(cell, id, Sense::click());
            let value = metric_text(metric, v);
            let a11y = format!("Cell {label}: {value}");
            resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, &a11y));
            if show_values {
                let dark = t > 0.55;
                painter.text(
                    cell.center(),
                    egui::Align2::CENTER_CENTER,
                    &value,
                    egui::FontId::proportional(11.0),
                    if dark { Color32::WHITE } else { Color32::BLACK },
                );
            }
            if resp.hovered() {
                painter.rect_stroke(
                    cell,
                    0.0,
                    egui::Stroke::new(2.0, Color32::from_rgb(230, 120, 0)),
                    egui::StrokeKind::Inside,
                );
            }
            let resp = resp.on_hover_text(format!(
                "{label}\n{}: {value}\nClick to adopt",
                metric.label()
            ));
            if resp.clicked() {
                let words = crate::report::wording::settings(&[
                    (xp, r.spec.x.value(ix)),
                    (yp, r.spec.y.value(iy)),
                ]);
                clicked = Some(((ix, iy), words));
            }
        }
    }
    // The program's own design, when it falls in the grid.
    if let Some((ix, iy)) = outlined_cell(r, current) {
        let min = rect.min + egui::vec2(left + ix as f32 * cell_w, (ny - 1 - iy) as f32 * cell_h);
        let cell = egui::Rect::from_min_size(min, egui::vec2(cell_w, cell_h));
        painter.rect_stroke(
            cell,
            0.0,
            egui::Stroke::new(2.5, Color32::from_rgb(200, 30, 30)),
            egui::StrokeKind::Inside,
        );
    }
    // Axis labels: a few ticks on each axis.
    let ticks = |n: usize| -> Vec<usize> {
        let k = n.clamp(1, 6);
        let mut v: Vec<usize> = (0..k)
            .map(|i| if k == 1 { 0 } else { i * (n - 1) / (k - 1) })
            .collect();
        v.dedup();
        v
    };
    for ix in ticks(nx) {
        let x = rect.min.x + left + (ix as f32 + 0.5) * cell_w;
        painter.text(
            egui::pos2(x, rect.min.y + height + 4.0),
            egui::Align2::CENTER_TOP,
            param_text(xp, r.x_values[ix]),
            font.clone(),
            text,
        );
    }
    painter.text(
        egui::pos2(rect.min.x + left + width / 2.0, rect.min.y + height + 22.0),
        egui::Align2::CENTER_TOP,
        xp.label(),
        font.clone(),
        text,
    );
    for iy in ticks(ny) {
        let y = rect.min.y + ((ny - 1 - iy) as f32 + 0.5) * cell_h;
        painter.text(
            egui::pos2(rect.min.x + left - 6.0, y),
            egui::Align2::RIGHT_CENTER,
            param_text(yp, r.y_values[iy]),
            font.clone(),
            text,
        );
    }
    ui.horizontal(|ui| {
        ui.label(format!(
            "{}: low {}",
            metric.label(),
            metric_text(metric, lo)
        ));
        let (r2, _) = ui.allocate_exact_size(egui::vec2(160.0, 14.0), Sense::hover());
        for k in 0..32 {
            let t = k as f64 / 31.0;
            let x0 = r2.min.x + r2.width() * k as f32 / 32.0;
            ui.painter().rect_filled(
                egui::Rect::from_min_size(
                    egui::pos2(x0, r2.min.y),
                    egui::vec2(r2.width() / 32.0 + 0.5, r2.height()),
                ),
                0.0,
                colour(t),
            );
        }
        ui.label(format!("high {}", metric_text(metric, hi)));
        ui.label(RichText::new("Red outline: the current design").weak());
    });
    clicked
}
