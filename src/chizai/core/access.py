"""The one way to ask "may this actor do this here?" and the one way to say no.

Every service, view, API route and template asks through here; the answers come from the
role matrix in ``core/permissions.py`` and the roles a user holds (``roles_by_org``:
memberships and active advisory engagements).

Refusals are one family of exceptions, rendered in one place each:

- ``Denied`` (a ``PermissionDenied``): the actor sees the organisation but their role does
  not allow the action. Web: the styled 403 page (``handler403``); API: 403 JSON.
- ``NotFound`` (a ``Denied`` that is also an ``Http404``): the actor may not even know the
  organisation or object exists (an outsider, a forged id of another organisation). Web:
  the styled 404 page; API: 404 JSON. Never a 403, which would confirm the object exists.

``except Denied`` catches both (the CLI does).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.core import permissions
from chizai.core.querysets import roles_by_org


class Denied(PermissionDenied):
    """The actor's role does not allow the action (403)."""

    status = 403

    def __init__(self, message: str | None = None):
        super().__init__(message if message is not None else _("You may not do this in this organisation."))


class NotFound(Denied, Http404):
    """Refused as if it did not exist (404): no role there, or an object of another organisation."""

    status = 404

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


def role_in(user, organization) -> str | None:
    """The user's role in ``organization`` (``None`` when they hold none there)."""
    return roles_by_org(user).get(organization.pk)


def may(user, organization, app: str, action: str) -> bool:
    """Whether the matrix lets ``user`` do ``app.action`` in ``organization``."""
    return permissions.allowed(role_in(user, organization), app, action)


def require(user, organization, app: str, action: str, *alternatives: str) -> str:
    """The user's role in ``organization`` if it allows ``app.action`` (or one of the
    ``alternatives``); otherwise ``NotFound`` when they hold no role there and ``Denied`` when
    their role does not allow it."""
    role = role_in(user, organization)
    if role is None:
        raise NotFound("No such organisation.")
    if not any(permissions.allowed(role, app, name) for name in (action, *alternatives)):
        raise Denied()
    return role


def same_organization(organization, *objects) -> None:
    """Objects passed in by id must belong to ``organization``; a foreign one is refused as if
    it did not exist (``NotFound``)."""
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise NotFound()


def flags(role: str | None) -> dict[str, dict[str, bool]]:
    """``{app: {action: allowed}}`` for a role, every action of the matrix: what templates read
    (``{% if org_can.audit.view %}``, see ``core.context``) instead of comparing role names."""
    result: dict[str, dict[str, bool]] = {}
    for app, action, _roles in permissions.matrix_rows():
        result.setdefault(app, {})[action] = permissions.allowed(role, app, action)
    return result
