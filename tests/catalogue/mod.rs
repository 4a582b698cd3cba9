//! The built-in measure catalogue: counts per set match the public source lists, titles and
//! directions are right, search and filters behave.

use p4p_designer::catalogue::{self, CatalogueEntry, Filters};
use p4p_designer::program::{DataSourceKind, Direction, Importance, MeasureKind};
use std::collections::HashSet;

fn count(set: &str) -> usize {
    catalogue::entries().iter().filter(|e| e.set == set).count()
}

fn ids(hits: &[&CatalogueEntry]) -> Vec<String> {
    hits.iter().map(|e| e.id.clone()).collect()
}

#[test]
fn counts_per_set_match_the_sources() {
    // Distinct (set, measure) pairs in core_set_measures.csv; columns of the FY2024 HVBP, HAC
    // and HRRP files; indicators in the QOF 2023/24 reference file; distinct measureIds across
    // the MIPS PY2024 (194) and PY2025 (209) benchmark files.
    let expected = [
        ("Adult Core Set", 48),
        ("Child Core Set", 33),
        ("Health Home Core Set", 12),
        ("Hospital VBP", 21),
        ("SNF VBP", 1),
        ("HAC Reduction", 6),
        ("Hospital Readmissions", 6),
        ("QOF", 76),
        ("MIPS", 231),
    ];
    for (set, n) in expected {
        assert_eq!(count(set), n, "{set}");
    }
    assert_eq!(catalogue::entries().len(), 434);
    assert_eq!(
        catalogue::sets(),
        expected.iter().map(|(s, _)| *s).collect::<Vec<_>>()
    );
}

#[test]
fn core_set_counts_per_year_match_the_source() {
    // Rows per core set and year in core_set_measures.csv (440 rows in all).
    let f = |set: &str, year| Filters {
        set: Some(set.into()),
        year: Some(year),
        ..Filters::default()
    };
    let by_year = |set: &str, year| catalogue::search("", &f(set, year)).len();
    assert_eq!(by_year("Adult Core Set", 2021), 32);
    assert_eq!(by_year("Adult Core Set", 2025), 40);
    assert_eq!(by_year("Adult Core Set", 2026), 38);
    assert_eq!(by_year("Child Core Set", 2021), 23);
    assert_eq!(by_year("Child Core Set", 2026), 29);
    assert_eq!(by_year("Health Home Core Set", 2024), 12);
    assert_eq!(by_year("Health Home Core Set", 2026), 10);
    let total: usize = (2021..=2026)
        .flat_map(|y| {
            ["Adult Core Set", "Child Core Set", "Health Home Core Set"].map(|s| by_year(s, y))
        })
        .sum();
    assert_eq!(total, 440);
    let mut mips_2024 = catalogue::search(
        "",
        &Filters {
            set: Some("MIPS".into()),
            year: Some(2024),
            ..Filters::default()
        },
    );
    assert_eq!(mips_2024.len(), 194);
    mips_2024.retain(|e| e.in_year(2025));
    assert_eq!(mips_2024.len(), 194 + 209 - 231);
}

#[test]
fn known_entries() {
    let cbp = catalogue::find("CBP-AD", None).unwrap();
    assert_eq!(cbp.title, "Controlling High Blood Pressure");
    assert_eq!(cbp.steward, "NCQA");
    assert_eq!(cbp.set, "Adult Core Set");
    assert_eq!(cbp.years, vec![2021, 2022, 2023, 2024, 2025, 2026]);
    assert_eq!(cbp.years_label(), "2021–2026");
    assert_eq!(cbp.kind, MeasureKind::IntermediateOutcome);
    assert_eq!(cbp.direction, Direction::HigherIsBetter);
    assert_eq!(cbp.data_source, DataSourceKind::Hybrid);
    assert_eq!(cbp.source, "cms-medicaid-core-set/core_set_measures.csv");

    let hbd = catalogue::find("hbd-ad", None).unwrap();
    assert_eq!(hbd.years, vec![2023, 2024]);
    // Newest wording wins where the title changed over the years.
    let hpcmi = catalogue::find("HPCMI-AD", None).unwrap();
    assert_eq!(
        hpcmi.title,
        "Diabetes Care for People with Serious Mental Illness: Glycemic Status >9.0%"
    );
    assert_eq!(hpcmi.direction, Direction::LowerIsBetter);

    let pcr = catalogue::find("PCR-AD", None).unwrap();
    assert_eq!(
        (pcr.kind, pcr.direction),
        (MeasureKind::Outcome, Direction::LowerIsBetter)
    );
    assert_eq!(catalogue::find("PQI01-AD", None).unwrap().steward, "AHRQ");
    assert_eq!(
        catalogue::find("CPA-AD", None).unwrap().kind,
        MeasureKind::PatientExperience
    );

    let ami = catalogue::find("MORT-30-AMI", Some("Hospital VBP")).unwrap();
    assert_eq!(
        ami.title,
        "Acute Myocardial Infarction (AMI) 30-Day Mortality Rate"
    );
    assert_eq!(ami.direction, Direction::LowerIsBetter);
    assert_eq!(ami.years, vec![2024]);
    let mspb = catalogue::find("MSPB-1", None).unwrap();
    assert_eq!(
        (mspb.kind, mspb.direction),
        (MeasureKind::Efficiency, Direction::LowerIsBetter)
    );
    let nurses = catalogue::find("H-COMP-1", None).unwrap();
    assert_eq!(nurses.title, "HCAHPS: Communication With Nurses");
    assert_eq!(nurses.data_source, DataSourceKind::Survey);

    let snf = catalogue::find("SNFRM", None).unwrap();
    assert_eq!(
        (snf.set.as_str(), snf.years.as_slice()),
        ("SNF VBP", &[2025u16][..])
    );
    assert_eq!(
        catalogue::find("PSI-90", None).unwrap().kind,
        MeasureKind::Composite
    );
    let hrrp: Vec<&str> = catalogue::entries()
        .iter()
        .filter(|e| e.set == "Hospital Readmissions")
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(
        hrrp,
        [
            "READM-30-AMI-HRRP",
            "READM-30-HF-HRRP",
            "READM-30-PN-HRRP",
            "READM-30-COPD-HRRP",
            "READM-30-CABG-HRRP",
            "READM-30-HIP-KNEE-HRRP"
        ]
    );

    // MIPS: direction straight from isInverse, kind from measureType.
    let m001 = catalogue::find("001", Some("MIPS")).unwrap();
    assert_eq!(m001.direction, Direction::LowerIsBetter);
    assert_eq!(m001.kind, MeasureKind::IntermediateOutcome);
    assert_eq!(m001.years, vec![2024, 2025]);
    let inverse = catalogue::entries()
        .iter()
        .filter(|e| e.set == "MIPS" && e.direction == Direction::LowerIsBetter)
        .count();
    assert!(
        (30..=45).contains(&inverse),
        "{inverse} inverse MIPS measures"
    );

    let hyp = catalogue::find("HYP008", Some("QOF")).unwrap();
    assert_eq!(hyp.title, "Hypertension: indicator HYP008");
    assert_eq!(hyp.kind, MeasureKind::IntermediateOutcome);
    assert_eq!(
        catalogue::find("AF001", None).unwrap().title,
        "Atrial fibrillation: register"
    );
}

#[test]
fn every_entry_is_complete_and_unique() {
    let mut keys = HashSet::new();
    for e in catalogue::entries() {
        assert!(!e.id.is_empty() && !e.title.is_empty(), "{e:?}");
        assert!(!e.years.is_empty(), "{e:?}");
        assert!(e.years.iter().all(|y| (2021..=2026).contains(y)), "{e:?}");
        assert!(!e.source.is_empty(), "{e:?}");
        assert!(
            keys.insert((e.set.clone(), e.id.clone())),
            "duplicate {e:?}"
        );
        if e.set != "MIPS" {
            assert!(!e.steward.is_empty(), "no steward for {e:?}");
        }
    }
}

#[test]
fn search_ranks_ids_first_and_matches_every_word() {
    let all = Filters::default();
    let hits = catalogue::search("cbp", &all);
    assert_eq!(ids(&hits), ["CBP-AD", "CBP-HH"]);
    let hits = catalogue::search("CBP-HH", &all);
    assert_eq!(ids(&hits)[0], "CBP-HH");

    let hits = catalogue::search("blood pressure", &all);
    let found = ids(&hits);
    assert!(found.contains(&"CBP-AD".to_owned()), "{found:?}");
    assert!(hits.iter().all(|e| {
        let t = e.title.to_lowercase();
        t.contains("blood") && t.contains("pressure")
    }));

    // Steward is searched too.
    let ahrq = catalogue::search("ahrq", &all);
    assert_eq!(ahrq.len(), 5, "{:?}", ids(&ahrq));
    assert!(ahrq.iter().all(|e| e.id.starts_with("PQI")));

    assert!(catalogue::search("no such measure anywhere", &all).is_empty());
    assert_eq!(
        catalogue::search("  ", &all).len(),
        catalogue::entries().len()
    );
}

#[test]
fn filters_narrow_by_set_kind_and_year() {
    let child_immunisation = catalogue::search(
        "immunization",
        &Filters {
            set: Some("Child Core Set".into()),
            ..Filters::default()
        },
    );
    assert_eq!(ids(&child_immunisation), ["CIS-CH", "IMA-CH", "PRS-CH"]);

    let hcahps = catalogue::search(
        "",
        &Filters {
            set: Some("Hospital VBP".into()),
            kind: Some(MeasureKind::PatientExperience),
            year: None,
        },
    );
    assert_eq!(hcahps.len(), 8);

    // HBD-AD left the Adult Core Set after 2024; GSD-AD replaced it in 2025.
    let diabetes_2025 = catalogue::search(
        "diabetes",
        &Filters {
            set: Some("Adult Core Set".into()),
            year: Some(2025),
            ..Filters::default()
        },
    );
    let found = ids(&diabetes_2025);
    assert!(found.contains(&"GSD-AD".to_owned()), "{found:?}");
    assert!(!found.contains(&"HBD-AD".to_owned()), "{found:?}");
    assert!(catalogue::years().contains(&2021) && catalogue::years().contains(&2026));
}

#[test]
fn to_measure_carries_catalogue_fields() {
    let e = catalogue::find("FUH-AD", None).unwrap();
    let m = catalogue::to_measure(e);
    assert_eq!(m.id, "FUH-AD");
    assert_eq!(m.title, e.title);
    assert_eq!(m.steward, "NCQA");
    assert_eq!(m.kind, e.kind);
    assert_eq!(m.direction, e.direction);
    assert_eq!(m.data_source, DataSourceKind::Claims);
    // The designer's choices start at their defaults.
    assert!(!m.vital_few);
    assert_eq!(m.importance, Importance::Medium);
    assert_eq!(m.weight, 1.0);
}

#[test]
fn parse_reports_bad_rows_with_their_line() {
    let header = "id,title,steward,set,years,kind,direction,data_source,source\n";
    let good =
        format!("{header}X-1,A title,CMS,Test,2024;2023,Process,HigherIsBetter,Claims,f.csv\n");
    let parsed = catalogue::parse(&good).unwrap();
    assert_eq!(parsed[0].years, vec![2023, 2024]);

    let bad = format!("{good}X-2,Another,CMS,Test,2024,Proces,HigherIsBetter,Claims,f.csv\n");
    let err = catalogue::parse(&bad).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("Proces"), "{err}");

    let missing = "id,title\nX,Y\n";
    assert!(
        catalogue::parse(missing)
            .unwrap_err()
            .message
            .contains("steward")
    );
}

#[test]
fn catalogue_carries_no_specifications() {
    // IDs, titles and steward names only: no value-set or code columns.
    let header = catalogue::CATALOGUE_CSV.lines().next().unwrap();
    assert_eq!(
        header,
        "id,title,steward,set,years,kind,direction,data_source,source"
    );
}
