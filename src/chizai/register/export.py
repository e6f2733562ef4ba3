"""Evidence packages for a deposit or a prior-use (先使用権) claim.

``export_evidence`` writes, for every version of an asset's files: the decrypted file, its
RFC 3161 response (``.tsr``, checkable with ``openssl ts -verify``), SHA256SUMS, the local
chain links, and a manifest.json that ties them together. It writes into a fresh folder
and renames it into place at the end, so an interrupted export leaves no half package.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.services import ChizaiError
from chizai.register import services
from chizai.register.models import FileVersion

README = """Evidence package exported by chizai on {when}.

Asset: {title} (id {asset_id})

For each version: files/ holds the content, tokens/ the RFC 3161 time-stamp response of
the time-stamping authority named in manifest.json. Check one with:

    openssl ts -verify -in tokens/<name>.tsr -data files/<name> -CAfile <the TSA's root certificate>

SHA256SUMS can be checked with `sha256sum -c SHA256SUMS`. Versions marked "untimestamped"
have no token; their SHA-256 sits in chizai's local hash chain (chain.json), which shows
order and integrity but is not proof of time against a third party.
"""


def _safe(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")[:100] or "file"


def export_evidence(actor, organization, asset_id, out_dir) -> dict:
    asset = services.get_asset(actor, organization, asset_id, "download")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ChizaiError(_("The folder %(path)s is not empty; choose a new one.") % {"path": out_dir})
    versions = list(
        FileVersion.objects.restrict(actor, "download")
        .filter(file__asset=asset)
        .select_related("file")
        .order_by("file__name", "number")
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".chizai-evidence-", dir=out_dir.parent))
    try:
        (staging / "files").mkdir()
        (staging / "tokens").mkdir()
        entries, sums, chain = [], [], []
        for version in versions:
            base = f"{version.pk}-v{version.number}-{_safe(version.original_name)}"
            digest = hashlib.sha256()
            with open(staging / "files" / base, "wb") as handle:
                for block in services.open_verified(version):
                    digest.update(block)
                    handle.write(block)
            if digest.hexdigest() != version.sha256:
                raise ChizaiError(_("The stored file does not match its recorded hash."))
            entry = {
                "version_id": version.pk,
                "file": version.file.name,
                "number": version.number,
                "path": f"files/{base}",
                "sha256": version.sha256,
                "size": version.size,
                "uploaded_at": version.created_at.isoformat(),
                "stamp": version.stamp,
                "token": None,
                "tsa_url": version.tsa_url or None,
                "tsa_time": version.tsa_time.isoformat() if version.tsa_time else None,
                "chain": {"seq": version.chain_seq, "prev": version.chain_prev, "hash": version.chain_hash},
            }
            if version.tsa_response:
                (staging / "tokens" / f"{base}.tsr").write_bytes(bytes(version.tsa_response))
                entry["token"] = f"tokens/{base}.tsr"
            entries.append(entry)
            sums.append(f"{version.sha256}  files/{base}")
            chain.append(entry["chain"] | {"sha256": version.sha256})
        manifest = {
            "format": "chizai-evidence/1",
            "exported_at": timezone.now().isoformat(),
            "organization": organization.slug,
            "asset": {
                "id": asset.pk,
                "title_ja": asset.title_ja,
                "title_en": asset.title_en,
                "kind": asset.kind,
                "classification": asset.classification,
            },
            "versions": entries,
            "verify": "openssl ts -verify -in <token> -data <path> -CAfile <TSA root certificate>",
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        (staging / "SHA256SUMS").write_text("\n".join(sums) + ("\n" if sums else ""), encoding="utf-8")
        (staging / "chain.json").write_text(json.dumps(chain, indent=2), encoding="utf-8")
        (staging / "README.txt").write_text(
            README.format(when=manifest["exported_at"], title=asset.title_ja, asset_id=asset.pk), encoding="utf-8"
        )
        with transaction.atomic():
            audit.record(
                actor,
                organization,
                "register.evidence.export",
                obj=asset,
                summary=f"evidence of {asset.title_ja} exported ({len(entries)} versions)",
                data={"title": asset.title_ja, "n": len(entries)},
                changes={"after": {"versions": [e["version_id"] for e in entries]}},
            )
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest
