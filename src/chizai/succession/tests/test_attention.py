"""The organisation home's succession items: a holder leaving within 12 months with no
successor at level 2, and plans behind schedule — each with data that raises it and data
that does not."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from chizai.core import attention
from chizai.register import services as register_services
from chizai.succession import plans, services


def counts(user, org, today=None):
    return {item.key: item.count for item in attention.items(user, org, today)}


def test_no_successor_raised_and_cleared_by_a_level_two(org, owner, small_map):
    m = small_map
    assert counts(owner, org).get("no_successor") == 1  # 切削条件: only the veteran can do it alone
    services.set_levels(owner, org, {(m["young"].pk, m["cutting"].pk): 2})
    assert "no_successor" not in counts(owner, org)


def test_no_successor_from_register_holders_when_the_asset_is_not_on_the_map(org, owner, small_map):
    today = small_map["today"]
    asset = register_services.create_asset(owner, org, title_ja="地図にない工程")
    register_services.add_holder(owner, org, asset.pk, name="退職者", leaves_on=today + timedelta(days=30))
    assert counts(owner, org)["no_successor"] == 2
    register_services.add_holder(owner, org, asset.pk, name="若手")  # a second holder, staying
    assert counts(owner, org)["no_successor"] == 1


def test_nobody_leaving_raises_nothing(org, owner):
    services.add_person(owner, org, name="誰か")
    asset = register_services.create_asset(owner, org, title_ja="工程")
    register_services.add_holder(owner, org, asset.pk, name="誰か")
    assert "no_successor" not in counts(owner, org) and "plans_behind" not in counts(owner, org)


def test_plan_behind_schedule_raised_then_cleared(org, owner, small_map):
    m = small_map
    plan = plans.create_plan(
        owner,
        org,
        m["grinding"].asset_id,
        holder_id=m["veteran"].pk,
        successor_ids=[m["young"].pk],
        started_on=m["today"] - timedelta(days=300),
        target_on=m["today"] - timedelta(days=1),
    )
    item = next(i for i in attention.items(owner, org) if i.key == "plans_behind")
    assert item.count == 1 and item.url == reverse("succession_plan", args=[org.slug, plan.pk])
    services.set_levels(owner, org, {(m["young"].pk, m["grinding"].pk): 2})
    assert "plans_behind" not in counts(owner, org)


def test_a_plan_on_track_is_not_listed(org, owner, small_map):
    m = small_map
    plans.create_plan(
        owner,
        org,
        m["grinding"].asset_id,
        holder_id=m["veteran"].pk,
        successor_ids=[m["young"].pk],
        target_on=m["today"] + timedelta(days=300),
    )
    assert "plans_behind" not in counts(owner, org)


def test_home_page_labels_in_both_languages(org, owner, small_map):
    client = Client()
    client.force_login(owner)
    for language, label in (
        ("en", "Know-how whose holder leaves within 12 months with no successor at level 2 (can do alone)"),
        ("ja", "12か月以内に保有者が退職し、レベル2（一人でできる）の後継者がいないノウハウ"),
    ):
        client.cookies["django_language"] = language
        body = client.get(reverse("org_dashboard", args=[org.slug])).content.decode()
        assert label in body, language
