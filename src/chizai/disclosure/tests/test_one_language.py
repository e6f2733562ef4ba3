"""Disclosure pages in one language (issue 14): the gate's refusals, the duties and the
overlap warning are sentences in the reader's language with only the names the user
entered (partner, asset titles, agreement titles) marked as entered — they used to be
exempted whole, or mixed an entered title into an English sentence."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from chizai.disclosure import gate, gate_text, services
from chizai.disclosure.models import Obligation
from chizai.disclosure.tests.conftest import disclose

pytestmark = pytest.mark.django_db
EXEMPT = re.compile(r"<span data-i18n-exempt>.*?</span>", re.S)
TAG = re.compile(r"<[^>]+>")
ENGLISH = re.compile(r"[a-z]{3,}|[A-Z][a-z]{2,}")  # acronyms (NDA, PDF) pass, as in the page walk
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _outside(html) -> str:
    """The text a reader sees outside what is marked as entered."""
    return TAG.sub("", EXEMPT.sub("", str(html)))


def _failures():
    today = date(2026, 6, 1)
    agreement = gate.AgreementFacts(
        1, "NDA", 7, "Orion Motors GmbH", "negotiating", "inbound", purpose_stages=("inquiry",), categories=("cad",)
    )
    asset = gate.AssetFacts(3, "切削条件表", "secret", kind="drawing", strategy="patent", requested_classification="")
    lowered = gate.AssetFacts(4, "Fixture drawing", "internal", requested_classification="confidential")
    request = gate.GateRequest(7, "Orion Motors GmbH", "quotation", today, (asset, lowered), (agreement,))
    return gate.check(request).to_dict()["failures"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_gate_refusals_are_sentences_in_the_readers_language_with_names_marked(lang):
    failures = _failures()
    codes = {f["code"] for f in failures}
    assert {"agreement_not_signed", "direction", "purpose", "category", "strategy_patent_unfiled"} <= codes
    with translation.override(lang):
        rendered = [gate_text.render(f) for f in failures]
    for shown in rendered:
        text, fix = _outside(shown["text"]), _outside(shown["fix"])
        if lang == "ja":
            assert not ENGLISH.search(text + fix), (shown["code"], text, fix)
        else:
            assert not JAPANESE.search(text + fix), (shown["code"], text, fix)
    joined = " ".join(str(s["text"]) for s in rendered)
    assert "<span data-i18n-exempt>Orion Motors GmbH</span>" in joined
    assert "<span data-i18n-exempt>切削条件表</span>" in joined


def test_a_failure_stored_without_params_is_shown_as_stored_and_marked():
    stored = {"code": "purpose", "ja": "目的外です。", "en": "Not covered.", "fix_ja": "直す。", "fix_en": "Fix it."}
    with translation.override("en"):
        shown = gate_text.render(stored)
    assert shown["text"] == "<span data-i18n-exempt>Not covered.</span>"


def test_refused_disclosure_page_has_no_sentence_exempted_whole(client, org, owner, partner, drawing):
    d = disclose(owner, org, partner, drawing[1])  # no agreement with the partner: refused
    assert d.status == "refused"
    client.force_login(owner)
    client.cookies["django_language"] = "ja"
    html = client.get(reverse("disclosure_detail", args=[org.slug, d.pk])).content.decode()
    section = html.split('id="gate-failures" role="alert">')[1].split("</div>")[0]
    assert "<strong data-i18n-exempt>" not in section
    assert "秘密保持契約" in section and "<span data-i18n-exempt>トヨ部品株式会社</span>" in section
    assert not ENGLISH.search(_outside(section))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_duty_labels_mark_only_the_names(org, owner, partner, nda, drawing, lang):
    disclose(owner, org, partner, drawing[1])
    duties = list(Obligation.objects.filter(organization=org).select_related("disclosure__partner", "agreement"))
    assert duties
    with translation.override(lang):
        labels = [str(o.label_html) for o in duties]
    for label in labels:
        outside = _outside(label)
        assert outside.strip(": ").strip(), label  # the duty itself is not exempted
        if lang == "ja":
            assert not ENGLISH.search(outside), label
        else:
            assert not JAPANESE.search(outside), label


def test_overlap_warning_is_one_sentence_with_the_title_marked(org, owner, partner, nda, today):
    _second, warnings = services.create_agreement(
        owner,
        org,
        partner.pk,
        title="Second NDA",
        type="NDA",
        direction="mutual",
        status="signed",
        signed_on=today - timedelta(days=10),
        effective_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=100),
        purpose_stages=["inquiry"],
    )
    assert warnings  # the plain sentence, for the audit chain and the API
    with translation.override("en"):
        html = services.conflicts(_second, html=True)
    assert len(html) == 1
    assert "<span data-i18n-exempt>秘密保持契約</span>" in html[0]
    assert not JAPANESE.search(_outside(html[0])), html[0]
