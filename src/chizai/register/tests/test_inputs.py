"""R8 in the register: bad input is refused with a message (never a 500), and old rows with a
NUL no longer break the organisation's Excel export; a referenced asset is not deleted."""

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from chizai.api import api
from chizai.core import services as core_services
from chizai.core.tests.test_inputs_shared import page_after_post, stored_control
from chizai.disclosure import services as disclosure
from chizai.register import services
from chizai.register.models import Asset


def _api(user):
    _token, secret = core_services.create_api_token(user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("title", ["図面\x00A", "a\x1bb", "two\nlines", "x" * 201])
def test_api_refuses_a_title_the_model_cannot_hold(org, owner, title):
    response = _api(owner).post(
        f"/api/orgs/{org.slug}/assets", data={"title_ja": title}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert "title_ja" in str(response.json()["detail"])
    assert not Asset.objects.exists()


def test_api_message_is_translated(org, owner):
    client = _api(owner)
    response = client.post(
        f"/api/orgs/{org.slug}/assets",
        data={"title_ja": "図面\x00A"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert "制御文字" in str(response.json()["detail"])


def test_api_keeps_line_breaks_in_multi_line_text_and_refuses_too_many_tags(org, owner):
    client = _api(owner)
    ok = client.post(
        f"/api/orgs/{org.slug}/assets",
        data={"title_ja": "t", "description": "一行目\n\t二行目"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and Asset.objects.get().description == "一行目\n\t二行目"
    patch = client.patch(
        f"/api/orgs/{org.slug}/assets/{ok.json()['id']}", data={"title_en": "\x00"}, content_type="application/json"
    )
    assert patch.status_code == 422
    tags = client.post(
        f"/api/orgs/{org.slug}/assets", data={"title_ja": "t", "tags": ["\x07"]}, content_type="application/json"
    )
    assert tags.status_code == 422


def test_openapi_states_the_model_limits():
    schema = api.get_openapi_schema()["components"]["schemas"]["AssetIn"]["properties"]
    assert schema["title_ja"]["maxLength"] == 200 and schema["partner_name"]["maxLength"] == 200


def test_web_form_refuses_control_characters_and_keeps_the_input(client, org, owner):
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/register/new/",
        {
            "title_ja": "図面\x1bA",
            "kind": "drawing",
            "origin": "background",
            "classification": "internal",
            "protection_strategy": "undecided",
            "business_value": "medium",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in (200, 400)
    assert "control character" in response.content.decode() and not Asset.objects.exists()


def test_export_survives_a_nul_stored_before_input_was_checked(client, org, owner):
    asset = services.create_asset(owner, org, title_ja="図面A", description="=cmd|' /C calc'!A0")
    Asset.objects.filter(pk=asset.pk).update(title_ja=f"図面{stored_control()}A")
    client.force_login(owner)
    response = client.get(f"/o/{org.slug}/register/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    row = [c.value for c in sheet[2]]
    assert "図面A" in row and "'=cmd|' /C calc'!A0" in row


def test_deleting_an_asset_still_disclosed_answers_409_and_a_message(client, org, owner):
    asset = services.create_asset(owner, org, title_ja="金型図面", classification="internal")
    partner = disclosure.create_partner(owner, org, name_ja="相手先")
    disclosure.create_disclosure(
        owner,
        org,
        partner_id=partner.pk,
        stage="quotation",
        purpose="p",
        disclosed_on=timezone.localdate(),
        asset_ids=[asset.pk],
        recipients=["a"],
        method="oral",
        minutes="m",
    )
    response = _api(owner).delete(f"/api/orgs/{org.slug}/assets/{asset.pk}")
    assert response.status_code == 409 and "still used by disclosed items (1)" in response.json()["detail"]
    assert "still used by" in page_after_post(client, owner, f"/o/{org.slug}/register/{asset.pk}/delete/")
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_reclassify_with_ids_that_are_not_numbers_answers_with_a_message(client, org, owner):
    client.force_login(owner)
    page = client.post(
        f"/o/{org.slug}/register/reclassify/",
        {"asset": ["²", "abc"], "classification": "public"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "Tick at least one asset" in page.content.decode()


@pytest.mark.parametrize(("language", "words"), [("en", "empty"), ("ja", "空")])
def test_an_empty_upload_is_named_as_empty_not_as_a_missing_file(org, owner, language, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    asset = services.create_asset(owner, org, title_ja="冷却条件")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/upload/", {"file": SimpleUploadedFile("zero.pdf", b"")}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200 and words in html
    assert "Choose a file" not in html and "ファイルを選択" not in html
    assert not asset.files.exists()
