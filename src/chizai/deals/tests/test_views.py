"""The web pages of a deal: create, add drafts, points in one click, status, people,
ledger with chart, worksheet, exports — and what a viewer may not do."""

import re

import pytest
from django.test import Client

from chizai.deals import ledger, services
from chizai.deals.models import Deal, NegotiationPoint

from .conftest import DRAFT_1, DRAFT_2


@pytest.fixture
def client_for(members):
    def make(role):
        client = Client()
        client.force_login(members[role])
        return client

    return make


def test_create_a_deal_with_a_new_partner(client_for, org):
    owner = client_for("owner")
    response = owner.post(
        f"/o/{org.slug}/deals/",
        {
            "title": "金型共同開発",
            "new_partner": "東海オートパーツ株式会社",
            "new_partner_kind": "tier1",
            "kind": "joint_rd",
            "stage": "preparing",
        },
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert deal.partner.name_ja == "東海オートパーツ株式会社" and deal.partner.organization == org
    page = owner.get(f"/o/{org.slug}/deals/").content.decode()
    assert "金型共同開発" in page
    bad = owner.post(f"/o/{org.slug}/deals/", {"title": "x", "kind": "order", "stage": "preparing"})
    assert bad.status_code == 400


def test_viewer_sees_but_cannot_write(client_for, org, deal):
    viewer = client_for("viewer")
    assert viewer.get(f"/o/{org.slug}/deals/{deal.pk}/").status_code == 200
    assert (
        viewer.post(
            f"/o/{org.slug}/deals/", {"title": "x", "new_partner": "y", "kind": "order", "stage": "preparing"}
        ).status_code
        == 403
    )
    assert (
        viewer.post(f"/o/{org.slug}/deals/{deal.pk}/points/", {"title": "x", "our_position": "must"}).status_code == 403
    )
    assert viewer.get(f"/o/{org.slug}/deals/{deal.pk}/brief/?lang=ja").status_code == 403
    assert "deal-edit-form" not in viewer.get(f"/o/{org.slug}/deals/{deal.pk}/").content.decode()


def test_drafts_findings_and_one_click_points(client_for, org, deal, fake_engine):
    owner = client_for("owner")
    base = f"/o/{org.slug}/deals/{deal.pk}"
    assert owner.post(f"{base}/drafts/new/", {"text": DRAFT_1, "from_party": "theirs"}).status_code == 302
    assert owner.post(f"{base}/drafts/new/", {"text": DRAFT_2, "from_party": "theirs"}).status_code == 302
    page = owner.get(f"{base}/").content.decode()
    appeared = page[page.index('id="appeared-2"') : page.index('id="gone-2"')]
    gone = page[page.index('id="gone-2"') :]
    assert "JRD-09" in appeared and "NDA-03" in gone[: gone.index("</div>")]
    latest = services.latest_draft(deal)
    for _ in range(2):  # the second click finds the same point
        response = owner.post(f"{base}/points/from-finding/", {"review": latest.review.pk, "index": 0})
        assert response.status_code == 302 and "/points/" in response["Location"]
    assert NegotiationPoint.objects.filter(deal=deal).count() == 1
    page = owner.get(f"{base}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        page.count("Already a negotiation point.") == 1 and page.count("make-point") == len(latest.review.findings) - 1
    )


def test_point_status_through_the_web(client_for, org, deal, owner):
    point = services.add_point(owner, deal, title="納期", counterparty_position="速やかに納入する")
    client = client_for("engineer")
    url = f"/o/{org.slug}/deals/{deal.pk}/points/{point.pk}/"
    page = client.get(url).content.decode()
    assert 'data-term="delivery"' in page
    client.post(url + "status/", {"status": "agreed", "agreed_wording": ""})
    point.refresh_from_db()
    assert point.status == "open"  # refused: no wording
    client.post(url + "status/", {"status": "agreed", "agreed_wording": "発注後20営業日以内に納入する"})
    point.refresh_from_db()
    assert point.status == "agreed"
    client.post(url + "status/", {"status": "parked"})
    point.refresh_from_db()
    assert point.status == "agreed"
    assert client_for("viewer").post(url + "status/", {"status": "open"}).status_code == 403


def test_people_contacts_and_followups(client_for, org, deal):
    owner = client_for("owner")
    base = f"/o/{org.slug}/deals/{deal.pk}"
    owner.post(
        f"{base}/people/",
        {
            "side": "theirs",
            "name": "田中部長",
            "role": "調達部長",
            "stance": "sceptical",
            "influence": "high",
            "consult_before_meeting": "on",
        },
    )
    person = deal.stakeholders.get()
    assert "to consult" in owner.get(f"{base}/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "田中部長"
        in owner.get(f"{base}/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split('id="nemawashi-pending"')[1]
    )
    owner.post(
        f"{base}/contacts/",
        {
            "kind": "visit",
            "held_on": "2026-11-02",
            "said": "帰属は持ち帰り",
            "stakeholders": [person.pk],
            "consulted": "on",
            "followup_text": "データ開示範囲を送付",
            "followup_owner": "鈴木",
        },
    )
    person.refresh_from_db()
    assert person.consulted_on.isoformat() == "2026-11-02"
    follow = deal.followups.get()
    owner.post(f"{base}/followups/{follow.pk}/done/", {"done": "1"})
    follow.refresh_from_db()
    assert follow.done_at is not None


def test_ledger_chart_and_weights(client_for, org, deal):
    owner = client_for("owner")
    base = f"/o/{org.slug}/deals/{deal.pk}"
    owner.post(
        f"{base}/ledger/",
        {"party": "ours", "kind": "ideas", "made_on": "2026-06-01", "description": "治具の着想", "value": "100000"},
    )
    owner.post(
        f"{base}/ledger/",
        {"party": "theirs", "kind": "money", "made_on": "2026-06-01", "description": "資金", "value": "300000"},
    )
    assert deal.contributions.count() == 2
    svg = owner.get(f"{base}/ledger/chart.svg")
    assert svg["Content-Type"].startswith("image/svg+xml") and b"25.00 %" in svg.content and b"75.00 %" in svg.content
    weights = {k: "1" for k in ("money", "hours", "equipment", "materials", "background_ip", "experiments")}
    owner.post(f"{base}/ledger/weights/", {**weights, "ideas": "3", "agreed": "on"})
    page = owner.get(f"{base}/ledger/").content.decode()
    assert re.findall(r'class="share">([0-9.]+)<', page) == ["0.5000", "0.5000"]


def test_worksheet_totals_and_annex(client_for, org, deal):
    owner = client_for("owner")
    base = f"/o/{org.slug}/deals/{deal.pk}"
    owner.post(
        f"{base}/worksheet/",
        {
            "category": "goods",
            "item_kind": "product",
            "title": "試作品",
            "included": "on",
            "method": "price",
            "quantity": "3",
            "unit_price": "33333.33",
        },
    )
    owner.post(
        f"{base}/worksheet/",
        {
            "category": "knowledge",
            "item_kind": "know_how",
            "title": "加工条件",
            "included": "on",
            "method": "cost",
            "cost_yen": "1000001",
            "margin_percent": "15",
        },
    )
    response = owner.post(
        f"{base}/worksheet/",
        {
            "category": "knowledge",
            "item_kind": "licence",
            "title": "x",
            "included": "on",
            "method": "royalty",
            "rate_percent": "3",
            "base_yen": "1",
        },
    )
    assert response.status_code == 400  # no basis for the rate
    page = owner.get(f"{base}/worksheet/").content.decode()
    assert re.search(r'id="total-goods">¥99,999<', page)  # 99,999.99 cut
    assert re.search(r'id="total-knowledge">¥1,150,001<', page)  # 1,150,001.15 cut
    pdf = owner.get(f"{base}/annex/?lang=en&fmt=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = owner.get(f"{base}/annex/?lang=ja&fmt=docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    brief = owner.get(f"{base}/brief/?lang=ja")
    assert brief.status_code == 200 and brief.content.startswith(b"%PDF")


def test_secret_evidence_is_not_named_to_a_role_that_may_not_see_it(client_for, org, deal, owner):
    from datetime import date

    from chizai.register.models import Asset

    secret = Asset.objects.create(organization=org, title_ja="極秘の配合比率", classification="secret")
    ledger.add_contribution(
        owner,
        deal,
        party="ours",
        kind="background_ip",
        made_on=date(2026, 1, 1),
        description="配合",
        value=1,
        evidence_asset=secret,
    )
    services.set_assets(owner, deal, [secret.pk])
    for role in ("viewer", "engineer"):
        client = client_for(role)
        for page in ("", "ledger/"):
            body = client.get(f"/o/{org.slug}/deals/{deal.pk}/{page}").content.decode()
            assert "極秘の配合比率" not in body, (role, page)
    assert "極秘の配合比率" in client_for("owner").get(f"/o/{org.slug}/deals/{deal.pk}/ledger/").content.decode()


def test_edit_deal_point_consulted_evidence_and_removals(client_for, org, deal, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chizai.core.models import AuditEvent

    client = client_for("manager")
    base = f"/o/{org.slug}/deals/{deal.pk}"
    client.post(f"{base}/edit/", {"title": "改名後", "partner": deal.partner.pk, "kind": "licence", "stage": "agreed"})
    deal.refresh_from_db()
    assert (deal.title, deal.kind, deal.stage) == ("改名後", "licence", "agreed")
    point = services.add_point(owner, deal, title="p")
    client.post(f"{base}/points/{point.pk}/", {"title": "p2", "our_position": "tradeable", "fallback": "f"})
    point.refresh_from_db()
    assert (point.title, point.our_position, point.fallback) == ("p2", "tradeable", "f")
    person = services.add_stakeholder(owner, deal, name="森", consult_before_meeting=True)
    client.post(f"{base}/people/{person.pk}/consulted/", {"consulted_on": "2026-10-01"})
    person.refresh_from_db()
    assert person.consulted_on.isoformat() == "2026-10-01"
    client.post(
        f"{base}/ledger/",
        {
            "party": "ours",
            "kind": "experiments",
            "made_on": "2026-06-01",
            "description": "試験",
            "value": "5000",
            "failed_run": "on",
            "evidence_file": SimpleUploadedFile("run-3.csv", b"load,cycles\n5kN,1200\n"),
        },
    )
    entry = deal.contributions.get()
    download = client.get(f"{base}/ledger/{entry.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"load,cycles")
    client.post(f"{base}/ledger/{entry.pk}/delete/")
    assert not deal.contributions.exists()
    item = services.add_item(
        owner, deal, category="goods", item_kind="product", title="x", method="lump_sum", amount_yen=1
    )
    client.post(f"{base}/worksheet/{item.pk}/delete/")
    assert not deal.consideration_items.exists()
    assert AuditEvent.objects.filter(action__in=["deals.contribution.delete", "deals.item.delete"]).count() == 2


def test_stakeholder_map_places_people_by_stance_and_influence(client_for, org, deal, owner):
    from chizai.deals.chart import stakeholder_layout

    services.add_stakeholder(
        owner, deal, name="井上", side="theirs", stance="opposed", influence="high", consult_before_meeting=True
    )
    services.add_stakeholder(owner, deal, name="森", side="theirs", stance="champion", influence="low")
    services.add_stakeholder(owner, deal, name="石田", side="theirs", stance="champion", influence="low")
    spots = {s["name"]: s for s in stakeholder_layout(deal.stakeholders.all())}
    assert spots["井上"]["x"] < spots["森"]["x"] and spots["井上"]["y"] < spots["森"]["y"]  # left and higher up
    assert spots["森"]["x"] == spots["石田"]["x"] and spots["森"]["y"] != spots["石田"]["y"]  # same cell, stacked
    assert spots["井上"]["pending"] and not spots["森"]["pending"]
    page = client_for("viewer").get(f"/o/{org.slug}/deals/{deal.pk}/people/").content.decode()
    svg = page[page.index('class="stakeholder-map"') : page.index("</svg>")]
    assert svg.count('class="pending"') == 1 and "井上" in svg


def test_worksheet_shows_the_contribution_shares(client_for, org, deal, owner):
    from datetime import date

    ledger.add_contribution(owner, deal, party="ours", kind="money", made_on=date(2026, 1, 1), description="x", value=1)
    ledger.add_contribution(
        owner, deal, party="theirs", kind="money", made_on=date(2026, 1, 1), description="y", value=2
    )
    page = client_for("viewer").get(f"/o/{org.slug}/deals/{deal.pk}/worksheet/").content.decode()
    shares = page[page.index('id="worksheet-shares"') :].split("</p>")[0]
    assert "33.33 %" in shares and "66.67 %" in shares


def test_stance_changes_are_saved_and_audited(client_for, org, deal, owner):
    from chizai.core.models import AuditEvent

    person = services.add_stakeholder(owner, deal, name="井上", side="theirs", stance="sceptical")
    url = f"/o/{org.slug}/deals/{deal.pk}/people/{person.pk}/"
    assert client_for("engineer").get(url).status_code == 200
    client_for("engineer").post(
        url, {"side": "theirs", "name": "井上", "role": "調達部長", "stance": "supportive", "influence": "high"}
    )
    person.refresh_from_db()
    assert (person.stance, person.role) == ("supportive", "調達部長")
    event = AuditEvent.objects.get(action="deals.stakeholder.update")
    assert event.changes["before"]["stance"] == "sceptical" and event.changes["after"]["stance"] == "supportive"
    assert client_for("viewer").get(url).status_code == 403


def test_a_linked_asset_links_to_that_asset(client_for, org, deal, owner):
    from chizai.register import services as register

    asset = register.create_asset(owner, org, title_ja="金型の冷却条件", classification="internal")
    services.set_assets(owner, deal, [asset.pk])
    page = client_for("owner").get(f"/o/{org.slug}/deals/{deal.pk}/").content.decode()
    assert f'href="/o/{org.slug}/register/{asset.pk}/">金型の冷却条件</a>' in page
