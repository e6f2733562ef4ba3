"""The deal's documents as exports: the permission check (``deals.export``), the choice of
language and format, and the audit event; ``documents.py`` writes the files.

Separate from ``services.py`` so the import graph runs one way: ``export`` → ``documents``
→ ``services`` (the brief reads the drafts and the worksheet through the services).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.deals import documents
from chizai.deals.models import Deal


def export_annex(actor, deal: Deal, *, lang: str, fmt: str) -> tuple[bytes, str, str]:
    """The quotation annex (what is and is not included, goods and knowledge apart)."""
    require(actor, deal.organization, "deals", "export")
    if lang not in ("ja", "en") or fmt not in ("pdf", "docx"):
        raise ChizaiError(_("Choose Japanese or English, and PDF or DOCX."))
    body = documents.annex_pdf(deal, lang) if fmt == "pdf" else documents.annex_docx(deal, lang)
    audit.record(
        actor,
        deal.organization,
        "deals.annex.export",
        obj=deal,
        summary=f"quotation annex exported ({lang}, {fmt})",
        data={"lang": lang, "fmt": fmt},
    )
    content_type = (
        "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return body, content_type, f"deal-{deal.pk}-annex-{lang}.{fmt}"


def export_brief(actor, deal: Deal, *, lang: str) -> tuple[bytes, str, str]:
    """The negotiation brief for the meeting, as a PDF."""
    require(actor, deal.organization, "deals", "export")
    if lang not in ("ja", "en"):
        raise ChizaiError(_("Choose Japanese or English, and PDF or DOCX."))
    body = documents.brief_pdf(deal, lang, viewer=actor)
    audit.record(
        actor,
        deal.organization,
        "deals.brief.export",
        obj=deal,
        summary=f"negotiation brief exported ({lang})",
        data={"lang": lang},
    )
    return body, "application/pdf", f"deal-{deal.pk}-brief-{lang}.pdf"
