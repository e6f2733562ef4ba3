import pytest

from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory

ROLES = ["owner", "manager", "engineer", "viewer"]


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(slug="rival")


@pytest.fixture
def members(org):
    """One user per role in ``org``: {role: user}."""
    return {role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{role}1")).user for role in ROLES}


@pytest.fixture
def owner(members):
    return members["owner"]
