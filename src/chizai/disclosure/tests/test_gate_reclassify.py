"""R7: lowering an asset's class after a refusal does not open the gate by itself.

The pure gate, one test per condition, then the whole path through the services: the
reclassification is audited with the open disclosures it touches, the owner's override is
what lets it through, and the disclosed item shows the class it had when it went out.
"""

import csv
import io
from dataclasses import replace

import pytest

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.disclosure import services
from chizai.disclosure.gate import check
from chizai.disclosure.models import Disclosure
from chizai.disclosure.tests.conftest import disclose, make_asset
from chizai.disclosure.tests.test_gate import DRAWING, NDA, codes, req
from chizai.register import services as register

LOWERED = replace(DRAWING, classification="public", requested_classification="confidential")


def test_gate_judges_a_lowered_asset_at_its_requested_class():
    result = check(req(assets=(LOWERED,), agreements=()))
    assert not result.allowed and result.gated
    assert codes(result) == ["agreement_missing", "reclassified_after_request"]
    failure = result.failures[1]
    assert "confidential" in failure.en and "public" in failure.en and "秘密" in failure.ja and "公開可" in failure.ja
    assert failure.overridable and failure.asset_id == DRAWING.id


def test_gate_lets_a_lowered_asset_through_when_its_requested_class_passes_anyway():
    result = check(req(assets=(LOWERED,), agreements=(NDA,)))
    assert result.allowed and result.failures == []


def test_gate_owner_override_waives_the_reclassification():
    result = check(req(assets=(LOWERED,), agreements=(), override_reason="公開済みと確認", override_by_owner=True))
    assert result.allowed and result.overridden
    assert "reclassified_after_request" in [f.code for f in result.waived]


def test_gate_override_by_someone_else_does_not_count():
    result = check(req(assets=(LOWERED,), agreements=(), override_reason="急ぎ", override_by_owner=False))
    assert not result.allowed and "reclassified_after_request" in codes(result)


def test_gate_lowered_secret_still_needs_two_people():
    lowered = replace(DRAWING, classification="confidential", requested_classification="secret")
    result = check(req(assets=(lowered,)))
    assert codes(result) == ["owner_approval", "second_person"]


def test_gate_raised_asset_is_judged_at_its_new_class():
    raised = replace(DRAWING, classification="confidential", requested_classification="public")
    assert codes(check(req(assets=(raised,), agreements=()))) == ["agreement_missing"]


def test_gate_without_a_recorded_class_uses_the_current_one():
    assert check(req(assets=(replace(DRAWING, classification="public"),), agreements=())).allowed


def test_manager_cannot_push_a_refused_disclosure_through_by_reclassifying(org, owner, members, partner):
    manager = members["manager"]
    asset = make_asset(owner, org, classification="confidential", title="金型図面")
    refused = disclose(manager, org, partner, asset_ids=[asset.pk], minutes="見せた", method="oral")
    assert refused.status == Disclosure.Status.REFUSED

    register.reclassify(manager, org, [asset.pk], "public", confirmed_lowering=True)
    event = AuditEvent.objects.filter(action="register.asset.reclassify", object_id=str(asset.pk)).get()
    assert event.changes["open_disclosures"] == [
        {"disclosure": refused.pk, "reference": refused.reference, "status": "refused"}
    ]
    assert refused.reference in event.summary

    with pytest.raises(ChizaiError, match="Approval cannot let this disclosure through") as refusal:
        services.approve(manager, org, refused.pk)  # an approval cannot help: it says why, records nothing
    assert "was reclassified from confidential to public" in str(refusal.value)
    refused.refresh_from_db()
    assert refused.status == Disclosure.Status.REFUSED
    assert not AuditEvent.objects.filter(action__in=("disclosure.gate.override", "disclosure.approve")).exists()

    done = services.override(owner, org, refused.pk, "公開資料として確認済み")
    assert done.status == Disclosure.Status.DISCLOSED
    assert AuditEvent.objects.filter(action="disclosure.gate.override", object_id=str(done.pk)).exists()
    item = done.items.get()
    assert (item.classification, item.requested_classification) == ("public", "confidential")


def test_editing_the_class_in_the_asset_form_is_audited_with_the_open_disclosures(org, owner, members, partner):
    asset = make_asset(owner, org, classification="confidential", title="治具")
    pending = disclose(members["manager"], org, partner, asset_ids=[asset.pk], minutes="m", method="oral")
    register.update_asset(owner, org, asset.pk, classification="internal")
    event = AuditEvent.objects.filter(action="register.asset.update", object_id=str(asset.pk)).latest("seq")
    assert [d["disclosure"] for d in event.changes["open_disclosures"]] == [pending.pk]


def test_reclassifying_an_asset_without_open_disclosures_names_none(org, owner):
    asset = make_asset(owner, org, classification="confidential")
    register.reclassify(owner, org, [asset.pk], "internal", confirmed_lowering=True)
    event = AuditEvent.objects.filter(action="register.asset.reclassify").get()
    assert "open_disclosures" not in event.changes


def test_dossier_shows_the_class_at_hand_over_and_at_request(org, owner, members, partner):
    asset = make_asset(owner, org, classification="confidential", title="金型図面")
    refused = disclose(members["manager"], org, partner, asset_ids=[asset.pk], minutes="m", method="oral")
    register.reclassify(owner, org, [asset.pk], "public", confirmed_lowering=True)
    services.override(owner, org, refused.pk, "公開資料として確認済み")
    body = services.dossier(owner, org, partner.pk, "csv")[0].decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(body.partition("\r\n\r\n")[0])))[0]
    assert (row["classification"], row["requested_classification"]) == ("public", "confidential")
    assert row["override_reason"] == "公開資料として確認済み"
