import pytest
from django.test import Client


@pytest.mark.parametrize("role", ["owner", "manager", "engineer", "viewer"])
def test_core_pages_render_for_every_role(org, members, role):
    client = Client()
    client.force_login(members[role])
    for path in [
        "/",
        f"/o/{org.slug}/",
        f"/o/{org.slug}/members/",
        f"/o/{org.slug}/register/",
        f"/o/{org.slug}/reviews/",
        f"/o/{org.slug}/disclosure/",
        f"/o/{org.slug}/deals/",
        "/account/tokens/",
        "/account/password/",
    ]:
        response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)


def test_audit_page_filters_and_exports(client, org, owner):
    from chizai.core import services

    services.update_organization(owner, org, industry="金型")
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/audit/?action=organization")
    assert page.status_code == 200 and "organization.update" in page.content.decode()
    none = client.get(f"/o/{org.slug}/audit/?action=zzz")
    assert "organization.update" not in none.content.decode()
    export = client.get(f"/o/{org.slug}/audit.csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and "organization.update" in body and body.splitlines()[0].startswith("seq,")


def test_security_headers(client, db):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_password_change(client, org, owner):
    client.force_login(owner)
    response = client.post(
        "/account/password/",
        {
            "old_password": "pw-for-tests-123",
            "new_password1": "Kanagata-Zumen-77",
            "new_password2": "Kanagata-Zumen-77",
        },
    )
    assert response.status_code == 302
    assert Client().login(username=owner.username, password="Kanagata-Zumen-77")


def test_csrf_is_enforced(org, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/o/{org.slug}/members/invite/", {"email": "x@example.jp", "role": "viewer"})
    assert response.status_code == 403


def test_foreign_organisation_in_url_is_404_not_403(client, org, other_org, owner):
    client.force_login(owner)
    assert client.get(f"/o/{other_org.slug}/").status_code == 404
    assert client.get("/o/does-not-exist/").status_code == 404


def test_id_beyond_the_database_range_is_404(client, org, owner):
    client.force_login(owner)
    assert client.get(f"/o/{org.slug}/jobs/99999999999999999999999/").status_code == 404
    _token, secret = __import__("chizai.core.services", fromlist=["x"]).create_api_token(owner, name="t")
    assert client.get("/api/jobs/99999999999999999999999", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
