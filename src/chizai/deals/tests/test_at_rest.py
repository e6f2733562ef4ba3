"""R5: the contract wording a negotiation point copies from a review finding is sealed in
the database, and still reads back in the services and pages; migration 0009 seals old rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chizai.core.services import ChizaiError
from chizai.deals import services
from chizai.deals.models import NegotiationPoint
from chizai.register.tests.test_at_rest import leaked

from .conftest import DRAFT_1, _finding

MARKER = "鱈秘匿条項ZqxPointWording"
DRAFT = DRAFT_1.replace("甲乙間の取引全般", "甲乙間の取引全般" + MARKER)
QUOTE = "甲乙間の取引全般" + MARKER


def fake_evaluate(doc):
    return [_finding(doc, QUOTE, "NDA-03", "HIGH", "第1条", "目的が広すぎる")], []


@pytest.fixture
def marked_point(deal, owner, monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)
    draft = services.add_draft(owner, deal, text=DRAFT, filename="v1.txt")
    assert draft.review.findings[0]["text"] == QUOTE
    point, created = services.point_from_finding(owner, deal, draft.review, 0)
    assert created
    return point


def test_point_contract_text_is_not_in_the_database(marked_point):
    assert NegotiationPoint.objects.get(pk=marked_point.pk).contract_text == QUOTE
    assert leaked([MARKER, QUOTE]) == []


def test_sealed_point_text_reads_back_in_services_and_pages(client, org, owner, deal, marked_point):
    point = NegotiationPoint.objects.get(pk=marked_point.pk)
    assert point.contract_text == QUOTE
    services.measurable_prompts(point)  # reads the wording with the rest of the point
    again, created = services.point_from_finding(owner, deal, point.source_review, 0)
    assert not created and again.pk == point.pk and again.contract_text == QUOTE
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/deals/{deal.pk}/points/{point.pk}/").content.decode()
    assert MARKER in page


def test_contract_text_sealed_for_another_place_does_not_open(marked_point, deal, owner):
    other = services.add_point(owner, deal, title="別の論点")
    NegotiationPoint.objects.filter(pk=other.pk).update(
        contract_text_sealed=NegotiationPoint.objects.get(pk=marked_point.pk).deal.drafts.first().review.text_sealed
    )
    with pytest.raises(ChizaiError):
        _ = NegotiationPoint.objects.get(pk=other.pk).contract_text


BEFORE = ("deals", "0008_evidence_asset_guards_its_files")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_migration_seals_existing_point_text(org, owner, deal):
    latest = [("deals", MigrationExecutor(connection).loader.graph.leaf_nodes("deals")[0][1])]
    try:
        old = _migrate(BEFORE).get_model("deals", "NegotiationPoint")
        with_text = old.objects.create(organization_id=org.pk, deal_id=deal.pk, title="旧論点", contract_text=QUOTE).pk
        bare = old.objects.create(organization_id=org.pk, deal_id=deal.pk, title="空").pk
        assert leaked([MARKER])  # the old column held it in plaintext
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert NegotiationPoint.objects.get(pk=with_text).contract_text == QUOTE
    assert NegotiationPoint.objects.get(pk=bare).contract_text == ""
    assert leaked([MARKER, QUOTE]) == []  # 0010 purged the freed pages too
