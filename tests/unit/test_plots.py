"""The report's plots (issue 16): labels never overlap, values stay inside, an indeterminate
call is drawn as indeterminate."""

from __future__ import annotations

import doctest
import re

from armmatch.events import CnvProfile, Event, SourceRecord
from armmatch.report import plots
from armmatch.report.plots import cn_genes_svg, cn_profile_svg, label_rows, spread

SRC = SourceRecord("x.cns", 2, "7:1-2")
THRESHOLDS = {"amplification": 6.0, "gain": 2.5, "loss": 1.5, "homozygous_deletion": 0.5}


def _cnv(gene: str, cn: float, call: str, status: str = "called") -> Event:
    return Event(gene, "cnv", f"{gene} {call}", SRC, status=status, copy_number=cn,
                 cnv_call=call)  # type: ignore[arg-type]  # fmt: skip


def test_docstring_examples() -> None:
    assert doctest.testmod(plots).failed == 0


def test_spread_and_rows_keep_labels_apart() -> None:
    assert spread([50, 50, 50, 50], 12, 0, 200) == [50, 62, 74, 86]
    assert spread([190, 195], 12, 0, 200) == [188, 200]  # pushed back inside
    assert label_rows([(0, 10), (5, 15), (20, 30), (6, 9)], 2) == [0, 1, 0, -1]


def test_indeterminate_is_never_drawn_as_a_deletion() -> None:
    svg = cn_genes_svg([_cnv("CDKN2A", 0.3, "homozygous_deletion", "indeterminate")], THRESHOLDS)
    assert "0.3 indeterminate" in svg and "homozygous deletion</title>" not in svg
    assert "#d08b00" in svg and "#1a56c4" not in svg.split("</text>", 2)[-1]


def test_threshold_labels_at_high_scale_and_long_values_stay_readable() -> None:
    svg = cn_genes_svg([_cnv("MET", 40.0, "amplification"), _cnv("CDK4", 39.0, "amplification")],
                       {**THRESHOLDS, "amplification": 1.0})  # fmt: skip
    # the two threshold labels sit on their own rows, whatever their x
    ys = [
        float(y)
        for y in re.findall(
            r'<text x="[\d.]+" y="([\d.]+)" font-size="10">(?:homozygous|amplification)', svg
        )
    ]
    assert len(ys) == 2 and ys[0] != ys[1]
    # a bar reaching the right edge carries its value inside, not clipped beyond the plot
    assert 'text-anchor="end" fill="#fff">40.0 amplification' in svg


def test_profile_stacks_threshold_labels_and_marks_genes() -> None:
    profile = CnvProfile("GRCh38", (("7", 0, 1000, 2.0), ("7", 116_000_000, 116_500_000, 30.0)),
                         (("MET", "7", 116_672_195, 116_798_386), ("BRAF", "7", 140_719_326, 140_924_929)))  # fmt: skip
    svg = cn_profile_svg(
        profile, {**THRESHOLDS, "gain": 2.4, "loss": 1.6}, [_cnv("MET", 30.0, "amplification")]
    )
    ys = sorted(
        float(y)
        for y in re.findall(
            r'<text x="\d+" y="([\d.]+)" font-size="10">(?:amplification|gain|loss|homozygous)', svg
        )
    )
    assert len(ys) == 4 and all(b - a >= 12 for a, b in zip(ys, ys[1:], strict=False))
    assert ">MET</text>" in svg and ">BRAF</text>" in svg and "MET: amplification" in svg
