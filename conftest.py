"""Project-wide pytest setup: media in a temporary folder, and the audit triggers.

The Makefile chooses the database (CHIZAI_DATABASE_URL from CHIZAI_TEST_DATABASE_URL) and
CHIZAI_HOME before pytest starts, because pytest-django loads the settings before this file.

The audit table refuses DELETE through database triggers. Transactional tests (live
server, browser) end with a flush that deletes every row, so for those tests the
triggers are dropped just before the flush; every test that uses the database gets
them (re)installed at its start, so they are always in force while a test runs.

Browser tests (tests/e2e/, advisers' walk) get ``browser``: Playwright's sync API driving
Debian's chromium (`playwright install` cannot download browsers here: /usr/bin/chromium or
CHIZAI_CHROMIUM), skipped with the reason when it is missing.
"""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHIZAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

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


@pytest.fixture
def browser(monkeypatch):
    # Function-scoped: Playwright's sync API keeps an event loop running in this thread while
    # it is open, which would make Django refuse database calls in the tests that follow. The
    # ORM calls the test makes meanwhile are still synchronous, so Django's async-safety check
    # is relaxed for browser tests only (monkeypatch is undone after this fixture's teardown).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM:
        pytest.skip("Debian chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (Python) is not installed")
    from django.db import connections

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's loop is this thread's running loop, asgiref gives the thread a
            # second, per-context set of database connections, so the test's own ORM calls
            # (load_demo, …) ran on a connection that the test-database teardown never sees and
            # that kept PostgreSQL from dropping the test database ("being accessed by other
            # users"). The loop is still the running one here: close that set now.
            connections.close_all()


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
