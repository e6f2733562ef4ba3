from django.test import Client

from chizai.advisers import prioritisation, services
from chizai.core import services as core_services
from chizai.core.models import AuditEvent


def _api(user):
    _token, secret = core_services.create_api_token(user, name="t")
    return lambda path: Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_portfolio_and_diagnostic_through_the_api_are_audited(adviser, support, client_org):
    get = _api(adviser)
    rows = get(f"/api/orgs/{support.slug}/advisers/portfolio").json()
    assert [r["slug"] for r in rows] == ["client-a"] and "register_size" in rows[0]["figures"]
    item = services.start_diagnostic(adviser, client_org)
    before = AuditEvent.objects.filter(organization=client_org, action=services.READ).count()
    detail = get(f"/api/orgs/{client_org.slug}/advisers/diagnostics/{item.pk}").json()
    assert detail["id"] == item.pk and detail["previous_id"] is None
    listing = get(f"/api/orgs/{client_org.slug}/advisers/diagnostics").json()
    assert [d["id"] for d in listing] == [item.pk]
    assert AuditEvent.objects.filter(organization=client_org, action=services.READ).count() == before + 2


def test_api_refuses_a_client_without_engagement_and_after_the_end(adviser, client_org, stranger_org):
    get = _api(adviser)
    assert get(f"/api/orgs/{stranger_org.slug}/advisers/diagnostics").status_code == 404
    assert get(f"/api/orgs/{client_org.slug}/advisers/actions").status_code == 200
    core_services.end_engagement(client_org.test_owner, client_org, client_org.test_engagement)
    assert get(f"/api/orgs/{client_org.slug}/advisers/actions").status_code == 404


def test_candidates_through_the_api(adviser, coordinator, support, client_org):
    prioritisation.seed_criteria(coordinator, support)
    rows = _api(adviser)(f"/api/orgs/{support.slug}/advisers/candidates").json()
    assert rows[0]["slug"] == "client-a"
    assert abs(sum(c["points"] for c in rows[0]["contributions"]) - rows[0]["score"]) < 1e-6
