"""Portfolio figures: computed from the other parts where they exist, "—" where they do not."""

from django.apps import apps
from django.test import Client

from chizai.advisers import figures
from chizai.advisers.models import VisitLog


def test_missing_part_gives_none_and_the_portfolio_shows_a_dash_with_tooltip(monkeypatch, adviser, support, client_org):
    monkeypatch.setattr(figures, "_model", lambda app_label, name: None)
    for key in (
        "register_size",
        "secret_readiness",
        "succession_risks",
        "open_findings",
        "ndas_expiring",
        "overdue_returns",
        "open_deal_points",
    ):
        assert figures.BY_KEY[key].func(client_org) is None, key
    web = Client()
    web.force_login(adviser)
    body = web.get(f"/o/{support.slug}/advisers/portfolio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="muted na" title="not available yet' in body


def test_a_part_whose_model_lacks_the_fields_counts_as_not_available(monkeypatch, client_org):
    monkeypatch.setattr(figures, "_model", lambda app_label, name: VisitLog)
    assert figures.secret_readiness(client_org) is None
    assert figures.open_deal_points(client_org) is None
    # ndas_expiring and overdue_returns are counted by the disclosure part itself
    # (duties.expiring_ndas, duties.overdue_returns), so no query here can miss its fields


def test_open_findings_count_only_the_newest_version_of_each_contract(client_org):
    from chizai.review.models import ContractReview

    old = ContractReview.objects.create(
        organization=client_org,
        title="NDA v1",
        filename="a.txt",
        content_sha256="1",
        status="done",
        high_count=3,
        medium_count=2,
    )
    ContractReview.objects.create(
        organization=client_org,
        title="NDA v2",
        filename="a.txt",
        content_sha256="2",
        status="done",
        high_count=1,
        medium_count=1,
        previous=old,
    )
    ContractReview.objects.create(
        organization=client_org, title="other", filename="b.txt", content_sha256="3", status="failed", high_count=9
    )
    assert figures.open_findings(client_org) == 2


def test_figures_are_linked_into_the_client(adviser, support, client_org):
    from chizai.review.models import ContractReview

    ContractReview.objects.create(
        organization=client_org,
        title="NDA",
        filename="a.txt",
        content_sha256="1",
        status="done",
        high_count=1,
        medium_count=0,
    )
    web = Client()
    web.force_login(adviser)
    body = web.get(f"/o/{support.slug}/advisers/portfolio/").content.decode()
    assert f'<a href="/o/{client_org.slug}/reviews/">1</a>' in body


def test_register_figures_when_the_register_exists(client_org):
    try:
        Asset = apps.get_model("register", "Asset")
        Holder = apps.get_model("register", "Holder")
    except LookupError:
        import pytest

        pytest.skip("the register part has no Asset model in this checkout")
    ready = Asset.objects.create(
        organization=client_org,
        title_ja="加工条件",
        classification="secret",
        ts_marked=True,
        ts_access_restricted=True,
        ts_listed=True,
    )
    Asset.objects.create(organization=client_org, title_ja="治具図面", classification="confidential", ts_marked=True)
    Asset.objects.create(organization=client_org, title_ja="カタログ", classification="public")
    Holder.objects.create(organization=client_org, asset=ready, name="ベテラン職人")
    assert figures.register_size(client_org) == 3
    assert figures.secret_readiness(client_org) == 50
    assert figures.succession_risks(client_org) == 1


def test_sorting_puts_missing_figures_last(adviser, support, client_org):
    from chizai.advisers import services
    from chizai.review.models import ContractReview

    from .conftest import engage, make_client

    second, owner = make_client("client-b")
    engage(second, owner, adviser, support)
    third, owner3 = make_client("client-c")
    engage(third, owner3, adviser, support)
    for org, high in ((client_org, 1), (second, 5)):
        ContractReview.objects.create(
            organization=org, title="NDA", filename="a.txt", content_sha256=org.slug, status="done", high_count=high
        )
    order = [r["client"].slug for r in services.portfolio(adviser, support, sort="open_findings", descending=True)]
    assert order == ["client-b", "client-a", "client-c"]
    from datetime import date

    services.log_visit(adviser, third, visited_on=date(2026, 5, 1), kind="visit", hours=1, summary="")
    for descending in (False, True):
        order = [
            r["client"].slug for r in services.portfolio(adviser, support, sort="last_contact", descending=descending)
        ]
        assert order[0] == "client-c"  # the only client with a contact; those without come last either way
    assert [r["client"].slug for r in services.portfolio(adviser, support, prefecture="東京都")] == []


def test_a_missing_table_counts_as_not_available_and_keeps_the_transaction(monkeypatch, client_org):
    from django.db import connection, models, transaction

    class Ghost(models.Model):
        organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "advisers"
            db_table = "advisers_no_such_table"
            managed = False

    monkeypatch.setattr(figures, "_model", lambda app_label, name: Ghost)
    try:
        with transaction.atomic():
            assert figures.register_size(client_org) is None
            assert VisitLog.objects.filter(organization=client_org).count() == 0  # still usable
        assert connection.is_usable()
    finally:
        apps.all_models["advisers"].pop("ghost", None)
        apps.clear_cache()
