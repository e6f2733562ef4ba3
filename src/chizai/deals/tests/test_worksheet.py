"""Worksheet arithmetic in integer yen: methods, the rounding rule, goods and knowledge apart."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chizai.deals.worksheet import Line, WorksheetError, line_yen, totals


def test_each_method():
    assert line_yen(Line("goods", "price", quantity=D(3), unit_price=D("1250.50"))) == 3751  # 3751.5 cut
    assert line_yen(Line("knowledge", "royalty", rate_percent=D("3"), base_yen=D(50_000_000))) == 1_500_000
    assert line_yen(Line("knowledge", "lump_sum", amount_yen=D(800_000))) == 800_000
    assert line_yen(Line("knowledge", "cost", cost_yen=D(1_000_000), margin_percent=D("15"))) == 1_150_000
    assert line_yen(Line("knowledge", "savings", savings_yen=D(10_000_001), share_percent=D("30"))) == 3_000_000


def test_lines_are_rounded_down_before_summing():
    lines = [
        Line("knowledge", "royalty", rate_percent=D("2.5"), base_yen=D(999)),  # 24.975 -> 24
        Line("knowledge", "royalty", rate_percent=D("2.5"), base_yen=D(999)),
    ]
    result = totals(lines)
    assert result.lines == [24, 24]
    assert result.knowledge == 48  # not round(49.95)
    assert result.goods == 0


def test_goods_and_knowledge_are_kept_apart():
    result = totals(
        [
            Line("goods", "price", quantity=D(10), unit_price=D(9800)),
            Line("knowledge", "lump_sum", amount_yen=D(500_000)),
            Line("goods", "lump_sum", amount_yen=D(20_000)),
        ]
    )
    assert (result.goods, result.knowledge) == (118_000, 500_000)


def test_not_included_lines_count_zero():
    assert line_yen(Line("knowledge", "lump_sum", included=False, amount_yen=D(1_000_000))) == 0
    assert line_yen(Line("knowledge", "none")) == 0


@pytest.mark.parametrize(
    "line, field",
    [
        (Line("knowledge", "royalty", rate_percent=D(3)), "base_yen"),
        (Line("goods", "price", unit_price=D(3)), "quantity"),
        (Line("knowledge", "cost", cost_yen=D(1), margin_percent=D(-5)), "margin_percent"),
        (Line("knowledge", "bogus"), "method"),
    ],
)
def test_missing_or_negative_inputs_name_the_field(line, field):
    with pytest.raises(WorksheetError) as exc:
        line_yen(line)
    assert str(exc.value) == field


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**7, places=2), st.decimals(min_value=0, max_value=10**4, places=3))
def test_price_is_never_rounded_up_and_loses_less_than_a_yen(unit, qty):
    yen = line_yen(Line("goods", "price", quantity=qty, unit_price=unit))
    assert isinstance(yen, int)
    assert 0 <= unit * qty - yen < 1


line_strategy = st.builds(
    Line,
    category=st.sampled_from(["goods", "knowledge"]),
    method=st.just("lump_sum"),
    included=st.booleans(),
    amount_yen=st.decimals(min_value=0, max_value=10**9, places=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(line_strategy, max_size=20))
def test_totals_are_sums_of_rounded_lines_kept_apart(lines):
    result = totals(lines)
    assert result.goods == sum(y for line, y in zip(lines, result.lines, strict=False) if line.category == "goods")
    assert result.knowledge == sum(
        y for line, y in zip(lines, result.lines, strict=False) if line.category == "knowledge"
    )
    assert all(y == 0 for line, y in zip(lines, result.lines, strict=False) if not line.included)
