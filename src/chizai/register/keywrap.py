"""The key hierarchy without the database: master keys from the environment, and organisation
and data keys sealed (AES-256-GCM key wrap) under them.

The master key comes from ``CHIZAI_MASTER_KEY`` (or ``CHIZAI_MASTER_KEY_FILE``): base64 of
32 bytes. The embedded default creates one under CHIZAI_HOME, as settings does for the
secret key. Old keys stay readable through ``CHIZAI_MASTER_KEYS_OLD`` (comma-separated
base64), so rotation re-wraps one organisation key per organisation and touches no file.

Key ids: a master key's id is derived from the key (16 hex digits); an organisation key's id
is random with the prefix ``org-`` (rows of ``register.models.OrganizationKey``, looked up by
``register.keys``). A sealed row's ``key_id`` names the key that wraps its data key; rows
written before organisation keys existed name a master key directly and stay readable until
``rewrap-keys`` moves them.

The lowest layer of file encryption: ``keys`` (the organisation keys in the database) and
``crypto`` (the file cipher) both build on it, and ``crypto`` re-exports its public names.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from chizai.conf.env import env_list, env_secret


class KeyError_(Exception):
    """The master key needed for a file is missing or wrong."""


def decode_key(raw: str, where: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (ValueError, TypeError):
        raise KeyError_(f"{where} is not valid base64.") from None
    if len(key) != 32:
        raise KeyError_(f"{where} must be base64 of exactly 32 bytes (it has {len(key)}).")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"chizai-master-key-id" + key).hexdigest()[:16]


def _embedded_master_key() -> bytes:
    path = settings.CHIZAI_HOME / "master_key"
    if path.exists():
        return decode_key(path.read_text(encoding="ascii"), str(path))
    if getattr(settings, "PRODUCTION", False):
        raise KeyError_(
            "CHIZAI_MASTER_KEY (or CHIZAI_MASTER_KEY_FILE) must be set when CHIZAI_PRODUCTION=1. "
            "Generate one with: python -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())'"
        )
    settings.CHIZAI_HOME.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    # Created with mode 600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode())
    return key


def current_key() -> tuple[str, bytes]:
    raw = env_secret("CHIZAI_MASTER_KEY")
    key = decode_key(raw, "CHIZAI_MASTER_KEY") if raw else _embedded_master_key()
    return key_id(key), key


def keyring() -> dict[str, bytes]:
    kid, key = current_key()
    ring = {kid: key}
    for index, raw in enumerate(env_list("CHIZAI_MASTER_KEYS_OLD")):
        old = decode_key(raw, f"CHIZAI_MASTER_KEYS_OLD[{index}]")
        ring.setdefault(key_id(old), old)
    return ring


def wrap(data_key: bytes, kid: str, master: bytes) -> str:
    """The legacy layout: a data key wrapped by the master key directly (new files never get it)."""
    return _seal_key(data_key, master, kid.encode())


def unwrap(wrapped: str, kid: str) -> bytes:
    """Unwrap a legacy data key, wrapped by the master key ``kid`` directly."""
    data_key = _open_key(wrapped, _master(kid, "This file was encrypted"), kid.encode())
    if data_key is None:
        raise KeyError_(f"The master key configured as {kid} cannot unwrap this file's key: wrong master key.")
    return data_key


ORG_KID_PREFIX = "org-"
# Bounded only so a long-lived worker cannot grow it without limit; it holds one entry per
# organisation key in practice.
_ORG_KEY_CACHE_MAX = 4096
_org_key_cache: dict[tuple[str, int, str, str], bytes] = {}


def _master(master_kid: str, subject: str) -> bytes:
    master = keyring().get(master_kid)
    if master is None:
        raise KeyError_(
            f"{subject} under master key {master_kid}, which is not configured "
            "(set CHIZAI_MASTER_KEY, or list the old key in CHIZAI_MASTER_KEYS_OLD)."
        )
    return master


def _seal_key(secret: bytes, key: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, secret, aad)).decode()


def _open_key(wrapped: str, key: bytes, aad: bytes) -> bytes | None:
    try:
        blob = base64.b64decode(wrapped, validate=True)
        return AESGCM(key).decrypt(blob[:12], blob[12:], aad)
    except (InvalidTag, ValueError):
        return None


def new_org_kid() -> str:
    # Random rather than derived from the key, so an id says nothing about the key; the
    # prefix is what tells it apart from a master key id on legacy rows.
    return ORG_KID_PREFIX + secrets.token_hex(12)


def is_org_kid(kid: str) -> bool:
    return kid.startswith(ORG_KID_PREFIX)


def _org_key_aad(org_id: int, kid: str, master_kid: str) -> bytes:
    # Binding the organisation makes a wrapped key copied onto another organisation's row useless.
    return b"chizai-org-key\0%d\0%s\0%s" % (org_id, kid.encode(), master_kid.encode())


def _data_key_aad(org_id: int, kid: str) -> bytes:
    return b"chizai-data-key\0%d\0%s" % (org_id, kid.encode())


def wrap_org_key(org_key: bytes, org_id: int, kid: str) -> tuple[str, str]:
    """Wrap an organisation key under the current master key: (master key id, wrapped key)."""
    master_kid, master = current_key()
    return master_kid, _seal_key(org_key, master, _org_key_aad(org_id, kid, master_kid))


def unwrap_org_key(wrapped: str, org_id: int, kid: str, master_kid: str) -> bytes:
    # The keyring is consulted even on a cache hit, so a master key taken out of the
    # configuration stops access at once rather than at the next restart.
    master = _master(master_kid, f"The key of this organisation ({kid}) is wrapped")
    cache_key = (kid, org_id, master_kid, wrapped)
    org_key = _org_key_cache.get(cache_key)
    if org_key is None:
        org_key = _open_key(wrapped, master, _org_key_aad(org_id, kid, master_kid))
        if org_key is None:
            raise KeyError_(
                f"The master key configured as {master_kid} cannot unwrap organisation key {kid}: "
                "wrong master key, or the wrapped key was altered or moved to another organisation."
            )
        if len(_org_key_cache) >= _ORG_KEY_CACHE_MAX:
            _org_key_cache.clear()
        _org_key_cache[cache_key] = org_key
    return org_key


def wrap_data_key(data_key: bytes, org_key: bytes, org_id: int, kid: str) -> str:
    return _seal_key(data_key, org_key, _data_key_aad(org_id, kid))


def unwrap_data_key(wrapped: str, org_key: bytes, org_id: int, kid: str) -> bytes:
    data_key = _open_key(wrapped, org_key, _data_key_aad(org_id, kid))
    if data_key is None:
        raise KeyError_(
            f"Organisation key {kid} cannot unwrap this file's key: "
            "the wrapped key was altered or belongs to another organisation."
        )
    return data_key
