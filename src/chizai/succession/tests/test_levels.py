"""The four-step scale and the bus-factor arithmetic (pure functions, property-based)."""

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chizai.register import risk
from chizai.succession import levels

TODAY = date(2026, 12, 6)
leave_dates = st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
people = st.lists(st.tuples(st.sampled_from(levels.LEVELS), leave_dates), max_size=30)


@given(st.sampled_from(levels.LEVELS))
def test_every_level_reads_back_from_its_mark_digit_and_words(level):
    assert levels.parse(levels.MARKS[level]) == level
    assert levels.parse(str(level)) == level
    assert levels.parse(level) == level
    for language in ("ja", "en"):
        with translation.override(language):
            assert levels.parse(str(levels.WORDS[level])) == level
            assert levels.parse(levels.label(level)) == level


@pytest.mark.parametrize(
    "cell,level",
    [
        (None, 0),
        ("", 0),
        ("  ", 0),
        ("×", 0),
        ("－", 0),
        ("-", 0),
        ("ー", 0),
        ("△", 1),
        ("○", 2),
        ("〇", 2),
        ("◎", 3),
        ("３", 3),
        (" ◎ ", 3),
        (2.0, 2),
        ("can teach", 3),
        ("Can Do Alone", 2),
    ],
)
def test_cells_that_are_read(cell, level):
    assert levels.parse(cell) == level


@pytest.mark.parametrize("cell", [4, "4", 1.5, -1, "A", "◎◎", True, "=1+1", "5"])
def test_cells_off_the_scale_are_refused_not_guessed(cell):
    with pytest.raises(levels.BadLevel):
        levels.parse(cell)


@given(st.integers().filter(lambda n: n not in levels.LEVELS))
def test_no_other_integer_is_a_level(n):
    with pytest.raises(levels.BadLevel):
        levels.parse(n)


def test_marks_in_japanese_words_in_english():
    with translation.override("ja"):
        assert [levels.label(lv) for lv in levels.LEVELS] == ["－", "△", "○", "◎"]
    with translation.override("en"):
        assert [levels.label(lv) for lv in levels.LEVELS] == ["none", "can do with help", "can do alone", "can teach"]


@given(people)
def test_bus_factor_counts_capable_people_who_stay(rows):
    expected = sum(
        1 for level, leaves in rows if level >= 2 and (leaves is None or leaves > TODAY + timedelta(days=365))
    )
    assert risk.bus_factor(rows, TODAY) == expected
    assert 0 <= risk.bus_factor(rows, TODAY) <= len(rows)


@given(people, st.sampled_from(levels.LEVELS), leave_dates)
def test_one_more_person_raises_the_bus_factor_by_at_most_one(rows, level, leaves):
    before = risk.bus_factor(rows, TODAY)
    after = risk.bus_factor([*rows, (level, leaves)], TODAY)
    assert after - before == (1 if level >= 2 and risk.staying(leaves, TODAY) else 0)


@given(people)
def test_raising_levels_never_lowers_the_bus_factor(rows):
    raised = [(min(level + 1, levels.TEACH), leaves) for level, leaves in rows]
    assert risk.bus_factor(raised, TODAY) >= risk.bus_factor(rows, TODAY)


@given(people)
def test_bus_factor_falls_as_leave_dates_come_closer(rows):
    later = TODAY + timedelta(days=200)
    assert risk.bus_factor(rows, later) <= risk.bus_factor(rows, TODAY)


def test_the_horizon_is_exactly_twelve_months():
    edge = TODAY + timedelta(days=365)
    assert risk.bus_factor([(2, edge)], TODAY) == 0
    assert risk.bus_factor([(2, edge + timedelta(days=1))], TODAY) == 1
    assert risk.bus_factor([(1, None), (3, None), (2, None), (0, None)], TODAY) == 2
