"""Contribution shares of a joint development, from the ledger and the agreed weights.

Pure functions (no Django): ``contribution_shares(entries, weights, parties)``.

Each party's weighted contribution is Σ weight(kind) × value over its entries. Its share
is that sum over the sum of all parties, computed exactly (``fractions.Fraction``) and only
then rounded.

Rounding rule (largest remainder, also called Hamilton's method): every exact share is cut
down to ``PLACES`` decimal places; the units of the last place still missing to reach
exactly 1 go one each to the parties with the largest cut-off remainders; equal remainders
are broken by party key in sorted order. So the rounded shares always sum to exactly 1, no
share moves by more than one unit of the last place, and the result does not depend on the
order of the entries.

When nothing weighted has been recorded (no entries, all values zero, or every kind with
an entry weighted zero) the parties are presumed to hold equal shares, as co-owners are
under 民法 250条 (共有者の持分は、相等しいものと推定する); ``basis`` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

PLACES = 4
_UNIT = Fraction(1, 10**PLACES)

#: weights used until the parties agree on their own (1 = counted at its yen value)
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "money": Decimal("1"),
    "hours": Decimal("1"),
    "equipment": Decimal("1"),
    "materials": Decimal("1"),
    "background_ip": Decimal("1"),
    "ideas": Decimal("1"),
    "experiments": Decimal("1"),
}


@dataclass(frozen=True)
class Entry:
    party: str
    kind: str
    value: Decimal


@dataclass(frozen=True)
class Shares:
    shares: dict[str, Decimal]  # party -> share, summing to exactly 1 (or empty)
    weighted: dict[str, Decimal]  # party -> Σ weight × value
    basis: str  # "contributions" or "equal_presumption" or "no_parties"


def _fraction(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return Fraction(Decimal(str(value)))


def weighted_totals(entries: Iterable[Entry], weights: Mapping[str, Decimal | str | int]) -> dict[str, Fraction]:
    totals: dict[str, Fraction] = {}
    for entry in entries:
        weight = _fraction(weights.get(entry.kind, 0))
        value = _fraction(entry.value)
        if weight < 0 or value < 0:
            raise ValueError("weights and values cannot be negative")
        totals[entry.party] = totals.get(entry.party, Fraction(0)) + weight * value
    return totals


def apportion(exact: Mapping[str, Fraction]) -> dict[str, Decimal]:
    """Round exact shares (summing to 1) to PLACES decimals, keeping the sum exactly 1."""
    floors = {party: (share // _UNIT) for party, share in exact.items()}
    missing = int(10**PLACES - sum(floors.values()))
    by_remainder = sorted(exact, key=lambda party: (-(exact[party] - floors[party] * _UNIT), party))
    for party in by_remainder[:missing]:
        floors[party] += 1
    quantum = Decimal(1).scaleb(-PLACES)
    return {party: (Decimal(int(units)) * quantum).quantize(quantum) for party, units in sorted(floors.items())}


def contribution_shares(
    entries: Iterable[Entry], weights: Mapping[str, Decimal | str | int], parties: Iterable[str] = ("ours", "theirs")
) -> Shares:
    """Shares of each party in ``parties`` (plus any party that appears in an entry)."""
    entries = list(entries)
    totals = weighted_totals(entries, weights)
    names = sorted(set(parties) | set(totals))
    weighted = {
        party: Decimal(totals.get(party, Fraction(0)).numerator) / Decimal(totals.get(party, Fraction(0)).denominator)
        for party in names
    }
    if not names:
        return Shares({}, {}, "no_parties")
    grand = sum(totals.values(), Fraction(0))
    if grand == 0:
        exact = {party: Fraction(1, len(names)) for party in names}
        return Shares(apportion(exact), weighted, "equal_presumption")
    exact = {party: totals.get(party, Fraction(0)) / grand for party in names}
    return Shares(apportion(exact), weighted, "contributions")
