"""Contribution shares as a server-rendered SVG (no script, so the CSP stays strict)."""
from __future__ import annotations

from decimal import Decimal
from html import escape

COLOURS = ["#1f5fa8", "#d9822b", "#3c9d5d", "#8e44ad", "#7f8c8d"]


def shares_svg(shares: dict[str, Decimal], labels: dict[str, str], *, title: str = "", width: int = 560) -> str:
    """One stacked bar (100 %) and a legend with each party's percentage."""
    bar_h, legend_h = 36, 24
    height = 20 + bar_h + 12 + legend_h * max(len(shares), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="shares-chart">']
    parts.append(f"<title>{escape(title)}</title>")
    x = Decimal(0)
    usable = Decimal(width - 2)
    for i, (party, share) in enumerate(shares.items()):
        w = (usable * share).quantize(Decimal("0.01"))
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{1 + x}" y="20" width="{w}" height="{bar_h}" fill="{colour}" data-party="{escape(party)}"/>')
        x += w
    parts.append(f'<rect x="1" y="20" width="{usable}" height="{bar_h}" fill="none" stroke="#333"/>')
    y = 20 + bar_h + 12
    for i, (party, share) in enumerate(shares.items()):
        colour = COLOURS[i % len(COLOURS)]
        percent = (share * 100).quantize(Decimal("0.01"))
        parts.append(f'<rect x="1" y="{y}" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="22" y="{y + 12}" font-size="13">{escape(labels.get(party, party))}: {percent} %</text>')
        y += legend_h
    parts.append("</svg>")
    return "".join(parts)
