//! Importing a designer's own files through the window: a one-row-per-practice file with
//! numerator/denominator pairs and suppression codes in a few actions, next period's file with
//! the saved mapping, and a file that fails leaving the program as it was.

use crate::app::{harness, settle};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use p4p_designer::app::steps::Step;
use p4p_designer::app::{DesignerApp, Page};
use p4p_designer::program::{Layout, PeriodRef, Program, StandardRule, WideField};
use std::path::{Path, PathBuf};

const MEASURES: [&str; 3] = ["BCS-AD", "CBP-AD", "HBD-AD"];

/// The sample program with only three vital-few measures and no data files, saved in `dir`.
fn program_file(dir: &Path) -> PathBuf {
    let mut p = p4p_designer::synth::medicaid_primary_care_program();
    p.data.files.clear();
    // A program that lists no missing-value codes, so the dialog must offer them.
    p.data.missing_values.clear();
    for m in &mut p.measures {
        m.vital_few = MEASURES.contains(&m.id.as_str());
    }
    let path = dir.join("program.ron");
    std::fs::write(&path, p.to_ron()).unwrap();
    path
}

/// A practice file as a state analyst gets it: one row per practice, the measures' values as
/// numerator/denominator column pairs named by title or by short id, and codes in two cells.
fn practice_file(dir: &Path, name: &str, program: &Program, shift: u64) -> PathBuf {
    let title = |id: &str| program.measure(id).unwrap().title.clone();
    let mut text = format!(
        "Practice ID,Practice Name,Attributed Members,{bcs} Numerator,{bcs} Denominator,\
         CBP Num,CBP Den,{hbd} Numerator,{hbd} Denominator\n",
        bcs = title("BCS-AD"),
        hbd = title("HBD-AD"),
    );
    for i in 0..40u64 {
        let den = 80 + i;
        let num = |k: u64| ((i * 7 + k * 13 + shift) % 50) + 20;
        let bcs = if i == 5 {
            "NR".to_owned()
        } else {
            num(1).to_string()
        };
        let cbp = if i == 9 {
            "<11".to_owned()
        } else {
            num(2).to_string()
        };
        text.push_str(&format!(
            "P{i:03},Practice {i},{},{bcs},{den},{cbp},{den},{},{den}\n",
            500 + i * 10,
            num(3)
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// What the designer does, counted.
struct Actions(usize);

impl Actions {
    fn click(&mut self, h: &mut Harness<'_, DesignerApp>, label: &str) {
        h.get_by_role_and_label(Role::Button, label).click();
        self.0 += 1;
        settle(h);
    }

    /// Types a path into the file dialog (one action) and confirms it (another).
    fn choose_file(&mut self, h: &mut Harness<'_, DesignerApp>, path: &Path) {
        h.get_by_role_and_label(Role::TextInput, "File path")
            .type_text(&path.display().to_string());
        self.0 += 1;
        h.run();
        self.click(h, "Import");
    }
}

fn paid(h: &Harness<'_, DesignerApp>) -> i64 {
    h.state()
        .session
        .results
        .as_ref()
        .map_or(0, |r| r.payment.paid_cents)
}

/// Opens the program, goes to step 5 and imports the first quarter's file.
fn import_first_quarter(dir: &Path) -> (Harness<'static, DesignerApp>, Actions) {
    let program = program_file(dir);
    let mut h = harness(Some(program), dir);
    let q1 = practice_file(dir, "practices_q1.csv", &h.state().program, 0);
    let mut act = Actions(0);
    // The designer drags the file onto the window: step 5's import opens on it.
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(q1.clone())));
    act.0 += 1;
    settle(&mut h);
    assert_eq!(h.state().page, Page::Step(Step::Baselines));
    h.get_by_label("Import practices_q1.csv");
    // The program lists no missing-value codes: the dialog shows the text it found.
    h.get_by_label("⚠ Not numbers in the first 20 rows: “NR” ×1, “<11” ×1");
    act.click(&mut h, "Read them as missing");
    assert_eq!(h.state().program.data.missing_values, ["NR", "<11"]);
    // Every measure was paired and matched to the program's measure by name.
    for (label, id) in [
        (
            h.state().program.measure("BCS-AD").unwrap().title.clone(),
            "BCS-AD",
        ),
        ("CBP".to_owned(), "CBP-AD"),
    ] {
        let shown = h
            .get_by_label(&format!("Measure for {label}"))
            .value()
            .unwrap_or_default();
        assert!(shown.starts_with(id), "{label} → {shown}");
    }
    act.click(&mut h, "✔ Import");
    (h, act)
}

#[test]
fn a_practice_file_imports_in_six_actions_and_pays() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, mut act) = import_first_quarter(dir.path());
    let app = h.state();
    assert_eq!(app.session.data_error, None);
    let files = &app.program.data.files;
    assert_eq!(files.len(), 2, "{files:?}");
    let Layout::Wide(w) = &files[0].layout else {
        panic!("{:?}", files[0].layout);
    };
    assert_eq!(w.provider_id, "Practice ID");
    assert_eq!(w.provider_name.as_deref(), Some("Practice Name"));
    assert_eq!(w.columns.len(), 6);
    assert_eq!(w.columns[2].measure_id, "CBP-AD");
    assert_eq!(
        w.columns[2].field,
        WideField::Numerator("performance".into())
    );
    let Layout::Providers(a) = &files[1].layout else {
        panic!("{:?}", files[1].layout);
    };
    assert_eq!(a.attributed_lives.as_deref(), Some("Attributed Members"));
    let obs = app.session.observations.clone().expect("the file loaded");
    assert_eq!(obs.provider_count(), 40);
    assert_eq!(obs.providers.names[0], "Practice 0");
    assert_eq!(obs.providers.lives[1], 510.0);
    // The "NR" and "<11" cells were read as missing, and counted.
    let hit = |code: &str| {
        obs.load_report
            .codes
            .iter()
            .filter(|c| c.code == code)
            .map(|c| (c.cells, c.suppressed))
            .collect::<Vec<_>>()
    };
    assert_eq!(hit("NR"), [(1, false)]);
    assert_eq!(hit("<11"), [(1, true)]);
    assert!(obs.series("BCS-AD", "performance").unwrap().rate[5].is_nan());
    // Step 5 shows what each code hit.
    assert_eq!(h.query_all_by_label("1 cell").count(), 2);

    // No baseline in this file: the screen offers the one fix, and then the pool pays.
    assert_eq!(
        paid(&h),
        0,
        "nothing pays while the standards need a baseline"
    );
    act.click(&mut h, "Set standards on the performance period");
    assert!(matches!(
        h.state().program.standards.threshold,
        StandardRule::Percentile {
            of: PeriodRef::Performance,
            ..
        }
    ));
    assert!(paid(&h) > 0, "payouts are computed");
    assert!(act.0 <= 6, "{} actions", act.0);
}

#[test]
fn next_quarters_file_loads_with_the_saved_mapping_in_one_action() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = import_first_quarter(dir.path());
    let before = h.state().program.data.files.clone();
    let q1_rate = h
        .state()
        .session
        .observations
        .as_ref()
        .unwrap()
        .series("HBD-AD", "performance")
        .unwrap()
        .rate[0];
    let q2 = practice_file(dir.path(), "practices_q2.csv", &h.state().program, 11);

    let mut act = Actions(0);
    act.click(&mut h, "Load next period's file for practices_q1.csv");
    act.choose_file(&mut h, &q2);
    // No mapping dialog: the file loaded with the saved mapping.
    assert!(h.query_by_label("Import practices_q2.csv").is_none());
    let app = h.state();
    assert_eq!(app.session.data_error, None);
    let files = &app.program.data.files;
    assert_eq!(files.len(), 2);
    for (f, b) in files.iter().zip(&before) {
        assert_eq!(f.path, "practices_q2.csv");
        assert_eq!(f.layout, b.layout);
    }
    let q2_rate = app
        .session
        .observations
        .as_ref()
        .unwrap()
        .series("HBD-AD", "performance")
        .unwrap()
        .rate[0];
    assert_ne!(q1_rate, q2_rate, "the new quarter's values are loaded");
    assert_eq!(
        act.0, 3,
        "one command, and the file chosen in the file dialog"
    );

    // A quarter whose columns changed: the import says what is new and what is missing.
    let text = std::fs::read_to_string(&q2)
        .unwrap()
        .replacen("CBP Num", "CBP Numerator", 1);
    let q3 = dir.path().join("practices_q3.csv");
    std::fs::write(&q3, text).unwrap();
    act.click(&mut h, "Load next period's file for practices_q2.csv");
    act.choose_file(&mut h, &q3);
    h.get_by_label("Import practices_q3.csv");
    h.get_by_label("⚠ New columns, not used: “CBP Numerator”");
    h.get_by_label("✖ Missing since last time: “CBP Num”. Choose their new columns below.");
    // Nothing changed in the program until the designer maps it.
    assert_eq!(h.state().program.data.files[0].path, "practices_q2.csv");
}

#[test]
fn a_file_that_fails_leaves_the_program_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = import_first_quarter(dir.path());
    let before = h.state().program.clone();
    let obs_before = h.state().session.observations.clone().unwrap();
    // A file polars cannot parse: the dialog says so plainly and adds nothing.
    let broken = dir.path().join("broken.csv");
    std::fs::write(
        &broken,
        "Practice ID,CBP Num,CBP Den\nP001,5,10\n\"P003,1,2\n",
    )
    .unwrap();
    let mut act = Actions(0);
    act.click(&mut h, "📂 Import a data file…");
    act.choose_file(&mut h, &broken);
    h.get_by_label("Import broken.csv");
    h.get_by_label("Nothing was added to the program.");
    for node in h.get_all_by_role(Role::Label) {
        let text = format!("{node:?}");
        for library in ["polars", "infer_schema_length", "ignore_errors"] {
            assert!(!text.contains(library), "{text}");
        }
    }
    act.click(&mut h, "Close");
    assert_eq!(h.state().program, before);

    // A numerator larger than its denominator cannot be right: the load fails.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Practice ID,CBP Num,CBP Den\nP001,5,10\nP002,50,10\n").unwrap();
    act.click(&mut h, "📂 Import a data file…");
    act.choose_file(&mut h, &bad);
    act.click(&mut h, "✔ Import");
    let app = h.state();
    assert_eq!(
        app.program.data, before.data,
        "the failed file left the program"
    );
    assert_eq!(app.program.measures, before.measures);
    assert!(std::sync::Arc::ptr_eq(
        app.session.observations.as_ref().unwrap(),
        &obs_before
    ));
    let e = app.session.data_error.clone().expect("an error is shown");
    assert!(e.contains("bad.csv"), "{e}");
    assert!(e.contains("was not added to the program"), "{e}");
    for library in ["polars", "infer_schema_length", "ignore_errors"] {
        assert!(!e.contains(library), "{e}");
    }
    h.get_by_label("The data could not be loaded");
}
