"""The rule table: the bundled one is valid and complete; malformed tables fail on the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from armmatch.errors import RuleTableError
from armmatch.knowledge.rule_table import load_rules
from armmatch.paths import RESOURCE_DIR
from armmatch.run.pipeline import gene_models

BUNDLED = RESOURCE_DIR / "actionable_targets.tsv"


def test_bundled_table_encodes_the_protocol_arms() -> None:
    rules = load_rules(BUNDLED, known_genes=gene_models("GRCh38").genes())
    targeted = [a for a in rules.arms if a.arm_type == "targeted"]
    assert len(targeted) == 13  # "13 study groups" (protocol, Targeted group)
    drugs = {a.drug for a in targeted}
    assert drugs == {"almonertinib", "dacomitinib", "alectinib", "crizotinib", "vemurafenib",
                     "niraparib", "pyrotinib", "imatinib", "palbociclib"}  # fmt: skip
    assert [a.arm_id for a in rules.arms if a.arm_type == "immunotherapy"] == ["sintilimab-PD1"]
    combos = {a.rules[0].criterion["after"] for a in rules.arms if a.arm_type == "combination"}
    assert {c.split("-")[0] for c in combos} == {"vemurafenib", "niraparib", "palbociclib"}
    excluded_genes = {r.gene for r in rules.rules if r.arm_type == "exclusion"}
    assert excluded_genes == {"RET", "NTRK1", "NTRK2", "NTRK3", "FGFR1", "FGFR2", "FGFR3", "FGFR4"}
    assert rules.fusion_roles()["ALK"] == "3prime" and rules.fusion_roles()["ROS1"] == "3prime"
    assert rules.version == "2026.12-2"
    assert len(rules.sha256) == 64


def _write(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert edit in text
    out = tmp_path / "rules.tsv"
    out.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return out


def _line_of(path: Path, needle: str) -> int:
    """The last line holding ``needle`` (a duplicate sits after its original)."""
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line][-1]


@pytest.mark.parametrize(
    ("edit", "replacement", "message"),
    [
        ("EGFR-T790M\t", "EGFR-L858R\t", "duplicate rule_id 'EGFR-L858R'"),
        ("\tprotein=T790M\t", "\tprotein=T790\t", "protein must be a one-letter substitution"),
        (
            "\tcall=amplification\tamplification\t6",
            "\tcall=huge\tamplification\t6",
            "call='huge' is not one of",
        ),
        (
            "\tfusion\trole=3prime\tALK",
            "\tfusion\tpartner=3prime\tALK",
            "criterion key 'partner' is not valid",
        ),
        (
            "\tEGFR\tmutation\tprotein=T790M",
            "\tEGFX\tmutation\tprotein=T790M",
            "unknown gene 'EGFX'",
        ),
        (
            "\tmutation\tprotein=T790M",
            "\tmutations\tprotein=T790M",
            "category: 'mutations' is not one of",
        ),
        (
            "\t1\tprotocol\texon 20 substitution",
            "\tfirst\tprotocol\texon 20 substitution",
            "priority must be a whole number",
        ),
        (
            "\talmonertinib\t110 mg qd\tEGFR\tmutation\tprotein=T790M",
            "\tosimertinib\t80 mg qd\tEGFR\tmutation\tprotein=T790M",
            "one arm, one drug",
        ),
        (
            "class=stop_gained,frameshift,splice_donor,splice_acceptor;classification=lof\t",
            "class=stop_gained,nonsense;classification=lof\t",
            "unknown variant class(es) nonsense",
        ),
        (
            "BRCA1\tmutation\tclassification=pathogenic\t",
            "BRCA1\tmutation\tclassification=likely\t",
            "criterion classification='likely': likely is not one of",
        ),
    ],
)
def test_malformed_rows_name_the_line(
    tmp_path: Path, edit: str, replacement: str, message: str
) -> None:
    path = _write(tmp_path, edit, replacement)
    with pytest.raises(RuleTableError) as info:
        load_rules(path, known_genes=gene_models("GRCh38").genes())
    assert message in str(info.value)
    assert info.value.line == _line_of(path, replacement.rstrip("\n"))
    assert str(path) in str(info.value)


def test_missing_version_line_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "# rule_set_version: 2026.12-2\n", "")
    with pytest.raises(RuleTableError, match="rule_set_version"):
        load_rules(path)


def test_unknown_column_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "\tnote\n", "\tnote\textra\n")
    with pytest.raises(RuleTableError, match="unknown extra"):
        load_rules(path)
