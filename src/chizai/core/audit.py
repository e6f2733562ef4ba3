"""The tamper-evident audit log: append with ``record``, check with ``verify``.

Each organisation has its own chain (``org:<id>``), opened in the same transaction that
creates the organisation; events with no organisation (a failed login for an unknown user)
go to the ``global`` chain, opened on first use. Appends to one chain are serialised by
locking its ``AuditChainHead`` row, so ``seq`` has no gaps and every link names the hash of
the one before.

Three things let ``verify`` see what an attacker with database write access (and no
secret key) removes, not only what they alter:

- each chain's checkpoint row carries an HMAC (secret key) over (chain, position, seq, hash);
- the registry row (``audit:registry``) numbers the chains in the order they were opened
  (``position`` 1, 2, …) and its HMAC covers how many there are, so a deleted chain leaves a
  gap, and every organisation must have its chain;
- ``audit_marks`` keeps each chain's highest seq in a file outside the database, so an
  older (genuine) checkpoint row written back over a shortened chain shows as a rollback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chizai.core import audit_marks, context_vars
from chizai.core.models import AuditChainHead, AuditEvent, Organization

GENESIS = "0" * 64
REGISTRY = "audit:registry"


def chain_name(organization) -> str:
    if organization is None:
        return "global"
    return f"org:{organization.pk if hasattr(organization, 'pk') else int(organization)}"


def _canonical(event: AuditEvent) -> bytes:
    created = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "chain": event.chain,
        "seq": int(event.seq),
        "created_at": created,
        "organization_id": event.organization_id,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "summary": event.summary,
        "changes": event.changes,
        "request_id": event.request_id,
        "client_ip": event.client_ip,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def head_mac(chain: str, position: int, seq: int, digest: str, key: str | None = None) -> str:
    secret = (key if key is not None else settings.SECRET_KEY).encode()
    return hmac.new(secret, f"{chain}|{position}|{seq}|{digest}".encode(), hashlib.sha256).hexdigest()


def _mac_ok(head: AuditChainHead) -> bool:
    """Genuine under the secret key or a retired one (SECRET_KEY_FALLBACKS), so rotating the key breaks nothing."""
    position = head.position
    if position is None:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(head.mac, head_mac(head.chain, position, head.seq, head.hash, key)) for key in keys)


def _seal(head: AuditChainHead, genuine: bool = True) -> None:
    # A checkpoint found altered when it is extended keeps a wrong MAC: re-sealing it would
    # launder the tampering (rewind the row, wait for the next append, and verify passes).
    # A row without a position never verifies (_mac_ok), so it gets no MAC either.
    position = head.position
    head.mac = head_mac(head.chain, position, head.seq, head.hash) if genuine and position is not None else ""


def _mark_on_commit(registry_id: str, chain: str, seq: int, digest: str) -> None:
    transaction.on_commit(lambda: audit_marks.raise_mark(registry_id, chain, seq, digest))


def _lock_registry() -> AuditChainHead:
    """The registry row, locked: its ``seq`` counts the chains, its ``hash`` is this database's random id."""
    registry_id = secrets.token_hex(32)
    try:
        with transaction.atomic():
            AuditChainHead.objects.get_or_create(
                chain=REGISTRY,
                defaults={"position": 0, "seq": 0, "hash": registry_id, "mac": head_mac(REGISTRY, 0, 0, registry_id)},
            )
    except IntegrityError:
        pass  # another process created it first
    return AuditChainHead.objects.select_for_update().get(chain=REGISTRY)


def _open_chain(chain: str) -> None:
    """Register ``chain`` at the next position; opening is rare, so one lock for all is fine."""
    with transaction.atomic():
        registry = _lock_registry()
        if AuditChainHead.objects.filter(chain=chain).exists():
            return
        genuine = _mac_ok(registry)
        position = registry.seq + 1
        head = AuditChainHead(chain=chain, position=position, seq=0, hash=GENESIS)
        _seal(head)
        head.save()
        registry.seq = position
        _seal(registry, genuine)
        registry.save(update_fields=["seq", "mac", "updated_at"])
        _mark_on_commit(registry.hash, REGISTRY, registry.seq, registry.hash)
        _mark_on_commit(registry.hash, chain, 0, GENESIS)


def open_organization_chain(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save receiver: an organisation has its chain from the moment it exists."""
    if created and not raw:
        _open_chain(chain_name(instance))


def _lock_head(chain: str) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        _open_chain(chain)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def _jsonable(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False)) if value is not None else None


def record(
    actor,
    organization,
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    changes: dict | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Called by services, inside their transaction.

    ``data`` holds what the audit page renders the summary from, in the reader's language
    (``audit_sentences``: titles, names, codes, counts); it is stored as ``changes["data"]``,
    so it is hashed with the rest of the event. ``summary`` stays the English text written
    at the time (CSV export, the chain's own record)."""
    if data is not None:
        changes = {**(changes or {}), "data": data}
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    chain = chain_name(organization)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head = _lock_head(chain)
        genuine = _mac_ok(head)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            created_at=timezone.now(),
            organization_id=getattr(organization, "pk", organization),
            actor_id=actor.pk if authenticated else None,
            actor_username=actor.get_username() if authenticated else (getattr(actor, "username", "") or ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            summary=summary[:2000],
            changes=_jsonable(changes),
            request_id=context_vars.request_id.get(),
            client_ip=context_vars.client_ip.get(),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save()
        head.seq = event.seq
        head.hash = event.hash
        _seal(head, genuine)
        head.save(update_fields=["seq", "hash", "mac", "updated_at"])
        registry_id = AuditChainHead.objects.filter(chain=REGISTRY).values_list("hash", flat=True).first()
        _mark_on_commit(registry_id or "", chain, event.seq, event.hash)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    chains: int
    broken_chain: str | None = None
    broken_seq: int | None = None
    broken_event_id: int | None = None
    problem: str = ""
    marks: int = 0

    def describe(self) -> str:
        if self.ok:
            against = (
                f"against {self.marks} high-water mark(s) kept on this host"
                if self.marks
                else "no high-water marks on this host, so a rollback of the newest events could not be checked here"
            )
            return f"audit chain intact: {self.checked} events in {self.chains} chain(s) checked, {against}"
        where = f"chain {self.broken_chain}"
        if self.broken_seq is not None:
            where += f", event seq {self.broken_seq}"
        if self.broken_event_id is not None:
            where += f" (id {self.broken_event_id})"
        return f"audit chain BROKEN at {where}: {self.problem} ({self.checked} events checked)"


class _Broken(Exception):
    def __init__(self, chain: str, problem: str, seq: int | None = None, event_id: int | None = None):
        super().__init__(problem)
        self.chain, self.problem, self.seq, self.event_id = chain, problem, seq, event_id


def verify(organization=None) -> VerifyResult:
    """Check that every chain that must exist does, recompute every hash, compare with the checkpoints and marks.

    With ``organization`` only that organisation's chain is walked (its existence, the
    registry row and its own mark are still checked); without, all chains, and the registry
    must have no gap.
    """
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    registry = heads.pop(REGISTRY, None)
    chains = [chain_name(organization)] if organization is not None else sorted(heads)
    walked = [0]
    try:
        marks = _check_registry(registry, heads, organization)
        for chain in chains:
            _check_chain(chain, heads.get(chain), marks.get(chain), walked)
    except _Broken as broken:
        return VerifyResult(False, walked[0], len(chains), broken.chain, broken.seq, broken.event_id, broken.problem)
    return VerifyResult(True, walked[0], len(chains), marks=sum(1 for chain in chains if chain in marks))


def _check_registry(registry, heads: dict, organization) -> dict[str, audit_marks.Mark]:
    """Which chains must exist, and that none of them is gone; returns this host's marks."""
    if registry is None:
        if heads or AuditEvent.objects.exists() or Organization.objects.exists():
            raise _Broken(REGISTRY, "the registry of audit chains is missing (deleted outside chizai)")
        return {}
    if not _mac_ok(registry) or registry.position != 0:
        raise _Broken(
            REGISTRY,
            "the registry's MAC is wrong (registry altered, or the secret key changed "
            "without the old one in CHIZAI_SECRET_KEY_FALLBACKS)",
        )
    marks = audit_marks.read_marks(registry.hash)
    seen = marks.get(REGISTRY)
    if seen is not None and seen.seq > registry.seq:
        raise _Broken(
            REGISTRY,
            f"the registry was rolled back: this server opened {seen.seq} chains, "
            f"the registry counts {registry.seq} (a whole chain was deleted)",
        )
    if organization is not None:
        orgs = [(organization.pk, organization.slug)]
    else:
        orgs = list(Organization.objects.values_list("pk", "slug"))
    for pk, slug in orgs:
        if chain_name(pk) not in heads:
            raise _Broken(
                chain_name(pk),
                f"organisation {slug} has no audit chain checkpoint (its chain was deleted outside chizai)",
            )
    if organization is not None:
        return marks
    for chain, mark in sorted(marks.items()):
        if chain != REGISTRY and chain not in heads:
            raise _Broken(chain, f"the chain was deleted: this server recorded it up to seq {mark.seq}")
    by_position = {head.position: head for head in heads.values() if head.position is not None}
    for head in sorted(heads.values(), key=lambda h: (h.position is None, h.position or 0, h.chain)):
        if head.position is None or head.position > registry.seq:
            raise _Broken(head.chain, "the chain is not in the registry of chains (checkpoint added outside chizai)")
    for position in range(1, registry.seq + 1):
        if position not in by_position:
            raise _Broken(
                REGISTRY,
                f"the chain opened as number {position} is missing (a whole chain, events and checkpoint, was deleted)",
            )
    unregistered = (
        AuditEvent.objects.exclude(chain__in=list(heads))
        .order_by("chain", "seq")
        .values_list("chain", "seq", "pk")
        .first()
    )
    if unregistered is not None:
        raise _Broken(unregistered[0], "the chain has events but no checkpoint", unregistered[1], unregistered[2])
    return marks


def _check_chain(chain: str, head, mark, walked: list[int]) -> None:
    if head is None:
        first = AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", "pk").first()
        raise _Broken(chain, "the chain has no checkpoint (deleted outside chizai)", *(first or (None, None)))
    expected_seq = 1
    prev = GENESIS
    marked_hash = GENESIS if mark is not None and mark.seq == 0 else None
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq", "pk").iterator(chunk_size=2000):
        walked[0] += 1
        if event.seq != expected_seq:
            raise _Broken(
                chain,
                f"expected seq {expected_seq}, found {event.seq}: "
                + ("an event is missing before it" if event.seq > expected_seq else "an event was inserted"),
                event.seq,
                event.pk,
            )
        if event.prev_hash != prev:
            raise _Broken(
                chain,
                "prev_hash does not match the previous event's hash (event removed or inserted)",
                event.seq,
                event.pk,
            )
        if compute_hash(event) != event.hash:
            raise _Broken(
                chain, "the event's content does not match its hash (the row was altered)", event.seq, event.pk
            )
        if mark is not None and event.seq == mark.seq:
            marked_hash = event.hash
        prev = event.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if not _mac_ok(head):
        raise _Broken(
            chain,
            "the checkpoint's MAC is wrong (checkpoint altered, or the secret key changed "
            "without the old one in CHIZAI_SECRET_KEY_FALLBACKS)",
            head.seq,
        )
    if head.seq != last_seq or head.hash != prev:
        raise _Broken(
            chain,
            f"the checkpoint says the chain ends at seq {head.seq}, the table ends at seq {last_seq}: "
            + ("newest events were removed" if head.seq > last_seq else "events were appended outside chizai"),
            last_seq + 1 if head.seq > last_seq else head.seq,
        )
    if mark is not None and mark.seq > head.seq:
        raise _Broken(
            chain,
            f"the checkpoint was rolled back: this server recorded the chain up to seq {mark.seq}, "
            f"checkpoint and table end at seq {head.seq} (newest events removed, older checkpoint written back)",
            head.seq + 1,
        )
    if mark is not None and marked_hash != mark.digest:
        raise _Broken(
            chain, f"event seq {mark.seq} is not the one this server recorded (the chain was rewritten)", mark.seq
        )
