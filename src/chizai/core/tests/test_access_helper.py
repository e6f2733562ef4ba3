"""``core.access``: the one helper every service, view, API route and template asks, and the
one family of refusals (Denied 403 / NotFound 404) with one rendering each in web and API."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory

from chizai.core import access, services


def test_require_answers_the_role_or_refuses(org, other_org, members):
    assert access.require(members["owner"], org, "core", "change") == "owner"
    assert access.require(members["manager"], org, "core", "change", "manage_members") == "manager"
    with pytest.raises(access.Denied) as denied:
        access.require(members["viewer"], org, "core", "change")
    assert denied.value.status == 403 and not isinstance(denied.value, Http404)
    with pytest.raises(access.NotFound) as hidden:  # no role there: as if it did not exist
        access.require(members["owner"], other_org, "core", "view")
    assert hidden.value.status == 404
    assert isinstance(hidden.value, Http404) and isinstance(hidden.value, PermissionDenied)


def test_may_and_role_in_read_the_matrix(org, other_org, members):
    assert access.role_in(members["engineer"], org) == "engineer"
    assert access.role_in(members["engineer"], other_org) is None
    assert access.may(members["engineer"], org, "deals", "change")
    assert not access.may(members["engineer"], org, "deals", "delete")
    assert not access.may(None, org, "core", "view")


def test_a_foreign_object_is_not_found(org, other_org, members):
    membership = other_org.memberships.create(user=members["viewer"], role="viewer")
    with pytest.raises(access.NotFound):
        services.remove_member(members["owner"], org, membership)


def test_flags_follow_the_matrix():
    flags = access.flags("manager")
    assert flags["audit"]["view"] and flags["core"]["manage_members"] and not flags["core"]["change"]
    assert not any(any(actions.values()) for actions in access.flags(None).values())


def test_the_api_renders_every_refusal_the_same_way(rf: RequestFactory):
    from chizai.api import _denied

    forbidden = _denied(rf.get("/api/x"), access.Denied("Only an owner may override the gate."))
    assert forbidden.status_code == 403 and json.loads(forbidden.content) == {
        "detail": "Only an owner may override the gate."
    }
    hidden = _denied(rf.get("/api/x"), access.NotFound("No such organisation."))
    assert hidden.status_code == 404 and json.loads(hidden.content) == {"detail": "Not Found"}


def test_the_web_renders_refusals_with_the_styled_pages(org, members):
    client = Client()
    client.force_login(members["viewer"])
    refused = client.post(f"/o/{org.slug}/reviews/", {"text": "x", "contract_type": "auto", "lang": "auto"})
    assert refused.status_code == 403 and "403.html" in [t.name for t in refused.templates]
    client.force_login(members["owner"])
    missing = client.get(f"/o/{org.slug}/reviews/999999/")
    assert missing.status_code == 404 and "404.html" in [t.name for t in missing.templates]


def test_templates_read_permission_flags_not_role_names(org, members):
    """The audit-log link follows ``audit.view`` of the matrix (``org_can`` in every template)."""
    for role, user in members.items():
        client = Client()
        client.force_login(user)
        page = client.get(f"/o/{org.slug}/").content.decode()
        assert (f"/o/{org.slug}/audit/" in page) == access.may(user, org, "audit", "view"), role


def test_no_template_compares_role_names():
    import re
    from pathlib import Path

    package = Path(access.__file__).resolve().parents[1]
    pattern = re.compile(r"(current_role|my_role|org_role)\s*(==|!=)|\b(in|==|!=)\s*(current_role|my_role|org_role)\b")
    offenders = [
        f"{path.relative_to(package)}:{n}"
        for path in package.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"templates compare role names (use org_can.<app>.<action>): {offenders}"
