"""Lowering a classification asks first everywhere, not only on the edit form (issue 14): the
register's bulk action, the Excel import and the API refuse an unconfirmed lowering, change
nothing and write no event; confirmed, the change is made and its events say it was confirmed.
Raising a classification needs no confirmation."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from chizai.core import services as core_services
from chizai.core.models import AuditEvent
from chizai.register import excel, services
from chizai.register.models import Asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_pair(org, owner):
    return [
        services.create_asset(owner, org, title_ja="焼入れ条件", classification="secret"),
        services.create_asset(owner, org, title_ja="研削条件", classification="confidential"),
    ]


def _classes(assets):
    return [Asset.objects.get(pk=a.pk).classification for a in assets]


def _events():
    return AuditEvent.objects.filter(action__in=["register.asset.reclassify", "register.asset.update"])


def test_bulk_lowering_asks_first_then_records_the_confirmation(org, owner, secret_pair):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    url = reverse("register_reclassify", args=[org.slug])
    data = {"asset": [a.pk for a in secret_pair], "classification": "internal"}
    asked = client.post(url, data)
    assert asked.status_code == 409
    page = asked.content.decode()
    assert "Lower the classification?" in page and "焼入れ条件" in page and "研削条件" in page
    assert 'name="confirm_lowering" value="1"' in page
    assert _classes(secret_pair) == ["secret", "confidential"] and not _events().exists()

    done = client.post(url, {**data, "confirm_lowering": "1"})
    assert done.status_code == 302
    assert _classes(secret_pair) == ["internal", "internal"]
    assert [e.changes["lowered"] for e in _events()] == [{"confirmed": True}] * 2


def test_bulk_raising_needs_no_confirmation(org, owner, secret_pair):
    assert services.reclassify(owner, org, [secret_pair[1].pk], "secret") == 1
    assert _classes(secret_pair) == ["secret", "secret"]
    assert "lowered" not in _events().get().changes


def test_api_refuses_unconfirmed_lowering(org, owner, secret_pair):
    _token, secret = core_services.create_api_token(owner, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    bulk = f"/api/orgs/{org.slug}/assets/reclassify"
    payload = {"asset_ids": [secret_pair[0].pk], "classification": "public"}
    refused = api.post(bulk, payload, content_type="application/json")
    assert refused.status_code == 409 and "confirm" in refused.json()["detail"]
    one = f"/api/orgs/{org.slug}/assets/{secret_pair[1].pk}"
    assert api.patch(one, {"classification": "internal"}, content_type="application/json").status_code == 409
    assert _classes(secret_pair) == ["secret", "confidential"] and not _events().exists()

    confirmed = {**payload, "confirm_lowering": True}
    assert api.post(bulk, confirmed, content_type="application/json").json() == {"count": 1}
    patched = api.patch(one, {"classification": "internal", "confirm_lowering": True}, content_type="application/json")
    assert patched.status_code == 200
    assert _classes(secret_pair) == ["public", "internal"]
    assert [e.changes["lowered"] for e in _events().order_by("seq")] == [{"confirmed": True}] * 2
    # raising through the API: no confirmation
    assert api.patch(one, {"classification": "secret"}, content_type="application/json").status_code == 200


def _lowered_export(org, owner) -> io.BytesIO:
    book = openpyxl.load_workbook(io.BytesIO(excel.export_register(owner, org)))
    sheet = book.active
    column = excel.COLUMNS.index("classification") + 1
    secret_label = str(dict(Asset.Classification.choices)["secret"])
    internal_label = str(dict(Asset.Classification.choices)["internal"])
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=column).value in ("secret", secret_label):
            sheet.cell(row=row, column=column, value=internal_label)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_excel_import_lowering_needs_the_confirmation_box(org, owner, secret_pair):
    refused = excel.import_register(owner, org, _lowered_export(org, owner))
    assert not refused.ok and refused.lowering
    assert [(column, "焼入れ条件" in message) for _row, column, message in refused.errors] == [("classification", True)]
    assert _classes(secret_pair) == ["secret", "confidential"] and not _events().exists()

    done = excel.import_register(owner, org, _lowered_export(org, owner), confirm_lowering=True)
    assert done.ok and done.updated == 1
    assert _classes(secret_pair) == ["internal", "confidential"]
    assert _events().get().changes["lowered"] == {"confirmed": True}
