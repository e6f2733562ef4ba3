"""Contribution shares: exact sum, order independence, the empty and zero cases."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chizai.deals.shares import DEFAULT_WEIGHTS, PLACES, Entry, apportion, contribution_shares

KINDS = list(DEFAULT_WEIGHTS)
PARTIES = ["ours", "theirs", "univ"]

values = st.decimals(min_value=0, max_value=10**9, places=0, allow_nan=False, allow_infinity=False)
entries = st.lists(
    st.builds(Entry, party=st.sampled_from(PARTIES), kind=st.sampled_from(KINDS), value=values), max_size=30
)
weights = st.dictionaries(
    st.sampled_from(KINDS), st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False)
)


@settings(max_examples=200, deadline=None)
@given(entries, weights)
def test_shares_sum_to_exactly_one(items, w):
    result = contribution_shares(items, w)
    assert sum(result.shares.values()) == Decimal(1)
    assert all(share >= 0 for share in result.shares.values())
    assert all(share.as_tuple().exponent == -PLACES for share in result.shares.values())


@settings(max_examples=150, deadline=None)
@given(entries, weights, st.randoms(use_true_random=False))
def test_shares_do_not_depend_on_entry_order(items, w, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert contribution_shares(items, w) == contribution_shares(shuffled, w)


@settings(max_examples=150, deadline=None)
@given(entries, weights)
def test_each_share_is_within_one_unit_of_the_exact_share(items, w):
    result = contribution_shares(items, w)
    total = sum(Decimal(str(w.get(e.kind, 0))) * e.value for e in items)
    if total == 0:
        return
    for party, share in result.shares.items():
        exact = sum(Decimal(str(w.get(e.kind, 0))) * e.value for e in items if e.party == party) / total
        assert abs(share - exact) < Decimal(1).scaleb(-PLACES)


def test_no_entries_means_equal_shares_by_presumption():
    result = contribution_shares([], DEFAULT_WEIGHTS)
    assert result.basis == "equal_presumption"
    assert result.shares == {"ours": Decimal("0.5000"), "theirs": Decimal("0.5000")}


def test_all_weights_zero_means_equal_shares():
    result = contribution_shares([Entry("ours", "money", Decimal(100))], {k: 0 for k in KINDS})
    assert result.basis == "equal_presumption"
    assert result.shares["ours"] == result.shares["theirs"] == Decimal("0.5")


def test_a_party_with_nothing_gets_zero():
    result = contribution_shares([Entry("ours", "hours", Decimal(500))], DEFAULT_WEIGHTS)
    assert result.shares == {"ours": Decimal("1.0000"), "theirs": Decimal("0.0000")}


def test_weights_change_the_shares():
    items = [Entry("ours", "ideas", Decimal(100)), Entry("theirs", "money", Decimal(100))]
    assert contribution_shares(items, {"ideas": 3, "money": 1}).shares == {
        "ours": Decimal("0.7500"),
        "theirs": Decimal("0.2500"),
    }


def test_thirds_round_by_largest_remainder_and_ties_by_name():
    items = [Entry(p, "money", Decimal(1)) for p in ("a", "b", "c")]
    result = contribution_shares(items, DEFAULT_WEIGHTS, parties=())
    # all remainders equal: the one missing unit goes to the first party by name
    assert result.shares == {"a": Decimal("0.3334"), "b": Decimal("0.3333"), "c": Decimal("0.3333")}


def test_apportion_gives_the_missing_unit_to_the_largest_remainder():
    from fractions import Fraction

    shares = apportion({"x": Fraction(2, 3), "y": Fraction(1, 3)})
    assert shares == {"x": Decimal("0.6667"), "y": Decimal("0.3333")}


def test_negative_values_are_refused():
    import pytest

    with pytest.raises(ValueError):
        contribution_shares([Entry("ours", "money", Decimal(-1))], DEFAULT_WEIGHTS)


def test_no_parties_at_all():
    assert contribution_shares([], DEFAULT_WEIGHTS, parties=()).shares == {}
