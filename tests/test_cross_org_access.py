"""Every URL and every API route, walked with users who must not see the victim's data.

Attackers: anonymous, each role of another organisation, an adviser with no engagement
and one whose engagement ended. Any 200 for the victim's objects fails the test, and an
outsider must get 404 (never 403, which would confirm the object exists). Members whose
role lacks the permission a view declares must not get a 200 either.

When a new route takes a parameter this test does not know, it fails and names it: add
a maker for it to OBJECT_MAKERS so the new route is covered.
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from chizai.core import permissions, services
from chizai.core.jobs import enqueue
from chizai.core.models import AdvisoryEngagement, AuditEvent, Membership
from chizai.core.tests.factories import EngagementFactory, MembershipFactory, OrganizationFactory, UserFactory

VICTIM_SLUG = "victim-x7q"
VICTIM_NAME = "被害者精工株式会社"
ROLES = ["owner", "manager", "engineer", "viewer"]


def _membership(victim, people):
    return Membership.objects.get(organization=victim, user=people["viewer"]).pk


def _engagement(victim, people):
    return AdvisoryEngagement.objects.filter(organization=victim).first().pk


def _asset(victim, people):
    from chizai.register import services as register_services

    return register_services.create_asset(
        people["owner"], victim, title_ja="被害者の金型ノウハウ", classification="internal"
    ).pk


def _version(victim, people):
    from chizai.register import services as register_services

    asset = register_services.create_asset(people["owner"], victim, title_ja="被害者の図面", classification="internal")
    return register_services.upload_version(
        people["owner"], victim, asset.pk, io.BytesIO(f"{VICTIM_NAME} 図面".encode()), name="v.txt"
    ).pk


def _holder(victim, people):
    from chizai.register import services as register_services

    asset = register_services.create_asset(
        people["owner"], victim, title_ja="被害者の加工条件", classification="internal"
    )
    return register_services.add_holder(people["owner"], victim, asset.pk, name="被害者の職人").pk


def _job(victim, people):
    return enqueue(people["owner"], victim, "core.selftest").pk


def _review(victim, people):
    from chizai.review.models import ContractReview

    return ContractReview.objects.create(
        organization=victim,
        created_by=people["owner"],
        title=f"{VICTIM_NAME} NDA",
        filename="nda.txt",
        text=f"{VICTIM_NAME} 秘密保持契約",
        content_sha256="0" * 64,
        status="done",
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

        from chizai.register import services as register_services

        owner = people["owner"]
        secret = register_services.create_asset(owner, victim, title_ja="被害者の極秘配合", classification="secret")
        partner = Partner.objects.create(organization=victim, name_ja=f"{VICTIM_NAME}の取引先")
        deal = deals.create_deal(owner, victim, partner=partner, title=f"{VICTIM_NAME} 共同開発")
        person = deals.add_stakeholder(owner, deal, name=f"{VICTIM_NAME} 部長")
        contact = deals.log_contact(
            owner,
            deal,
            kind="call",
            held_on=date(2026, 1, 5),
            said=VICTIM_NAME,
            stakeholders=[person],
            followups=[{"text": VICTIM_NAME}],
        )
        victim._deal_objects = {
            "deal_id": deal.pk,
            "point_id": deals.add_point(owner, deal, title=VICTIM_NAME).pk,
            "stakeholder_id": person.pk,
            "followup_id": contact.followups.get().pk,
            # Evidence linked to a 極秘 asset: only the owner (or someone named on it) may take it.
            "entry_id": deals.add_contribution(
                owner,
                deal,
                party="ours",
                kind="money",
                made_on=date(2026, 1, 5),
                description=VICTIM_NAME,
                value=1000,
                evidence_asset=secret,
                evidence_file=io.BytesIO(f"{VICTIM_NAME} 試験記録".encode()),
            ).pk,
            "item_id": deals.add_item(
                owner,
                deal,
                category="knowledge",
                item_kind="know_how",
                title=VICTIM_NAME,
                method="lump_sum",
                amount_yen=1000,
            ).pk,
        }
    return victim._deal_objects


def _deal_maker(name):
    return lambda victim, people: _deal_objects(victim, people)[name]


# URL parameter -> function(victim org, victim people) returning the id of a victim object
# (or, for a non-object parameter, a valid value).
def _disclosure_objects(victim, people):
    """One partner, agreement (with its signed file), disclosure and hand-over copy of the
    victim (made once per world); the files are real sealed files, so download routes serve them."""
    from chizai.disclosure import services as disclosure_services
    from chizai.disclosure.models import (
        Agreement,
        Disclosure,
        DisclosureItem,
        DisclosureRecipient,
        HandoverCopy,
        Partner,
    )
    from chizai.register.sealed import seal_bytes

    partner = Partner.objects.filter(
        organization=victim, name_ja=f"{VICTIM_NAME}の開示先"
    ).first() or Partner.objects.create(organization=victim, name_ja=f"{VICTIM_NAME}の開示先")
    agreement = Agreement.objects.filter(organization=victim).first() or Agreement.objects.create(
        organization=victim, partner=partner, title=f"{VICTIM_NAME} NDA", type="NDA"
    )
    if not agreement.file_storage_name:
        agreement = disclosure_services.attach_file(
            people["owner"],
            victim,
            agreement.pk,
            filename="nda.txt",
            data=f"{VICTIM_NAME} 秘密保持契約".encode(),
            review=False,
        )
    disclosure = Disclosure.objects.filter(organization=victim).first() or Disclosure.objects.create(
        organization=victim,
        partner=partner,
        agreement=agreement,
        purpose=VICTIM_NAME,
        disclosed_on="2026-11-01",
        status="disclosed",
    )
    copy = HandoverCopy.objects.filter(organization=victim).first()
    if copy is None:
        item = DisclosureItem.objects.create(
            organization=victim, disclosure=disclosure, description=VICTIM_NAME, version_id=_version(victim, people)
        )
        recipient = DisclosureRecipient.objects.create(organization=victim, disclosure=disclosure, name=VICTIM_NAME)
        stored, sealed = seal_bytes(f"%PDF-1.4 {VICTIM_NAME}".encode(), f"disclosure/{victim.pk}/copy", victim)
        copy = HandoverCopy.objects.create(
            organization=victim,
            disclosure=disclosure,
            item=item,
            recipient=recipient,
            fingerprint="0" * 16,
            filename="victim.pdf",
            kind="pdf",
            sha256=sealed.sha256,
            size=sealed.size,
            storage_name=stored,
            key_id=sealed.key_id,
            wrapped_key=sealed.wrapped_key,
        )
    return {"partner_id": partner.pk, "agreement_id": agreement.pk, "disclosure_id": disclosure.pk, "copy_id": copy.pk}


def _succession_objects(victim, people):
    """One person on the victim's skills map and one capture plan (made once per world)."""
    if not hasattr(victim, "_succession_objects"):
        from datetime import date

        from chizai.register import services as register_services
        from chizai.succession import plans
        from chizai.succession import services as succession

        owner = people["owner"]
        veteran = succession.add_person(owner, victim, name=f"{VICTIM_NAME} 職長")
        successor = succession.add_person(owner, victim, name=f"{VICTIM_NAME} 後継者")
        asset = register_services.create_asset(owner, victim, title_ja=f"{VICTIM_NAME} 研削", classification="internal")
        plan = plans.create_plan(
            owner,
            victim,
            asset.pk,
            holder_id=veteran.pk,
            successor_ids=[successor.pk],
            target_on=date(2030, 1, 1),
            started_on=date(2026, 1, 1),
            note=VICTIM_NAME,
        )
        victim._succession_objects = {"person_id": veteran.pk, "plan_id": plan.pk}
    return victim._succession_objects


def _clip_objects(victim, people):
    """A clip (its bytes carry the victim's name), its poster and a chapter, made once per victim."""
    if not hasattr(victim, "_clip_objects"):
        from chizai.register import clips
        from chizai.register import services as register_services
        from chizai.register.tests.clipdata import JPEG, mp4

        asset = register_services.create_asset(
            people["owner"], victim, title_ja="被害者の手元動画", classification="internal"
        )
        clip = clips.upload_clip(
            people["owner"], victim, asset.pk, io.BytesIO(mp4(5000, marker=VICTIM_NAME.encode())), name="v.mp4"
        )
        clips.set_poster(people["owner"], victim, clip.pk, io.BytesIO(JPEG))
        chapter = clips.add_chapter(people["owner"], victim, clip.pk, at="0:01", title="被害者の段取り")
        victim._clip_objects = {"clip_id": clip.pk, "chapter_id": chapter.pk}
    return victim._clip_objects


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
    "index": lambda victim, people: 0,  # a review's finding (its scanned page: review_finding_page)
    "page": lambda victim, people: 1,
    "kind": lambda victim, people: "assets",  # the disclosure picker's JSON (assets | versions)
    "clip_id": lambda victim, people: _clip_objects(victim, people)["clip_id"],
    "chapter_id": lambda victim, people: _clip_objects(victim, people)["chapter_id"],
    **{
        name: _deal_maker(name)
        for name in ("deal_id", "point_id", "stakeholder_id", "followup_id", "entry_id", "item_id")
    },
    **{
        name: (lambda n: lambda victim, people: _succession_objects(victim, people)[n])(name)
        for name in ("person_id", "plan_id")
    },
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
    people = {
        role: MembershipFactory(organization=victim, role=role, user=UserFactory(username=f"v-{role}")).user
        for role in ROLES
    }
    old_adviser = UserFactory(username="old-adviser")
    services.end_engagement(people["owner"], victim, services.grant_engagement(people["owner"], victim, old_adviser))
    rival = OrganizationFactory(slug="rival-org")
    attackers = {
        f"rival-{role}": MembershipFactory(organization=rival, role=role, user=UserFactory(username=f"r-{role}")).user
        for role in ROLES
    }
    attackers["adviser-without-engagement"] = UserFactory(username="stray-adviser")
    attackers["adviser-engagement-ended"] = old_adviser
    values = {"org_slug": VICTIM_SLUG, "slug": VICTIM_SLUG, "token": "no-such-token"}
    for name, maker in OBJECT_MAKERS.items():
        values[name] = maker(victim, people)
    return victim, people, attackers, values


def _assert_no_leak(response, who, method, path):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert VICTIM_SLUG.encode() not in body and VICTIM_NAME.encode() not in body, (
        f"{who} {method} {path} shows victim data"
    )


def test_every_web_route_hides_victim_data(world):
    victim, people, attackers, values = world
    checked = 0
    for route, _pattern in web_routes():
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
                assert response.status_code in (403, 404, 405), (
                    f"{role} {method} {path} ({app}.{action}): {response.status_code}"
                )
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
            response = Client().generic(
                method.upper(), path, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
            )
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


# Routes that hand out a stored (sealed) file: each must serve the owner, write one audit
# event per download and refuse everyone the file's own access rules refuse. Which roles
# get the victim's file: register version of an internal asset (register.download),
# agreement file and hand-over copy (disclosure.add, and for a copy register download of
# its version), evidence linked to a 極秘 asset (the owner only).
STORED_FILE_ROUTES = {
    "register_download": {"owner", "manager", "engineer"},
    "register_clip_stream": {"owner", "manager", "engineer"},  # played by <video>; opened alone, a download
    "disclosure_agreement_file": {"owner", "manager", "engineer"},
    "disclosure_copy": {"owner", "manager", "engineer"},
    "deal_entry_evidence": {"owner"},
}
# Routes that generate a document from data the user may see (no stored file).
GENERATED_FILE_ROUTES = {
    "audit_export",
    "register_export",
    "review_export",
    "review_export_docx",  # the review's source (a DOCX is annotated in place) with the findings as comments
    "disclosure_dossier",
    "deal_annex",
    "deal_brief",
    "advisers_priorities_csv",
    "advisers_network_csv",
    "advisers_diagnostic_pdf",
    "succession_export",  # the skills map as .xlsx, made from the map the user may see
}


def _attachment(response) -> bool:
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")


def test_every_file_route_is_known_and_stored_files_follow_their_access_rules(world):
    victim, people, attackers, values = world
    adviser = UserFactory(username="v-adviser")
    EngagementFactory(organization=victim, adviser=adviser, granted_by=people["owner"])
    members = {**people, "adviser": adviser}
    owner = Client()
    owner.force_login(people["owner"])
    found = set()
    for route, pattern in web_routes():
        if "<slug:org_slug>" not in route:
            continue
        path = _fill(route, values)
        before = AuditEvent.objects.count()
        response = owner.get(path)
        if not _attachment(response):
            continue
        found.add(pattern.name)
        assert pattern.name in STORED_FILE_ROUTES or pattern.name in GENERATED_FILE_ROUTES, (
            f"{route} serves a file: list it in STORED_FILE_ROUTES or GENERATED_FILE_ROUTES"
        )
        if pattern.name not in STORED_FILE_ROUTES:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert VICTIM_NAME.encode() in body, f"{route}: the owner did not get the stored file"
        assert AuditEvent.objects.count() == before + 1, f"{route}: a download must write one audit event"
        for role, user in members.items():
            client = Client()
            client.force_login(user)
            response = client.get(path)
            if role in STORED_FILE_ROUTES[pattern.name]:
                assert _attachment(response), f"{role} may download {path}"
            else:
                assert response.status_code in (302, 403, 404) and not _attachment(response), (
                    f"{role} {path}: {response.status_code}"
                )
    assert set(STORED_FILE_ROUTES) <= found, (
        f"stored-file routes that served no file: {set(STORED_FILE_ROUTES) - found}"
    )


STORED_FILE_API = {
    "/api/orgs/{slug}/assets/versions/{version_id}/download": {"owner", "manager", "engineer"},
    "/api/orgs/{slug}/assets/clips/{clip_id}/stream": {"owner", "manager", "engineer"},
}
GENERATED_FILE_API = {
    "/api/orgs/{slug}/deals/{deal_id}/brief.pdf",
    "/api/orgs/{slug}/disclosure/partners/{partner_id}/dossier",
}


def test_every_api_file_route_is_known_and_stored_files_follow_their_access_rules(world):
    victim, people, attackers, values = world
    tokens = {role: services.create_api_token(user, name="t")[1] for role, user in people.items()}
    found = set()
    for template, method in _api_paths():
        if method != "get" or "{slug}" not in template:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        before = AuditEvent.objects.count()
        response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {tokens['owner']}")
        if not _attachment(response):
            continue
        found.add(template)
        assert template in STORED_FILE_API or template in GENERATED_FILE_API, (
            f"API {template} serves a file: list it in STORED_FILE_API or GENERATED_FILE_API"
        )
        if template not in STORED_FILE_API:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert VICTIM_NAME.encode() in body and AuditEvent.objects.count() == before + 1, template
        for role, secret in tokens.items():
            response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert _attachment(response) == (role in STORED_FILE_API[template]), (
                f"{role} {path}: {response.status_code}"
            )
    assert set(STORED_FILE_API) <= found, f"stored-file API routes that served no file: {set(STORED_FILE_API) - found}"
