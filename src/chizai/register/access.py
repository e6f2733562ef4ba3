"""Who may do what with an asset, by role and classification: the register's one table.

The role matrix in ``core.permissions`` says whether a role may touch the register at all;
this table narrows it per classification. ``AssetQuerySet.restrict`` turns it into a
query, so lists, detail pages, downloads, search results and snippets all obey the same
rows. docs/security.md shows it as a table (a test keeps the two in step).

Capabilities:
- ``meta``: the asset exists for you — title, kind, classification, holders, dates, risk;
- ``text``: its description, protection reasoning and the text extracted from its files;
- ``download``: its files;
- ``edit``: change it, upload versions, manage holders.

A 極秘 (secret) asset is invisible except to owners and to people *named* on it (a
holder with an account, or an explicit grant); for those, ``NAMED_SECRET`` applies.
An adviser is never given secret assets, named or not: they are outside the company.
"""

from __future__ import annotations

CAPABILITIES = ("meta", "text", "download", "edit")
CLASSIFICATIONS = ("public", "internal", "confidential", "secret")

# restrict() action -> capability (actions from the role matrix map onto these).
ACTION_CAPABILITY = {
    "view": "meta",
    "text": "text",
    "download": "download",
    "change": "edit",
    "delete": "edit",
    "reclassify": "edit",
    "export": "text",
}

ALL = frozenset(CAPABILITIES)
WORK = frozenset({"meta", "text", "download", "edit"})
READ = frozenset({"meta", "text"})
META = frozenset({"meta"})
NONE: frozenset[str] = frozenset()

# role -> classification -> capabilities (without being named on the asset).
ACCESS: dict[str, dict[str, frozenset[str]]] = {
    "owner": {"public": ALL, "internal": ALL, "confidential": ALL, "secret": ALL},
    "manager": {"public": ALL, "internal": ALL, "confidential": ALL, "secret": NONE},
    "engineer": {"public": WORK, "internal": WORK, "confidential": WORK, "secret": NONE},
    "viewer": {"public": READ, "internal": META, "confidential": NONE, "secret": NONE},
    # An adviser helps take inventory, so sees what exists, but reads content only of
    # what the company may publish anyway and never takes files away.
    "adviser": {"public": READ, "internal": META, "confidential": META, "secret": NONE},
}

# role -> capabilities on a secret asset the user is named on (holder or grant).
NAMED_SECRET: dict[str, frozenset[str]] = {
    "owner": ALL,
    "manager": ALL,
    "engineer": WORK,
    "viewer": READ,
    "adviser": NONE,
}

# Reading these with text access is recorded in the audit chain.
AUDITED_READS = frozenset({"confidential", "secret"})


def capability_for(action: str) -> str:
    try:
        return ACTION_CAPABILITY[action]
    except KeyError:
        raise ValueError(f"unknown register action {action!r}") from None


def classes_for(role: str | None, capability: str) -> list[str]:
    """Classifications where ``role`` has ``capability`` without being named."""
    if role is None:
        return []
    table = ACCESS.get(role, {})
    return [c for c in CLASSIFICATIONS if capability in table.get(c, NONE)]


def named_secret_allows(role: str | None, capability: str) -> bool:
    return role is not None and capability in NAMED_SECRET.get(role, NONE)


def capabilities(role: str | None, classification: str, named: bool) -> frozenset[str]:
    """What ``role`` may do with one asset; used for rendering, never instead of restrict()."""
    if role is None:
        return NONE
    caps = ACCESS.get(role, {}).get(classification, NONE)
    if classification == "secret" and named:
        caps = caps | NAMED_SECRET.get(role, NONE)
    return caps


def table_rows() -> list[tuple[str, str, str]]:
    """(role, classification, capabilities) rows for docs/security.md."""
    rows = []
    for role, by_class in ACCESS.items():
        for classification in CLASSIFICATIONS:
            caps = by_class[classification]
            text = ", ".join(c for c in CAPABILITIES if c in caps) or "—"
            if classification == "secret" and role != "owner":
                named = ", ".join(c for c in CAPABILITIES if c in NAMED_SECRET[role]) or "—"
                text = f"{text}; named: {named}"
            rows.append((role, classification, text))
    return rows
