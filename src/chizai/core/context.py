from chizai.core.querysets import roles_by_org


def chizai_context(request):
    """Organisations for the switcher and the current one (set by org-scoped views)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from chizai.core.models import Organization

    roles = roles_by_org(user)
    orgs = list(Organization.objects.filter(pk__in=roles.keys(), is_active=True).order_by("slug"))
    for org in orgs:
        org.my_role = roles[org.pk]
    return {
        "my_organizations": orgs,
        "current_org": getattr(request, "organization", None),
        "current_role": getattr(request, "org_role", None),
    }
