//! Menu commands and their keyboard shortcuts: one list drives the menus, the shortcut
//! handling and the shortcut hints shown next to menu items.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    New,
    Open,
    /// Type a path instead of using the file dialog.
    OpenPath,
    Save,
    SaveAs,
    Quit,
    Undo,
    Redo,
    AddData,
    ReloadData,
    ToggleTheme,
    ToggleSimulation,
    ShowProviders,
    /// Go to step 1–7 (index 0–6).
    Step(usize),
    PreviousStep,
    NextStep,
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

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
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
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
            Command::ShowProviders => s(CMD, Key::P),
            Command::Step(i) => STEP_KEYS.get(i).and_then(|k| s(CMD, *k)),
            Command::PreviousStep => s(Modifiers::ALT, Key::ArrowUp),
            Command::NextStep => s(Modifiers::ALT, Key::ArrowDown),
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
            Command::ShowProviders,
            Command::PreviousStep,
            Command::NextStep,
        ];
        all.extend((0..7).map(Command::Step));
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
    fn conflicts_with_text_editing(self) -> bool {
        matches!(
            self,
            Command::Undo | Command::Redo | Command::PreviousStep | Command::NextStep
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
    pub fn shortcut_text(self, ctx: &egui::Context) -> String {
        self.shortcut()
            .map(|s| ctx.format_shortcut(&s))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
