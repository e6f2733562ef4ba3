"""Every cell of the role × classification table, through the web and through the API.

EXPECTED is written out here on purpose, apart from register.access: the first test
checks that the code's table says the same, the others that both fronts obey it.
"""

import io

import pytest
from django.test import Client

from chizai.core import services as core_services
from chizai.core.models import AuditEvent
from chizai.register import access, services
from chizai.register.models import AssetGrant, Holder

M, T, D, E = "meta", "text", "download", "edit"
EXPECTED = {
    # role:      public          internal        confidential    secret (not named)   secret (named)
    "owner": ({M, T, D, E}, {M, T, D, E}, {M, T, D, E}, {M, T, D, E}, {M, T, D, E}),
    "manager": ({M, T, D, E}, {M, T, D, E}, {M, T, D, E}, set(), {M, T, D, E}),
    "engineer": ({M, T, D, E}, {M, T, D, E}, {M, T, D, E}, set(), {M, T, D, E}),
    "viewer": ({M, T}, {M}, set(), set(), {M, T}),
    "adviser": ({M, T}, {M}, {M}, set(), set()),
}
CELLS = [
    (role, cls, named)
    for role in EXPECTED
    for cls, named in [
        ("public", False),
        ("internal", False),
        ("confidential", False),
        ("secret", False),
        ("secret", True),
    ]
]
TEXT_MARKER = "本文マーカー-Q9"


def _expected(role, classification, named):
    index = ["public", "internal", "confidential", "secret"].index(classification) + (1 if named else 0)
    return EXPECTED[role][index]


def test_code_table_matches_the_written_expectation():
    for role, cls, named in CELLS:
        assert set(access.capabilities(role, cls, named)) == _expected(role, cls, named), (role, cls, named)


@pytest.fixture
def world(org, people):
    """An asset with one file for the cell under test, named on the user when asked."""

    def make(role, classification, named):
        asset = services.create_asset(
            people["owner"],
            org,
            title_ja=f"{classification}の資産",
            classification=classification,
            description=f"{TEXT_MARKER} {classification}",
        )
        version = services.upload_version(people["owner"], org, asset.pk, io.BytesIO(b"file body"), name="f.txt")
        if named:
            # Advisers cannot be granted through the service, so name them as holders directly:
            # the rule must hold however the name got there.
            if role == "adviser":
                Holder.objects.create(organization=org, asset=asset, user=people[role], name="adviser")
            else:
                AssetGrant.objects.get_or_create(organization=org, asset=asset, user=people[role])
        return asset, version

    return make


@pytest.mark.parametrize("role,classification,named", CELLS)
def test_web_cell(org, people, world, role, classification, named):
    asset, version = world(role, classification, named)
    client = Client()
    client.force_login(people[role])
    expected = _expected(role, classification, named)
    base = f"/o/{org.slug}/register"

    page = client.get(f"{base}/{asset.pk}/")
    assert (page.status_code == 200) == (M in expected), page.status_code
    if page.status_code == 200:
        assert (TEXT_MARKER in page.content.decode()) == (T in expected)
    listing = client.get(f"{base}/").content.decode()
    assert (f"{base}/{asset.pk}/" in listing) == (M in expected)

    download = client.get(f"{base}/versions/{version.pk}/download/")
    assert (download.status_code == 200) == (D in expected), download.status_code
    if download.status_code == 200:
        assert b"".join(download.streaming_content) == b"file body"
        assert download["Content-Disposition"].startswith("attachment")

    response = client.post(
        f"{base}/{asset.pk}/edit/",
        {
            "title_ja": "変更後",
            "kind": "know_how",
            "origin": "background",
            "classification": classification,
            "protection_strategy": "undecided",
            "business_value": "medium",
            "description": "x",
        },
    )
    asset.refresh_from_db()
    assert (asset.title_ja == "変更後") == (E in expected), response.status_code
    if E not in expected:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("role,classification,named", CELLS)
def test_api_cell(org, people, world, role, classification, named):
    asset, version = world(role, classification, named)
    _token, secret = core_services.create_api_token(people[role], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    expected = _expected(role, classification, named)
    base = f"/api/orgs/{org.slug}/assets"

    assert (client.get(f"{base}/{asset.pk}").status_code == 200) == (M in expected)
    listed = [a["id"] for a in client.get(base).json()["items"]]
    assert (asset.pk in listed) == (M in expected)
    text = client.get(f"{base}/{asset.pk}/text")
    assert (text.status_code == 200) == (T in expected)
    if text.status_code == 200:
        assert TEXT_MARKER in text.json()["description"]
    download = client.get(f"{base}/versions/{version.pk}/download")
    assert (download.status_code == 200) == (D in expected)
    patch = client.patch(f"{base}/{asset.pk}", data={"title_ja": "API変更"}, content_type="application/json")
    assert (patch.status_code == 200) == (E in expected), patch.content
    asset.refresh_from_db()
    assert (asset.title_ja == "API変更") == (E in expected)


@pytest.mark.parametrize(
    "classification,audited", [("public", False), ("internal", False), ("confidential", True), ("secret", True)]
)
def test_content_reads_of_confidential_and_secret_are_audited(org, people, classification, audited):
    asset = services.create_asset(people["owner"], org, title_ja="読む", classification=classification)
    client = Client()
    client.force_login(people["owner"])
    assert client.get(f"/o/{org.slug}/register/{asset.pk}/").status_code == 200
    _token, secret = core_services.create_api_token(people["owner"], name="t")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"/api/orgs/{org.slug}/assets/{asset.pk}/text").status_code
        == 200
    )
    assert AuditEvent.objects.filter(action="register.asset.read", object_id=str(asset.pk)).count() == (
        2 if audited else 0
    )


def test_every_web_and_api_download_is_audited(org, people):
    asset = services.create_asset(people["owner"], org, title_ja="図面", classification="public")
    version = services.upload_version(people["owner"], org, asset.pk, io.BytesIO(b"abc"), name="a.txt")
    client = Client()
    client.force_login(people["engineer"])
    b"".join(client.get(f"/o/{org.slug}/register/versions/{version.pk}/download/").streaming_content)
    _token, secret = core_services.create_api_token(people["engineer"], name="t")
    Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"/api/orgs/{org.slug}/assets/versions/{version.pk}/download")
    events = AuditEvent.objects.filter(action="register.version.download", object_id=str(version.pk))
    assert [e.actor_username for e in events] == ["engineer1", "engineer1"]


def test_security_doc_shows_the_register_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[4] / "docs" / "security.md").read_text(encoding="utf-8")
    for role, classification, text in access.table_rows():
        assert f"| {role} | {classification} | {text} |" in doc, (
            f"docs/security.md lacks: {role} {classification} {text}"
        )
