//! Program files as people write them by hand: misspelled fields, programs `validate` rejects,
//! and inputs at the edges (nothing to score, no data, empty files). No command may panic or
//! compute money from a program with errors.

mod edges;
mod refuse;
mod unknown_fields;

use p4p_designer::program::{Layout, Program};
use p4p_designer::synth::{self, SynthSpec};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary in `dir` (the command-line tests share it).
pub(crate) fn cli(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small synthetic program and its data in `dir` (program.ron, providers.csv,
/// performance.csv), the program changed by `edit` before it is written.
fn fixture(dir: &Path, edit: impl FnOnce(&mut Program)) -> PathBuf {
    let spec = SynthSpec {
        providers: 25,
        measures: 4,
        ..SynthSpec::default()
    };
    let obs = synth::generate(&spec);
    let mut program = synth::program_for(&spec);
    for f in &mut program.data.files {
        f.path = match f.layout {
            Layout::Providers(_) => "providers.csv".into(),
            _ => "performance.csv".into(),
        };
    }
    p4p_designer::data::write_providers_csv(&obs, &dir.join("providers.csv")).unwrap();
    p4p_designer::data::write_observations_long_csv(&obs, &dir.join("performance.csv")).unwrap();
    edit(&mut program);
    let path = dir.join("program.ron");
    std::fs::write(&path, program.to_ron()).unwrap();
    path
}
