"""Deals services: drafts and their comparison, points from findings, status transitions,
stakeholders and contacts, the ledger and the worksheet — permissions and audit included."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.core.tests.factories import MembershipFactory, OrganizationFactory
from chizai.deals import export, ledger, services
from chizai.deals.models import NegotiationPoint

from .conftest import DRAFT_1


def test_create_deal_is_audited_and_needs_add(org, members, partner):
    deal = services.create_deal(members["engineer"], org, partner=partner, title="試作案件", kind="prototype")
    assert AuditEvent.objects.filter(action="deals.deal.create", object_id=str(deal.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.create_deal(members["viewer"], org, partner=partner, title="x", kind="order")


def test_partner_of_another_organisation_is_refused(org, owner):
    from chizai.disclosure.models import Partner

    foreign = Partner.objects.create(organization=OrganizationFactory(), name_ja="他社")
    with pytest.raises(PermissionDenied):
        services.create_deal(owner, org, partner=foreign, title="x")


def test_drafts_are_chained_and_compared(deal, two_drafts):
    first, second = two_drafts
    assert (first.number, second.number) == (1, 2)
    assert second.review.previous_id == first.review.pk
    [change] = services.draft_changes(deal)
    diff = change["diff"]
    assert [f["rule_id"] for f in diff["appeared"]] == ["JRD-09"]
    assert [f["rule_id"] for f in diff["gone"]] == ["NDA-03"]
    assert any("競業" in line for c in diff["text_changes"] for line in c["added"])


def test_the_same_draft_twice_is_one_draft(deal, owner, fake_engine):
    first = services.add_draft(owner, deal, text=DRAFT_1)
    again = services.add_draft(owner, deal, text=DRAFT_1)
    assert first.pk == again.pk and deal.drafts.count() == 1


def test_point_from_finding_is_idempotent_across_drafts(deal, owner, two_drafts):
    first, second = two_drafts
    index = [f["rule_id"] for f in first.review.findings].index("JRD-01")
    point, created = services.point_from_finding(owner, deal, first.review, index)
    assert created and point.our_position == "must" and point.clause == "第5条"
    assert point.question == "成果が一方に帰属について確認できますか"
    again, created_again = services.point_from_finding(owner, deal, first.review, index)
    assert not created_again and again.pk == point.pk
    # the same finding found again in the next draft is still the same point
    later = [f["rule_id"] for f in second.review.findings].index("JRD-01")
    assert services.point_from_finding(owner, deal, second.review, later)[0].pk == point.pk
    assert deal.points.count() == 1
    assert AuditEvent.objects.filter(action="deals.point.create").count() == 1


def test_point_from_a_review_outside_the_deal_or_a_bad_index(deal, owner, two_drafts, fake_engine):
    from chizai.review.services import submit_review

    stray = submit_review(owner, deal.organization, filename="x.txt", text=DRAFT_1 + "\n付則")
    with pytest.raises(ChizaiError):
        services.point_from_finding(owner, deal, stray, 0)
    with pytest.raises(ChizaiError):
        services.point_from_finding(owner, deal, two_drafts[0].review, 99)


def test_status_transitions_are_enforced_and_audited(deal, owner):
    point = services.add_point(owner, deal, title="支払条件", our_position="must")
    with pytest.raises(ChizaiError):
        services.set_status(owner, point, "agreed")  # no agreed wording yet
    point = services.set_status(owner, point, "agreed", agreed_wording="検収後30日以内に支払う")
    assert point.status == "agreed"
    with pytest.raises(ChizaiError):
        services.set_status(owner, point, "parked")  # settled points can only be reopened
    point = services.set_status(owner, point, "open")
    point = services.set_status(owner, point, "parked")
    with pytest.raises(ChizaiError):
        services.set_status(owner, point, "conceded")
    point = services.set_status(owner, services.set_status(owner, point, "open"), "conceded")
    assert point.status == "conceded"
    events = list(AuditEvent.objects.filter(action="deals.point.status").order_by("seq"))
    assert [(e.changes["before"]["status"], e.changes["after"]["status"]) for e in events] == [
        ("open", "agreed"),
        ("agreed", "open"),
        ("open", "parked"),
        ("parked", "open"),
        ("open", "conceded"),
    ]


@pytest.mark.parametrize(
    "old, new, ok",
    [
        ("open", "agreed", True),
        ("open", "conceded", True),
        ("open", "parked", True),
        ("open", "open", False),
        ("parked", "open", True),
        ("parked", "agreed", False),
        ("agreed", "open", True),
        ("agreed", "conceded", False),
        ("conceded", "open", True),
        ("conceded", "agreed", False),
        ("open", "bogus", False),
    ],
)
def test_transition_table(deal, owner, old, new, ok):
    point = services.add_point(owner, deal, title="p", agreed_wording="文言")
    NegotiationPoint.objects.filter(pk=point.pk).update(status=old)
    point.refresh_from_db()
    if ok:
        assert services.set_status(owner, point, new).status == new
    else:
        with pytest.raises(ChizaiError):
            services.set_status(owner, point, new)
        point.refresh_from_db()
        assert point.status == old


def test_viewer_cannot_change_points(deal, owner, members):
    point = services.add_point(owner, deal, title="p")
    with pytest.raises(PermissionDenied):
        services.set_status(members["viewer"], point, "parked")
    with pytest.raises(PermissionDenied):
        services.update_point(members["viewer"], point, fallback="x")


def test_measurable_prompts_for_vague_wording(deal, owner):
    point = services.add_point(
        owner, deal, title="納期", counterparty_position="速やかに納入すること。色味の差が目立たないこと"
    )
    ids = {s.id for s in services.measurable_prompts(point, "ja")}
    assert {"delivery", "colour"} <= ids
    en = services.measurable_prompts(point, "en")
    assert any("ΔE" in s.suggestion for s in en)
    plain = services.add_point(owner, deal, title="支払", counterparty_position="検収後30日以内に支払う")
    assert services.measurable_prompts(plain) == []


def test_contacts_followups_and_nemawashi(deal, owner):
    boss = services.add_stakeholder(
        owner, deal, name="田中部長", side="theirs", stance="sceptical", influence="high", consult_before_meeting=True
    )
    services.add_stakeholder(owner, deal, name="山田社長", side="ours", stance="champion")
    assert list(services.nemawashi_pending(deal)) == [boss]
    contact = services.log_contact(
        owner,
        deal,
        kind="visit",
        held_on=date(2026, 11, 2),
        said="成果の帰属は持ち帰り検討",
        stakeholders=[boss],
        consulted=True,
        followups=[{"text": "試験データの開示範囲を送る", "owner": "鈴木"}, {"text": " "}],
    )
    assert list(services.nemawashi_pending(deal)) == []
    boss.refresh_from_db()
    assert boss.consulted_on == date(2026, 11, 2)
    [follow] = contact.followups.all()
    services.set_followup_done(owner, follow)
    follow.refresh_from_db()
    assert follow.done_at is not None
    assert AuditEvent.objects.filter(action="deals.followup.done").exists()


def test_contact_refuses_people_from_another_deal(deal, owner, partner):
    other = services.create_deal(owner, deal.organization, partner=partner, title="別件")
    stranger = services.add_stakeholder(owner, other, name="他案件の人")
    with pytest.raises(ChizaiError):
        services.log_contact(owner, deal, kind="call", held_on=date(2026, 1, 1), said="x", stakeholders=[stranger])


def test_ledger_shares_with_weights(deal, owner):
    ledger.add_contribution(
        owner,
        deal,
        party="ours",
        kind="experiments",
        made_on=date(2026, 5, 1),
        description="切削条件の試験（失敗を含む）",
        value="300,000",
        failed_run=True,
    )
    ledger.add_contribution(
        owner, deal, party="theirs", kind="money", made_on=date(2026, 5, 1), description="開発費", value=900000
    )
    assert ledger.deal_shares(deal).shares == {"ours": Decimal("0.2500"), "theirs": Decimal("0.7500")}
    ledger.set_weights(owner, deal, {"experiments": "3", "money": "1"}, agreed=True)
    deal.refresh_from_db()
    assert deal.weights_agreed
    assert ledger.deal_shares(deal).shares == {"ours": Decimal("0.5000"), "theirs": Decimal("0.5000")}
    with pytest.raises(ChizaiError):
        ledger.set_weights(owner, deal, {"money": "-1"})
    with pytest.raises(ChizaiError):
        ledger.add_contribution(
            owner, deal, party="ours", kind="money", made_on=date(2026, 1, 1), description="x", value="abc"
        )


def test_worksheet_validation_and_totals(deal, owner):
    services.add_item(
        owner,
        deal,
        category="goods",
        item_kind="product",
        title="試作品",
        method="price",
        quantity=Decimal(5),
        unit_price=Decimal("12345.67"),
    )
    services.add_item(
        owner,
        deal,
        category="knowledge",
        item_kind="licence",
        title="加工条件の実施許諾",
        method="royalty",
        rate_percent=Decimal("2.5"),
        base_yen=Decimal(40_000_001),
        rate_basis="業界調査の中央値",
    )
    services.add_item(
        owner, deal, category="knowledge", item_kind="right", title="特許権の譲渡", method="none", included=False
    )
    with pytest.raises(ChizaiError):
        services.add_item(
            owner,
            deal,
            category="knowledge",
            item_kind="licence",
            title="x",
            method="royalty",
            rate_percent=Decimal(3),
            base_yen=Decimal(100),
        )  # no stated basis
    with pytest.raises(ChizaiError):
        services.add_item(
            owner,
            deal,
            category="goods",
            item_kind="product",
            title="x",
            method="royalty",
            rate_percent=Decimal(3),
            base_yen=Decimal(100),
            rate_basis="b",
        )
    with pytest.raises(ChizaiError):
        services.add_item(
            owner, deal, category="knowledge", item_kind="data", title="x", method="cost", cost_yen=Decimal(1)
        )
    rows, totals = services.worksheet_rows(deal)
    assert [y for _i, y in rows] == [61728, 1_000_000, 0]  # 61728.35 and 1,000,000.025 cut to whole yen
    assert (totals.goods, totals.knowledge) == (61728, 1_000_000)


def test_annex_and_brief_exports(deal, owner, members, two_drafts):
    services.add_item(
        owner,
        deal,
        category="knowledge",
        item_kind="know_how",
        title="加工ノウハウ",
        method="lump_sum",
        amount_yen=Decimal(800_000),
    )
    services.add_item(
        owner, deal, category="knowledge", item_kind="right", title="特許を受ける権利", method="none", included=False
    )
    body, ctype, name = export.export_annex(owner, deal, lang="ja", fmt="pdf")
    assert body.startswith(b"%PDF") and ctype == "application/pdf" and name.endswith("-ja.pdf")
    body, ctype, _name = export.export_annex(owner, deal, lang="en", fmt="docx")
    import io

    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert "Rights not included" in text and "特許を受ける権利" in text
    body, ctype, _name = export.export_brief(owner, deal, lang="en")
    assert body.startswith(b"%PDF")
    with pytest.raises(PermissionDenied):
        export.export_brief(members["engineer"], deal, lang="ja")
    with pytest.raises(ChizaiError):
        export.export_annex(owner, deal, lang="fr", fmt="pdf")
    assert AuditEvent.objects.filter(action__in=["deals.annex.export", "deals.brief.export"]).count() == 3


def test_brief_content_lists_must_haves_questions_and_changes(deal, owner, two_drafts):
    from django.utils import translation

    from chizai.deals.documents import brief_content

    first, _second = two_drafts
    services.point_from_finding(owner, deal, first.review, 0)
    services.add_stakeholder(owner, deal, name="田中部長", consult_before_meeting=True)
    with translation.override("en"):
        content = brief_content(deal, owner)
    assert content["must"][0][0] == "目的が広すぎる"
    assert "目的が広すぎるについて確認できますか" in content["questions"]
    assert content["appeared"] == ["JRD-09 競業禁止"] and content["gone"] == ["NDA-03 目的が広すぎる"]
    assert content["people"][0][-1] == "to consult"


def test_assets_link_only_visible_ones(deal, owner, members, org):
    from chizai.register.models import Asset

    public = Asset.objects.create(organization=org, title_ja="治具図面", classification="internal")
    secret = Asset.objects.create(organization=org, title_ja="極秘配合", classification="secret")
    foreign = Asset.objects.create(organization=MembershipFactory(user=owner).organization, title_ja="他社")
    services.set_assets(owner, deal, [public.pk, secret.pk, foreign.pk])
    assert set(deal.assets.values_list("pk", flat=True)) == {public.pk, secret.pk}
    assert list(services.visible_assets(members["viewer"], deal)) == [public]
    # the viewer-level engineer unlinking what they see leaves the secret link alone
    services.set_assets(members["engineer"], deal, [])
    assert set(deal.assets.values_list("pk", flat=True)) == {secret.pk}


def test_disclosures_link_within_the_organisation(deal, owner, members, partner):
    from chizai.disclosure.models import Disclosure

    ours = Disclosure.objects.create(
        organization=deal.organization, partner=partner, purpose="試作の評価", disclosed_on=date(2026, 4, 1)
    )
    other_org = OrganizationFactory()
    from chizai.disclosure.models import Partner

    foreign = Disclosure.objects.create(
        organization=other_org,
        partner=Partner.objects.create(organization=other_org, name_ja="x"),
        purpose="p",
        disclosed_on=date(2026, 4, 1),
    )
    assert services.set_disclosures(owner, deal, [ours.pk, foreign.pk]) == [ours.pk]
    assert list(services.visible_disclosures(members["viewer"], deal)) == [ours]
    with pytest.raises(PermissionDenied):
        services.set_disclosures(members["viewer"], deal, [])
    assert AuditEvent.objects.filter(action="deals.deal.disclosures").count() == 1


def _pdf_text(body: bytes) -> str:
    import io

    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_annex_pdf_says_what_is_and_is_not_included_with_totals_apart(deal, owner):
    services.add_item(
        owner,
        deal,
        category="goods",
        item_kind="product",
        title="試作品",
        method="price",
        quantity=Decimal(3),
        unit_price=Decimal("1000.99"),
    )
    services.add_item(
        owner,
        deal,
        category="knowledge",
        item_kind="licence",
        title="加工条件の実施許諾",
        method="royalty",
        rate_percent=Decimal("2.5"),
        base_yen=Decimal(10_000_000),
        rate_basis="業界調査の中央値",
    )
    services.add_item(
        owner, deal, category="knowledge", item_kind="right", title="特許権の譲渡", method="none", included=False
    )
    ja = _pdf_text(export.export_annex(owner, deal, lang="ja", fmt="pdf")[0])
    assert "含まれる権利" in ja and "含まれない権利" in ja
    assert "¥3,002" in ja and "¥250,000" in ja  # goods 3002.97 cut; knowledge 2.5 % of 10,000,000
    assert ja.index("含まれない権利") < ja.index("特許権の譲渡")
    assert "料率の根拠：業界調査の中央値" in ja.replace("\n", "")  # table cells wrap
    en = _pdf_text(export.export_annex(owner, deal, lang="en", fmt="pdf")[0])
    assert "Rights not included" in en and "Total for knowledge" in en and "Basis for the rate" in en


def test_brief_pdf_in_english_has_every_section(deal, owner, two_drafts):
    first, _second = two_drafts
    services.point_from_finding(owner, deal, first.review, 0)
    services.add_stakeholder(owner, deal, name="Tanaka", consult_before_meeting=True)
    text = _pdf_text(export.export_brief(owner, deal, lang="en")[0])
    for heading in (
        "Negotiation brief",
        "Our must-haves and fallbacks",
        "Open points",
        "Since the previous draft",
        "Stakeholders",
        "Consideration summary",
        "Questions to ask",
    ):
        assert heading in text
    assert "to consult" in text


def test_delete_deal_keeps_reviews_and_audits(deal, owner, members, two_drafts):
    from chizai.review.models import ContractReview

    services.add_point(owner, deal, title="p")
    with pytest.raises(PermissionDenied):
        services.delete_deal(members["engineer"], deal)
    services.delete_deal(members["manager"], deal)
    assert not NegotiationPoint.objects.exists()
    assert ContractReview.objects.filter(pk=two_drafts[0].review.pk).exists()
    event = AuditEvent.objects.get(action="deals.deal.delete")
    assert event.changes["before"]["points"] == 1 and len(event.changes["before"]["drafts"]) == 2
