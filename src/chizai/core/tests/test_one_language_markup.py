"""One language at a time (issue 14): what the page walk's language check relies on, checked
without a browser — the API docs page's languages, audit summaries with the names they carry
marked as data, adviser charts with an accessible name."""

import re

import pytest
from django.utils import translation

from chizai.advisers import charts
from chizai.core.audit_summaries import render_summary_html
from chizai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_api_docs_page_is_in_the_readers_language_and_marks_the_generated_reference(client, owner, lang):
    client.force_login(owner)
    client.cookies["django_language"] = lang
    html = client.get("/api/docs").content.decode()
    assert f'<html lang="{lang}">' in html
    assert '<main id="swagger-ui" lang="en">' in html  # Swagger UI and the operation names are English only
    assert "chizai/api-docs.js" in html  # deep links off: no link nested in the operation's button
    header = html.split('<header class="api-head">')[1].split("</header>")[0]
    if lang == "ja":
        assert "API リファレンス" in header and "Authenticate" not in header
    else:
        assert "API reference" in header and not re.search(r"[\u3040-\u30ff]", header.replace("知財", ""))


def test_audit_summary_marks_names_as_entered_and_translates_the_sentence():
    event = AuditEvent(action="disclosure.partner.create", summary="partner Orion <b>Motors</b> GmbH")
    with translation.override("ja"):
        html = render_summary_html(event)
    assert html == "取引先「<span data-i18n-exempt>Orion &lt;b&gt;Motors&lt;/b&gt; GmbH</span>」を追加"


@pytest.mark.parametrize(
    ("action", "summary", "ja"),
    [
        ("advisers.referral.outcome", "referral outcome: helped", "紹介の結果"),
        ("deals.contribution.create", "contribution recorded: ours hours 1920000", "貢献を記録"),
        ("advisers.read", "adviser read: client workspace", "ワークスペース"),
    ],
)
def test_audit_summaries_that_were_english_in_japanese_pages(action, summary, ja):
    event = AuditEvent(action=action, summary=summary)
    with translation.override("ja"):
        html = str(render_summary_html(event))
    assert ja in html
    assert not re.search(r"\b(recorded|outcome|read|helped|ours|hours)\b", html), html


def test_gate_refusal_is_rendered_from_the_reasons_in_the_readers_language():
    event = AuditEvent(
        action="disclosure.gate.refused",
        summary="D-00003 refused: The NDA with Orion Motors GmbH is still under negotiation, not signed.",
        changes={
            "failures": [{"code": "agreement_not_signed", "ja": "NDAは未締結です。", "en": "The NDA is not signed."}]
        },
    )
    with translation.override("ja"):
        html = str(render_summary_html(event))
    assert "NDAは未締結です。" in html and "negotiation" not in html


def test_charts_have_an_accessible_name_and_mark_free_text_labels():
    bars = charts.bar_svg([("精密機械加工", 2)], name="Clients by industry", exempt_labels=True)
    assert 'role="img" aria-label="Clients by industry"' in bars
    assert '<text x="144" y="19" text-anchor="end" data-i18n-exempt>精密機械加工</text>' in bars
    assert 'aria-label="Progress"' in charts.line_svg([("2026-01", 50)], name="Progress")
