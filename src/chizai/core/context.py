from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chizai.core import access
from chizai.core.querysets import roles_by_org


def role_label(role: str | None) -> str | Promise:
    from chizai.core.models import Membership

    if role == "adviser":
        return _("Adviser")
    if not role:
        return ""
    try:
        return Membership.Role(role).label
    except ValueError:
        return role or ""


def chizai_context(request):
    """Organisations for the switcher and the current one (set by org-scoped views), and
    ``org_can``: what the current role may do, from the matrix (``{% if org_can.audit.view %}``);
    templates never compare role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from chizai.core.models import Organization

    roles = roles_by_org(user)
    orgs = list(Organization.objects.filter(pk__in=roles.keys(), is_active=True).order_by("slug"))
    for org in orgs:
        # for the organisation switcher (base.html) and the home page
        org.my_role = roles[org.pk]  # type: ignore[attr-defined]
        org.my_role_label = role_label(roles[org.pk])  # type: ignore[attr-defined]
    return {
        "my_organizations": orgs,
        "current_org": getattr(request, "organization", None),
        "current_role": getattr(request, "org_role", None),
        "current_role_label": role_label(getattr(request, "org_role", None)),
        "org_can": access.flags(getattr(request, "org_role", None)),
    }
