"""The consideration worksheet's arithmetic, in integer yen (pure, no Django).

The point of the worksheet is that the price of the goods and the consideration for the
knowledge in them are two different numbers, so the totals are kept apart and never added
into one "price".

Rounding rule: each line is computed exactly in ``Decimal`` and then cut to whole yen
towards zero (端数切捨て, as on Japanese quotations); the totals are the sums of the
rounded lines, so the annex adds up line by line. No rounding happens anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

HUNDRED = Decimal(100)


class WorksheetError(ValueError):
    """A line whose method lacks a number it needs (the message names the field)."""


@dataclass(frozen=True)
class Line:
    category: str  # "goods" or "knowledge"
    method: str  # price, royalty, lump_sum, cost, savings, none
    included: bool = True
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    rate_percent: Decimal | None = None
    base_yen: Decimal | None = None
    amount_yen: Decimal | None = None
    cost_yen: Decimal | None = None
    margin_percent: Decimal | None = None
    savings_yen: Decimal | None = None
    share_percent: Decimal | None = None


def to_yen(value: Decimal) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_DOWN))


def _need(line: Line, *names: str) -> list[Decimal]:
    values = []
    for name in names:
        value = getattr(line, name)
        if value is None:
            raise WorksheetError(name)
        value = Decimal(value)
        if value < 0:
            raise WorksheetError(name)
        values.append(value)
    return values


def exact_amount(line: Line) -> Decimal:
    """The line's amount before rounding; 0 for anything not handed over."""
    if not line.included or line.method == "none":
        return Decimal(0)
    if line.method == "price":
        quantity, unit_price = _need(line, "quantity", "unit_price")
        return quantity * unit_price
    if line.method == "royalty":
        rate, base = _need(line, "rate_percent", "base_yen")
        return base * rate / HUNDRED
    if line.method == "lump_sum":
        (amount,) = _need(line, "amount_yen")
        return amount
    if line.method == "cost":
        cost, margin = _need(line, "cost_yen", "margin_percent")
        return cost * (HUNDRED + margin) / HUNDRED
    if line.method == "savings":
        savings, share = _need(line, "savings_yen", "share_percent")
        return savings * share / HUNDRED
    raise WorksheetError("method")


def line_yen(line: Line) -> int:
    return to_yen(exact_amount(line))


@dataclass(frozen=True)
class Totals:
    goods: int
    knowledge: int
    lines: list[int]


def totals(lines: Iterable[Line]) -> Totals:
    amounts, goods, knowledge = [], 0, 0
    for line in lines:
        yen = line_yen(line)
        amounts.append(yen)
        if line.category == "goods":
            goods += yen
        else:
            knowledge += yen
    return Totals(goods=goods, knowledge=knowledge, lines=amounts)
