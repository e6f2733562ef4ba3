"""The IP-management diagnostic: questions (data/diagnostic.yaml), scoring, prefill, radar chart.

Pure functions apart from ``prefill``, which reads figures about the client; the service
that calls it has already checked access and recorded the read.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chizai.advisers import charts, figures

DATA = Path(__file__).resolve().parent / "data" / "diagnostic.yaml"
MAX_LEVEL = 4


@lru_cache(maxsize=1)
def catalogue() -> dict:
    with DATA.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    ids = [q["id"] for area in data["areas"] for q in area["questions"]]
    if len(ids) != len(set(ids)):
        raise ValueError("diagnostic.yaml: question ids must be unique")
    return data


def areas() -> list[dict]:
    return catalogue()["areas"]


def questions() -> dict[str, dict]:
    return {q["id"]: q for area in areas() for q in area["questions"]}


def text(item: dict, lang: str | None = None) -> str:
    lang = lang or get_language() or "ja"
    return item["en"] if lang.startswith("en") else item["ja"]


def clean_answers(raw: dict) -> dict:
    """Keep only known questions with a level 0..4; evidence as stripped text."""
    known = questions()
    result = {}
    for qid, answer in (raw or {}).items():
        if qid not in known or not isinstance(answer, dict):
            continue
        value = answer.get("value")
        if value in (None, ""):
            continue
        value = int(value)
        if not 0 <= value <= MAX_LEVEL:
            raise ValueError(f"{qid}: level {value} is outside 0..{MAX_LEVEL}")
        result[qid] = {"value": value, "evidence": str(answer.get("evidence") or "").strip()[:2000]}
    return result


def score(answers: dict) -> tuple[dict[str, int | None], int]:
    """Per-area score (mean level of the answered questions scaled to 0..100; None when
    none answered) and the overall score (mean of the scored areas)."""
    scores: dict[str, int | None] = {}
    for area in areas():
        levels = [answers[q["id"]]["value"] for q in area["questions"] if q["id"] in answers]
        scores[area["id"]] = round(100 * sum(levels) / (MAX_LEVEL * len(levels))) if levels else None
    scored = [s for s in scores.values() if s is not None]
    return scores, round(sum(scored) / len(scored)) if scored else 0


# --- prefill from what chizai knows -------------------------------------------------------


def _level_from_count(count, full: int) -> int:
    return 0 if not count else min(MAX_LEVEL, 1 + round(3 * min(count, full) / full))


def _register_listed(client):
    count = figures.register_size(client)
    if count is None:
        return None
    return _level_from_count(count, 30), _("chizai register: %(count)s entries") % {"count": count}


def _secret_readiness(client):
    percent = figures.secret_readiness(client)
    if percent is None:
        return None
    return round(MAX_LEVEL * percent / 100), _(
        "chizai register: secrecy measures recorded for %(percent)s%% of secret entries"
    ) % {"percent": percent}


def _nda_tracking(client):
    expiring = figures.ndas_expiring(client)
    overdue = figures.overdue_returns(client)
    if expiring is None and overdue is None:
        return None
    level = 3 if not overdue else 1
    return level, _("chizai disclosure: %(expiring)s NDAs expiring in 90 days, %(overdue)s overdue returns") % {
        "expiring": expiring or 0,
        "overdue": overdue or 0,
    }


def _reviews_done(client):
    findings = figures.open_findings(client)
    if findings is None:
        return None
    from chizai.review.models import ContractReview

    reviewed = ContractReview.objects.filter(organization=client, status="done").count()
    if reviewed == 0:
        return None
    level = min(MAX_LEVEL, 1 + min(reviewed, 6) // 2)
    return level, _("chizai reviews: %(reviewed)s contracts reviewed, %(findings)s high/medium findings open") % {
        "reviewed": reviewed,
        "findings": findings,
    }


def _handover_ledger(client):
    overdue = figures.overdue_returns(client)
    if overdue is None:
        return None
    return (2 if overdue else 3), _("chizai disclosure ledger in use; %(overdue)s overdue returns") % {
        "overdue": overdue
    }


def _succession_known(client):
    risks = figures.succession_risks(client)
    if risks is None:
        return None
    return 3, _("chizai register: %(risks)s entries known to one person only") % {"risks": risks}


def _succession_planned(client):
    found = figures.succession_plan_coverage(client)
    if found is None:
        return None
    exposed, planned = found
    if exposed == 0 and planned == 0:
        return None  # nothing exposed, nothing planned: the map says nothing about plans yet
    level = MAX_LEVEL if planned >= exposed else round(MAX_LEVEL * planned / exposed)
    return (
        level,
        _(
            "chizai succession: capture plans for %(planned)s of %(exposed)s important entries fewer than two people can do"
        )
        % {"planned": planned, "exposed": exposed},
    )


PREFILLS = {
    "register_listed": _register_listed,
    "secret_readiness": _secret_readiness,
    "nda_tracking": _nda_tracking,
    "reviews_done": _reviews_done,
    "handover_ledger": _handover_ledger,
    "succession_known": _succession_known,
    "succession_planned": _succession_planned,
}


def prefill(client) -> dict:
    """Proposed answers {qid: {"value", "evidence", "prefilled": True}} from chizai's data."""
    proposed = {}
    for qid, question in questions().items():
        name = question.get("prefill")
        if not name:
            continue
        found = PREFILLS[name](client)
        if found is not None:
            value, evidence = found
            proposed[qid] = {"value": int(value), "evidence": evidence, "prefilled": True}
    return proposed


# --- radar chart ---------------------------------------------------------------------------


def radar_points(values: list[float], cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    n = len(values)
    points = []
    for i, value in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(100.0, value or 0)) / 100
        points.append((round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)))
    return points


def radar_svg(
    scores: dict, previous: dict | None = None, lang: str | None = None, size: int = 420, *, name: str = ""
) -> str:
    """A self-contained SVG radar chart of area scores (and an earlier run, dashed)."""
    area_list = areas()
    cx = cy = size / 2
    radius = size * 0.32
    pad = 90  # side room for the longest area labels
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-{pad} 0 {size + 2 * pad} {size}" width="100%" style="max-width:{size + 2 * pad}px" '
        f'role="img"{charts.accessible_name(name)} class="radar" font-family="sans-serif" font-size="11">'
    ]
    for ring in (25, 50, 75, 100):
        ring_pts = radar_points([ring] * len(area_list), cx, cy, radius)
        parts.append('<polygon fill="none" stroke="#ccc" points="' + " ".join(f"{x},{y}" for x, y in ring_pts) + '"/>')
    for (x, y), area in zip(radar_points([100] * len(area_list), cx, cy, radius), area_list, strict=False):
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x}" y2="{y}" stroke="#ddd"/>')
        lx, ly = cx + (x - cx) * 1.28, cy + (y - cy) * 1.18  # labels just outside the 100 ring
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">{escape(text(area, lang))}</text>')
    if previous:
        prev_pts = radar_points([previous.get(a["id"]) or 0 for a in area_list], cx, cy, radius)
        parts.append(
            '<polygon class="previous" fill="none" stroke="#888" stroke-dasharray="4 3" points="'
            + " ".join(f"{x},{y}" for x, y in prev_pts)
            + '"/>'
        )
    pts = radar_points([scores.get(a["id"]) or 0 for a in area_list], cx, cy, radius)
    parts.append(
        '<polygon class="current" fill="rgba(30,100,200,0.25)" stroke="#1e64c8" stroke-width="2" points="'
        + " ".join(f"{x},{y}" for x, y in pts)
        + '"/>'
    )
    for (x, y), area in zip(pts, area_list, strict=False):
        value = scores.get(area["id"])
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="#1e64c8"><title>{escape(text(area, lang))}: '
            f"{'—' if value is None else value}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
