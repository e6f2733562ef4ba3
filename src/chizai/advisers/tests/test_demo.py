from chizai.advisers import prioritisation, services
from chizai.advisers.models import Diagnostic
from chizai.core.demo import load_demo
from chizai.core.models import AuditEvent, Organization


def test_demo_adviser_has_five_clients_in_three_prefectures_and_a_repeated_diagnostic(db):
    load_demo()
    from django.contrib.auth import get_user_model

    adviser = get_user_model().objects.get(username="adviser")
    support = Organization.objects.get(slug="chubu-ip-support")
    rows = services.portfolio(adviser, support)
    assert len(rows) == 5
    assert {r["client"].prefecture for r in rows} == {"愛知県", "岐阜県", "三重県"}
    overall = {r["client"].slug: r["figures"]["diagnostic"] for r in rows}
    assert len(set(overall.values())) >= 4  # different maturity
    repeated = Diagnostic.objects.filter(organization__slug="sample-seiko", status="final").order_by("conducted_on")
    assert repeated.count() == 2
    first, second = repeated
    assert 170 <= (second.conducted_on - first.conducted_on).days <= 200 and second.overall > first.overall
    assert len(prioritisation.candidates(adviser, support)) == 5


def test_demo_is_idempotent(db):
    load_demo()
    counts = (
        Diagnostic.objects.count(),
        AuditEvent.objects.filter(action__startswith="advisers.").exclude(action="advisers.read").count(),
    )
    load_demo()
    assert (
        Diagnostic.objects.count(),
        AuditEvent.objects.filter(action__startswith="advisers.").exclude(action="advisers.read").count(),
    ) == counts
