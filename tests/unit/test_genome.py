"""Tests of armmatch.genome: build names, chromosome names, contig lengths, build inference."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armmatch.genome import (
    BUILDS,
    CONTIG_LENGTHS,
    PRIMARY_CHROMS,
    Build,
    infer_build_from_contigs,
    normalise_build,
    normalise_chrom,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GRCh37", "GRCh37"),
        ("grch37", "GRCh37"),
        ("hg19", "GRCh37"),
        ("HG19", "GRCh37"),
        ("b37", "GRCh37"),
        ("GRCh37.p13", "GRCh37"),
        (" hs37d5 ", "GRCh37"),
        ("GRCh38", "GRCh38"),
        ("hg38", "GRCh38"),
        ("GRCh38.p14", "GRCh38"),
        ("hs38DH", "GRCh38"),
        ("38", "GRCh38"),
    ],
)
def test_normalise_build_accepts_common_names(name: str, expected: Build) -> None:
    assert normalise_build(name) == expected


@pytest.mark.parametrize("name", ["hg18", "GRCh36", "", "GRCh38.pX", "T2T-CHM13", "grch3"])
def test_normalise_build_rejects_unknown_names_listing_valid_ones(name: str) -> None:
    with pytest.raises(ValueError, match="valid names") as caught:
        normalise_build(name)
    assert "hg19" in str(caught.value) and "grch38" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chr7", "7"),
        ("7", "7"),
        ("chrX", "X"),
        ("Chr17", "17"),
        ("chrM", "MT"),
        ("M", "MT"),
        ("MT", "MT"),
        ("chrMT", "MT"),
        ("GL000220.1", "GL000220.1"),
        ("chrUn_gl000220", "Un_gl000220"),
        ("chr17_KI270729v1_alt", "17_KI270729v1_alt"),
    ],
)
def test_normalise_chrom(name: str, expected: str) -> None:
    assert normalise_chrom(name) == expected


def test_contig_lengths_cover_primary_chromosomes_of_both_builds() -> None:
    for build in BUILDS:
        assert tuple(CONTIG_LENGTHS[build]) == PRIMARY_CHROMS
    assert CONTIG_LENGTHS["GRCh37"]["7"] == 159138663
    assert CONTIG_LENGTHS["GRCh38"]["7"] == 159345973
    assert CONTIG_LENGTHS["GRCh37"]["1"] == 249250621
    assert CONTIG_LENGTHS["GRCh38"]["1"] == 248956422
    assert CONTIG_LENGTHS["GRCh37"]["MT"] == CONTIG_LENGTHS["GRCh38"]["MT"] == 16569
    differing = [
        c for c in PRIMARY_CHROMS if CONTIG_LENGTHS["GRCh37"][c] != CONTIG_LENGTHS["GRCh38"][c]
    ]
    assert differing == list(PRIMARY_CHROMS[:-1])  # every nuclear chromosome tells them apart


def test_infer_build_from_vcf_style_headers() -> None:
    assert infer_build_from_contigs({"chr7": 159345973, "chrX": 156040895}) == "GRCh38"
    assert infer_build_from_contigs({"7": 159138663, "GL000207.1": 4262}) == "GRCh37"
    assert infer_build_from_contigs({"chr7": 159138663, "chrM": 16571}) == "GRCh37"


def test_infer_build_returns_none_without_informative_primary_contigs() -> None:
    assert infer_build_from_contigs({}) is None
    assert infer_build_from_contigs({"GL000207.1": 4262, "chrUn_x": 10}) is None
    assert infer_build_from_contigs({"chr7": None, "chr8": None}) is None
    assert infer_build_from_contigs({"MT": 16569}) is None  # rCRS: identical in both builds


def test_infer_build_rejects_unknown_lengths() -> None:
    with pytest.raises(ValueError, match=r"matches neither.*7 \(12345 bp\)"):
        infer_build_from_contigs({"chr7": 12345, "chr8": 145138636})


def test_infer_build_rejects_mixed_builds() -> None:
    with pytest.raises(ValueError, match="mix GRCh37 and GRCh38"):
        infer_build_from_contigs({"chr7": 159138663, "chr8": 145138636})


def test_infer_build_rejects_conflicting_duplicate_names() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        infer_build_from_contigs({"chr7": 159138663, "7": 159345973})


@given(
    build=st.sampled_from(BUILDS),
    chroms=st.sets(st.sampled_from(PRIMARY_CHROMS[:-1]), min_size=1),
    prefix=st.sampled_from(["", "chr"]),
)
def test_infer_build_recovers_the_build_from_any_nuclear_subset(
    build: Build, chroms: set[str], prefix: str
) -> None:
    header = {f"{prefix}{c}": CONTIG_LENGTHS[build][c] for c in chroms}
    header["chrUn_gl000220"] = 161802
    assert infer_build_from_contigs(header) == build
