"""The database half of envelope encryption: one key per organisation between the master
key (environment) and the per-file data keys (``keywrap`` wraps the keys, ``crypto`` does the
cipher work).

    data key (one per file) ── wrapped by ──▶ organisation key ── wrapped by ──▶ master key

Rotating the master key re-wraps one row per organisation; rotating an organisation's key
re-wraps that organisation's data keys. No file is re-encrypted by either. Rows sealed before
organisation keys existed name a master key in ``key_id``; they stay readable, and
``rewrap_master`` moves them onto their organisation's key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from chizai.core import audit
from chizai.register import keywrap
from chizai.register.models import OrganizationKey

# Every stored file whose data key hangs off an organisation key: (model, key id field,
# wrapped key field). Named here rather than discovered so a new kind of sealed file is a
# visible change; by label, because disclosure, review and deals depend on register, not the reverse.
SEALED = (
    ("register.FileVersion", "key_id", "wrapped_key"),
    ("register.AssetClip", "key_id", "wrapped_key"),
    ("register.ClipPoster", "key_id", "wrapped_key"),
    ("review.ContractReview", "source_key_id", "source_wrapped_key"),
    ("disclosure.Agreement", "file_key_id", "file_wrapped_key"),
    ("disclosure.HandoverCopy", "key_id", "wrapped_key"),
    ("deals.ContributionEntry", "evidence_key_id", "evidence_wrapped_key"),
    # not a file: the secret behind the organisation's sealed text and search digests (atrest)
    ("register.TextKey", "key_id", "wrapped_key"),
)
_BATCH = 500


def _org_id(organization) -> int:
    return int(getattr(organization, "pk", organization))


def _secret(row: OrganizationKey) -> bytes:
    return keywrap.unwrap_org_key(row.wrapped_key, row.organization_id, row.kid, row.master_key_id)


def _active(org_id: int) -> OrganizationKey | None:
    return OrganizationKey.objects.filter(organization_id=org_id, retired_at__isnull=True).first()


def _create(org_id: int, actor=None, *, audited: bool = True) -> OrganizationKey:
    kid = keywrap.new_org_kid()
    master_kid, wrapped = keywrap.wrap_org_key(AESGCM.generate_key(bit_length=256), org_id, kid)
    try:
        with transaction.atomic():
            row = OrganizationKey.objects.create(
                organization_id=org_id, kid=kid, wrapped_key=wrapped, master_key_id=master_kid
            )
            if audited:
                audit.record(
                    actor,
                    org_id,
                    "register.orgkey.create",
                    obj=row,
                    summary=f"organisation key {kid} created",
                    data={"kid": kid},
                    changes={"after": {"kid": kid, "master_key_id": master_kid}},
                )
    except IntegrityError:
        # Two first uploads of one organisation at the same moment: the partial unique
        # index let only one key in, and both use that one.
        existing = _active(org_id)
        if existing is None:
            raise
        row = existing
    return row


def active_key(organization) -> OrganizationKey:
    """The organisation's active key, created on its first encryption."""
    org_id = _org_id(organization)
    return _active(org_id) or _create(org_id)


def wrap_new_data_key(organization, data_key: bytes) -> tuple[str, str]:
    """(key id, wrapped data key) under the organisation's active key."""
    row = active_key(organization)
    return row.kid, keywrap.wrap_data_key(data_key, _secret(row), row.organization_id, row.kid)


def open_data_key(wrapped: str, kid: str, organization, *, rows: dict | None = None) -> bytes:
    """Unwrap a data key of a row owned by ``organization``. ``rows`` caches key rows by kid
    across a batch (rotation); a single download makes one query."""
    if not keywrap.is_org_kid(kid):
        return keywrap.unwrap(wrapped, kid)
    org_id = _org_id(organization)
    row = rows.get(kid) if rows is not None else None
    if row is None:
        # Filtered by organisation: a row moved to another organisation finds no key.
        row = OrganizationKey.objects.filter(kid=kid, organization_id=org_id).first()
        if row is None:
            raise keywrap.KeyError_(f"This file's key {kid} is not a key of its organisation: unknown key id.")
        if rows is not None:
            rows[kid] = row
    elif row.organization_id != org_id:
        raise keywrap.KeyError_(f"This file's key {kid} is not a key of its organisation: unknown key id.")
    return keywrap.unwrap_data_key(wrapped, _secret(row), org_id, kid)


def _rewrap_rows(label: str, kid_field: str, wrapped_field: str, queryset, rows: dict) -> Counter:
    """Move the data keys of ``queryset`` onto their organisation's active key; counts per org."""
    model = apps.get_model(label)
    targets: dict[int, tuple[OrganizationKey, bytes]] = {}
    counts: Counter = Counter()
    changed = []
    for pk, org_id, kid, wrapped in queryset.values_list("pk", "organization_id", kid_field, wrapped_field):
        data_key = open_data_key(wrapped, kid, org_id, rows=rows)
        if org_id not in targets:
            target = active_key(org_id)
            targets[org_id] = (target, _secret(target))
        target, secret = targets[org_id]
        changed.append(
            model(
                pk=pk,
                **{kid_field: target.kid, wrapped_field: keywrap.wrap_data_key(data_key, secret, org_id, target.kid)},
            )
        )
        counts[org_id] += 1
    model.objects.bulk_update(changed, [kid_field, wrapped_field], batch_size=_BATCH)
    return counts


def _sealed_rows(label: str, kid_field: str):
    return apps.get_model(label).objects.exclude(**{kid_field: ""}).select_for_update()


@dataclass
class Rewrapped:
    org_keys: int = 0
    data_keys: int = 0
    per_org: dict = field(default_factory=dict)


@transaction.atomic
def rewrap_master(actor=None) -> Rewrapped:
    """Re-wrap every organisation key under the current master key, and move data keys that
    are still wrapped by a master key (or by a retired organisation key) onto their
    organisation's active key. Files are not touched; one audit event per organisation."""
    current, _key = keywrap.current_key()
    per_org: dict[int, dict] = defaultdict(lambda: {"org_keys": 0, "data_keys": {}})
    for row in OrganizationKey.objects.exclude(master_key_id=current).select_for_update().order_by("pk"):
        row.master_key_id, row.wrapped_key = keywrap.wrap_org_key(_secret(row), row.organization_id, row.kid)
        row.save(update_fields=["master_key_id", "wrapped_key"])
        per_org[row.organization_id]["org_keys"] += 1
    active = OrganizationKey.objects.filter(retired_at__isnull=True).values("kid")
    rows: dict = {}
    for label, kid_field, wrapped_field in SEALED:
        stale = _sealed_rows(label, kid_field).exclude(**{f"{kid_field}__in": active})
        for org_id, count in _rewrap_rows(label, kid_field, wrapped_field, stale, rows).items():
            per_org[org_id]["data_keys"][label] = count
    result = Rewrapped(per_org=dict(per_org))
    for org_id, counts in sorted(per_org.items()):
        result.org_keys += counts["org_keys"]
        result.data_keys += sum(counts["data_keys"].values())
        audit.record(
            actor,
            org_id,
            "register.keys.rewrap",
            summary=f"keys re-wrapped under master key {current}",
            data={"kid": current},
            changes={"after": {"master_key_id": current, **counts}},
        )
    return result


@transaction.atomic
def rotate_org_key(actor, organization) -> tuple[OrganizationKey, dict[str, int]]:
    """Give the organisation a new key, re-wrap all its data keys under it and retire the old
    one; returns (new key, re-wrapped data keys per kind). Files are not touched."""
    org_id = _org_id(organization)
    old = OrganizationKey.objects.select_for_update().filter(organization_id=org_id, retired_at__isnull=True).first()
    if old is not None:
        # Retired first: the one-active-key constraint would refuse the new row otherwise.
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
    new = _create(org_id, actor, audited=False)
    counts: dict[str, int] = {}
    rows: dict = {}
    for label, kid_field, wrapped_field in SEALED:
        mine = _sealed_rows(label, kid_field).filter(organization_id=org_id).exclude(**{kid_field: new.kid})
        counts[label] = sum(_rewrap_rows(label, kid_field, wrapped_field, mine, rows).values())
    audit.record(
        actor,
        org_id,
        "register.orgkey.rotate",
        obj=new,
        summary=f"organisation key rotated: {old.kid if old else '-'} -> {new.kid}",
        data={"old": old.kid if old else "-", "new": new.kid},
        changes={
            "before": {"kid": old.kid if old else None},
            "after": {"kid": new.kid, "master_key_id": new.master_key_id, "rewrapped": counts},
        },
    )
    return new, counts
