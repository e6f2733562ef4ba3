"""API specifics beyond the access matrix: create, upload, refusals, search, OpenAPI."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chizai.core import jobs
from chizai.core import services as core_services
from chizai.core.models import Job
from chizai.register.models import Asset, FileVersion


def _client(user):
    _token, secret = core_services.create_api_token(user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_create_upload_download_and_search(org, people):
    client = _client(people["engineer"])
    created = client.post(
        f"/api/orgs/{org.slug}/assets",
        data={"title_ja": "金型の冷却配管ノウハウ", "classification": "confidential", "tags": ["金型"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    asset_id = created.json()["id"]
    upload = client.post(
        f"/api/orgs/{org.slug}/assets/{asset_id}/files",
        {"file": SimpleUploadedFile("cooling.txt", "冷却水の流量は毎分十二リットル".encode())},
    )
    assert upload.status_code == 201, upload.content
    version = upload.json()
    assert version["number"] == 1 and version["stamp"] == "untimestamped"
    body = b"".join(client.get(f"/api/orgs/{org.slug}/assets/versions/{version['id']}/download").streaming_content)
    assert body.decode() == "冷却水の流量は毎分十二リットル"
    for job in Job.objects.filter(kind="register.index", status="queued"):
        jobs.execute(job.pk)
    hits = client.get(f"/api/orgs/{org.slug}/assets/search", {"q": "流量"}).json()
    assert [h["asset_id"] for h in hits] == [asset_id] and hits[0]["file"] == "cooling.txt"
    assert _client(people["viewer"]).get(f"/api/orgs/{org.slug}/assets/search", {"q": "流量"}).json() == []


def test_refusals_are_400_with_a_message_and_store_nothing(org, people):
    client = _client(people["owner"])
    asset = client.post(f"/api/orgs/{org.slug}/assets", data={"title_ja": "x"}, content_type="application/json").json()
    empty = client.post(f"/api/orgs/{org.slug}/assets/{asset['id']}/files", {"file": SimpleUploadedFile("e.txt", b"")})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    joint = client.post(
        f"/api/orgs/{org.slug}/assets", data={"title_ja": "y", "origin": "joint"}, content_type="application/json"
    )
    assert joint.status_code == 400 and "partner_name" in joint.json()["detail"]
    assert FileVersion.objects.count() == 0 and Asset.objects.count() == 1


def test_engineer_cannot_reclassify_through_the_api(org, people):
    owner_client = _client(people["owner"])
    asset = owner_client.post(
        f"/api/orgs/{org.slug}/assets", data={"title_ja": "x"}, content_type="application/json"
    ).json()
    refused = _client(people["engineer"]).post(
        f"/api/orgs/{org.slug}/assets/reclassify",
        data={"asset_ids": [asset["id"]], "classification": "public"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    done = owner_client.post(
        f"/api/orgs/{org.slug}/assets/reclassify",
        data={"asset_ids": [asset["id"]], "classification": "public", "confirm_lowering": True},
        content_type="application/json",
    )
    assert done.json() == {"count": 1} and Asset.objects.get().classification == "public"


def test_openapi_lists_the_register_routes():
    from chizai.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/orgs/{slug}/assets" in paths and "/api/orgs/{slug}/assets/{asset_id}/files" in paths
