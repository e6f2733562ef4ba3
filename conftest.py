"""Project-wide pytest setup: media in a temporary folder, and the audit triggers.

The Makefile chooses the database (CHIZAI_DATABASE_URL from CHIZAI_TEST_DATABASE_URL) and
CHIZAI_HOME before pytest starts, because pytest-django loads the settings before this file.

The audit table refuses DELETE through database triggers. Transactional tests (live
server, browser) end with a flush that deletes every row, so for those tests the
triggers are dropped just before the flush; every test that uses the database gets
them (re)installed at its start, so they are always in force while a test runs.
"""
import pytest

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not (marker or names & DB_FIXTURES):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    from chizai.core.audit_triggers import drop_triggers, install_triggers

    install_triggers(connection)
    yield
    if transactional:
        drop_triggers(connection)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "files"}},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested on its own
    yield


ROLES = ["owner", "manager", "engineer", "viewer"]


@pytest.fixture
def org(db):
    from chizai.core.tests.factories import OrganizationFactory

    return OrganizationFactory(slug="acme")


@pytest.fixture
def other_org(db):
    from chizai.core.tests.factories import OrganizationFactory

    return OrganizationFactory(slug="rival")


@pytest.fixture
def members(org):
    """One user per role in ``org``: {role: user}."""
    from chizai.core.tests.factories import MembershipFactory, UserFactory

    return {role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{role}1")).user for role in ROLES}


@pytest.fixture
def owner(members):
    return members["owner"]
