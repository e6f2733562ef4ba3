"""Fixtures for disclosure tests: a partner, agreements, and register assets with PDF versions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from chizai.disclosure import services


def pdf_bytes(pages: int = 2, text: str = "drawing") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for i in range(pages):
        c.drawString(100, 700, f"{text} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English; a page rendered in Japanese must not leak its language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def partner(org, owner):
    return services.create_partner(owner, org, name_ja="トヨ部品株式会社", name_en="Toyo Parts", kind="tier1")


@pytest.fixture
def nda(org, owner, partner, today):
    agreement, _ = services.create_agreement(
        owner,
        org,
        partner.pk,
        title="秘密保持契約",
        type="NDA",
        direction="mutual",
        status="signed",
        signed_on=today - timedelta(days=30),
        effective_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=365),
        purpose_stages=["inquiry", "quotation", "prototype"],
        return_duty="return_or_destroy",
        return_days=30,
        certificate_required=True,
        survival_months=36,
    )
    return agreement


def make_asset(
    owner, org, *, classification="confidential", kind="drawing", strategy="keep_secret", title="ブラケット図面"
):
    from chizai.register.models import Asset

    return Asset.objects.create(
        organization=org,
        title_ja=title,
        kind=kind,
        classification=classification,
        protection_strategy=strategy,
        created_by=owner,
    )


def make_version(owner, org, asset, data: bytes | None = None, name: str = "bracket.pdf"):
    from chizai.register.services import upload_version

    return upload_version(owner, org, asset.pk, io.BytesIO(data if data is not None else pdf_bytes()), name=name)


@pytest.fixture
def drawing(org, owner):
    asset = make_asset(owner, org)
    return asset, make_version(owner, org, asset)


def disclose(actor, org, partner, version=None, **kw):
    params = dict(
        partner_id=partner.pk,
        stage="quotation",
        purpose="見積のため",
        disclosed_on=timezone.localdate(),
        version_ids=[version.pk] if version else [],
        recipients=["田中 一郎"],
    )
    params.update(kw)
    return services.create_disclosure(actor, org, **params)
