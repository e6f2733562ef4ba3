"""The one place that says which role may do what.

Every organisation-owned queryset asks ``allowed(role, app_label, action)`` through
``restrict(user, action)``; views never compare role names themselves.
docs/security.md shows this matrix as a table (a test keeps the two in step).
"""

from __future__ import annotations

ROLES = ("owner", "manager", "engineer", "viewer", "adviser")

CRUD = frozenset({"view", "add", "change", "delete"})

# app label -> actions. "core" covers the organisation itself and its people;
# "audit" the audit log; the others are the parts of chizai.
ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "owner": {
        "core": frozenset({"view", "change", "manage_members", "manage_engagements"}),
        "audit": frozenset({"view", "export"}),
        "register": CRUD | {"view_secret", "download", "export", "reclassify"},
        "review": CRUD | {"export"},
        "disclosure": CRUD | {"approve", "override", "export"},
        "deals": CRUD | {"export"},
        # In a support organisation: "work" = act as an adviser from here (portfolio,
        # client workspaces through engagements); "publish" = set the published
        # prioritisation weights and the programme directory.
        "advisers": frozenset({"view", "work", "publish"}),
    },
    "manager": {
        "core": frozenset({"view", "manage_members"}),
        "audit": frozenset({"view", "export"}),
        "register": CRUD | {"download", "export", "reclassify"},
        "review": CRUD | {"export"},
        "disclosure": CRUD | {"approve", "export"},
        "deals": CRUD | {"export"},
        "advisers": frozenset({"view", "work", "publish"}),
    },
    "engineer": {
        "core": frozenset({"view"}),
        "register": frozenset({"view", "add", "change", "download"}),
        "review": frozenset({"view", "add"}),
        "disclosure": frozenset({"view", "add"}),
        "deals": frozenset({"view", "add", "change"}),
        "advisers": frozenset({"work"}),
    },
    "viewer": {
        "core": frozenset({"view"}),
        "register": frozenset({"view"}),
        "review": frozenset({"view"}),
        "disclosure": frozenset({"view"}),
        "deals": frozenset({"view"}),
    },
    # An adviser reaches a client organisation only through an active engagement
    # granted by that organisation's owner; the grant gives read access plus the
    # adviser's own working records.
    "adviser": {
        "core": frozenset({"view"}),
        "register": frozenset({"view"}),
        "review": frozenset({"view", "add"}),
        "disclosure": frozenset({"view"}),
        "deals": frozenset({"view"}),
        "advisers": frozenset({"view", "add", "change"}),
    },
}


def allowed(role: str | None, app_label: str, action: str) -> bool:
    if role is None:
        return False
    return action in ROLE_PERMISSIONS.get(role, {}).get(app_label, frozenset())


def roles_allowed(app_label: str, action: str) -> list[str]:
    return [role for role in ROLES if allowed(role, app_label, action)]


def matrix_rows() -> list[tuple[str, str, list[str]]]:
    """(app, action, roles) rows, the source of the table in docs/security.md."""
    rows = []
    apps = sorted({app for perms in ROLE_PERMISSIONS.values() for app in perms})
    for app in apps:
        actions = sorted({a for perms in ROLE_PERMISSIONS.values() for a in perms.get(app, ())})
        for action in actions:
            rows.append((app, action, roles_allowed(app, action)))
    return rows
