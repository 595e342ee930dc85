"""Every file of ../shared/data/conformance through armmatch's readers, in the sample-sheet
column its manifest names (other projects' valid, invalid and tool-input files).

A file its project calls valid is read, or refused for one of the documented reasons below
(README, "Inputs accepted": a multi-sample VCF whose tumour sample is not named, a
structural-variant VCF in the vcf column, VCF 4.1's <ID> contig notation, telomere POS 0, ...).
A file refused names itself. A file read, valid or not, gives no called event in a trial gene
when its project calls it invalid (a defect never turns into an arm). Nothing crashes.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from armmatch.config import settings_from_config
from armmatch.errors import InputError
from armmatch.patient import Patient
from armmatch.run.pipeline import (
    decide_events,
    detect_copy_number,
    detect_fusions,
    detect_small_variants,
    rule_set,
)

pytestmark = pytest.mark.shared

DOCUMENTED = {
    "samples": r"samples \(.*\) and does not name its tumour sample|tumour barcodes",
    "several samples": r"the file has several samples and none is the patient id",
    "structural in vcf column": r"this is a structural-variant VCF",
    "VCF 4.1 <ID> contigs": r"assembly-contig notation, which armmatch does not resolve",
    "telomere POS 0": r"POS 0 \(the VCF specification's telomere position\) is not read",
    "blank line": r"blank line among the records",
    "bzip2": r"bzip2-compressed, which is not read",
    "not a chromosome name": r"is not a chromosome name",
    "another layout": r"the first line is '.*', not '##fileformat=VCFv4.x'",
    "CSQ without SYMBOL": r"the CSQ header has no SYMBOL field",
    "Entrez-only gene table": r"cannot tell the copy-number format from the header",
}
"""Why a file its project calls valid is refused (each stated in the message)."""


NOT_OUR_COLUMNS = {
    "cbioportal-core/mutations/data_mutations_missing_zygosity_status_column.maf":
        "invalid for cBioPortal's own zygosity column, which armmatch does not read; its BRCA1 "
        "p.Gln1323Ter row (t_depth 0, empty counts: not given) is read as written and counts",
}  # fmt: skip
"""Files their project calls invalid for a column armmatch does not read: what they hold counts."""


def _manifest(root: Path) -> list[dict[str, str]]:
    with open(root / "manifest.tsv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _read(path: Path, column: str, build: str) -> list:  # type: ignore[type-arg]
    rules, settings = rule_set(), settings_from_config({"samples": "s.tsv"})
    if column == "vcf":
        ev = detect_small_variants(Patient("P", "C49", str(path), 2), build=build, rules=rules,
                                   settings=settings)  # fmt: skip
    elif column == "cnv":
        ev = detect_copy_number(Patient("P", "C49", "x", 2, cnv=str(path), purity=1.0,
                                        ploidy=2.0), build=build, rules=rules, settings=settings)  # fmt: skip
    else:
        ev = detect_fusions(Patient("P", "C49", "x", 2, fusions=str(path)), rules=rules,
                            settings=settings, build=build)  # fmt: skip
    return decide_events(ev.events, rules=rules, settings=settings, build=build)


def test_every_conformance_file(shared_data: Path) -> None:
    root = shared_data / "conformance"
    rows = _manifest(root)
    assert len(rows) == 1297
    undocumented, called, outcomes = [], [], {"read": 0, "refused": 0}
    for row in rows:
        path = root / row["file"]
        outcome, message = "read", ""
        events: list = []  # type: ignore[type-arg]
        for build in ("GRCh38", "GRCh37"):
            try:
                events = _read(path, row["column"], build)
                outcome = "read"
                break
            except InputError as exc:
                outcome, message = "refused", str(exc)
                if "GRCh" not in exc.problem:  # another build: try the other one
                    break
        outcomes[outcome] += 1
        if outcome == "refused":
            assert str(path) in message, (row["file"], message)  # the file names itself
            if row["label"] == "valid" and not any(
                re.search(p, message) for p in DOCUMENTED.values()
            ):
                undocumented.append((row["file"], message))
        elif row["label"] == "invalid" and row["file"] not in NOT_OUR_COLUMNS:
            # read: shown harmless (nothing of it counts)
            called += [(row["file"], e.gene, e.alteration) for e in events
                       if e.status == "called" and e.rule_ids]  # fmt: skip
    assert undocumented == []
    assert called == []
    assert outcomes["read"] > 600 and outcomes["refused"] > 400
