"""The deals demo loads with the real reviewer, is idempotent and is mid-negotiation."""

import pytest

from chizai.core.demo import load_demo
from chizai.deals import ledger, services
from chizai.deals.demo import TITLE
from chizai.deals.models import Deal

pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_demo_deal_is_loaded_once_and_mid_negotiation():
    load_demo()
    load_demo()
    deal = Deal.objects.get(title=TITLE)
    assert deal.partner.kind == "tier1" and deal.stage == "negotiating"
    assert deal.drafts.count() == 2
    assert {p.status for p in deal.points.all()} >= {"open", "agreed", "parked"}
    assert services.nemawashi_pending(deal).exists()
    assert (
        deal.followups.filter(done_at__isnull=True).exists() and deal.followups.filter(done_at__isnull=False).exists()
    )
    shares = ledger.deal_shares(deal)
    assert shares.basis == "contributions" and sum(shares.shares.values()) == 1
    _rows, totals = services.worksheet_rows(deal)
    assert totals.goods == 20 * 38_500 + 450_000
    assert totals.knowledge == 3_000_000 + 2_880_000 + 2_400_000
    assert deal.contributions.filter(failed_run=True, evidence_asset__isnull=False).exists()
