#!/usr/bin/env python3
"""Writes sample_programs/hvbp_fy2024.ron: CMS Hospital VBP FY2024 as a p4p-designer program.

The measure list and column names follow the five published files in
sample_programs/data/hvbp_fy2024/, which the program reads as published (wide, "Not Available",
"6 out of 10", "%") through its column mapping.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = "data/hvbp_fy2024"

CLINICAL = [
    ("MORT-30-AMI", "Acute myocardial infarction 30-day mortality (survival rate)", "HigherIsBetter"),
    ("MORT-30-HF", "Heart failure 30-day mortality (survival rate)", "HigherIsBetter"),
    ("MORT-30-PN", "Pneumonia 30-day mortality (survival rate)", "HigherIsBetter"),
    ("MORT-30-COPD", "COPD 30-day mortality (survival rate)", "HigherIsBetter"),
    ("MORT-30-CABG", "CABG 30-day mortality (survival rate)", "HigherIsBetter"),
    ("COMP-HIP-KNEE", "Complications after elective hip/knee replacement", "LowerIsBetter"),
]
SAFETY = [
    ("HAI-1", "Central line-associated bloodstream infection (CLABSI) SIR"),
    ("HAI-2", "Catheter-associated urinary tract infection (CAUTI) SIR"),
    ("HAI-5", "MRSA bacteremia SIR"),
    ("HAI-6", "Clostridioides difficile infection SIR"),
]
HCAHPS = [
    "Communication With Nurses",
    "Communication With Doctors",
    "Responsiveness Of Hospital Staff",
    "Care Transition",
    "Communication About Medicines",
    "Cleanliness And Quietness Of Hospital Environment",
    "Discharge Information",
    "Overall Rating Of Hospital",
]


def hcahps_id(name):
    return "HCAHPS-" + "".join(w[0] for w in name.split()).upper()


def measure(mid, title, domain, direction, kind, source, supplied=False, steward="CMS"):
    return f"""        (
            id: "{mid}",
            title: "{title}",
            steward: "{steward}",
            domain: "{domain}",
            kind: {kind},
            direction: {direction},
            data_source: {source},
            service_areas: ["hospital"],
            importance: High,
            vital_few: true,
            weight: 1.0,
            supplied_score: {"true" if supplied else "false"},
        ),"""


def rate_columns(prefix, mid, floor=False):
    cols = []
    if floor:
        cols.append((f"{prefix} Floor", mid, "Floor"))
    cols += [
        (f"{prefix} Achievement Threshold", mid, "Threshold"),
        (f"{prefix} Benchmark", mid, "Benchmark"),
        (f"{prefix} Baseline Rate", mid, 'Rate("baseline")'),
        (f"{prefix} Performance Rate", mid, 'Rate("performance")'),
    ]
    return cols


def wide_file(name, columns):
    cols = "\n".join(
        f'                    (column: "{c}", measure_id: "{m}", field: {f}),' for c, m, f in columns
    )
    return f"""        (
            path: "{DATA}/{name}",
            layout: Wide((
                provider_id: "Facility ID",
                provider_name: "Facility Name",
                columns: [
{cols}
                ],
            )),
        ),"""


measures = []
for mid, title, direction in CLINICAL:
    measures.append(measure(mid, title, "clinical_outcomes", direction, "Outcome", "Claims"))
for mid, title in SAFETY:
    measures.append(measure(mid, title, "safety", "LowerIsBetter", "Outcome", "Registry", steward="CDC NHSN"))
measures.append(
    measure("SSI-COMBINED", "Combined surgical site infection score (HAI-3 colon, HAI-4 abdominal hysterectomy)",
            "safety", "LowerIsBetter", "Outcome", "Registry", supplied=True, steward="CDC NHSN")
)
measures.append(measure("MSPB-1", "Medicare spending per beneficiary", "efficiency", "LowerIsBetter", "Efficiency", "Claims"))
for name in HCAHPS:
    measures.append(measure(hcahps_id(name), f"HCAHPS: {name.lower()}", "person_and_community_engagement",
                            "HigherIsBetter", "PatientExperience", "Survey"))

files = [
    wide_file("hvbp_clinical_outcomes.csv", [c for mid, _, _ in CLINICAL for c in rate_columns(mid, mid)]),
    wide_file(
        "hvbp_safety.csv",
        [c for mid, _ in SAFETY for c in rate_columns(mid, mid)]
        + [("Combined SSI Measure Score", "SSI-COMBINED", "SuppliedScore")],
    ),
    wide_file("hvbp_efficiency_and_cost_reduction.csv", rate_columns("MSPB-1", "MSPB-1")),
    wide_file(
        "hvbp_person_and_community_engagement.csv",
        [c for name in HCAHPS for c in rate_columns(name, hcahps_id(name), floor=True)],
    ),
    wide_file("hvbp_tps.csv", []),
]

text = f"""// CMS Hospital Value-Based Purchasing, FY2024, as a p4p-designer program.
// Scores every hospital from the published CMS files (sample_programs/data/hvbp_fy2024/, read as
// published) and pays a 2% withhold back through the budget-neutral linear exchange function.
(
    format_version: 1,
    name: "Hospital VBP FY2024 (CMS)",
    description: "The Medicare Hospital Value-Based Purchasing Program for fiscal year 2024: four equally weighted domains, achievement and improvement points, HCAHPS consistency points, a 2% withhold redistributed by a linear exchange function.",
    population: (
        description: "Medicare fee-for-service inpatients of acute care hospitals paid under IPPS.",
        priorities: ["Mortality", "Healthcare-associated infections", "Patient experience", "Efficiency"],
    ),
    service_areas: [
        (id: "hospital", name: "Acute care hospital", description: "Inpatient prospective payment system hospitals"),
    ],
    measures: [
{chr(10).join(measures)}
    ],
    standards: (
        baseline_period: "baseline",
        performance_period: "performance",
        threshold: Supplied,
        benchmark: Supplied,
        floor: Supplied,
    ),
    scoring: (
        achievement: HvbpPoints,
        improvement: HvbpPoints,
        combine: Max,
        domains: [
            (id: "clinical_outcomes", name: "Clinical outcomes", weight: 0.25, min_measures: 2),
            (id: "person_and_community_engagement", name: "Person and community engagement", weight: 0.25, min_measures: 1, consistency: (max_points: 20.0)),
            (id: "safety", name: "Safety", weight: 0.25, min_measures: 2),
            (id: "efficiency", name: "Efficiency and cost reduction", weight: 0.25, min_measures: 1),
        ],
        min_domains: 3,
        reweight_missing_domains: true,
    ),
    payment: (
        pool: Withhold(percent: 2.0),
        frequency: Annual,
        distribution: LinearExchange,
        eligibility: Any,
        weight_by: BasePayments,
        two_sided: true,
        default_base_payments: 1000000.0,
    ),
    data: (
        missing_values: ["Not Available"],
        files: [
{chr(10).join(files)}
        ],
    ),
)
"""
(ROOT / "sample_programs" / "hvbp_fy2024.ron").write_text(text)
print("wrote", ROOT / "sample_programs" / "hvbp_fy2024.ron")
