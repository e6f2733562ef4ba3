"""The succession API: people, the map with bus factors, cells set (only changes written and
audited), plans and sessions; other organisations and lower roles get nothing."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from chizai.core import services as core_services
from chizai.core.models import AuditEvent


@pytest.fixture
def api(members):
    def make(user):
        _token, secret = core_services.create_api_token(user, name="t")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

        def call(method, path, body=None):
            response = client.generic(
                method, f"/api{path}", data=json.dumps(body or {}), content_type="application/json"
            )
            return response.status_code, (response.json() if response.content else None)

        return call

    return make


def test_map_levels_plans_and_sessions(api, org, owner, small_map):
    m = small_map
    call = api(owner)
    status, data = call("GET", "/orgs/acme/succession/levels")
    assert status == 200
    assert {s["title"]: s["bus_factor"] for s in data["skills"]} == {"切削条件": 0, "研削手順": 1}
    assert {"person": m["veteran"].pk, "skill": m["cutting"].pk, "level": 3} in data["cells"]
    cells = [
        {"person": m["young"].pk, "skill": m["cutting"].pk, "level": 2},
        {"person": m["veteran"].pk, "skill": m["cutting"].pk, "level": 3},
    ]
    before = AuditEvent.objects.filter(action="succession.level.set").count()
    status, changes = call("POST", "/orgs/acme/succession/levels", {"cells": cells})
    assert status == 200 and changes == [{"person": m["young"].pk, "skill": m["cutting"].pk, "before": 1, "after": 2}]
    assert AuditEvent.objects.filter(action="succession.level.set").count() == before + 1
    status, _ = call("POST", "/orgs/acme/succession/levels", {"cells": [{**cells[0], "level": 4}]})
    assert status == 422
    status, person = call("POST", "/orgs/acme/succession/people", {"name": "新人"})
    assert status == 201 and person["name"] == "新人"
    body = {
        "asset": m["cutting"].asset_id,
        "holder": m["veteran"].pk,
        "successors": [person["id"]],
        "target_on": (m["today"] + timedelta(days=90)).isoformat(),
    }
    status, plan = call("POST", "/orgs/acme/succession/plans", body)
    assert status == 201 and plan["successors"][0]["start_level"] == 0 and not plan["behind"]
    status, session = call(
        "POST",
        f"/orgs/acme/succession/plans/{plan['id']}/sessions",
        {"held_on": m["today"].isoformat(), "hours": "1.5", "covered": "段取り"},
    )
    assert status == 201
    status, plan = call("GET", f"/orgs/acme/succession/plans/{plan['id']}")
    assert status == 200 and plan["held_hours"] == "1.5"


def test_lower_roles_and_outsiders(api, org, members, other_org, small_map):
    m = small_map
    cell = {"cells": [{"person": m["young"].pk, "skill": m["cutting"].pk, "level": 3}]}
    assert api(members["viewer"])("GET", "/orgs/acme/succession/levels")[0] == 200
    assert api(members["viewer"])("POST", "/orgs/acme/succession/levels", cell)[0] == 404
    from chizai.core.tests.factories import MembershipFactory, UserFactory

    outsider = MembershipFactory(organization=other_org, role="owner", user=UserFactory(username="rival-owner")).user
    assert api(outsider)("GET", "/orgs/acme/succession/levels")[0] == 404
    assert api(outsider)("GET", "/orgs/rival/succession/levels")[1]["cells"] == []
