//! Menu commands, their menu text and their keyboard shortcuts: one list drives the menus,
//! the shortcut handling and the shortcut hints shown next to menu items.

use super::analysis::View;
use super::steps::Step;
use crate::report::ExportFormat;
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    New,
    Open,
    /// A program from the recent-files list.
    OpenRecent(PathBuf),
    /// Type a path instead of using the file dialog.
    OpenPath,
    OpenSample,
    Save,
    SaveAs,
    Export(ExportFormat),
    Quit,
    Undo,
    Redo,
    AddData,
    ReloadData,
    ToggleTheme,
    ToggleSimulation,
    /// Collapse the step sidebar to numbers and icons, or expand it again.
    ToggleSidebar,
    ShowProviders,
    /// Show an analysis view (equity, what-if sweep, scenarios, reliability).
    ShowView(View),
    /// Go to step 1–7 (index 0–6).
    Step(usize),
    PreviousStep,
    NextStep,
    ShowGlossary,
    /// Presenter mode: the headline figures in large type beside the levers (F5).
    Presenter,
    /// Record the design as it stands in the decision log.
    CaptureDecision,
    /// The start panel: what is open, where the payouts are, how to start.
    ShowStart,
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

/// Alt+1–6 open the analysis views and the decision log in the order of the sidebar, as
/// Ctrl+1–7 open the steps.
const VIEW_KEYS: [Key; 6] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
];

const STEP_KEYS: [Key; 7] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
];

impl Command {
    /// The command's menu text.
    pub fn label(&self) -> String {
        match self {
            Command::New => "New".into(),
            Command::Open => "Open…".into(),
            Command::OpenRecent(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
            Command::OpenPath => "Open by typing a path…".into(),
            Command::OpenSample => "Open the sample program".into(),
            Command::Save => "Save".into(),
            Command::SaveAs => "Save As…".into(),
            Command::Export(f) => f.label().into(),
            Command::Quit => "Quit".into(),
            Command::Undo => "Undo".into(),
            Command::Redo => "Redo".into(),
            Command::AddData => "Add data file…".into(),
            Command::ReloadData => "Reload data".into(),
            Command::ToggleTheme => "Switch light / dark".into(),
            Command::ToggleSimulation => "Live simulation panel".into(),
            Command::ToggleSidebar => "Collapse or expand the sidebar".into(),
            Command::ShowProviders => "Providers & payouts".into(),
            Command::ShowView(v) => v.title().into(),
            Command::Step(i) => Step::ALL.get(*i).map_or("", |s| s.title()).into(),
            Command::PreviousStep => "Previous step".into(),
            Command::NextStep => "Next step".into(),
            Command::ShowGlossary => "Terms explained…".into(),
            Command::Presenter => "Presenter mode".into(),
            Command::CaptureDecision => "Capture a decision".into(),
            Command::ShowStart => "Getting started…".into(),
        }
    }

    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        let s = |m, k| Some(KeyboardShortcut::new(m, k));
        match self {
            Command::New => s(CMD, Key::N),
            Command::Open => s(CMD, Key::O),
            Command::OpenPath => s(CMD_SHIFT, Key::O),
            Command::Save => s(CMD, Key::S),
            Command::SaveAs => s(CMD_SHIFT, Key::S),
            Command::Quit => s(CMD, Key::Q),
            Command::Undo => s(CMD, Key::Z),
            Command::Redo => s(CMD_SHIFT, Key::Z),
            Command::AddData => s(CMD, Key::I),
            Command::ReloadData => s(CMD, Key::R),
            Command::ToggleTheme => s(CMD_SHIFT, Key::L),
            Command::ToggleSimulation => s(CMD_SHIFT, Key::P),
            Command::ToggleSidebar => s(CMD, Key::B),
            Command::ShowProviders => s(CMD, Key::P),
            Command::ShowView(v) => View::LISTED
                .iter()
                .position(|x| x == v)
                .and_then(|i| VIEW_KEYS.get(i))
                .and_then(|k| s(Modifiers::ALT, *k)),
            Command::Step(i) => STEP_KEYS.get(*i).and_then(|k| s(CMD, *k)),
            Command::PreviousStep => s(Modifiers::ALT, Key::ArrowUp),
            Command::NextStep => s(Modifiers::ALT, Key::ArrowDown),
            Command::Presenter => s(Modifiers::NONE, Key::F5),
            Command::CaptureDecision => s(CMD, Key::D),
            Command::OpenRecent(_)
            | Command::OpenSample
            | Command::Export(_)
            | Command::ShowGlossary
            | Command::ShowStart => None,
        }
    }

    /// Commands that have a shortcut, with the Shift variants first: egui also matches
    /// Ctrl+Shift+Z as Ctrl+Z, so the more specific shortcut must be consumed first.
    fn with_shortcuts() -> Vec<(KeyboardShortcut, Command)> {
        let mut all: Vec<Command> = vec![
            Command::New,
            Command::Open,
            Command::OpenPath,
            Command::Save,
            Command::SaveAs,
            Command::Quit,
            Command::Undo,
            Command::Redo,
            Command::AddData,
            Command::ReloadData,
            Command::ToggleTheme,
            Command::ToggleSimulation,
            Command::ToggleSidebar,
            Command::ShowProviders,
            Command::PreviousStep,
            Command::NextStep,
            Command::Presenter,
            Command::CaptureDecision,
        ];
        all.extend((0..7).map(Command::Step));
        all.extend(View::LISTED.map(Command::ShowView));
        let mut pairs: Vec<(KeyboardShortcut, Command)> = all
            .into_iter()
            .filter_map(|c| c.shortcut().map(|s| (s, c)))
            .collect();
        pairs.sort_by_key(|(s, _)| {
            std::cmp::Reverse(s.modifiers.shift as u8 + s.modifiers.alt as u8)
        });
        pairs
    }

    /// Whether a text field needs this key combination for itself.
    fn conflicts_with_text_editing(&self) -> bool {
        // Alt+digit types characters on some keyboard layouts (AltGr).
        matches!(
            self,
            Command::Undo
                | Command::Redo
                | Command::PreviousStep
                | Command::NextStep
                | Command::ShowView(_)
                // Not while the facilitator types a decision's note.
                | Command::CaptureDecision
        )
    }

    /// Consumes the shortcuts pressed this frame and returns their commands.
    pub fn pressed(ctx: &egui::Context) -> Vec<Command> {
        let editing = ctx.text_edit_focused();
        ctx.input_mut(|i| {
            Command::with_shortcuts()
                .into_iter()
                .filter(|(_, c)| !(editing && c.conflicts_with_text_editing()))
                .filter(|(s, _)| i.consume_shortcut(s))
                .map(|(_, c)| c)
                .collect()
        })
    }

    /// The shortcut as shown in menus, e.g. "Ctrl+S".
    pub fn shortcut_text(&self, ctx: &egui::Context) -> String {
        self.shortcut()
            .map(|s| ctx.format_shortcut(&s))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_menu_text() {
        let mut all = vec![
            Command::OpenRecent(PathBuf::from("/work/programs/medicaid.ron")),
            Command::OpenSample,
            Command::ShowGlossary,
        ];
        all.extend(ExportFormat::ALL.iter().map(|f| Command::Export(*f)));
        all.extend(Command::with_shortcuts().into_iter().map(|(_, c)| c));
        for c in &all {
            assert!(!c.label().is_empty(), "{c:?} has no menu text");
        }
        assert_eq!(
            Command::OpenRecent(PathBuf::from("/work/programs/medicaid.ron")).label(),
            "medicaid.ron"
        );
        assert_eq!(
            Command::Export(ExportFormat::Html).label(),
            "Summary report (HTML)…"
        );
        assert_eq!(Command::Step(2).label(), "3 · Gap analysis");
        assert_eq!(Command::ShowView(View::Sweep).label(), "What-if sweep");
    }

    #[test]
    fn every_analysis_view_and_the_sidebar_have_a_shortcut() {
        let keys: Vec<KeyboardShortcut> = View::ALL
            .iter()
            .map(|v| {
                Command::ShowView(*v)
                    .shortcut()
                    .unwrap_or_else(|| panic!("{v:?} has no shortcut"))
            })
            .collect();
        assert_eq!(keys[0], KeyboardShortcut::new(Modifiers::ALT, Key::Num1));
        assert_eq!(keys[3], KeyboardShortcut::new(Modifiers::ALT, Key::Num4));
        assert_eq!(
            Command::ToggleSidebar.shortcut(),
            Some(KeyboardShortcut::new(CMD, Key::B))
        );
        let listed: Vec<Command> = Command::with_shortcuts()
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        for v in View::ALL {
            assert!(
                listed.contains(&Command::ShowView(v)),
                "{v:?} is not handled"
            );
        }
        assert!(listed.contains(&Command::ToggleSidebar));
    }

    #[test]
    fn presenter_mode_is_f5() {
        assert_eq!(
            Command::Presenter.shortcut(),
            Some(KeyboardShortcut::new(Modifiers::NONE, Key::F5))
        );
        assert!(
            Command::with_shortcuts()
                .iter()
                .any(|(_, c)| *c == Command::Presenter)
        );
        assert_eq!(Command::Presenter.label(), "Presenter mode");
    }

    #[test]
    fn the_decision_log_has_alt_6_and_capturing_has_ctrl_d() {
        assert_eq!(
            Command::ShowView(View::Decisions).shortcut(),
            Some(KeyboardShortcut::new(Modifiers::ALT, Key::Num6))
        );
        assert_eq!(
            Command::CaptureDecision.shortcut(),
            Some(KeyboardShortcut::new(CMD, Key::D))
        );
        let listed: Vec<Command> = Command::with_shortcuts()
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        assert!(listed.contains(&Command::CaptureDecision));
        assert!(listed.contains(&Command::ShowView(View::Decisions)));
        assert_eq!(Command::CaptureDecision.label(), "Capture a decision");
    }

    #[test]
    fn no_two_commands_share_a_shortcut() {
        let pairs = Command::with_shortcuts();
        for (i, (a, ca)) in pairs.iter().enumerate() {
            for (b, cb) in &pairs[i + 1..] {
                assert!(a != b, "{ca:?} and {cb:?} share a shortcut");
            }
        }
    }
}
