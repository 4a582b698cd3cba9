//! Look and feel: text sizes readable on a projector, one accent colour, and colours that
//! mean good, bad and "look here" in both light and dark themes.

use super::files::{Prefs, ThemeChoice};
use egui::{Color32, FontFamily, FontId, TextStyle, Theme, ThemePreference};

/// Text style for the big numbers of the simulation panel.
pub fn big_number() -> TextStyle {
    TextStyle::Name("BigNumber".into())
}

/// The bold font family (headings, big numbers).
pub fn bold() -> FontFamily {
    FontFamily::Name("Bold".into())
}

/// DejaVu Sans: a regular (not light) weight that stays legible on a projector, and it has the
/// arrows, check marks and warning signs the screens use, which egui's default font lacks.
const SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

fn fonts() -> egui::FontDefinitions {
    use egui::epaint::text::{FontData, FontDefinitions};
    use std::sync::Arc;
    let mut f = FontDefinitions::default();
    f.font_data
        .insert("DejaVuSans".into(), Arc::new(FontData::from_static(SANS)));
    f.font_data.insert(
        "DejaVuSans-Bold".into(),
        Arc::new(FontData::from_static(SANS_BOLD)),
    );
    let defaults = f
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    let mut regular = vec!["DejaVuSans".to_owned()];
    regular.extend(defaults.iter().cloned());
    let mut heavy = vec!["DejaVuSans-Bold".to_owned(), "DejaVuSans".to_owned()];
    heavy.extend(defaults);
    f.families.insert(FontFamily::Proportional, regular);
    f.families.insert(bold(), heavy);
    // Symbols in monospace text fall back to the sans font too.
    f.families
        .entry(FontFamily::Monospace)
        .or_default()
        .push("DejaVuSans".into());
    f
}

/// Colours with a meaning, picked per theme so they stay readable.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub accent: Color32,
    pub good: Color32,
    pub bad: Color32,
    pub warn: Color32,
    pub muted: Color32,
    /// Background of cards and highlighted boxes.
    pub card: Color32,
}

impl Palette {
    pub fn of(ui: &egui::Ui) -> Palette {
        if ui.visuals().dark_mode {
            Palette {
                accent: Color32::from_rgb(0x5a, 0xa9, 0xf0),
                good: Color32::from_rgb(0x4c, 0xc2, 0x6a),
                bad: Color32::from_rgb(0xf4, 0x6a, 0x5e),
                warn: Color32::from_rgb(0xe0, 0xa8, 0x3a),
                muted: Color32::from_gray(150),
                card: Color32::from_gray(38),
            }
        } else {
            Palette {
                accent: Color32::from_rgb(0x1d, 0x5f, 0xa8),
                good: Color32::from_rgb(0x1a, 0x7f, 0x37),
                bad: Color32::from_rgb(0xc4, 0x2b, 0x1c),
                warn: Color32::from_rgb(0xa3, 0x62, 0x00),
                muted: Color32::from_gray(105),
                card: Color32::from_rgb(0xee, 0xf2, 0xf7),
            }
        }
    }

    /// Colour of a payouts histogram bar centred on `dollars`: green earned, red owed, grey
    /// the bar around $0.
    pub fn payout_bar(&self, dollars: f64) -> Color32 {
        if dollars < -0.5 {
            self.bad
        } else if dollars > 0.5 {
            self.good
        } else {
            self.muted
        }
    }

    /// Colour for an amount of money: green earned, red owed, grey nothing.
    pub fn money(&self, cents: i64) -> Color32 {
        match cents.signum() {
            1 => self.good,
            -1 => self.bad,
            _ => self.muted,
        }
    }
}

/// Installs the app's styles for both themes, once at start-up.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(fonts());
    ctx.all_styles_mut(|style| {
        use TextStyle::*;
        let p = FontFamily::Proportional;
        style.text_styles = [
            (Heading, FontId::new(21.0, bold())),
            (Body, FontId::new(14.0, p.clone())),
            (Button, FontId::new(14.0, p.clone())),
            (Small, FontId::new(11.5, p)),
            (Monospace, FontId::new(13.0, FontFamily::Monospace)),
            (big_number(), FontId::new(21.0, bold())),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.spacing.interact_size.y = 24.0;
        style.spacing.slider_width = 180.0;
        style.visuals.slider_trailing_fill = true;
        style.visuals.striped = true;
    });
    ctx.style_mut_of(Theme::Light, |style| {
        let v = &mut style.visuals;
        v.panel_fill = Color32::from_rgb(0xf7, 0xf8, 0xfa);
        v.window_fill = Color32::WHITE;
        v.faint_bg_color = Color32::from_rgb(0xf0, 0xf3, 0xf7);
        v.extreme_bg_color = Color32::WHITE;
        v.selection.bg_fill = Color32::from_rgb(0xc9, 0xdd, 0xf5);
        v.selection.stroke.color = Color32::from_rgb(0x10, 0x3c, 0x6e);
        v.hyperlink_color = Color32::from_rgb(0x1d, 0x5f, 0xa8);
        v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(30);
        v.widgets.inactive.fg_stroke.color = Color32::from_gray(25);
    });
    ctx.style_mut_of(Theme::Dark, |style| {
        let v = &mut style.visuals;
        v.selection.bg_fill = Color32::from_rgb(0x1f, 0x4b, 0x7a);
        v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(215);
        v.widgets.inactive.fg_stroke.color = Color32::from_gray(225);
    });
}

/// Applies the theme and UI scale from the preferences.
pub fn apply_prefs(ctx: &egui::Context, prefs: &Prefs) {
    ctx.set_theme(match prefs.theme {
        ThemeChoice::Light => ThemePreference::Light,
        ThemeChoice::Dark => ThemePreference::Dark,
        ThemeChoice::System => ThemePreference::System,
    });
    let scale = prefs.ui_scale.clamp(0.5, 3.0);
    if (ctx.zoom_factor() - scale).abs() > f32::EPSILON {
        ctx.set_zoom_factor(scale);
    }
}
