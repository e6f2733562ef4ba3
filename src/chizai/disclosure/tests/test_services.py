"""Partners, agreements (dates, overlaps, review prefill) and disclosures through the gate service."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.disclosure import services
from chizai.disclosure.models import Agreement, Disclosure, Partner
from chizai.disclosure.tests.conftest import disclose, make_asset, make_version

NDA_TEXT = (Path(__file__).parent / "nda_ja.txt").read_bytes()


def test_dates_out_of_order_are_refused_with_a_message(org, owner, partner, today):
    with pytest.raises(ChizaiError, match="expire .* before it takes effect"):
        services.create_agreement(
            owner, org, partner.pk, type="NDA", effective_on=today, expires_on=today - timedelta(days=1)
        )
    with pytest.raises(ChizaiError, match="needs the date it was signed"):
        services.create_agreement(owner, org, partner.pk, type="NDA", status="signed")
    with pytest.raises(ChizaiError, match="in the future"):
        services.create_agreement(
            owner, org, partner.pk, type="NDA", status="signed", signed_on=today + timedelta(days=3)
        )
    assert not Agreement.objects.exists()


def test_overlapping_and_contradictory_agreements_are_named(org, owner, partner, nda, today):
    second, warnings = services.create_agreement(
        owner,
        org,
        partner.pk,
        title="NDA 2",
        type="NDA",
        direction="inbound",
        status="negotiating",
        effective_on=today,
        expires_on=today + timedelta(days=100),
        return_duty="return",
        survival_months=12,
    )
    assert len(warnings) == 1
    text = warnings[0]
    assert f"#{nda.pk}" in text and "秘密保持契約" in text
    assert "same type" in text and "return/destruction" in text and "survival" in text
    _third, warnings = services.create_agreement(
        owner,
        org,
        partner.pk,
        title="試作契約",
        type="PROTO",
        direction="outbound",
        status="signed",
        signed_on=today,
        effective_on=today,
        expires_on=today + timedelta(days=10),
    )
    assert any("NDA 2" in w and "opposite directions" in w for w in warnings)
    # a different partner's agreement is no conflict
    other = services.create_partner(owner, org, name_ja="別商事株式会社")
    _agreement, none = services.create_agreement(owner, org, other.pk, type="NDA", effective_on=today)
    assert none == []


def test_partner_with_disclosures_cannot_be_deleted(org, owner, partner, nda, drawing):
    disclose(owner, org, partner, drawing[1])
    with pytest.raises(ChizaiError, match="disclosure"):
        services.delete_partner(owner, org, partner.pk)
    with pytest.raises(ProtectedError):
        Partner.objects.filter(pk=partner.pk).delete()
    assert Partner.objects.filter(pk=partner.pk).exists()
    empty = services.create_partner(owner, org, name_ja="空商事株式会社")
    services.delete_partner(owner, org, empty.pk)
    assert not Partner.objects.filter(pk=empty.pk).exists()


def test_viewer_cannot_add(org, members, partner):
    with pytest.raises(PermissionDenied):
        services.create_partner(members["viewer"], org, name_ja="X")


def test_uploading_an_agreement_reviews_it_and_prefills_for_confirmation(org, owner, partner):
    agreement, _ = services.create_agreement(
        owner, org, partner.pk, title="NDA draft", type="NDA", status="negotiating"
    )
    agreement = services.attach_file(owner, org, agreement.pk, filename="nda.txt", data=NDA_TEXT)
    assert agreement.review is not None and agreement.review.status == "done"
    s = agreement.suggestions
    assert "見積" in s["purpose"]["value"] and s["purpose_stages"]["value"] == ["quotation", "prototype"]
    assert "役員" in s["permitted_recipients"]["value"]
    assert s["survival_months"]["value"] == 36 and s["term_months"]["value"] == 24
    assert s["return_duty"]["value"] == "return_or_destroy" and s["return_days"]["value"] == 30
    assert s["certificate_required"]["value"] is True
    assert s["direction"]["value"] == "outbound"
    assert s["findings"]["high"] >= 1
    # nothing is applied until a person confirms
    agreement.refresh_from_db()
    assert agreement.purpose == "" and agreement.confirmed_by is None
    agreement, _ = services.confirm_suggestions(
        owner,
        org,
        agreement.pk,
        purpose=s["purpose"]["value"],
        purpose_stages=s["purpose_stages"]["value"],
        survival_months=36,
    )
    assert agreement.confirmed_by == owner and agreement.purpose_stages == ["quotation", "prototype"]
    # the file is stored encrypted and comes back intact
    from django.core.files.storage import default_storage

    with default_storage.open(agreement.file_storage_name, "rb") as handle:
        assert b"\xe7\xa7\x98" not in handle.read()  # no plaintext 秘 in the stored object
    _a, data = services.agreement_file(owner, org, agreement.pk)
    assert data == NDA_TEXT


def test_replacing_the_agreement_file_removes_the_old_object_only_once_the_new_one_is_recorded(
    org, owner, partner, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage
    from django.db import transaction

    from chizai.core import audit

    agreement, _ = services.create_agreement(owner, org, partner.pk, title="NDA", type="NDA")
    first = services.attach_file(owner, org, agreement.pk, filename="v1.txt", data=NDA_TEXT, review=False)
    old = first.file_storage_name

    def broken_record(*args, **kwargs):
        raise RuntimeError("audit store down")

    with monkeypatch.context() as patch:
        patch.setattr(audit, "record", broken_record)
        with pytest.raises(RuntimeError):
            services.attach_file(owner, org, agreement.pk, filename="v2.txt", data=b"second", review=False)
    assert default_storage.exists(old)  # the failed replacement left the signed file alone
    with pytest.raises(RuntimeError), transaction.atomic():  # a caller's transaction that is rolled back
        services.attach_file(owner, org, agreement.pk, filename="v2.txt", data=b"second", review=False)
        raise RuntimeError("the caller's next step failed")
    assert default_storage.exists(old)
    assert services.agreement_file(owner, org, agreement.pk)[1] == NDA_TEXT
    with django_capture_on_commit_callbacks(execute=True):
        second = services.attach_file(owner, org, agreement.pk, filename="v2.txt", data=b"second", review=False)
    assert not default_storage.exists(old) and default_storage.exists(second.file_storage_name)


def test_viewer_reads_terms_but_cannot_take_the_signed_file(org, owner, members, partner):
    agreement, _ = services.create_agreement(owner, org, partner.pk, title="NDA", type="NDA")
    services.attach_file(owner, org, agreement.pk, filename="nda.txt", data=NDA_TEXT, review=False)
    with pytest.raises(PermissionDenied):
        services.agreement_file(members["viewer"], org, agreement.pk)
    assert services.agreement_file(members["engineer"], org, agreement.pk)[1] == NDA_TEXT


def test_disclosure_under_a_valid_nda_passes_and_is_audited(org, owner, partner, nda, drawing):
    d = disclose(owner, org, partner, drawing[1])
    assert d.status == "disclosed" and d.agreement_id == nda.pk
    item = d.items.get()
    assert item.sha256 == drawing[1].sha256 and item.classification == "confidential"
    assert AuditEvent.objects.filter(action="disclosure.create", object_id=str(d.pk)).exists()


def test_refusal_is_kept_audited_and_explained(org, owner, partner, drawing):
    d = disclose(owner, org, partner, drawing[1])
    assert d.status == "refused"
    assert d.gate["failures"][0]["code"] == "agreement_missing"
    assert "トヨ部品" in d.gate["failures"][0]["ja"]
    event = AuditEvent.objects.get(action="disclosure.gate.refused", object_id=str(d.pk))
    assert "no agreement" in event.summary


def test_expired_nda_refusal_names_its_end_date(org, owner, partner, nda, drawing, today):
    Agreement.objects.filter(pk=nda.pk).update(expires_on=today - timedelta(days=1))
    d = disclose(owner, org, partner, drawing[1])
    assert d.status == "refused" and f"expired on {today - timedelta(days=1)}" in d.gate["failures"][0]["en"]


def test_owner_override_is_recorded_with_reason(org, owner, members, partner, drawing):
    d = disclose(members["engineer"], org, partner, drawing[1])
    assert d.status == "refused"
    with pytest.raises(PermissionDenied):
        services.override(members["manager"], org, d.pk, "please")
    with pytest.raises(ChizaiError):
        services.override(owner, org, d.pk, "  ")
    d = services.override(owner, org, d.pk, "NDA signed on paper today; scan to follow")
    assert d.status == "disclosed" and d.is_overridden
    event = AuditEvent.objects.get(action="disclosure.gate.override", object_id=str(d.pk))
    assert "scan to follow" in event.summary and event.changes["waived"][0]["code"] == "agreement_missing"


def test_engineer_cannot_override_at_creation(org, members, partner, drawing):
    with pytest.raises(PermissionDenied):
        disclose(members["engineer"], org, partner, drawing[1], override_reason="x")


def test_secret_needs_owner_approval_and_a_second_person(org, owner, members, partner, nda):
    asset = make_asset(owner, org, classification="secret", title="極秘加工条件")
    version = make_version(owner, org, asset)
    d = disclose(owner, org, partner, version)
    assert d.status == "pending" and [f["code"] for f in d.gate["failures"]] == ["second_person"]
    with pytest.raises(ChizaiError, match="other than the approver"):
        services.confirm_second(owner, org, d.pk)
    d = services.confirm_second(members["manager"], org, d.pk)
    assert d.status == "disclosed" and d.second_person == members["manager"]


def test_manager_approval_does_not_count_as_owner_approval(org, owner, members, partner, nda):
    asset = make_asset(owner, org, classification="secret", title="極秘配合")
    version = make_version(owner, org, asset)
    d = disclose(owner, org, partner, version)
    # the owner created it; a manager approving instead leaves the owner's approval missing
    d = services.approve(members["manager"], org, d.pk)
    assert d.status == "pending" and "owner_approval" in [f["code"] for f in d.gate["failures"]]
    d = services.approve(owner, org, d.pk)
    assert d.status == "pending" and [f["code"] for f in d.gate["failures"]] == ["second_person"]
    with pytest.raises(ChizaiError, match="other than the approver"):
        services.confirm_second(owner, org, d.pk)
    d = services.confirm_second(members["manager"], org, d.pk)
    assert d.status == "disclosed" and d.approver == owner and d.second_person == members["manager"]


def test_oral_disclosure_needs_minutes_and_a_recipient(org, owner, partner, nda, today):
    asset = make_asset(owner, org, title="工程ノウハウ")
    with pytest.raises(ChizaiError, match="minutes"):
        services.create_disclosure(
            owner,
            org,
            partner_id=partner.pk,
            stage="quotation",
            purpose="工場見学",
            disclosed_on=today,
            method="plant_visit",
            asset_ids=[asset.pk],
            recipients=["田中"],
        )
    with pytest.raises(ChizaiError, match="recipient"):
        services.create_disclosure(
            owner,
            org,
            partner_id=partner.pk,
            stage="quotation",
            purpose="x",
            disclosed_on=today,
            method="oral",
            minutes="説明",
            asset_ids=[asset.pk],
            recipients=[],
        )
    d = services.create_disclosure(
        owner,
        org,
        partner_id=partner.pk,
        stage="quotation",
        purpose="工場見学",
        disclosed_on=today,
        method="plant_visit",
        minutes="第2ラインを見学",
        asset_ids=[asset.pk],
        recipients=["田中", "佐藤"],
    )
    assert d.status == "disclosed" and d.recipients.count() == 2


def test_foreign_versions_are_not_found(org, other_org, owner, partner, nda):
    from django.http import Http404

    from chizai.core.tests.factories import MembershipFactory

    from chizai.core.querysets import forget_roles

    MembershipFactory(organization=other_org, user=owner, role="owner")
    forget_roles(owner)
    foreign = make_version(owner, other_org, make_asset(owner, other_org))
    with pytest.raises(Http404):
        disclose(owner, org, partner, foreign)


def test_return_request_sets_due_date_from_agreement(org, owner, partner, nda, drawing, today):
    d = disclose(owner, org, partner, drawing[1])
    d = services.record_return(owner, org, d.pk, return_requested_on=today)
    assert d.return_due_on == today + timedelta(days=30)
    with pytest.raises(ChizaiError, match="before the disclosure"):
        services.record_return(owner, org, d.pk, returned_on=today - timedelta(days=5))
    assert Disclosure.objects.get(pk=d.pk).returned_on is None


def test_suggestions_arrive_when_a_background_review_finishes(org, owner, partner, monkeypatch):
    import chizai.review.services as review_services
    from chizai.core import jobs

    monkeypatch.setattr(review_services, "INLINE_LIMIT_CHARS", 10)  # force the background path
    agreement, _ = services.create_agreement(owner, org, partner.pk, title="NDA long", type="NDA")
    agreement = services.attach_file(owner, org, agreement.pk, filename="nda.txt", data=NDA_TEXT)
    assert agreement.review.status == "queued" and agreement.suggestions == {}
    jobs.execute(agreement.review.job_id)
    agreement = services.refresh_suggestions(owner, org, agreement.pk)
    assert agreement.suggestions["survival_months"]["value"] == 36
    assert Agreement.objects.get(pk=agreement.pk).suggestions["survival_months"]["value"] == 36


@pytest.mark.parametrize("act", ["approve", "confirm_second"])
def test_approving_a_refused_disclosure_says_why_and_changes_nothing(org, owner, members, partner, drawing, act):
    d = disclose(members["engineer"], org, partner, drawing[1])  # no NDA: refused, and no approval can change that
    assert d.status == "refused"
    events_before = AuditEvent.objects.count()
    with pytest.raises(ChizaiError, match="Approval cannot let this disclosure through") as refused:
        getattr(services, act)(owner, org, d.pk)
    assert "NDA" in str(refused.value) or "agreement" in str(refused.value)
    d.refresh_from_db()
    assert d.status == "refused" and d.approver is None and d.second_person is None
    assert AuditEvent.objects.count() == events_before


def test_the_approval_buttons_tell_what_happened(org, owner, members, partner, nda):
    manager = Client(HTTP_ACCEPT_LANGUAGE="en")
    manager.force_login(members["manager"])
    asset = make_asset(owner, org, classification="secret", title="極秘配合")
    first = disclose(owner, org, partner, make_version(owner, org, asset))
    page = manager.post(f"/o/{org.slug}/disclosure/{first.pk}/second/", follow=True).content.decode()
    first.refresh_from_db()
    assert first.status == "disclosed" and "Done: the disclosure is recorded as handed over." in page
    second = disclose(owner, org, partner, make_version(owner, org, asset, name="v2.pdf"))
    second.approver = None
    Disclosure.objects.filter(pk=second.pk).update(approver=None, approved_at=None)
    page = manager.post(f"/o/{org.slug}/disclosure/{second.pk}/approve/", follow=True).content.decode()
    second.refresh_from_db()
    assert second.status == "pending" and "Recorded. It still waits for:" in page
