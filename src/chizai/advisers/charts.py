"""Small server-rendered SVG charts (no JavaScript, nothing to build; allowed by the CSP)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import mark_safe


def accessible_name(name: str) -> str:
    """The ``aria-label`` of a chart (role="img" needs a name; axe svg-img-alt): the caller's
    title in the reader's language, not the data, whose labels may be in either language."""
    return f" aria-label={quoteattr(str(name))}" if name else ""


def bar_svg(
    items: list[tuple[str, int]], width: int = 480, bar: int = 18, *, name: str = "", exempt_labels: bool = False
) -> str:
    """Horizontal bars, one per (label, count). ``exempt_labels``: the labels are user data
    shown as entered (free-text industries), marked so for the page's language check."""
    if not items:
        return ""
    top = max(count for _label, count in items) or 1
    label_w = 150
    height = len(items) * (bar + 6) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img"{accessible_name(name)} class="chart bars" font-family="sans-serif" font-size="12">'
    ]
    exempt = " data-i18n-exempt" if exempt_labels else ""
    for i, (label, count) in enumerate(items):
        y = 6 + i * (bar + 6)
        w = round((width - label_w - 40) * count / top)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end"{exempt}>{escape(str(label))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="#1e64c8"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + bar - 5}">{count}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label is escaped above


def line_svg(points: list[tuple[str, int | None]], width: int = 480, height: int = 200, *, name: str = "") -> str:
    """A 0..100 line over labelled points; a None value (suppressed) leaves a gap."""
    if not points:
        return ""
    left, right, bottom, top_pad = 40, 40, 30, 10  # room for the first and last x labels
    inner_w, inner_h = width - left - right, height - bottom - top_pad
    step = inner_w / max(len(points) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img"{accessible_name(name)} class="chart line" font-family="sans-serif" font-size="11">'
    ]
    for tick in (0, 50, 100):
        y = top_pad + inner_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    segment: list[str] = []
    segments = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{escape(str(label))}</text>')
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = top_pad + inner_h * (1 - max(0, min(100, value)) / 100)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1e64c8"><title>{escape(str(label))}: {value}</title></circle>'
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="#1e64c8" stroke-width="2" points="{" ".join(seg)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label is escaped above
