from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
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
    response = client.post(
        f"/invite/{token}/", {"username": "newbie", "password1": "Kakou-jouken-42", "password2": "Kakou-jouken-42"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="newbie", organization=org).role == "engineer"
    again = Client().get(f"/invite/{token}/")
    assert (
        again.status_code == 410
        and "already been used" in again.content.decode("utf-8")
        or "使用" in again.content.decode()
    )


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
    with pytest.raises(PermissionDenied):
        services.invite(members["manager"], org, email="x@example.jp", role="owner")
    assert not Invitation.objects.exists()


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


# --- one spelling per user name (issue 11 R4, R8) -------------------------------------------


@pytest.mark.parametrize("spelling", [" viewer1", "viewer1 ", "ｖｉｅｗｅｒ１", "VIEWER1", "Ｖiewer1", "\u3000viewer1"])
def test_lockout_holds_for_every_spelling_of_the_name(client, members, spelling):
    for _ in range(settings.CHIZAI_LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": "viewer1", "password": "wrong"})
    response = client.post("/login/", {"username": spelling, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_under_other_spellings_count_towards_the_same_lockout(client, members):
    spellings = [" viewer1", "ｖｉｅｗｅｒ１", "Viewer1", "VIEWER1 ", "viewer1"]
    assert len(spellings) == settings.CHIZAI_LOGIN_MAX_FAILURES
    for spelling in spellings:
        client.post("/login/", {"username": spelling, "password": "wrong"})
    response = client.post("/login/", {"username": "viewer1", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize("spelling", ["ＶＩＥＷＥＲ１", " Viewer1 "])
def test_any_spelling_of_the_name_logs_in(client, members, spelling):
    response = client.post("/login/", {"username": spelling, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == members["viewer"].pk


@pytest.mark.parametrize(
    "username, english, japanese",
    [
        ("a" * 100_000, "at most 150 characters", "150文字"),
        ("vie\x00wer1", "control characters", "制御文字"),
        ("viewer1\n", "control characters", "制御文字"),
    ],
    ids=["100000-characters", "NUL", "line-break"],
)
def test_absurd_user_names_get_400_and_a_translated_message(members, username, english, japanese):
    for language, expected in (("en", english), ("ja", japanese)):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        response = client.post("/login/", {"username": username, "password": PASSWORD})
        assert response.status_code == 400
        assert expected in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_new_accounts_are_stored_under_the_normalised_name(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=" Ｔａｎａｋａ ", password=PASSWORD)
    assert user.username == "tanaka"
    assert get_user_model().objects.get(pk=user.pk).username == "tanaka"


def test_invitation_sign_up_stores_the_normalised_name_and_refuses_another_spelling(org, owner):
    _inv, token = services.invite(owner, org, email="new@example.jp", role="engineer")
    response = Client().post(
        f"/invite/{token}/", {"username": "ＳＡＴＯ", "password1": "Kakou-jouken-42", "password2": "Kakou-jouken-42"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="sato", organization=org).role == "engineer"
    _inv, token = services.invite(owner, org, email="other@example.jp", role="engineer")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/invite/{token}/", {"username": " Sato", "password1": "Kakou-jouken-42", "password2": "Kakou-jouken-42"}
    )
    assert response.status_code == 200 and "taken" in response.content.decode()


def test_createsuperuser_stores_the_normalised_name(db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("createsuperuser", username="Admin", email="admin@example.jp", interactive=False, verbosity=0)
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()


def test_migration_normalises_existing_names_and_leaves_collisions_loggable(client, db, capsys):
    import importlib

    from django.apps import apps as django_apps
    from django.contrib.auth import get_user_model

    User = get_user_model()
    legacy = UserFactory(username="legacy1")
    twin_a, twin_b = UserFactory(username="ito1"), UserFactory(username="ito2")
    User.objects.filter(pk=legacy.pk).update(username=" Legacy ")  # as stored before normalisation
    User.objects.filter(pk=twin_a.pk).update(username="Ito")
    twin_a.set_password("another-password-42")
    twin_a.save(update_fields=["password"])
    User.objects.filter(pk=twin_b.pk).update(username="ito")
    migration = importlib.import_module("chizai.core.migrations.0004_normalise_usernames")
    migration.normalise_existing(django_apps, None)
    assert User.objects.get(pk=legacy.pk).username == "legacy"
    assert {User.objects.get(pk=twin_a.pk).username, User.objects.get(pk=twin_b.pk).username} == {"Ito", "ito"}
    assert "'Ito'" in capsys.readouterr().out
    response = client.post("/login/", {"username": "Ito", "password": "another-password-42"})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == twin_a.pk


def test_an_adviser_is_found_under_any_spelling_of_the_name(client, org, owner):
    adviser = UserFactory(username="kensaku2")
    client.force_login(owner)
    client.post(f"/o/{org.slug}/engagements/grant/", {"adviser_username": " ＫＥＮＳＡＫＵ2", "scope": "診断"})
    assert org.engagements.get().adviser == adviser
