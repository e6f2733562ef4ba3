"""Succession fixtures: a small map of an organisation (the shared org/people fixtures live in
the root and core conftest)."""

import pytest

from chizai.register import services as register_services
from chizai.succession import services


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; a request earlier in the thread may have switched to ja."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def small_map(org, owner):
    """Three people (one leaving within months) and two assets on the map, levels set through
    the service so history and audit exist as in real use."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    veteran = services.add_person(owner, org, name="山本 勝", leaves_on=today + timedelta(days=120))
    young = services.add_person(owner, org, name="田中 翔")
    other = services.add_person(owner, org, name="伊藤 彩")
    cutting = register_services.create_asset(
        owner, org, title_ja="切削条件", title_en="Cutting conditions", business_value="high"
    )
    grinding = register_services.create_asset(owner, org, title_ja="研削手順", title_en="Grinding steps")
    s1 = services.add_skill(owner, org, cutting.pk)
    s2 = services.add_skill(owner, org, grinding.pk)
    services.set_levels(
        owner, org, {(veteran.pk, s1.pk): 3, (young.pk, s1.pk): 1, (veteran.pk, s2.pk): 2, (other.pk, s2.pk): 2}
    )
    return {"veteran": veteran, "young": young, "other": other, "cutting": s1, "grinding": s2, "today": today}
