"""`armmatch update-resources` against a real HTTP server on loopback.

The server serves ../shared/data (the mirror layout of resources/update_sources.tsv) plus a
small synthesised ClinVar variant_summary (no ClinVar file is in the shared data). Each failure
mode is a real HTTP behaviour: a 500 on every try, a response slower than the read timeout, a
body shorter than its Content-Length (connection closed), once or every time.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from armmatch.io import sha256_file
from armmatch.knowledge.brca_table import load_table
from armmatch.knowledge.build.updater import Policy, UpdateError, update_resources
from armmatch.knowledge.manifest import knowledge_record, load_manifest, resource_files
from armmatch.paths import RESOURCE_DIR
from armmatch.run.cli import main

CLINVAR = "clinvar/variant_summary.txt.gz"
HEADER = (
    "#AlleleID\tType\tName\tGeneID\tGeneSymbol\tHGNC_ID\tClinicalSignificance\tClinSigSimple\t"
    "LastEvaluated\tRS# (dbSNP)\tnsv/esv (dbVar)\tRCVaccession\tPhenotypeIDS\tPhenotypeList\t"
    "Origin\tOriginSimple\tAssembly\tChromosomeAccession\tChromosome\tStart\tStop\t"
    "ReferenceAllele\tAlternateAllele\tCytogenetic\tReviewStatus\tNumberSubmitters\tGuidelines\t"
    "TestedInGTR\tOtherIDs\tSubmitterCategories\tVariationID\tPositionVCF\tReferenceAlleleVCF\t"
    "AlternateAlleleVCF"
)


def _row(
    vid: str, gene: str, name: str, sig: str, assembly: str, pos: str, ref: str, alt: str
) -> str:
    """One synthetic variant_summary row (test data: the ids and positions are invented)."""
    values = {
        "#AlleleID": vid, "Type": "single nucleotide variant", "Name": name, "GeneSymbol": gene,
        "ClinicalSignificance": sig, "LastEvaluated": "Mar 14, 2023", "Assembly": assembly,
        "Chromosome": "17" if gene == "BRCA1" else "13", "ReviewStatus": "reviewed by expert panel",
        "VariationID": vid, "PositionVCF": pos, "ReferenceAlleleVCF": ref, "AlternateAlleleVCF": alt,
    }  # fmt: skip
    return "\t".join(values.get(c, "-") for c in HEADER.split("\t"))


def clinvar_text() -> str:
    """Real BRCA1/2 alleles (positions and bases of both assemblies); the ids are invented and
    some classifications changed, so that the rebuild has something to report."""
    rows = [
        _row("900001", "BRCA1", "NM_007294.4(BRCA1):c.181T>G (p.Cys61Gly)", "Pathogenic", "GRCh37", "41258504", "A", "C"),
        _row("900001", "BRCA1", "NM_007294.4(BRCA1):c.181T>G (p.Cys61Gly)", "Pathogenic", "GRCh38", "43106487", "A", "C"),
        _row("900002", "BRCA1", "NM_007294.4(BRCA1):c.5194-12G>A", "Likely pathogenic", "GRCh38", "43057147", "C", "T"),
        _row("900003", "BRCA1", "NM_007294.4(BRCA1):c.5074+1G>A", "Pathogenic", "GRCh38", "43067607", "C", "T"),
        _row("900004", "BRCA1", "NM_007294.4(BRCA1):c.68_69del (p.Glu23fs)", "Pathogenic", "GRCh38", "43124027", "ACT", "A"),
        _row("900005", "BRCA2", "NM_000059.4(BRCA2):c.8167G>C (p.Asp2723His)", "Likely pathogenic", "GRCh38", "32363369", "G", "C"),
        _row("900006", "BRCA2", "NM_000059.4(BRCA2):c.7878G>C (p.Trp2626Cys)", "Pathogenic", "GRCh38", "32362595", "G", "C"),
        # REF is not the GRCh38 base here: left out of the table
        _row("900007", "BRCA2", "NM_000059.4(BRCA2):c.100A>G (p.Thr34Ala)", "Benign", "GRCh38", "32362595", "A", "G"),
        _row("900008", "TP53", "NM_000546.6(TP53):c.524G>A (p.Arg175His)", "Pathogenic", "GRCh38", "7675088", "C", "T"),
    ]  # fmt: skip
    return HEADER + "\n" + "\n".join(rows) + "\n"


class Server:
    """A loopback HTTP server; ``modes[path]`` picks a failure mode for one path."""

    def __init__(self, root: Path, extra: dict[str, bytes]) -> None:
        self.root, self.extra = root, extra
        self.modes: dict[str, str] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.lstrip("/")
                server.hits[path] = server.hits.get(path, 0) + 1
                body = server.body(path)
                if body is None:
                    self.send_error(404)
                    return
                mode = server.modes.get(path, "ok")
                if mode == "fail":
                    self.send_error(500, "synthetic failure")
                    return
                if mode == "slow":
                    time.sleep(1.0)
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.send_header("Last-Modified", "Tue, 03 Nov 2026 10:00:00 GMT")
                self.end_headers()
                truncate = mode == "truncate" or (
                    mode == "truncate_once" and server.hits[path] == 1
                )
                try:
                    if truncate:
                        self.wfile.write(body[start : start + (len(body) - start) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                    else:
                        self.wfile.write(body[start:])
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def body(self, path: str) -> bytes | None:
        if path in self.extra:
            return self.extra[path]
        file = (self.root / path).resolve()
        if self.root.resolve() in file.parents and file.is_file():
            return file.read_bytes()
        return None


@pytest.fixture
def server(shared_data: Path) -> Iterator[Server]:
    clinvar = gzip.compress(clinvar_text().encode(), mtime=0)
    extra = {
        CLINVAR: clinvar,
        CLINVAR + ".md5": hashlib.md5(clinvar).hexdigest().encode() + b"  variant_summary.txt.gz\n",
    }
    s = Server(shared_data, extra)
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    return Path(shutil.copytree(RESOURCE_DIR, tmp_path / "resources"))


FAST = Policy(connect_timeout=2, read_timeout=0.3, retries=2, backoff=0)


def snapshot(folder: Path) -> dict[str, str]:
    return {p: sha256_file(folder / p) for p in resource_files(folder)}


def test_update_succeeds_with_a_diff_report(
    server: Server, resources: Path, tmp_path: Path
) -> None:
    bundled = load_table(resources / "brca_classifications.tsv")
    result = update_resources(
        resources, tmp_path / "work", base_url=server.url, policy=FAST, today="2026-11-24"
    )
    per_gene = {g: sum(v.values()) for g, v in bundled.counts().items()}
    # c.5194-12G>A and c.8167G>C were pathogenic in the bundled table, likely pathogenic now
    assert (
        f"ClinVar: 0 BRCA1 variants added, {per_gene['BRCA1'] - 4} removed, 1 reclassified; "
        f"0 BRCA2 variants added, {per_gene['BRCA2'] - 2} removed, 1 reclassified" in result.report
    ), result.report
    assert "MANE summary: new download" in result.report
    assert "whose MANE Select differs from the bundled transcript" in result.report
    assert result.replaced == ("brca_classifications",)
    new = load_table(resources / "brca_classifications.tsv")
    assert new.version == "clinvar-2026-11-03"
    by_c = {v.hgvsc: v for v in new.rows}
    assert set(by_c) == {"c.181T>G", "c.5194-12G>A", "c.5074+1G>A", "c.68_69del", "c.8167G>C",
                         "c.7878G>C"}  # fmt: skip
    assert by_c["c.181T>G"].grch37 == "17:41258504:A:C"
    assert by_c["c.181T>G"].grch38 == "17:43106487:A:C"
    assert by_c["c.181T>G"].date == "2023-03-14" and by_c["c.181T>G"].stars == 3
    assert by_c["c.8167G>C"].classification == "likely_pathogenic"
    # named by armmatch's own classifier, both builds normalised as the bundled build does
    assert by_c["c.68_69del"].hgvsp == "p.Glu23ValfsTer17"
    assert by_c["c.68_69del"].grch38 == "17:43124027:ACT:A"
    # the manifest was updated with the new file: the check passes
    manifest = load_manifest(resources / "manifest.tsv")
    assert manifest.entry("brca_classifications").version == "clinvar-2026-11-03"
    knowledge_record(manifest, {}, present=resource_files(resources))
    # a second update against the same server reports every source unchanged
    again = update_resources(
        resources, tmp_path / "work", base_url=server.url, policy=FAST, today="2026-11-24"
    )
    assert "ClinVar: unchanged" in again.report and "0 BRCA2 variants added" in again.report


@pytest.mark.parametrize("mode", ["fail", "slow", "truncate"])
def test_failed_download_replaces_nothing(
    server: Server, resources: Path, tmp_path: Path, mode: str
) -> None:
    server.modes[CLINVAR] = mode
    before = snapshot(resources)
    with pytest.raises(UpdateError) as exc:
        update_resources(
            resources, tmp_path / "work", base_url=server.url, policy=FAST, sleep=lambda s: None
        )
    msg = str(exc.value)
    assert CLINVAR in msg and "after 3 tries" in msg and "nothing was replaced" in msg
    expected = {"fail": "HTTP 500", "slow": "Timeout", "truncate": "IncompleteRead"}[mode]
    assert expected in msg or (mode == "truncate" and "received" in msg), msg
    assert server.hits[CLINVAR] == 3
    assert snapshot(resources) == before
    assert not (tmp_path / "work" / "sources" / CLINVAR).exists()  # never a truncated file


def test_truncated_response_is_resumed_with_range(
    server: Server, resources: Path, tmp_path: Path
) -> None:
    server.modes[CLINVAR] = "truncate_once"
    result = update_resources(
        resources,
        tmp_path / "work",
        base_url=server.url,
        policy=FAST,
        only=["clinvar_variant_summary"],
        today="2026-11-24",
    )
    (d,) = result.downloads
    assert server.hits[CLINVAR] == 2
    assert d.path.read_bytes() == server.extra[CLINVAR]  # whole, byte for byte


def test_checksum_mismatch_discards_the_download(
    server: Server, resources: Path, tmp_path: Path
) -> None:
    server.extra[CLINVAR + ".md5"] = b"0" * 32 + b"\n"
    before = snapshot(resources)
    with pytest.raises(UpdateError, match="does not match the published"):
        update_resources(
            resources,
            tmp_path / "work",
            base_url=server.url,
            policy=FAST,
            only=["clinvar_variant_summary"],
        )
    assert snapshot(resources) == before


def test_cli_update_resources(
    server: Server, resources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "update-resources", "--resources", str(resources), "--work-dir", str(tmp_path / "w"),
        "--base-url", server.url, "--only", "clinvar_variant_summary", "--timeout", "5",
    ])  # fmt: skip
    assert code == 0
    assert "ClinVar: " in capsys.readouterr().out
    assert (tmp_path / "w" / "update-report.md").is_file()


@pytest.mark.workflow
def test_snakemake_update_resources_target(server: Server, tmp_path: Path) -> None:
    """The opt-in target on a copy of the workflow; `all` never includes it."""
    import subprocess

    from tests.workflow.test_workflow import SNAKEMAKE

    code = tmp_path / "armmatch"
    code.mkdir()
    shutil.copy(RESOURCE_DIR.parent / "Snakefile", code / "Snakefile")
    for folder in ("workflow", "config", "resources", "scripts", "example"):
        shutil.copytree(RESOURCE_DIR.parent / folder, code / folder)
    base = [
        SNAKEMAKE,
        "--snakefile",
        str(code / "Snakefile"),
        "--directory",
        str(code),
        "--cores",
        "1",
    ]
    dry = subprocess.run([*base, "-n"], capture_output=True, text=True, timeout=600)
    assert dry.returncode == 0 and "update_resources" not in dry.stdout + dry.stderr
    config = f"update={{base_url: {server.url}, sources: [clinvar_variant_summary]}}"
    proc = subprocess.run(
        [*base, "update_resources", "--config", config], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ClinVar: " in (code / "results" / "update" / "update-report.md").read_text()
    assert (
        load_table(code / "resources" / "brca_classifications.tsv").version == "clinvar-2026-11-03"
    )
    # the updated resources pass the check of the next batch run
    check = subprocess.run(
        [*base, "--until", "check_resources"], capture_output=True, text=True, timeout=600
    )
    assert check.returncode == 0, check.stderr[-3000:]
