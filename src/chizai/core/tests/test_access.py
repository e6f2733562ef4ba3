from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chizai.core import permissions, services
from chizai.core.models import AuditEvent, Membership, Organization
from chizai.core.tests.factories import EngagementFactory, MembershipFactory, UserFactory


def test_matrix_roles_are_known():
    assert set(permissions.ROLE_PERMISSIONS) == set(permissions.ROLES)
    assert permissions.allowed("owner", "core", "manage_engagements")
    assert not permissions.allowed("manager", "core", "manage_engagements")
    assert not permissions.allowed("viewer", "register", "add")
    assert not permissions.allowed(None, "core", "view")


def test_restrict_follows_membership(org, other_org, members):
    outsider = MembershipFactory(organization=other_org, role="owner").user
    assert list(Organization.objects.restrict(members["viewer"], "view")) == [org]
    assert list(Organization.objects.restrict(outsider, "view")) == [other_org]
    assert Membership.objects.restrict(outsider).filter(organization=org).count() == 0
    assert Membership.objects.restrict(members["viewer"]).filter(organization=org).count() == 4


def test_audit_visible_to_owner_and_manager_only(org, members):
    services.update_organization(members["owner"], org, industry="金型")
    for role, expected in {"owner": True, "manager": True, "engineer": False, "viewer": False}.items():
        assert AuditEvent.objects.restrict(members[role], "view").filter(organization=org).exists() is expected


def test_adviser_sees_only_with_active_engagement(org, owner):
    adviser = UserFactory(username="adv")
    assert not Organization.objects.restrict(adviser).exists()
    engagement = services.grant_engagement(owner, org, adviser, scope="diagnostic")
    assert list(Organization.objects.restrict(adviser)) == [org]
    services.end_engagement(owner, org, engagement)
    adviser = type(adviser).objects.get(pk=adviser.pk)  # a fresh request
    assert not Organization.objects.restrict(adviser).exists()


def test_ending_an_engagement_cuts_access_at_once_in_the_same_object(org, owner):
    adviser = UserFactory(username="adv2")
    engagement = services.grant_engagement(owner, org, adviser)
    assert Organization.objects.restrict(adviser).exists()
    engagement.adviser = adviser  # same instance the request holds
    services.end_engagement(owner, org, engagement)
    assert not Organization.objects.restrict(adviser).exists()


def test_expired_or_future_engagement_gives_nothing(org):
    adviser = UserFactory(username="adv3")
    EngagementFactory(organization=org, adviser=adviser, ends_at=timezone.now() - timedelta(days=1))
    EngagementFactory(organization=org, adviser=adviser, started_at=timezone.now() + timedelta(days=1))
    assert not Organization.objects.restrict(adviser).exists()


def test_adviser_cannot_write_core(org, owner):
    adviser = UserFactory(username="adv4")
    services.grant_engagement(owner, org, adviser)
    with pytest.raises(PermissionDenied):
        services.invite(adviser, org, email="x@example.jp", role="viewer")


def test_only_owner_grants_engagements(org, members):
    with pytest.raises(PermissionDenied):
        services.grant_engagement(members["manager"], org, UserFactory(username="adv5"))


def test_inactive_user_sees_nothing(org, members):
    user = members["owner"]
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert not Organization.objects.restrict(user).exists()


def test_last_owner_cannot_be_removed(org, owner):
    membership = Membership.objects.get(user=owner, organization=org)
    with pytest.raises(services.ChizaiError):
        services.remove_member(owner, org, membership)


def test_security_doc_matches_matrix():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[4] / "docs" / "security.md").read_text(encoding="utf-8")
    for app, action, roles in permissions.matrix_rows():
        row = f"| {app} | {action} | " + " | ".join("✓" if r in roles else "" for r in permissions.ROLES) + " |"
        assert row in doc, f"docs/security.md lacks or misstates the row: {row}"
