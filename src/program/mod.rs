//! The program document: everything the seven design steps produce, saved as RON.
//!
//! Serde types with defaults, look-ups and (de)serialisation; the rules about the plan (step
//! checks, calendar, gap totals, consistent edits) are in [`plan`].

mod data_sources;
mod decisions;
mod design;
mod equity;
mod measures;
mod parameters;
mod payment;
pub mod plan;
mod scoring;
pub mod sql;
mod standards;
mod validate;

pub use data_sources::*;
pub use decisions::*;
pub use design::*;
pub use equity::*;
pub use measures::*;
pub use parameters::*;
pub use payment::*;
pub use scoring::*;
pub use standards::*;
pub use validate::*;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The document format this build writes. Files with a higher number were written by a newer
/// build and are refused rather than misread.
pub const FORMAT_VERSION: u32 = 1;

/// A complete pay-for-performance program design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Program {
    pub format_version: u32,
    pub name: String,
    pub description: String,
    /// Step 1: who the program serves.
    pub population: Population,
    /// Service areas accountable for measures (primary care, behavioural health, hospital…).
    pub service_areas: Vec<ServiceArea>,
    /// Candidate and chosen measures (steps 1, 2 and 4).
    pub measures: Vec<Measure>,
    /// Step 2: which service area is accountable for which measure.
    pub crosswalk: Vec<CrosswalkEntry>,
    /// Step 3: data-collection and infrastructure requirements and their gaps.
    pub gaps: Vec<GapItem>,
    /// Step 4: participation → reporting → performance → success.
    pub phases: Vec<Phase>,
    /// Step 5: periods, thresholds and benchmarks.
    pub standards: Standards,
    /// How measure results become points, domain scores and a total score.
    pub scoring: Scoring,
    /// Step 6: the pool and how it is distributed.
    pub payment: Payment,
    /// Step 7: implementation notes and monitoring settings.
    pub implementation: Implementation,
    /// Where the performance and provider data come from, and how their columns map.
    pub data: DataSources,
    /// Named what-if variants of this design, compared side by side.
    pub scenarios: Vec<Scenario>,
    /// The decision log of design workshops, oldest first. Absent from files without one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            format_version: FORMAT_VERSION,
            name: "Untitled program".into(),
            description: String::new(),
            population: Population::default(),
            service_areas: Vec::new(),
            measures: Vec::new(),
            crosswalk: Vec::new(),
            gaps: Vec::new(),
            phases: Vec::new(),
            standards: Standards::default(),
            scoring: Scoring::default(),
            payment: Payment::default(),
            implementation: Implementation::default(),
            data: DataSources::default(),
            scenarios: Vec::new(),
            decisions: Vec::new(),
        }
    }
}

/// Why a program document could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgramError {
    /// The text is not a valid program; `line` and `column` are 1-based.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The file was written by a newer version of p4p-designer.
    TooNew { found: u32, supported: u32 },
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgramError::Syntax {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            ProgramError::TooNew { found, supported } => write!(
                f,
                "format_version {found} was written by a newer p4p-designer (this one reads up to {supported})"
            ),
        }
    }
}

impl std::error::Error for ProgramError {}

/// The `format_version` written in a document, found without parsing the rest: a newer file
/// must be refused before its body is misread.
fn declared_version(text: &str) -> Option<u32> {
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if let Some(at) = code.find("format_version") {
            let rest = code[at + "format_version".len()..].trim_start();
            let digits: String = rest
                .strip_prefix(':')?
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            return digits.parse().ok();
        }
    }
    None
}

/// Every document type refuses fields it does not know (`deny_unknown_fields`): a misspelled
/// section must not be dropped in silence and replaced by defaults that pay real money.
fn syntax_error(e: ron::error::SpannedError) -> ProgramError {
    use ron::error::Error;
    let message = match &e.code {
        Error::NoSuchStructField {
            expected,
            found,
            outer,
        } => unknown_name("field", found, outer.as_deref(), expected),
        Error::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => unknown_name("choice", found, outer.as_deref(), expected),
        code => code.to_string(),
    };
    ProgramError::Syntax {
        line: e.span.start.line,
        column: e.span.start.col,
        message,
    }
}

/// "unknown field `paymnet` in Program; did you mean `payment`? (expected one of …)".
fn unknown_name(what: &str, found: &str, outer: Option<&str>, expected: &[&str]) -> String {
    let mut s = format!("unknown {what} `{found}`");
    if let Some(outer) = outer {
        s.push_str(&format!(" in {outer}"));
    }
    if let Some(best) = closest(found, expected) {
        s.push_str(&format!("; did you mean `{best}`?"));
    }
    if !expected.is_empty() {
        let list: Vec<String> = expected.iter().map(|n| format!("`{n}`")).collect();
        s.push_str(&format!(" (expected one of {})", list.join(", ")));
    }
    s
}

/// The candidate nearest to `found`, when it is near enough to be a slip of the keyboard: at
/// most a third of the word's letters changed (at least one), or the same word in another case.
pub fn closest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let allowed = (found.chars().count() / 3).max(1);
    let lower = found.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            let d = if c.to_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &c.to_lowercase())
            };
            (d, *c)
        })
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbouring
/// letters (optimal string alignment), each as one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (i, row) in d.chunks_mut(w).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

impl Program {
    /// Parses a program from RON text, refusing files from a newer format version.
    pub fn from_ron(text: &str) -> Result<Program, ProgramError> {
        let opts = ron_options();
        if let Some(found) = declared_version(text)
            && found > FORMAT_VERSION
        {
            return Err(ProgramError::TooNew {
                found,
                supported: FORMAT_VERSION,
            });
        }
        let mut program: Program = opts.from_str(text).map_err(syntax_error)?;
        program.migrate();
        Ok(program)
    }

    /// Writes the program as pretty RON.
    pub fn to_ron(&self) -> String {
        let pretty = ron::ser::PrettyConfig::new()
            .depth_limit(8)
            .struct_names(false)
            .separate_tuple_members(false)
            .enumerate_arrays(false);
        ron_options()
            .to_string_pretty(self, pretty)
            .expect("a Program always serialises")
    }

    /// Brings a document from an older format version up to date.
    fn migrate(&mut self) {
        // Version 1 is the first; later versions add their steps here.
        self.format_version = FORMAT_VERSION;
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn measure_mut(&mut self, id: &str) -> Option<&mut Measure> {
        self.measures.iter_mut().find(|m| m.id == id)
    }

    /// Measures that take part in scoring: the vital few, in document order.
    pub fn scored_measures(&self) -> impl Iterator<Item = &Measure> {
        self.measures.iter().filter(|m| m.vital_few)
    }
}
