//! The decision log: what the room decided, captured with Ctrl+D (the design, its headline
//! figures, the time, and a note the facilitator types), stepped through one decision at a
//! time, restored (one undo step), and saved as a one-page HTML record.

use crate::app::session::Session;
use crate::app::{Action, StepCtx};
use crate::data::program_files::data_files;
use crate::data::{ensure_not_input, write_atomic};
use crate::engine::{self, SweepData};
use crate::program::{Decision, Program};
use crate::report::{decisions as record, wording};
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};

#[derive(Default)]
pub struct DecisionsView {
    /// The decision shown (index into `Program::decisions`).
    pub selected: Option<usize>,
    /// Put the keyboard in the shown decision's note on the next frame (after Ctrl+D).
    pub focus_note: bool,
    /// Where "Save record" writes; empty until first shown.
    pub export_path: String,
    export_note: Option<(String, bool)>,
}

/// The current design as a decision: its headline figures computed now on the loaded data,
/// stamped with the time. `None` without data.
pub fn capture(program: &Program, session: &Session, note: String) -> Option<Decision> {
    let obs = session.observations.as_ref()?;
    let data = match &session.inputs {
        Some(i) if session.is_current(program) => SweepData::with_inputs(obs, i),
        _ => SweepData::from(&**obs),
    };
    let figures = engine::headline(program, data);
    Some(Decision::capture(program, figures, utc_now(), note))
}

/// "2026-11-29 22:15 UTC" for now.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    utc_text(secs)
}

/// Seconds since 1970 as "YYYY-MM-DD HH:MM UTC" (the civil calendar, proleptic Gregorian).
pub fn utc_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days to year, month, day (H. Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

/// Writes the record as HTML to `path`, refusing the program's own file and its data files.
pub fn save_record(program: &Program, session: &Session, path: &Path) -> Result<(), String> {
    let mut inputs_read: Vec<PathBuf> = session.program_path.iter().cloned().collect();
    inputs_read.extend(data_files(program, &session.base_dir));
    ensure_not_input(path, &inputs_read)?;
    write_atomic(path, record::decisions_html(program).as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl DecisionsView {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        let n = ctx.program.decisions.len();
        ui.horizontal_wrapped(|ui| {
            let can = ctx.session.observations.is_some();
            if ui
                .add_enabled(can, egui::Button::new("Capture decision (Ctrl+D)"))
                .on_hover_text("Record the design as it stands, its payouts and the time")
                .on_disabled_hover_text("Load the program's data first")
                .clicked()
                && let Some(d) = capture(ctx.program, ctx.session, String::new())
            {
                ctx.program.decisions.push(d);
                self.selected = Some(ctx.program.decisions.len() - 1);
                self.focus_note = true;
            }
        });
        if n == 0 && ctx.program.decisions.is_empty() {
            ui.label(
                "No decisions yet. When the room settles something (\"pool $3M, threshold p60, \
                 peer groups on\"), press Ctrl+D: the settings, the payouts they produce and the \
                 time are recorded, and you type what was decided.",
            );
            return;
        }
        let n = ctx.program.decisions.len();
        let k = self.selected.unwrap_or(n - 1).min(n - 1);
        self.selected = Some(k);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(k > 0, egui::Button::new("◀ Previous"))
                .clicked()
            {
                self.selected = Some(k - 1);
            }
            ui.label(RichText::new(format!("Decision {} of {n}", k + 1)).strong());
            if ui
                .add_enabled(k + 1 < n, egui::Button::new("Next ▶"))
                .clicked()
            {
                self.selected = Some(k + 1);
            }
        });
        let k = self.selected.unwrap_or(k);
        self.decision_ui(ui, ctx, k);
        ui.add_space(10.0);
        ui.separator();
        self.list_ui(ui, ctx);
        ui.add_space(10.0);
        self.export_ui(ui, ctx);
    }

    fn decision_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>, k: usize) {
        let entries = record::record(ctx.program);
        let Some(e) = entries.get(k) else {
            return;
        };
        ui.label(RichText::new(format!("Captured {}", e.at)).weak());
        ui.horizontal(|ui| {
            let l = ui.label("Note");
            let note = &mut ctx.program.decisions[k].note;
            let r = ui
                .add(
                    egui::TextEdit::singleline(note)
                        .hint_text("What was decided, e.g. pool $3M, threshold p60, peer groups on")
                        .desired_width(ui.available_width().min(560.0)),
                )
                .labelled_by(l.id);
            if self.focus_note {
                r.request_focus();
                self.focus_note = false;
            }
        });
        let lead = if k == 0 {
            "Settings".to_owned()
        } else {
            format!("Changed from decision {k}")
        };
        ui.label(RichText::new(lead).strong());
        ui.indent("decision_settings", |ui| {
            if e.settings.is_empty() && !e.other_changes {
                ui.label(RichText::new("Nothing").weak());
            }
            for s in &e.settings {
                ui.label(s);
            }
            if e.other_changes {
                ui.label("Other design details (rules no named setting covers)");
            }
        });
        ui.add_space(4.0);
        egui::Grid::new("decision_figures")
            .striped(true)
            .num_columns(3)
            .spacing([20.0, 4.0])
            .show(ui, |ui| {
                ui.label("");
                ui.label(RichText::new("Then").strong());
                ui.label(RichText::new(if k == 0 { "" } else { "Change" }).strong());
                ui.end_row();
                for (name, value, change) in &e.figures {
                    ui.label(name);
                    ui.label(value);
                    ui.label(change);
                    ui.end_row();
                }
            });
        ui.add_space(6.0);
        let d = ctx.program.decisions[k].clone();
        let current = d.matches(ctx.program);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!current, egui::Button::new("Restore this decision"))
                .on_hover_text(
                    "Set the program's standards, scoring and payment back to this decision \
                     (Ctrl+Z undoes it)",
                )
                .on_disabled_hover_text("The program has this decision's design now")
                .clicked()
            {
                let program = Box::new(d.restore(ctx.program));
                let changed = d.changes_from(None).0;
                let label = format!(
                    "decision {} of {} ({})",
                    k + 1,
                    d.at,
                    wording::settings(&changed)
                );
                ctx.push(Action::AdoptScenario { program, label });
            }
            if current {
                ui.label(RichText::new("✔ the current design").weak());
            }
            if ui
                .small_button("Delete")
                .on_hover_text(format!("Delete decision {}", k + 1))
                .clicked()
            {
                ctx.program.decisions.remove(k);
                self.selected = k.checked_sub(1).or(Some(0));
            }
        });
    }

    fn list_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        ui.label(RichText::new("All decisions").strong());
        egui::Grid::new("decision_list")
            .striped(true)
            .num_columns(6)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                for h in [
                    "#",
                    "When",
                    "Note",
                    "Pool",
                    "Providers paid",
                    "Median payout",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (k, d) in ctx.program.decisions.iter().enumerate() {
                    let on = self.selected == Some(k);
                    if ui
                        .selectable_label(on, format!("{}", k + 1))
                        .on_hover_text(format!("Show decision {}", k + 1))
                        .clicked()
                    {
                        self.selected = Some(k);
                    }
                    ui.label(&d.at);
                    ui.label(if d.note.is_empty() { "—" } else { &d.note });
                    ui.label(crate::format::money_short(d.figures.pool_cents));
                    ui.label(format!(
                        "{} of {}",
                        d.figures.providers_paid, d.figures.providers_scored
                    ));
                    ui.label(crate::format::money(d.figures.median_payout_cents));
                    ui.end_row();
                }
            });
    }

    fn export_ui(&mut self, ui: &mut Ui, ctx: &mut StepCtx<'_>) {
        if self.export_path.is_empty() {
            let dir = ctx
                .session
                .program_path
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| ctx.session.base_dir.clone());
            let stem = ctx
                .session
                .program_path
                .as_ref()
                .and_then(|p| p.file_stem())
                .map_or_else(
                    || "program".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
            self.export_path = dir
                .join(format!("{stem}-decisions.html"))
                .display()
                .to_string();
        }
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Save the record (HTML) to");
            ui.add(egui::TextEdit::singleline(&mut self.export_path).desired_width(360.0))
                .labelled_by(l.id);
            if ui.button("Save record").clicked() {
                let path = PathBuf::from(self.export_path.trim());
                self.export_note = Some(match save_record(ctx.program, ctx.session, &path) {
                    Ok(()) => (
                        format!("Saved the decision record to {}", path.display()),
                        false,
                    ),
                    Err(e) => (e, true),
                });
            }
        });
        if let Some((text, error)) = &self.export_note {
            if *error {
                ui.colored_label(ui.visuals().error_fg_color, text);
            } else {
                ui.label(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_utc_calendar_time() {
        assert_eq!(utc_text(0), "1970-01-01 00:00 UTC");
        // 2026-11-29 22:15:30 UTC.
        assert_eq!(utc_text(1_795_990_530), "2026-11-29 22:15 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00 UTC");
    }
}
