"""Succession risk and trade-secret readiness, computed from an asset as it is today.

Nothing here is stored: leave dates come closer every day, so the figures are worked out
when shown. Pure functions of the asset, its (prefetched) holders and, when the asset is on
the skills map, the levels recorded there.

The skills map belongs to the succession part, which builds on the register; the register
does not import it (that would be a cycle). It reads the map only through the reverse
relation the succession model declares on ``Asset`` (``asset.skill`` and its ``levels``,
each with its ``person``), and the bus-factor arithmetic lives here so both parts use one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

HORIZON = timedelta(days=365)
HIGH, MEDIUM, LOW = "high", "medium", "low"
# "can do alone" on the skills map's 0–3 scale (succession.levels): who counts as able to
# carry the know-how on without the veteran.
CAPABLE_LEVEL = 2


@dataclass
class Risk:
    level: str
    score: int
    reasons: list[str] = field(default_factory=list)
    next_step: str = ""


def staying(leaves_on: date | None, today: date) -> bool:
    """Not leaving within the 12-month horizon (no leave date, or one beyond it)."""
    return leaves_on is None or leaves_on > today + HORIZON


def bus_factor(levels: Iterable[tuple[int, date | None]], today: date) -> int:
    """How many people could carry the know-how on: at level ≥ 2 and not leaving within 12 months.

    ``levels`` is one (level, leave date) pair per person on the skills map for one asset.
    """
    return sum(1 for level, leaves_on in levels if level >= CAPABLE_LEVEL and staying(leaves_on, today))


def mapped_levels(asset) -> list[tuple[int, date | None]] | None:
    """(level, leave date) of each person recorded for ``asset`` on the skills map, or None when
    the asset is not on the map (then the risk falls back to counting holders). Prefetch
    ``skill__levels__person`` to read many assets without a query each."""
    skill = getattr(asset, "skill", None)  # the reverse one-to-one raises an AttributeError subclass when absent
    if skill is None:
        return None
    return [(row.level, row.person.leaves_on) for row in skill.levels.all()]


def capable_staying(asset, today: date) -> int:
    """People who could carry ``asset`` on a year from now: the skills map's bus factor when the
    asset is on the map, else the holders not leaving within 12 months."""
    mapped = mapped_levels(asset)
    if mapped is not None:
        return bus_factor(mapped, today)
    return sum(1 for h in asset.holders.all() if staying(h.leaves_on, today))


def first_leave(asset, today: date) -> date | None:
    """The first leave date, from today on, of a holder or of someone at level ≥ 2 on the map."""
    dates = [h.leaves_on for h in asset.holders.all() if h.leaves_on and h.leaves_on >= today]
    dates += [leaves for level, leaves in mapped_levels(asset) or [] if level >= CAPABLE_LEVEL and leaves]
    dates = [d for d in dates if d >= today]
    return min(dates) if dates else None


CRITICALITY = {"high": 3, "medium": 2, "low": 1}


def urgency(asset, today: date | None = None) -> tuple:
    """Sort key of the risk page: months to the first leave date divided by criticality
    (3 critical, 2 medium, 1 low), smallest first. A critical process whose master leaves in
    six months (6 / 3 = 2) comes before a low-value one whose holder leaves in three (3 / 1);
    assets nobody is known to leave come last, highest risk score first."""
    today = today or date.today()
    leaves = first_leave(asset, today)
    score = succession_risk(asset, today).score
    if leaves is None:
        return (1, 0.0, -score)
    months = max((leaves - today).days / 30.44, 0.0)
    return (0, months / CRITICALITY.get(asset.business_value, 2), -score)


def succession_risk(asset, today: date | None = None) -> Risk:
    """Score 0-100 from who can do it, when they leave, whether it is written down and how much it matters.

    Who can do it: when the asset is on the skills map, the people at level ≥ 2 ("can do
    alone") — a named holder who only watched is not a successor, and a trained colleague
    who is not named as holder is one. When it is not on the map, the named holders, as
    before the map existed (most registers start with names only).

    A critical asset whose every capable person leaves within 12 months scores 70 or more
    (high) even when documented: paper rarely carries all of a veteran's judgement.
    """
    today = today or date.today()
    score = 0
    reasons: list[str] = []
    mapped = mapped_levels(asset)
    if mapped is None:
        holders = list(asset.holders.all())
        kept = sum(1 for h in holders if staying(h.leaves_on, today))
        if not holders:
            score += 50
            reasons.append(_("nobody is named as holder"))
        elif not kept:
            score += 50
            reasons.append(_("every holder leaves within 12 months"))
        elif kept == 1:
            score += 25
            reasons.append(_("only one holder"))
    else:
        capable = [leaves for level, leaves in mapped if level >= CAPABLE_LEVEL]
        kept = bus_factor(mapped, today)
        if not capable:
            score += 50
            reasons.append(_("nobody on the skills map can do it alone"))
        elif not kept:
            score += 50
            reasons.append(_("everyone who can do it alone leaves within 12 months"))
        elif kept == 1:
            score += 25
            reasons.append(_("only one person can do it alone"))
    if not asset.documented:
        score += 20
        reasons.append(_("not documented"))
    if asset.is_critical:
        score += 20
        reasons.append(_("critical to the business"))
    if asset.classification in ("confidential", "secret"):
        score += 10
    level = HIGH if score >= 70 else MEDIUM if score >= 40 else LOW
    if not asset.documented:
        step = _("Document it: write the procedure down, or video the holder doing it.")
    elif kept <= 1 and mapped is not None:
        step = _("Train a successor to level 2 (can do alone) alongside the current holder: make a capture plan.")
    elif kept <= 1:
        step = _("Add a second holder and have them work alongside the current one.")
    else:
        step = _("Keep the documentation current at each review.")
    return Risk(level=level, score=min(score, 100), reasons=reasons, next_step=step)


# English names only: the Japanese legal terms (秘密表示, 有用性 …) are the Japanese translations;
# a context of their own, as the asset's check boxes use the same English words.
READINESS_FIELDS = [
    ("ts_marked", pgettext_lazy("trade secret requirement", "marked as secret")),
    ("ts_access_restricted", pgettext_lazy("trade secret requirement", "access restricted")),
    ("ts_listed", pgettext_lazy("trade secret requirement", "listed in the secret register")),
    ("ts_useful", pgettext_lazy("trade secret requirement", "useful for the business")),
    ("ts_not_public", pgettext_lazy("trade secret requirement", "not publicly known")),
]


@dataclass
class Readiness:
    status: str  # ready / partial / not_ready / not_applicable
    missing: list[str]


def trade_secret_readiness(asset) -> Readiness:
    """Whether the three requirements of a trade secret (不正競争防止法 2条6項) are evidenced."""
    if asset.classification == "public":
        return Readiness("not_applicable", [])
    missing = [str(label) for name, label in READINESS_FIELDS if not getattr(asset, name)]
    if not missing:
        return Readiness("ready", [])
    return Readiness("not_ready" if len(missing) == len(READINESS_FIELDS) else "partial", missing)
