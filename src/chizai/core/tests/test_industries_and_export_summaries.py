"""One language at a time (issue 14): industries by name in the reader's language instead of
the free text "精密機械加工 (precision machining)" on every page, and export events (annex,
brief, dossier, commented review) named with their format and language instead of codes."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from chizai.core import industries
from chizai.core.audit_summaries import render_summary
from chizai.core.models import AuditEvent, Organization

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"\b(?!Word\b)(?:[a-z]{3,}|[A-Z][a-z]{2,})")  # a product name passes


@pytest.mark.parametrize(
    ("stored", "ja", "en"),
    [
        ("precision_machining", "精密機械加工", "Precision machining"),
        ("精密機械加工", "精密機械加工", "Precision machining"),
        ("産業機械 (industrial machinery)", "産業機械", "Industrial machinery"),
        ("金型", "金型製造", "Die and mould making"),
    ],
)
def test_a_known_industry_is_named_in_the_readers_language(stored, ja, en):
    org = Organization(industry=stored)
    with translation.override("ja"):
        assert org.industry_name == ja and "data-i18n-exempt" not in org.industry_html
    with translation.override("en"):
        assert org.industry_name == en and "data-i18n-exempt" not in org.industry_html


def test_free_text_shows_the_readers_part_or_as_entered_marked():
    both = Organization(industry="特殊鋳造 (special casting)")
    with translation.override("en"):
        assert both.industry_html == "<span data-i18n-exempt>special casting</span>"
    with translation.override("ja"):
        assert both.industry_html == "<span data-i18n-exempt>特殊鋳造</span>"
    assert industries.name("")[0] == ""


@pytest.mark.django_db
def test_organisation_home_in_english_names_the_industry(client, org, owner):
    org.industry = "精密機械加工"
    org.save(update_fields=["industry"])
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("org_dashboard", args=[org.slug])).content.decode()
    assert "Precision machining" in html and "精密機械加工" not in html


@pytest.mark.parametrize(
    ("action", "stored", "en"),
    [
        ("deals.annex.export", "quotation annex exported (ja, pdf)", "Quotation annex exported (Japanese, PDF)"),
        ("deals.brief.export", "negotiation brief exported (en)", "Negotiation brief exported (English)"),
        (
            "review.export",
            "review exported as commented docx (ja)",
            "Review exported as a commented Word file (Japanese)",
        ),
        ("disclosure.dossier.export", "dossier for Orion GmbH (csv)", "Dossier for Orion GmbH exported (CSV)"),
    ],
)
def test_older_export_events_name_format_and_language(action, stored, en):
    event = AuditEvent(action=action, summary=stored)
    with translation.override("en"):
        assert render_summary(event) == en
    with translation.override("ja"):
        ja = render_summary(event)
    assert not ENGLISH_WORD.search(ja.replace("Orion GmbH", "")), ja
    assert "pdf" not in ja and "(ja" not in ja
