"""Lowering an asset's classification on the edit form asks for a confirmation (server-side)
and is recorded as a lowering in the audit chain."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chizai.core import audit
from chizai.core.audit_summaries import render_summary
from chizai.core.models import AuditEvent
from chizai.register.forms import AssetForm
from chizai.register.models import Asset
from chizai.register.tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def _post_data(asset, **changes) -> dict:
    data = {}
    for name, value in {**AssetForm(instance=asset).initial, **changes}.items():
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else (value.isoformat() if hasattr(value, "isoformat") else value)
    return data


@pytest.fixture
def client_(owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    return client


def _edit(client, org, asset, **changes):
    return client.post(reverse("register_edit", args=[org.slug, asset.pk]), _post_data(asset, **changes))


def test_lowering_without_confirmation_saves_nothing_and_asks(client_, org):
    asset = AssetFactory(organization=org, classification="confidential", title_ja="金型温度条件")
    before = AuditEvent.objects.filter(organization=org).count()
    response = _edit(client_, org, asset, classification="internal", title_ja="金型温度条件（改）")
    assert response.status_code == 400
    page = response.content.decode()
    assert "You are lowering the classification from Confidential to Internal" in page
    assert 'name="confirm_lowering"' in page
    asset.refresh_from_db()
    assert asset.classification == "confidential" and asset.title_ja == "金型温度条件"
    assert AuditEvent.objects.filter(organization=org).count() == before


def test_the_question_is_asked_in_japanese_too(owner, org):
    asset = AssetFactory(organization=org, classification="confidential")
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(owner)
    page = _edit(client, org, asset, classification="public").content.decode()
    assert "引き下げ" in page and "You are lowering" not in page


def test_confirmed_lowering_is_saved_and_audited_as_a_lowering(client_, org):
    asset = AssetFactory(organization=org, classification="confidential", title_ja="金型温度条件")
    response = _edit(client_, org, asset, classification="internal", confirm_lowering=True)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.classification == "internal"
    event = AuditEvent.objects.filter(organization=org, action="register.asset.update").get()
    assert event.changes["before"]["classification"] == "confidential"
    assert event.changes["lowered"] == {"confirmed": True}
    assert "classification lowered confidential → internal" in event.summary
    with translation.override("ja"):
        assert "引き下げ" in render_summary(event)
    assert audit.verify(org).ok


def test_raising_or_keeping_the_class_needs_no_confirmation(client_, org):
    asset = AssetFactory(organization=org, classification="internal")
    assert _edit(client_, org, asset, classification="confidential").status_code == 302
    assert Asset.objects.get(pk=asset.pk).classification == "confidential"
    event = AuditEvent.objects.filter(organization=org, action="register.asset.update").get()
    assert "lowered" not in event.changes
