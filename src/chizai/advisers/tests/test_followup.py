"""Engagement records, action items, visits, skill hand-over, referrals and the directory."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from chizai.advisers import figures, services
from chizai.advisers.models import ActionItem, EngagementRecord, SupportProgramme
from chizai.core.models import AuditEvent, Organization
from chizai.core.services import ChizaiError
from chizai.core.tests.factories import OrganizationFactory


def test_engagement_record_is_linked_to_the_grant_and_audited(adviser, support, client_org):
    record = services.save_engagement_record(
        adviser,
        client_org,
        scope="診断と契約",
        started_on=date(2026, 4, 1),
        ended_on=None,
        hours_planned=Decimal("20"),
        topics="NDA, 棚卸し、承継",
    )
    assert record.engagement == client_org.test_engagement and record.support_organization == support
    assert record.topic_list == ["NDA", "棚卸し", "承継"]
    services.save_engagement_record(
        adviser,
        client_org,
        scope="診断",
        started_on=date(2026, 4, 1),
        ended_on=None,
        hours_planned=Decimal("30"),
        topics="",
    )
    assert EngagementRecord.objects.count() == 1
    event = AuditEvent.objects.filter(organization=client_org, action="advisers.engagement_record.save").last()
    assert event.changes["before"]["hours_planned"] == "20.0" and event.changes["after"]["hours_planned"] == "30"


def test_actions_for_both_sides_with_due_dates_and_status(adviser, client_org):
    today = timezone.localdate()
    late = services.add_action(
        adviser, client_org, title="秘密区分を決める", side="client", due_on=today - timedelta(days=1)
    )
    services.add_action(adviser, client_org, title="NDA雛形を送る", side="adviser", due_on=today + timedelta(days=7))
    assert late.is_overdue
    services.set_action_status(adviser, client_org, late, "done")
    late.refresh_from_db()
    assert late.status == "done" and late.done_on == today and not late.is_overdue
    assert figures.open_actions(client_org) == 1
    assert figures.next_contact(client_org) == today + timedelta(days=7)
    with pytest.raises(ChizaiError):
        services.set_action_status(adviser, client_org, late, "bogus")


def test_visits_give_last_and_next_contact(adviser, client_org):
    today = timezone.localdate()
    services.log_visit(
        adviser,
        client_org,
        visited_on=today - timedelta(days=30),
        kind="visit",
        hours=Decimal("2"),
        summary="棚卸し",
        next_contact_on=today + timedelta(days=14),
    )
    assert figures.last_contact(client_org) == today - timedelta(days=30)
    assert figures.next_contact(client_org) == today + timedelta(days=14)


def test_self_sufficiency_follows_the_latest_level_per_skill(adviser, client_org):
    assert figures.self_sufficiency(client_org) is None
    services.note_skill(adviser, client_org, skill="nda", level=0, noted_on=date(2026, 1, 1))
    services.note_skill(adviser, client_org, skill="contract_review", level=1, noted_on=date(2026, 1, 1))
    assert figures.self_sufficiency(client_org) == 0
    services.note_skill(adviser, client_org, skill="nda", level=2, noted_on=date(2026, 7, 1))
    assert figures.self_sufficiency(client_org) == 50
    assert services.self_sufficiency_series(client_org) == [("2026-01-01", 0), ("2026-07-01", 50)]
    progress = {p["skill"]: p for p in services.skill_progress(client_org)}
    assert [h.level for h in progress["nda"]["history"]] == [0, 2]
    with pytest.raises(ChizaiError):
        services.note_skill(adviser, client_org, skill="juggling", level=2)


def test_directory_seed_is_idempotent_and_editable(coordinator, support):
    added = services.seed_directory(coordinator, support)
    assert added >= 8 and services.seed_directory(coordinator, support) == 0
    keys = set(SupportProgramme.objects.filter(organization=support).values_list("key", flat=True))
    assert {
        "jpo-sme-support",
        "sme-agency",
        "inpit-consultation",
        "inpit-timestamp",
        "jpaa",
        "chamber",
        "prefectural-institute",
    } <= keys
    web = Client()
    web.force_login(coordinator)
    web.post(
        f"/o/{support.slug}/advisers/directory/save/",
        {"key": "jpaa", "name_ja": "日本弁理士会 東海会", "kind": "expert", "is_active": "on"},
    )
    assert SupportProgramme.objects.get(organization=support, key="jpaa").name_ja == "日本弁理士会 東海会"


def test_adviser_cannot_edit_the_directory(adviser, support):
    web = Client()
    web.force_login(adviser)
    assert web.post(f"/o/{support.slug}/advisers/directory/save/", {"seed": "1"}).status_code == 403


def test_referral_with_outcome(adviser, coordinator, support, client_org):
    services.seed_directory(coordinator, support)
    programme = SupportProgramme.objects.get(organization=support, key="inpit-timestamp")
    referral = services.refer(adviser, client_org, programme=programme, reason="図面の日付を残す")
    services.set_referral_outcome(adviser, client_org, referral, outcome="helped", note="登録済み")
    referral.refresh_from_db()
    assert referral.outcome == "helped" and referral.support_organization == support
    assert AuditEvent.objects.filter(organization=client_org, action="advisers.referral.outcome").exists()


def test_referral_to_another_support_orgs_programme_is_refused(adviser, client_org):
    other = OrganizationFactory(slug="other-support", kind=Organization.Kind.SUPPORT)
    programme = SupportProgramme.objects.create(organization=other, key="x", name_ja="他所の制度")
    with pytest.raises(ChizaiError):
        services.refer(adviser, client_org, programme=programme, reason="")


def test_workspace_web_forms(adviser, client_org):
    web = Client()
    web.force_login(adviser)
    base = f"/o/{client_org.slug}/advisers/workspace/"
    assert (
        web.post(base + "actions/", {"title": "棚卸し表を作る", "side": "client", "due_on": "2026-12-01"}).status_code
        == 302
    )
    item = ActionItem.objects.get(organization=client_org)
    web.post(base + "actions/status/", {"item": item.pk, "status": "done"})
    web.post(base + "visits/", {"visited_on": "2026-11-01", "kind": "visit", "hours": "2", "summary": "初回訪問"})
    web.post(base + "skills/", {"skill": "nda", "level": "1"})
    body = web.get(base).content.decode()
    assert "棚卸し表を作る" in body and "初回訪問" in body and "<td>秘密保持契約の締結と管理</td>" in body
    item.refresh_from_db()
    assert item.status == "done"
