"""One path for every file chizai keeps: register versions, contracts under review, signed
agreements, hand-over copies and deal evidence are all stored and served through here, on
the register's envelope encryption (``crypto`` the cipher, ``keys`` the key layers).

- ``store`` streams an upload (or bytes, ``seal_bytes``) into a sealed object in the storage,
  checking the size limit as it streams; nothing but ciphertext ever reaches the storage.
- ``open_stream`` authenticates the whole object (and the recorded SHA-256) before the first
  byte is handed out, then streams it again; ``open_sealed`` is its bytes twin for the
  small files parts read themselves.
- ``download`` is ``open_stream`` plus the audit event every download writes, and
  ``attachment`` the HTTP answer a browser cannot run.

Who may download is decided by the caller's ``restrict`` before any of this is called.
A new kind of sealed row must also be listed in ``keys.SEALED`` (key rotation).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Generator, Iterator

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from chizai.conf.env import env_int
from chizai.core import audit
from chizai.core.services import ChizaiError
from chizai.core.storage import StorageUnavailable
from chizai.register import crypto

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    """The one limit for files people upload (register versions, deal evidence)."""
    return getattr(settings, "CHIZAI_REGISTER_MAX_UPLOAD_BYTES", None) or env_int(
        "CHIZAI_REGISTER_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD
    )


def too_large_message(limit: int) -> str:
    return _("The file is larger than the limit of %(mb)d MB.") % {"mb": limit // (1024 * 1024)}


def clean_name(name: str) -> str:
    """A file's name as shown and offered on download: no path, at most 255 characters."""
    return (name or "").strip().replace("/", "_").replace("\\", "_")[:255] or "file"


def _source(source):
    """What ``encrypt_stream`` reads: the file object itself when it can ``readinto`` (an
    upload Django spooled to disk or memory, a file opened by the CLI), else its chunks."""
    if hasattr(source, "readinto"):
        return source
    return source.chunks(crypto.CHUNK) if hasattr(source, "chunks") else iter(lambda: source.read(crypto.CHUNK), b"")


class _SealedFile(File):
    """Lets FileSystemStorage move the finished ciphertext into place instead of copying it."""

    def __init__(self, handle, path: str, name: str):
        super().__init__(handle, name=name)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _owner_only(stored_name: str) -> None:
    # FileSystemStorage applies FILE_UPLOAD_PERMISSIONS (0644 by default) after the move;
    # ciphertext or not, other local accounts have no business reading it.
    try:
        path = default_storage.path(stored_name)
    except NotImplementedError:  # object storage: access is the bucket's policy
        return
    os.chmod(path, 0o600)


def store(
    source, folder: str, organization, *, max_size: int | None = None, allow_empty: bool = False
) -> tuple[str, crypto.Sealed]:
    """Encrypt ``source`` (a file object, an upload, or anything with ``chunks``/``read``)
    under ``organization``'s key and store it under ``folder``; (storage name, Sealed).

    The ciphertext goes to a local temporary file first and reaches the storage, under a
    random name, only once complete, so a refused or interrupted upload leaves nothing.
    The caller deletes the stored object if recording it fails afterwards.
    """
    sealed_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by the with below, kept on disk until stored
        prefix="chizai-upload-",
        suffix=".enc",
        delete=False,
        dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None),
    )
    try:
        with sealed_file:
            try:
                sealed = crypto.encrypt_stream(_source(source), sealed_file, organization, max_size=max_size)
            except ValueError:
                if max_size is None:  # only a limit raises it; anything else is a bug to see
                    raise
                raise ChizaiError(too_large_message(max_size)) from None
            except OSError as exc:
                raise ChizaiError(
                    _("The upload was interrupted; nothing was stored. (%(error)s)") % {"error": exc}
                ) from None
            except crypto.KeyError_ as exc:
                raise ChizaiError(str(exc)) from None
            if sealed.size == 0 and not allow_empty:
                raise ChizaiError(_("The file is empty; nothing was stored."))
            sealed_file.flush()
        stored = put_ciphertext(sealed_file.name, folder)
    finally:
        # Local storage moved the file into place; anywhere else it was copied and is removed here.
        if os.path.exists(sealed_file.name):
            os.remove(sealed_file.name)
    return stored, sealed


def put_ciphertext(path: str, folder: str) -> str:
    """Move (local) or copy (object storage) a finished ciphertext file at ``path`` into the
    storage under ``folder`` and a random name; returns the storage name. For writers that
    seal as the bytes arrive (``crypto.Sealer``); the caller removes ``path`` if it is left."""
    name = f"{folder}/{crypto.random_name()}.enc"
    with open(path, "rb") as handle:
        stored = default_storage.save(name, _SealedFile(handle, path, name))
    _owner_only(stored)
    return stored


def seal_bytes(data: bytes, folder: str, organization) -> tuple[str, crypto.Sealed]:
    """``store`` for bytes the product made or already holds (no upload limit applies)."""
    return store(io.BytesIO(data), folder, organization, allow_empty=True)


def _refusal(exc: Exception) -> ChizaiError:
    if isinstance(exc, FileNotFoundError):
        return ChizaiError(_("This file cannot be served: its stored content is missing."))
    return ChizaiError(_("This file cannot be served: %(error)s") % {"error": exc})


def _mismatch() -> ChizaiError:
    return ChizaiError(_("This file cannot be served: its content does not match the recorded SHA-256."))


def open_stream(storage_name: str, wrapped_key: str, key_id: str, sha256: str, organization) -> Iterator[bytes]:
    """The plaintext of a sealed file of ``organization`` (the owner of the row it is recorded
    on) as blocks, after the whole object was authenticated, so a tampered file is refused
    with a message instead of breaking off mid-download.

    The object is fetched from the storage once: the blocks are decrypted from the same
    handle, rewound, so a storage outage is met here (StorageUnavailable, a 503) and never
    after the answer has started, and the content cannot change between check and stream.
    """
    handle = None
    try:
        handle = default_storage.open(storage_name, "rb")
        actual = crypto.plaintext_sha256(handle, wrapped_key, key_id, organization)
    except (crypto.KeyError_, crypto.IntegrityError_, FileNotFoundError) as exc:
        _close(handle)
        raise _refusal(exc) from None
    except BaseException:
        _close(handle)
        raise
    if actual != sha256:
        _close(handle)
        raise _mismatch()
    handle.seek(0)
    return _Blocks(handle, crypto.decrypt_stream(handle, wrapped_key, key_id, organization))


def _close(handle) -> None:
    if handle is not None:
        handle.close()


class _Blocks:
    """Decrypted blocks that close their stored object when done, or when the response that
    carries them is closed unread."""

    def __init__(self, handle, blocks: Generator[bytes, None, None]):
        self._handle, self._blocks = handle, blocks

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._blocks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._blocks.close()
        self._handle.close()


def open_sealed(storage_name: str, wrapped_key: str, key_id: str, sha256: str, organization) -> bytes:
    """A small sealed file as bytes (one decryption pass), refused like ``open_stream``."""
    try:
        with default_storage.open(storage_name, "rb") as handle:
            data = b"".join(crypto.decrypt_stream(handle, wrapped_key, key_id, organization))
    except (crypto.KeyError_, crypto.IntegrityError_, FileNotFoundError) as exc:
        raise _refusal(exc) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _mismatch()
    return data


def download(
    actor,
    organization,
    obj,
    *,
    storage_name: str,
    wrapped_key: str,
    key_id: str,
    sha256: str,
    action: str,
    summary: str,
    changes: dict | None = None,
) -> Iterator[bytes]:
    """Open a sealed file recorded on ``obj`` and write the audit event ``action`` for its
    download (only once the file verified). Access must have been checked by the caller."""
    stream = open_stream(storage_name, wrapped_key, key_id, sha256, obj.organization_id)
    with transaction.atomic():
        audit.record(
            actor, organization, action, obj=obj, summary=summary, changes=changes or {"after": {"sha256": sha256}}
        )
    return stream


def attachment(stream, *, name: str, content_type: str, size: int | None = None) -> StreamingHttpResponse:
    """Always an attachment, never sniffed, sandboxed: nothing a browser could run is shown inline."""
    response = StreamingHttpResponse(stream, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def delete_on_commit(*storage_names: str) -> None:
    """Remove stored objects once the rows naming them are gone for good.

    The rows' deletion is already committed when this runs, so a storage outage here only
    leaves orphaned ciphertext behind (logged by name); it must not turn a finished change
    into an error page that says nothing was saved.
    """
    names = [n for n in storage_names if n]
    if names:
        transaction.on_commit(lambda: _delete_quietly(names))


def discard(storage_name: str) -> None:
    """Remove an object whose rows were never committed (the write failed after it was stored).

    Called while another error is on its way up: a storage outage here is logged, never raised
    in its place, so the user is told what actually went wrong.
    """
    _delete_quietly([storage_name])


def _delete_quietly(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except (StorageUnavailable, OSError) as exc:
            logger.warning("stored object %s was not deleted (its rows are gone; remove it by hand): %s", name, exc)
