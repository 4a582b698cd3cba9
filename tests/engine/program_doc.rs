//! The saved program document: round trips, versions and malformed files.

use p4p_designer::program::{FORMAT_VERSION, Program, ProgramError, validate};

fn hvbp_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample_programs/hvbp_fy2024.ron"
    ))
    .unwrap()
}

#[test]
fn sample_round_trips() {
    let p = Program::from_ron(&hvbp_text()).unwrap();
    assert_eq!(p.measures.len(), 20);
    assert_eq!(p.scoring.domains.len(), 4);
    let again = Program::from_ron(&p.to_ron()).unwrap();
    assert_eq!(p, again);
}

#[test]
fn newer_format_is_refused() {
    let text = hvbp_text().replace("format_version: 1", "format_version: 99");
    let err = Program::from_ron(&text).unwrap_err();
    assert_eq!(
        err,
        ProgramError::TooNew {
            found: 99,
            supported: FORMAT_VERSION
        }
    );
    assert!(err.to_string().contains("newer"));
}

#[test]
fn malformed_file_names_line_and_column() {
    let text = "(\n    name: \"x\",\n    measures: [ (id: 3) ],\n)";
    match Program::from_ron(text).unwrap_err() {
        ProgramError::Syntax {
            line,
            column,
            message,
        } => {
            assert_eq!(line, 3);
            assert!(column > 1, "{column}");
            assert!(!message.is_empty());
        }
        e => panic!("{e:?}"),
    }
    let err = Program::from_ron("(name: \"unterminated").unwrap_err();
    assert!(err.to_string().starts_with("line 1, column"), "{err}");
}

#[test]
fn validation_names_problems() {
    let mut p = Program::from_ron(&hvbp_text()).unwrap();
    assert!(
        validate(&p)
            .iter()
            .all(|x| x.severity == p4p_designer::program::Severity::Warning)
    );
    p.measures[0].domain = "nowhere".into();
    p.measures[1].id = p.measures[2].id.clone();
    let problems: Vec<String> = validate(&p).iter().map(|x| x.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|m| m.contains("MORT-30-AMI") && m.contains("nowhere")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|m| m.contains("used twice")),
        "{problems:?}"
    );
}
