"""Disclosure benchmark: partner dossier build time for N disclosures, watermarking pages per second.

Not a test. Prints one JSON object. Runs against its own database: SQLite under
CHIZAI_HOME (default /tmp/chizai-bench-disclosure) or PostgreSQL when CHIZAI_DATABASE_URL is set.

    python bench/disclosure.py --disclosures 1000 --pages 100

Seeding writes disclosure, item and recipient rows directly (plus one audit event and one
hand-over copy row per disclosure, as the services would), then times the dossier through
the same builder the app uses, and the stamping of a generated multi-page PDF.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("CHIZAI_HOME", "/tmp/chizai-bench-disclosure")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(72, 720, f"Drawing sheet {i + 1}")
        for y in range(100, 700, 40):
            c.line(72, y, 520, y + 20)
        c.showPage()
    c.save()
    return buf.getvalue()


def seed(n: int):
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model

    from chizai.core import audit, services as core_services
    from chizai.core.models import Organization
    from chizai.disclosure import services
    from chizai.disclosure.models import Disclosure, DisclosureItem, DisclosureRecipient, HandoverCopy

    User = get_user_model()
    owner = User.objects.create(username="bench-owner", email="o@example.jp")
    org = Organization.objects.filter(slug="bench").first() or core_services.create_organization(
        owner, slug="bench", name_ja="ベンチ精工"
    )
    partner = services.create_partner(owner, org, name_ja="ベンチ部品株式会社")
    start = date(2020, 1, 1)
    agreement, _ = services.create_agreement(
        owner,
        org,
        partner.pk,
        title="NDA",
        type="NDA",
        status="signed",
        signed_on=start,
        effective_on=start,
        expires_on=date(2030, 1, 1),
        purpose_stages=["quotation"],
    )
    with transaction.atomic():
        for i in range(n):
            d = Disclosure.objects.create(
                organization=org,
                partner=partner,
                agreement=agreement,
                stage="quotation",
                purpose=f"見積 {i}",
                disclosed_on=start + timedelta(days=i % 2000),
                status="disclosed",
                requested_by=owner,
                approver=owner,
            )
            item = DisclosureItem.objects.create(
                organization=org,
                disclosure=d,
                title=f"図面 {i}",
                classification="confidential",
                kind="drawing",
                sha256=f"{i:064x}",
                description=f"drawing-{i}.pdf v1",
            )
            r = DisclosureRecipient.objects.create(organization=org, disclosure=d, name=f"受領者 {i % 37}")
            copy = HandoverCopy.objects.create(
                organization=org,
                disclosure=d,
                item=item,
                recipient=r,
                fingerprint=f"{i:016x}",
                filename=f"drawing-{i}.pdf",
                kind="pdf",
                pages=2,
                sha256=f"{i + 7:064x}",
                size=1000,
                storage_name="-",
                key_id="-",
                wrapped_key="-",
            )
            audit.record(owner, org, "disclosure.create", obj=d, summary=f"{d.reference} disclosed")
            audit.record(owner, org, "disclosure.copy.create", obj=copy, summary="copy")
    return org, partner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disclosures", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = Path(os.environ["CHIZAI_HOME"])
    if connection.vendor == "sqlite" and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor != "sqlite":
        call_command("flush", verbosity=0, interactive=False)
    from chizai.disclosure import dossier, watermark

    t0 = time.perf_counter()
    org, partner = seed(args.disclosures)
    seed_s = time.perf_counter() - t0
    timings, sizes, digests = [], {}, set()
    for _ in range(args.repeat):
        t = time.perf_counter()
        data = dossier.collect(org, partner)
        pdf = dossier.build_pdf(org, partner, data)
        csv_body = dossier.build_csv(org, partner, data)
        timings.append(time.perf_counter() - t)
        sizes = {"pdf_bytes": len(pdf), "csv_bytes": len(csv_body)}
        import hashlib

        digests.add(hashlib.sha256(pdf + csv_body).hexdigest())
    source = _pdf(args.pages)
    stamp = watermark.Stamp("受領者 一郎", "ベンチ部品株式会社", "2026-11-22", "D-00001", "0123456789abcdef")
    watermark.stamp_pdf(_pdf(2), stamp)  # font registration and imports out of the timing
    wm = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        out, pages = watermark.stamp_pdf(source, stamp)
        wm.append(time.perf_counter() - t)
    t = time.perf_counter()
    traced = watermark.read_fingerprints(out)
    trace_s = time.perf_counter() - t
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "disclosures": args.disclosures,
                "seed_s": round(seed_s, 2),
                "dossier_pdf_and_csv_s_median": round(statistics.median(timings), 3),
                "dossier_runs": [round(x, 3) for x in timings],
                "dossier_byte_identical_across_runs": len(digests) == 1,
                **sizes,
                "watermark_pages": pages,
                "watermark_s_median": round(statistics.median(wm), 3),
                "watermark_pages_per_s": round(pages / statistics.median(wm), 1),
                "trace_s_for_stamped_copy": round(trace_s, 3),
                "trace_found": traced.tokens == ["0123456789abcdef"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
