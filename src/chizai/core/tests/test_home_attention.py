"""The organisation home lists what needs attention, per role, each item counted, labelled in
the reader's language and linked to where it is resolved (core/attention.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chizai.core import attention
from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from chizai.disclosure import services as disclosure_services
from chizai.disclosure.models import Agreement, Disclosure
from chizai.disclosure.tests.conftest import disclose, make_asset, make_version
from chizai.register.tests.factories import AssetFactory, HolderFactory

# every label of the list, in both languages (the catalogues' translations)
LABELS = {
    "overdue_returns": ("Returns or destructions overdue", "返還・破棄の期限を過ぎた開示"),
    "upcoming_returns": ("Returns or destructions due within 30 days", "30日以内に返還・破棄の期限が来る開示"),
    "ndas_expiring": ("NDAs expiring within 90 days", "90日以内に期間満了するNDA"),
    "approvals_waiting": ("Disclosures waiting for approval", "承認待ちの開示"),
    "reviews_with_high_findings": ("Contract reviews with open high findings", "重大な指摘が残る契約レビュー"),
    "succession_risks": (
        "Important know-how at succession risk (one holder, or a holder leaving within 12 months)",
        "承継リスクのある重要なノウハウ（保有者が1人、または12か月以内に退職する保有者）",
    ),
    "reviews_due": ("Register entries due for review", "見直し期限が来た台帳の項目"),
    "followups_due": ("Stakeholder follow-ups due", "期限が来た関係者へのフォローアップ"),
}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def partner(org, owner):
    return disclosure_services.create_partner(
        owner, org, name_ja="トヨ部品株式会社", name_en="Toyo Parts", kind="tier1"
    )


def make_nda(org, owner, partner, today, expires_in_days=365):
    agreement, _ = disclosure_services.create_agreement(
        owner,
        org,
        partner.pk,
        title="秘密保持契約",
        type="NDA",
        direction="mutual",
        status="signed",
        signed_on=today - timedelta(days=30),
        effective_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=expires_in_days),
        purpose_stages=["inquiry", "quotation", "prototype"],
        return_duty="return_or_destroy",
        return_days=30,
        certificate_required=True,
        survival_months=36,
    )
    return agreement


@pytest.fixture
def nda(org, owner, partner, today):
    return make_nda(org, owner, partner, today)


@pytest.fixture
def version(org, owner):
    return make_version(owner, org, make_asset(owner, org))


def counts(user, org):
    return {item.key: item.count for item in attention.items(user, org)}


def page(user, org, language="en"):
    web = Client(HTTP_ACCEPT_LANGUAGE=language)
    web.force_login(user)
    response = web.get(f"/o/{org.slug}/")
    assert response.status_code == 200
    return response.content.decode()


# --- each kind of item: data that triggers it, data that does not ---------------------------


def test_nothing_to_do_says_so_calmly(org, owner):
    assert attention.items(owner, org) == []
    body = page(owner, org)
    assert 'id="attention-none"' in body and "Nothing needs attention." in body
    assert 'id="parts"' in body  # the part cards stay below


def test_overdue_and_upcoming_returns(org, owner, partner, nda, version, today):
    disclose(owner, org, partner, version, return_due_on=today + timedelta(days=60))  # neither
    assert "overdue_returns" not in counts(owner, org) and "upcoming_returns" not in counts(owner, org)
    disclose(owner, org, partner, version, return_due_on=today - timedelta(days=3))
    disclose(owner, org, partner, version, return_due_on=today + timedelta(days=10))
    returned = disclose(owner, org, partner, version, return_due_on=today - timedelta(days=5))
    disclosure_services.record_return(owner, org, returned.pk, returned_on=today)  # done: not counted
    found = counts(owner, org)
    assert found["overdue_returns"] == 1 and found["upcoming_returns"] == 1
    body = page(owner, org)
    assert (
        f'href="/o/{org.slug}/disclosure/"><span class="badge danger" data-count="1">1</span> '
        f"{LABELS['overdue_returns'][0]}" in body
    )
    assert f'href="/o/{org.slug}/disclosure/calendar/"' in body


def test_ndas_expiring_within_90_days(org, owner, partner, today):
    make_nda(org, owner, partner, today, expires_in_days=120)
    assert "ndas_expiring" not in counts(owner, org)
    soon = make_nda(org, owner, partner, today, expires_in_days=30)
    assert counts(owner, org)["ndas_expiring"] == 1
    assert f'href="/o/{org.slug}/disclosure/agreements/{soon.pk}/"' in page(owner, org)  # the one to renew


def test_approvals_waiting_only_for_roles_that_may_approve(org, owner, members, partner, nda, version):
    done = disclose(owner, org, partner, version)
    assert done.status == Disclosure.Status.DISCLOSED
    assert "approvals_waiting" not in counts(owner, org)
    waiting = disclose(owner, org, partner, version)
    Disclosure.objects.filter(pk=waiting.pk).update(status=Disclosure.Status.PENDING)
    assert counts(owner, org)["approvals_waiting"] == 1
    assert counts(members["manager"], org)["approvals_waiting"] == 1
    for role in ("engineer", "viewer"):
        assert "approvals_waiting" not in counts(members[role], org), role
        assert attention.approvals_waiting(members[role], org) is None
    assert f'href="/o/{org.slug}/disclosure/{waiting.pk}/"' in page(owner, org)
    viewer_page = page(members["viewer"], org)
    assert LABELS["approvals_waiting"][0] not in viewer_page


def test_reviews_with_open_high_findings(org, owner):
    from chizai.review.models import ContractReview

    old = ContractReview.objects.create(
        organization=org, title="NDA v1", filename="a.txt", content_sha256="1", status="done", high_count=2
    )
    ContractReview.objects.create(
        organization=org,
        title="NDA v2",
        filename="a.txt",
        content_sha256="2",
        status="done",
        high_count=0,
        medium_count=3,
        previous=old,
    )  # resolved in the new draft
    ContractReview.objects.create(
        organization=org, title="failed", filename="b.txt", content_sha256="3", status="failed", high_count=9
    )
    assert "reviews_with_high_findings" not in counts(owner, org)
    open_one = ContractReview.objects.create(
        organization=org, title="取引基本契約", filename="c.txt", content_sha256="4", status="done", high_count=1
    )
    assert counts(owner, org)["reviews_with_high_findings"] == 1
    assert f'href="/o/{org.slug}/reviews/{open_one.pk}/"' in page(owner, org)


def test_important_know_how_at_succession_risk(org, owner, today):
    from chizai.advisers import figures

    shared = AssetFactory(organization=org, business_value="high")
    HolderFactory(asset=shared)
    HolderFactory(asset=shared, leaves_on=today + timedelta(days=800))  # two holders, nobody leaving soon
    HolderFactory(asset=AssetFactory(organization=org))  # one holder, but of an ordinary internal entry
    AssetFactory(organization=org, classification="secret")  # nobody named: not a holder leaving
    assert "succession_risks" not in counts(owner, org)
    HolderFactory(asset=AssetFactory(organization=org, classification="secret"))  # one holder
    leaving = AssetFactory(organization=org, business_value="high")
    HolderFactory(asset=leaving)
    HolderFactory(asset=leaving, leaves_on=today + timedelta(days=100))  # one of two leaves within 12 months
    assert counts(owner, org)["succession_risks"] == 2
    assert figures.succession_risks(org) == 2  # the adviser portfolio counts the same
    assert f'href="/o/{org.slug}/register/risks/"' in page(owner, org)


def test_assets_past_their_review_date(org, owner, today):
    AssetFactory(organization=org, next_review=today + timedelta(days=10))
    AssetFactory(organization=org)
    assert "reviews_due" not in counts(owner, org)
    AssetFactory(organization=org, next_review=today - timedelta(days=1))
    assert counts(owner, org)["reviews_due"] == 1
    link = f"/o/{org.slug}/register/?review_due=on"
    assert f'href="{link}"' in page(owner, org)
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(owner)
    assert len(web.get(link).context["page"].object_list) == 1  # the link opens exactly those


def test_stakeholder_follow_ups_due(org, owner, partner, today):
    from chizai.deals import services as deal_services

    deal = deal_services.create_deal(owner, org, partner=partner, title="樹脂ギア共同開発", kind="joint_rd")
    contact = deal_services.log_contact(
        owner,
        deal,
        kind="meeting",
        held_on=today,
        said="試作の条件を確認",
        followups=[{"text": "見積を送る", "owner": "田中", "due_on": today + timedelta(days=7)}],
    )
    assert "followups_due" not in counts(owner, org)
    late = deal_services.add_followup(owner, contact, text="図面の返却を依頼", due_on=today - timedelta(days=2))
    done = deal_services.add_followup(owner, contact, text="議事録を送る", due_on=today - timedelta(days=1))
    deal_services.set_followup_done(owner, done)
    assert counts(owner, org)["followups_due"] == 1
    assert f'href="/o/{org.slug}/deals/{late.deal_id}/"' in page(owner, org)


# --- what each user may see -------------------------------------------------------------------


def test_another_organisations_data_is_not_counted(org, other_org, owner, today):
    AssetFactory(organization=other_org, next_review=today - timedelta(days=1))
    outsider = MembershipFactory(organization=other_org, role="owner", user=UserFactory(username="rival-owner")).user
    assert counts(owner, org) == {}
    assert counts(outsider, other_org) == {"reviews_due": 1}


def test_counts_follow_what_the_user_may_view(org, owner, members, today):
    """A viewer does not see secret entries in the register, so they are not counted for them."""
    AssetFactory(organization=org, classification="secret", next_review=today - timedelta(days=1))
    assert counts(owner, org).get("reviews_due") == 1
    assert "reviews_due" not in counts(members["viewer"], org)


# --- one language at a time -------------------------------------------------------------------


@pytest.fixture
def everything(org, owner, partner, version, today):
    """Data that triggers every item for the owner."""
    from chizai.deals import services as deal_services
    from chizai.review.models import ContractReview

    make_nda(org, owner, partner, today, expires_in_days=20)
    disclose(owner, org, partner, version, return_due_on=today - timedelta(days=3))
    disclose(owner, org, partner, version, return_due_on=today + timedelta(days=5))
    waiting = disclose(owner, org, partner, version)
    Disclosure.objects.filter(pk=waiting.pk).update(status=Disclosure.Status.PENDING)
    ContractReview.objects.create(
        organization=org, title="NDA", filename="a.txt", content_sha256="1", status="done", high_count=1
    )
    HolderFactory(asset=AssetFactory(organization=org, business_value="high", next_review=today - timedelta(days=3)))
    deal = deal_services.create_deal(owner, org, partner=partner, title="共同開発", kind="joint_rd")
    deal_services.log_contact(
        owner,
        deal,
        kind="call",
        held_on=today,
        said="確認",
        followups=[{"text": "返事をする", "owner": "", "due_on": today}],
    )


def test_every_item_in_one_language_at_a_time(org, owner, everything):
    assert set(counts(owner, org)) == set(LABELS)
    english, japanese = page(owner, org, "en"), page(owner, org, "ja")
    for key, (en, ja) in LABELS.items():
        assert en in english and ja not in english, key
        assert ja in japanese and en not in japanese, key
    assert "Needs attention" in english and "Needs attention" not in japanese
    assert "Nothing needs attention." not in english


def test_pages_agree_on_overdue_returns(org, owner, partner, nda, version, today):
    """The home page, the disclosure page and the adviser portfolio show the same overdue count,
    including a return date only the agreement implies."""
    from chizai.advisers.tests.conftest import engage

    disclose(owner, org, partner, version, return_due_on=today - timedelta(days=3))
    disclose(owner, org, partner, version)  # its return date comes from the NDA
    disclose(owner, org, partner, version, return_due_on=today + timedelta(days=3))  # not yet due
    Agreement.objects.filter(pk=nda.pk).update(expires_on=today - timedelta(days=40))  # + 30 days: 10 days ago
    assert counts(owner, org)["overdue_returns"] == 2
    assert 'data-count="2">2</span> Returns or destructions overdue' in page(owner, org)
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(owner)
    assert 'id="overdue-returns">2<' in web.get(f"/o/{org.slug}/disclosure/").content.decode()

    support = OrganizationFactory(slug="support-centre", kind="support", name_ja="支援センター")
    adviser = MembershipFactory(organization=support, role="engineer", user=UserFactory(username="adv-home")).user
    engage(org, owner, adviser, support)
    web.force_login(adviser)
    response = web.get(f"/o/{support.slug}/advisers/portfolio/")
    row = next(r for r in response.context["rows"] if r["client"] == org)
    assert dict((spec.key, value) for spec, value in row["cells"])["overdue_returns"] == 2
    assert f'<a href="/o/{org.slug}/disclosure/">2</a>' in response.content.decode()
    assert counts(adviser, org)["overdue_returns"] == 2  # the adviser's own home in the client


def test_adviser_portfolio_counts_ndas_expiring_with_the_same_query(org, owner, partner, today):
    from chizai.advisers import figures

    make_nda(org, owner, partner, today, expires_in_days=30)
    make_nda(org, owner, partner, today, expires_in_days=120)
    assert figures.ndas_expiring(org) == counts(owner, org)["ndas_expiring"] == 1
