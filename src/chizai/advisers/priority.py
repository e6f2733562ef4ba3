"""Transparent prioritisation: a weighted sum that anyone can recompute by hand.

score = 100 × Σ (weight_i × value_i) / Σ weight_i, with every value in 0..1 and every
weight ≥ 0. Each criterion's contribution is its own term of that sum, so the published
weights and a client's values explain the score completely. Exact fractions are used so
the contributions add up to the score without rounding drift; rounding happens on display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# Prefectures counted as "big city" areas; everything else counts as regional reach.
# Only the prefecture is known, so a firm in a rural part of these counts as metropolitan.
METROPOLITAN_PREFECTURES = frozenset({"東京都", "神奈川県", "埼玉県", "千葉県", "大阪府", "京都府", "兵庫県", "愛知県"})

RATING_MAX = 4
FIGURE_CAP = 10  # a figure (e.g. open findings) at or above this counts as full urgency

DEFAULT_CRITERIA = [
    # key, label ja, label en, source, weight
    ("rd_intensity", "研究開発の比重", "R&D intensity", "rating", 3),
    ("own_technology", "自社技術の有無", "Own technology", "rating", 3),
    ("overseas", "海外展開の計画", "Overseas plans", "rating", 2),
    ("financing", "資金調達の必要", "Financing need", "rating", 2),
    ("region", "地域 (大都市圏外)", "Region (outside big cities)", "region", 1),
    ("urgency", "未解決の指摘による緊急度", "Urgency from open findings", "figure:open_findings", 2),
]


def to_fraction(value) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True)
class Contribution:
    key: str
    weight: Fraction
    value: Fraction
    points: Fraction  # this criterion's share of the 0..100 score


def compute(weights: Mapping[str, object], values: Mapping[str, object]) -> tuple[Fraction, list[Contribution]]:
    """Score 0..100 and the contribution of each criterion, in the order of ``weights``.

    A missing value counts as 0; values are clamped to 0..1; negative weights are refused.
    """
    ws = {key: to_fraction(w) for key, w in weights.items()}
    if any(w < 0 for w in ws.values()):
        raise ValueError("weights must not be negative")
    total = sum(ws.values(), Fraction(0))
    contributions = []
    for key, weight in ws.items():
        value = min(Fraction(1), max(Fraction(0), to_fraction(values.get(key, 0) or 0)))
        points = Fraction(100) * weight * value / total if total else Fraction(0)
        contributions.append(Contribution(key, weight, value, points))
    return sum((c.points for c in contributions), Fraction(0)), contributions


def region_value(prefecture: str) -> int:
    return 0 if prefecture in METROPOLITAN_PREFECTURES else 1


def rating_value(rating) -> Fraction:
    return Fraction(max(0, min(RATING_MAX, int(rating))), RATING_MAX)


def figure_value(figure) -> Fraction:
    if figure is None:
        return Fraction(0)
    return Fraction(min(int(figure), FIGURE_CAP), FIGURE_CAP)
