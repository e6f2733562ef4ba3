import base64
import os

import pytest

from chizai.core.tests.factories import EngagementFactory, MembershipFactory, OrganizationFactory, UserFactory

ROLES = ["owner", "manager", "engineer", "viewer"]


@pytest.fixture(autouse=True)
def _master_key(monkeypatch):
    """A fixed master key per test, so key-handling tests can swap it knowingly."""
    monkeypatch.setenv("CHIZAI_MASTER_KEY", base64.b64encode(b"k" * 32).decode())
    monkeypatch.delenv("CHIZAI_MASTER_KEY_FILE", raising=False)
    monkeypatch.delenv("CHIZAI_MASTER_KEYS_OLD", raising=False)
    monkeypatch.delenv("CHIZAI_TSA_URL", raising=False)
    monkeypatch.delenv("CHIZAI_TSA_CA_FILE", raising=False)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; a request earlier in the thread may have switched to ja."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="acme")


@pytest.fixture
def people(org):
    """One user per role in ``org`` plus an adviser with an active engagement: {role: user}."""
    users = {
        role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{role}1")).user
        for role in ROLES
    }
    adviser = UserFactory(username="adviser1")
    EngagementFactory(organization=org, adviser=adviser, granted_by=users["owner"])
    users["adviser"] = adviser
    return users


@pytest.fixture
def owner(people):
    return people["owner"]


@pytest.fixture
def storage_dir(settings):
    return settings.STORAGES["default"]["OPTIONS"]["location"]


def random_bytes(n: int) -> bytes:
    return os.urandom(n)
