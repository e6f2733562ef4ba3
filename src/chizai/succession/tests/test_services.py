"""The skills map's services: people, columns, cells written only when changed, each audited,
and the register's succession risk reading the map."""

from datetime import timedelta

import pytest
from django.http import Http404

from chizai.core.access import Denied
from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.register import risk
from chizai.register import services as register_services
from chizai.register.models import Asset
from chizai.register.tests.factories import HolderFactory
from chizai.succession import services
from chizai.succession.models import LevelChange, Person, SkillLevel


def events(org, action):
    return AuditEvent.objects.filter(organization=org, action=action)


def test_only_changed_cells_are_written_and_audited(org, owner, small_map):
    m = small_map
    before = events(org, "succession.level.set").count()
    same = {(m["veteran"].pk, m["cutting"].pk): 3, (m["young"].pk, m["cutting"].pk): 1}
    assert services.set_levels(owner, org, same) == []
    assert events(org, "succession.level.set").count() == before
    changed = services.set_levels(owner, org, {**same, (m["young"].pk, m["cutting"].pk): 2})
    assert [(c.person.pk, c.before, c.after) for c in changed] == [(m["young"].pk, 1, 2)]
    assert events(org, "succession.level.set").count() == before + 1
    event = events(org, "succession.level.set").order_by("-seq").first()
    assert event.changes["before"] == {"level": 1} and event.changes["after"] == {"level": 2}
    assert LevelChange.objects.filter(person=m["young"], after=2).count() == 1


def test_a_cell_set_back_to_none_leaves_no_row(org, owner, small_map):
    m = small_map
    services.set_levels(owner, org, {(m["young"].pk, m["cutting"].pk): 0})
    assert not SkillLevel.objects.filter(person=m["young"], skill=m["cutting"]).exists()
    assert services.grid(owner, org).level(m["young"].pk, m["cutting"].pk) == 0


def test_levels_off_the_scale_and_foreign_cells_are_refused(org, owner, other_org, small_map):
    m = small_map
    with pytest.raises(ChizaiError):
        services.set_levels(owner, org, {(m["young"].pk, m["cutting"].pk): 4})
    other_person = Person.objects.create(organization=other_org, name="他社の人")
    with pytest.raises(ChizaiError):
        services.set_levels(owner, org, {(other_person.pk, m["cutting"].pk): 2})


def test_viewers_may_not_write_and_secret_columns_stay_hidden(org, owner, members, small_map):
    m = small_map
    with pytest.raises(Denied):
        services.set_levels(members["viewer"], org, {(m["young"].pk, m["cutting"].pk): 2})
    secret = register_services.create_asset(owner, org, title_ja="極秘配合", classification="secret")
    skill = services.add_skill(owner, org, secret.pk)
    assert skill in services.grid(owner, org).skills
    assert skill not in services.grid(members["engineer"], org).skills
    with pytest.raises(ChizaiError):
        services.set_levels(members["engineer"], org, {(m["young"].pk, skill.pk): 2})
    with pytest.raises(Http404):
        services.add_skill(members["engineer"], org, secret.pk)


def test_bus_factor_and_who_teaches_whom(org, owner, small_map):
    m = small_map
    teaching = {t.skill.pk: t for t in services.who_teaches_whom(owner, org, m["today"])}
    cutting = teaching[m["cutting"].pk]
    assert cutting.bus_factor == 0  # the only capable person leaves in 120 days
    assert [p.name for p in cutting.teachers] == ["山本 勝"]
    assert [p.name for p, _mark in cutting.learners][0] == "田中 翔"  # already learning (△) first
    assert teaching[m["grinding"].pk].bus_factor == 1


def test_risk_counts_people_at_level_two_once_the_asset_is_on_the_map(org, owner, small_map):
    """Two named holders would be "fine" by names; the map says nobody staying can do it alone."""
    m = small_map
    asset = Asset.objects.get(pk=m["cutting"].asset_id)
    HolderFactory(asset=asset, organization=org, name="山本 勝")
    HolderFactory(asset=asset, organization=org, name="田中 翔")
    unmapped = register_services.create_asset(owner, org, title_ja="未登録", business_value="high")
    HolderFactory(asset=unmapped, organization=org, name="A")
    HolderFactory(asset=unmapped, organization=org, name="B")
    assert risk.capable_staying(unmapped, m["today"]) == 2  # the fallback: holders
    assert risk.capable_staying(asset, m["today"]) == 0
    high = risk.succession_risk(asset, m["today"])
    assert "everyone who can do it alone leaves within 12 months" in high.reasons
    services.set_levels(owner, org, {(m["young"].pk, m["cutting"].pk): 2})
    asset = Asset.objects.get(pk=asset.pk)
    lower = risk.succession_risk(asset, m["today"])
    assert lower.score == high.score - 25
    assert "only one person can do it alone" in lower.reasons


def test_urgency_puts_sooner_leaves_and_critical_assets_first(org, owner):
    from django.utils import timezone

    today = timezone.localdate()

    def asset(title, value, days):
        a = register_services.create_asset(owner, org, title_ja=title, business_value=value)
        register_services.add_holder(owner, org, a.pk, name=f"{title}の人", leaves_on=today + timedelta(days=days))
        return a

    soon_low = asset("低・3か月", "low", 91)
    later_high = asset("高・6か月", "high", 182)
    soon_high = asset("高・3か月", "high", 91)
    nobody = register_services.create_asset(owner, org, title_ja="退職予定なし", business_value="high")
    ordered = sorted(Asset.objects.filter(organization=org), key=lambda a: risk.urgency(a, today))
    assert [a.pk for a in ordered] == [soon_high.pk, later_high.pk, soon_low.pk, nobody.pk]


def test_people_are_audited_and_named_once(org, owner):
    person = services.add_person(owner, org, name=" 佐藤 ")
    assert person.name == "佐藤"
    with pytest.raises(ChizaiError):
        services.add_person(owner, org, name="佐藤")
    services.update_person(owner, org, person.pk, team="加工課")
    assert events(org, "succession.person.create").count() == 1
    assert events(org, "succession.person.update").get().changes["after"]["team"] == "加工課"
