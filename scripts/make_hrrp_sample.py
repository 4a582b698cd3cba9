#!/usr/bin/env python3
"""Writes the HRRP mock-report samples: sample_programs/hrrp_mock/fy20XX.ron and their data.

Usage: scripts/make_hrrp_sample.py SOURCE_DIR

SOURCE_DIR holds CMS's mock hospital-specific reports (HSR) for the Hospital Readmissions
Reduction Program as CSV, tables 1 (payment adjustment) and 2 (cohort results), FY2020–FY2025.
The script copies them unchanged into sample_programs/data/hrrp_mock/published/ (the tests read
CMS's published factors from there) and writes one wide file per fiscal year,
sample_programs/data/hrrp_mock/fy20XX_cohorts.csv: one row for the mock hospital, four columns per
cohort (discharges, excess readmission ratio, peer-group median ERR, share of DRG payments) taken
from table 2 as published ("NQ" kept as missing). Nothing is computed here: the program computes
the reduction. The neutrality modifier, a national figure of the year, is written into each
year's program (from table 1). FY2019's mock file is left out: its table 1 and table 2 disagree.
"""
import csv
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "sample_programs" / "data" / "hrrp_mock"
PROGRAMS = ROOT / "sample_programs" / "hrrp_mock"
YEARS = range(2020, 2026)
COHORTS = [
    ("AMI", "READM-30-AMI", "Acute myocardial infarction"),
    ("COPD", "READM-30-COPD", "Chronic obstructive pulmonary disease"),
    ("HF", "READM-30-HF", "Heart failure"),
    ("Pneumonia", "READM-30-PN", "Pneumonia"),
    ("CABG", "READM-30-CABG", "Coronary artery bypass graft surgery"),
    ("THA/TKA", "READM-30-HIP-KNEE", "Elective primary total hip and/or knee arthroplasty"),
]


def column(header, needle):
    found = [h for h in header if needle in " ".join(h.split())]
    if len(found) != 1:
        sys.exit(f"expected one column with {needle!r}, found {found}")
    return found[0]


def main(source):
    (DATA / "published").mkdir(parents=True, exist_ok=True)
    PROGRAMS.mkdir(parents=True, exist_ok=True)
    for year in YEARS:
        t1 = source / f"FY{year}_mockHSR_table1_payment_adjustment.csv"
        t2 = source / f"FY{year}_mockHSR_table2_cohort_results.csv"
        for f in (t1, t2):
            shutil.copyfile(f, DATA / "published" / f.name)
        with open(t1, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        table1 = dict(zip([" ".join(h.split()) for h in rows[0]], rows[1]))
        nm = table1[column(table1.keys(), "Neutrality Modifier")]
        with open(t2, newline="", encoding="utf-8-sig") as fh:
            # A footnote mark ("Pneumonia [k]") is not part of the cohort name.
            cohorts = {r[column(r.keys(), "Measure [a]")].split(" [")[0]: r for r in csv.DictReader(fh)}
        header = ["provider_id"]
        row = [f"MOCK-FY{year}"]
        for name, mid, _ in COHORTS:
            c = cohorts[name]
            keys = c.keys()
            for label, needle in [
                ("discharges", "Number of Eligible Discharges"),
                ("ERR", "Excess Readmission Ratio"),
                ("peer median ERR", "Peer Group Median ERR"),
                ("DRG payment share", "Ratio of DRG Payments"),
            ]:
                header.append(f"{mid} {label}")
                row.append(c[column(keys, needle)])
        out = DATA / f"fy{year}_cohorts.csv"
        with open(out, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerow(row)
        write_program(year, nm)
        print("wrote", out)


def write_program(year, nm):
    measures = "\n".join(
        f"""        (
            id: "{mid}",
            title: "{title}: excess readmission ratio",
            steward: "CMS",
            kind: Outcome,
            direction: LowerIsBetter,
            data_source: Claims,
            service_areas: ["hospital"],
            importance: High,
            vital_few: true,
            weight: 1.0,
            min_denominator: Some(25.0),
        ),"""
        for _, mid, title in COHORTS
    )
    columns = "\n".join(
        f"""                        (column: "{mid} discharges", measure_id: "{mid}", field: Denominator("performance")),
                        (column: "{mid} ERR", measure_id: "{mid}", field: Rate("performance")),
                        (column: "{mid} peer median ERR", measure_id: "{mid}", field: Threshold),
                        (column: "{mid} DRG payment share", measure_id: "{mid}", field: Weight),"""
        for _, mid, _ in COHORTS
    )
    text = f"""// CMS Hospital Readmissions Reduction Program, FY{year}, on CMS's mock hospital-specific report.
// Written by scripts/make_hrrp_sample.py. Each cohort's excess readmission ratio (ERR) is scored
// by how far it exceeds the peer group's median ERR (cohorts with at least 25 discharges), the
// excesses are weighted by the hospital's share of DRG payments for each cohort, and the sum,
// times the year's neutrality modifier and rounded to four places, is cut from base payments,
// at most 3%: payment adjustment factor = 1 − reduction.
(
    format_version: 1,
    name: "HRRP FY{year} (CMS mock hospital-specific report)",
    description: "The Medicare Hospital Readmissions Reduction Program for fiscal year {year}, on CMS's mock hospital: six readmission cohorts against peer-group medians, DRG payment shares as weights, neutrality modifier {nm}, a payment reduction of at most 3%.",
    population: (
        description: "Medicare fee-for-service inpatients of acute care hospitals paid under IPPS.",
        priorities: ["Avoidable readmissions"],
    ),
    service_areas: [
        (id: "hospital", name: "Acute care hospital", description: "Inpatient prospective payment system hospitals"),
    ],
    measures: [
{measures}
    ],
    standards: (
        baseline_period: "baseline",
        performance_period: "performance",
        // The peer group's median ERR, as the report gives it.
        threshold: Supplied,
        benchmark: Supplied,
        floor: Supplied,
    ),
    scoring: (
        achievement: ExcessOverThreshold,
        improvement: None,
        combine: AchievementOnly,
        domains: [],
        min_domains: 1,
        reweight_missing_domains: true,
        total: WeightedSum,
    ),
    payment: (
        pool: Fixed(cents: 0),
        frequency: Annual,
        distribution: Reduction(scale: {nm}, round_decimals: Some(4), max_percent: 3.0),
        eligibility: Any,
        default_base_payments: 1000000.0,
    ),
    data: (
        missing_values: ["NQ", "N/A"],
        files: [
            (
                path: "../data/hrrp_mock/fy{year}_cohorts.csv",
                layout: Wide((
                    provider_id: "provider_id",
                    columns: [
{columns}
                    ],
                )),
            ),
        ],
    ),
)
"""
    (PROGRAMS / f"fy{year}.ron").write_text(text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(pathlib.Path(sys.argv[1]))
