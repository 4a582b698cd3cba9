//! Workshop actions of the window: capturing a decision (Ctrl+D), and staging the scenario
//! comparison and the decision log for screenshots.

use super::*;

impl DesignerApp {
    /// Ctrl+D: records the design as it stands in the decision log (one undo step) and shows
    /// the log with the new decision's note ready for typing.
    pub(super) fn capture_decision(&mut self) {
        self.session.recompute(&self.program);
        let Some(d) =
            crate::app::analysis::decisions::capture(&self.program, &self.session, String::new())
        else {
            self.set_status_error("Load the program's data to capture a decision.".into());
            return;
        };
        self.undoer.add_undo(&self.program);
        self.program.decisions.push(d);
        self.undoer.add_undo(&self.program);
        let view = &mut self.analysis.decisions;
        view.selected = Some(self.program.decisions.len() - 1);
        view.focus_note = true;
        self.page = Page::Analysis(crate::app::analysis::View::Decisions);
        self.set_status(format!(
            "Decision {} captured. Type what was decided in its note.",
            self.program.decisions.len()
        ));
    }

    /// Sets up what a shot shows beyond its page: two scenarios side by side, or a decision
    /// log with two decisions captured as a facilitator would (the first as the program
    /// stands, the second after changing the pool, the threshold and peer groups).
    pub(super) fn stage_screenshot(&mut self, shot: crate::app::screenshots::Shot) {
        use crate::app::analysis::View;
        use crate::program::Parameter;
        match shot {
            crate::app::screenshots::Shot::Compare => {
                let names: Vec<String> = self
                    .program
                    .scenarios
                    .iter()
                    .map(|s| s.name.clone())
                    .collect();
                let view = &mut self.analysis.scenarios;
                if view.a.is_none() && names.len() >= 2 {
                    view.a = Some(names[0].clone());
                    view.b = Some(names[names.len() - 1].clone());
                    view.reveal_versus = true;
                }
            }
            crate::app::screenshots::Shot::Analysis(View::Decisions)
                if self.program.decisions.is_empty() && self.session.results.is_some() =>
            {
                self.capture_decision();
                if let Some(d) = self.program.decisions.last_mut() {
                    d.note = "Starting point: the design as proposed".into();
                }
                Parameter::PoolDollars.set(&mut self.program, 3_000_000.0);
                Parameter::ThresholdPercentile.set(&mut self.program, 60.0);
                Parameter::PeerGroupStandards.set(&mut self.program, 1.0);
                self.capture_decision();
                if let Some(d) = self.program.decisions.last_mut() {
                    d.note = "Pool $3M, threshold p60, peer groups on".into();
                }
                self.analysis.decisions.focus_note = false;
            }
            _ => {}
        }
    }
}
