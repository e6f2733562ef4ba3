"""Succession risk and trade-secret readiness, computed from an asset as it is today.

Nothing here is stored: leave dates come closer every day, so the figures are worked out
when shown. Pure functions of the asset and its (prefetched) holders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HORIZON = timedelta(days=365)
HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass
class Risk:
    level: str
    score: int
    reasons: list[str] = field(default_factory=list)
    next_step: str = ""


def succession_risk(asset, today: date | None = None) -> Risk:
    """Score 0-100 from who holds it, when they leave, whether it is written down and how much it matters.

    A critical asset whose every holder leaves within 12 months scores 70 or more (high)
    even when documented: paper rarely carries all of a veteran's judgement.
    """
    today = today or date.today()
    holders = list(asset.holders.all())
    staying = [h for h in holders if h.leaves_on is None or h.leaves_on > today + HORIZON]
    score = 0
    reasons: list[str] = []
    if not holders:
        score += 50
        reasons.append(_("nobody is named as holder"))
    elif not staying:
        score += 50
        reasons.append(_("every holder leaves within 12 months"))
    elif len(staying) == 1:
        score += 25
        reasons.append(_("only one holder"))
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
    elif len(staying) <= 1:
        step = _("Add a second holder and have them work alongside the current one.")
    else:
        step = _("Keep the documentation current at each review.")
    return Risk(level=level, score=min(score, 100), reasons=reasons, next_step=step)


READINESS_FIELDS = [
    ("ts_marked", gettext_lazy("marked as secret (秘密表示)")),
    ("ts_access_restricted", gettext_lazy("access restricted (アクセス制限)")),
    ("ts_listed", gettext_lazy("listed in the secret register (リスト化)")),
    ("ts_useful", gettext_lazy("useful for the business (有用性)")),
    ("ts_not_public", gettext_lazy("not publicly known (非公知性)")),
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
