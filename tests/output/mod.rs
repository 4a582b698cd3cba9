//! The one way files are written: atomically, keeping modes and links, never over the files a
//! run reads; one export table for the window and the command line; one recovery file per
//! document.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::robust::cli;

use p4p_designer::app::export::export_to;
use p4p_designer::app::files::{AppPaths, Recovery};
use p4p_designer::app::session::Session;
use p4p_designer::data::{ensure_not_input, write_atomic};
use p4p_designer::program::Program;
use p4p_designer::report::ExportFormat;
use p4p_designer::synth::{self, SynthSpec};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A small generated program with its data in a fresh folder: program.ron, providers.csv,
/// performance.csv.
fn generated() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        &[
            "generate",
            "--out",
            ".",
            "--providers",
            "20",
            "--measures",
            "3",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn atomic_write_keeps_the_mode_of_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    for m in [0o600, 0o640, 0o755] {
        let path = dir.path().join(format!("f{m:o}"));
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), m, "mode {m:o} kept");
    }
}

#[test]
fn atomic_write_gives_a_new_file_the_ordinary_permissions() {
    let dir = tempfile::tempdir().unwrap();
    // What the umask allows for any new file, made the ordinary way.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "x").unwrap();
    let path = dir.path().join("new.csv");
    write_atomic(&path, b"a,b\n").unwrap();
    assert_eq!(mode(&path), mode(&plain));
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn atomic_write_through_a_symlink_updates_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/out.csv");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.csv");
    // A relative link, resolved against the link's own folder.
    std::os::unix::fs::symlink("real/out.csv", &link).unwrap();
    write_atomic(&link, b"new").unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("real/out.csv")
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    assert_eq!(mode(&target), 0o640);
}

#[test]
fn outputs_that_are_inputs_are_refused_however_they_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("prog.ron");
    std::fs::write(&program, "x").unwrap();
    let inputs = vec![program.clone(), dir.path().join("data/missing.csv")];
    let via_dots = dir.path().join("sub/../prog.ron");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let e = ensure_not_input(&via_dots, &inputs).unwrap_err();
    assert!(e.contains("prog.ron"), "{e}");
    let link = dir.path().join("alias.ron");
    std::os::unix::fs::symlink(&program, &link).unwrap();
    assert!(ensure_not_input(&link, &inputs).is_err());
    // A new file elsewhere is fine, also when its folder does not exist yet.
    assert!(ensure_not_input(&dir.path().join("out.html"), &inputs).is_ok());
    assert!(ensure_not_input(&dir.path().join("nowhere/out.html"), &inputs).is_ok());
}

#[test]
fn export_refuses_to_overwrite_the_program_or_its_data() {
    let dir = generated();
    let before = std::fs::read(dir.path().join("program.ron")).unwrap();
    let data_before = std::fs::read(dir.path().join("performance.csv")).unwrap();
    for (format, out, named) in [
        ("html", "program.ron", "program.ron"),
        ("csv", "performance.csv", "performance.csv"),
        ("xlsx", "./providers.csv", "providers.csv"),
    ] {
        let r = cli(
            &["export", "program.ron", "--format", format, "--out", out],
            dir.path(),
        );
        assert!(!r.status.success(), "export over {out} must fail");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(named) && err.contains("refusing"), "{err}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("program.ron")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(dir.path().join("performance.csv")).unwrap(),
        data_before
    );
    // With --data-dir the data is read from there, so that folder's file is protected.
    let other = tempfile::tempdir().unwrap();
    for f in ["providers.csv", "performance.csv"] {
        std::fs::copy(dir.path().join(f), other.path().join(f)).unwrap();
    }
    let data_dir = other.path().to_str().unwrap();
    let out = other.path().join("performance.csv");
    let r = cli(
        &[
            "export",
            "program.ron",
            "--format",
            "csv",
            "--data-dir",
            data_dir,
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(!r.status.success());
    // An ordinary output still works.
    let r = cli(
        &[
            "export",
            "program.ron",
            "--format",
            "html",
            "--out",
            "summary.html",
        ],
        dir.path(),
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(
        std::fs::read_to_string(dir.path().join("summary.html"))
            .unwrap()
            .contains("<html")
    );
}

#[test]
fn score_out_refuses_the_program_and_its_data() {
    let dir = generated();
    let before = std::fs::read(dir.path().join("performance.csv")).unwrap();
    for out in ["program.ron", "performance.csv"] {
        let r = cli(&["score", "program.ron", "--out", out], dir.path());
        assert!(!r.status.success(), "score over {out} must fail");
        assert!(String::from_utf8_lossy(&r.stderr).contains(out));
    }
    assert_eq!(
        std::fs::read(dir.path().join("performance.csv")).unwrap(),
        before
    );
    assert!(
        std::fs::read_to_string(dir.path().join("program.ron"))
            .unwrap()
            .contains("measures")
    );
}

#[test]
fn score_out_replaces_the_file_atomically_keeping_mode_and_links() {
    let dir = generated();
    let real = dir.path().join("scores-real.csv");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A hard link to the old file keeps the old contents: the new file was written apart and
    // renamed into place, not truncated and rewritten where readers could see half of it.
    let witness = dir.path().join("witness.csv");
    std::fs::hard_link(&real, &witness).unwrap();
    let inode = std::fs::metadata(&real).unwrap().ino();
    std::os::unix::fs::symlink("scores-real.csv", dir.path().join("scores.csv")).unwrap();
    let r = cli(&["score", "program.ron", "--out", "scores.csv"], dir.path());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(written.starts_with("provider_id,"), "{written}");
    assert_eq!(written.lines().count(), 21, "header and 20 providers");
    assert_ne!(std::fs::metadata(&real).unwrap().ino(), inode);
    assert_eq!(std::fs::read_to_string(&witness).unwrap(), "old");
    assert_eq!(mode(&real), 0o600);
    let link = dir.path().join("scores.csv");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn every_export_format_is_named_once() {
    let mut suffixes = Vec::new();
    for f in ExportFormat::ALL {
        assert_eq!(ExportFormat::from_name(f.name()), Some(f));
        assert!(f.suffix().ends_with(f.extension()));
        suffixes.push(f.suffix());
    }
    suffixes.sort_unstable();
    suffixes.dedup();
    assert_eq!(suffixes.len(), ExportFormat::ALL.len());
    assert_eq!(ExportFormat::Html.file_name("prog"), "prog-summary.html");
    assert_eq!(ExportFormat::from_name("pdf"), None);
}

/// A session on a synthetic program with a file and a data file, results computed.
fn session(dir: &Path) -> (Program, Session) {
    let spec = SynthSpec {
        providers: 15,
        measures: 3,
        ..SynthSpec::default()
    };
    let obs = synth::generate(&spec);
    let mut program = synth::program_for(&spec);
    for f in &mut program.data.files {
        f.path = "data.csv".into();
    }
    let path = dir.join("prog.ron");
    std::fs::write(&path, program.to_ron()).unwrap();
    std::fs::write(dir.join("data.csv"), "provider_id\n").unwrap();
    let mut s = Session::new(dir.to_path_buf(), Some(path));
    s.set_observations(&program, obs);
    (program, s)
}

#[test]
fn window_export_uses_the_session_results_and_spares_the_program_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let (program, s) = session(dir.path());
    let out = dir.path().join("payouts.csv");
    export_to(ExportFormat::Csv, &program, &s, &out).unwrap();
    let expected = ExportFormat::Csv
        .render(
            &program,
            s.observations.as_ref().unwrap(),
            s.inputs.as_ref().unwrap(),
            s.results.as_ref().unwrap(),
        )
        .unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    for name in ["prog.ron", "data.csv"] {
        let e = export_to(ExportFormat::Html, &program, &s, &dir.path().join(name)).unwrap_err();
        assert!(e.contains(name), "{e}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data.csv")).unwrap(),
        "provider_id\n"
    );
}

#[test]
fn each_document_has_its_own_recovery_file() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths::new(dir.path().join("app"));
    let a = dir.path().join("a.ron");
    let b = dir.path().join("b.ron");
    for p in [&a, &b] {
        std::fs::write(p, "").unwrap();
    }
    assert_ne!(
        paths.recovery_file_for(Some(&a)),
        paths.recovery_file_for(Some(&b))
    );
    assert_ne!(
        paths.recovery_file_for(Some(&a)),
        paths.recovery_file_for(None)
    );
    // The same document by another name is the same file.
    assert_eq!(
        paths.recovery_file_for(Some(&a)),
        paths.recovery_file_for(Some(&dir.path().join(".").join("a.ron")))
    );
    let pa = Program {
        name: "A".into(),
        ..Program::default()
    };
    let pb = Program {
        name: "B".into(),
        ..Program::default()
    };
    Recovery::new(&pa, Some(&a), dir.path())
        .write(&paths)
        .unwrap();
    Recovery::new(&pb, Some(&b), dir.path())
        .write(&paths)
        .unwrap();
    for (file, name) in [(&a, "A"), (&b, "B")] {
        let text = std::fs::read_to_string(paths.recovery_file_for(Some(file))).unwrap();
        let rec: Recovery = ron::from_str(&text).unwrap();
        assert_eq!(Program::from_ron(&rec.program).unwrap().name, name);
    }
    assert!(Recovery::find(&paths).is_some());
    Recovery::remove(&paths);
    assert!(Recovery::find(&paths).is_none());
}
