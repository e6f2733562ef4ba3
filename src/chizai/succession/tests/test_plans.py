"""Capture plans: creation, sessions (sealed at rest), layers with their own classification,
interview answers, the holder's sign-off, and progress against the plan line."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.register import services as register_services
from chizai.succession import chart, plans, services
from chizai.succession.models import OjtSession


@pytest.fixture
def plan(org, owner, small_map):
    today = small_map["today"]
    return plans.create_plan(
        owner,
        org,
        small_map["cutting"].asset_id,
        holder_id=small_map["veteran"].pk,
        successor_ids=[small_map["young"].pk],
        target_on=today + timedelta(days=200),
        started_on=today - timedelta(days=100),
    )


def test_a_plan_starts_from_the_successors_level_and_is_audited(org, plan, small_map):
    entry = plan.successors.get()
    assert entry.person == small_map["young"] and entry.start_level == 1
    assert AuditEvent.objects.filter(organization=org, action="succession.plan.create").count() == 1


def test_refusals(org, owner, small_map):
    asset_id = small_map["cutting"].asset_id
    veteran, today = small_map["veteran"].pk, small_map["today"]
    with pytest.raises(ChizaiError):  # the holder alone
        plans.create_plan(
            owner, org, asset_id, holder_id=veteran, successor_ids=[veteran], target_on=today + timedelta(days=9)
        )
    with pytest.raises(ChizaiError):  # target before start
        plans.create_plan(
            owner, org, asset_id, holder_id=veteran, successor_ids=[small_map["young"].pk], target_on=today
        )
    with pytest.raises(ChizaiError):  # target level 1 is not a successor
        plans.create_plan(
            owner,
            org,
            asset_id,
            holder_id=veteran,
            successor_ids=[small_map["young"].pk],
            target_level=1,
            target_on=today + timedelta(days=9),
        )


def test_planned_level_is_a_straight_line_flat_outside():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert plans.planned_level(0, 2, start, end, date(2025, 6, 1)) == 0
    assert plans.planned_level(0, 2, start, end, date(2027, 6, 1)) == 2
    assert plans.planned_level(1, 3, start, end, start + (end - start) / 2) == pytest.approx(2, abs=0.01)


def test_behind_schedule_until_the_successor_reaches_the_line(org, owner, plan, small_map):
    today = small_map["today"]  # a third of the way: 1 + (2 - 1) / 3 → floor 1: on track at △
    assert not plans.progress(plan, today).behind
    later = today + timedelta(days=200)  # the target date: needs ○
    assert plans.progress(plan, later).behind
    assert [p.pk for p in plans.behind_schedule(owner, org, later)] == [plan.pk]
    services.set_levels(owner, org, {(small_map["young"].pk, small_map["cutting"].pk): 2})
    progress = plans.progress(plan, later)
    assert not progress.behind and progress.complete
    assert progress.successors[0].history[-1][1] == 2


def test_sessions_are_sealed_at_rest(org, owner, plan):
    secret = "刃先の色が麦わら色になったら送りを下げる"
    session = plans.add_session(
        owner, org, plan.pk, held_on=date(2026, 11, 1), hours=Decimal("2.5"), covered="段取り", notes=secret
    )
    assert OjtSession.objects.get(pk=session.pk).notes == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes_sealed FROM succession_ojtsession WHERE id = %s", [session.pk])
        stored = bytes(cursor.fetchone()[0])
    assert secret.encode() not in stored and len(stored) > 0
    assert plans.progress(plan).held_hours == Decimal("2.5")


def test_layers_keep_their_own_classification(org, owner, members, plan):
    plans.add_layer(owner, org, plan.pk, kind="basic_sop", title="基本手順書", classification="internal")
    plans.add_layer(owner, org, plan.pk, kind="master", title="極意書", classification="secret")
    with pytest.raises(ChizaiError):
        plans.add_layer(owner, org, plan.pk, kind="master", title="公開の極意", classification="internal")
    assert [layer.title for layer in plans.layers_for(owner, org, plan)] == ["基本手順書", "極意書"]
    assert [layer.title for layer in plans.layers_for(members["engineer"], org, plan)] == ["基本手順書"]


def test_answers_only_changed_ones_and_sign_off(org, owner, plan):
    with pytest.raises(ChizaiError):
        plans.sign_off(owner, org, plan.pk)  # nothing captured yet
    assert plans.save_answers(owner, org, plan.pk, {"cue_sense": "音が高くなる", "fail_new": ""}) == ["cue_sense"]
    assert plans.save_answers(owner, org, plan.pk, {"cue_sense": "音が高くなる"}) == []
    with pytest.raises(ChizaiError):
        plans.save_answers(owner, org, plan.pk, {"no_such_prompt": "x"})
    signed = plans.sign_off(owner, org, plan.pk)
    assert signed.signed_off_by == plan.holder and signed.signed_off_at is not None
    plans.save_answers(owner, org, plan.pk, {"cue_sense": "音が低くなる"})
    plan.refresh_from_db()
    assert plan.signed_off_at is None  # a changed answer needs the holder's word again


def test_plans_of_hidden_assets_stay_hidden(org, owner, members, small_map):
    secret = register_services.create_asset(owner, org, title_ja="極秘工程", classification="secret")
    plan = plans.create_plan(
        owner,
        org,
        secret.pk,
        holder_id=small_map["veteran"].pk,
        successor_ids=[small_map["other"].pk],
        target_on=small_map["today"] + timedelta(days=30),
    )
    assert plan in plans.plans(owner, org)
    assert plan not in plans.plans(members["engineer"], org)


def test_chart_is_an_accessible_image(org, plan, small_map):
    progress = plans.progress(plan, small_map["today"])
    svg = chart.progress_svg(plan, progress, small_map["today"])
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg
    assert "田中 翔" in chart.description(plan, progress)
    assert f'data-reached="{small_map["young"].pk}"' in svg and f'data-plan="{small_map["young"].pk}"' in svg
