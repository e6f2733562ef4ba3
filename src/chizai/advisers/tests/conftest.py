"""A support organisation, its adviser, and client companies reached through engagements."""

import pytest

from chizai.core import services as core_services
from chizai.core.models import Organization
from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def support(db):
    return OrganizationFactory(slug="chubu-support", kind=Organization.Kind.SUPPORT, name_ja="中部支援センター")


@pytest.fixture
def adviser(support):
    """Acts as an adviser from the support organisation (role engineer there: advisers.work)."""
    return MembershipFactory(organization=support, role="engineer", user=UserFactory(username="adv1")).user


@pytest.fixture
def coordinator(support):
    """The support organisation's manager: publishes weights, sees network figures."""
    return MembershipFactory(organization=support, role="manager", user=UserFactory(username="coord1")).user


def make_client(slug, prefecture="岐阜県", industry="金型", owner_name=None):
    client = OrganizationFactory(slug=slug, prefecture=prefecture, industry=industry, name_ja=f"{slug}株式会社")
    owner = MembershipFactory(
        organization=client, role="owner", user=UserFactory(username=owner_name or f"own-{slug}")
    ).user
    return client, owner


def engage(client, owner, adviser, support):
    return core_services.grant_engagement(owner, client, adviser, adviser_organization=support, scope="診断")


@pytest.fixture
def client_org(support, adviser):
    client, owner = make_client("client-a")
    client.test_owner = owner
    client.test_engagement = engage(client, owner, adviser, support)
    return client


@pytest.fixture
def stranger_org(db):
    """A company that has granted this adviser nothing."""
    client, owner = make_client("stranger-co", prefecture="長野県")
    client.test_owner = owner
    return client
