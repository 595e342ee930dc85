"""A check of a cBioPortal study folder against the facts of cBioPortal's importer validator
(tests/data/cbioportal_formats.json): meta fields, required columns and allowed values of the
MAF, discrete CNA, structural-variant and clinical sample files. Returns the problems found,
each naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path

FACTS = json.loads(
    (Path(__file__).parent / "data" / "cbioportal_formats.json").read_text(encoding="utf-8")
)


def _meta(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def _table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header: list[str] = []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header:
            header = cells
        else:
            rows.append((number, cells))
    return header, rows


def _read_with_columns(
    path: Path, facts: dict[str, list[str]]
) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """The table, and a problem per required column it lacks."""
    header, rows = _table(path)
    missing = [
        f"{path.name}: missing column {c}" for c in facts["required_columns"] if c not in header
    ]
    return header, rows, missing


def check_study(folder: Path) -> list[str]:
    problems: list[str] = []
    metas = {p.name: _meta(p) for p in sorted(folder.glob("meta_*.txt"))}
    if "meta_study.txt" not in metas:
        return [f"{folder}: no meta_study.txt"]
    study = metas["meta_study.txt"]
    rules = FACTS["meta_fields"]["STUDY"]
    problems += [f"meta_study.txt: missing {k}" for k in rules["required"] if not study.get(k)]
    problems += [f"meta_study.txt: unknown field {k}" for k in study
                 if k not in rules["required"] + rules["optional"]]  # fmt: skip
    if study.get("reference_genome") not in FACTS["reference_genomes"]:
        problems.append(f"meta_study.txt: reference_genome {study.get('reference_genome')!r}")
    samples: set[str] = set()
    for name, meta in metas.items():
        if name == "meta_study.txt":
            continue
        kind = f"{meta.get('genetic_alteration_type')}/{meta.get('datatype')}"
        if kind not in FACTS["meta_fields"]:
            problems.append(f"{name}: unknown type {kind}")
            continue
        rules = FACTS["meta_fields"][kind]
        problems += [f"{name}: missing {k}" for k in rules["required"] if not meta.get(k)]
        problems += [f"{name}: unknown field {k}" for k in meta
                     if k not in rules["required"] + rules["optional"]]  # fmt: skip
        if meta.get("cancer_study_identifier") != study.get("cancer_study_identifier"):
            problems.append(f"{name}: another study's identifier")
        data = folder / meta.get("data_filename", "")
        if not data.is_file():
            problems.append(f"{name}: data file {data.name} missing")
            continue
        check = {"CLINICAL/SAMPLE_ATTRIBUTES": _clinical, "MUTATION_EXTENDED/MAF": _mutations,
                 "COPY_NUMBER_ALTERATION/DISCRETE": _cna, "STRUCTURAL_VARIANT/SV": _sv}[kind]  # fmt: skip
        problems += check(data, samples)
    return problems


def _clinical(path: Path, samples: set[str]) -> list[str]:
    facts = FACTS["clinical_sample"]
    lines = path.read_text(encoding="utf-8").split("\n")
    meta_lines = [x for x in lines[: facts["metadata_lines"]] if x.startswith("#")]
    problems = [] if len(meta_lines) == facts["metadata_lines"] else [f"{path.name}: not 4 # lines"]
    header, rows = _table(path)
    problems += [
        f"{path.name}: missing column {c}" for c in facts["required_columns"] if c not in header
    ]
    types = lines[2].lstrip("#").split("\t")
    problems += [f"{path.name}: datatype {t!r}" for t in types if t not in facts["datatypes"]]
    for number, cells in rows:
        if len(cells) != len(header):
            problems.append(f"{path.name}:{number}: {len(cells)} cells, header has {len(header)}")
        samples.add(cells[header.index("SAMPLE_ID")])
    return problems


def _mutations(path: Path, samples: set[str]) -> list[str]:
    facts = FACTS["mutations"]
    header, rows, problems = _read_with_columns(path, facts)
    seen = set()
    for number, cells in rows:
        where = f"{path.name}:{number}"
        if len(cells) != len(header):
            problems.append(f"{where}: {len(cells)} cells, header has {len(header)}")
            continue
        row = dict(zip(header, cells, strict=True))
        problems += [f"{where}: blank {c}" for c in facts["not_blank"] if not row[c].strip()]
        if row["Variant_Classification"] not in facts["variant_classification"]:
            problems.append(f"{where}: Variant_Classification {row['Variant_Classification']!r}")
        problems += [f"{where}: {c} {row[c]!r} not an integer" for c in facts["position_columns"]
                     if c in row and row[c] not in ("", "NA") and not row[c].isdigit()]  # fmt: skip
        problems += [f"{where}: {c} {row[c]!r} not a count" for c in facts["count_columns"]
                     if c in row and row[c] not in facts["count_blank"] and not row[c].isdigit()]  # fmt: skip
        for c in facts["amino_acid_columns"]:
            value = row.get(c, "").strip()
            if value not in facts["amino_acid_null"] and (
                any(ch in value for ch in facts["amino_acid_forbidden"]) or "p." in value[1:]
            ):
                problems.append(f"{where}: {c} {value!r}")
        status = row.get("Mutation_Status", "")
        if status and status.lower() not in facts["mutation_status"]:
            problems.append(f"{where}: Mutation_Status {status!r}")
        if row.get("NCBI_Build") and row["NCBI_Build"] not in facts["ncbi_build"]:
            problems.append(f"{where}: NCBI_Build {row['NCBI_Build']!r}")
        if samples and row["Tumor_Sample_Barcode"] not in samples:
            problems.append(
                f"{where}: sample {row['Tumor_Sample_Barcode']!r} not in the clinical file"
            )
        key = tuple(row[c] for c in ("Tumor_Sample_Barcode", "Chromosome", "Start_Position",
                                     "Reference_Allele", "Tumor_Seq_Allele2"))  # fmt: skip
        if key in seen:
            problems.append(f"{where}: duplicate mutation {key}")
        seen.add(key)
    return problems


def _cna(path: Path, samples: set[str]) -> list[str]:
    facts = FACTS["cna_discrete"]
    header, rows = _table(path)
    genes = [c for c in header if c in facts["gene_columns_any_of"]]
    problems = [] if genes else [f"{path.name}: no gene column"]
    sample_cols = [
        c for c in header if c not in facts["gene_columns_any_of"] + facts["optional_columns"]
    ]
    problems += [f"{path.name}: sample {s!r} not in the clinical file" for s in sample_cols
                 if samples and s not in samples]  # fmt: skip
    for number, cells in rows:
        for name, value in zip(header, cells, strict=False):
            if name in sample_cols and value.strip() not in facts["values"]:
                problems.append(f"{path.name}:{number}: CNA value {value!r} ({name})")
    return problems


def _sv(path: Path, samples: set[str]) -> list[str]:
    facts = FACTS["sv"]
    header, rows, problems = _read_with_columns(path, facts)
    for side in ("site1_any_of", "site2_any_of"):
        if not set(facts[side]) & set(header):
            problems.append(f"{path.name}: none of {facts[side]}")
    unique = [c for c in facts["uniqueness_columns"] if c in header]
    seen: dict[tuple[str, ...], int] = {}
    builds = set()
    for number, cells in rows:
        where = f"{path.name}:{number}"
        row = dict(zip(header, cells, strict=True))
        status = row["SV_Status"].strip()
        if status not in facts["missing_values"] and status.upper() not in facts["sv_status"]:
            problems.append(f"{where}: SV_Status {status!r}")
        build = row.get("NCBI_Build", "").strip()
        if build and build.lower() not in facts["ncbi_build"]:
            problems.append(f"{where}: NCBI_Build {build!r}")
        builds.add(build)
        genes = [row.get(c, "").strip() for c in facts["site1_any_of"] + facts["site2_any_of"]]
        if all(g in facts["missing_values"] for g in genes):
            problems.append(f"{where}: no gene for site 1 or site 2")
        if samples and row["Sample_Id"] not in samples:
            problems.append(f"{where}: sample {row['Sample_Id']!r} not in the clinical file")
        key = tuple(row[c] for c in unique)
        if key in seen:
            problems.append(f"{where}: duplicate of line {seen[key]}")
        seen[key] = number
    if len(builds) > 1:
        problems.append(f"{path.name}: several NCBI_Build values {sorted(builds)}")
    return problems
