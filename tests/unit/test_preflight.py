"""Issue 14: `armmatch validate` finds every problem of a batch in one run, in plain words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from armmatch.run.cli import main
from tests.conftest import REPO, SHARED_DATA

pytestmark = pytest.mark.bad_input

HEAD = (
    "patient_id\ttumour_type\tvcf\tpurity\tage\tecog\tprior_therapies\tgenome_build\tarm_override\n"
)


def _batch(tmp_path: Path, rows: list[str], head: str = HEAD) -> Path:
    shutil.copy(REPO / "example" / "vcf" / "PLT-002.vcf.gz", tmp_path / "a.vcf.gz")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(head + "".join(r + "\n" for r in rows))
    return sheet


def _validate(sheet: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["validate", "--samples", str(sheet), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_problem_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = _batch(tmp_path, [
        "P1\tC49\ta.vcf.gz\t0.5\tforty\t1\tnone\thg19\t",
        "P2\tC49\ta.vcf.gz\t0.5\t50\t7\tnone\t\tno-such-arm",
        "P3\tC49\tmissing.vcf\t0.5\t50\t1\tnone\t\t",
        "P4\tC49\ta.vcf.gz\t0.5\t50\t1\tnone\t\t",
    ])  # fmt: skip
    code, text = _validate(sheet, capsys)
    assert code == 1
    assert f"{sheet}, line 2 (patient P1): age 'forty' is not a whole number of years" in text
    assert f"{sheet}, line 2 (patient P1): genome_build 'hg19': use GRCh37" in text
    assert (
        f"{sheet}, line 3 (patient P2): ecog '7' is not an ECOG performance status 0 to 5" in text
    )
    assert (
        "arm_override 'no-such-arm' is not an arm a patient can be assigned to (valid arm "
        "ids: alectinib-ALK, "
    ) in text
    assert "line 4 (patient P3): vcf file" in text and "does not exist" in text
    assert "armmatch: 5 problem(s) found" in text
    # --json for machines: the same problems
    code, text = _validate(sheet, capsys, "--json")
    report = json.loads(text)
    assert code == 1 and report["errors"] == 5 and report["patients_valid"] == 1
    assert {p["patient"] for p in report["problems"]} == {"P1", "P2", "P3"}


def test_an_unknown_column_does_not_hide_the_rows_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 31: the example sheet with ``tumour_type`` renamed ``tumor_type`` and one VCF path
    misspelt: one run names both (it said "1 problem" and the file came in a second run), and
    the renamed column's cells are still checked under their likely meaning."""
    lines = (REPO / "config" / "samples.tsv").read_text().splitlines(keepends=True)
    head = lines[0].replace("tumour_type", "tumor_type")
    second = lines[2].replace("PLT-002.vcf.gz", "PLT-02.vcf.gz")
    third = lines[3].split("\t")
    third[1] = "Z99"  # not a code of Table 1: read as tumour_type, so still reported
    (tmp_path / "config").mkdir()
    sheet = tmp_path / "config" / "samples.tsv"
    sheet.write_text(head + lines[1] + second + "\t".join(third) + "".join(lines[4:]))
    shutil.copytree(REPO / "example", tmp_path / "example")
    code, text = _validate(sheet, capsys)
    assert code == 1
    assert f"{sheet}, line 1: unknown column 'tumor_type' (did you mean 'tumour_type'?)" in text
    assert f"{sheet}, line 3 (patient PLT-002): vcf file" in text
    assert "PLT-02.vcf.gz' does not exist" in text
    assert f"{sheet}, line 4 (patient {third[0]}): " in text and "Z99" in text
    assert "armmatch: 3 problem(s) found" in text


def test_sheet_shape_in_plain_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    comma = tmp_path / "comma.tsv"
    comma.write_text("patient_id,tumour_type,vcf\nP1,C49,a.vcf\n")
    code, text = _validate(comma, capsys)
    assert code == 1 and "the sheet is comma-separated; armmatch reads tab-separated" in text
    sheet = _batch(tmp_path, ["P1\tC49\ta.vcf.gz\t0.5\t50"],
                   head="patient_id\ttumour_type\tvcf\tpurty\tage\n")  # fmt: skip
    code, text = _validate(sheet, capsys)
    assert "unknown column 'purty' (did you mean 'purity'?)" in text
    assert "the sheet has no prior_therapies column (missing, not empty)" in text
    assert "the sheet has no ecog column (missing, not empty)" in text
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(b"patient_id\ttumour_type\tvcf\nP1\tC49|Ew\xe9ng\ta.vcf\n")
    code, text = _validate(latin, capsys)
    assert (
        code == 1
        and "line 2: byte 0xe9 (offset 36) is not UTF-8: the sample sheet must be UTF-8" in text
    )


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is absent (public test data)")
def test_files_of_the_wrong_kind_or_build_on_real_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delly = SHARED_DATA / "mskcc-vcf2maf" / "test_delly.vcf"
    fc_vcf = SHARED_DATA / "fusioncatcher" / "final-list_candidate-fusion-genes.vcf"
    coad = SHARED_DATA / "sigven-pcgr" / "current" / "T001-COAD.grch38.vcf.gz"
    head = "patient_id\ttumour_type\tvcf\tfusions\tage\tecog\tprior_therapies\tgenome_build\n"
    sheet = tmp_path / "s.tsv"
    sheet.write_text(head + f"S1\tC49\t{delly}\t{fc_vcf}\t50\t1\tnone\tGRCh37\n"
                     f"S2\tC49\t{coad}\t{coad}x\t50\t1\tnone\tGRCh38\n")  # fmt: skip
    config = tmp_path / "c.yaml"
    config.write_text(f"samples: {sheet}\ninput_roots: [{SHARED_DATA}, {tmp_path}]\n")
    code = main(["validate", "--config", str(config)])
    text = "".join(capsys.readouterr())
    assert code == 1
    assert f"{delly} (patient S1): this is a structural-variant VCF" in text
    assert (
        f"{fc_vcf} (patient S1): the breakend VCF header (##reference) says GRCh38 but the patient's genome_build is GRCh37"
        in text
    )
    assert "(patient S2): fusions file" in text  # the misspelt path


def test_a_waiver_while_waivers_are_off_is_named_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 31: ``eligibility_waiver`` is off by default; validate names the row."""
    head = HEAD.rstrip("\n") + "\toverride_reason\teligibility_waiver\n"
    sheet = _batch(tmp_path, ["P1\tC49\ta.vcf.gz\t0.5\t50\t1\tKeytruda\t\tsintilimab-PD1\t"
                              "sponsor\tPLT-W-1"], head=head)  # fmt: skip
    code, text = _validate(sheet, capsys)
    assert code == 1
    assert (
        f"{sheet}, line 2 (patient P1): eligibility_waiver 'PLT-W-1' is given but eligibility "
        "waivers are off"
    ) in text
