//! A misspelled section is an error naming the field, its line and column, with a suggestion.

use p4p_designer::program::{Program, ProgramError, closest, edit_distance};

fn syntax(text: &str) -> (usize, usize, String) {
    match Program::from_ron(text) {
        Err(ProgramError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn misspelled_section_names_field_line_column_and_suggestion() {
    let text = "(\n    name: \"x\",\n    paymnet: (pool: Fixed(cents: 5)),\n)";
    let (line, column, message) = syntax(text);
    assert_eq!(line, 3, "{message}");
    assert_eq!(column, 5, "{message}");
    assert!(message.contains("`paymnet`"), "{message}");
    assert!(message.contains("did you mean `payment`?"), "{message}");
    let shown = Program::from_ron(text).unwrap_err().to_string();
    assert!(shown.starts_with("line 3, column 5: "), "{shown}");
}

#[test]
fn misspelled_nested_field_is_refused_not_defaulted() {
    // Without the refusal, HVBP's 2% withhold silently became a $1M fixed pool.
    let (line, column, message) =
        syntax("(\n  payment: (\n    pol: Withhold(percent: 2.0),\n  ),\n)");
    assert_eq!((line, column), (3, 5), "{message}");
    assert!(message.contains("unknown field `pol`"), "{message}");
    assert!(message.contains("did you mean `pool`?"), "{message}");
}

#[test]
fn misspelled_field_inside_a_choice_and_a_misspelled_choice() {
    let (_, _, message) = syntax("(payment: (pool: Fixed(cent: 5)))");
    assert!(message.contains("did you mean `cents`?"), "{message}");
    let (_, _, message) = syntax("(payment: (distribution: ShareOfPol))");
    assert!(message.contains("`ShareOfPol`"), "{message}");
    assert!(message.contains("did you mean `ShareOfPool`?"), "{message}");
    let (_, _, message) = syntax("(measures: [(id: \"m\", vital_fwe: true)])");
    assert!(message.contains("did you mean `vital_few`?"), "{message}");
    let (_, _, message) = syntax("(standards: (threshold: Percentile(p: 50.0, off: Baseline)))");
    assert!(message.contains("did you mean `of`?"), "{message}");
}

#[test]
fn an_unrelated_field_gets_no_suggestion_but_the_list() {
    let (_, _, message) = syntax("(colour: \"red\")");
    assert!(message.contains("unknown field `colour`"), "{message}");
    assert!(!message.contains("did you mean"), "{message}");
    assert!(message.contains("`payment`"), "{message}");
}

#[test]
fn nearest_name_by_edit_distance() {
    assert_eq!(edit_distance("paymnet", "payment"), 1);
    assert_eq!(edit_distance("pol", "pool"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(closest("pol", &["payment", "pool"]), Some("pool"));
    assert_eq!(closest("Payment", &["payment", "pool"]), Some("payment"));
    assert_eq!(closest("xyz", &["payment", "pool"]), None);
}

#[test]
fn sample_programs_and_saved_programs_still_load() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_programs");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let text = std::fs::read_to_string(&path).unwrap();
            let p = Program::from_ron(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(Program::from_ron(&p.to_ron()).unwrap(), p);
            n += 1;
        }
    }
    assert!(n >= 2, "{n}");
    let spec = p4p_designer::synth::SynthSpec::default();
    let p = p4p_designer::synth::program_for(&spec);
    assert_eq!(Program::from_ron(&p.to_ron()).unwrap(), p);
    assert_eq!(Program::from_ron("()").unwrap(), Program::default());
}
