//! A program file from someone else: data paths that leave its folder (absolute, `..`, a
//! symbolic link) are listed before anything is read, refused on request, and confirmed once
//! in the window; and messages quote only an excerpt of a file.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use p4p_designer::app::OUTSIDE_DATA_TITLE;
use p4p_designer::data::{load_program_data, outside_data, read_program};
use p4p_designer::program::{DataFile, Layout, LongMapping, PatientMapping, Program};
use std::path::Path;

use crate::robust::cli;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A generated program in `d/prog` whose performance file is moved to `d/other`, and whose
/// providers file is moved to `d/elsewhere`; the caller points the program at them.
fn scattered(d: &Path) -> Program {
    let o = cli(&["generate", "--out", "prog", "--providers", "20"], d);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::create_dir_all(d.join("other")).unwrap();
    std::fs::create_dir_all(d.join("elsewhere")).unwrap();
    std::fs::rename(
        d.join("prog/performance.csv"),
        d.join("other/performance.csv"),
    )
    .unwrap();
    std::fs::rename(
        d.join("prog/providers.csv"),
        d.join("elsewhere/providers.csv"),
    )
    .unwrap();
    read_program(&d.join("prog/program.ron")).unwrap()
}

fn point(program: &mut Program, providers: &str, performance: &str) {
    for f in &mut program.data.files {
        f.path = match f.layout {
            Layout::Providers(_) => providers.to_owned(),
            _ => performance.to_owned(),
        };
    }
}

#[test]
fn the_cli_lists_outside_paths_before_reading_and_refuses_them_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut program = scattered(d);
    let providers_abs = d.join("elsewhere/providers.csv");
    point(
        &mut program,
        &providers_abs.display().to_string(),
        "../other/performance.csv",
    );
    std::fs::write(d.join("prog/program.ron"), program.to_ron()).unwrap();

    let o = cli(&["validate", "prog/program.ron"], d);
    let err = text(&o.stderr);
    let out = text(&o.stdout);
    let real = |p: &str| {
        std::fs::canonicalize(d.join(p))
            .unwrap()
            .display()
            .to_string()
    };
    for (path, how, to) in [
        (
            providers_abs.display().to_string(),
            "an absolute path",
            real("elsewhere/providers.csv"),
        ),
        (
            "../other/performance.csv".to_owned(),
            "a path through ..",
            real("other/performance.csv"),
        ),
    ] {
        let line = format!("data file {path} ({how}) is read from {to}, outside");
        assert!(err.contains(&line), "{line} not in {err}");
        assert!(out.contains(&line), "validate's warnings: {out}");
    }
    assert!(o.status.success(), "{err}");

    // Refused: nothing is read or computed.
    let o = cli(&["score", "prog/program.ron", "--no-outside-data"], d);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("2 data file(s) outside the program's folder, refused"));
    assert!(o.stdout.is_empty());

    // A symbolic link inside the folder to a file outside it.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            d.join("other/performance.csv"),
            d.join("prog/performance.csv"),
        )
        .unwrap();
        std::fs::rename(
            d.join("elsewhere/providers.csv"),
            d.join("prog/providers.csv"),
        )
        .unwrap();
        point(&mut program, "providers.csv", "performance.csv");
        std::fs::write(d.join("prog/program.ron"), program.to_ron()).unwrap();
        let o = cli(&["score", "prog/program.ron"], d);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.contains(&format!(
                "data file performance.csv (a symbolic link) is read from {}",
                real("other/performance.csv")
            )),
            "{err}"
        );
        assert!(!err.contains("providers.csv"), "{err}");
        let outside = outside_data(&program, &d.join("prog/program.ron"), None);
        assert_eq!(outside.len(), 1);
    }
}

#[test]
fn a_file_starting_with_a_quote_is_not_echoed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let marker = "SECRET-LINE-THAT-MUST-NOT-BE-SHOWN";
    let mut body = String::from("\"provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..200 {
        body.push_str(&format!("{i},M,2025,1,2 {marker}\n"));
    }
    std::fs::write(dir.path().join("q.csv"), &body).unwrap();
    let mut program = Program::default();
    program.data.files = vec![DataFile {
        path: "q.csv".into(),
        layout: Layout::Long(LongMapping::default()),
    }];
    let e = load_program_data(&program, dir.path())
        .unwrap_err()
        .to_string();
    assert!(!e.contains(marker), "{e}");
    assert!(e.len() < 800, "{} characters: {e}", e.len());

    // A quoted cell of many lines given twice: the duplicate message quotes an excerpt.
    let cell = format!("\"{}\"", format!("{marker}\n").repeat(300));
    let rows = format!(
        "patient_id,provider_id,measure_id,period,denominator,numerator\n\
         p1,{cell},M,2025,1,1\np1,{cell},M,2025,1,1\n"
    );
    std::fs::write(dir.path().join("p.csv"), rows).unwrap();
    program.data.files = vec![DataFile {
        path: "p.csv".into(),
        layout: Layout::PatientLevel(PatientMapping::default()),
    }];
    let e = load_program_data(&program, dir.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("duplicate patient p1"), "{e}");
    assert!(e.matches(marker).count() < 10, "{e}");
    assert!(e.len() < 800, "{} characters: {e}", e.len());
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn the_window_asks_before_reading_outside_data_and_remembers_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let app_files = tempfile::tempdir().unwrap();
    let mut program = scattered(d);
    point(
        &mut program,
        "../elsewhere/providers.csv",
        "../other/performance.csv",
    );
    let path = d.join("prog/program.ron");
    std::fs::write(&path, program.to_ron()).unwrap();

    let mut h = crate::app::harness(Some(path.clone()), app_files.path());
    assert_eq!(h.state().modal_title().as_deref(), Some(OUTSIDE_DATA_TITLE));
    assert!(!h.state().is_loading());
    assert!(h.state().session.observations.is_none());
    h.get_by_label_contains("../other/performance.csv");
    h.get_by_label_contains(
        &std::fs::canonicalize(d.join("other/performance.csv"))
            .unwrap()
            .display()
            .to_string(),
    );
    h.get_by_role_and_label(Role::Button, "Don't read").click();
    crate::app::settle(&mut h);
    assert_eq!(h.state().modal_title(), None);
    assert!(h.state().session.observations.is_none());
    assert!(
        h.state()
            .status_message()
            .unwrap()
            .contains("Data not read")
    );
    drop(h);

    // Asked again next time, until confirmed; then loaded, and not asked again.
    let mut h = crate::app::harness(Some(path.clone()), app_files.path());
    assert_eq!(h.state().modal_title().as_deref(), Some(OUTSIDE_DATA_TITLE));
    h.get_by_role_and_label(Role::Button, "Read").click();
    crate::app::settle(&mut h);
    assert_eq!(h.state().modal_title(), None);
    let providers = h
        .state()
        .session
        .observations
        .as_ref()
        .map(|o| o.provider_count());
    assert_eq!(providers, Some(20));
    drop(h);
    let h = crate::app::harness(Some(path.clone()), app_files.path());
    assert_eq!(h.state().modal_title(), None);
    assert!(h.state().session.observations.is_some());
    drop(h);

    // Someone replaces the file: asked again.
    let mut changed = program.clone();
    changed.name.push_str(" (changed)");
    std::fs::write(&path, changed.to_ron()).unwrap();
    let h = crate::app::harness(Some(path), app_files.path());
    assert_eq!(h.state().modal_title().as_deref(), Some(OUTSIDE_DATA_TITLE));
    assert!(h.state().session.observations.is_none());
}
