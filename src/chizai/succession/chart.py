"""A plan's progress as a server-rendered SVG: levels reached against the plan line.

No script (the CSP stays strict). Accessible: ``role="img"`` with a ``<title>`` and an
``aria-label`` that says in words what the chart shows; the page puts the same figures in a
table beside it for anyone who cannot see the drawing.
"""

from __future__ import annotations

from datetime import date
from html import escape

from django.utils.translation import gettext as _

from chizai.succession import levels

COLOURS = ["#1f5fa8", "#d9822b", "#3c9d5d", "#8e44ad", "#c0392b"]
WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 110, 20, 16, 36


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * min(max((day - start).days / span, 0), 1)


def _y(level: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - level / levels.TEACH)


def description(plan, progress) -> str:
    """The chart in one sentence per successor (its aria-label and the title)."""
    parts = [
        _("Plan: from the start on %(start)s to level %(target)s by %(end)s.")
        % {"start": plan.started_on.isoformat(), "target": levels.label(plan.target_level), "end": plan.target_on}
    ]
    for s in progress.successors:
        parts.append(
            _("%(name)s: level now %(level)s, planned by today %(expected)s%(behind)s.")
            % {
                "name": s.name,
                "level": levels.label(s.level),
                "expected": f"{s.expected:.1f}",
                "behind": _(" (behind schedule)") if s.behind else "",
            }
        )
    return " ".join(parts)


def progress_svg(plan, progress, today: date) -> str:
    start, end = plan.started_on, max(plan.target_on, today)
    text = description(plan, progress)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" data-i18n-exempt aria-label="{escape(text)}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" class="succession-chart">',
        f"<title>{escape(text)}</title>",
    ]
    for level in levels.LEVELS:  # the scale down the left, one grid line per level
        y = _y(level)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        label = f"{levels.MARKS[level]} {levels.WORDS[level]}"
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{escape(label)}</text>')
    for day, anchor in ((start, "start"), (end, "end")):
        out.append(
            f'<text x="{_x(day, start, end):.1f}" y="{HEIGHT - 12}" font-size="11" text-anchor="{anchor}">'
            f"{day.isoformat()}</text>"
        )
    tx = _x(min(today, end), start, end)
    out.append(
        f'<line x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{HEIGHT - BOTTOM}" stroke="#999" stroke-dasharray="2 3"/>'
    )
    for i, s in enumerate(progress.successors):
        colour = COLOURS[i % len(COLOURS)]
        # the plan line: the successor's start level to the target on the target date
        out.append(
            f'<line x1="{_x(start, start, end):.1f}" y1="{_y(s.start):.1f}" x2="{_x(plan.target_on, start, end):.1f}" '
            f'y2="{_y(plan.target_level):.1f}" stroke="{colour}" stroke-dasharray="6 4" data-plan="{s.person_id}"/>'
        )
        points, level = [], s.start
        for day, after in s.history:
            x = _x(day, start, end)
            points.append(f"{x:.1f},{_y(level):.1f}")
            level = after
            points.append(f"{x:.1f},{_y(level):.1f}")
        points.append(f"{tx:.1f},{_y(level):.1f}")
        out.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="3" '
            f'data-reached="{s.person_id}"/>'
        )
    out.append("</svg>")
    return "".join(out)
