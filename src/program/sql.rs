//! The patient-to-provider aggregation of a patient-level file as one SQL query, for data that
//! lives in a warehouse (Spark, DuckDB) rather than on this machine.
//!
//! The query applies the same rules as the built-in loader (`data/patient.rs`): a patient
//! counts in the numerator, exclusions and expected events only when in the denominator; an
//! excluded patient leaves the eligible denominator, so it counts in neither the numerator nor
//! the expected events; an empty cell or one of the program's missing-value codes is "no" in a
//! flag column and "no value" elsewhere. Its result has the columns of the long file
//! `p4p-designer aggregate` writes, so the same long mapping reads either.
//!
//! Only what Spark SQL, DuckDB and polars all read: `WITH`, `CASE`, `CAST`, `TRIM`, `LOWER`,
//! `REPLACE`, `SUM`, `COUNT(DISTINCT …)`. Pure text: no polars.

use super::{DataSources, PatientMapping};

/// The long columns the query returns, in order (the same as the long CSV the built-in
/// aggregation writes), then `refused_rows`.
pub const LONG_COLUMNS: [&str; 8] = [
    "provider_id",
    "measure_id",
    "period",
    "numerator",
    "denominator",
    "rate",
    "exclusions",
    "expected",
];

/// The column counting, per provider × measure × period, the rows the built-in loader refuses.
pub const REFUSED_COLUMN: &str = "refused_rows";

/// What the query reads and how its cells are written.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlSource<'a> {
    /// The table (or view) holding the patient-level rows.
    pub table: &'a str,
    /// The file it was loaded from, named in the query's comment.
    pub file: &'a str,
    pub mapping: &'a PatientMapping,
    /// Cell values that mean "no value", as the program lists them.
    pub missing_values: &'a [String],
    /// The file writes `0,75` for 0.75 (a `;`-separated file).
    pub decimal_comma: bool,
}

/// A table name for `file`'s rows: its file name without the extension, lower case, anything
/// but letters, digits and `_` as `_` (so it needs no quoting anywhere).
pub fn table_name(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert_str(0, "t_");
    }
    if is_reserved(&name) {
        name.push('_');
    }
    name
}

/// Words that cannot stand as a bare column name in one of the engines (the SQL standard's
/// reserved words that a data column is likely to be called, and those Spark's ANSI mode
/// refuses).
const RESERVED: &[&str] = &[
    "all",
    "and",
    "as",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "column",
    "create",
    "cross",
    "current",
    "date",
    "day",
    "distinct",
    "else",
    "end",
    "except",
    "false",
    "from",
    "full",
    "group",
    "having",
    "hour",
    "in",
    "inner",
    "interval",
    "is",
    "join",
    "left",
    "like",
    "month",
    "not",
    "null",
    "on",
    "or",
    "order",
    "right",
    "select",
    "table",
    "then",
    "time",
    "timestamp",
    "true",
    "union",
    "user",
    "values",
    "when",
    "where",
    "with",
    "year",
];

fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name.to_ascii_lowercase().as_str())
}

/// A column name as the query writes it: bare when it is a plain name every engine reads
/// without quotes, else in double quotes (the SQL standard's identifier quotes; Spark reads
/// them with `spark.sql.ansi.doubleQuotedIdentifiers` on).
pub fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain && !is_reserved(name) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Whether a name needs double quotes (see [`ident`]).
pub fn needs_quotes(name: &str) -> bool {
    ident(name) != name
}

/// A string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The condition that a text expression holds no value: NULL, blank, or a missing-value code
/// (compared trimmed and ignoring case, as the loader compares them).
fn is_missing(t: &str, codes: &[String]) -> String {
    let mut c = format!("{t} IS NULL OR TRIM({t}) = ''");
    if !codes.is_empty() {
        let list: Vec<String> = codes.iter().map(|m| literal(m)).collect();
        c.push_str(&format!(" OR LOWER(TRIM({t})) IN ({})", list.join(", ")));
    }
    c
}

/// The program's codes as the query compares them: trimmed, lower case, each once.
fn codes(missing_values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in missing_values {
        let m = m.trim().to_lowercase();
        if !m.is_empty() && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// A flag: 1, 0, or NULL when the cell is not a yes/no value the loader accepts.
fn flag(t: &str, codes: &[String]) -> String {
    format!(
        "CASE WHEN {} THEN 0 \
         WHEN LOWER(TRIM({t})) IN ('1', 'true', 't', 'yes', 'y', '1.0') THEN 1 \
         WHEN LOWER(TRIM({t})) IN ('0', 'false', 'f', 'no', 'n', '0.0') THEN 0 \
         ELSE NULL END",
        is_missing(t, codes)
    )
}

/// An ID, measure or period: trimmed, NULL when missing.
fn key(t: &str, codes: &[String]) -> String {
    format!(
        "CASE WHEN {} THEN NULL ELSE TRIM({t}) END",
        is_missing(t, codes)
    )
}

/// A number: NULL when missing.
fn number(t: &str, codes: &[String], decimal_comma: bool) -> String {
    let text = if decimal_comma {
        format!("REPLACE(TRIM({t}), ',', '.')")
    } else {
        format!("TRIM({t})")
    };
    // The text is nulled before the cast: an engine may evaluate both branches of a CASE.
    format!(
        "CAST(CASE WHEN {} THEN NULL ELSE {text} END AS DOUBLE)",
        is_missing(t, codes)
    )
}

/// The aggregation query for one patient-level file.
pub fn aggregation_sql(s: &SqlSource<'_>) -> String {
    let m = s.mapping;
    let codes = codes(s.missing_values);
    let text = |c: &str| format!("CAST({} AS STRING)", ident(c));
    let mut sql = String::new();
    let mapped = m.read_columns();
    let quoted = mapped.into_iter().flatten().any(needs_quotes);

    sql.push_str(&format!(
        "-- Patient-level rows of {} summed per provider × measure × period, by the rules of\n\
         -- p4p-designer's own loader. Register the rows as the table or view {} first, every\n\
         -- column read as text (DuckDB: read_csv(..., all_varchar = true); Spark: the CSV\n\
         -- reader's default). The result is the long file p4p-designer reads.\n\
         -- A number must be written plainly (0.25, not 25% or $1,200).\n\
         -- {REFUSED_COLUMN} counts rows p4p-designer's loader refuses (a value that is not a\n\
         -- yes/no flag, a missing or negative expected value, a patient given twice, a missing\n\
         -- ID): fix them where it is not 0.\n",
        s.file.replace('\n', " "),
        s.table
    ));
    if quoted {
        sql.push_str(
            "-- Column names in double quotes need, on Spark, spark.sql.ansi.enabled and\n\
             -- spark.sql.ansi.doubleQuotedIdentifiers set to true.\n",
        );
    }

    // 1. Every mapped column as text.
    let mut cells = vec![
        format!("{} AS c_patient", text(&m.patient_id)),
        format!("{} AS c_provider", text(&m.provider_id)),
        format!("{} AS c_measure", text(&m.measure_id)),
        format!("{} AS c_period", text(&m.period)),
        format!("{} AS c_den", text(&m.in_denominator)),
        format!("{} AS c_num", text(&m.in_numerator)),
    ];
    if let Some(c) = &m.excluded {
        cells.push(format!("{} AS c_excl", text(c)));
    }
    if let Some(c) = &m.expected {
        cells.push(format!("{} AS c_exp", text(c)));
    }
    sql.push_str("WITH cells AS (\n  SELECT\n    ");
    sql.push_str(&cells.join(",\n    "));
    sql.push_str(&format!("\n  FROM {}\n),\n", s.table));

    // 2. Parsed values.
    let parsed = [
        format!("{} AS patient", key("c_patient", &codes)),
        format!("{} AS provider", key("c_provider", &codes)),
        format!("{} AS measure", key("c_measure", &codes)),
        format!("{} AS period", key("c_period", &codes)),
        format!("{} AS in_den", flag("c_den", &codes)),
        format!("{} AS in_num", flag("c_num", &codes)),
        match &m.excluded {
            Some(_) => format!("{} AS excluded", flag("c_excl", &codes)),
            None => "0 AS excluded".to_owned(),
        },
        match &m.expected {
            Some(_) => format!("{} AS expected", number("c_exp", &codes, s.decimal_comma)),
            None => "CAST(NULL AS DOUBLE) AS expected".to_owned(),
        },
    ];
    sql.push_str("parsed AS (\n  SELECT\n    ");
    sql.push_str(&parsed.join(",\n    "));
    sql.push_str("\n  FROM cells\n),\n");

    // 3. Each row's part in the sums, and whether the loader would refuse it.
    let missing_expected = if m.expected.is_some() {
        " OR (in_den = 1 AND excluded = 0 AND expected IS NULL)"
    } else {
        ""
    };
    sql.push_str(&format!(
        "counted AS (\n  SELECT\n    provider,\n    measure,\n    period,\n    patient,\n    \
         CASE WHEN in_den = 1 THEN 1 ELSE 0 END AS den,\n    \
         CASE WHEN in_den = 1 AND excluded = 0 AND in_num = 1 THEN 1 ELSE 0 END AS num,\n    \
         CASE WHEN in_den = 1 AND excluded = 1 THEN 1 ELSE 0 END AS excl,\n    \
         CASE WHEN in_den = 1 AND excluded = 0 AND expected IS NOT NULL THEN expected \
         ELSE 0 END AS exp,\n    \
         CASE WHEN patient IS NULL OR provider IS NULL OR measure IS NULL OR period IS NULL \
         OR in_den IS NULL OR in_num IS NULL OR excluded IS NULL \
         OR expected < 0 OR expected >= 1000000000000{missing_expected} THEN 1 ELSE 0 END AS refused\n  \
         FROM parsed\n)\n"
    ));

    // 4. The sums, in the long file's columns.
    let exclusions = if m.excluded.is_some() {
        "SUM(excl)"
    } else {
        "CAST(NULL AS DOUBLE)"
    };
    let expected = if m.expected.is_some() {
        "SUM(exp)"
    } else {
        "CAST(NULL AS DOUBLE)"
    };
    sql.push_str(&format!(
        "SELECT\n  provider AS provider_id,\n  measure AS measure_id,\n  period AS period,\n  \
         SUM(num) AS numerator,\n  SUM(den) AS denominator,\n  CAST(NULL AS DOUBLE) AS rate,\n  \
         {exclusions} AS exclusions,\n  {expected} AS expected,\n  \
         SUM(refused) + COUNT(patient) - COUNT(DISTINCT patient) AS {REFUSED_COLUMN}\n\
         FROM counted\nGROUP BY provider, measure, period\n\
         ORDER BY measure_id, period, provider_id\n"
    ));
    sql
}

/// The patient-level files of a program's data, with their position among its files.
pub fn patient_files(data: &DataSources) -> Vec<(usize, &str, &PatientMapping)> {
    data.files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match &f.layout {
            super::Layout::PatientLevel(m) => Some((i, f.path.as_str(), m)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(m: &'a PatientMapping, codes: &'a [String]) -> SqlSource<'a> {
        SqlSource {
            table: "patients",
            file: "data/patients.csv",
            mapping: m,
            missing_values: codes,
            decimal_comma: false,
        }
    }

    #[test]
    fn identifiers_are_bare_only_when_plain() {
        assert_eq!(ident("provider_id"), "provider_id");
        assert_eq!(ident("Provider ID"), "\"Provider ID\"");
        assert_eq!(ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(ident("1st"), "\"1st\"");
        assert_eq!(ident("order"), "\"order\"");
        assert_eq!(ident("Date"), "\"Date\"");
        assert_eq!(ident(""), "\"\"");
        assert!(!needs_quotes("in_numerator"));
    }

    #[test]
    fn table_names_need_no_quotes() {
        assert_eq!(table_name("data/Patients 2025.csv"), "patients_2025");
        assert_eq!(table_name("2025.parquet"), "t_2025");
        assert_eq!(table_name("/x/order.csv"), "order_");
        assert_eq!(table_name(""), "t_");
    }

    #[test]
    fn query_follows_the_mapping_and_codes() {
        let m = PatientMapping {
            patient_id: "Patient ID".into(),
            excluded: Some("excluded".into()),
            expected: Some("expected".into()),
            ..PatientMapping::default()
        };
        let codes = vec!["NA".to_owned(), " it's ".to_owned(), "na".to_owned()];
        let sql = aggregation_sql(&source(&m, &codes));
        assert!(
            sql.contains("CAST(\"Patient ID\" AS STRING) AS c_patient"),
            "{sql}"
        );
        assert!(
            sql.contains("CAST(provider_id AS STRING) AS c_provider"),
            "{sql}"
        );
        // Codes compared in lower case, each once, quotes doubled.
        assert!(
            sql.contains("LOWER(TRIM(c_den)) IN ('na', 'it''s')"),
            "{sql}"
        );
        assert!(sql.contains("doubleQuotedIdentifiers"), "{sql}");
        assert!(sql.contains("SUM(excl) AS exclusions"), "{sql}");
        assert!(sql.contains("SUM(exp) AS expected"), "{sql}");
        assert!(sql.contains("expected IS NULL)"), "{sql}");
        assert!(sql.contains("FROM patients\n"), "{sql}");
        // No backticks, no dialect-only functions.
        for word in ["`", "TRY_CAST", "IFF(", "NVL", "IFNULL", "::"] {
            assert!(!sql.contains(word), "{word} in {sql}");
        }
    }

    #[test]
    fn unmapped_columns_give_empty_sums() {
        let m = PatientMapping::default();
        let sql = aggregation_sql(&source(&m, &[]));
        assert!(sql.contains("0 AS excluded"), "{sql}");
        assert!(sql.contains("CAST(NULL AS DOUBLE) AS exclusions"), "{sql}");
        assert!(sql.contains("CAST(NULL AS DOUBLE) AS expected,"), "{sql}");
        assert!(!sql.contains(" IN ()"), "{sql}");
        assert!(!sql.contains("doubleQuotedIdentifiers"), "{sql}");
        assert!(!sql.contains("expected IS NULL)"), "{sql}");
    }

    #[test]
    fn decimal_comma_files_read_commas_as_points() {
        let m = PatientMapping {
            expected: Some("e".into()),
            ..PatientMapping::default()
        };
        let mut s = source(&m, &[]);
        assert!(!aggregation_sql(&s).contains("REPLACE"));
        s.decimal_comma = true;
        assert!(aggregation_sql(&s).contains("ELSE REPLACE(TRIM(c_exp), ',', '.') END AS DOUBLE)"));
    }
}
