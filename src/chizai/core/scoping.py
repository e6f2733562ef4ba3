"""How every org-scoped view reaches its organisation and its data.

``org_view(app, action)`` resolves ``<org_slug>`` through ``Organization.objects.restrict``
(an organisation the user may not see is a 404, so its existence does not leak) and
checks the permission matrix; ``scoped(request, Model, action)`` is then the only way a
view reads organisation data: ``restrict`` plus the current organisation.
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from chizai.core import permissions
from chizai.core.models import Organization
from chizai.core.querysets import roles_by_org


def resolve_org(user, slug: str, app: str, action: str) -> tuple[Organization, str]:
    org = Organization.objects.restrict(user, "view").filter(slug=slug).first()
    if org is None:
        raise Http404("No such organisation.")
    role = roles_by_org(user).get(org.pk)
    if not permissions.allowed(role, app, action):
        raise PermissionDenied
    return org, role


def org_view(app: str, action: str = "view"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            request.organization, request.org_role = resolve_org(request.user, org_slug, app, action)
            return view(request, *args, **kwargs)

        # Read by the generic cross-organisation test: which permission guards this view.
        wrapper.chizai_permission = (app, action)
        return wrapper

    return decorator


def scoped(request, model, action: str = "view"):
    return model.objects.restrict(request.user, action).filter(organization=request.organization)


def can(request, app: str, action: str) -> bool:
    return permissions.allowed(getattr(request, "org_role", None), app, action)
