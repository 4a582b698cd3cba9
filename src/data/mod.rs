//! Loading performance and provider data (CSV, Parquet) into the engine's plain columns.
//!
//! The only module that uses polars. Every file is read lazily, a batch of rows at a time (so
//! memory stays bounded), only the mapped columns, IDs as text (they keep leading zeros).
//! Polars casts numeric columns to numbers as it reads; the cells it cannot read plainly are
//! read here one by one, so published values such as "Not Available", "53.50%" or "6 out of
//! 10" read as CMS means them. Bad input gives a [`DataError`] naming the file, data row and
//! column; nothing here panics on any input.

mod cells;
mod csv_shape;
mod error;
pub mod export;
mod guess;
mod inspect;
mod load;
mod long;
pub mod output;
mod patient;
pub mod program_files;
mod providers;
mod source;
mod wide;
mod write;

pub use error::{CellRef, DataError};
pub use guess::{
    ImportGuess, PeriodGuess, UNSTATED_PERIOD, ValueKind, WideName, guess_import, guess_mapping,
    measure_match, parse_wide_name,
};
pub use inspect::{FileInfo, PREVIEW_ROWS, csv_delimiter, inspect_file};
pub use load::{LoadProgress, load_program_data, load_program_data_with_progress};
pub use output::{ensure_not_input, write_atomic, write_atomic_with};
pub use program_files::{
    FileError, OutsidePath, check_program, input_files, load_data, outside_data, read_program,
    refusal,
};
pub use source::{BATCH_ROWS, FileFormat};
pub use write::{
    long_csv_mapping, observations_long_csv, providers_csv_mapping, write_observations_long_csv,
    write_observations_long_dataset, write_observations_long_parquet, write_providers_csv,
};
