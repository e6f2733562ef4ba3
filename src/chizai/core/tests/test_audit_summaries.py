"""Audit summaries are rendered in the reader's language from the stored event; the chain is untouched."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from chizai.core import audit
from chizai.core.audit_summaries import render_summary
from chizai.core.models import AuditEvent
from chizai.register import services as register

pytestmark = pytest.mark.django_db
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _events(org, owner):
    asset = register.create_asset(owner, org, title_ja="切削条件", classification="internal")
    register.update_asset(owner, org, asset.pk, classification="confidential", title_ja="切削条件表")
    register.reclassify(owner, org, [asset.pk], "secret")
    return list(AuditEvent.objects.filter(organization=org, action__startswith="register.asset").order_by("seq"))


def test_same_event_in_japanese_and_english(org, owner):
    created, updated, reclassified = _events(org, owner)
    with translation.override("ja"):
        ja = [render_summary(e) for e in (created, updated, reclassified)]
    with translation.override("en"):
        en = [render_summary(e) for e in (created, updated, reclassified)]
    assert en[0] == "Asset 切削条件 created"
    assert "classification (Internal → Confidential)" in en[1] and "title (Japanese)" in en[1]
    assert en[2] == "切削条件表: Confidential → Secret"
    for text in ja:
        assert not LATIN_WORD.search(text), text
    assert ja[0] == "資産「切削条件」を登録"
    assert "秘密区分 (社内限り → 秘密)" in ja[1]
    assert ja[2] == "「切削条件表」: 秘密 → 極秘"
    assert ja != en


def test_unknown_shape_falls_back_to_the_action_and_target_not_the_stored_english(org, owner):
    audit.record(
        owner, org, "register.asset.create", object_type="register.asset", object_id=7, summary="imported by a script"
    )
    event = AuditEvent.objects.filter(organization=org).latest("seq")
    with translation.override("ja"):
        assert render_summary(event) == "ノウハウ資産を登録（#7）"


def test_audit_page_renders_in_reader_language_and_chain_verifies(client, org, owner):
    _events(org, owner)
    client.force_login(owner)
    url = reverse("audit_log", args=[org.slug])
    page_ja = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "asset 切削条件 created" not in page_ja
    assert "切削条件" in page_ja
    assert audit.verify(org).ok
    stored = AuditEvent.objects.filter(organization=org, action="register.asset.create").get()
    assert stored.summary == "asset 切削条件 created"  # the hashed text is unchanged
