"""Small bytes-in, bytes-out wrapper around the register's envelope encryption, for the
other parts that keep files: signed agreements, hand-over copies, contracts under review.
Large files should stream through ``crypto.encrypt_stream`` / ``decrypt_stream`` directly."""
from __future__ import annotations

import hashlib
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from chizai.core.services import ChizaiError
from chizai.register import crypto


def seal_bytes(data: bytes, folder: str, organization) -> tuple[str, crypto.Sealed]:
    """Encrypt ``data`` under ``organization``'s key and store it under ``folder``; returns
    (storage name, Sealed)."""
    with tempfile.TemporaryFile(prefix="chizai-seal-") as handle:
        try:
            sealed = crypto.encrypt_stream([data], handle, organization)
        except crypto.KeyError_ as exc:
            raise ChizaiError(str(exc)) from None
        handle.seek(0)
        name = f"{folder}/{crypto.random_name()}.enc"
        stored = default_storage.save(name, File(handle, name=name))
    return stored, sealed


def open_sealed(storage_name: str, wrapped_key: str, key_id: str, sha256: str, organization) -> bytes:
    """Decrypt a sealed file of ``organization`` (the owner of the row it is recorded on),
    refusing it (with a message for the user) if anything is off."""
    try:
        with default_storage.open(storage_name, "rb") as handle:
            data = b"".join(crypto.decrypt_stream(handle, wrapped_key, key_id, organization))
    except (crypto.KeyError_, crypto.IntegrityError_) as exc:
        raise ChizaiError(_("This file cannot be served: %(error)s") % {"error": exc}) from None
    except FileNotFoundError:
        raise ChizaiError(_("This file cannot be served: its stored content is missing.")) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ChizaiError(_("This file cannot be served: its content does not match the recorded SHA-256."))
    return data
