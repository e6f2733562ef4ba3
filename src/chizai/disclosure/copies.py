"""Hand-over copies: one stamped, fingerprinted PDF (or zip with a manifest) per file version
and recipient, their download, and tracing a file back to the disclosure it came from."""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.disclosure.models import (
    Disclosure,
    HandoverCopy,
)

from chizai.disclosure.services import get_scoped, seal
from chizai.register import sealed as sealed_files

logger = logging.getLogger(__name__)


# --- hand-over copies and tracing ---------------------------------------------------------


def _new_fingerprint() -> str:
    while True:
        token = secrets.token_hex(8)
        if not HandoverCopy.objects.filter(fingerprint=token).exists():
            return token


def make_copies(actor, organization, disclosure_id) -> list[HandoverCopy]:
    """One stamped PDF (or zip) per file version and recipient; existing copies are kept."""
    from chizai.disclosure import watermark
    from chizai.register.services import plaintext_to_tempfile

    require(actor, organization, "disclosure", "add")
    disclosure = get_scoped(Disclosure, actor, organization, disclosure_id)
    if disclosure.status != Disclosure.Status.DISCLOSED:
        raise ChizaiError(
            _("Copies are made only for a disclosure that passed the gate (this one is: %(status)s).")
            % {"status": disclosure.get_status_display()}
        )
    from chizai.register.models import FileVersion

    allowed = set(
        FileVersion.objects.restrict(actor, "download").filter(organization=organization).values_list("pk", flat=True)
    )
    made = []
    for item in disclosure.items.filter(version__isnull=False).select_related("version"):
        if item.version_id not in allowed:
            raise ChizaiError(
                _("You may not download %(file)s, so you cannot make copies of it.")
                % {"file": item.version.original_name}
            )
        with plaintext_to_tempfile(item.version) as handle:
            data = handle.read()
        for recipient in disclosure.recipients.all():
            if HandoverCopy.objects.filter(item=item, recipient=recipient).exists():
                continue
            token = _new_fingerprint()
            stamp = watermark.Stamp(
                recipient=recipient.name,
                partner=disclosure.partner.name_ja,
                date=disclosure.disclosed_on.isoformat(),
                reference=disclosure.reference,
                token=token,
            )
            base = item.version.original_name.rsplit(".", 1)[0]
            suffix = f"{disclosure.reference}-{recipient.pk}"
            try:
                if data[:5] == b"%PDF-":
                    body, pages = watermark.stamp_pdf(data, stamp)
                    kind, name = "pdf", f"{base}-{suffix}.pdf"
                else:
                    raise watermark.NotAPdf("not a PDF")
            except watermark.NotAPdf:
                body, pages = watermark.zip_copy(data, item.version.original_name, stamp, sha256=item.version.sha256), 0
                kind, name = "zip", f"{base}-{suffix}.zip"
            stored, sealed = seal(body, "copy", organization)
            try:
                with transaction.atomic():
                    copy = HandoverCopy.objects.create(
                        organization=organization,
                        disclosure=disclosure,
                        item=item,
                        recipient=recipient,
                        fingerprint=token,
                        filename=name,
                        kind=kind,
                        pages=pages,
                        sha256=sealed.sha256,
                        size=sealed.size,
                        storage_name=stored,
                        key_id=sealed.key_id,
                        wrapped_key=sealed.wrapped_key,
                        created_by=actor,
                    )
                    audit.record(
                        actor,
                        organization,
                        "disclosure.copy.create",
                        obj=copy,
                        summary=f"{disclosure.reference}: copy of {item.version.original_name} for {recipient.name}",
                        data={
                            "ref": disclosure.reference,
                            "name": item.version.original_name,
                            "person": recipient.name,
                        },
                        changes={
                            "after": {
                                "disclosure": disclosure.pk,
                                "recipient": recipient.name,
                                "sha256": sealed.sha256,
                                "source_sha256": item.version.sha256,
                                "kind": kind,
                                "pages": pages,
                            }
                        },
                    )
            except BaseException:
                sealed_files.discard(stored)
                raise
            made.append(copy)
    return made


def download_copy(actor, organization, copy_id) -> tuple[HandoverCopy, bytes]:
    from chizai.register.models import FileVersion

    require(actor, organization, "disclosure", "add")
    copy = get_scoped(HandoverCopy, actor, organization, copy_id, "add")
    # A copy carries the file's content: only someone who may download the file itself gets it.
    if not FileVersion.objects.restrict(actor, "download").filter(pk=copy.item.version_id).exists():
        raise Http404("Not found.")
    data = b"".join(
        sealed_files.download(
            actor,
            organization,
            copy,
            storage_name=copy.storage_name,
            wrapped_key=copy.wrapped_key,
            key_id=copy.key_id,
            sha256=copy.sha256,
            action="disclosure.copy.download",
            summary=f"{copy.filename} downloaded",
            changes={"after": {"sha256": copy.sha256}, "data": {"name": copy.filename}},
        )
    )
    return copy, data


def trace(data: bytes, *, user=None, organization=None) -> dict:
    """Which disclosure and recipient a file came from.

    {"status": "ours", "copy": HandoverCopy, "method": …} | {"status": "not_ours", …} |
    {"status": "damaged", "error": …}. With ``user`` only copies they may see are named.
    """
    from chizai.disclosure import watermark

    qs = HandoverCopy.objects.select_related("disclosure__partner", "recipient", "item")
    if user is not None:
        qs = qs.restrict(user, "view")
    if organization is not None:
        qs = qs.filter(organization=organization)
    digest = hashlib.sha256(data).hexdigest()
    exact = qs.filter(sha256=digest).first()
    if exact is not None:
        return {"status": "ours", "copy": exact, "method": "exact file (SHA-256)", "sha256": digest}
    try:
        found = watermark.read_fingerprints(data)
    except watermark.NotAPdf as exc:
        return {"status": "damaged", "error": str(exc), "sha256": digest}
    for token in found.tokens:
        copy = qs.filter(fingerprint=token).first()
        if copy is not None:
            return {"status": "ours", "copy": copy, "method": ", ".join(found.methods), "sha256": digest}
    return {"status": "not_ours", "tokens": found.tokens, "sha256": digest}


def trace_message(result: dict) -> str:
    if result["status"] == "ours":
        c = result["copy"]
        return (
            f"{c.disclosure.reference} ({c.disclosure.disclosed_on}) to {c.disclosure.partner.name_ja}, "
            f"recipient {c.recipient.name}; copy {c.filename} (found by {result['method']})"
        )
    if result["status"] == "damaged":
        return f"This file cannot be read as a PDF or zip copy: {result['error']}"
    if result.get("tokens"):
        return "This file carries a chizai fingerprint that is not in this database (another installation, or deleted)."
    return "This is not one of our hand-over copies: no fingerprint and no matching hash."
