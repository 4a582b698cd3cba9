//! A program document and the data files it names, read from disk: what every command and
//! test starts from.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::engine::Observations;
use crate::program::{Problem, Program, Severity};

/// Why a program or its data could not be read; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FileError {}

/// Reads a program file, naming the file in any error.
pub fn read_program(path: &Path) -> Result<Program, FileError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| FileError(format!("{}: {e}", path.display())))?;
    Program::from_ron(&text).map_err(|e| FileError(format!("{}: {e}", path.display())))
}

/// The folder a program's data paths are resolved against: `data_dir` when given, else the
/// program's own folder.
fn data_base(program_path: &Path, data_dir: Option<&Path>) -> PathBuf {
    match data_dir {
        Some(d) => d.to_path_buf(),
        None => program_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    }
}

/// The program with its data paths as they are read: with `data_dir`, each file is looked up
/// by its file name there.
fn with_data_dir(program: &Program, data_dir: Option<&Path>) -> Program {
    let mut program = program.clone();
    if data_dir.is_some() {
        for f in &mut program.data.files {
            if let Some(name) = Path::new(&f.path).file_name() {
                f.path = name.to_string_lossy().into_owned();
            }
        }
    }
    program
}

/// Loads a program's data; with `data_dir`, each file is looked up by its file name there.
pub fn load_data(
    program: &Program,
    program_path: &Path,
    data_dir: Option<&Path>,
) -> Result<Observations, FileError> {
    let base = data_base(program_path, data_dir);
    crate::data::load_program_data(&with_data_dir(program, data_dir), &base)
        .map_err(|e| FileError(e.to_string()))
}

/// Every file a program run reads: the program itself and each data file, resolved as
/// [`load_data`] resolves them. Outputs must never replace one of these.
pub fn input_files(
    program: &Program,
    program_path: &Path,
    data_dir: Option<&Path>,
) -> Vec<PathBuf> {
    let base = data_base(program_path, data_dir);
    let mut files = vec![program_path.to_path_buf()];
    files.extend(data_files(&with_data_dir(program, data_dir), &base));
    files
}

/// The program's data files, relative paths resolved against `base`.
pub fn data_files(program: &Program, base: &Path) -> Vec<PathBuf> {
    program
        .data
        .files
        .iter()
        .map(|f| super::source::resolve(base, &f.path))
        .collect()
}

/// What `validate` says about running `program` on `obs`: the document's own problems, then
/// what the data cannot support. Every command and view that computes money asks this first:
/// its errors stop it (see [`refusal`]), its warnings are shown and it goes on.
pub fn check_program(program: &Program, obs: &Observations) -> Vec<Problem> {
    let mut problems = crate::program::validate(program);
    if program.data.files.is_empty() {
        problems.push(Problem::error(
            "no data loaded: the program names no data files (data.files is empty)",
        ));
    } else {
        problems.extend(crate::engine::check_data(program, obs));
    }
    problems
}

/// Why no money may be computed: `validate`'s errors among `problems`, one per line as
/// `validate` prints them, or None when there are none.
pub fn refusal(problems: &[Problem]) -> Option<String> {
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(Problem::to_string)
        .collect();
    (!errors.is_empty()).then(|| errors.join("\n"))
}

/// A data file a program reads from outside its own folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsidePath {
    /// The path as the program writes it.
    pub path: String,
    /// Where it leads: the file itself, links and `..` resolved (as far as it exists).
    pub resolved: PathBuf,
    /// How it leaves the folder: an absolute path, `..`, or a symbolic link.
    pub how: &'static str,
}

impl fmt::Display for OutsidePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "data file {} ({}) is read from {}, outside the program's folder",
            self.path,
            self.how,
            self.resolved.display()
        )
    }
}

/// The data files of `program` that lie outside the folder its data is read from (the
/// program's folder, or `data_dir`): by an absolute path, by `..`, or through a symbolic link.
/// A program file from someone else could otherwise read any file the user can read.
pub fn outside_data(
    program: &Program,
    program_path: &Path,
    data_dir: Option<&Path>,
) -> Vec<OutsidePath> {
    let base = data_base(program_path, data_dir);
    let base = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    let Some(base_c) = real_path(&base) else {
        return Vec::new();
    };
    let program = with_data_dir(program, data_dir);
    let mut out = Vec::new();
    for f in &program.data.files {
        let written = Path::new(&f.path);
        let joined = super::source::resolve(&base, &f.path);
        let Some(resolved) = real_path(&joined) else {
            continue;
        };
        if resolved.starts_with(&base_c) {
            continue;
        }
        let how = if written.is_absolute() {
            "an absolute path"
        } else if written
            .components()
            .any(|c| c == std::path::Component::ParentDir)
        {
            "a path through .."
        } else {
            "a symbolic link"
        };
        out.push(OutsidePath {
            path: f.path.clone(),
            resolved,
            how,
        });
    }
    out
}

/// `path` with links and `..` resolved: in full when it exists, else its nearest existing
/// folder resolved and the rest appended with `..` taken lexically.
fn real_path(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                if let Ok(p) = std::fs::canonicalize(parent) {
                    let mut p = p;
                    for n in rest.iter().rev() {
                        p.push(n);
                    }
                    return Some(p);
                }
                at = parent;
            }
            _ => {
                // `..` components whose folders do not exist: resolve them by name.
                let mut p = PathBuf::new();
                for c in path.components() {
                    match c {
                        std::path::Component::ParentDir => {
                            p.pop();
                        }
                        c => p.push(c),
                    }
                }
                return Some(p);
            }
        }
    }
}
