"""Network figures aggregate; no single client's confidential fields appear in them."""

import csv
import io
from datetime import date

from django.test import Client

from chizai.advisers import diagnostic as diag
from chizai.advisers import services
from chizai.advisers.models import SupportProgramme

from .conftest import engage, make_client

SECRET_MARKERS = [
    "極秘加工条件XYZ",
    "secret-evidence-42",
    "confidential-note-77",
    "visit-summary-secret",
    "referral-reason-secret",
    "action-title-secret",
]


def _served_clients(adviser, support, n=4):
    clients = []
    prefectures = ["岐阜県", "岐阜県", "長野県", "東京都", "三重県"]
    for i in range(n):
        client, owner = make_client(f"net-{i}", prefecture=prefectures[i], industry=f"業種{i % 2}")
        engage(client, owner, adviser, support)
        clients.append(client)
    return clients


def _fill_with_secrets(adviser, support, clients):
    programme = SupportProgramme.objects.create(organization=support, key="inpit", name_ja="INPIT")
    for i, client in enumerate(clients):
        for when, level in ((date(2026, 1, 10), 1), (date(2026, 7, 10), 2 + i % 2)):
            item = services.start_diagnostic(adviser, client)
            services.save_diagnostic(
                adviser,
                client,
                item,
                conducted_on=when,
                final=True,
                notes=SECRET_MARKERS[2],
                answers={
                    q: {"value": level, "evidence": f"{SECRET_MARKERS[0]} {SECRET_MARKERS[1]}"}
                    for q in diag.questions()
                },
            )
        services.log_visit(
            adviser, client, visited_on=date(2026, 2, 1), kind="visit", hours=2, summary=SECRET_MARKERS[3]
        )
        services.refer(adviser, client, programme=programme, reason=SECRET_MARKERS[4])
        services.add_action(adviser, client, title=SECRET_MARKERS[5], side="client")
        services.note_skill(adviser, client, skill="nda", level=2)


def test_network_counts_by_prefecture_industry_and_region(adviser, coordinator, support):
    clients = _served_clients(adviser, support, 4)
    data = services.network(coordinator, support)
    assert data["clients"] == 4 and data["active_clients"] == 4
    assert dict(data["by_prefecture"]) == {"岐阜県": 2, "長野県": 1, "東京都": 1}
    assert dict(data["by_industry"]) == {"業種0": 2, "業種1": 2}
    assert data["regional"] == 3 and data["regional_share"] == 75
    assert clients


def test_means_over_too_few_clients_are_suppressed(adviser, coordinator, support):
    clients = _served_clients(adviser, support, 2)
    _fill_with_secrets(adviser, support, clients)
    data = services.network(coordinator, support)
    assert all(row["mean"] is None for row in data["progress"])
    assert data["mean_improvement"] is None


def test_progress_over_time_and_outcomes(adviser, coordinator, support):
    clients = _served_clients(adviser, support, 4)
    _fill_with_secrets(adviser, support, clients)
    data = services.network(coordinator, support)
    assert [(p["period"], p["clients"]) for p in data["progress"]] == [("2026-H1", 4), ("2026-H2", 4)]
    assert data["progress"][0]["mean"] == 25 and data["progress"][1]["mean"] == round((50 + 75 + 50 + 75) / 4)
    assert data["mean_improvement"] == round((25 + 50 + 25 + 50) / 4)
    assert data["referral_outcomes"]["pending"] == 4 and data["actions_open"] == 4 and data["skills_alone"] == 4


def test_no_client_confidential_field_appears_in_aggregates(adviser, coordinator, support):
    clients = _served_clients(adviser, support, 4)
    _fill_with_secrets(adviser, support, clients)
    web = Client()
    web.force_login(coordinator)
    page = web.get(f"/o/{support.slug}/advisers/network/").content.decode()
    exported = web.get(f"/o/{support.slug}/advisers/network.csv").content.decode("utf-8-sig")
    api_response = web.get(f"/api/orgs/{support.slug}/advisers/network")
    assert api_response.status_code == 200
    api = api_response.content.decode()
    for text in (page, exported, api, repr(services.network(coordinator, support))):
        for marker in SECRET_MARKERS:
            assert marker not in text
        for client in clients:
            assert client.name_ja not in text and client.slug not in text
    rows = list(csv.reader(io.StringIO(exported)))
    assert ["prefecture", "岐阜県", "2"] in rows


def test_network_is_for_the_support_organisations_managers(adviser, support):
    web = Client()
    web.force_login(adviser)  # engineer there: works with clients, does not see the network page
    assert web.get(f"/o/{support.slug}/advisers/network/").status_code == 403
