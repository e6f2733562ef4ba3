"""R8 in deals: oversize or control-character input is refused with a message, posted ids that
are not numbers never cause a server error, and old rows with a NUL still export."""

import io
import json
from decimal import Decimal

import docx
import pytest
from django.test import Client

from chizai.core import services as core_services
from chizai.core.tests.test_inputs_shared import stored_control
from chizai.deals import export, services
from chizai.deals.models import ConsiderationItem, Deal
from chizai.disclosure.models import Partner


@pytest.fixture
def api(members):
    _token, secret = core_services.create_api_token(members["owner"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")

    def call(path, body):
        response = client.post(f"/api{path}", data=json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    return call


def test_api_refuses_a_partner_name_longer_than_the_form_allows(api, org):
    status, body = api(f"/orgs/{org.slug}/deals", {"title": "共同開発", "new_partner": "長" * 5003})
    assert status == 422 and "new_partner" in str(body["detail"]) and "200" in str(body["detail"])
    assert not Partner.objects.exists() and not Deal.objects.exists()


@pytest.mark.parametrize("title", ["共同\x00開発", "a\x7fb"])
def test_api_refuses_control_characters(api, org, title):
    status, body = api(f"/orgs/{org.slug}/deals", {"title": title, "new_partner": "相手"})
    assert status == 422 and "control character" in str(body["detail"])
    assert not Deal.objects.exists()


def test_non_numeric_ids_in_web_posts_answer_with_a_message(client, org, owner, deal):
    client.force_login(owner)
    base = f"/o/{org.slug}/deals/{deal.pk}"
    for path, data in (
        (f"{base}/assets/", {"assets": ["abc"]}),
        (f"{base}/disclosures/", {"disclosures": ["1x"]}),
        (f"{base}/assets/", {"assets": ["99999999999999999999999"]}),
    ):
        response = client.post(path, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and "is not a valid choice" in response.content.decode(), path
    assert client.post(f"{base}/points/from-finding/", {"review": "abc", "index": "0"}).status_code == 404
    assert client.post(f"{base}/points/from-finding/", {"review": "1e5", "index": "x"}).status_code == 404


def test_web_deal_form_refuses_control_characters(client, org, owner, partner):
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/deals/",
        {"title": "共同\x1b開発", "partner": partner.pk, "kind": "joint_rd", "stage": "preparing"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "control character" in response.content.decode() and not Deal.objects.exists()


def test_annex_exports_survive_a_nul_stored_before_input_was_checked(deal, owner):
    services.add_item(
        owner,
        deal,
        category="knowledge",
        item_kind="know_how",
        title="加工ノウハウ",
        method="lump_sum",
        amount_yen=Decimal(800_000),
    )
    ConsiderationItem.objects.filter(deal=deal).update(title=f"加工{stored_control()}ノウハウ")
    Deal.objects.filter(pk=deal.pk).update(title=f"樹脂{stored_control()}ギア")
    deal.refresh_from_db()
    body, _ctype, _name = export.export_annex(owner, deal, lang="ja", fmt="docx")
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "加工ノウハウ" in cells
    assert export.export_annex(owner, deal, lang="en", fmt="pdf")[0].startswith(b"%PDF")
    assert export.export_brief(owner, deal, lang="ja")[0].startswith(b"%PDF")
