"""Text kept in the database, readable only with the organisation's keys.

Files are sealed in storage (``crypto``); the text taken out of them for search, and the
contract text under review, live in database rows, where a backup would give them away.
Each organisation has one ``TextKey`` (a random secret wrapped by its organisation key,
so it takes part in key rotation without changing). From it, with HKDF:

- a cipher key: text is sealed with AES-256-GCM, a random 96-bit nonce per value, and
  associated data naming the organisation and the place the value belongs to, so a sealed
  value copied into another organisation's row or another column does not open;
- one search-token key per *source* of indexed text: ``known`` for what the asset row holds
  in plaintext anyway (titles, tags, description, strategy reasoning) and ``file`` for file
  contents. A token is indexed as a 40-bit keyed digest (HMAC-SHA-256) spelt in the letters
  a–p, which both full-text engines take as one plain word. Two keys, because the digests of
  ``known`` chunks can be matched against the plaintext beside them to build a dictionary:
  that dictionary must read nothing the attacker did not already have, so it must not read
  file contents. A query term is looked for under both digests.

Digests of one chunk are stored sorted, so the index keeps term counts (for ranking) but
not the order of words.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass
from typing import Literal, overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from chizai.core.services import ChizaiError
from chizai.register import crypto, keys
from chizai.register.models import TextKey

SOURCES = ("known", "file")
_NONCE = 12
_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
DIGEST_BYTES = 5


def _org_id(organization) -> int:
    return int(getattr(organization, "pk", organization))


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"chizai-text-key\0" + info).derive(secret)


@dataclass
class TextKeys:
    """The unwrapped text keys of one organisation; get them with ``for_organization``."""

    organization_id: int
    aead: AESGCM
    token_keys: dict[str, bytes]

    def _aad(self, place: str) -> bytes:
        return b"chizai-text\0%d\0%s" % (self.organization_id, place.encode())

    def seal(self, text: str, place: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self.aead.encrypt(nonce, text.encode("utf-8"), self._aad(place))

    def open(self, blob, place: str) -> str:
        blob = bytes(blob)  # PostgreSQL hands back a memoryview
        try:
            return self.aead.decrypt(blob[:_NONCE], blob[_NONCE:], self._aad(place)).decode("utf-8")
        except (InvalidTag, ValueError):
            raise ChizaiError(
                _(
                    "This text cannot be read: it was altered, moved to another place, or sealed "
                    "with another organisation's key."
                )
            ) from None

    def digest(self, source: str, token: str) -> str:
        mac = hmac.digest(self.token_keys[source], token.encode("utf-8"), "sha256")
        return mac[:DIGEST_BYTES].hex().translate(_HEX_TO_LETTERS)

    def digests(self, source: str, tokens: list[str]) -> str:
        """The index entry of one chunk: its tokens' digests, sorted, space-separated."""
        memo: dict[str, str] = {}
        out = []
        for token in tokens:
            value = memo.get(token)
            if value is None:
                value = memo[token] = self.digest(source, token)
            out.append(value)
        out.sort()
        return " ".join(out)

    def query_terms(self, token: str) -> list[str]:
        """What one query term is indexed as, in whichever source it occurs."""
        return [self.digest(source, token) for source in SOURCES]


def _create(org_id: int) -> TextKey:
    kid, wrapped = keys.wrap_new_data_key(org_id, AESGCM.generate_key(bit_length=256))
    try:
        with transaction.atomic():
            return TextKey.objects.create(organization_id=org_id, key_id=kid, wrapped_key=wrapped)
    except IntegrityError:
        # Two first writers of one organisation at once: the unique organisation lets one row in.
        row = TextKey.objects.filter(organization_id=org_id).first()
        if row is None:
            raise
        return row


# Opened keys by everything they were opened from (organisation, the text key's wrap, the
# organisation key's wrap and its master key id), so a re-wrap or rotation makes a new entry.
# Bounded only so a long-lived worker cannot grow it without limit.
_CACHE_MAX = 4096
_cache: dict[tuple, TextKeys] = {}


def _open(org_id: int, row: TextKey) -> TextKeys:
    try:
        secret = keys.open_data_key(row.wrapped_key, row.key_id, org_id)
    except crypto.KeyError_ as exc:
        raise ChizaiError(str(exc)) from None
    return TextKeys(
        organization_id=org_id,
        aead=AESGCM(_derive(secret, b"aead")),
        token_keys={source: _derive(secret, b"token\0" + source.encode()) for source in SOURCES},
    )


@overload
def for_organization(organization, *, create: Literal[True] = True) -> TextKeys: ...
@overload
def for_organization(organization, *, create: bool) -> TextKeys | None: ...


def for_organization(organization, *, create: bool = True) -> TextKeys | None:
    """The organisation's text keys, made on first use when ``create``; None when it has none.

    Every search opens them, so the opened keys are cached, but only after the one query that
    reads both wrapped layers and a check that their master key is still configured: a
    re-wrapped or rotated key misses the cache, and removing a master key stops access at once.
    """
    org_id = _org_id(organization)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, t.key_id, t.wrapped_key, k.wrapped_key, k.master_key_id FROM register_textkey t "
            "LEFT JOIN register_organizationkey k ON k.kid = t.key_id AND k.organization_id = t.organization_id "
            "WHERE t.organization_id = %s",
            [org_id],
        )
        found = cursor.fetchone()
    if found is None:
        if not create:
            return None
        row = _create(org_id)
        return _open(org_id, row)
    pk, kid, wrapped, org_wrapped, master_kid = found
    if org_wrapped is None or master_kid not in crypto.keyring():
        # Not an organisation key of this organisation, or its master key is gone: the full
        # path raises the precise error.
        return _open(org_id, TextKey(pk=pk, organization_id=org_id, key_id=kid, wrapped_key=wrapped))
    cache_key = (org_id, kid, wrapped, org_wrapped, master_kid)
    text_keys = _cache.get(cache_key)
    if text_keys is None:
        text_keys = _open(org_id, TextKey(pk=pk, organization_id=org_id, key_id=kid, wrapped_key=wrapped))
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[cache_key] = text_keys
    return text_keys


class SealedField(property):
    """A model attribute whose value lives sealed in a binary column of the same model.

    ``text = SealedField("text_sealed", "review.ContractReview.text")`` reads and writes
    ``instance.text`` as plain text (``kind="json"``: any JSON value) while the database only
    ever holds the sealed bytes, under the text key of ``instance.organization_id``. ``place``
    is bound into each sealed value, so it must never change once rows exist. The opened
    value is kept on the instance until the column changes. A property, so Django accepts it
    as a constructor keyword like a field.
    """

    def __init__(self, column: str, place: str, kind: str = "text"):
        self.column, self.place, self.kind = column, place, kind
        super().__init__(self._get, self._set)

    def sealed(self, organization, value, text_keys: TextKeys | None = None) -> bytes | None:
        """The bytes stored for ``value`` (None stays None for a JSON column)."""
        if value is None and self.kind == "json":
            return None
        plain = json.dumps(value, ensure_ascii=False) if self.kind == "json" else str(value)
        return (text_keys or for_organization(organization)).seal(plain, self.place)

    def opened(self, organization, blob, text_keys: TextKeys | None = None):
        if blob is None or (not len(blob) and self.kind == "text"):
            return None if self.kind == "json" else ""
        keys_ = text_keys or for_organization(organization, create=False)
        if keys_ is None:
            raise ChizaiError(_("This text cannot be read: its organisation has no text key."))
        plain = keys_.open(blob, self.place)
        return json.loads(plain) if self.kind == "json" else plain

    def _cache_name(self) -> str:
        return f"_opened_{self.column}"

    def _get(self, instance):
        blob = getattr(instance, self.column)
        cached = instance.__dict__.get(self._cache_name())
        if cached is not None and cached[0] is blob:
            return cached[1]
        value = self.opened(instance.organization_id, blob)
        instance.__dict__[self._cache_name()] = (blob, value)
        return value

    def _set(self, instance, value):
        blob = self.sealed(instance.organization_id, value)
        setattr(instance, self.column, blob)
        instance.__dict__[self._cache_name()] = (blob, value)


def sealed_columns(model, organization, **values) -> dict:
    """``{column: sealed bytes}`` for ``values`` given by attribute name, for ``update()``."""
    text_keys = for_organization(organization)
    out = {}
    for name, value in values.items():
        field = getattr(model, name)
        out[field.column] = field.sealed(organization, value, text_keys)
    return out


def purge_freed_pages(*tables: str):
    """A RunPython function (for a non-atomic migration) that leaves no old row versions.

    Sealing rows in place leaves the plaintext they held in the database's freed pages
    (SQLite) or dead row versions (PostgreSQL), where a copy of the files would still show
    it. SQLite: VACUUM rewrites the whole file, then the write-ahead log is truncated.
    PostgreSQL: VACUUM FULL rewrites the given tables. Neither can run in a transaction.
    """

    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            if schema_editor.connection.vendor == "sqlite":
                cursor.execute("VACUUM")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif schema_editor.connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"VACUUM FULL {schema_editor.quote_name(table)}")

    return run
