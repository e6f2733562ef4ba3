"""The demo's skills map and plans: 12 people × 15 assets, three plans at three stages."""

from chizai.core import attention
from chizai.core.demo import load_demo
from chizai.core.models import Organization
from chizai.register import risk
from chizai.succession import plans, services


def test_demo_map_and_plans(db):
    load_demo()
    company = Organization.objects.get(slug="sample-seiko")
    owner = company.memberships.get(role="owner").user
    grid = services.grid(owner, company)
    assert (len(grid.people), len(grid.skills)) == (12, 15)
    stages = {}
    for plan in plans.plans(owner, company):
        progress = plans.progress(plan)
        stages[plan.asset.title_ja] = (progress.complete, progress.behind, bool(plan.signed_off_at))
    assert stages == {
        "チタン合金の高速切削条件": (True, False, True),
        "薄肉部品の歪み取り手順": (False, False, False),
        "5軸加工の治具段取りノウハウ": (False, True, False),
    }
    keys = {item.key for item in attention.items(owner, company)}
    assert {"plans_behind", "no_successor"} <= keys
    titanium = grid.skills[0].asset
    assert risk.capable_staying(titanium, plans.timezone.localdate()) >= 1  # the successor reached ○
    load_demo()  # idempotent
    assert len(services.people(owner, company)) == 12
