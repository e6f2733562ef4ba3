"""R8 in disclosure: bad input gets a message and stores nothing; a partner still used by a
deal is kept with "still used by …" (409 in the API, a message on the page), never a 500."""

import json

import pytest
from django.test import Client

from chizai.core import services as core_services
from chizai.core.tests.test_inputs_shared import page_after_post
from chizai.deals import services as deals
from chizai.disclosure import services
from chizai.disclosure.models import Disclosure, Partner


@pytest.fixture
def api(owner):
    _token, secret = core_services.create_api_token(owner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")

    def call(path, body):
        response = client.post(f"/api{path}", data=json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    return call


@pytest.mark.parametrize("name", ["長" * 201, "ト\x00ヨ", "a\u0085b"])
def test_api_refuses_a_partner_name_the_model_cannot_hold(api, org, name):
    status, body = api(f"/orgs/{org.slug}/disclosure/partners", {"name_ja": name})
    assert status == 422 and "name_ja" in str(body["detail"])
    assert not Partner.objects.exists()


def test_api_refuses_oversize_recipients_and_descriptions(api, org, partner):
    base = {
        "partner": partner.pk,
        "stage": "quotation",
        "purpose": "見積\nのため",
        "disclosed_on": "2026-11-01",
        "descriptions": ["試作品"],
        "recipients": ["田中"],
        "method": "sample",
        "minutes": "説明した\n以上",
    }
    for field, value in (("recipients", ["田" * 121]), ("descriptions", ["x" * 301]), ("recipients", ["a\tb"])):
        status, body = api(f"/orgs/{org.slug}/disclosure/disclosures", {**base, field: value})
        assert status == 422 and field in str(body["detail"]), (field, body)
    assert not Disclosure.objects.exists()
    status, _body = api(f"/orgs/{org.slug}/disclosure/disclosures", base)
    assert status == 200 and Disclosure.objects.get().minutes == "説明した\n以上"


def test_partner_used_by_a_deal_is_kept_with_a_message(client, org, owner, partner):
    deals.create_deal(owner, org, partner=partner, title="共同開発", kind="joint_rd")
    with pytest.raises(services.ChizaiError, match="still used by deals"):
        services.delete_partner(owner, org, partner.pk)
    page = page_after_post(client, owner, f"/o/{org.slug}/disclosure/partners/{partner.pk}/delete/")
    assert "still used by deals (1)" in page
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_partner_form_refuses_control_characters(client, org, owner):
    client.force_login(owner)
    page = client.post(
        f"/o/{org.slug}/disclosure/partners/new/",
        {"name_ja": "ト\x1bヨ", "kind": "tier1", "country": "日本"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "control character" in page.content.decode() and not Partner.objects.exists()


def test_web_disclosure_form_refuses_a_recipient_name_too_long_and_keeps_the_input(client, org, owner, partner, today):
    client.force_login(owner)
    long_name = "田" * 121
    page = client.post(
        f"/o/{org.slug}/disclosure/new/",
        {
            "partner": partner.pk,
            "stage": "quotation",
            "purpose": "見積のため",
            "method": "sample",
            "disclosed_on": today.isoformat(),
            "description": "試作品",
            "minutes": "説明した",
            "recipients": f"鈴木\n{long_name}",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = page.content.decode()
    assert "At most 120 characters" in body and long_name in body and "見積のため" in body
    assert not Disclosure.objects.exists()
