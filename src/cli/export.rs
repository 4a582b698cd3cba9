//! `p4p-designer export`: payouts, the audit trail and the program summary, from the command
//! line, through the same formats and writer as the window.

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::{Failure, check_output, write_out};
use crate::data::read_program;
use crate::engine;
use crate::report::ExportFormat;

/// Parses `--format` into an [`ExportFormat`], listing every format in `--help`.
pub fn format_parser() -> impl TypedValueParser<Value = ExportFormat> {
    PossibleValuesParser::new(
        ExportFormat::ALL.map(|f| PossibleValue::new(f.name()).help(f.help())),
    )
    .try_map(|name| ExportFormat::from_name(&name).ok_or("unknown format"))
}

/// The file a binary export goes to without `--out`: `<program stem>-<suffix>` in the current
/// folder.
pub fn default_out(program: &Path, format: ExportFormat) -> PathBuf {
    let stem = program
        .file_stem()
        .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format.file_name(&stem))
}

/// Runs the export. Text formats go to standard output without `--out`; binary formats go to
/// [`default_out`]. Files are written atomically, never over the program or its data.
pub fn export(
    program_path: &Path,
    format: ExportFormat,
    out: Option<&Path>,
    data_dir: Option<&Path>,
) -> Result<(), Failure> {
    export_against(program_path, format, out, data_dir, None)
}

/// As [`export`]; the payouts workbook also shows each payment's change against the program's
/// scenario named `reference`.
pub fn export_against(
    program_path: &Path,
    format: ExportFormat,
    out: Option<&Path>,
    data_dir: Option<&Path>,
    reference: Option<&str>,
) -> Result<(), Failure> {
    let program = read_program(program_path)?;
    let scenario = match reference {
        None => None,
        Some(name) => Some(
            program
                .scenarios
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| {
                    Failure(
                        engine::UnknownScenario {
                            name: name.to_owned(),
                            known: program.scenarios.iter().map(|s| s.name.clone()).collect(),
                        }
                        .to_string(),
                    )
                })?,
        ),
    };
    let target = match out {
        Some(p) => Some(p.to_path_buf()),
        None if format.is_binary() => Some(default_out(program_path, format)),
        None => None,
    };
    if let Some(path) = &target {
        check_output(path, &program, program_path, data_dir)?;
    }
    let obs = super::read_data(&program, program_path, data_dir)?;
    super::refuse_invalid(program_path, &program, &obs)?;
    let (inputs, results) = engine::run(&program, &obs);
    let reference = scenario.map(|s| crate::report::Reference {
        label: format!("scenario “{}”", s.name),
        results: engine::run(&s.apply(&program), &obs).1,
    });
    let buf = format.render_with(&program, &obs, &inputs, &results, reference.as_ref())?;
    write_out(&buf, target.as_deref())?;
    if let Some(path) = target {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
