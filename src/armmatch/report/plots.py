"""The report's pictures as inline SVG: the genome-wide copy-number profile, the copy number of
each target gene and the VAF of each small variant.

Labels are placed so that they never overlap (threshold labels stacked in the right margin,
gene labels in rows), value labels stay inside the plot, and an indeterminate call is drawn and
named as indeterminate, never as the call it might be.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from armmatch.events import CnvProfile, Event
from armmatch.genome import CONTIG_LENGTHS, Build

CHAR_PX = 6.2
"""Estimated width of one character at font-size 10 (labels are placed with it)."""

CALL_COLOUR = {
    "amplification": "#1e7b34", "indeterminate_gain": "#d08b00", "gain": "#7fb88c",
    "neutral": "#9e9e9e", "loss": "#8fb3de", "indeterminate_loss": "#d08b00",
    "homozygous_deletion": "#1a56c4", "indeterminate": "#d08b00",
}  # fmt: skip
SHOWN_THRESHOLDS = ("amplification", "gain", "loss", "homozygous_deletion")
CHROMS = [*(str(i) for i in range(1, 23)), "X", "Y"]


def _esc(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _width(text: str, size: float = 10) -> float:
    return len(text) * CHAR_PX * size / 10


def spread(positions: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Positions moved apart to at least ``gap`` (order kept), inside ``low`` .. ``high``.

    >>> spread([10, 12, 13], 5, 0, 100)
    [10, 15, 20]
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    out = [0.0] * len(positions)
    last = low - gap
    for i in order:
        last = max(positions[i], last + gap)
        out[i] = last
    overflow = last - high
    if overflow > 0:  # shift everything back up as far as needed
        for i in order:
            out[i] = max(low, out[i] - overflow)
    return out


def label_rows(spans: Sequence[tuple[float, float]], rows: int) -> list[int]:
    """A row for each ``(left, right)`` label span so that no two in a row overlap (-1: none)."""
    ends = [float("-inf")] * rows
    out = []
    for left, right in spans:
        row = next((r for r in range(rows) if left > ends[r] + 3), -1)
        if row >= 0:
            ends[row] = right
        out.append(row)
    return out


def _gene_call(e: Event) -> tuple[str, str]:
    """``(colour key, words)``: an indeterminate event is shown as indeterminate."""
    if e.status == "indeterminate":
        return "indeterminate", "indeterminate"
    call = str(e.cnv_call or "neutral")
    return call, call.replace("_", " ")


@lru_cache(maxsize=4)
def _genome_axis(build: Build) -> tuple[tuple[str, ...], dict[str, int], int]:
    """The build's chromosomes in plot order, where each starts on the genome laid end to end,
    and the genome's length."""
    lengths = CONTIG_LENGTHS[build]
    chroms = tuple(c for c in CHROMS if c in lengths)
    starts, pos = {}, 0
    for c in chroms:
        starts[c] = pos
        pos += lengths[c]
    return chroms, starts, pos


@lru_cache(maxsize=8)
def _chromosome_backdrop(build: Build, left: int, inner: int, top: int, plot_h: int) -> str:
    """The profile's chromosome stripes and names (the same for every patient of a build)."""
    lengths = CONTIG_LENGTHS[build]
    chroms, starts, total = _genome_axis(build)

    def gx(chrom: str, base: int) -> float:
        return left + inner * (starts[chrom] + min(base, lengths[chrom])) / total

    out = []
    for i, c in enumerate(chroms):
        x0, x1 = gx(c, 0), gx(c, lengths[c])
        if i % 2 == 0:
            out.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{plot_h}" '
                       'fill="#f4f4f4"/>')  # fmt: skip
    # chromosome names under the axis, in two rows where they would touch
    name_spans = [((gx(c, 0) + gx(c, lengths[c])) / 2, c) for c in chroms]
    rows = label_rows([(x - _width(c, 9) / 2, x + _width(c, 9) / 2) for x, c in name_spans], 2)
    for (x, c), row in zip(name_spans, rows, strict=True):
        if row >= 0:
            out.append(f'<text x="{x:.1f}" y="{top + plot_h + 12 + 11 * row}" font-size="9" '
                       f'text-anchor="middle">{_esc(c)}</text>')  # fmt: skip
    return "".join(out)


def cn_profile_svg(
    profile: CnvProfile, thresholds: Mapping[str, Any], calls: Sequence[Event]
) -> str:
    """Genome-wide copy number from the segments: every chromosome, the target genes marked with
    their call, the call thresholds drawn and labelled in the right margin."""
    build: Build = "GRCh37" if profile.build == "GRCh37" else "GRCh38"
    lengths = CONTIG_LENGTHS[build]
    _, offset, total = _genome_axis(build)
    width, left, right, top, bottom, plot_h = 900, 34, 150, 52, 30, 170
    height = top + plot_h + bottom
    inner = width - left - right
    cns = [cn for *_, cn in profile.segments]
    ymax = max(8.0, min(40.0, (max(cns) if cns else 0) * 1.1))

    def gx(chrom: str, base: int) -> float:
        return left + inner * (offset[chrom] + min(base, lengths[chrom])) / total

    def gy(cn: float) -> float:
        return top + plot_h * (1 - min(cn, ymax) / ymax)

    out = [f'<figure id="cn-profile"><svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" role="img" aria-label="genome-wide copy number">']  # fmt: skip
    out.append(_chromosome_backdrop(build, left, inner, top, plot_h))
    for tick in range(0, int(ymax) + 1, 2 if ymax <= 16 else 5):
        out.append(f'<text x="{left - 4}" y="{gy(tick) + 3:.1f}" font-size="9" '
                   f'text-anchor="end">{tick}</text>')  # fmt: skip
    for chrom, start0, end, cn in profile.segments:
        if chrom in offset:
            y = gy(cn)
            out.append(f'<line x1="{gx(chrom, start0):.1f}" x2="{max(gx(chrom, end), gx(chrom, start0) + 0.8):.1f}" '
                       f'y1="{y:.1f}" y2="{y:.1f}" stroke="#333" stroke-width="2"/>')  # fmt: skip
    # thresholds: dashed lines, labels stacked in the right margin
    shown = [(n, float(thresholds[n])) for n in SHOWN_THRESHOLDS if n in thresholds]
    label_y = spread([gy(v) + 3 for _, v in shown], 12, top + 8, top + plot_h + 4)
    for (name, value), ly in zip(shown, label_y, strict=True):
        y = gy(value)
        out.append(f'<line x1="{left}" x2="{left + inner}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#b3261e" stroke-dasharray="4 3" stroke-width="0.8"/>'
                   f'<text x="{left + inner + 6}" y="{ly:.1f}" font-size="10">'
                   f"{_esc(name.replace('_', ' '))} {value:g}</text>")  # fmt: skip
    # target genes: a tick at the gene, its name and call in label rows above the plot
    by_gene = {e.gene: e for e in calls}
    genes = sorted((g for g in profile.genes if g[1] in offset), key=lambda g: gx(g[1], g[2]))
    texts = []
    for gene, chrom, start0, _end in genes:
        e = by_gene.get(gene)
        key, words = _gene_call(e) if e is not None else ("neutral", "not called")
        texts.append((gene, gx(chrom, start0), CALL_COLOUR.get(key, "#666"), words))
    spans = [(x - _width(g) / 2, x + _width(g) / 2) for g, x, _, _ in texts]
    for (gene, x, colour, words), row in zip(texts, label_rows(spans, 3), strict=True):
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                   f'stroke="{colour}" stroke-width="1" opacity="0.6"/>')  # fmt: skip
        if row >= 0:
            out.append(f'<text x="{x:.1f}" y="{top - 6 - 12 * row}" font-size="10" '
                       f'text-anchor="middle" fill="{colour}"><title>{_esc(gene)}: {_esc(words)}'
                       f"</title>{_esc(gene)}</text>")  # fmt: skip
    note = f" {profile.note}." if profile.note else ""
    out.append(
        "</svg><figcaption>Genome-wide tumour copy number from the segments (scale capped at "
        f"{ymax:.0f}); target genes are marked in the colour of their call (orange: "
        f"indeterminate); dashed lines are the call thresholds.{_esc(note)}</figcaption></figure>"
    )
    return "".join(out)


def cn_genes_svg(events: Sequence[Event], thresholds: Mapping[str, Any]) -> str:
    """Tumour copy number of each target gene as a bar, with the deletion and amplification
    thresholds (labels on their own rows) and each value inside the plot."""
    cnv = [e for e in events if e.category == "cnv" and e.copy_number is not None]
    if not cnv:
        return ""
    top_cn = max(12.0, min(40.0, max(float(e.copy_number or 0) for e in cnv) * 1.1))
    width, left, row_h, head = 640, 90, 22, 34
    height = head + row_h * len(cnv) + 4

    def x(cn: float) -> float:
        return left + (width - left - 20) * min(cn, top_cn) / top_cn

    out = [f'<figure id="cn-genes"><svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" role="img" aria-label="copy number per target gene">']  # fmt: skip
    for row, name in enumerate(
        n for n in ("homozygous_deletion", "amplification") if n in thresholds
    ):
        xx = x(float(thresholds[name]))
        label = f"{name.replace('_', ' ')} {float(thresholds[name]):g}"
        lx = min(xx + 3, width - 4 - _width(label))
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{head - 4}" y2="{height - 4}" '
                   f'stroke="#b3261e" stroke-dasharray="4 3"/><text x="{lx:.1f}" '
                   f'y="{12 + 13 * row}" font-size="10">{_esc(label)}</text>')  # fmt: skip
    for i, e in enumerate(cnv):
        y = head + i * row_h
        cn = float(e.copy_number or 0)
        key, words = _gene_call(e)
        label = f"{cn:.1f} {words}"
        end = x(cn)
        inside = end + 4 + _width(label) > width - 2
        lx, anchor, fill = (end - 4, "end", "#fff") if inside else (end + 4, "start", "#000")
        out.append(
            f'<text x="4" y="{y + 12}" font-size="11">{_esc(e.gene)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{max(1.0, end - left):.1f}" height="{row_h - 8}" '
            f'fill="{CALL_COLOUR.get(key, "#666")}"><title>{_esc(e.gene)}: CN {cn:.2f} '
            f"({_esc(words)})</title></rect>"
            f'<text x="{lx:.1f}" y="{y + 12}" font-size="10" text-anchor="{anchor}" '
            f'fill="{fill}">{_esc(label)}</text>'
        )  # fmt: skip
    out.append("</svg><figcaption>Tumour copy number per target gene (purity/ploidy-adjusted; "
               f"scale capped at {top_cn:.0f}).</figcaption></figure>")  # fmt: skip
    return "".join(out)


def vaf_svg(events: Sequence[Event], min_vaf: object) -> str:
    """VAF of each small variant in the target genes; hollow marks were filtered."""
    muts = [e for e in events if e.category == "mutation" and e.vaf is not None]
    if not muts:
        return ""
    width, left, row_h = 640, 170, 20
    height = 30 + row_h * len(muts)

    def x(v: float) -> float:
        return left + (width - left - 24) * v

    out = [f'<figure id="vaf"><svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" role="img" aria-label="variant allele fraction per variant">']  # fmt: skip
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<text x="{x(v):.1f}" y="12" font-size="10" text-anchor="middle">{v:.2f}</text>'
        )
    if isinstance(min_vaf, (int, float)):
        xx = x(float(min_vaf))
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="16" y2="{height}" stroke="#b3261e" '
                   f'stroke-dasharray="4 3"><title>min_vaf {min_vaf:g}</title></line>')  # fmt: skip
    for i, e in enumerate(muts):
        y = 26 + i * row_h
        filled = e.status == "called"
        name = f"{e.gene} {e.alteration}"
        if _width(name, 11) > left - 8:  # a long name is cut, never drawn over the plot
            name = name[: int((left - 8) / (CHAR_PX * 1.1)) - 1] + "…"
        vaf = float(e.vaf or 0)
        out.append(
            f'<text x="4" y="{y + 4}" font-size="11">{_esc(name)}</text>'
            f'<circle cx="{x(vaf):.1f}" cy="{y}" r="5" fill="{"#1a56c4" if filled else "white"}" '
            f'stroke="#1a56c4"><title>{_esc(e.gene)} {_esc(e.alteration)}: VAF {vaf:.3f} '
            f"({_esc(e.status)})</title></circle>"
        )  # fmt: skip
    out.append("</svg><figcaption>Variant allele fraction; hollow marks were filtered; the "
               "dashed line is min_vaf.</figcaption></figure>")  # fmt: skip
    return "".join(out)
