//! The one way a file is written: whole or not at all, never over the files a run reads.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many symbolic links are followed before giving up (a loop, or a very long chain).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` so that a crash or a full disk leaves either the old file or the
/// new one, never a torn one. See [`write_atomic_with`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Writes a file through `body` atomically: into a temporary file in the same folder (so the
/// rename stays on one file system), synced to disk, renamed over the target, then the folder
/// synced so the rename itself survives a crash.
///
/// An existing file keeps its permission mode (a private file stays private); a new file gets
/// the ordinary permissions the user's umask allows. When `path` is a symbolic link, the file
/// it points to is replaced and the link stays a link.
pub fn write_atomic_with<E: From<io::Error>>(
    path: &Path,
    body: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let target = follow_links(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let existing = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".p4p-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Passed to open(2), so the umask applies as for any new file (temporary files are
        // otherwise private to their owner).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    if let Some(perms) = existing {
        tmp.as_file().set_permissions(perms)?;
    }
    body(tmp.as_file_mut())?;
    tmp.as_file_mut().flush()?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    sync_dir(&dir);
    Ok(())
}

/// The file a write to `path` lands in: `path` itself, or where its chain of links ends.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Makes a rename in `dir` durable. Some file systems cannot sync a folder; the file itself is
/// already on disk then, so that is not an error.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The absolute, link-free form of `path`, also for a file that does not exist yet (its folder
/// is resolved and its name appended).
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Refuses an output that would replace one of `inputs` (the program or a data file it reads),
/// naming the file. Paths are compared after resolving links and relative parts.
pub fn ensure_not_input(out: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let Some(out_c) = canonical(out) else {
        return Ok(());
    };
    for input in inputs {
        if canonical(input).is_some_and(|i| i == out_c) {
            return Err(format!(
                "{}: refusing to write over {}, which this run reads; choose another output file",
                out.display(),
                input.display()
            ));
        }
    }
    Ok(())
}
