from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chizai.core import services
from chizai.core.models import AuditEvent, Invitation, Membership
from chizai.core.tests.factories import UserFactory

PASSWORD = "pw-for-tests-123"


def test_argon2_is_the_password_hasher():
    # the test run swaps in a fast hasher; the real settings module must use Argon2 first
    import importlib

    import chizai.settings as real

    importlib.reload(real)
    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_success_is_audited(client, org, owner):
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(organization=org, action="auth.login").get()
    assert event.actor_username == owner.username and event.request_id


def test_wrong_password_gets_a_clear_message_and_is_audited(client, org, owner):
    response = client.post("/login/", {"username": owner.username, "password": "nope"})
    assert response.status_code == 200
    assert "case-sensitive" in response.content.decode() or "大文字" in response.content.decode()
    assert AuditEvent.objects.filter(organization=org, action="auth.login_failed").count() == 1


def test_unknown_user_failure_goes_to_global_chain(client, db):
    client.post("/login/", {"username": "ghost", "password": "nope"})
    assert AuditEvent.objects.filter(chain="global", action="auth.login_failed").count() == 1


def test_lockout_after_repeated_failures(client, org, owner):
    for _ in range(settings.CHIZAI_LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": owner.username, "password": "wrong"})
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(summary__contains="locked").exists()


def test_invitation_link_creates_account_and_membership(org, owner):
    invitation, token = services.invite(owner, org, email="new@example.jp", role="engineer")
    assert invitation.token_hash != token  # only the hash is stored
    client = Client()
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 200
    response = client.post(f"/invite/{token}/", {"username": "newbie", "password1": "Kakou-jouken-42", "password2": "Kakou-jouken-42"})
    assert response.status_code == 302
    assert Membership.objects.get(user__username="newbie", organization=org).role == "engineer"
    again = Client().get(f"/invite/{token}/")
    assert again.status_code == 410 and "already been used" in again.content.decode("utf-8") or "使用" in again.content.decode()


def test_expired_invitation_says_so(org, owner):
    invitation, token = services.invite(owner, org, email="late@example.jp", role="viewer")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/invite/{token}/")
    assert response.status_code == 410
    body = response.content.decode()
    assert "expired" in body or "期限" in body


def test_bad_invitation_token(db):
    response = Client().get("/invite/garbage/")
    assert response.status_code == 410


def test_viewer_cannot_invite(client, org, members):
    client.force_login(members["viewer"])
    response = client.post(f"/o/{org.slug}/members/invite/", {"email": "x@example.jp", "role": "owner"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_manager_cannot_invite_an_owner(org, members):
    with pytest.raises(Exception):
        services.invite(members["manager"], org, email="x@example.jp", role="owner")


def test_api_token_auth_and_revocation(org, owner):
    token, secret = services.create_api_token(owner, name="script")
    client = Client()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer chz_wrong").status_code == 401
    services.revoke_api_token(owner, token)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_owner_grants_and_ends_adviser_access_through_the_web(client, org, owner):
    adviser = UserFactory(username="kensaku")
    client.force_login(owner)
    client.post(f"/o/{org.slug}/engagements/grant/", {"adviser_username": "kensaku", "scope": "診断"})
    adviser_client = Client()
    adviser_client.force_login(adviser)
    assert adviser_client.get(f"/o/{org.slug}/").status_code == 200
    engagement = org.engagements.get()
    client.post(f"/o/{org.slug}/engagements/{engagement.pk}/end/")
    assert adviser_client.get(f"/o/{org.slug}/").status_code == 404
