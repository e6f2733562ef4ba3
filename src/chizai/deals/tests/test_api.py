"""The deals API: create, drafts and their changes, one-click points, status moves."""

import json

import pytest
from django.test import Client

from chizai.core import services as core_services

from .conftest import DRAFT_1, DRAFT_2


@pytest.fixture
def api(members):
    def make(role):
        _token, secret = core_services.create_api_token(members[role], name="t")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

        def call(method, path, body=None):
            response = client.generic(
                method, f"/api{path}", data=json.dumps(body or {}), content_type="application/json"
            )
            return response.status_code, (response.json() if response.content else None)

        return call

    return make


def test_deal_lifecycle_over_the_api(api, org, fake_engine):
    call = api("engineer")
    status, deal = call("POST", f"/orgs/{org.slug}/deals", {"title": "共同開発", "new_partner": "東海オートパーツ"})
    assert (
        status == 201
        and deal["partner"] == "東海オートパーツ"
        and deal["shares"] == {"ours": "0.5000", "theirs": "0.5000"}
    )
    base = f"/orgs/{org.slug}/deals/{deal['id']}"
    assert call("POST", f"{base}/drafts", {"text": DRAFT_1})[0] == 201
    status, detail = call("POST", f"{base}/drafts", {"text": DRAFT_2})
    assert [d["number"] for d in detail["drafts"]] == [1, 2]
    status, changes = call("GET", f"{base}/changes")
    assert [f["rule_id"] for f in changes[0]["diff"]["appeared"]] == ["JRD-09"]
    review = detail["drafts"][1]["review"]
    status, point = call("POST", f"{base}/points/from-finding", {"review": review, "index": 0})
    assert status == 201
    status, again = call("POST", f"{base}/points/from-finding", {"review": review, "index": 0})
    assert status == 200 and again["id"] == point["id"]
    status, body = call("POST", f"{base}/points/{point['id']}/status", {"status": "agreed"})
    assert status == 422  # no agreed wording
    status, body = call(
        "POST", f"{base}/points/{point['id']}/status", {"status": "agreed", "agreed_wording": "成果は共有"}
    )
    assert status == 200 and body["status"] == "agreed"
    assert call("GET", f"/orgs/{org.slug}/deals")[1][0]["title"] == "共同開発"


def test_viewer_reads_but_cannot_write(api, org, deal):
    call = api("viewer")
    assert call("GET", f"/orgs/{org.slug}/deals/{deal.pk}")[0] == 200
    assert call("POST", f"/orgs/{org.slug}/deals", {"title": "x", "new_partner": "y"})[0] == 404
    assert call("POST", f"/orgs/{org.slug}/deals/{deal.pk}/drafts", {"text": DRAFT_1})[0] == 404
