//! Program files as people write them by hand: misspelled fields, programs `validate` rejects,
//! and inputs at the edges (nothing to score, no data, empty files). No command may panic or
//! compute money from a program with errors.

mod unknown_fields;
