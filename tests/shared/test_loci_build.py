"""The bundled loci (resources/loci) rebuilt from the LRG records in ../shared/data, and held to
facts the build did not use (PROVENANCE.md's checked positions, both builds)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from armmatch.calling.alleles import revcomp
from armmatch.calling.hgvs_c import c_position
from armmatch.errors import InputError
from armmatch.knowledge.build.loci import SourceFile, build_loci, check_locus
from armmatch.knowledge.build.lrg import assembly_locus, parse_lrg
from armmatch.knowledge.loci import bundled_loci, default_loci_path, load_loci
from armmatch.run.pipeline import gene_models

pytestmark = pytest.mark.shared


def _sources(shared_data: Path) -> list[SourceFile]:
    out = []
    for path in sorted((shared_data / "reference-loci" / "lrg-records").glob("LRG_*.xml")):
        data = path.read_bytes()
        out.append(SourceFile(path.name, hashlib.sha256(data).hexdigest(), data.decode()))
    return out


def test_builder_reproduces_the_bundled_loci(shared_data: Path) -> None:
    models = {b: dict(gene_models(b).models) for b in ("GRCh37", "GRCh38")}
    texts = build_loci(_sources(shared_data), models, "2026.12-1")
    for build, text in texts.items():
        assert text == default_loci_path(build).read_text(encoding="ascii"), build
        load_loci(default_loci_path(build))  # the validating reader accepts it


@pytest.mark.parametrize(("gene", "c", "pos37", "pos38", "base"), [
    ("EGFR", "2573", 55259515, 55191822, "T"),  # L858R
    ("BRAF", "1799", 140453136, 140753336, "T"),  # V600E, minus strand
    ("MET", "3028", 116412043, 116771989, "G"),  # NM_000245 last base of exon 14
    ("KIT", "1679", 55593613, 54727447, "T"),
    ("RET", "2753", 43617416, 43121968, "T"),  # M918T
    ("CDK4", "70", 58145431, 57751648, "C"),  # R24
])  # fmt: skip
def test_provenance_facts(gene: str, c: str, pos37: int, pos38: int, base: str) -> None:
    for build, pos in (("GRCh37", pos37), ("GRCh38", pos38)):
        model = gene_models(build).get(gene)
        assert model is not None
        assert c_position(model, c) == pos, (gene, build)
        plus = bundled_loci(build).fetch(model.chrom, pos - 1, pos)
        assert (plus if model.strand == "+" else revcomp(plus)) == base


def test_a_disagreeing_exon_model_stops_the_build(shared_data: Path) -> None:
    """The build checks every exon boundary against the bundled models: a model moved by one
    base is named."""
    import dataclasses

    path = shared_data / "reference-loci" / "lrg-records" / "LRG_299.xml"
    rec = parse_lrg(path.read_text(encoding="utf-8"), path=str(path))
    locus = assembly_locus(rec, "GRCh38")
    model = gene_models("GRCh38").get("BRAF")
    assert model is not None and check_locus(rec, locus, model) == []
    exons = list(model.exons)
    exons[5] = dataclasses.replace(exons[5], start0=exons[5].start0 + 1)
    moved = dataclasses.replace(model, exons=tuple(exons))
    assert any("exon start" in p for p in check_locus(rec, locus, moved))
    with pytest.raises(InputError, match="BRAF GRCh38"):
        build_loci([s for s in _sources(shared_data)], {"GRCh38": {"BRAF": moved}}, "x",
                   genes=("BRAF",))  # fmt: skip
