"""The S3-compatible backend of the file storage (``CHIZAI_STORAGE=s3``): short timeouts,
bounded retries, every failure of the storage as ``storage.StorageUnavailable``; the cooldown
that answers at once while the storage is known to be down is described in ``storage``.

Needs the ``s3`` extra (boto3, django-storages): ``pip install 'chizai[s3]'``. Without it,
choosing this backend fails at start-up with ``ImproperlyConfigured`` naming the extra; the
local backend never imports this module.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

try:
    from boto3.exceptions import Boto3Error
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
    from s3transfer.exceptions import RetriesExceededError, S3DownloadFailedError, S3UploadFailedError
    from storages.backends import s3
    from storages.utils import clean_name
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImproperlyConfigured(
        f"CHIZAI_STORAGE=s3 needs the s3 extra ({exc.name} is not installed): pip install 'chizai[s3]'"
    ) from exc

from chizai.conf.env import env_int, env_secret, env_str
from chizai.core.storage import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_COOLDOWN,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    SPOOL_IN_MEMORY_BYTES,
    StorageUnavailable,
)

logger = logging.getLogger(__name__)


def s3_client_config(*, connect_timeout: float, read_timeout: float, max_attempts: int) -> Config:
    """botocore settings that bound one storage call to about ``max_attempts`` × the timeout."""
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # total_max_attempts counts the first try; botocore's max_attempts would count retries only
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        signature_version="s3v4",
    )


def s3_options_from_env() -> dict:
    """The OPTIONS of the S3 storage, from the CHIZAI_S3_* environment variables."""
    bucket = env_str("CHIZAI_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("CHIZAI_STORAGE=s3 needs CHIZAI_S3_BUCKET.")
    max_attempts = env_int("CHIZAI_S3_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    if max_attempts < 1:
        raise ImproperlyConfigured("CHIZAI_S3_MAX_ATTEMPTS must be at least 1 (1 means no retry).")
    return s3_options(
        bucket=bucket,
        endpoint_url=env_str("CHIZAI_S3_ENDPOINT_URL") or None,
        region=env_str("CHIZAI_S3_REGION") or None,
        access_key=env_secret("CHIZAI_S3_ACCESS_KEY"),
        secret_key=env_secret("CHIZAI_S3_SECRET_KEY"),
        connect_timeout=env_int("CHIZAI_S3_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
        read_timeout=env_int("CHIZAI_S3_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
        max_attempts=max_attempts,
    )


def s3_options(
    *,
    bucket: str,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,
        "secret_key": secret_key,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "max_memory_size": SPOOL_IN_MEMORY_BYTES,
        "client_config": s3_client_config(
            connect_timeout=connect_timeout, read_timeout=read_timeout, max_attempts=max_attempts
        ),
        # s3transfer retries a body that stalls mid-download on its own (5 times by default),
        # outside botocore's attempts: bound it the same way.
        "transfer_config": TransferConfig(num_download_attempts=max_attempts),
    }


def _is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


def is_s3_failure(exc: BaseException) -> bool:
    """Connection refused or reset, timeouts, 5xx, refusals (403, no such bucket) and failed
    transfers; a missing object is not a failure of the storage."""
    if _is_not_found(exc):
        return False
    return isinstance(
        exc, (BotoCoreError, ClientError, Boto3Error, RetriesExceededError, S3DownloadFailedError, S3UploadFailedError)
    )


class S3Storage(s3.S3Storage):
    """django-storages' S3 backend whose every call fails fast and as ``StorageUnavailable``."""

    def __init__(self, **options):
        super().__init__(**options)
        self._down_until = 0.0  # this process's own memory, used when the shared file cannot be
        self._shared = True  # written (then each process finds out on its own)
        self._calling = threading.local()

    def _state_file(self) -> Path | None:
        folder = getattr(settings, "CHIZAI_STORAGE_STATE_DIR", None)
        if not folder:
            return None
        key = hashlib.sha256(f"{self.endpoint_url}|{self.bucket_name}".encode()).hexdigest()[:16]
        return Path(folder) / f"s3-unavailable-until-{key}"

    def _known_down_until(self) -> float:
        path = self._state_file()
        if path is None or not self._shared:
            return self._down_until
        try:
            return os.stat(path).st_mtime
        except OSError:  # no file: nobody saw the storage fail, or it answered again since
            return 0.0

    def _mark_down(self, until: float) -> None:
        self._down_until = until
        path = self._state_file()
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
            os.utime(path, (until, until))
            self._shared = True
        except OSError:
            self._shared = False

    def _mark_up(self) -> None:
        self._down_until = 0.0
        path = self._state_file()
        if path is not None:
            with suppress(OSError):
                path.unlink(missing_ok=True)

    def _probe_seconds(self) -> float:
        config = self.client_config
        attempts = (config.retries or {}).get("total_max_attempts", DEFAULT_MAX_ATTEMPTS)
        return attempts * ((config.connect_timeout or 60) + (config.read_timeout or 60)) + 1

    @contextmanager
    def _guard(self, operation: str, name: str) -> Iterator[None]:
        if getattr(self._calling, "active", False):  # e.g. save() asking exists(): guarded once
            yield
            return
        cooldown = getattr(settings, "CHIZAI_S3_COOLDOWN_SECONDS", DEFAULT_COOLDOWN)
        now = time.time()
        down_until = self._known_down_until() if cooldown > 0 else 0.0
        if now < down_until:
            raise StorageUnavailable(f"{operation} {name}: the storage failed moments ago; not retried yet")
        probing = down_until > 0
        if probing:  # this call finds out whether the storage is back; the others keep answering at once
            self._mark_down(now + self._probe_seconds())
        self._calling.active = True
        try:
            yield
        except Exception as exc:
            if _is_not_found(exc):
                if probing:
                    self._mark_up()
                raise FileNotFoundError(f"{name} does not exist in the storage") from exc
            if not is_s3_failure(exc):
                raise
            if cooldown > 0:
                self._mark_down(time.time() + cooldown)
            logger.error(
                "file storage unavailable (%s %s, endpoint %s): %s; answering at once for %ss",
                operation,
                name,
                self.endpoint_url or "AWS",
                exc,
                cooldown,
            )
            raise StorageUnavailable(f"{operation} {name}: {exc}") from exc
        else:
            if probing:
                self._mark_up()
                logger.warning("file storage answers again (endpoint %s)", self.endpoint_url or "AWS")
        finally:
            self._calling.active = False

    def save(self, name, content, max_length=None):
        with self._guard("save", name):
            return super().save(name, content, max_length=max_length)

    def _open(self, name, mode="rb"):
        with self._guard("open", name):
            handle = super()._open(name, mode)
            if "r" in mode:
                # Fetch the object now: a failure belongs here, not in the middle of a reader.
                handle.file  # noqa: B018
        return handle

    def read_range(self, name: str, start: int, length: int):
        """Bytes ``start`` .. ``start + length - 1`` of an object as a stream, with one ranged
        GET: a seek in a large sealed clip (``register.clips``) fetches only its chunks, where
        ``open`` would download the whole object first."""
        with self._guard("open", name):
            key = self._normalize_name(clean_name(name))
            return self.bucket.Object(key).get(Range=f"bytes={start}-{start + length - 1}")["Body"]

    def delete(self, name):
        with self._guard("delete", name):
            return super().delete(name)

    def exists(self, name):
        with self._guard("exists", name):
            return super().exists(name)

    def size(self, name):
        with self._guard("size", name):
            return super().size(name)

    def listdir(self, name):
        with self._guard("listdir", name):
            return super().listdir(name)
