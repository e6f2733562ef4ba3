"""Every URL and every API route, walked with users who must not see the victim's data.

Attackers: anonymous, each role of another organisation, an adviser with no engagement
and one whose engagement ended. Any 200 for the victim's objects fails the test, and an
outsider must get 404 (never 403, which would confirm the object exists). Members whose
role lacks the permission a view declares must not get a 200 either.

When a new route takes a parameter this test does not know, it fails and names it: add
a maker for it to OBJECT_MAKERS so the new route is covered.
"""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from chizai.core import permissions, services
from chizai.core.jobs import enqueue
from chizai.core.models import AdvisoryEngagement, Membership
from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory

VICTIM_SLUG = "victim-x7q"
VICTIM_NAME = "被害者精工株式会社"
ROLES = ["owner", "manager", "engineer", "viewer"]


def _membership(victim, people):
    return Membership.objects.get(organization=victim, user=people["viewer"]).pk


def _engagement(victim, people):
    return AdvisoryEngagement.objects.filter(organization=victim).first().pk


def _asset(victim, people):
    from chizai.register import services as register_services

    return register_services.create_asset(people["owner"], victim, title_ja="被害者の金型ノウハウ", classification="internal").pk


def _version(victim, people):
    import io

    from chizai.register import services as register_services

    asset = register_services.create_asset(people["owner"], victim, title_ja="被害者の図面", classification="internal")
    return register_services.upload_version(people["owner"], victim, asset.pk, io.BytesIO(b"victim file"), name="v.txt").pk


def _holder(victim, people):
    from chizai.register import services as register_services

    asset = register_services.create_asset(people["owner"], victim, title_ja="被害者の加工条件", classification="internal")
    return register_services.add_holder(people["owner"], victim, asset.pk, name="被害者の職人").pk


def _job(victim, people):
    return enqueue(people["owner"], victim, "core.selftest").pk


def _review(victim, people):
    from chizai.review.models import ContractReview

    return ContractReview.objects.create(
        organization=victim, created_by=people["owner"], title=f"{VICTIM_NAME} NDA", filename="nda.txt",
        text=f"{VICTIM_NAME} 秘密保持契約", content_sha256="0" * 64, status="done",
        report={"findings": [], "checklist": [], "summary": VICTIM_NAME, "disclaimer": ""},
    ).pk


def _diagnostic(victim, people):
    from chizai.advisers.models import Diagnostic

    return Diagnostic.objects.create(organization=victim, created_by=people["owner"], notes=f"{VICTIM_NAME} 診断").pk


def _deal_objects(victim, people):
    """One deal of the victim with one of everything under it (made once per test)."""
    if not hasattr(victim, "_deal_objects"):
        from datetime import date

        from chizai.deals import services as deals
        from chizai.disclosure.models import Partner

        owner = people["owner"]
        partner = Partner.objects.create(organization=victim, name_ja=f"{VICTIM_NAME}の取引先")
        deal = deals.create_deal(owner, victim, partner=partner, title=f"{VICTIM_NAME} 共同開発")
        person = deals.add_stakeholder(owner, deal, name=f"{VICTIM_NAME} 部長")
        contact = deals.log_contact(owner, deal, kind="call", held_on=date(2026, 1, 5), said=VICTIM_NAME,
                                    stakeholders=[person], followups=[{"text": VICTIM_NAME}])
        victim._deal_objects = {
            "deal_id": deal.pk,
            "point_id": deals.add_point(owner, deal, title=VICTIM_NAME).pk,
            "stakeholder_id": person.pk,
            "followup_id": contact.followups.get().pk,
            "entry_id": deals.add_contribution(owner, deal, party="ours", kind="money", made_on=date(2026, 1, 5),
                                               description=VICTIM_NAME, value=1000).pk,
            "item_id": deals.add_item(owner, deal, category="knowledge", item_kind="know_how", title=VICTIM_NAME,
                                      method="lump_sum", amount_yen=1000).pk,
        }
    return victim._deal_objects


def _deal_maker(name):
    return lambda victim, people: _deal_objects(victim, people)[name]


# URL parameter -> function(victim org, victim people) returning the id of a victim object
# (or, for a non-object parameter, a valid value).
def _disclosure_objects(victim, people):
    """One partner, agreement, disclosure and hand-over copy of the victim (made once per world)."""
    from chizai.disclosure.models import Agreement, Disclosure, DisclosureItem, DisclosureRecipient, HandoverCopy, Partner

    partner = Partner.objects.filter(organization=victim, name_ja=f"{VICTIM_NAME}の開示先").first() or Partner.objects.create(
        organization=victim, name_ja=f"{VICTIM_NAME}の開示先")
    agreement = Agreement.objects.filter(organization=victim).first() or Agreement.objects.create(
        organization=victim, partner=partner, title=f"{VICTIM_NAME} NDA", type="NDA")
    disclosure = Disclosure.objects.filter(organization=victim).first() or Disclosure.objects.create(
        organization=victim, partner=partner, agreement=agreement, purpose=VICTIM_NAME, disclosed_on="2026-11-01",
        status="disclosed")
    copy = HandoverCopy.objects.filter(organization=victim).first()
    if copy is None:
        item = DisclosureItem.objects.create(organization=victim, disclosure=disclosure, description=VICTIM_NAME)
        recipient = DisclosureRecipient.objects.create(organization=victim, disclosure=disclosure, name=VICTIM_NAME)
        copy = HandoverCopy.objects.create(organization=victim, disclosure=disclosure, item=item, recipient=recipient,
                                           fingerprint="0" * 16, filename="victim.pdf", kind="pdf", sha256="0" * 64, size=1,
                                           storage_name="none", key_id="none", wrapped_key="none")
    return {"partner_id": partner.pk, "agreement_id": agreement.pk, "disclosure_id": disclosure.pk, "copy_id": copy.pk}


def _disclosure_maker(name):
    return lambda victim, people: _disclosure_objects(victim, people)[name]


OBJECT_MAKERS = {
    **{name: _disclosure_maker(name) for name in ("partner_id", "agreement_id", "disclosure_id", "copy_id")},
    "asset_id": _asset,
    "version_id": _version,
    "holder_id": _holder,
    "membership_id": _membership,
    "engagement_id": _engagement,
    "job_id": _job,
    "diagnostic_id": _diagnostic,
    "review_id": _review,
    "other_id": _review,
    "fmt": lambda victim, people: "html",
    **{name: _deal_maker(name) for name in ("deal_id", "point_id", "stakeholder_id", "followup_id", "entry_id", "item_id")},
}
NON_ORG_PARAMS = {"token"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def web_routes():
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or route.startswith("static/") or route.startswith("^static"):
            continue
        routes.append((route, pattern))
    return routes


def _fill(route: str, values: dict) -> str:
    def repl(match):
        name = match.group(2)
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", repl, route)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture
def world(db):
    victim = OrganizationFactory(slug=VICTIM_SLUG, name_ja=VICTIM_NAME, name_en="Victim Seiko")
    people = {role: MembershipFactory(organization=victim, role=role, user=UserFactory(username=f"v-{role}")).user for role in ROLES}
    old_adviser = UserFactory(username="old-adviser")
    services.end_engagement(people["owner"], victim, services.grant_engagement(people["owner"], victim, old_adviser))
    rival = OrganizationFactory(slug="rival-org")
    attackers = {f"rival-{role}": MembershipFactory(organization=rival, role=role, user=UserFactory(username=f"r-{role}")).user for role in ROLES}
    attackers["adviser-without-engagement"] = UserFactory(username="stray-adviser")
    attackers["adviser-engagement-ended"] = old_adviser
    values = {"org_slug": VICTIM_SLUG, "slug": VICTIM_SLUG, "token": "no-such-token"}
    for name, maker in OBJECT_MAKERS.items():
        values[name] = maker(victim, people)
    return victim, people, attackers, values


def _assert_no_leak(response, who, method, path):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert VICTIM_SLUG.encode() not in body and VICTIM_NAME.encode() not in body, f"{who} {method} {path} shows victim data"


def test_every_web_route_hides_victim_data(world):
    victim, people, attackers, values = world
    checked = 0
    for route, pattern in web_routes():
        try:
            path = _fill(route, values)
        except KeyError as missing:
            pytest.fail(f"route {route!r} takes parameter {missing}: add a maker for it to OBJECT_MAKERS")
        org_scoped = "<slug:org_slug>" in route
        for method in ("get", "post"):
            anonymous = getattr(Client(), method)(path)
            if org_scoped:
                assert anonymous.status_code in (302, 405), f"anonymous {method} {path}: {anonymous.status_code}"
                if anonymous.status_code == 302:
                    assert "/login/" in anonymous["Location"]
            for who, user in attackers.items():
                client = Client()
                client.force_login(user)
                response = getattr(client, method)(path)
                assert response.status_code != 500, f"{who} {method} {path} crashed"
                if org_scoped:
                    assert response.status_code in (404, 405), f"{who} {method} {path}: {response.status_code}"
                elif response.status_code == 200:
                    _assert_no_leak(response, who, method, path)
                checked += 1
    assert checked > 50


def test_roles_without_permission_get_no_200(world):
    victim, people, attackers, values = world
    checked = 0
    for route, pattern in web_routes():
        guard = getattr(pattern.callback, "chizai_permission", None)
        if guard is None:
            continue
        app, action = guard
        path = _fill(route, values)
        for role in ROLES:
            if permissions.allowed(role, app, action):
                continue
            client = Client()
            client.force_login(people[role])
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                assert response.status_code in (403, 404, 405), f"{role} {method} {path} ({app}.{action}): {response.status_code}"
                checked += 1
    assert checked > 0


def _api_paths():
    from chizai.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method


def test_every_api_route_hides_victim_data(world):
    victim, people, attackers, values = world
    checked = 0
    for template, method in _api_paths():
        try:
            path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        except KeyError as missing:
            pytest.fail(f"API route {template!r} takes parameter {missing}: add a maker for it to OBJECT_MAKERS")
        anonymous = Client().generic(method.upper(), path, data="{}", content_type="application/json")
        assert anonymous.status_code in (401, 403, 404, 405), f"anonymous {method} {path}: {anonymous.status_code}"
        for who, user in attackers.items():
            _token, secret = services.create_api_token(user, name="t")
            response = Client().generic(method.upper(), path, data="{}", content_type="application/json",
                                        HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code != 500, f"{who} {method} {path} crashed"
            if "{slug}" in template or "{" in template:
                assert response.status_code in (404, 405, 422), f"{who} {method} {path}: {response.status_code}"
            elif response.status_code == 200:
                _assert_no_leak(response, who, method, path)
            checked += 1
    assert checked > 0


def test_every_api_route_refuses_roles_without_permission(world):
    """A victim viewer may not read the audit log through the API either."""
    victim, people, attackers, values = world
    _token, secret = services.create_api_token(people["viewer"], name="t")
    response = Client().get(f"/api/orgs/{VICTIM_SLUG}/audit", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    _token, secret = services.create_api_token(people["owner"], name="t")
    response = Client().get(f"/api/orgs/{VICTIM_SLUG}/audit", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
