"""The new-disclosure form's type-to-search picker: its JSON answers only what the user may
disclose (through the access helper), and the form still works as checkboxes without JavaScript."""

import pytest
from django.test import Client
from django.urls import reverse

from chizai.register.tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _pick(client, org, kind="assets", q=""):
    return client.get(reverse("disclosure_picker", args=[org.slug, kind]), {"q": q})


def test_picker_answers_only_what_the_user_may_disclose(org, other_org, members):
    AssetFactory(organization=org, title_ja="切削条件 社内", classification="internal")
    AssetFactory(organization=org, title_ja="切削条件 極秘", classification="secret")
    AssetFactory(organization=other_org, title_ja="切削条件 他社", classification="public")
    AssetFactory(organization=org, title_ja="塗装手順", classification="internal")
    labels = [row["label"] for row in _pick(_client(members["engineer"]), org, q="切削").json()["results"]]
    assert labels == ["切削条件 社内 (Internal)"]  # not the unnamed secret one, not the other company's
    everything = [row["label"] for row in _pick(_client(members["engineer"]), org).json()["results"]]
    assert len(everything) == 2 and all("他社" not in label for label in everything)
    assert _pick(_client(members["engineer"]), org, kind="versions").json() == {"results": []}


def test_several_words_narrow_and_unknown_list_is_404(org, members):
    AssetFactory(organization=org, title_ja="切削条件 チタン", title_en="Titanium cutting")
    AssetFactory(organization=org, title_ja="切削条件 アルミ", title_en="Aluminium cutting")
    client = _client(members["owner"])
    assert [r["label"] for r in _pick(client, org, q="切削 titanium").json()["results"]] == [
        "切削条件 チタン (Internal)"
    ]
    assert _pick(client, org, kind="partners").status_code == 404


def test_viewer_may_not_use_the_picker(org, members):
    assert _pick(_client(members["viewer"]), org).status_code in (403, 404)


def test_form_without_javascript_offers_checkboxes_and_loads_the_picker(org, members):
    asset = AssetFactory(organization=org, title_ja="金型図面", classification="internal")
    page = _client(members["owner"]).get(reverse("disclosure_new", args=[org.slug])).content.decode()
    assert f'type="checkbox" name="assets" value="{asset.pk}"' in page
    assert 'data-picker="assets"' in page and "chizai/picker.js" in page and "chizai/lists.css" in page
