"""Succession readiness per client on the adviser portfolio, and the diagnostic's prefilled
answer to "there is a plan to pass it on to successors"."""

from datetime import timedelta

from chizai.advisers import diagnostic, figures
from chizai.succession import plans, services


def test_readiness_counts_important_know_how_two_staying_people_can_do(org, owner, small_map):
    m = small_map
    # important: 切削条件 (high value) only; bus factor 0
    assert figures.succession_readiness(org) == 0
    assert figures.succession_plan_coverage(org) == (1, 0)
    services.set_levels(owner, org, {(m["young"].pk, m["cutting"].pk): 2, (m["other"].pk, m["cutting"].pk): 3})
    assert figures.succession_readiness(org) == 100
    assert figures.succession_plan_coverage(org) == (0, 0)


def test_no_important_know_how_is_not_available(org):
    assert figures.succession_readiness(org) is None


def test_diagnostic_prefill_from_plan_coverage(org, owner, small_map):
    m = small_map
    assert diagnostic.prefill(org)["succession.trained"]["value"] == 0
    plans.create_plan(
        owner,
        org,
        m["cutting"].asset_id,
        holder_id=m["veteran"].pk,
        successor_ids=[m["young"].pk],
        target_on=m["today"] + timedelta(days=100),
    )
    answer = diagnostic.prefill(org)["succession.trained"]
    assert answer["value"] == diagnostic.MAX_LEVEL and "1 of 1" in answer["evidence"]
