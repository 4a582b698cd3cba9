#!/usr/bin/env python3
"""Build assets/measure_catalogue.csv from the public measure lists in ../shared/data.

Run from anywhere: paths are resolved relative to this script (the repository is
<root>/main, the data <root>/shared/data). Python 3 standard library only.

The catalogue holds measure IDs, titles and steward names only. Many Core Set measures are
NCQA HEDIS measures: their specifications and value sets are licensed and never copied here.

kind, direction and data_source are not published in most of the source lists; they are
inferred by the tables below (MIPS gives measureType and isInverse, which are used as is).
"""

import csv
import os
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data"))
OUT = os.path.join(REPO, "assets", "measure_catalogue.csv")

COLUMNS = ["id", "title", "steward", "set", "years", "kind", "direction", "data_source", "source"]

# ---------------------------------------------------------------------------------------------
# Medicaid & CHIP Core Sets
# ---------------------------------------------------------------------------------------------

CORE_SET_NAMES = {
    "Adult": "Adult Core Set",
    "Child": "Child Core Set",
    "Health Home": "Health Home Core Set",
}

# Measure stewards as listed in CMS's Core Set technical specifications, keyed by the ID stem
# (the part before "-AD", "-CH", "-HH").
STEWARDS = {
    "AAB": "NCQA", "ADD": "NCQA", "AIF": "CMS", "AIS": "NCQA", "AMB": "NCQA", "AMM": "NCQA",
    "AMR": "NCQA", "APM": "NCQA", "APP": "NCQA", "AUD": "CDC", "BCS": "NCQA", "CBP": "NCQA",
    "CCP": "OPA", "CCS": "NCQA", "CCW": "OPA", "CDF": "CMS", "CHL": "NCQA", "CIS": "NCQA",
    "COB": "PQA", "COL": "NCQA", "CPA": "NCQA", "CPC": "NCQA", "CPU": "NCQA", "DEV": "OHSU",
    "EDV": "ADA DQA", "FUA": "NCQA", "FUH": "NCQA", "FUM": "NCQA", "FVA": "NCQA",
    "GSD": "NCQA", "HBD": "NCQA", "HPC": "NCQA", "HPCMI": "NCQA", "HVL": "HRSA", "IET": "NCQA",
    "IMA": "NCQA", "IU": "CMS", "LBW": "CDC", "LRCD": "The Joint Commission", "LSC": "NCQA",
    "MSC": "NCQA", "NCIDDS": "HSRI and NASDDDS", "NCIIDD": "HSRI and NASDDDS",
    "OEV": "ADA DQA", "OEVP": "ADA DQA", "OHD": "PQA", "OUD": "CMS",
    "PC01": "The Joint Commission", "PCR": "NCQA", "PDENT": "CMS", "PDS": "NCQA",
    "PND": "NCQA", "PPC": "NCQA", "PPC2": "NCQA", "PQI01": "AHRQ", "PQI05": "AHRQ",
    "PQI08": "AHRQ", "PQI15": "AHRQ", "PQI92": "AHRQ", "PRS": "NCQA", "SAA": "NCQA",
    "SFM": "ADA DQA", "SSD": "NCQA", "TFL": "ADA DQA", "W30": "NCQA", "WCC": "NCQA",
    "WCV": "NCQA",
}

# Lower rates are better: readmissions, avoidable admissions and ED visits, poor control,
# unsafe prescribing, low birth weight, caesareans in low-risk births, elective early delivery.
LOWER_IS_BETTER = {
    "AIF", "AMB", "COB", "EDV", "HPC", "HPCMI", "IU", "LBW", "LRCD", "OHD", "PC01", "PCR",
    "PQI01", "PQI05", "PQI08", "PQI15", "PQI92",
}

CORE_KIND = {
    "CBP": "IntermediateOutcome", "HBD": "IntermediateOutcome", "HPC": "IntermediateOutcome",
    "HPCMI": "IntermediateOutcome", "HVL": "IntermediateOutcome", "GSD": "IntermediateOutcome",
    "PCR": "Outcome", "PQI01": "Outcome", "PQI05": "Outcome", "PQI08": "Outcome",
    "PQI15": "Outcome", "LBW": "Outcome", "LRCD": "Outcome", "AIF": "Outcome",
    "PQI92": "Composite",
    "AMB": "Utilization", "IU": "Utilization", "EDV": "Utilization",
    "CPA": "PatientExperience", "CPC": "PatientExperience", "NCIDDS": "PatientExperience",
    "NCIIDD": "PatientExperience",
}

# Where the data usually comes from: HEDIS hybrid measures combine claims with chart review;
# ECDS-style measures come from clinical systems; surveys; vital-records and surveillance
# registries; case-management records.
CORE_SOURCE = {
    "CBP": "Hybrid", "CCS": "Hybrid", "CIS": "Hybrid", "IMA": "Hybrid", "PPC": "Hybrid",
    "PPC2": "Hybrid", "WCC": "Hybrid", "HBD": "Hybrid", "HPC": "Hybrid", "HPCMI": "Hybrid",
    "GSD": "Hybrid", "DEV": "Hybrid", "COL": "Hybrid",
    "CDF": "Ehr", "HVL": "Ehr", "PDS": "Ehr", "PND": "Ehr", "PRS": "Ehr", "AIS": "Ehr",
    "PC01": "Ehr",
    "CPA": "Survey", "CPC": "Survey", "MSC": "Survey", "FVA": "Survey", "NCIDDS": "Survey",
    "NCIIDD": "Survey",
    "LBW": "Registry", "LRCD": "Registry", "AUD": "Registry",
    "CPU": "Administrative",
}


def stem(measure_id):
    """CBP-AD -> CBP."""
    return measure_id.rsplit("-", 1)[0]


def core_sets():
    path = "cms-medicaid-core-set/core_set_measures.csv"
    rows = read_csv(path)
    merged = OrderedDict()
    for r in rows:
        key = (r["core_set"], r["measure_id"])
        e = merged.setdefault(key, {"years": [], "titles": []})
        e["years"].append(int(r["year"]))
        e["titles"].append((int(r["year"]), r["title"].strip()))
    out = []
    for (core_set, mid), e in merged.items():
        s = stem(mid)
        # The newest title: titles are revised over the years (e.g. "Glycemic Status").
        title = max(e["titles"])[1]
        out.append({
            "id": mid,
            "title": title,
            "steward": STEWARDS.get(s, ""),
            "set": CORE_SET_NAMES[core_set],
            "years": sorted(set(e["years"])),
            "kind": CORE_KIND.get(s, "Process"),
            "direction": "LowerIsBetter" if s in LOWER_IS_BETTER else "HigherIsBetter",
            "data_source": CORE_SOURCE.get(s, "Claims"),
            "source": path,
        })
    return out


# ---------------------------------------------------------------------------------------------
# Hospital programs (FY2024) and SNF VBP (FY2025)
# ---------------------------------------------------------------------------------------------

def measure_dates():
    """Official measure names from CMS's Measure_Dates.csv, keyed by Measure ID."""
    return {r["Measure ID"]: r["Measure Name"].strip()
            for r in read_csv("cms-fy2024-hospital/Measure_Dates.csv")}


# The eight HCAHPS dimensions scored by Hospital VBP, with CMS's HCAHPS composite IDs
# (Composite 1 = nurses … 7 = care transition, as in Measure_Dates.csv).
HCAHPS_IDS = {
    "Communication With Nurses": "H-COMP-1",
    "Communication With Doctors": "H-COMP-2",
    "Responsiveness Of Hospital Staff": "H-COMP-3",
    "Communication About Medicines": "H-COMP-5",
    "Discharge Information": "H-COMP-6",
    "Care Transition": "H-COMP-7",
    "Cleanliness And Quietness Of Hospital Environment": "H-CLEAN-QUIET",
    "Overall Rating Of Hospital": "H-HSP-RATING",
}


def header(path):
    with open(os.path.join(DATA, path), newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f))


def hvbp():
    names = measure_dates()
    out = []
    files = [
        "cms-fy2024-hospital/hvbp_clinical_outcomes.csv",
        "cms-fy2024-hospital/hvbp_safety.csv",
        "cms-fy2024-hospital/hvbp_efficiency_and_cost_reduction.csv",
        "cms-fy2024-hospital/hvbp_person_and_community_engagement.csv",
    ]
    for path in files:
        for col in header(path):
            if not col.endswith(" Achievement Threshold"):
                continue
            name = col[: -len(" Achievement Threshold")]
            if name in HCAHPS_IDS:
                out.append(entry(HCAHPS_IDS[name], "HCAHPS: " + name, "CMS", "Hospital VBP",
                                 [2024], "PatientExperience", "HigherIsBetter", "Survey", path))
                continue
            key = name.replace("-", "_")
            title = names.get(key) or names.get(key + "_HVBP_Performance") or name
            if name.startswith("MORT-30") or name == "COMP-HIP-KNEE":
                # A rate, lower is better. (HVBP's files publish mortality as survival, 1 - rate.)
                out.append(entry(name, title, "CMS", "Hospital VBP", [2024], "Outcome",
                                 "LowerIsBetter", "Claims", path))
            elif name.startswith("HAI-"):
                out.append(entry(name, title + " (SIR)", "CDC", "Hospital VBP", [2024],
                                 "Outcome", "LowerIsBetter", "Registry", path))
            elif name == "MSPB-1":
                out.append(entry(name, title, "CMS", "Hospital VBP", [2024], "Efficiency",
                                 "LowerIsBetter", "Claims", path))
            else:
                sys.exit(f"unexpected HVBP measure {name!r} in {path}")
    return out


def hac():
    path = "cms-fy2024-hospital/FY_2024_HAC_Reduction_Program_Hospital.csv"
    names = measure_dates()
    titles = {
        "PSI 90": names["HACRP_PSI90"],
        "CLABSI": names["HAI_1"],
        "CAUTI": names["HAI_2"],
        "SSI": "Surgical Site Infection: " + names["HAI_3"].replace("SSI - ", "")
               + " and " + names["HAI_4"].replace("SSI - ", ""),
        "MRSA": names["HAI_5"],
        "CDI": names["HAI_6"],
    }
    out = []
    for col in header(path):
        for suffix in (" Composite Value", " SIR"):
            if col.endswith(suffix) and "Footnote" not in col:
                name = col[: -len(suffix)]
                if name == "PSI 90":
                    out.append(entry("PSI-90", titles[name], "CMS", "HAC Reduction", [2024],
                                     "Composite", "LowerIsBetter", "Claims", path))
                else:
                    out.append(entry(name, titles[name] + " (SIR)", "CDC", "HAC Reduction",
                                     [2024], "Outcome", "LowerIsBetter", "Registry", path))
    return out


def hrrp():
    path = "cms-fy2024-hospital/FY_2024_Hospital_Readmissions_Reduction_Program_Hospital.csv"
    names = measure_dates()
    present = {r["Measure Name"] for r in read_csv(path)}
    # The program's usual cohort order rather than the file's row order.
    order = ["AMI", "HF", "PN", "COPD", "CABG", "HIP-KNEE"]
    ids = [f"READM-30-{c}-HRRP" for c in order if f"READM-30-{c}-HRRP" in present]
    if len(ids) != len(present):
        sys.exit(f"{path}: unexpected cohorts {sorted(present - set(ids))}")
    out = []
    for mid in ids:
        title = names.get(mid.replace("-", "_"), mid)
        out.append(entry(mid, title, "CMS", "Hospital Readmissions", [2024], "Outcome",
                         "LowerIsBetter", "Claims", path))
    return out


def snf_vbp():
    path = "cms-fy2025-snf-vbp/FY_2025_SNF_VBP_Facility_Performance.csv"
    cols = header(path)
    if not any("Risk-Standardized Readmission Rate" in c for c in cols):
        sys.exit(f"{path}: no readmission rate column")
    return [entry("SNFRM", "Skilled Nursing Facility 30-Day All-Cause Readmission Measure",
                  "CMS", "SNF VBP", [2025], "Outcome", "LowerIsBetter", "Claims", path)]


# ---------------------------------------------------------------------------------------------
# QOF 2023/24
# ---------------------------------------------------------------------------------------------

# Indicators whose target is a clinical value (blood pressure, HbA1c, cholesterol) rather than
# a care process.
QOF_INTERMEDIATE = {
    "HYP008", "HYP009", "DM020", "DM021", "CHD015", "CHD016", "STIA014", "STIA015", "CHOL002",
}


def qof():
    path = "nhs-qof-2324/NHSDigital_QOF_2324_INDICATOR_REFERENCE_CONTROL.csv"
    out = []
    for r in read_csv(path):
        code = r["INDICATOR_CODE"].strip()
        group = r["GROUP_DESCRIPTION"].strip()
        register = r["REGISTER_FLAG"].strip() == "1"
        quality_improvement = r["DOMAIN_CODE"].strip() == "QI"
        # The metadata has no indicator wording, only its clinical group.
        title = f"{group}: register" if register else f"{group}: indicator {code}"
        if register or quality_improvement:
            kind = "Structure"
        elif code in QOF_INTERMEDIATE:
            kind = "IntermediateOutcome"
        else:
            kind = "Process"
        source = "Administrative" if quality_improvement else "Ehr"
        # QOF year 2023/24 is catalogued under the year it ends, as CMS fiscal years are.
        out.append(entry(code, title, "NHS England", "QOF", [2024], kind, "HigherIsBetter",
                         source, path))
    return out


# ---------------------------------------------------------------------------------------------
# MIPS quality measures (PY2024, PY2025)
# ---------------------------------------------------------------------------------------------

MIPS_KIND = {
    "Process": "Process",
    "Outcome": "Outcome",
    "Patient-Reported Outcome-Based Performance Measure (PRO-PM)": "Outcome",
    "Intermediate Outcome": "IntermediateOutcome",
    "Efficiency": "Efficiency",
    "Structure": "Structure",
    "Patient Engagement/Experience": "PatientExperience",
}


def mips_source(methods):
    """Data source from the ways a measure can be submitted."""
    if methods == {"Medicare Part B Claims"}:
        return "Claims"
    if "Medicare Part B Claims" in methods:
        return "Hybrid"
    if methods == {"eCQM"} or methods == {"eCQM", "MIPS CQM"}:
        return "Ehr"
    return "Registry"


def mips():
    files = [(2024, "cms-mips-benchmarks/mips_benchmarks_py2024.csv"),
             (2025, "cms-mips-benchmarks/mips_benchmarks_py2025.csv")]
    merged = OrderedDict()
    for year, path in files:
        for r in read_csv(path):
            mid = r["measureId"].strip()
            e = merged.setdefault(mid, {"years": set(), "methods": set(), "paths": []})
            e["years"].add(year)
            e["methods"].add(r["submissionMethod"].strip())
            # Later files overwrite: the newest title, type and direction win.
            e["title"] = r["measureName"].strip() or mid
            e["type"] = r["measureType"].strip()
            e["inverse"] = r["isInverse"].strip() == "Y"
            if path not in e["paths"]:
                e["paths"].append(path)
    out = []
    for mid, e in merged.items():
        kind = MIPS_KIND.get(e["type"])
        if kind is None:
            sys.exit(f"unknown MIPS measureType {e['type']!r} for {mid}")
        out.append(entry(mid, e["title"], "", "MIPS", sorted(e["years"]), kind,
                         "LowerIsBetter" if e["inverse"] else "HigherIsBetter",
                         mips_source(e["methods"]), ";".join(e["paths"])))
    return out


# ---------------------------------------------------------------------------------------------

def read_csv(path):
    with open(os.path.join(DATA, path), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def entry(mid, title, steward, set_name, years, kind, direction, data_source, source):
    return {"id": mid, "title": title, "steward": steward, "set": set_name, "years": years,
            "kind": kind, "direction": direction, "data_source": data_source,
            "source": source}


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"shared data not found at {DATA}")
    rows = core_sets() + hvbp() + snf_vbp() + hac() + hrrp() + qof() + mips()
    keys = set()
    for r in rows:
        key = (r["set"], r["id"])
        if key in keys:
            sys.exit(f"duplicate catalogue entry {key}")
        keys.add(key)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            r = dict(r)
            r["years"] = ";".join(str(y) for y in r["years"])
            w.writerow(r)
    counts = OrderedDict()
    for r in rows:
        counts[r["set"]] = counts.get(r["set"], 0) + 1
    print(f"wrote {len(rows)} measures to {os.path.relpath(OUT, REPO)}")
    for s, n in counts.items():
        print(f"  {s}: {n}")


if __name__ == "__main__":
    main()
