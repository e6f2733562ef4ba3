"""Engagement-scoped access: an adviser sees a client only while its owner's grant is active,
and every read of client data is in that client's audit chain."""

import pytest
from django.http import Http404
from django.test import Client

from chizai.advisers import services
from chizai.core import services as core_services
from chizai.core.models import AuditEvent
from chizai.core.querysets import forget_roles

from .conftest import engage, make_client


def _login(user):
    web = Client()
    web.force_login(user)
    return web


def _reads(client):
    return AuditEvent.objects.filter(organization=client, action=services.READ)


def test_portfolio_lists_only_clients_with_active_engagement(adviser, support, client_org, stranger_org):
    response = _login(adviser).get(f"/o/{support.slug}/advisers/portfolio/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-client="client-a"' in body
    assert "stranger-co" not in body


def test_portfolio_read_is_audited_in_each_clients_chain(adviser, support, client_org, stranger_org):
    _login(adviser).get(f"/o/{support.slug}/advisers/portfolio/")
    events = list(_reads(client_org))
    assert len(events) == 1 and events[0].actor_username == "adv1" and "portfolio" in events[0].summary
    assert not _reads(stranger_org).exists()


def test_adviser_without_engagement_sees_nothing_of_a_client(adviser, stranger_org):
    web = _login(adviser)
    for path in ("", "workspace/", "diagnostics/new/"):
        assert web.get(f"/o/{stranger_org.slug}/advisers/{path}").status_code in (404, 405)
    with pytest.raises(Http404):
        services.workspace(adviser, stranger_org)


def test_ending_an_engagement_cuts_access_at_once(adviser, support, client_org):
    web = _login(adviser)
    assert web.get(f"/o/{client_org.slug}/advisers/workspace/").status_code == 200
    core_services.end_engagement(client_org.test_owner, client_org, client_org.test_engagement)
    assert web.get(f"/o/{client_org.slug}/advisers/workspace/").status_code == 404
    portfolio = web.get(f"/o/{support.slug}/advisers/portfolio/")
    assert 'data-client="client-a"' not in portfolio.content.decode()
    # the same user object in one process: the service path must not keep a stale grant either
    forget_roles(adviser)
    with pytest.raises(Http404):
        services.add_action(adviser, client_org, title="x", side="client")


def test_workspace_and_diagnostic_reads_are_audited(adviser, client_org):
    web = _login(adviser)
    web.get(f"/o/{client_org.slug}/advisers/workspace/")
    item = services.start_diagnostic(adviser, client_org)
    before = _reads(client_org).count()
    web.get(f"/o/{client_org.slug}/advisers/diagnostics/{item.pk}/")
    pdf = web.get(f"/o/{client_org.slug}/advisers/diagnostics/{item.pk}/report.pdf")
    assert pdf.status_code == 200
    assert _reads(client_org).count() == before + 2
    summaries = list(_reads(client_org).values_list("summary", flat=True))
    assert any("client workspace" in s for s in summaries)
    assert any(f"diagnostic {item.pk}" in s for s in summaries)
    assert AuditEvent.objects.filter(organization=client_org, action="advisers.diagnostic.export").count() == 1


def test_client_owner_reads_the_advisers_records_without_read_events(adviser, client_org):
    services.add_action(adviser, client_org, title="NDA雛形を整える", side="client")
    response = _login(client_org.test_owner).get(f"/o/{client_org.slug}/advisers/workspace/")
    assert response.status_code == 200 and "NDA雛形を整える" in response.content.decode()
    assert not _reads(client_org).exists()


def test_client_viewer_may_not_see_adviser_records(adviser, client_org):
    from chizai.core.tests.factories import MembershipFactory, UserFactory

    viewer = MembershipFactory(organization=client_org, role="viewer", user=UserFactory(username="cv")).user
    assert _login(viewer).get(f"/o/{client_org.slug}/advisers/workspace/").status_code == 403


def test_client_owner_cannot_write_adviser_records(client_org):
    response = _login(client_org.test_owner).post(
        f"/o/{client_org.slug}/advisers/workspace/actions/", {"title": "x", "side": "client"}
    )
    assert response.status_code == 403


def test_support_pages_are_404_on_a_company_and_company_pages_404_on_support(coordinator, support, client_org):
    owner = client_org.test_owner
    assert _login(owner).get(f"/o/{client_org.slug}/advisers/portfolio/").status_code == 404
    assert _login(coordinator).get(f"/o/{support.slug}/advisers/workspace/").status_code == 404


def test_engagement_for_another_support_org_is_not_in_this_portfolio(adviser, support):
    from chizai.core.models import Organization
    from chizai.core.tests.factories import MembershipFactory, OrganizationFactory

    other_support = OrganizationFactory(slug="kansai-support", kind=Organization.Kind.SUPPORT)
    MembershipFactory(organization=other_support, role="engineer", user=adviser)
    client, owner = make_client("kansai-client", prefecture="大阪府")
    engage(client, owner, adviser, other_support)
    forget_roles(adviser)
    body = _login(adviser).get(f"/o/{support.slug}/advisers/portfolio/").content.decode()
    assert 'data-client="kansai-client"' not in body
    body = _login(adviser).get(f"/o/{other_support.slug}/advisers/portfolio/").content.decode()
    assert 'data-client="kansai-client"' in body


def test_member_of_support_org_without_engagement_has_empty_portfolio(coordinator, support, client_org):
    response = _login(coordinator).get(f"/o/{support.slug}/advisers/portfolio/")
    assert response.status_code == 200 and 'data-client="client-a"' not in response.content.decode()
    assert _login(coordinator).get(f"/o/{client_org.slug}/advisers/workspace/").status_code == 404


def test_an_engagement_past_its_end_date_gives_no_access(adviser, support):
    from datetime import timedelta

    from django.utils import timezone

    client, owner = make_client("expired-co")
    engagement = engage(client, owner, adviser, support)
    engagement.ends_at = timezone.now() - timedelta(minutes=1)
    engagement.save(update_fields=["ends_at"])
    forget_roles(adviser)
    web = _login(adviser)
    assert web.get(f"/o/{client.slug}/advisers/workspace/").status_code == 404
    assert 'data-client="expired-co"' not in web.get(f"/o/{support.slug}/advisers/portfolio/").content.decode()
    assert not _reads(client).exists()


def test_client_owner_keeps_the_report_and_the_export_is_audited(adviser, client_org):
    item = services.start_diagnostic(adviser, client_org)
    services.save_diagnostic(adviser, client_org, item, answers={"inventory.listed": {"value": 3}}, final=True)
    response = _login(client_org.test_owner).get(f"/o/{client_org.slug}/advisers/diagnostics/{item.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    export = AuditEvent.objects.get(organization=client_org, action="advisers.diagnostic.export")
    assert export.actor_username == client_org.test_owner.username
    assert not _reads(client_org).filter(actor_username=client_org.test_owner.username).exists()
