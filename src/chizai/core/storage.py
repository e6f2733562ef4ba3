"""The file storage as chizai uses it: short timeouts, bounded retries, one exception for an outage.

A storage that cannot be reached, times out or answers with an error must never hold a web
worker for long nor end in a traceback. Both backends below translate every failure of the
storage itself into ``StorageUnavailable`` (a missing file stays ``FileNotFoundError``, which
callers answer on their own); the middleware and the API answer it with a 503 that says
nothing was saved, and the writers store the sealed object before they write any row, so a
failed write leaves no record behind.

The S3 backend lives in ``storage_s3`` (the ``s3`` extra: boto3, django-storages), so the
embedded default neither needs nor loads boto3. ``S3Storage`` also remembers a failure for ``CHIZAI_S3_COOLDOWN_SECONDS``: while the storage
is known to be down, requests are answered at once instead of each one waiting out its own
timeouts, which is what kept every sync worker busy when the endpoint hung. The memory is a
file's modification time in ``CHIZAI_STORAGE_STATE_DIR``, so every process on the host shares
it, and once the cooldown is over a single call finds out whether the storage is back while
the others keep answering at once.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 2
DEFAULT_READ_TIMEOUT = 5
DEFAULT_MAX_ATTEMPTS = 2
DEFAULT_COOLDOWN = 10
# Downloads larger than this are spooled to a temporary file instead of memory.
SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
# What a 503 asks clients to wait before trying again.
RETRY_AFTER_SECONDS = 60


class StorageUnavailable(Exception):
    """The file storage could not be reached, timed out or failed; nothing was stored."""


def unavailable_title() -> str:
    return _("File storage unavailable")


def unavailable_message() -> str:
    return _("The file storage is unavailable. Nothing was saved. Please try again in a few minutes.")


class LocalStorage(FileSystemStorage):
    """The local folder, whose failures (disk full, unmounted, no permission) are outages too."""

    @contextmanager
    def _guard(self, operation: str, name: str) -> Iterator[None]:
        try:
            yield
        except FileNotFoundError:
            raise
        except OSError as exc:
            logger.error("file storage unavailable (%s %s in %s): %s", operation, name, self.location, exc)
            raise StorageUnavailable(f"{operation} {name}: {exc}") from exc

    def save(self, name, content, max_length=None):
        with self._guard("save", name):
            return super().save(name, content, max_length=max_length)

    def _open(self, name, mode="rb"):
        with self._guard("open", name):
            return super()._open(name, mode)  # type: ignore[misc]  # django-stubs omit FileSystemStorage._open

    def delete(self, name):
        with self._guard("delete", name):
            return super().delete(name)

    def listdir(self, path):
        with self._guard("listdir", path):
            return super().listdir(path)
