"""Tenant isolation lives here, in the queryset layer.

Every organisation-owned model uses ``OrgScopedQuerySet`` and is read only through
``Model.objects.restrict(user, action)``. The roles a user holds come from memberships
and from active advisory engagements; nothing else grants access.
"""

from __future__ import annotations

from django.db import models

from chizai.core import permissions


def roles_by_org(user) -> dict[int, str]:
    """organisation id -> role for this user (membership first, then adviser grants)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cache = getattr(user, "_chizai_roles_cache", None)
    if cache is not None:
        return cache
    # Through the user's reverse relations (AdvisoryEngagement.adviser, Membership.user), so
    # this module, which models.py imports, needs no import of the models.
    roles: dict[int, str] = {}
    for engagement_org in user.engagements.active().values_list("organization_id", flat=True):
        roles[engagement_org] = "adviser"
    for org_id, role in user.memberships.filter(organization__is_active=True).values_list("organization_id", "role"):
        roles[org_id] = role  # a real membership outranks an adviser grant
    user._chizai_roles_cache = roles
    return roles


def forget_roles(user) -> None:
    """Drop the per-request role cache (after a membership or engagement change)."""
    if user is not None and hasattr(user, "_chizai_roles_cache"):
        del user._chizai_roles_cache


def org_ids_for(user, app_label: str, action: str) -> list[int]:
    return [org_id for org_id, role in roles_by_org(user).items() if permissions.allowed(role, app_label, action)]


class OrgScopedQuerySet(models.QuerySet):
    """Queryset of a model that belongs to one organisation (field ``organization``)."""

    #: which part of the permission matrix governs this model; defaults to the app label.
    permission_app: str | None = None

    def _app(self) -> str:
        return getattr(self.model, "permission_app", None) or self.model._meta.app_label

    def restrict(self, user, action: str = "view"):
        return self.filter(organization_id__in=org_ids_for(user, self._app(), action))


class OrganizationQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        return self.filter(pk__in=org_ids_for(user, "core", action), is_active=True)
