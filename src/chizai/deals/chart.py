"""Contribution shares as a server-rendered SVG (no script, so the CSP stays strict)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

COLOURS = ["#1f5fa8", "#d9822b", "#3c9d5d", "#8e44ad", "#7f8c8d"]


def shares_svg(shares: dict[str, Decimal], labels: dict[str, str], *, title: str = "", width: int = 560) -> str:
    """One stacked bar (100 %) and a legend with each party's percentage."""
    bar_h, legend_h = 36, 24
    height = 20 + bar_h + 12 + legend_h * max(len(shares), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="shares-chart">'
    ]
    parts.append(f"<title>{escape(title)}</title>")
    x = Decimal(0)
    usable = Decimal(width - 2)
    for i, (party, share) in enumerate(shares.items()):
        w = (usable * share).quantize(Decimal("0.01"))
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<rect x="{1 + x}" y="20" width="{w}" height="{bar_h}" fill="{colour}" data-party="{escape(party)}"/>'
        )
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


STANCES = ["opposed", "sceptical", "neutral", "supportive", "champion"]
INFLUENCES = ["low", "medium", "high"]
SIDE_COLOURS = {"ours": "#1f5fa8", "theirs": "#d9822b"}


def stakeholder_layout(people, width: int = 560, height: int = 300) -> list[dict]:
    """Where each person sits on the map: stance left (opposed) to right (champion),
    influence bottom (low) to top (high). People in the same cell are stacked so no label
    hides another. Pure: takes objects with name, side, stance, influence, nemawashi_pending."""
    left, top, cell_w = 70, 20, (width - 80) / len(STANCES)
    cell_h = (height - 50) / len(INFLUENCES)
    placed: dict[tuple[int, int], int] = {}
    spots = []
    for person in sorted(people, key=lambda p: (p.side, p.name)):
        col = STANCES.index(person.stance) if person.stance in STANCES else 2
        row = INFLUENCES.index(person.influence) if person.influence in INFLUENCES else 1
        n = placed.get((col, row), 0)
        placed[(col, row)] = n + 1
        spots.append(
            {
                "name": person.name,
                "side": person.side,
                "pending": bool(person.nemawashi_pending),
                "x": round(left + col * cell_w + 10, 1),
                "y": round(top + (len(INFLUENCES) - 1 - row) * cell_h + 16 + 15 * n, 1),
            }
        )
    return spots


def stakeholder_svg(people, labels: dict[str, str], *, title: str = "", width: int = 560, height: int = 300) -> str:
    """The map as SVG; a dashed ring marks someone still to consult before the meeting."""
    left, top = 70, 20
    cell_w = (width - 80) / len(STANCES)
    cell_h = (height - 50) / len(INFLUENCES)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="stakeholder-map"><title>{escape(title)}</title>'
    ]
    for i, stance in enumerate(STANCES):
        for j in range(len(INFLUENCES)):
            parts.append(
                f'<rect x="{left + i * cell_w:.1f}" y="{top + j * cell_h:.1f}" width="{cell_w:.1f}" '
                f'height="{cell_h:.1f}" fill="{"#f7f7f7" if (i + j) % 2 else "#ffffff"}" stroke="#ccc"/>'
            )
        parts.append(
            f'<text x="{left + i * cell_w + cell_w / 2:.1f}" y="{height - 12}" font-size="11" '
            f'text-anchor="middle">{escape(labels.get(stance, stance))}</text>'
        )
    for j, influence in enumerate(reversed(INFLUENCES)):
        parts.append(
            f'<text x="4" y="{top + j * cell_h + cell_h / 2:.1f}" font-size="11">'
            f"{escape(labels.get(influence, influence))}</text>"
        )
    for spot in stakeholder_layout(people, width, height):
        colour = SIDE_COLOURS.get(spot["side"], "#555")
        if spot["pending"]:
            parts.append(
                f'<circle cx="{spot["x"]}" cy="{spot["y"] - 4}" r="8" fill="none" stroke="#c0392b" '
                f'stroke-dasharray="2,2" class="pending"/>'
            )
        parts.append(f'<circle cx="{spot["x"]}" cy="{spot["y"] - 4}" r="4" fill="{colour}"/>')
        parts.append(
            f'<text x="{spot["x"] + 10}" y="{spot["y"]}" font-size="11" data-side="{escape(spot["side"])}">'
            f"{escape(spot['name'])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
