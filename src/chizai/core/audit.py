"""The tamper-evident audit log: append with ``record``, check with ``verify``.

Each organisation has its own chain (``org:<id>``); events with no organisation (a failed
login for an unknown user) go to the ``global`` chain. Appends to one chain are serialised
by locking its ``AuditChainHead`` row, so ``seq`` has no gaps and every link names the
hash of the one before.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chizai.core import context_vars
from chizai.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def chain_name(organization) -> str:
    if organization is None:
        return "global"
    return f"org:{organization.pk if hasattr(organization, 'pk') else int(organization)}"


def _canonical(event: AuditEvent) -> bytes:
    created = event.created_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
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


def head_mac(chain: str, seq: int, digest: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{chain}|{seq}|{digest}".encode(), hashlib.sha256).hexdigest()


def _lock_head(chain: str) -> AuditChainHead:
    try:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.get_or_create(chain=chain, defaults={"mac": head_mac(chain, 0, GENESIS)})
    except IntegrityError:
        pass
    return AuditChainHead.objects.select_for_update().get(chain=chain)


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
) -> AuditEvent:
    """Append one event. Called by services, inside their transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    chain = chain_name(organization)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head = _lock_head(chain)
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
        head.mac = head_mac(chain, event.seq, event.hash)
        head.save(update_fields=["seq", "hash", "mac", "updated_at"])
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

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} events in {self.chains} chain(s) checked"
        where = f"chain {self.broken_chain}"
        if self.broken_seq is not None:
            where += f", event seq {self.broken_seq}"
        if self.broken_event_id is not None:
            where += f" (id {self.broken_event_id})"
        return f"audit chain BROKEN at {where}: {self.problem} ({self.checked} events checked)"


def verify(organization=None) -> VerifyResult:
    """Walk one chain (or all), recomputing every hash and comparing with the checkpoint."""
    if organization is not None:
        chains = [chain_name(organization)]
    else:
        chains = sorted(
            set(AuditEvent.objects.values_list("chain", flat=True)) | set(AuditChainHead.objects.values_list("chain", flat=True))
        )
    checked = 0
    for chain in chains:
        expected_seq = 1
        prev = GENESIS
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq", "pk").iterator(chunk_size=2000):
            checked += 1

            def broken(problem: str) -> VerifyResult:
                return VerifyResult(False, checked, len(chains), chain, event.seq, event.pk, problem)

            if event.seq != expected_seq:
                problem = (
                    f"expected seq {expected_seq}, found {event.seq}: "
                    + ("an event is missing before it" if event.seq > expected_seq else "an event was inserted")
                )
                return broken(problem)
            if event.prev_hash != prev:
                return broken("prev_hash does not match the previous event's hash (event removed or inserted)")
            if compute_hash(event) != event.hash:
                return broken("the event's content does not match its hash (the row was altered)")
            prev = event.hash
            expected_seq += 1
        head = AuditChainHead.objects.filter(chain=chain).first()
        last_seq = expected_seq - 1
        if head is None:
            if last_seq:
                return VerifyResult(False, checked, len(chains), chain, None, None, "the chain has no checkpoint")
            continue
        if not hmac.compare_digest(head.mac, head_mac(chain, head.seq, head.hash)):
            return VerifyResult(False, checked, len(chains), chain, head.seq, None, "the checkpoint's MAC is wrong (checkpoint altered)")
        if head.seq != last_seq or head.hash != prev:
            return VerifyResult(
                False, checked, len(chains), chain, last_seq + 1 if head.seq > last_seq else head.seq, None,
                f"the checkpoint says the chain ends at seq {head.seq}, the table ends at seq {last_seq}: "
                + ("newest events were removed" if head.seq > last_seq else "events were appended outside chizai"),
            )
    return VerifyResult(True, checked, len(chains))
