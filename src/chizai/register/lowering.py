"""Confirmation before lowering a classification (issue 14).

Lowering an asset's class (秘密 → 社内限り, …) widens who may read it and what the disclosure
gate lets through, so every way of doing it asks first: the edit form (its own confirmation
box), the register's bulk action, the Excel import and the API. This module holds the rule
the last three share: which assets a change would lower, and the refusal that names them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chizai.core.services import ChizaiError
from chizai.register import access
from chizai.register.models import Asset


class LoweringNotConfirmed(ChizaiError):
    """A change would lower the classification of assets and was not confirmed (issue 14:
    the edit form, the bulk action, the Excel import and the API all ask first)."""

    def __init__(self, lowered: list[tuple[Asset, str, str]]):
        self.lowered = lowered
        labels = dict(Asset.Classification.choices)
        items = ", ".join(f"{a.title_ja} ({labels[before]} → {labels[after]})" for a, before, after in lowered)
        super().__init__(
            _("This lowers the classification of %(count)d asset(s); confirm to go ahead: %(items)s")
            % {"count": len(lowered), "items": items}
        )


def lowerings(assets, targets: dict[int, str]) -> list[tuple[Asset, str, str]]:
    """(asset, before, after) for each asset whose target classification (asset id → code) is lower."""
    levels = access.CLASSIFICATIONS
    return [
        (a, a.classification, targets[a.pk])
        for a in assets
        if targets.get(a.pk) in levels and levels.index(targets[a.pk]) < levels.index(a.classification)
    ]


def require_confirmed_lowering(actor, organization, targets: dict[int, str], confirmed: bool) -> list:
    """Refuse (LoweringNotConfirmed) a change of the given assets' classifications that lowers
    any of them unless the person confirmed it; the lowered ones otherwise."""
    assets = Asset.objects.restrict(actor, "view").filter(organization=organization, pk__in=list(targets))
    lowered = lowerings(assets, targets)
    if lowered and not confirmed:
        raise LoweringNotConfirmed(lowered)
    return lowered
