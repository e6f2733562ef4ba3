"""How every org-scoped view reaches its organisation and its data.

``org_view(app, action)`` resolves ``<org_slug>`` through ``Organization.objects.restrict``
(an organisation the user may not see is a 404, so its existence does not leak) and
checks the permission matrix; ``scoped(request, Model, action)`` is then the only way a
view reads organisation data: ``restrict`` plus the current organisation.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from chizai.core import access, permissions
from chizai.core.models import Organization


def resolve_org(user, slug: str, app: str, action: str) -> tuple[Organization, str]:
    """The organisation and the user's role, or ``NotFound`` (not visible) / ``Denied`` (role)."""
    org = Organization.objects.restrict(user, "view").filter(slug=slug).first()
    if org is None:
        raise access.NotFound("No such organisation.")
    return org, access.require(user, org, app, action)


def org_view(app: str, action: str = "view"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            request.organization, request.org_role = resolve_org(request.user, org_slug, app, action)
            return view(request, *args, **kwargs)

        # Read by the generic cross-organisation test: which permission guards this view.
        wrapper.chizai_permission = (app, action)  # type: ignore[attr-defined]  # mypy: no attributes on functions
        return wrapper

    return decorator


def scoped(request, model, action: str = "view"):
    return model.objects.restrict(request.user, action).filter(organization=request.organization)


def can(request, app: str, action: str) -> bool:
    """Whether the current organisation's role allows ``app.action`` (set by ``org_view``)."""
    return permissions.allowed(getattr(request, "org_role", None), app, action)


def require_can(request, app: str, action: str) -> None:
    """``access.Denied`` (the styled 403) unless ``can(request, app, action)``."""
    if not can(request, app, action):
        raise access.Denied()
