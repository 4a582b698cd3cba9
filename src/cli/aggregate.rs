//! `aggregate`: a program's patient-level file summed per provider × measure × period, as the
//! long CSV the program can read instead, or as the SQL query that does the same in a
//! warehouse.

use std::path::PathBuf;

use super::{Failure, check_output, write_out};
use crate::data::{csv_delimiter, input_files, observations_long_csv, read_program};
use crate::program::sql::{SqlSource, aggregation_sql, patient_files, table_name};
use crate::program::{PatientMapping, Program};

#[derive(clap::Args, Debug, Clone)]
pub struct AggregateArgs {
    /// The program document (.ron) with a patient-level data file.
    pub program: PathBuf,
    /// Print the aggregation as an SQL query (Spark SQL, DuckDB) instead of running it.
    #[arg(long)]
    pub sql: bool,
    /// With --sql: the table or view the query reads the patient rows from (default: the
    /// file's name without its extension).
    #[arg(long)]
    pub table: Option<String>,
    /// The patient-level file to aggregate, as the program names it, when it has several.
    #[arg(long)]
    pub file: Option<String>,
    /// Read the program's data files, by the same file names, from this folder.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Write the CSV (or the query) here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The patient-level file to aggregate: `wanted`, or the program's only one.
fn chosen<'p>(
    program: &'p Program,
    wanted: Option<&str>,
) -> Result<(usize, &'p str, &'p PatientMapping), String> {
    let files = patient_files(&program.data);
    let names = || {
        files
            .iter()
            .map(|(_, p, _)| *p)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(w) => files
            .iter()
            .find(|(_, p, _)| *p == w)
            .copied()
            .ok_or_else(|| {
                format!(
                    "{w} is not a patient-level file of this program; its patient-level files: {}",
                    if files.is_empty() {
                        "none".to_owned()
                    } else {
                        names()
                    }
                )
            }),
        None => match files.as_slice() {
            [] => Err("the program has no patient-level data file to aggregate".into()),
            [one] => Ok(*one),
            _ => Err(format!(
                "the program has several patient-level files ({}); choose one with --file",
                names()
            )),
        },
    }
}

pub fn aggregate(args: &AggregateArgs) -> Result<(), Failure> {
    let path = &args.program;
    let program = read_program(path)?;
    let (index, file, mapping) = chosen(&program, args.file.as_deref())
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let data_dir = args.data_dir.as_deref();
    if let Some(out) = &args.out {
        check_output(out, &program, path, data_dir)?;
    }
    let mut only = program.clone();
    only.data.files = vec![program.data.files[index].clone()];
    super::check_outside_data(path, &only, data_dir)?;
    if args.sql {
        let table = args.table.clone().unwrap_or_else(|| table_name(file));
        // Only the header line is read, to know how the file writes decimals; the data may
        // well not be on this machine at all.
        let local = input_files(&only, path, data_dir).into_iter().nth(1);
        let decimal_comma = local.as_deref().and_then(csv_delimiter) == Some(';');
        let sql = aggregation_sql(&SqlSource {
            table: &table,
            file,
            mapping,
            missing_values: &program.data.missing_values,
            decimal_comma,
        });
        return write_out(sql.as_bytes(), args.out.as_deref());
    }
    let obs = crate::data::load_data(&only, path, data_dir)?;
    let csv = observations_long_csv(&obs)?;
    write_out(&csv, args.out.as_deref())
}
