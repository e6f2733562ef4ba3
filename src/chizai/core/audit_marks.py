"""High-water marks of the audit chains, in files under CHIZAI_HOME — outside the database.

Why: the checkpoint row's MAC stops anyone without the secret key from *making* a checkpoint,
but someone who can write the database can put back an *older* checkpoint row (a copy from a
backup, or one read earlier) together with a shortened chain, and both are genuine. A mark
that lives outside the database and is only ever raised tells ``verify`` how far each chain
had already grown, so that rollback shows.

One file per chain (``<chain>`` → ``"<chain> <seq> <hash>"``), in a folder named after the
database's random registry id, so a new or re-created database (tests, a fresh install)
starts with no marks instead of tripping over another database's. Marks are written after
the transaction commits, so they never run ahead of the database: a process that dies
between commit and mark leaves the mark behind, which weakens the check but never raises
a false alarm. Each process raises marks under an exclusive ``flock`` of the chain's file,
so any number of web and worker processes on one host keep the highest value.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

logger = logging.getLogger(__name__)

_REGISTRY_ID = re.compile(r"^[0-9a-f]{64}$")


class Mark(NamedTuple):
    seq: int
    digest: str


def folder(registry_id: str) -> Path | None:
    # the id comes from the database: never let it name a path outside CHIZAI_HOME
    if not _REGISTRY_ID.match(registry_id or ""):
        return None
    return Path(settings.CHIZAI_HOME) / "audit-marks" / registry_id


def _parse(text: str) -> tuple[str, Mark] | None:
    parts = text.split()
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], Mark(int(parts[1]), parts[2])


def raise_mark(registry_id: str, chain: str, seq: int, digest: str) -> None:
    """Record that ``chain`` reached ``seq`` (with ``digest``) unless a higher mark exists."""
    where = folder(registry_id)
    if where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(where / chain.replace(":", "_"), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            current = _parse(handle.read())
            if current is not None and current[1].seq >= seq:
                return
            handle.seek(0)
            handle.write(f"{chain} {seq} {digest}\n")
            handle.truncate()
    except OSError as exc:
        # the change itself is committed; a missing mark only weakens the rollback check
        logger.warning("audit mark for %s not written: %s", chain, exc)


def read_marks(registry_id: str) -> dict[str, Mark]:
    where = folder(registry_id)
    marks: dict[str, Mark] = {}
    if where is None or not where.is_dir():
        return marks
    for path in where.iterdir():
        parsed = _parse(path.read_text(encoding="ascii", errors="replace"))
        if parsed is not None:
            marks[parsed[0]] = parsed[1]
    return marks
