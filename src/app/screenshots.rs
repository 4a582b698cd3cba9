//! Screenshot mode: visit pages one by one, save a PNG of each, then quit.
//!
//! `P4P_SCREENSHOT_DIR=docs/screenshots P4P_SCREENSHOT_STEPS=all p4p-designer` (used by
//! `scripts/screenshots.sh` under Xvfb) shows every step, the providers table and a "why" view,
//! and step 6 in the dark theme. `P4P_UI_SCALE` sets the UI scale (1.5 for the projector set).

use super::files::ThemeChoice;
use super::steps::Step;
use super::window::Page;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// One picture to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shot {
    Step(Step),
    Providers,
    Why,
    Dark(Step),
    Analysis(super::analysis::View),
    /// A step with the live simulation's tab showing (in a window too narrow to dock it).
    Live(Step),
    /// A step with the sidebar collapsed to its rail.
    Rail(Step),
    /// Presenter mode (F5).
    Presenter,
    /// The scenarios view scrolled to two scenarios compared, A against B.
    Compare,
    /// The start panel over step 1, as on a first launch.
    Start,
}

impl Shot {
    /// What the app should show for this shot: page, theme, and whether a provider is selected.
    pub fn view(self) -> (Page, ThemeChoice, bool) {
        match self {
            Shot::Step(s) => (Page::Step(s), ThemeChoice::Light, false),
            Shot::Providers => (Page::Providers, ThemeChoice::Light, false),
            Shot::Why => (Page::Providers, ThemeChoice::Light, true),
            Shot::Dark(s) => (Page::Step(s), ThemeChoice::Dark, false),
            Shot::Analysis(v) => (Page::Analysis(v), ThemeChoice::Light, false),
            Shot::Live(s) | Shot::Rail(s) => (Page::Step(s), ThemeChoice::Light, false),
            Shot::Presenter => (Page::Step(Step::Payment), ThemeChoice::Light, false),
            Shot::Compare => (
                Page::Analysis(super::analysis::View::Scenarios),
                ThemeChoice::Light,
                false,
            ),
            Shot::Start => (Page::Step(Step::Identify), ThemeChoice::Light, false),
        }
    }

    /// Whether the side pane's tab shows (where the side pane is a tab): the live simulation,
    /// or the "why" of the selected provider.
    pub fn side_tab(self) -> bool {
        matches!(self, Shot::Live(_) | Shot::Why)
    }

    /// Whether presenter mode is on.
    pub fn presenter(self) -> bool {
        self == Shot::Presenter
    }

    /// Whether the sidebar is collapsed to its rail.
    pub fn rail(self) -> bool {
        matches!(self, Shot::Rail(_))
    }

    pub fn file_name(self) -> String {
        let step_name = |s: Step| {
            let slug: String = s
                .title()
                .split('·')
                .nth(1)
                .unwrap_or("")
                .trim()
                .to_lowercase()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            let slug = slug
                .split('_')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            format!("step{}_{slug}", s.number())
        };
        match self {
            Shot::Step(s) => format!("{}.png", step_name(s)),
            Shot::Providers => "providers.png".into(),
            Shot::Why => "providers_why.png".into(),
            Shot::Dark(s) => format!("{}_dark.png", step_name(s)),
            Shot::Analysis(v) => format!("{}.png", v.key()),
            Shot::Live(s) => format!("{}_live.png", step_name(s)),
            Shot::Rail(s) => format!("{}_rail.png", step_name(s)),
            Shot::Presenter => "presenter.png".into(),
            Shot::Compare => "scenarios_compare.png".into(),
            Shot::Start => "start.png".into(),
        }
    }
}

/// Parses `P4P_SCREENSHOT_STEPS`: "all", "projector" (all, plus the live simulation's tab on
/// steps 5 and 6 and the collapsed sidebar), or a comma list of step numbers, "providers",
/// "why", "dark6", "live6", "rail6", "equity", "sweep", "scenarios", "reliability", "lint",
/// "presenter", "decisions" (the decision log, with two decisions captured first when it has
/// none) and "compare" (two scenarios, A against B).
pub fn parse_shots(spec: &str) -> Vec<Shot> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "all" => {
                out.extend(Step::ALL.map(Shot::Step));
                out.extend([Shot::Providers, Shot::Why, Shot::Dark(Step::Payment)]);
                out.extend(super::analysis::View::ALL.map(Shot::Analysis));
            }
            "projector" => {
                out.extend(parse_shots("all"));
                out.extend([
                    Shot::Live(Step::Baselines),
                    Shot::Live(Step::Payment),
                    Shot::Rail(Step::Payment),
                ]);
            }
            "providers" => out.push(Shot::Providers),
            "start" => out.push(Shot::Start),
            "why" => out.push(Shot::Why),
            "presenter" => out.push(Shot::Presenter),
            "compare" => out.push(Shot::Compare),
            p if super::analysis::View::from_key(p).is_some() => {
                out.extend(super::analysis::View::from_key(p).map(Shot::Analysis));
            }
            p => {
                type Make = fn(Step) -> Shot;
                let (make, num): (Make, &str) = if let Some(n) = p.strip_prefix("dark") {
                    (Shot::Dark, n)
                } else if let Some(n) = p.strip_prefix("live") {
                    (Shot::Live, n)
                } else if let Some(n) = p.strip_prefix("rail") {
                    (Shot::Rail, n)
                } else {
                    (Shot::Step, p)
                };
                if let Some(s) = num
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| Step::ALL.get(i))
                {
                    out.push(make(*s));
                }
            }
        }
    }
    out
}

/// What the app should do this frame.
pub enum Tick {
    Wait,
    Show(Shot),
    Quit,
}

/// Frames to let a page settle (layout, plot bounds, fonts) before it is captured.
const SETTLE_FRAMES: u32 = 10;

#[derive(Debug, Clone)]
pub struct ScreenshotPlan {
    pub dir: PathBuf,
    pub shots: Vec<Shot>,
    next: usize,
    frames: u32,
    /// 0 while the capture is pending, 1 when saved, 2 when saving failed.
    waiting: Option<Arc<AtomicU8>>,
    started: Option<Instant>,
    deadline: Duration,
}

impl ScreenshotPlan {
    pub fn new(dir: PathBuf, shots: Vec<Shot>) -> ScreenshotPlan {
        ScreenshotPlan {
            dir,
            shots,
            next: 0,
            frames: 0,
            waiting: None,
            started: None,
            deadline: Duration::from_secs(180),
        }
    }

    /// From `P4P_SCREENSHOT_DIR` and `P4P_SCREENSHOT_STEPS` (default "all").
    pub fn from_env() -> Option<ScreenshotPlan> {
        let dir = std::env::var_os("P4P_SCREENSHOT_DIR").filter(|d| !d.is_empty())?;
        let spec = std::env::var("P4P_SCREENSHOT_STEPS").unwrap_or_else(|_| "all".into());
        Some(ScreenshotPlan::new(PathBuf::from(dir), parse_shots(&spec)))
    }

    /// Advances the plan by one frame. `busy` holds the plan while data is still loading.
    pub fn tick(&mut self, busy: bool, ctx: &egui::Context) -> Tick {
        let started = *self.started.get_or_insert_with(Instant::now);
        ctx.request_repaint();
        if started.elapsed() > self.deadline {
            eprintln!("screenshots: gave up after {:?}", self.deadline);
            return Tick::Quit;
        }
        if busy {
            return Tick::Wait;
        }
        if let Some(flag) = &self.waiting {
            match flag.load(Ordering::SeqCst) {
                0 => return Tick::Wait,
                _ => {
                    self.waiting = None;
                    self.next += 1;
                    self.frames = 0;
                }
            }
        }
        let Some(&shot) = self.shots.get(self.next) else {
            return Tick::Quit;
        };
        self.frames += 1;
        if self.frames == SETTLE_FRAMES {
            let path = self.dir.join(shot.file_name());
            let flag = Arc::new(AtomicU8::new(0));
            let done = flag.clone();
            ctx.request_screenshot(move |img| {
                let ok = match save_png(&path, &img) {
                    Ok(()) => {
                        eprintln!("screenshots: wrote {}", path.display());
                        true
                    }
                    Err(e) => {
                        eprintln!("screenshots: {}: {e}", path.display());
                        false
                    }
                };
                done.store(if ok { 1 } else { 2 }, Ordering::SeqCst);
            });
            self.waiting = Some(flag);
        }
        Tick::Show(shot)
    }
}

fn save_png(path: &Path, img: &egui::ColorImage) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let [w, h] = img.size;
    // The window is opaque: drop alpha so viewers do not show a checkerboard anywhere.
    let rgb: Vec<u8> = img
        .pixels
        .iter()
        .flat_map(|c| [c.r(), c.g(), c.b()])
        .collect();
    image::save_buffer(
        path,
        &rgb,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shot_lists_parse() {
        assert_eq!(parse_shots("all").len(), 15);
        assert_eq!(
            parse_shots("1, why,dark6,9"),
            vec![
                Shot::Step(Step::Identify),
                Shot::Why,
                Shot::Dark(Step::Payment)
            ]
        );
        assert_eq!(Shot::Step(Step::Gaps).file_name(), "step3_gap_analysis.png");
        assert_eq!(
            parse_shots("live6,rail6"),
            vec![Shot::Live(Step::Payment), Shot::Rail(Step::Payment)]
        );
        assert_eq!(
            Shot::Live(Step::Payment).file_name(),
            "step6_payment_model_live.png"
        );
        assert_eq!(parse_shots("projector").len(), 18);
        assert_eq!(parse_shots("all,presenter").len(), 16);
        assert_eq!(Shot::Presenter.file_name(), "presenter.png");
        assert_eq!(
            parse_shots("decisions,compare"),
            vec![
                Shot::Analysis(crate::app::analysis::View::Decisions),
                Shot::Compare
            ]
        );
        assert_eq!(Shot::Compare.file_name(), "scenarios_compare.png");
    }
}
