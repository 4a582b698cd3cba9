//! The audit trail and the exports: a hand-computed tiny program, the CMS HVBP FY2024 sample,
//! and the Medicaid sample's summary report.

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use p4p_designer::cli::write_scores_csv;
use p4p_designer::data::export::write_parquet_table;
use p4p_designer::data::{load_data, read_program};
use p4p_designer::engine::{self, Inputs, Observations, Results};
use p4p_designer::program::*;
use p4p_designer::report;
use p4p_designer::report::explain::{AuditValue, Section, audit_rows, explain};
use p4p_designer::report::parquet_columns;

/// Two measures in one domain, standards fixed so every point can be worked by hand:
/// A (higher is better) threshold 0.5, benchmark 0.9; B (lower is better) threshold 0.3,
/// benchmark 0.1, minimum denominator 30. A fixed $1,000 pool shared by score.
fn tiny_program() -> Program {
    let mut p = Program {
        name: "Tiny <test> program".into(),
        ..Program::default()
    };
    p.scoring.domains = vec![Domain {
        id: "d".into(),
        name: "Quality".into(),
        weight: 1.0,
        ..Domain::default()
    }];
    for (id, dir, at, bm, min) in [
        ("A", Direction::HigherIsBetter, 0.5, 0.9, None),
        ("B", Direction::LowerIsBetter, 0.3, 0.1, Some(30.0)),
    ] {
        p.measures.push(Measure {
            id: id.into(),
            title: format!("Measure {id}"),
            direction: dir,
            domain: "d".into(),
            vital_few: true,
            min_denominator: min,
            ..Measure::default()
        });
        p.standards.overrides.push(MeasureStandards {
            measure_id: id.into(),
            threshold: Some(StandardRule::Fixed(at)),
            benchmark: Some(StandardRule::Fixed(bm)),
            floor: None,
        });
    }
    p.payment.pool = Pool::Fixed { cents: 100_000 };
    p.payment.distribution = Distribution::ShareOfPool;
    p.payment.eligibility = Eligibility::Any;
    p.payment.weight_by = WeightBy::Equal;
    p
}

/// (provider, measure, period, numerator, denominator); NaN numerator = not reported.
fn tiny_obs() -> Observations {
    let rows: [(&str, &str, &str, f64, f64); 11] = [
        ("007", "A", "baseline", 60.0, 100.0),
        ("007", "A", "performance", 70.0, 100.0),
        ("007", "B", "baseline", 25.0, 100.0),
        ("007", "B", "performance", 20.0, 100.0),
        ("010", "A", "baseline", 80.0, 100.0),
        ("010", "A", "performance", 95.0, 100.0),
        ("010", "B", "performance", 5.0, 20.0),
        ("099", "A", "performance", 40.0, 100.0),
        ("099", "B", "baseline", 30.0, 100.0),
        ("099", "B", "performance", 35.0, 100.0),
        ("099", "A", "baseline", f64::NAN, f64::NAN),
    ];
    let mut obs = Observations::new();
    for (prov, m, period, num, den) in rows {
        let i = obs.provider_index(prov);
        let v = obs.series_mut(m, period);
        v.numerator[i] = num;
        v.denominator[i] = den;
    }
    obs
}

fn tiny() -> (Program, Observations, Inputs, Results) {
    let p = tiny_program();
    let o = tiny_obs();
    let (i, r) = engine::run(&p, &o);
    (p, o, i, r)
}

fn rule<'a>(
    a: &'a p4p_designer::report::explain::ProviderAudit,
    subject: &str,
    item: &str,
) -> &'a str {
    &a.find(subject, item)
        .unwrap_or_else(|| panic!("no row {subject} / {item}"))
        .rule
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a number");
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn audit_of_a_hand_computed_program() {
    let (p, _, inputs, results) = tiny();
    let a = explain(&p, &inputs, &results, 0);
    assert_eq!(a.provider_id, "007");
    // Inputs in the measure's own units.
    close(a.number("A", "baseline rate"), 0.6);
    close(a.number("A", "performance rate"), 0.7);
    close(a.number("A", "denominator"), 100.0);
    close(a.number("B", "performance rate"), 0.2);
    // Standards and the rule that set them, lower-is-better in its own units.
    close(a.number("A", "threshold"), 0.5);
    close(a.number("B", "threshold"), 0.3);
    close(a.number("B", "benchmark"), 0.1);
    assert!(rule(&a, "B", "benchmark").starts_with("fixed at 0.1"));
    // 9 × (0.7 − 0.5)/(0.9 − 0.5) + 0.5 = 5 → 5 points.
    assert_eq!(a.number("A", "achievement"), Some(5.0));
    let r = rule(&a, "A", "achievement");
    assert!(
        r.contains("round half up(9 × (P − AT) / (BM − AT) + 0.5)"),
        "{r}"
    );
    assert!(r.contains("(0.7 − 0.5) / (0.9 − 0.5)"), "{r}");
    assert!(r.ends_with("= 5 (at most 9 below the benchmark)"), "{r}");
    // 10 × (0.7 − 0.6)/(0.9 − 0.6) − 0.5 = 2.83 → 3.
    assert_eq!(a.number("A", "improvement"), Some(3.0));
    let r = rule(&a, "A", "improvement");
    assert!(
        r.contains("(0.7 − 0.6) / (0.9 − 0.6)") && r.contains("round half up(2.833333) = 3"),
        "{r}"
    );
    assert_eq!(a.number("A", "score"), Some(5.0));
    assert!(rule(&a, "A", "score").contains("the better of achievement (5) and improvement (3)"));
    // B, lower is better: 9 × (0.2 − 0.3)/(0.1 − 0.3) + 0.5 = 5; 10 × (0.2 − 0.25)/(0.1 − 0.25) − 0.5 → 3.
    assert_eq!(a.number("B", "achievement"), Some(5.0));
    assert!(rule(&a, "B", "achievement").contains("(0.2 − 0.3) / (0.1 − 0.3)"));
    assert_eq!(a.number("B", "improvement"), Some(3.0));
    // Domain and total: 100 × (5 + 5) / 20 = 50.
    assert_eq!(a.number("d", "score"), Some(50.0));
    assert_eq!(rule(&a, "d", "score"), "100 × 10 / 20 = 50");
    assert_eq!(a.number("", "total score"), Some(50.0));
    assert_eq!(
        a.find("", "eligible").unwrap().value,
        AuditValue::Flag(true)
    );
    // Pool $1,000 shared 50 : 100 : 0 → $333.33 and $666.67 (the odd cent by largest remainder).
    assert_eq!(
        a.find("", "pool").unwrap().value,
        AuditValue::Cents(100_000)
    );
    close(a.number("", "share of pool"), 50.0 / 150.0);
    assert_eq!(
        a.find("", "earned").unwrap().value,
        AuditValue::Cents(33_333)
    );
    assert_eq!(a.find("", "net").unwrap().value, AuditValue::Cents(33_333));
    assert!(
        rule(&a, "", "share of pool").contains("50 / Σ score × weight over earning providers 150")
    );
    // Sections come in the order the engine computes.
    let order: Vec<Section> = a.rows.iter().map(|r| r.section).collect();
    assert!(
        order
            .windows(2)
            .all(|w| w[0] <= w[1] || w[1] == Section::Inputs)
    );
    for s in Section::ALL {
        assert!(a.section(s).next().is_some(), "{s:?} missing");
    }

    let b = explain(&p, &inputs, &results, 1);
    assert_eq!(b.provider_id, "010");
    assert_eq!(b.number("A", "achievement"), Some(10.0));
    assert_eq!(b.number("A", "improvement"), Some(9.0));
    assert!(
        rule(&b, "A", "improvement").contains("improved and at or beyond the benchmark 0.9: 9")
    );
    assert_eq!(b.find("B", "score").unwrap().value, AuditValue::Missing);
    assert!(rule(&b, "B", "score").starts_with("denominator 20 below the minimum 30: not scored"));
    assert_eq!(b.number("d", "score"), Some(100.0));
    assert_eq!(
        b.find("", "earned").unwrap().value,
        AuditValue::Cents(66_667)
    );

    let c = explain(&p, &inputs, &results, 2);
    assert_eq!(
        c.find("A", "improvement").unwrap().value,
        AuditValue::Missing
    );
    assert_eq!(
        rule(&c, "A", "improvement"),
        "no baseline rate: no improvement points"
    );
    assert!(rule(&c, "A", "achievement").contains("worse than the threshold 0.5: 0"));
    assert!(rule(&c, "B", "improvement").contains("not better than the baseline B = 0.3: 0"));
    assert_eq!(c.find("", "earned").unwrap().value, AuditValue::Cents(0));

    // The flat form is the per-provider form, provider by provider.
    let flat: Vec<_> = audit_rows(&p, &inputs, &results).collect();
    assert_eq!(flat.len(), a.rows.len() + b.rows.len() + c.rows.len());
    assert_eq!(flat[0].0, "007");
    assert_eq!(flat.last().unwrap().0, "099");
}

#[test]
fn audit_explains_a_withhold_with_exchange_function_and_reweighting() {
    let (mut p, o, _, _) = tiny();
    p.scoring.domains.push(Domain {
        id: "e".into(),
        name: "Efficiency".into(),
        weight: 3.0,
        ..Domain::default()
    });
    p.payment.pool = Pool::Withhold { percent: 2.0 };
    p.payment.distribution = Distribution::LinearExchange;
    let (inputs, results) = engine::run(&p, &o);
    let a = explain(&p, &inputs, &results, 0);
    // Domain e has no measures: its 75% goes to d.
    assert!(
        rule(&a, "d", "domain weight")
            .contains("nominal 25% re-spread over the 1 domains scored: 100%")
    );
    assert_eq!(a.number("d", "domain weight"), Some(1.0));
    // 2% of the default $1,000,000 base payments.
    assert_eq!(
        a.find("", "withheld").unwrap().value,
        AuditValue::Cents(2_000_000)
    );
    let earned = results.payment.earned[0];
    assert_eq!(
        a.find("", "earned").unwrap().value,
        AuditValue::Cents(earned)
    );
    assert_eq!(
        a.find("", "net").unwrap().value,
        AuditValue::Cents(earned - 2_000_000)
    );
    close(
        a.number("", "payment multiplier"),
        results.payment.multiplier[0],
    );
}

#[test]
fn payouts_csv_is_the_score_csv() {
    let (p, _, inputs, results) = tiny();
    let mut ours = Vec::new();
    report::write_payouts_csv(&p, &inputs, &results, &mut ours).unwrap();
    let mut cli = Vec::new();
    assert!(write_scores_csv(&p, &inputs, &results, &mut cli).is_ok());
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(cli).unwrap()
    );
}

fn zip_text(bytes: &[u8]) -> Vec<(String, String)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..z.len())
        .map(|k| {
            let mut f = z.by_index(k).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap_or_default();
            (f.name().expect("a UTF-8 name").into_owned(), s)
        })
        .collect()
}

#[test]
fn xlsx_workbooks_open_and_hold_the_values() {
    let (p, _, inputs, results) = tiny();
    let mut buf = Vec::new();
    report::payouts_xlsx(&p, &inputs, &results, &mut buf).unwrap();
    let files = zip_text(&buf);
    let get = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    };
    let sheet = get("xl/worksheets/sheet1.xml").expect("payouts sheet");
    let workbook = get("xl/workbook.xml").unwrap();
    assert!(workbook.contains("name=\"Payouts\"") && workbook.contains("name=\"Summary\""));
    let strings = get("xl/sharedStrings.xml").unwrap();
    // Ids stay text (leading zeros), money is in currency units.
    assert!(strings.contains(">007<") && strings.contains(">earned<"));
    assert!(sheet.contains("<v>333.33</v>") && sheet.contains("<v>666.67</v>"));

    let mut buf = Vec::new();
    report::audit_xlsx(&p, &inputs, &results, &mut buf).unwrap();
    let files = zip_text(&buf);
    let sheet = files
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .map(|(_, s)| s.as_str())
        .expect("audit sheet");
    assert!(sheet.contains("round half up(9 × (P − AT) / (BM − AT) + 0.5)"));
    assert!(sheet.contains("<t>099</t>") || sheet.contains(">099<"));
    let rows = audit_rows(&p, &inputs, &results).count();
    assert_eq!(sheet.matches("<row ").count(), rows + 1);
}

#[test]
fn audit_csv_has_one_row_per_provider_and_item() {
    let (p, _, inputs, results) = tiny();
    let mut buf = Vec::new();
    report::write_audit_csv(&p, &inputs, &results, &mut buf).unwrap();
    let mut rdr = csv::Reader::from_reader(buf.as_slice());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        report::AUDIT_HEADER
    );
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), audit_rows(&p, &inputs, &results).count());
    let earned = recs
        .iter()
        .find(|r| &r[0] == "010" && &r[3] == "earned")
        .unwrap();
    assert_eq!((&earned[4], &earned[5]), ("666.67", "currency"));
}

#[test]
fn parquet_round_trips_through_polars() {
    use polars::prelude::*;
    let (p, _, inputs, results) = tiny();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payouts.parquet");
    let table = report::payout_table(&p, &inputs, &results);
    write_parquet_table(&path, parquet_columns(table.clone())).unwrap();
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(df.width(), table.columns.len());
    let ids: Vec<Option<&str>> = df
        .column("provider_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(ids, [Some("007"), Some("010"), Some("099")]);
    let earned: Vec<Option<i64>> = df
        .column("earned_cents")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(earned, [Some(33_333), Some(66_667), Some(0)]);
    let total: Vec<Option<f64>> = df
        .column("total_score")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(total, [Some(50.0), Some(100.0), Some(0.0)]);
    // A measure not scored is null, not NaN.
    let b: Vec<Option<f64>> = df
        .column("B score")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(b, [Some(5.0), None, Some(0.0)]);
    let elig: Vec<Option<bool>> = df
        .column("eligible")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(elig, [Some(true); 3]);
}

#[test]
fn html_summary_is_self_contained_and_complete() {
    let (mut p, o, _, _) = tiny();
    p.phases = vec![
        Phase {
            name: "Report".into(),
            kind: PhaseKind::Reporting,
            start: "2026-01".into(),
            months: 12,
            ..Phase::default()
        },
        Phase {
            name: "Perform".into(),
            kind: PhaseKind::Performance,
            start: "2027-01".into(),
            months: 24,
            ..Phase::default()
        },
    ];
    p.gaps = vec![GapItem {
        requirement: "EHR extract".into(),
        cost_cents: 25_000_000,
        months: 9.0,
        ..GapItem::default()
    }];
    let (inputs, results) = engine::run(&p, &o);
    let html = report::summary_html(&p, &o, &inputs, &results);
    assert!(html.starts_with("<!DOCTYPE html>"));
    // The name is escaped, once in the title and once as the heading.
    assert!(html.contains("<h1>Tiny &lt;test&gt; program</h1>"));
    for m in p.scored_measures() {
        assert!(html.contains(&format!("<b>{}</b>", m.id)), "{}", m.id);
    }
    assert!(html.contains("$1,000"), "pool");
    assert!(
        html.contains("$250,000") && html.contains("9 months"),
        "gap costs and months"
    );
    assert!(html.contains("<svg") && html.matches("<svg").count() >= 3);
    assert!(html.contains("2027"), "timeline years");
    // Nothing to fetch: no scripts, no external links or images.
    for banned in ["<script", "src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(banned), "{banned}");
    }
}

// ---------------------------------------------------------------------------------------------
// The CMS Hospital VBP FY2024 sample
// ---------------------------------------------------------------------------------------------

struct Hvbp {
    program: Program,
    inputs: Inputs,
    results: Results,
}

fn hvbp() -> &'static Hvbp {
    static CELL: OnceLock<Hvbp> = OnceLock::new();
    CELL.get_or_init(|| {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_programs/hvbp_fy2024.ron");
        let program = read_program(&path).unwrap_or_else(|e| panic!("{}", e.0));
        let obs = load_data(&program, &path, None).unwrap_or_else(|e| panic!("{}", e.0));
        let (inputs, results) = engine::run(&program, &obs);
        Hvbp {
            program,
            inputs,
            results,
        }
    })
}

#[test]
fn hvbp_audit_of_hospital_010001_shows_the_published_points() {
    let h = hvbp();
    let i = h
        .inputs
        .provider_ids
        .iter()
        .position(|id| id == "010001")
        .unwrap();
    let a = explain(&h.program, &h.inputs, &h.results, i);
    // CMS FY2024 published: MORT-30-AMI achievement 6, improvement 7, measure score 7.
    assert_eq!(a.number("MORT-30-AMI", "achievement"), Some(6.0));
    assert_eq!(a.number("MORT-30-AMI", "improvement"), Some(7.0));
    assert_eq!(a.number("MORT-30-AMI", "score"), Some(7.0));
    assert!(
        rule(&a, "MORT-30-AMI", "score")
            .contains("the better of achievement (6) and improvement (7)")
    );
    assert!(rule(&a, "MORT-30-AMI", "threshold").starts_with("supplied in the data"));
    let r = rule(&a, "MORT-30-AMI", "achievement");
    assert!(
        r.contains("(0.880237 − 0.869247) / (0.887868 − 0.869247)"),
        "{r}"
    );
    let total = a.number("", "total score").unwrap();
    assert!((total - 15.583333333333).abs() < 1e-9, "{total}");
    // The withhold and the exchange function, to the cent.
    let p = &h.results.payment;
    assert_eq!(
        a.find("", "withheld").unwrap().value,
        AuditValue::Cents(p.withheld[i])
    );
    assert_eq!(
        a.find("", "earned").unwrap().value,
        AuditValue::Cents(p.earned[i])
    );
    assert_eq!(
        a.find("", "net").unwrap().value,
        AuditValue::Cents(p.net[i])
    );
    assert!(a.find("", "exchange slope").is_some());
    // Every domain present is explained, HCAHPS consistency with its formula.
    assert!(rule(&a, "person_and_community_engagement", "consistency").contains("lowest position"));
}

#[test]
fn hvbp_exports_agree_with_the_engine() {
    let h = hvbp();
    let mut ours = Vec::new();
    report::write_payouts_csv(&h.program, &h.inputs, &h.results, &mut ours).unwrap();
    let mut cli = Vec::new();
    assert!(write_scores_csv(&h.program, &h.inputs, &h.results, &mut cli).is_ok());
    assert!(ours == cli, "export csv differs from score csv");
    // The audit's money adds up to the engine's totals.
    let mut earned = 0i64;
    for (_, r) in audit_rows(&h.program, &h.inputs, &h.results) {
        if r.item == "earned"
            && let AuditValue::Cents(c) = r.value
        {
            earned += c;
        }
    }
    assert_eq!(earned, h.results.payment.paid_cents);
}

// ---------------------------------------------------------------------------------------------
// The Medicaid primary-care sample
// ---------------------------------------------------------------------------------------------

#[test]
fn medicaid_summary_shows_equity_findings_by_every_stratifier() {
    let program = p4p_designer::synth::medicaid_primary_care_program();
    let obs = p4p_designer::synth::medicaid_primary_care_data();
    let (inputs, results) = engine::run(&program, &obs);
    let html = report::summary_html(&program, &obs, &inputs, &results);
    assert!(html.contains(&report_escape(&program.name)));
    for m in program.scored_measures() {
        assert!(html.contains(&format!("<b>{}</b>", m.id)), "{}", m.id);
    }
    for s in &obs.providers.stratifiers {
        assert!(
            html.contains(&format!(
                "<h3>By {}</h3>",
                p4p_designer::program::plan::attribute_label(&s.name)
            )),
            "{}",
            s.name
        );
    }
    assert!(html.contains("Reverse Robin Hood check"));
    assert!(html.contains("Top 10 by net payment") && html.contains("Bottom 10 by net payment"));
    if let Ok(dir) = std::env::var("P4P_REPORT_DIR") {
        // For looking at the report in a browser.
        std::fs::write(PathBuf::from(dir).join("medicaid_summary.html"), &html).unwrap();
    }
}

fn report_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
