from chizai.core.demo import load_demo
from chizai.disclosure.models import Agreement, Disclosure, HandoverCopy, Obligation, Partner


def test_demo_has_every_state_and_loads_twice_without_change(db):
    load_demo()
    counts = (
        Partner.objects.count(),
        Agreement.objects.count(),
        Disclosure.objects.count(),
        HandoverCopy.objects.count(),
    )
    load_demo()
    assert counts == (
        Partner.objects.count(),
        Agreement.objects.count(),
        Disclosure.objects.count(),
        HandoverCopy.objects.count(),
    )
    assert {"tier1", "trading", "university", "customer"} <= set(Partner.objects.values_list("kind", flat=True))
    assert set(Agreement.objects.values_list("status", flat=True)) == {
        "draft",
        "negotiating",
        "signed",
        "expired",
        "terminated",
    }
    assert Disclosure.objects.filter(status="refused").exists()
    assert Disclosure.objects.exclude(override_reason="").filter(status="disclosed").exists()
    overdue = Obligation.objects.filter(
        kind="return_due", done_on__isnull=True, due_on__lt=__import__("datetime").date.today()
    )
    assert overdue.exists() and HandoverCopy.objects.count() == 2
