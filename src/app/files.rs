//! Program files on disk: atomic saves, preferences, recent files and crash recovery.

use crate::program::Program;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// Environment variable that moves preferences and recovery files (tests point it at a
/// temporary folder so they never touch the user's own).
pub const DATA_DIR_ENV: &str = "P4P_DATA_DIR";

/// The bundled sample program, relative to the project (or installation) folder.
pub const SAMPLE_PROGRAM: &str = "sample_programs/medicaid_primary_care.ron";

/// Where the app keeps its own files.
#[derive(Debug, Clone, PartialEq)]
pub struct AppPaths {
    pub data_dir: PathBuf,
}

impl AppPaths {
    pub fn new(data_dir: PathBuf) -> AppPaths {
        AppPaths { data_dir }
    }

    /// `$P4P_DATA_DIR`, else the platform's user data folder (e.g. `~/.local/share/p4p-designer`).
    pub fn from_env() -> AppPaths {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return AppPaths::new(PathBuf::from(dir));
        }
        let dir = directories::ProjectDirs::from("org", "p4p-designer", "p4p-designer")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| std::env::temp_dir().join("p4p-designer"));
        AppPaths::new(dir)
    }

    pub fn prefs_file(&self) -> PathBuf {
        self.data_dir.join("prefs.ron")
    }

    /// The single recovery file older versions wrote; still offered back when found.
    pub fn recovery_file(&self) -> PathBuf {
        self.data_dir.join("recovery.ron")
    }

    /// The folder of recovery files, one per document.
    pub fn recovery_dir(&self) -> PathBuf {
        self.data_dir.join("recovery")
    }

    /// The recovery file of one document: named after its file (so two windows on two
    /// documents never write the same one), or for a program never saved, after this process
    /// (each window is its own process).
    pub fn recovery_file_for(&self, program_path: Option<&Path>) -> PathBuf {
        let name = match program_path {
            Some(p) => {
                let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                let stem = p
                    .file_stem()
                    .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
                format!("{stem}-{:016x}.ron", fnv1a(p.to_string_lossy().as_bytes()))
            }
            None => format!("untitled-{}.ron", process_key()),
        };
        self.recovery_dir().join(name)
    }
}

/// A stable hash (unlike std's, the same in every build), for naming files after paths.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// This process, distinct from any other running or run before: its id and start time.
fn process_key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}-{nanos:x}", std::process::id())
    })
}

/// Recovery files this process wrote or offered back, which are its own to remove. Two windows
/// (processes) never remove each other's.
fn owned_recovery_files() -> &'static Mutex<HashSet<PathBuf>> {
    static OWNED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    OWNED.get_or_init(Default::default)
}

fn own_recovery_file(path: PathBuf) {
    if let Ok(mut owned) = owned_recovery_files().lock() {
        owned.insert(path);
    }
}

/// Light, dark, or whatever the system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ThemeChoice {
    #[default]
    Light,
    Dark,
    System,
}

/// What the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: ThemeChoice,
    /// egui zoom factor: 1.0 on a laptop, 1.5–2.0 on a projector.
    pub ui_scale: f32,
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    pub show_simulation: bool,
    /// The step sidebar shows only step numbers and icons.
    pub sidebar_collapsed: bool,
    /// The start panel was closed once: it no longer opens by itself.
    pub start_dismissed: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            theme: ThemeChoice::Light,
            ui_scale: 1.0,
            recent: Vec::new(),
            show_simulation: true,
            sidebar_collapsed: false,
            start_dismissed: false,
        }
    }
}

/// How many recent files are remembered.
pub const MAX_RECENT: usize = 10;

impl Prefs {
    /// Reads the preferences; anything unreadable gives the defaults.
    pub fn load(paths: &AppPaths) -> Prefs {
        std::fs::read_to_string(paths.prefs_file())
            .ok()
            .and_then(|t| ron::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, paths: &AppPaths) -> std::io::Result<()> {
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&paths.data_dir)?;
        write_atomic(&paths.prefs_file(), text.as_bytes())
    }

    /// Puts `path` first in the recent list.
    pub fn add_recent(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }
}

/// Writes `bytes` to `path` whole or not at all (see [`crate::data::write_atomic`]).
pub use crate::data::write_atomic;

/// Saves a program atomically, never over one of its own data files.
pub fn save_program(path: &Path, program: &Program) -> Result<(), String> {
    let data = crate::data::program_files::data_files(program, &base_dir_of(path));
    crate::data::ensure_not_input(path, &data)?;
    write_atomic(path, program.to_ron().as_bytes())
        .map_err(|e| format!("Could not save {}: {e}", path.display()))
}

/// Reads a program, naming the file in any error.
pub fn read_program(path: &Path) -> Result<Program, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Could not open {}: {e}", path.display()))?;
    Program::from_ron(&text)
        .map_err(|e| format!("{} is not a readable program: {e}", path.display()))
}

/// The folder a program's relative data paths are resolved against.
pub fn base_dir_of(program_path: &Path) -> PathBuf {
    let dir = program_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}

/// `full` relative to the folder `base` (both absolute): "data/x.csv" under it, "../a/x.csv"
/// beside it. None when the two share no folder but the root (another drive, or /mnt against
/// /home), where a relative path would only climb to the root and down again.
pub fn relative_path(full: &Path, base: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let f: Vec<Component> = full.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = f.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let shared_folder = f[..common]
        .iter()
        .any(|c| matches!(c, Component::Normal(_)));
    if !shared_folder {
        return None;
    }
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &f[common..] {
        rel.push(c.as_os_str());
    }
    Some(rel)
}

/// Rewrites the program's data paths, which were relative to `old_base`, so that they still
/// point at the same files from `new_base`: relative when the file lies under `new_base` or
/// beside it in the same folder tree, absolute only where there is no such path (another
/// drive). Returns whether anything changed.
pub fn rebase_data_paths(program: &mut Program, old_base: &Path, new_base: &Path) -> bool {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (old_base, new_base) = (abs(old_base), abs(new_base));
    if old_base == new_base {
        return false;
    }
    let mut changed = false;
    for f in &mut program.data.files {
        let p = Path::new(&f.path);
        let full = if p.is_absolute() {
            p.to_path_buf()
        } else {
            abs(&old_base.join(p))
        };
        let new = relative_path(&full, &new_base).unwrap_or(full);
        let new = new.to_string_lossy().into_owned();
        if new != f.path {
            f.path = new;
            changed = true;
        }
    }
    changed
}

/// Program files this computer saved, or whose outside data the user agreed to read once: by
/// canonical path and a hash of the file's bytes, so a file replaced by someone else's copy is
/// asked about again. Kept beside the preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrustedPrograms {
    pub files: Vec<TrustedProgram>,
}

/// One trusted program file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedProgram {
    pub path: PathBuf,
    /// [`content_hash`] of the file as saved or confirmed.
    pub hash: String,
}

/// The most program files remembered; the oldest are forgotten first.
pub const MAX_TRUSTED: usize = 1000;

/// The SHA-256 of a file's bytes, in hex.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl TrustedPrograms {
    fn file(paths: &AppPaths) -> PathBuf {
        paths.data_dir.join("trusted-programs.ron")
    }

    /// Reads the list; anything unreadable is an empty list (so every program is asked about).
    pub fn load(paths: &AppPaths) -> TrustedPrograms {
        std::fs::read_to_string(Self::file(paths))
            .ok()
            .and_then(|t| ron::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// The key of the program file at `path` as it is on disk now.
    fn key(path: &Path) -> Option<TrustedProgram> {
        let bytes = std::fs::read(path).ok()?;
        Some(TrustedProgram {
            path: std::fs::canonicalize(path).ok()?,
            hash: content_hash(&bytes),
        })
    }

    /// Whether the program file at `path`, as it is now, was saved here or confirmed.
    pub fn contains(paths: &AppPaths, path: &Path) -> bool {
        let Some(key) = Self::key(path) else {
            return false;
        };
        Self::load(paths).files.contains(&key)
    }

    /// Remembers the program file at `path` as it is now.
    pub fn add(paths: &AppPaths, path: &Path) -> std::io::Result<()> {
        let Some(key) = Self::key(path) else {
            return Ok(());
        };
        let mut list = Self::load(paths);
        list.files.retain(|t| t.path != key.path);
        list.files.push(key);
        let over = list.files.len().saturating_sub(MAX_TRUSTED);
        list.files.drain(..over);
        let text = ron::ser::to_string_pretty(&list, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&paths.data_dir)?;
        write_atomic(&Self::file(paths), text.as_bytes())
    }
}

/// Unsaved work written every so often, offered back after a crash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// The file the work belongs to (none for a new program).
    pub program_path: Option<PathBuf>,
    /// The folder its data paths are relative to.
    pub base_dir: PathBuf,
    /// Seconds since the Unix epoch.
    pub saved_at: u64,
    /// The program as RON text, read back with `Program::from_ron` so format versions apply.
    pub program: String,
}

impl Recovery {
    pub fn new(program: &Program, program_path: Option<&Path>, base_dir: &Path) -> Recovery {
        Recovery {
            program_path: program_path.map(Path::to_path_buf),
            base_dir: base_dir.to_path_buf(),
            saved_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            program: program.to_ron(),
        }
    }

    /// Writes the document's own recovery file (see [`AppPaths::recovery_file_for`]).
    pub fn write(&self, paths: &AppPaths) -> std::io::Result<()> {
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        let file = paths.recovery_file_for(self.program_path.as_deref());
        std::fs::create_dir_all(paths.recovery_dir())?;
        write_atomic(&file, text.as_bytes())?;
        own_recovery_file(file);
        Ok(())
    }

    /// The newest readable recovery file left by a previous run, if any. Offering it back makes
    /// it this process's to remove.
    pub fn find(paths: &AppPaths) -> Option<Recovery> {
        let mut files = vec![paths.recovery_file()];
        if let Ok(dir) = std::fs::read_dir(paths.recovery_dir()) {
            files.extend(
                dir.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "ron")),
            );
        }
        let (file, rec) = files
            .into_iter()
            .filter_map(|f| {
                let text = std::fs::read_to_string(&f).ok()?;
                let rec: Recovery = ron::from_str(&text).ok()?;
                Some((f, rec))
            })
            .max_by_key(|(_, r)| r.saved_at)?;
        own_recovery_file(file);
        Some(rec)
    }

    /// Removes the recovery files this process wrote or offered back (unsaved work that was
    /// saved, discarded, or left on purpose); other windows' files stay.
    pub fn remove(paths: &AppPaths) {
        let Ok(mut owned) = owned_recovery_files().lock() else {
            return;
        };
        let mine: Vec<PathBuf> = owned
            .iter()
            .filter(|f| f.starts_with(&paths.data_dir))
            .cloned()
            .collect();
        for f in mine {
            let _ = std::fs::remove_file(&f);
            owned.remove(&f);
        }
    }

    /// "5 minutes ago", "2 hours ago"…
    pub fn age_label(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let s = now.saturating_sub(self.saved_at);
        match s {
            0..60 => "less than a minute ago".into(),
            60..3600 => plural(s / 60, "minute"),
            3600..86_400 => plural(s / 3600, "hour"),
            _ => plural(s / 86_400, "day"),
        }
    }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{n} {unit}s ago")
    }
}

/// Finds the bundled sample program: next to the current folder, the executable (and its
/// parents, for `target/debug`), or the source tree this binary was built from.
pub fn find_sample() -> Option<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe() {
        roots.extend(exe.ancestors().skip(1).take(4).map(Path::to_path_buf));
    }
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    roots
        .into_iter()
        .map(|r| r.join(SAMPLE_PROGRAM))
        .find(|p| p.is_file())
}

/// The folder of the bundled samples, when `program_path` is one of them: they read their data
/// from anywhere in that folder (the HRRP programs from `../data`).
pub fn samples_folder_of(program_path: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(find_sample()?.parent()?).ok()?;
    std::fs::canonicalize(program_path)
        .ok()?
        .starts_with(&root)
        .then_some(root)
}

/// File extensions the window accepts.
pub enum FileKind {
    Program,
    Data,
    Other,
}

pub fn file_kind(path: &Path) -> FileKind {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "ron" => FileKind::Program,
        "csv" | "parquet" | "pq" | "txt" | "tsv" => FileKind::Data,
        _ => FileKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_program_is_never_saved_over_its_own_data() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data.ron");
        std::fs::write(&data, "rows").unwrap();
        let mut p = Program::default();
        p.data.files.push(crate::program::DataFile {
            path: "data.ron".into(),
            layout: crate::program::Layout::Long(Default::default()),
        });
        let e = save_program(&data, &p).unwrap_err();
        assert!(e.contains("data.ron"), "{e}");
        assert_eq!(std::fs::read_to_string(&data).unwrap(), "rows");
        assert!(save_program(&dir.path().join("p.ron"), &p).is_ok());
    }

    #[test]
    fn rebasing_keeps_data_paths_pointing_at_the_same_files() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        let new = dir.path().join("new");
        std::fs::create_dir_all(old.join("data")).unwrap();
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(old.join("data/x.csv"), "a").unwrap();
        let mut p = Program::default();
        p.data.files.push(crate::program::DataFile {
            path: "data/x.csv".into(),
            layout: crate::program::Layout::Long(Default::default()),
        });
        assert!(rebase_data_paths(&mut p, &old, &new));
        // A sibling folder: relative, through the shared parent.
        let moved = PathBuf::from(&p.data.files[0].path);
        assert_eq!(moved, Path::new("../old/data/x.csv"));
        assert_eq!(std::fs::read_to_string(new.join(moved)).unwrap(), "a");
        // Back under the original folder: relative again.
        assert!(rebase_data_paths(&mut p, &new, &old));
        assert_eq!(p.data.files[0].path, "data/x.csv");
    }

    #[test]
    fn relative_paths_climb_only_within_a_shared_folder() {
        let rel = |f: &str, b: &str| relative_path(Path::new(f), Path::new(b));
        assert_eq!(rel("/w/p/data/x.csv", "/w/p"), Some("data/x.csv".into()));
        assert_eq!(rel("/w/a/x.csv", "/w/b/c"), Some("../../a/x.csv".into()));
        assert_eq!(rel("/w/x.csv", "/w/b"), Some("../x.csv".into()));
        // Nothing in common but the root: stays absolute.
        assert_eq!(rel("/mnt/x.csv", "/home/me"), None);
    }

    #[test]
    fn recent_files_are_unique_and_most_recent_first() {
        let mut prefs = Prefs::default();
        for name in ["a", "b", "a"] {
            prefs.add_recent(Path::new(name));
        }
        assert_eq!(prefs.recent, vec![PathBuf::from("a"), PathBuf::from("b")]);
    }
}
